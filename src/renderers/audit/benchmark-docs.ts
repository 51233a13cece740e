/*
 * The words of the benchmark mapping (messages/connectedapp.benchmark.md): control titles, what a person still
 * checks, result labels; and the per-control summary lines of the human report.
 */
import { Messages } from '@salesforce/core';
import type { ControlChecks, ControlId, ControlResult, ControlStatus } from '../../domain/audit/benchmark.js';

Messages.importMessagesDirectoryFromMetaUrl(import.meta.url);
const messages = Messages.loadMessages('plugin-connectedapp', 'connectedapp.benchmark');

export const benchmarkText = (key: string, tokens: Array<string | number> = []): string => messages.getMessage(key, tokens);
export const controlTitle = (id: ControlId): string => messages.getMessage(`control.${id}`);
export const controlStatusLabel = (status: ControlStatus): string => messages.getMessage(`status.${status}`);
export const controlChecksLabel = (checks: ControlChecks): string => messages.getMessage(`checks.${checks}`);

/** What the rules leave to a person for this control ('' when they check all of it). */
export function controlManual(id: ControlId): string {
  return messages.messages.has(`manual.${id}`) ? messages.getMessage(`manual.${id}`) : '';
}

/** One sentence on a control's result beyond pass/fail: rules that did not decide, and what a person checks. */
export function controlNotes(result: ControlResult): string {
  const notes: string[] = [];
  if (result.rules.length === 0 && result.checks === 'none') notes.push(messages.getMessage('noRules'));
  else if (result.notEvaluatedRules.length > 0) notes.push(messages.getMessage('notEvaluatedRules', [result.notEvaluatedRules.join(', ')]));
  const manual = controlManual(result.control);
  if (manual) notes.push(manual);
  return notes.join(' ');
}
