/*
 * EventLogFile: the list of files (one paged SOQL query) and each file's LogFile body, streamed straight into a
 * csv-parse parser, never held in memory.
 *
 * Bodies are downloaded with Node's fetch, not jsforce: when a connection drops mid-response, jsforce-node pipes
 * Readable.fromWeb(res.body) into its output without forwarding errors and the process dies on an unhandled
 * 'error' event. Here every stream's errors end up in one pipeline() promise. A transient failure (dropped or
 * truncated connection, 5xx, 429, a stalled body) restarts the file from byte zero with a fresh sink, so the
 * caller simply keeps the sink of the attempt that completed and a row is never counted twice.
 */
import { createWriteStream, rmSync } from 'node:fs';
import { Readable, Transform, type TransformCallback, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { createGzip } from 'node:zlib';
import type { Connection } from '@salesforce/core';
import { ApiError, dataPath, isTransient, queryAll } from './api.js';
import { openStream } from './transport.js';
import type { LogFileRecord } from '../domain/usage/log-files.js';
import { soqlDateTime, soqlInList } from '../domain/soql.js';

const FILE_FIELDS = 'Id, EventType, LogDate, Interval, Sequence, LogFileLength, LogFileFieldNames, CreatedDate';

/** A SOQL datetime literal (whole seconds, UTC); `up` rounds a fractional second up. */
/** The files of the given types whose LogDate is in [from, to): one query, paged. */
export async function queryLogFiles(conn: Connection, eventTypes: readonly string[], from: Date, to: Date): Promise<LogFileRecord[]> {
  const soql =
    `SELECT ${FILE_FIELDS} FROM EventLogFile WHERE EventType IN ${soqlInList(eventTypes)} ` +
    `AND LogDate >= ${soqlDateTime(from)} AND LogDate < ${soqlDateTime(to, true)} ORDER BY LogDate, EventType`;
  return (await queryAll<LogFileRecord>(conn, soql)).records;
}

export type EventTypeFiles = { eventType: string; interval: string | null; files: number; firstDate: string | null; lastDate: string | null };

/** Which event types have files at all in the org (any date): one aggregate query. */
export async function readEventTypes(conn: Connection): Promise<EventTypeFiles[]> {
  type Row = { EventType: string; Interval: string | null; n: number; firstDate: string | null; lastDate: string | null };
  const rows = await queryAll<Row>(conn, 'SELECT EventType, Interval, COUNT(Id) n, MIN(LogDate) firstDate, MAX(LogDate) lastDate FROM EventLogFile GROUP BY EventType, Interval');
  return rows.records.map((r) => ({ eventType: r.EventType, interval: r.Interval, files: r.n, firstDate: r.firstDate, lastDate: r.lastDate }));
}

/** Receives a file's CSV records. A fresh sink is made for every download attempt. */
export type RecordSink = {
  /** Every record in order, the header row first; `line` is the record's last line number. */
  record(values: string[], line: number): void;
  /** A record the parser had to skip (bad quoting, wrong number of fields, cut short). */
  badRecord(line: number, message: string): void;
  /** The body was read to its end. */
  end(): void;
  /** Each piece of the raw body as received, before parsing (e.g. to hash it). */
  chunk?(bytes: Buffer): void;
};

export type DownloadOptions = {
  /** Also write the raw CSV here (rewritten from the start on a retry, removed when the download fails). */
  saveTo?: string;
  /** Write saveTo gzip-compressed. */
  compress?: boolean;
  /** Bytes received (negative when a failed attempt's bytes are taken back). */
  onBytes?: (delta: number) => void;
  /** Attempts in all (default 5). */
  maxAttempts?: number;
  /** First retry delay, doubled each time (default 250 ms). */
  backoffMs?: number;
  /** A body that sends nothing for this long is abandoned and retried (default 120 s). */
  idleTimeoutMs?: number;
};

/** The sink of the attempt that read the whole body, or the last error (the file is then not counted). */
export type Download<S> = { ok: true; sink: S; attempts: number; bytes: number } | { ok: false; error: unknown; attempts: number };

/** A failed LogFile download. errorCode: the Salesforce errorCode, ERROR_HTTP_<status>, or the network error's code. */
export class DownloadError extends ApiError {
  public constructor(message: string, errorCode: string, status: number | null, cause?: unknown) {
    super(message, errorCode, { cause, status, outcome: 'unknown' });
    this.name = 'DownloadError';
  }
}

/** A download that failed without an answer (dropped, cut, stalled) is worth another try; so is a 429 or 5xx. */
function retryable(error: unknown): boolean {
  return (error instanceof DownloadError && error.status === null) || isTransient(error);
}

/** The LogFile path of a file. */
export function logFilePath(conn: Connection, id: string): string {
  return dataPath(conn, `/sobjects/EventLogFile/${encodeURIComponent(id)}/LogFile`);
}

/**
 * Downloads one file's body into a sink made by `newSink`, retrying transient failures from the start with a new
 * sink. Never throws for a failed file: the outcome says what happened. (An expired session is refreshed once by
 * the transport.)
 */
export async function downloadLogFile<S extends RecordSink>(conn: Connection, id: string, newSink: () => S, options: DownloadOptions = {}): Promise<Download<S>> {
  const maxAttempts = options.maxAttempts ?? 5;
  const backoff = options.backoffMs ?? 250;
  for (let attempt = 1; ; attempt++) {
    let bytes = 0;
    const onBytes = (n: number): void => {
      bytes += n;
      options.onBytes?.(n);
    };
    try {
      const sink = newSink();
      await streamOnce(conn, id, sink, onBytes, options);
      return { ok: true, sink, attempts: attempt, bytes };
    } catch (error) {
      if (bytes > 0) options.onBytes?.(-bytes);
      if (attempt >= maxAttempts || !retryable(error)) {
        if (options.saveTo) rmSync(options.saveTo, { force: true });
        return { ok: false, error, attempts: attempt };
      }
      await new Promise((resolve) => setTimeout(resolve, backoff * 2 ** (attempt - 1)));
    }
  }
}

/** A csv-parse stream that hands every record (and every skipped one) to the sink and pushes nothing. */
export async function csvInto(sink: RecordSink): Promise<Transform> {
  const { parse } = await import('csv-parse');
  const parser = parse({
    bom: true,
    skip_empty_lines: true,
    skip_records_with_error: true,
    on_skip: (error, _raw) => {
      sink.badRecord(typeof error?.lines === 'number' ? error.lines : parser.info.lines, error?.message ?? '');
      return undefined;
    },
    on_record: (record: string[], context) => {
      sink.record(record, context.lines);
      return null;
    },
  });
  // Records are consumed in on_record; nothing is pushed, but the readable side must flow for 'end'.
  parser.resume();
  return parser;
}

async function streamOnce(conn: Connection, id: string, sink: RecordSink, onBytes: (n: number) => void, options: DownloadOptions): Promise<void> {
  const controller = new AbortController();
  const idleMs = options.idleTimeoutMs ?? 120_000;
  let idle: NodeJS.Timeout | undefined;
  const touch = (): void => {
    clearTimeout(idle);
    idle = setTimeout(() => {
      controller.abort(new DownloadError(`no data for ${idleMs} ms`, 'IDLE_TIMEOUT', null));
    }, idleMs);
  };
  let out: SavedFile | undefined;
  try {
    touch();
    let response: Response;
    try {
      response = await openStream(conn, logFilePath(conn, id), { headers: { Accept: 'text/csv' }, signal: controller.signal });
    } catch (error) {
      throw asDownloadError(error);
    }
    const expected = response.headers.get('content-encoding') ? null : Number(response.headers.get('content-length') ?? NaN);
    let received = 0;
    if (options.saveTo) out = saveFile(options.saveTo, options.compress === true);
    const file = out?.stream;
    const counter = new Transform({
      transform(chunk: Buffer, _encoding, callback: TransformCallback): void {
        received += chunk.length;
        onBytes(chunk.length);
        touch();
        sink.chunk?.(chunk);
        if (file && !file.write(chunk)) {
          file.once('drain', () => {
            callback(null, chunk);
          });
        } else callback(null, chunk);
      },
    });
    out?.done.catch((error: unknown) => {
      counter.destroy(error instanceof Error ? error : new Error(String(error)));
    });
    const parser = await csvInto(sink);
    const body = response.body ? Readable.fromWeb(response.body as WebReadableStream<Uint8Array>) : Readable.from([]);
    try {
      await pipeline(body, counter, parser);
    } catch (error) {
      throw asDownloadError(controller.signal.aborted ? controller.signal.reason : error);
    }
    if (expected !== null && Number.isFinite(expected) && received !== expected) {
      throw new DownloadError(`received ${received} of ${expected} bytes`, 'TRUNCATED', null);
    }
    if (out) {
      out.stream.end();
      await out.done;
      out = undefined;
    }
    sink.end();
  } finally {
    clearTimeout(idle);
    if (out) {
      out.stream.destroy();
      out.file.destroy();
      // The open may still be pending: wait until the file is closed, so that the caller's removal of a failed
      // attempt's file (or the next attempt's open) comes after it was created, never before.
      await out.closed;
    }
  }
}

/** `closed` settles when the file is closed, whatever happened (an open still pending is finished first). */
type SavedFile = { stream: Writable; file: Writable; done: Promise<void>; closed: Promise<void> };

/** The file a body is copied to, plain or through gzip; `done` settles when all of it is on disk (or it failed). */
function saveFile(path: string, compress: boolean): SavedFile {
  const file = createWriteStream(path, { flags: 'w' });
  const closed = new Promise<void>((resolve) => file.once('close', () => { resolve(); }));
  if (!compress) {
    const done = new Promise<void>((resolve, reject) => {
      file.on('error', reject);
      file.on('finish', () => { resolve(); });
    });
    return { stream: file, file, done, closed };
  }
  const gzip = createGzip();
  return { stream: gzip, file, done: pipeline(gzip, file), closed };
}

/** Any failure of a download as a DownloadError (a dropped, cut or stalled body is a retryable ConnectionError first). */
function asDownloadError(error: unknown): unknown {
  if (error instanceof DownloadError) return error;
  if (error instanceof ApiError) return new DownloadError(error.message, error.errorCode, error.status, error);
  if (error instanceof Error && (error.name === 'AbortError' || error instanceof TypeError || 'code' in error)) {
    const code = (error as { code?: unknown; cause?: { code?: unknown } }).code ?? (error as { cause?: { code?: unknown } }).cause?.code;
    return new DownloadError(error.message, typeof code === 'string' ? code : 'CONNECTION_LOST', null, error);
  }
  return error;
}
