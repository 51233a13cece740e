/*
 * A PolicyError (the policy core's error, no English) as an SfError in the words of the connectedapp.policy bundle.
 * Here, not among the renderers, because operations turn refused changes into per-app failures with it and
 * operations import nothing from renderers.
 */
import { Messages, type SfError } from '@salesforce/core';
import type { PolicyError } from '../domain/policy/policy-error.js';

Messages.importMessagesDirectoryFromMetaUrl(import.meta.url);
const messages = Messages.loadMessages('plugin-connectedapp', 'connectedapp.policy');

/** The error's message (`error.<code>`) with the rejected input, and the valid values as the action. */
export function policySfError(error: PolicyError, exitCode = 1): SfError {
  return messages.createError(`error.${error.code}`, [error.input ?? error.field ?? ''], [error.validValues.join(', ')], exitCode);
}
