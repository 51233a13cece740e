/*
 * doctor for people: a header, one block per check (status, what it said, what it read when a source was not fully
 * read, and the fix for a failure), then the verdict. Returns lines; the command prints them (cleaned for the terminal).
 */
import { Messages } from '@salesforce/core';
import type { SourceCoverage } from '../domain/coverage.js';
import type { ConnectedAppDoctorResult } from '../operations/doctor.js';

Messages.importMessagesDirectoryFromMetaUrl(import.meta.url);
const messages = Messages.loadMessages('plugin-connectedapp', 'connectedapp.doctor');

const MARK: Record<string, string> = { pass: '✔', fail: '✖', unknown: '?', info: '·', skipped: '-' };

function coverageText(s: SourceCoverage): string {
  return s.status === 'used' ? s.source : `${s.source} (${s.status}${s.errorCode ? ` ${s.errorCode}` : ''})`;
}

export function doctorLines(result: ConnectedAppDoctorResult): string[] {
  const flow = result.flow ? ` ${messages.getMessage(result.flowInferred ? 'header.flowInferred' : 'header.flow', [result.flow])}` : '';
  const lines = [
    result.user ? messages.getMessage('header.user', [result.user.username, result.app.name, flow]) : messages.getMessage('header.app', [result.app.name, flow]),
    '',
  ];
  const width = Math.max(...result.checks.map((c) => c.id.length));
  for (const check of result.checks) {
    const status = messages.getMessage(`status.${check.status}`);
    lines.push(`${MARK[check.status]} ${status.padEnd(7)} ${check.id.padEnd(width)}  ${check.message}`);
    const indent = ' '.repeat(width + 12);
    if (check.status !== 'skipped' && check.sources.length) lines.push(`${indent}${messages.getMessage('label.read')} ${check.sources.map(coverageText).join(', ')}`);
    if (check.fix) {
      lines.push(`${indent}${messages.getMessage('label.fixSetup')} ${check.fix.setup}`);
      if (check.fix.command) lines.push(`${indent}${messages.getMessage('label.fixCommand')} ${check.fix.command}`);
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
  lines.push('', `${messages.getMessage('label.verdict', [messages.getMessage(`verdict.${result.verdict}`)])} — ${why}`);
  return lines;
}
