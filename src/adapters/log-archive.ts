/*
 * The event-log archive written by `logs archive`, as a source: its manifest, and each archived file streamed from
 * disk through gunzip into the same csv-parse sink a download feeds, its SHA-256 checked on the way (memory flat in
 * file size).
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { join } from 'node:path';
import { Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import type { ArchiveEntry } from '../domain/usage/archive.js';
import { csvInto, type Download, type RecordSink } from './event-logs.js';

/** An archived file that cannot be read or does not match its manifest entry. */
export class ArchiveFileError extends Error {
  public constructor(message: string, public readonly errorCode: 'ARCHIVE_UNREADABLE' | 'ARCHIVE_CHECKSUM') {
    super(message);
    this.name = 'ArchiveFileError';
  }
}

/** Reads one archived file into a new sink; never throws for a bad file (the outcome says what happened). */
export async function readArchivedFile<S extends RecordSink>(dir: string, entry: ArchiveEntry, newSink: () => S): Promise<Download<S>> {
  const sink = newSink();
  const hash = createHash('sha256');
  let bytes = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _encoding, callback: TransformCallback): void {
      bytes += chunk.length;
      hash.update(chunk);
      callback(null, chunk);
    },
  });
  try {
    await pipeline(createReadStream(join(dir, entry.file)), createGunzip(), counter, await csvInto(sink));
  } catch (error) {
    return { ok: false, error: new ArchiveFileError(`${entry.file}: ${error instanceof Error ? error.message : String(error)}`, 'ARCHIVE_UNREADABLE'), attempts: 1 };
  }
  const digest = hash.digest('hex');
  if (digest !== entry.sha256 || bytes !== entry.bytes) {
    return { ok: false, error: new ArchiveFileError(`${entry.file}: content does not match the manifest (SHA-256 ${digest}, ${bytes} bytes)`, 'ARCHIVE_CHECKSUM'), attempts: 1 };
  }
  sink.end();
  return { ok: true, sink, attempts: 1, bytes };
}
