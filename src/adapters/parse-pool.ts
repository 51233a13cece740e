/*
 * Archived event log files parsed on all cores: a small pool of worker threads (parse-worker), one file per worker
 * at a time. Each worker streams its file, so memory stays flat in file size; the main thread only merges the
 * per-file aggregates it gets back.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { ArchiveEntry } from '../domain/usage/archive.js';
import { reviveFileTotals, type FileContext, type FileTotals } from '../domain/usage/aggregate.js';
import { ArchiveFileError } from './log-archive.js';
import type { ParseJob, ParseReply, ParseSetup } from './parse-worker.js';

export type ParsedFile = { ok: true; totals: FileTotals; bytes: number; rows: number; skippedRows: number } | { ok: false; error: ArchiveFileError };

/** Parsing workers: SF_CONNECTEDAPP_PARSE_WORKERS (1 = parse in the main thread), else one per core, at most 8. */
export function parseWorkersFromEnv(value: string | undefined): number {
  const n = Number(value);
  if (Number.isInteger(n) && n >= 1) return Math.min(n, 16);
  return Math.max(1, Math.min(availableParallelism(), 8));
}

export class ParsePool {
  private readonly workers: Worker[] = [];
  private readonly idle: Worker[] = [];
  private readonly waiting: Array<(worker: Worker) => void> = [];
  private next = 0;

  public constructor(size: number, private readonly setup: ParseSetup) {
    for (let i = 0; i < size; i++) this.idle.push(this.spawn());
  }

  public async parse(dir: string, entry: ArchiveEntry, context: FileContext): Promise<ParsedFile> {
    let worker = await this.take();
    try {
      const job = this.next++;
      const reply = await new Promise<ParseReply>((resolve, reject) => {
        const onMessage = (message: ParseReply): void => {
          if (message.job !== job) return;
          worker.off('message', onMessage);
          worker.off('error', onError);
          resolve(message);
        };
        const onError = (error: Error): void => {
          worker.off('message', onMessage);
          // A worker that died is replaced, so the pool keeps its size.
          worker = this.spawn();
          reject(error);
        };
        worker.on('message', onMessage);
        worker.once('error', onError);
        worker.postMessage({ job, dir, entry, context } satisfies ParseJob);
      });
      if (!reply.ok) return { ok: false, error: new ArchiveFileError(reply.message, reply.errorCode === 'ARCHIVE_CHECKSUM' ? 'ARCHIVE_CHECKSUM' : 'ARCHIVE_UNREADABLE') };
      return { ok: true, totals: reviveFileTotals(reply.totals), bytes: reply.bytes, rows: reply.rows, skippedRows: reply.skippedRows };
    } catch (error) {
      return { ok: false, error: new ArchiveFileError(error instanceof Error ? error.message : String(error), 'ARCHIVE_UNREADABLE') };
    } finally {
      this.give(worker);
    }
  }

  private spawn(): Worker {
    // Under tsx (tests, bin/dev.js) this module is TypeScript and so is its worker.
    const file = new URL(import.meta.url.endsWith('.ts') ? './parse-worker.ts' : './parse-worker.js', import.meta.url);
    const worker = new Worker(file, { workerData: this.setup });
    worker.unref();
    this.workers.push(worker);
    return worker;
  }

  public async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }

  private take(): Promise<Worker> {
    const worker = this.idle.pop();
    if (worker) return Promise.resolve(worker);
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  private give(worker: Worker): void {
    const waiter = this.waiting.shift();
    if (waiter) waiter(worker);
    else this.idle.push(worker);
  }
}
