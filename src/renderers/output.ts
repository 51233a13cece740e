/*
 * Where a command's reports go. `--result-format` may be given several times:
 * - human is printed to the terminal (silent under --json);
 * - with --output-file, the one other format is written to that file;
 * - with --output-dir, every other format is written there as connectedapp-<command>-<org Id>-<UTC time>.<ext>
 *   (one run, one time stamp: an evidence archive);
 * - otherwise the one other format goes to standard output (two or more need --output-dir).
 * Flag combinations are checked before the command reads anything from the org (checkOutputFlags), and so is the
 * --output-dir (prepareOutputDir): a directory that cannot be created or written fails the run as a failed write does.
 */
import { constants } from 'node:fs';
import { access, mkdir, open } from 'node:fs/promises';
import { join } from 'node:path';
import { Messages } from '@salesforce/core';
import { terminalSafe } from './terminal.js';
import { TABLE_WIDTH, fitTable, humanWidth, wrapWords, type TableColumn } from './table.js';

Messages.importMessagesDirectoryFromMetaUrl(import.meta.url);
const messages = Messages.loadMessages('plugin-connectedapp', 'connectedapp.output');

/** What the output needs from a command (an SfCommand has all of it). */
export type OutputUx = {
  log(message?: string): void;
  /** Writes a line whose values were cleaned already and which may carry our own colours (log would show them escaped). */
  logVerbatim?(message: string): void;
  styledHeader(text: string): void;
  jsonEnabled(): boolean;
};

/** A rendered report: the whole text, or its lines (written one by one, for large outputs). */
export type Rendered = string | Iterable<string>;

export type OutputFlags = { formats: readonly string[]; outputFile?: string; outputDir?: string };

/** File extensions by format. */
const EXTENSIONS: Readonly<Record<string, string>> = { csv: 'csv', markdown: 'md', junit: 'xml', sarif: 'sarif', html: 'html', json: 'json', ndjson: 'ndjson' };

/** Human output fits this many columns at most: table cells and long lines wrap (tables: fewer on a narrower terminal). */
export { TABLE_WIDTH };

/** The formats asked for, each once, in the order given. */
export function uniqueFormats(formats: readonly string[]): string[] {
  return [...new Set(formats)];
}

/** Throws (exit code 2, bad flags) when the formats and destinations do not fit together. */
export function checkOutputFlags(flags: OutputFlags): void {
  const files = uniqueFormats(flags.formats).filter((f) => f !== 'human');
  if (flags.outputFile !== undefined && files.length === 0) throw messages.createError('error.OutputNeedsFormat', [], [], 2);
  if (flags.outputFile !== undefined && files.length > 1) throw messages.createError('error.OutputFileOneFormat', [files.join(', ')], [], 2);
  if (flags.outputFile === undefined && flags.outputDir === undefined && files.length > 1) throw messages.createError('error.FormatsNeedOutputDir', [files.join(', ')], [], 2);
}

/**
 * Creates --output-dir and checks that it can be written, before the org is read: when a report will be written there
 * (or `always`, for usage, which keeps raw log files there too). Fails as a failed write does (exit 1).
 */
export async function prepareOutputDir(flags: OutputFlags, always = false): Promise<void> {
  const dir = flags.outputDir;
  if (dir === undefined) return;
  if (!always && (flags.outputFile !== undefined || uniqueFormats(flags.formats).every((f) => f === 'human'))) return;
  try {
    await mkdir(dir, { recursive: true });
    await access(dir, constants.W_OK);
  } catch (error) {
    throw messages.createError('error.OutputDir', [dir, error instanceof Error ? error.message : String(error)]);
  }
}

/** connectedapp-audit-00D000000000001AAA-20261120T093000Z.html */
export function archiveFileName(command: string, orgId: string | null, at: Date, format: string): string {
  const stamp = at.toISOString().replace(/\.\d{3}Z$/, 'Z').replace(/[-:]/g, '');
  const org = (orgId ?? 'no-org').replace(/[^A-Za-z0-9_-]/g, '_');
  return `connectedapp-${command}-${org}-${stamp}.${EXTENSIONS[format] ?? format}`;
}

async function writeRendered(path: string, rendered: Rendered): Promise<void> {
  let handle: Awaited<ReturnType<typeof open>> | undefined;
  try {
    handle = await open(path, 'w');
    if (typeof rendered === 'string') await handle.write(rendered);
    else {
      // Lines are gathered into chunks: one write per line would be slow for large usage exports.
      let chunk = '';
      for (const line of rendered) {
        chunk += `${line}\n`;
        if (chunk.length >= 65_536) {
          await handle.write(chunk);
          chunk = '';
        }
      }
      if (chunk) await handle.write(chunk);
    }
  } catch (error) {
    throw messages.createError('error.CannotWrite', [path, error instanceof Error ? error.message : String(error)]);
  } finally {
    await handle?.close();
  }
}

