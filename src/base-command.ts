/*
 * The base of every connectedapp command: SfCommand, plus
 * - plain words and next steps for the API errors any command can meet (API limit, expired session, unreachable
 *   org) instead of a raw error code, and the exit codes of src/exit-codes.ts for them;
 * - `connect`, which checks an --api-version against the versions the org serves before anything else is sent;
 * - `endWith`, which returns a result with its exit code — never an error carrying the result, so --json stays
 *   whole through a pipe (an error exits at once, and a pipe then cuts output at 64 KB).
 */
import { Messages, SfError, type Connection, type Org } from '@salesforce/core';
import { SfCommand } from '@salesforce/sf-plugins-core';
import type { Errors } from '@oclif/core';
import { errorCodeOf, getJson, isUnreachable, messageOf } from './adapters/api.js';
import { EXIT } from './exit-codes.js';
import type { RunOutcome } from './domain/write-outcome.js';

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

export abstract class ConnectedAppCommand<T> extends SfCommand<T> {
  protected async catch(error: Error | SfError | Errors.CLIError): Promise<never> {
    return super.catch(explainApiError(error));
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

  /**
   * Returns the result with this exit code. A problem (all failed, a gate, drift) is printed to stderr for
   * people and added to the JSON warnings, while the whole result stays on stdout.
   */
  /** Ends a run of writes: 0 when every item ended as asked, 68 for a mix, 1 (with `failure`) when none did. */
  protected endRun(result: T, outcome: RunOutcome, failure: () => SfError): T {
    if (outcome === 'failed') return this.endWith(result, EXIT.error, failure());
    return this.endWith(result, outcome === 'partial' ? EXIT.partial : EXIT.ok);
  }

  protected endWith(result: T, exitCode: number, problem?: SfError): T {
    process.exitCode = exitCode;
    if (problem) {
      if (this.jsonEnabled()) this.warn(problem.message);
      else this.logToStderr([`${messages.getMessage('label.error')} ${problem.message}`, ...(problem.actions ?? []).map((a) => `  ${a}`)].join('\n'));
    }
    return result;
  }
}
