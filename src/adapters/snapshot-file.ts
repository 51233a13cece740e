/*
 * The incident snapshot on disk. Written atomically — to a temporary file beside it, flushed, then renamed over
 * the name — so a crash or a full disk never leaves a half-written snapshot where restore will look; and owner
 * read/write only (it holds no secret, but it names the org's users' access).
 */
import { randomBytes } from 'node:crypto';
import { open, readFile, rename, rm } from 'node:fs/promises';

export class SnapshotFileError extends Error {
  public constructor(public readonly path: string, public readonly reason: 'unreadable' | 'not-json' | 'unwritable', detail: string) {
    super(detail);
    this.name = 'SnapshotFileError';
  }
}

/** The parsed JSON of the file, or undefined when there is no such file. */
export async function readSnapshotFile(path: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new SnapshotFileError(path, 'unreadable', error instanceof Error ? error.message : String(error));
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new SnapshotFileError(path, 'not-json', error instanceof Error ? error.message : String(error));
  }
}

/** Writes the value as JSON, atomically: after this returns, the file holds all of it; if it throws, nothing changed. */
export async function writeSnapshotFile(path: string, value: unknown): Promise<void> {
  const temporary = `${path}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    const handle = await open(temporary, 'wx', 0o600);
    try {
      await handle.writeFile(`${JSON.stringify(value, null, 2)}\n`, 'utf8');
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true });
    throw new SnapshotFileError(path, 'unwritable', error instanceof Error ? error.message : String(error));
  }
}
