/*
 * The base of every connectedapp command: SfCommand, plus plain words and next steps for the API errors
 * any command can meet (API limit, expired session, unreachable org) instead of a raw error code.
 */
import { format } from 'node:util';
import { Messages, SfError } from '@salesforce/core';
import { SfCommand } from '@salesforce/sf-plugins-core';
import type { Errors } from '@oclif/core';
import type { TableOptions } from '@oclif/table';
import { errorCodeOf, messageOf } from './adapters/api.js';
import { forTerminal, forTerminalCell } from './domain/terminal-text.js';

Messages.importMessagesDirectoryFromMetaUrl(import.meta.url);
const messages = Messages.loadMessages('plugin-connectedapp', 'connectedapp.common');

const EXPLAINED: Record<string, string> = {
  REQUEST_LIMIT_EXCEEDED: 'error.RequestLimitExceeded',
  INVALID_SESSION_ID: 'error.SessionExpired',
  INSUFFICIENT_ACCESS: 'error.InsufficientAccess',
  API_DISABLED_FOR_ORG: 'error.ApiDisabled',
};

/** The SfError to show for an API error that has a known next step, or the error itself. */
export function explainApiError(error: Error): Error {
  if (error instanceof SfError && error.actions?.length) return error;
  const code = errorCodeOf(error);
  const key = EXPLAINED[code] ?? (/fetch failed|ECONNREFUSED|ENOTFOUND|EAI_AGAIN/i.test(`${code} ${messageOf(error)}`) ? 'error.Unreachable' : undefined);
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
}

function cleanMessage(input: SfCommand.Warning): SfCommand.Warning {
  if (typeof input === 'string') return forTerminal(input);
  const { message, actions } = input;
  return { ...input, message: forTerminal(message), ...(actions ? { actions: actions.map(forTerminal) } : {}) };
}