export type OutputRequest<F extends string> = OutputFlags & {
  formats: readonly F[];
  /** For archive file names. */
  command: string;
  orgId: string | null;
  at: Date;
  /** Prints the human report. */
  human: () => void;
  /** Renders a non-human format (called only for the formats asked for). */
  render: (format: Exclude<F, 'human'>) => Rendered | Promise<Rendered>;
};

/** Prints and writes every format asked for; returns the files written. */
export async function writeOutputs<F extends string>(ux: OutputUx, request: OutputRequest<F>): Promise<string[]> {
  checkOutputFlags(request);
  const formats = uniqueFormats(request.formats);
  const written: string[] = [];
  // Under --json every line of the human report is dropped by the command's ux: not building it saves the audit at
  // 5,000 apps 0.7 s and its garbage at the run's peak.
  if (formats.includes('human') && !ux.jsonEnabled()) request.human();
  const others = formats.filter((f): f is Exclude<F, 'human'> => f !== 'human');
  // Checked before the org was read; again here, in case the directory went away meanwhile.
  await prepareOutputDir(request);
  for (const format of others) {
    const rendered = await request.render(format);
    const path =
      request.outputFile ?? (request.outputDir !== undefined ? join(request.outputDir, archiveFileName(request.command, request.orgId, request.at, format)) : undefined);
    if (path === undefined) {
      if (ux.jsonEnabled()) continue;
      if (typeof rendered === 'string') process.stdout.write(rendered);
      else for (const line of rendered) ux.log(line);
      continue;
    }
    await writeRendered(path, rendered);
    written.push(path);
    ux.log(messages.getMessage('wrote', [format, path]));
  }
  return written;
}

/** A human block of a report, printed through the command's ux. */
export type HumanBlock =
  | { kind: 'header'; text: string }
  | { kind: 'log'; text: string }
  /** Text whose values were made terminal-safe already (it may carry our own colours). */
  | { kind: 'styled'; text: string }
  | { kind: 'table'; columns: TableColumn[]; data: Array<Record<string, string | number>> };

/** A cell's text wrapped to `width` columns at word boundaries (see wrapWords). */
export const wrapCell = wrapWords;

/**
 * Words wrapped to `width` columns, every line after the first indented by `indent` spaces (the first by
 * `firstIndent`): at spaces where it can, inside a word only when the word alone is wider than a line.
 */
export function wrap(text: string, width: number, indent: number, firstIndent = indent): string[] {
  const lines: string[] = [];
  let line = ' '.repeat(firstIndent);
  let empty = true;
  for (let word of text.split(/\s+/).filter((w) => w !== '')) {
    if (!empty && line.length + 1 + word.length > width) {
      lines.push(line);
      line = ' '.repeat(indent);
      empty = true;
    }
    while (empty && line.length + word.length > width && width > line.length) {
      lines.push(line + word.slice(0, width - line.length));
      word = word.slice(width - line.length);
      line = ' '.repeat(indent);
    }
    if (word === '') continue;
    line += (empty ? '' : ' ') + word;
    empty = false;
  }
  if (!empty || lines.length === 0) lines.push(line);
  return lines;
}

/** A line for a person, made safe for a terminal and wrapped to TABLE_WIDTH; continuation lines indented `hang` more. */
export function wrappedLog(text: string, hang = 2): HumanBlock[] {
  const indent = text.length - text.trimStart().length;
  return wrap(terminalSafe(text), TABLE_WIDTH, indent + hang, indent).map((line): HumanBlock => ({ kind: 'log', text: line }));
}

/** A plain text table that fits `maxWidth` columns (see fitTable: identifier columns never wrap, empty ones are left out). */
export const textTable = fitTable;

/** Prints human blocks; every value is made safe for a terminal, tables fit the terminal (at most TABLE_WIDTH columns) and wrap. */
export function printBlocks(ux: OutputUx, blocks: Iterable<HumanBlock>): void {
  for (const block of blocks) {
    if (block.kind === 'header') ux.styledHeader(terminalSafe(block.text));
    else if (block.kind === 'log') ux.log(terminalSafe(block.text));
    else if (block.kind === 'styled') {
      if (ux.logVerbatim) ux.logVerbatim(block.text);
      else ux.log(block.text);
    }
    else {
      const data = block.data.map((row) => Object.fromEntries(Object.entries(row).map(([k, v]) => [k, typeof v === 'string' ? terminalSafe(v) : v])));
      for (const text of fitTable(block.columns, data, humanWidth())) ux.log(text);
    }
  }
}
