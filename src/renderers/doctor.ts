/*
 * doctor for people: a header, one block per check (status, what it said, what it read when a source was not fully
 * read, and the fix for a failure), then the verdict. Returns lines within the width given (values cleaned for the
 * terminal first, so that an escape cannot widen a line); the command prints them.
 */
import { Messages } from '@salesforce/core';
import type { SourceCoverage } from '../domain/coverage.js';
import type { ConnectedAppDoctorResult } from '../operations/doctor.js';
import { wrap } from './output.js';
import { TABLE_WIDTH } from './table.js';
import { terminalValue } from './terminal.js';

Messages.importMessagesDirectoryFromMetaUrl(import.meta.url);
const messages = Messages.loadMessages('plugin-connectedapp', 'connectedapp.doctor');

const MARK: Record<string, string> = { pass: '✔', fail: '✖', unknown: '?', info: '·', skipped: '-' };

function coverageText(s: SourceCoverage): string {
  return s.status === 'used' ? s.source : `${s.source} (${s.status}${s.errorCode ? ` ${s.errorCode}` : ''})`;
}

/** `label text` from column `indent`, wrapped at word boundaries to `width`, continuation lines two columns further in. */
function labelled(indent: number, label: string, text: string, width: number): string[] {
  return wrap(`${label} ${terminalValue(text)}`, width, indent + 2, indent);
}

/** A command to copy: never wrapped. After its label when it fits there, else on the next line, as far in as fits. */
function commandLines(indent: number, label: string, command: string, width: number): string[] {
  const text = terminalValue(command);
  const line = `${' '.repeat(indent)}${label} ${text}`;
  return line.length <= width ? [line] : [`${' '.repeat(indent)}${label}`, `${' '.repeat(Math.max(0, Math.min(indent + 2, width - text.length)))}${text}`];
}

/**
 * The report's lines, each within `width` columns (the command passes the terminal's, at most 120): a check's
 * message wraps under itself, its read / fix lines two columns further in. A command to copy is never wrapped.
 */
export function doctorLines(result: ConnectedAppDoctorResult, width = TABLE_WIDTH): string[] {
  const flow = result.flow ? ` ${messages.getMessage(result.flowInferred ? 'header.flowInferred' : 'header.flow', [result.flow])}` : '';
  const header = result.user ? messages.getMessage('header.user', [result.user.username, result.app.name, flow]) : messages.getMessage('header.app', [result.app.name, flow]);
  const lines = [...wrap(terminalValue(header), width, 2, 0), ''];
  const idWidth = Math.max(...result.checks.map((c) => c.id.length));
  for (const check of result.checks) {
    const status = messages.getMessage(`status.${check.status}`);
    const prefix = `${MARK[check.status]} ${status.padEnd(7)} ${check.id.padEnd(idWidth)}  `;
    const indent = prefix.length;
    const message = wrap(terminalValue(check.message), width, indent, indent);
    lines.push(prefix + message[0].slice(indent), ...message.slice(1));
    if (check.status !== 'skipped' && check.sources.length) lines.push(...labelled(indent, messages.getMessage('label.read'), check.sources.map(coverageText).join(', '), width));
    if (check.fix) {
      lines.push(...labelled(indent, messages.getMessage('label.fixSetup'), check.fix.setup, width));
      if (check.fix.command) lines.push(...commandLines(indent, messages.getMessage('label.fixCommand'), check.fix.command, width));
    }
  }
  const failed = result.checks.filter((c) => c.status === 'fail').map((c) => c.id);
  const unknown = result.checks.filter((c) => c.status === 'unknown' && c.id !== 'tokens').map((c) => c.id);
  const why =
    result.verdict === 'cannot-use'
      ? messages.getMessage('verdict.failed', [failed.join(', ')])
      : result.verdict === 'cannot-tell'
        ? messages.getMessage('verdict.unknown', [unknown.join(', ')])
        : messages.getMessage('verdict.allPassed');
  lines.push('', ...wrap(`${messages.getMessage('label.verdict', [messages.getMessage(`verdict.${result.verdict}`)])} — ${why}`, width, 2, 0));
  return lines;
}
