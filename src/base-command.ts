/*
 * The base of every connectedapp command: SfCommand, plus
 * - plain words and next steps for the API errors any command can meet (API limit, expired session, unreachable
 *   org) instead of a raw error code, and the exit codes of src/exit-codes.ts for them;
 * - `connect`, which checks an --api-version against the versions the org serves before anything else is sent;
 * - `endWith`, which returns a result with its exit code — never an error carrying the result;
 * - an error's --json document that drains before oclif's handler calls process.exit (a pipe would cut it at 64 KB).
 */
import { format } from 'node:util';
import { Messages, SfError, type Connection, type Org } from '@salesforce/core';
import { SfCommand } from '@salesforce/sf-plugins-core';
import { ux, type Errors } from '@oclif/core';
import type { TableOptions } from '@oclif/table';
import { errorCodeOf, getJson, isUnreachable, messageOf } from './adapters/api.js';
import { EXIT } from './exit-codes.js';
import type { RunOutcome } from './domain/write-outcome.js';
import { forTerminal, forTerminalCell, jsonForTerminal } from './domain/terminal-text.js';
import { jsonChunks } from './renderers/json-chunks.js';
import { fitTable, humanWidth, type TableColumn } from './renderers/table.js';

Messages.importMessagesDirectoryFromMetaUrl(import.meta.url);
const messages = Messages.loadMessages('plugin-connectedapp', 'connectedapp.common');

const EXPLAINED: Record<string, string> = {
  REQUEST_LIMIT_EXCEEDED: 'error.RequestLimitExceeded',
  INVALID_SESSION_ID: 'error.SessionExpired',
  INSUFFICIENT_ACCESS: 'error.InsufficientAccess',
  API_DISABLED_FOR_ORG: 'error.ApiDisabled',
};

/** SfCommand's colours for --json on a terminal (its Ux.styledJSON defaults); the config's theme wins. */
const JSON_THEME = { key: 'blueBright', string: 'greenBright', number: 'blue', boolean: 'redBright', null: 'blackBright' };

/** Errors sf-plugins-core throws while parsing --api-version: wrong usage. */
const FLAG_VALUE_ERRORS = /^(InvalidApiVersion|RetiredApiVersion)/;

/** The SfError to show for an API error that has a known next step, with its exit code, or the error itself. */
export function explainApiError(error: Error): Error {
  if (error instanceof SfError && error.actions?.length) return error;
  if (FLAG_VALUE_ERRORS.test(error.name)) return Object.assign(error, { exitCode: EXIT.usage });
  if (isUnreachable(error)) return messages.createError('error.Unreachable', [messageOf(error)], [], EXIT.unreachable, error);
  const key = EXPLAINED[errorCodeOf(error)];
  return key ? messages.createError(key, [messageOf(error)], [], error) : error;
}

/**
 * Every string printed for a human goes through forTerminal (org- and file-supplied names may hold escape
 * sequences or bidi overrides); `--json` output stays exact (on a terminal, those characters are written as JSON
 * \u escapes, which parse back to the same value). Text is cleaned before
 * SfCommand colours it, and the coloured result is then written as it is (`verbatim`).
 */
export abstract class ConnectedAppCommand<T> extends SfCommand<T> {
  /** Set while SfCommand writes text this class already cleaned (and coloured). */
  private verbatim = false;
  /** Settles when the last write of logJson has left the process (see catch). */
  private stdoutWritten: Promise<void> = Promise.resolve();

  public log(message = '', ...args: unknown[]): void {
    if (this.verbatim) super.log(message, ...args);
    else super.log(forTerminal(args.length ? format(message, ...args) : message));
  }

  public logToStderr(message = '', ...args: unknown[]): void {
    if (this.verbatim) super.logToStderr(message, ...args);
    else super.logToStderr(forTerminal(args.length ? format(message, ...args) : message));
  }

  public warn(input: SfCommand.Warning): SfCommand.Warning {
    // Under --json the warning lands in the JSON `warnings` as it is.
    if (this.jsonEnabled()) return super.warn(input);
    this.writeVerbatim(() => super.warn(cleanMessage(input)));
    return input;
  }

  public info(input: SfCommand.Info): void {
    this.writeVerbatim(() => {
      super.info(cleanMessage(input));
    });
  }

