/*
 * The base of every connectedapp command: SfCommand, plus
 * - plain words and next steps for the API errors any command can meet (API limit, expired session, unreachable
 *   org) instead of a raw error code, and the exit codes of src/exit-codes.ts for them;
 * - `connect`, which checks an --api-version against the versions the org serves before anything else is sent;
 * - `endWith`, which returns a result with its exit code — never an error carrying the result, so --json stays
 *   whole through a pipe (an error exits at once, and a pipe then cuts output at 64 KB).
 */
import { format } from 'node:util';
import { Messages, SfError, type Connection, type Org } from '@salesforce/core';
import { SfCommand } from '@salesforce/sf-plugins-core';
import type { Errors } from '@oclif/core';
import type { TableOptions } from '@oclif/table';
import { errorCodeOf, getJson, isUnreachable, messageOf } from './adapters/api.js';
import { EXIT } from './exit-codes.js';
import type { RunOutcome } from './domain/write-outcome.js';
import { forTerminal, forTerminalCell } from './domain/terminal-text.js';

Messages.importMessagesDirectoryFromMetaUrl(import.meta.url);
const messages = Messages.loadMessages('plugin-connectedapp', 'connectedapp.common');

const EXPLAINED: Record<string, string> = {
  REQUEST_LIMIT_EXCEEDED: 'error.RequestLimitExceeded',
  INVALID_SESSION_ID: 'error.SessionExpired',
  INSUFFICIENT_ACCESS: 'error.InsufficientAccess',
  API_DISABLED_FOR_ORG: 'error.ApiDisabled',
};

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
 * sequences or bidi overrides); `--json` output does not, so it stays exact. Text is cleaned before
 * SfCommand colours it, and the coloured result is then written as it is (`verbatim`).
 */
export abstract class ConnectedAppCommand<T> extends SfCommand<T> {
  /** Set while SfCommand writes text this class already cleaned (and coloured). */
  private verbatim = false;

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

  public table<R extends Record<string, unknown>>(options: TableOptions<R>): void {
    const clean = (row: R): R => Object.fromEntries(Object.entries(row).map(([key, value]) => [key, typeof value === 'string' ? forTerminalCell(value) : value])) as R;
    const data = options.data.map(clean);
    super.table({ ...options, data, ...(typeof options.title === 'string' ? { title: forTerminalCell(options.title) } : {}) });
  }

  /**
   * The --json document as JSON.stringify writes it. Colour only for a terminal and a modest document: oclif colours by
   * tokenizing the whole text first, which at 5,000 apps held about a million token objects — most of the audit's
   * peak memory — for colours a pipe never shows.
   */
  public logJson(json: unknown): void {
    const text = JSON.stringify(json, null, 2);
    if (process.stdout.isTTY && text.length < 1_000_000) super.logJson(json);
    else process.stdout.write(`${text}\n`);
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
    if (this.jsonEnabled()) return super.catch(explained);
    // The error names what the user or the org supplied; SfCommand colours it and prints it to stderr.
    explained.message = forTerminal(explained.message);
    if (explained instanceof SfError && explained.actions) explained.actions = explained.actions.map(forTerminal);
    this.verbatim = true;
    return super.catch(explained);
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
  process.exit(130);
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
