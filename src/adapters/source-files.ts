/*
 * Connected apps in a local project: `*.connectedApp-meta.xml` (source format) and `*.connectedApp`
 * (mdapi format) under the given directories, or under the package directories of sfdx-project.json; and the
 * External Client Apps there (their part files `*.eca-meta.xml`, `*.ecaOauthPlcy-meta.xml` …, grouped by the app
 * each names).
 * Each file is read on its own: one that cannot be read or parsed (too large, not UTF-8, not well-formed,
 * nested too deep, a bad character reference) is reported with its name (and line, when it has one), and
 * the others are still audited. Symbolic links are not followed — a link could point outside the project,
 * at a device or back at a parent — and each one is reported, so nothing is skipped silently.
 */
import { open, readdir, readFile, readlink, stat } from 'node:fs/promises';
import { join, relative, resolve, sep } from 'node:path';
import { Messages } from '@salesforce/core';
import { mapWithConcurrency } from '../domain/collections.js';
import { ECA_PARTS, ecaAppName, ecaHeaderNameFromFileName, ecaPartOf, groupEcaFiles, readExternalClientAppPolicy, requestedRotations, type RotatedCredential } from '../domain/policy/eca.js';
import { assertConnectedAppRoot, fullNameFromFileName, readConnectedAppPolicy, type AppPolicy, type EcaPart } from '../domain/policy/policy.js';
import { PolicyError } from '../domain/policy/policy-error.js';
import { parseXml, XmlParseError, type XmlElement } from '../domain/xml.js';

Messages.importMessagesDirectoryFromMetaUrl(import.meta.url);
const messages = Messages.loadMessages('plugin-connectedapp', 'connectedapp.audit');

/**
 * A connected app file, or an External Client App: `file` its header file (else its first part), `partFiles` each
 * part's file, `rotatesOnDeploy` the credentials its global OAuth settings file asks to rotate.
 */
export type SourceApp = { file: string; fullName: string; policy: AppPolicy; partFiles?: Partial<Record<EcaPart, string>>; rotatesOnDeploy?: RotatedCredential[] };
/** A file that was not audited; `line` is 0 when the problem has no line (size, encoding, a link). */
export type SourceParseError = { file: string; line: number; column: number; message: string };
/** `fileCount`: every file found (read or not): a connected app is one file, an External Client App one per part. */
export type SourceRead = { apps: SourceApp[]; parseErrors: SourceParseError[]; directories: string[]; fileCount: number };

/** Far above any real connected app file (a few KB; tens with a long profile list). */
export const MAX_SOURCE_FILE_BYTES = 2 * 1024 * 1024;

const IS_CONNECTED_APP = /\.connectedApp(-meta\.xml)?$/;
const IS_ECA_PART = new RegExp(`\\.(${ECA_PARTS.join('|')})(-meta\\.xml)?$`);
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

type Found = { files: string[]; links: string[] };

/** The files under a directory whose names match, and the symbolic links that could hold one (walked with a queue, not recursion). */
async function findFiles(directory: string, pattern: RegExp = IS_CONNECTED_APP): Promise<Found> {
  const found: Found = { files: [], links: [] };
  // A symbolic link given as the directory itself is the user's choice: follow that one.
  const queue = [directory];
  for (let dir = queue.shift(); dir !== undefined; dir = queue.shift()) {
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory() && !SKIPPED_DIRS.has(entry.name)) queue.push(path);
      else if (entry.isFile() && pattern.test(entry.name)) found.files.push(path);
      else if (entry.isSymbolicLink() && (pattern.test(entry.name) || (await isDirectory(path)))) found.links.push(path);
    }
  }
  return found;
}

async function isDirectory(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch {
    return false; // a dangling link
  }
}

/** Why a file could not be read: the message is the finding's text. */
class UnreadableFileError extends Error {}

/** The file's text: at most MAX_SOURCE_FILE_BYTES, strictly UTF-8. */
async function readSourceText(path: string): Promise<string> {
  const handle = await open(path, 'r');
  let bytes: Buffer;
  try {
    const { size } = await handle.stat();
    if (size > MAX_SOURCE_FILE_BYTES) throw new UnreadableFileError(messages.getMessage('sourceFile.tooLarge', [size, MAX_SOURCE_FILE_BYTES]));
    // Read at most one byte more than the limit, so a file that grows while read is caught too.
    const buffer = Buffer.alloc(Math.min(size, MAX_SOURCE_FILE_BYTES) + 1);
    let length = 0;
    for (;;) {
      const { bytesRead } = await handle.read(buffer, length, buffer.length - length, length);
      if (bytesRead === 0) break;
      length += bytesRead;
      if (length === buffer.length) throw new UnreadableFileError(messages.getMessage('sourceFile.tooLarge', [`${length}+`, MAX_SOURCE_FILE_BYTES]));
    }
    bytes = buffer.subarray(0, length);
  } finally {
    await handle.close();
  }
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    const lenient = new TextDecoder('utf-8').decode(bytes);
    const line = lenient.slice(0, lenient.indexOf('\uFFFD')).split('\n').length;
    throw new UnreadableFileError(messages.getMessage('sourceFile.notUtf8', [line]));
  }
}

/** A connected app file, parsed: the root element as the file has it. */
export type SourceFile = { file: string; fullName: string; root: XmlElement };
export type SourceFilesRead = { files: SourceFile[]; parseErrors: SourceParseError[]; directories: string[] };

