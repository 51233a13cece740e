/*
 * `connectedapp logs archive`: copy every event log file the org still keeps and DIR does not have into DIR,
 * gzip-compressed, and list it in DIR's manifest.
 *
 * Each file is streamed to a temporary file beside its final name, renamed once complete, and only then listed in
 * the manifest (itself written to a temporary file and renamed), one file at a time. So a run killed anywhere leaves
 * the manifest listing only complete files; the next run removes the temporary files and downloads the rest.
 * A run holds the directory's lock file from start to end, so two runs never interleave manifest writes or remove
 * each other's files; readers need no lock, as every manifest they can open is a whole one.
 */
import { createHash } from 'node:crypto';
import { mkdir, readdir, rename, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Connection } from '@salesforce/core';
import { Messages, type SfError } from '@salesforce/core';
import { errorCodeOf, isSourceUnavailable, messageOf } from '../adapters/api.js';
import { downloadLogFile, queryLogFiles, type RecordSink } from '../adapters/event-logs.js';
import { SnapshotFileError, readSnapshotFile, writeSnapshotFile } from '../adapters/snapshot-file.js';
import { DirLockedError, acquireDirLock, type DirLock, type StaleLock } from '../adapters/dir-lock.js';
import { STALE_AFTER_MS, type LockHolder } from '../domain/dir-lock.js';
import {
  LOCK_NAME,
  MANIFEST_NAME,
  emptyManifest,
  intervalOf,
  logEnd,
  parseManifest,
  planArchive,
  prunable,
  withEntry,
  withoutEntries,
  type ArchiveEntry,
  type ArchiveInterval,
  type Manifest,
} from '../domain/usage/archive.js';
import { mapWithConcurrency } from '../domain/collections.js';
import { DEFAULT_EVENT_TYPES, canonicalEventType, type LogFileRecord } from '../domain/usage/log-files.js';

Messages.importMessagesDirectoryFromMetaUrl(import.meta.url);
const messages = Messages.loadMessages('plugin-connectedapp', 'connectedapp.logs.archive');

/** Suffix of a file being downloaded (removed by the next run when a run was killed). */
const PARTIAL = '.partial';
/** How far back the org is asked for files: more than any retention (Event Monitoring keeps at most a year). */
const LOOK_BACK_MS = 400 * 86_400_000;

export type ArchiveRequest = {
  outputDir: string;
  eventTypes?: string[];
  interval: 'daily' | 'hourly';
  /** Remove archived logs that ended before this instant. */
  pruneBefore: Date | null;
  dryRun: boolean;
  concurrency: number;
  now: Date;
};

export type ArchiveFileStatus = 'downloaded' | 'would-download' | 'archived' | 'older' | 'failed';

export type ArchiveFileResult = {
  id: string;
  eventType: string;
  interval: ArchiveInterval;
  logDate: string;
  status: ArchiveFileStatus;
  /** The archived file (relative to the output directory), for downloaded and already archived files. */
  file?: string;
  bytes?: number;
  rows?: number;
  sha256?: string;
  attempts?: number;
  /** The Id of the older version of the same log this download replaced. */
  replaced?: string;
  errorCode?: string;
  message?: string;
};

export type ArchivePruned = { id: string; eventType: string; interval: ArchiveInterval; logDate: string; file: string };

export type ArchiveResult = {
  outputDir: string;
  dryRun: boolean;
  eventTypes: string[];
  interval: 'daily' | 'hourly';
  /** One entry per file the org keeps now. */
  files: ArchiveFileResult[];
  pruned: ArchivePruned[];
  downloaded: number;
  failed: number;
  /** Bytes and rows downloaded by this run. */
  bytes: number;
  rows: number;
  /** Files listed in the manifest after the run. */
  archivedFiles: number;
  /** Temporary files left by an interrupted run, removed. */
  leftoversRemoved: number;
};

export type ArchiveProgress = { start(totalBytes: number): void; update(doneBytes: number): void; stop(): void };
const noProgress: ArchiveProgress = { start: () => undefined, update: () => undefined, stop: () => undefined };

export type ArchiveOutcome = { result: ArchiveResult; warnings: string[]; failure: SfError | null };

/** Counts rows and hashes the bytes of one download attempt. */
class ArchiveSink implements RecordSink {
  public records = 0;
  public bad = 0;
  private readonly hash = createHash('sha256');
  public record(): void {
    this.records++;
  }
  public badRecord(): void {
    this.bad++;
  }
  public end(): void {}
  public chunk(bytes: Buffer): void {
    this.hash.update(bytes);
  }
  /** Rows after the header (the header is the first record). */
  public get rows(): number {
    return Math.max(0, this.records - 1) + this.bad;
  }
  public digest(): string {
    return this.hash.digest('hex');
  }
}

