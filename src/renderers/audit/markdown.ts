/*
 * Markdown (GitHub-flavoured): a summary table by severity, the findings grouped by app (org-wide last),
 * what each rule found means and how to fix it, then coverage notes. Every value from the org or a file
 * is escaped, so an app named `<img …>` or `a|b` cannot change the document, and its control and invisible
 * characters are shown escaped (the report is often read in a terminal).
 */
import { findingControls } from '../../domain/audit/benchmark.js';
import { SEVERITIES, type Finding } from '../../domain/audit/model.js';
import { forTerminalCell } from '../../domain/terminal-text.js';
import type { AuditReport } from './report.js';
import { coverageLabel, findingCommands, findingMessage, findingSetup, notEvaluatedText, ruleDoc, ruleFixFor, rulesText, severityLabel } from './rule-docs.js';

/**
 * Escapes what could change inline Markdown: emphasis, code, links (with `[` escaped no link can form, so
 * parentheses stay), inline HTML and entities, table pipes, strikethrough. Newlines become spaces.
 */
export function escapeMarkdown(text: string): string {
  return forTerminalCell(text.replace(/[\r\n]+/g, ' ')).replace(/[\\`*_[\]<>&|~]/g, (c) => `\\${c}`);
}

/** An inline code span that holds any text (the fence is longer than any backtick run inside). */
export function codeSpan(text: string): string {
  const flat = forTerminalCell(text.replace(/[\r\n]+/g, ' '));
  const longest = Math.max(0, ...(flat.match(/`+/g) ?? []).map((run) => run.length));
  const fence = '`'.repeat(longest + 1);
  const pad = flat.startsWith('`') || flat.endsWith('`') || flat === '' ? ' ' : '';
  return `${fence}${pad}${flat}${pad}${fence}`;
}

const esc = escapeMarkdown;

function findingLine(f: Finding): string[] {
  const message = findingMessage(f, { text: esc, value: esc });
  const controls = findingControls(f);
  const lines = [`- **${esc(severityLabel(f.severity))}** ${codeSpan(f.ruleId)}: ${message}${controls.length > 0 ? ` (${controls.join(', ')})` : ''}`];
  if (f.file !== null) {
    lines.push(`  - ${f.line === null ? codeSpan(f.file) : rulesText('report.location', [codeSpan(f.file), f.line])}`);
  }
  for (const step of findingSetup(f)) lines.push(`  - ${esc(rulesText('report.fix.eca'))} ${esc(step)}`);
  for (const command of findingCommands(f)) lines.push(`  - ${codeSpan(command)}`);
  return lines;
}

export function renderMarkdown(report: AuditReport): string {
  const out: string[] = [`# ${esc(rulesText('report.title'))}`, ''];
  if (report.target !== null) {
    out.push(esc(rulesText(report.mode === 'org' ? 'report.target.org' : 'report.target.source', [report.target])), '');
  }

  out.push(`## ${esc(rulesText('report.summary'))}`, '');
  out.push(`| ${esc(rulesText('report.column.severity'))} | ${esc(rulesText('report.column.findings'))} |`, '| --- | ---: |');
  for (const severity of SEVERITIES) out.push(`| ${esc(severityLabel(severity))} | ${report.summary[severity]} |`);
  out.push(`| **${esc(rulesText('report.total'))}** | **${report.summary.total}** |`, '');
  if (report.suppressed > 0) out.push(esc(rulesText('report.suppressed', [report.suppressed])), '');

  out.push(`## ${esc(rulesText('report.findings'))}`, '');
  if (report.findings.length === 0) out.push(esc(rulesText('report.noFindings')), '');
  const groups = new Map<string | null, Finding[]>();
  for (const f of report.findings) groups.set(f.app, [...(groups.get(f.app) ?? []), f]);
  const apps = [...groups.keys()].filter((a): a is string => a !== null).sort();
  for (const app of [...apps, ...(groups.has(null) ? [null] : [])]) {
    out.push(`### ${app === null ? esc(rulesText('report.orgWide')) : esc(app)}`, '');
    for (const f of groups.get(app) ?? []) out.push(...findingLine(f));
    out.push('');
  }

  const found = [...new Set(report.findings.map((f) => f.ruleId))].sort();
  for (const ruleId of found) {
    const doc = ruleDoc(ruleId);
    out.push(`#### ${codeSpan(ruleId)} ${esc(doc.title)}`, '');
    out.push(`**${esc(rulesText('report.why'))}.** ${esc(doc.why)}`, '');
    const fix = ruleFixFor(ruleId, report.findings.filter((f) => f.ruleId === ruleId));
    if (fix.length > 0) {
      out.push(`**${esc(rulesText('report.fix'))}:**`, '');
      for (const step of fix) out.push(`- ${esc(step)}`);
      out.push('');
    }
  }

  out.push(`## ${esc(rulesText('report.coverage'))}`, '');
  for (const c of report.coverage) {
    const status = coverageLabel(c.status) + (c.status !== 'used' && c.errorCode ? ` (${c.errorCode})` : '');
    out.push(`- ${esc(rulesText('report.coverage.source', [c.source, status]))}`);
  }
  if (report.coverage.length > 0) out.push('');
  out.push(`### ${esc(rulesText('report.notEvaluated'))}`, '');
  if (report.notEvaluated.length === 0) out.push(esc(rulesText('report.allEvaluated')));
  for (const entry of report.notEvaluated) out.push(`- ${esc(notEvaluatedText(entry))}`);
  out.push('');
  if (report.toolVersion !== null) out.push('---', '', esc(rulesText('report.generatedBy', [report.toolVersion])), '');
  return out.join('\n');
}