/** Reads every connected app and External Client App under the directories. Paths are relative to `cwd`, with `/`. */
export async function readSourceApps(directories: readonly string[], cwd: string): Promise<SourceRead> {
  const [read, ecas] = await Promise.all([readConnectedAppFiles(directories, cwd), readEcaSourceApps(directories, cwd)]);
  const apps: SourceApp[] = [];
  const parseErrors = [...read.parseErrors, ...ecas.parseErrors];
  for (const { file, fullName, root } of read.files) {
    try {
      apps.push({ file, fullName, policy: readConnectedAppPolicy(root, { fullName }) });
    } catch (error) {
      // The root was checked when the file was read; kept for any other PolicyError the reader may raise.
      if (!(error instanceof PolicyError)) throw error;
      parseErrors.push({ file, line: 1, column: 1, message: error.message });
    }
  }
  return { apps: [...apps, ...ecas.apps], parseErrors, directories: read.directories, fileCount: read.files.length + read.parseErrors.length + ecas.fileCount };
}

/**
 * External Client Apps from their part files: each file read and parsed on its own (a bad one is a parse error
 * with its name), then grouped by the app its content names (ecaAppName) and read into the policy model.
 */
async function readEcaSourceApps(directories: readonly string[], cwd: string): Promise<{ apps: SourceApp[]; parseErrors: SourceParseError[]; fileCount: number }> {
  // Links to directories are reported once, by the connected-app pass.
  // A header may name its app by its file name only (see ecaHeaderNameFromFileName); every other part names it inside.
  const read = await readParsedFiles(directories, cwd, IS_ECA_PART, { fileLinksOnly: true }, (root) => {
    const part = ecaPartOf(root);
    if (part === undefined || (part !== 'eca' && ecaAppName(root) === null)) throw new UnreadableFileError(messages.getMessage('sourceFile.notEcaPart'));
  });
  const fileOf = new Map(read.files.map((f) => [f.root, f.file]));
  const parseErrors = [...read.parseErrors];
  for (const { root, file } of read.files) {
    if (ecaPartOf(root) === 'eca' && ecaAppName(root) === null && ecaHeaderNameFromFileName(file) === null) {
      parseErrors.push({ file, line: 1, column: 1, message: messages.getMessage('sourceFile.notEcaPart') });
    }
  }
  const apps = groupEcaFiles(
    read.files.map((f) => f.root),
    (root) => ecaHeaderNameFromFileName(fileOf.get(root) ?? '')
  ).map(({ name, files }): SourceApp => {
    const partFiles = Object.fromEntries(Object.entries(files).map(([part, root]) => [part, fileOf.get(root) ?? ''])) as Partial<Record<EcaPart, string>>;
    const file = partFiles.eca ?? Object.values(partFiles).at(0) ?? name;
    return { file, fullName: name, policy: readExternalClientAppPolicy(files, { fullName: name }), partFiles, rotatesOnDeploy: requestedRotations(files.ecaGlblOauth) };
  });
  return { apps, parseErrors, fileCount: read.files.length + read.parseErrors.length };
}

/** Parses every connected app file under the directories (policy-free: `migrate` maps the elements themselves). */
export async function readConnectedAppFiles(directories: readonly string[], cwd: string): Promise<SourceFilesRead> {
  return readParsedFiles(directories, cwd, IS_CONNECTED_APP, { fileLinksOnly: false }, assertConnectedAppRoot);
}

/** Reads and parses the matching files, each on its own; `check` refuses a root of the wrong kind (by throwing). */
async function readParsedFiles(
  directories: readonly string[],
  cwd: string,
  pattern: RegExp,
  links: { fileLinksOnly: boolean },
  check: (root: XmlElement) => void
): Promise<SourceFilesRead> {
  const found = await Promise.all(directories.map((d) => findFiles(resolve(cwd, d), pattern)));
  const files = found.flatMap((f) => f.files).sort();
  const display = (file: string): string => relative(cwd, file).split(sep).join('/');
  const parseErrors: SourceParseError[] = [];
  for (const link of found.flatMap((f) => f.links).sort()) {
    const target = await readlink(link).catch(() => '?');
    const kind = (await isDirectory(link)) ? 'directory' : 'file';
    if (kind === 'directory' && links.fileLinksOnly) continue;
    parseErrors.push({ file: display(link), line: 0, column: 0, message: messages.getMessage(`sourceFile.link.${kind}`, [target]) });
  }
  const read = await mapWithConcurrency(files, 16, async (file): Promise<SourceFile | SourceParseError> => {
    const name = display(file);
    const fullName = fullNameFromFileName(file.split(sep).at(-1) ?? file) ?? name;
    try {
      const root = parseXml(await readSourceText(file)).root;
      check(root);
      return { file: name, fullName, root };
    } catch (error) {
      // One file's problem is that file's finding; the others are still read.
      if (error instanceof XmlParseError) return { file: name, line: error.line, column: error.column, message: error.message };
      if (error instanceof PolicyError) return { file: name, line: 1, column: 1, message: error.message };
      if (error instanceof UnreadableFileError) return { file: name, line: 0, column: 0, message: error.message };
      const detail = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      return { file: name, line: 0, column: 0, message: messages.getMessage('sourceFile.unreadable', [detail]) };
    }
  });
  const out: SourceFile[] = [];
  for (const entry of read) {
    if ('root' in entry) out.push(entry);
    else parseErrors.push(entry);
  }
  return { files: out, parseErrors, directories: directories.map((d) => display(resolve(cwd, d)) || '.') };
}