/**
 * Archives into the directory under its lock (see src/adapters/dir-lock.ts): a second run on the same directory is
 * refused with ArchiveLocked and changes nothing. A dry run only reads, as `usage --archive-dir` does, and takes no lock.
 * `warn` gets, at once, the word that a stale lock was taken over.
 */
export async function archiveLogs(conn: Connection, request: ArchiveRequest, progress: ArchiveProgress = noProgress, warn: (message: string) => void = () => undefined): Promise<ArchiveOutcome> {
  if (request.dryRun) return archiveInto(conn, request, progress);
  const dir = request.outputDir;
  try {
    await mkdir(dir, { recursive: true });
  } catch (error) {
    throw messages.createError('error.OutputDir', [dir, messageOf(error)]);
  }
  const lock = await lockArchive(dir);
  try {
    if (lock.tookOver) warn(tookOverWarning(lock.path, lock.tookOver));
    return await archiveInto(conn, request, progress);
  } finally {
    lock.release();
  }
}

async function lockArchive(dir: string): Promise<DirLock> {
  try {
    return await acquireDirLock(dir, LOCK_NAME);
  } catch (error) {
    if (!(error instanceof DirLockedError)) throw messages.createError('error.LockUnwritable', [join(dir, LOCK_NAME), messageOf(error)]);
    const minutes = Math.max(0, Math.round((Date.now() - error.since) / 60_000));
    throw messages.createError('error.ArchiveLocked', [dir, holderWords(error.holder), new Date(error.since).toISOString(), minutes], [Math.round(STALE_AFTER_MS / 3_600_000), error.path]);
  }
}

const holderWords = (holder: LockHolder | null): string =>
  holder ? messages.getMessage('lock.holder', [holder.pid, holder.hostname]) : messages.getMessage('lock.holderUnreadable');

function tookOverWarning(path: string, stale: StaleLock): string {
  const tokens = [path, holderWords(stale.holder), new Date(stale.since).toISOString()];
  return messages.getMessage(`warning.lockTakenOver.${stale.verdict}`, stale.verdict === 'too-old' ? [...tokens, Math.round(STALE_AFTER_MS / 3_600_000)] : tokens);
}

