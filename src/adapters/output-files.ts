/*
 * Writing a set of new files under one directory, all or nothing as far as the file system lets us: every
 * target is checked first, and an existing one stops the run before anything is written (migrate never
 * overwrites a file someone may have edited).
 */
import { access, mkdir, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';

export type NewFile = { path: string; text: string };

export class OutputExistsError extends Error {
  public constructor(public readonly paths: string[]) {
    super(paths.join(', '));
    this.name = 'OutputExistsError';
  }
}

/** Paths (relative to `dir`) that already exist. */
export async function existingFiles(dir: string, paths: readonly string[]): Promise<string[]> {
  const found: string[] = [];
  for (const path of paths) {
    try {
      await access(join(dir, path));
      found.push(path);
    } catch {
      // absent: fine
    }
  }
  return found;
}

/** Writes every file under `dir` (created as needed); throws OutputExistsError, writing nothing, when any exists. */
export async function writeNewFiles(dir: string, files: readonly NewFile[]): Promise<void> {
  const root = resolve(dir);
  for (const f of files) {
    // The paths come from API names, which cannot hold a separator or '..', but the check costs nothing.
    if (!resolve(root, f.path).startsWith(`${root}/`) && !resolve(root, f.path).startsWith(`${root}\\`)) throw new Error(`refusing to write outside ${root}: ${f.path}`);
  }
  const existing = await existingFiles(root, files.map((f) => f.path));
  if (existing.length > 0) throw new OutputExistsError(existing);
  for (const f of files) {
    await mkdir(dirname(join(root, f.path)), { recursive: true });
    // 'wx': fail rather than overwrite a file that appeared since the check.
    await writeFile(join(root, f.path), f.text, { encoding: 'utf8', flag: 'wx' });
  }
}
