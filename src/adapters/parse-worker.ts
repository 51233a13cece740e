/*
 * A parsing worker for archived event log files: reads each file it is sent (gunzip, csv-parse, SHA-256 check) into a
 * FileAggregate and posts back the aggregate's data. One matcher per worker, built from workerData.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { FileAggregate, fileTotals, type FileContext, type RowFilter } from '../domain/usage/aggregate.js';
import { AppMatcher, type KnownApp } from '../domain/usage/app-matcher.js';
import type { ArchiveEntry } from '../domain/usage/archive.js';
import { readArchivedFile } from './log-archive.js';

export type ParseSetup = { apps: KnownApp[]; selected: string[] | null; unknown: boolean; filter: RowFilter };
export type ParseJob = { job: number; dir: string; entry: ArchiveEntry; context: FileContext };
export type ParseReply =
  | { job: number; ok: true; bytes: number; totals: ReturnType<typeof fileTotals>; rows: number; skippedRows: number }
  | { job: number; ok: false; errorCode: string; message: string };

const setup = workerData as ParseSetup;
const matcher = new AppMatcher(setup.apps, setup.selected ? new Set(setup.selected) : null, setup.unknown);

parentPort?.on('message', (message: ParseJob) => {
  void (async (): Promise<void> => {
    const outcome = await readArchivedFile(message.dir, message.entry, () => new FileAggregate(message.context, matcher, setup.filter));
    let reply: ParseReply;
    if (outcome.ok) {
      reply = { job: message.job, ok: true, bytes: outcome.bytes, totals: fileTotals(outcome.sink), rows: outcome.sink.rows, skippedRows: outcome.sink.skippedRows };
    } else {
      const error = outcome.error as { errorCode?: string; message?: string };
      reply = { job: message.job, ok: false, errorCode: error.errorCode ?? 'ARCHIVE_UNREADABLE', message: error.message ?? String(outcome.error) };
    }
    parentPort?.postMessage(reply);
  })();
});