  public logSuccess(message: string): void {
    this.writeVerbatim(() => {
      super.logSuccess(forTerminal(message));
    });
  }

  public styledHeader(text: string): void {
    super.styledHeader(forTerminalCell(text));
  }

  /** Columns for human output: the terminal's, at most 120; 120 through a pipe or into a file. */
  protected get humanWidth(): number {
    return humanWidth();
  }

  /**
   * A table fitted to the terminal (at most 120 columns; 120 through a pipe): text columns wrap at word boundaries,
   * identifier columns (`identifier: true`: names, Ids, usernames, refs) are never split, empty columns are left out.
   * Silent under --json, as SfCommand's table is.
   */
  public table<R extends Record<string, unknown>>(options: TableOptions<R>): void {
    if (this.jsonEnabled()) return;
    const columns: TableColumn[] = (options.columns ?? Object.keys(options.data[0] ?? {})).map((column) =>
      typeof column === 'object'
        ? { key: String(column.key), name: column.name ?? String(column.key), identifier: (column as { identifier?: boolean }).identifier === true }
        : { key: String(column), name: String(column) }
    );
    const data = options.data.map((row) => Object.fromEntries(Object.entries(row).map(([key, value]) => [key, typeof value === 'string' ? forTerminalCell(value) : value])));
    if (typeof options.title === 'string') this.log(forTerminalCell(options.title));
    for (const line of fitTable(columns, data, humanWidth())) this.log(line);
    this.log('');
  }

  /**
   * The --json document. Through a pipe or into a file: as JSON.stringify writes it. On a terminal: with the
   * characters a terminal acts on or does not show (bidi overrides, C1 controls, zero-width characters — JSON.stringify
   * leaves them raw) written as \u escapes, so it parses to exactly the same value (jsonForTerminal), and coloured
   * when modest: oclif colours by tokenizing the whole text first, which at 5,000 apps held about a million token
   * objects — most of the audit's peak memory. Through a pipe it is written in pieces of 64 KB (jsonChunks), each
   * after the last has drained: the whole text as one string cost the audit at 5,000 apps 12 MB for the string and
   * 36 MB more for the pipe's copy (three bytes a character). The write is remembered, so that an error can wait
   * for it to drain.
   */
  public logJson(json: unknown): void {
    if (!process.stdout.isTTY) {
      this.writeStdoutChunks(jsonChunks(json), '\n');
      return;
    }
    const text = jsonForTerminal(json, 2);
    this.writeStdout(`${text.length < 1_000_000 ? ux.colorizeJson(text, { pretty: false, theme: { ...JSON_THEME, ...this.config.theme?.json } }) : text}\n`);
  }

  public async init(): Promise<void> {
    await super.init();
    endQuietlyOnSignals();
  }

  /** A line cleaned already (renderers make each value terminal-safe) that carries our own colours. */
  public logVerbatim(line: string): void {
    this.writeVerbatim(() => {
      super.log(line);
    });
  }

  /** Lines a command colours itself: each part cleaned, then styled, then written as it is. */
  protected logStyled(...parts: Array<string | { text: string; style: (text: string) => string }>): void {
    const line = parts.map((part) => (typeof part === 'string' ? forTerminal(part) : part.style(forTerminal(part.text)))).join('');
    this.writeVerbatim(() => {
      super.log(line);
    });
  }

  protected async catch(error: Error | SfError | Errors.CLIError): Promise<never> {
    const explained = explainApiError(error);
    if (this.jsonEnabled()) {
      try {
        // SfCommand writes the error document (through logJson) and throws; oclif's handler then calls process.exit.
        return await super.catch(explained);
      } finally {
        // Through a pipe, stdout is written asynchronously: exiting now would cut the document at the pipe's buffer.
        await this.stdoutWritten;
      }
    }
    // The error names what the user or the org supplied; SfCommand colours it and prints it to stderr.
    explained.message = forTerminal(explained.message);
    if (explained instanceof SfError && explained.actions) explained.actions = explained.actions.map(forTerminal);
    this.verbatim = true;
    return super.catch(explained);
  }

  /** Writes to stdout; `stdoutWritten` settles once this write (and so every earlier one) has been handed to the OS. */
  private writeStdout(text: string): void {
    this.stdoutWritten = new Promise((resolve) => {
      process.stdout.write(text, () => {
        resolve();
      });
    });
  }