/** The run itself: under the directory's lock unless it is a dry run. */
async function archiveInto(conn: Connection, request: ArchiveRequest, progress: ArchiveProgress): Promise<ArchiveOutcome> {
  const warnings: string[] = [];
  const dir = request.outputDir;
  const manifestPath = join(dir, MANIFEST_NAME);
  let manifest = await readManifest(manifestPath);
  const eventTypes = [...new Set((request.eventTypes?.length ? request.eventTypes : DEFAULT_EVENT_TYPES).map(canonicalEventType))];
  const wantedInterval: ArchiveInterval = request.interval === 'hourly' ? 'Hourly' : 'Daily';

  let records: LogFileRecord[];
  try {
    records = await queryLogFiles(conn, eventTypes, new Date(request.now.getTime() - LOOK_BACK_MS), new Date(request.now.getTime() + 86_400_000));
  } catch (error) {
    if (isSourceUnavailable(error)) throw messages.createError('error.EventLogsUnavailable', [errorCodeOf(error)]);
    throw error;
  }
  // With --prune-older-than, logs older than the cutoff are not fetched again (they would be pruned by the next run).
  const recent = (r: LogFileRecord): boolean => !request.pruneBefore || logEnd(r) > request.pruneBefore.getTime();
  const plan = planArchive(
    records.filter((r) => intervalOf(r) === wantedInterval && recent(r)),
    manifest
  );
  const toPrune = request.pruneBefore ? prunable(manifest, request.pruneBefore) : [];
  const files: ArchiveFileResult[] = plan.map((p) => ({
    id: p.record.Id,
    eventType: p.record.EventType,
    interval: p.interval,
    logDate: p.logDate,
    status: p.action === 'download' ? (request.dryRun ? 'would-download' : 'failed') : p.action,
    ...(p.action === 'archived' ? { file: manifest.files.find((f) => f.id === p.record.Id)?.file } : {}),
    ...(p.replaces ? { replaced: p.replaces.id } : {}),
  }));
  const pruned = toPrune.map((f) => ({ id: f.id, eventType: f.eventType, interval: f.interval, logDate: f.logDate, file: f.file }));
  const result: ArchiveResult = {
    outputDir: dir,
    dryRun: request.dryRun,
    eventTypes,
    interval: request.interval,
    files,
    pruned,
    downloaded: 0,
    failed: 0,
    bytes: 0,
    rows: 0,
    archivedFiles: manifest.files.length - (request.dryRun ? 0 : toPrune.length),
    leftoversRemoved: 0,
  };
  if (request.dryRun) return { result, warnings, failure: null };

  // Safe under the lock: no other run's temporary files are being written.
  result.leftoversRemoved = await removeLeftovers(dir);

  // Every manifest change goes through this queue, so writes never overlap and each one holds all earlier changes.
  let saving: Promise<void> = Promise.resolve();
  const save = (change: (m: Manifest) => Manifest): Promise<void> => {
    // A failed write fails its own file only; the next change starts from the manifest on disk.
    const write = saving
      .catch(() => undefined)
      .then(async () => {
        const next = change(manifest);
        await writeSnapshotFile(manifestPath, next);
        manifest = next;
      });
    saving = write;
    return write;
  };

  if (toPrune.length > 0) {
    await save((m) => withoutEntries(m, toPrune));
    for (const f of toPrune) await rm(join(dir, f.file), { force: true });
  }

  const downloads = plan.map((p, i) => ({ p, i })).filter(({ p }) => p.action === 'download');
  let doneBytes = 0;
  if (downloads.length > 0) progress.start(downloads.reduce((n, { p }) => n + (p.record.LogFileLength ?? 0), 0));
  try {
    await mapWithConcurrency(downloads, request.concurrency, async ({ p, i }) => {
      const finalPath = join(dir, p.file);
      const temporary = `${finalPath}${PARTIAL}`;
      await mkdir(dirname(finalPath), { recursive: true });
      const outcome = await downloadLogFile(conn, p.record.Id, () => new ArchiveSink(), {
        saveTo: temporary,
        compress: true,
        onBytes: (n) => {
          doneBytes += n;
          progress.update(doneBytes);
        },
      });
      if (!outcome.ok) {
        files[i] = { ...files[i], status: 'failed', attempts: outcome.attempts, errorCode: errorCodeOf(outcome.error), message: messageOf(outcome.error) };
        return;
      }
      const entry: ArchiveEntry = {
        id: p.record.Id,
        eventType: p.record.EventType,
        interval: p.interval,
        logDate: p.logDate,
        createdDate: p.createdDate,
        bytes: outcome.bytes,
        rows: outcome.sink.rows,
        sha256: outcome.sink.digest(),
        downloadedAt: new Date().toISOString(),
        file: p.file,
      };
      try {
        await rename(temporary, finalPath);
        await save((m) => withEntry(m, entry));
      } catch (error) {
        await rm(temporary, { force: true });
        const code = error instanceof SnapshotFileError ? 'MANIFEST_WRITE_FAILED' : ((error as NodeJS.ErrnoException).code ?? 'WRITE_FAILED');
        files[i] = { ...files[i], status: 'failed', attempts: outcome.attempts, errorCode: code, message: messageOf(error) };
        return;
      }
      // The older version is out of the manifest now: its file can go.
      if (p.replaces && p.replaces.file !== p.file) await rm(join(dir, p.replaces.file), { force: true });
      files[i] = { ...files[i], status: 'downloaded', file: p.file, bytes: entry.bytes, rows: entry.rows, sha256: entry.sha256, attempts: outcome.attempts };
    });
  } finally {
    progress.stop();
  }
  await saving.catch(() => undefined);

  const failed = files.filter((f) => f.status === 'failed');
  const done = files.filter((f) => f.status === 'downloaded');
  Object.assign(result, {
    files,
    downloaded: done.length,
    failed: failed.length,
    bytes: done.reduce((n, f) => n + (f.bytes ?? 0), 0),
    rows: done.reduce((n, f) => n + (f.rows ?? 0), 0),
    archivedFiles: manifest.files.length,
  });
  if (failed.length > 0) {
    warnings.push(messages.getMessage('warning.filesFailed', [failed.length, downloads.length, failed.map((f) => `${f.eventType} ${f.logDate.slice(0, 13)} (${f.id}): ${f.errorCode ?? ''}`).join('; ')]));
  }
  const failure = failed.length > 0 && done.length === 0 ? messages.createError('error.AllFailed', [failed.length, failed[0].errorCode ?? 'UNKNOWN_ERROR']) : null;
  return { result, warnings, failure };
}

/** The manifest in DIR (empty when DIR or the manifest does not exist yet); a damaged one is an error and nothing is changed. */
export async function readManifest(path: string): Promise<Manifest> {
  let value: unknown;
  try {
    value = await readSnapshotFile(path);
  } catch (error) {
    throw messages.createError('error.ManifestUnreadable', [path, messageOf(error)]);
  }
  if (value === undefined) return emptyManifest();
  const parsed = parseManifest(value);
  if (typeof parsed === 'string') throw messages.createError('error.ManifestUnreadable', [path, parsed]);
  return parsed;
}

/** Removes what killed runs left: temporary downloads and manifest temporaries. */
async function removeLeftovers(dir: string): Promise<number> {
  let removed = 0;
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  for (const e of entries) {
    if (!e.isFile()) continue;
    const partial = e.name.endsWith(PARTIAL);
    const manifestTemp = e.name.startsWith(`${MANIFEST_NAME}.`) && e.name.endsWith('.tmp');
    if (!partial && !manifestTemp) continue;
    await rm(join(e.parentPath, e.name), { force: true });
    removed++;
  }
  return removed;
}
