/*
 * Connected apps in a local project: `*.connectedApp-meta.xml` (source format) and `*.connectedApp`
 * (mdapi format) under the given directories, or under the package directories of sfdx-project.json.
 * A file that does not parse is reported with its line; the others are still read.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join, relative, resolve, sep } from 'node:path';
import { mapWithConcurrency } from '../domain/collections.js';
import { fullNameFromFileName, readConnectedAppPolicy, type AppPolicy } from '../domain/policy.js';
import { PolicyError } from '../domain/policy-error.js';
import { parseXml, XmlParseError } from '../domain/xml.js';

export type SourceApp = { file: string; fullName: string; policy: AppPolicy };
export type SourceParseError = { file: string; line: number; column: number; message: string };
export type SourceRead = { apps: SourceApp[]; parseErrors: SourceParseError[]; directories: string[] };

const IS_CONNECTED_APP = /\.connectedApp(-meta\.xml)?$/;
const SKIPPED_DIRS = new Set(['node_modules', '.git', '.sf', '.sfdx']);

export class ProjectFileError extends Error {
  public constructor(public readonly path: string, public readonly reason: string) {
    super(`${path}: ${reason}`);
    this.name = 'ProjectFileError';
  }
}

/** Package directories from sfdx-project.json in `cwd`, or null when there is no project file. */
export async function projectPackageDirectories(cwd: string): Promise<string[] | null> {
  let text: string;
  try {
    text = await readFile(join(cwd, 'sfdx-project.json'), 'utf8');
  } catch {
    return null;
  }
  let project: { packageDirectories?: Array<{ path?: unknown }> };
  try {
    project = JSON.parse(text) as typeof project;
  } catch (error) {
    throw new ProjectFileError(join(cwd, 'sfdx-project.json'), error instanceof Error ? error.message : String(error));
  }
  return (project.packageDirectories ?? []).flatMap((d) => (typeof d.path === 'string' ? [resolve(cwd, d.path)] : []));
}

async function findFiles(directory: string): Promise<string[]> {
  const found: string[] = [];
  const entries = await readdir(directory, { withFileTypes: true });
  for (const entry of entries) {
    const path = join(directory, entry.name);
    if (entry.isDirectory() && !SKIPPED_DIRS.has(entry.name)) found.push(...(await findFiles(path)));
    else if (entry.isFile() && IS_CONNECTED_APP.test(entry.name)) found.push(path);
  }
  return found;
}

/** Reads every connected app under the directories. Paths in the result are relative to `cwd`, with `/`. */
export async function readSourceApps(directories: readonly string[], cwd: string): Promise<SourceRead> {
  const files = (await Promise.all(directories.map((d) => findFiles(resolve(cwd, d))))).flat().sort();
  const display = (file: string): string => relative(cwd, file).split(sep).join('/');
  const apps: SourceApp[] = [];
  const parseErrors: SourceParseError[] = [];
  const texts = await mapWithConcurrency(files, 16, (file) => readFile(file, 'utf8'));
  files.forEach((file, i) => {
    const name = display(file);
    const fullName = fullNameFromFileName(file.split(sep).at(-1) ?? file) ?? name;
    try {
      apps.push({ file: name, fullName, policy: readConnectedAppPolicy(parseXml(texts[i]).root, { fullName }) });
    } catch (error) {
      if (error instanceof XmlParseError) parseErrors.push({ file: name, line: error.line, column: error.column, message: error.message });
      else if (error instanceof PolicyError) parseErrors.push({ file: name, line: 1, column: 1, message: error.message });
      else throw error;
    }
  });
  return { apps, parseErrors, directories: directories.map((d) => display(resolve(cwd, d)) || '.') };
}