  /**
   * Writes the pieces in order, each once the one before has drained (the iterator is read only as fast as the pipe
   * takes it), then `end`; `stdoutWritten` settles once that has been handed to the OS, or stdout has closed or failed.
   */
  private writeStdoutChunks(chunks: Iterable<string>, end: string): void {
    const out = process.stdout;
    const drained = (): Promise<void> =>
      new Promise((resolve) => {
        const done = (): void => {
          out.off('drain', done);
          out.off('close', done);
          out.off('error', done);
          resolve();
        };
        out.once('drain', done);
        out.once('close', done);
        out.once('error', done);
      });
    const write = async (): Promise<void> => {
      for (const chunk of chunks) {
        if (out.destroyed) return;
        if (!out.write(chunk)) await drained();
      }
      if (out.destroyed) return;
      await new Promise<void>((resolve) => {
        out.write(end, () => {
          resolve();
        });
      });
    };
    // JSON.stringify would have thrown in logJson; a result that cannot be written (a cycle, a BigInt: a bug) now
    // fails the run once the pieces before it are out.
    this.stdoutWritten = write().catch((error: unknown) => {
      process.exitCode = 1;
      process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    });
  }

  private writeVerbatim(write: () => void): void {
    this.verbatim = true;
    try {
      write();
    } finally {
      this.verbatim = false;
    }
  }

  /**
   * The org's connection at the API version asked for. A version given with --api-version (or the
   * org-api-version config) is checked against the versions the org serves (one request), so a wrong one is a
   * usage error up front rather than a NOT_FOUND on every request.
   */
  protected async connect(org: Org, apiVersion: string | undefined): Promise<Connection> {
    const conn = org.getConnection(apiVersion);
    if (apiVersion === undefined) return conn;
    const served = (await getJson<Array<{ version: string }>>(conn, '/services/data')).map((v) => v.version);
    if (!served.includes(apiVersion)) {
      const range = served.length ? `${served[0]}–${served[served.length - 1]}` : '—';
      throw messages.createError('error.ApiVersionNotServed', [apiVersion, range], [], EXIT.usage);
    }
    return conn;
  }

  /** Ends a run of writes: 0 when every item ended as asked, 68 for a mix, 1 (with `failure`) when none did. */
  protected endRun(result: T, outcome: RunOutcome, failure: () => SfError): T {
    if (outcome === 'failed') return this.endWith(result, EXIT.error, failure());
    return this.endWith(result, outcome === 'partial' ? EXIT.partial : EXIT.ok);
  }

  /**
   * Returns the result with this exit code. A problem (all failed, a gate, drift) is printed to stderr for
   * people and added to the JSON warnings, while the whole result stays on stdout.
   */
  protected endWith(result: T, exitCode: number, problem?: SfError): T {
    process.exitCode = exitCode;
    if (problem) {
      if (this.jsonEnabled()) this.warn(problem.message);
      else this.logToStderr([`${messages.getMessage('label.error')} ${problem.message}`, ...(problem.actions ?? []).map((a) => `  ${a}`)].join('\n'));
    }
    return result;
  }
}

function cleanMessage(input: SfCommand.Warning): SfCommand.Warning {
  if (typeof input === 'string') return forTerminal(input);
  const { message, actions } = input;
  return { ...input, message: forTerminal(message), ...(actions ? { actions: actions.map(forTerminal) } : {}) };
}

const STOP_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGBREAK', 'SIGHUP'] as const;
const endOnSignal = (): void => {
  process.exit(EXIT.interrupted);
};

/**
 * sf-plugins-core ends on Ctrl-C / SIGTERM by throwing its exit inside the signal listener, which Node reports as an
 * uncaught error: a stack trace and exit 1. End with 130 (interrupted) instead; 'exit' listeners (the archive's
 * directory lock) still run.
 */
function endQuietlyOnSignals(): void {
  for (const signal of STOP_SIGNALS) {
    for (const listener of process.listeners(signal)) if (String(listener).includes('exit(130)')) process.removeListener(signal, listener);
    if (!process.listeners(signal).includes(endOnSignal)) process.on(signal, endOnSignal);
  }
}
