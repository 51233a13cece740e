/*
 * The base of every connectedapp command: SfCommand, plus plain words and next steps for the API errors
 * any command can meet (API limit, expired session, unreachable org) instead of a raw error code.
 */
import { Messages, SfError } from '@salesforce/core';
import { SfCommand } from '@salesforce/sf-plugins-core';
import type { Errors } from '@oclif/core';
import { errorCodeOf, messageOf } from './adapters/api.js';

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

export abstract class ConnectedAppCommand<T> extends SfCommand<T> {
  protected async catch(error: Error | SfError | Errors.CLIError): Promise<never> {
    return super.catch(explainApiError(error));
  }
}
