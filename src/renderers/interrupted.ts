/*
 * The record of a revoke or contain run stopped by a signal: lines for people on stderr and, under --json, the
 * result on stdout (envelope status 130), written synchronously because the process ends right after.
 * Names come from the org: every line goes through forTerminal.
 */
import { Messages } from '@salesforce/core';
import type { InterruptedRun, JournalTokenStatus } from '../domain/incident/run-journal.js';
import { forTerminal } from '../domain/terminal-text.js';
import { INTERRUPTED_EXIT, writeAllSync } from '../interrupt.js';

Messages.importMessagesDirectoryFromMetaUrl(import.meta.url);
const messages = Messages.loadMessages('plugin-connectedapp', 'connectedapp.interrupted');

const SHOWN: readonly JournalTokenStatus[] = ['revoked', 'unchanged', 'failed', 'unknown', 'in-flight'];

/** stepLabel: the command's name for a step (contain's "4. revoke tokens"). */
export function interruptedLines(run: InterruptedRun, stepLabel: (step: string) => string): string[] {
  const during = messages.getMessage(`during.${run.during}`);
  if (run.during === 'read') return [messages.getMessage('header.nothing', [run.signal, during])];
  const lines = [messages.getMessage('header', [run.signal, during])];
  const width = Math.max(0, ...run.steps.map((s) => stepLabel(s.step).length));
  for (const step of run.steps) {
    const detail = step.status === 'interrupted' ? messages.getMessage(`interrupted.${step.step}`) : step.detail;
    lines.push(`  ${stepLabel(step.step).padEnd(width)}  ${step.status.padEnd(11)}  ${detail}`.trimEnd());
  }
  if (run.tokens.length > 0 || run.during === 'tokens') {
    const c = run.counts;
    lines.push(messages.getMessage('tokens', [run.tokens.length, c.revoked, c.unchanged, c.failed, c.unknown, c['in-flight'], c['not-sent']]));
    for (const token of run.tokens) {
      if (!SHOWN.includes(token.status)) continue;
      lines.push(`  ${messages.getMessage(`token.${token.status}`).padEnd(10)}  ${token.ref}  ${token.username ?? token.userId}  ${token.app}`);
    }
  }
  lines.push(messages.getMessage(`footer.${run.command}`, [run.snapshot?.path ?? '']));
  return lines;
}

/** Prints the record: to stderr for people and, under --json, as the result on stdout. */
export function printInterrupted(run: InterruptedRun, json: boolean, stepLabel: (step: string) => string): void {
  writeAllSync(2, `${interruptedLines(run, stepLabel).map(forTerminal).join('\n')}\n`);
  if (json) writeAllSync(1, `${JSON.stringify({ status: INTERRUPTED_EXIT, result: run, warnings: [] }, null, 2)}\n`);
}
