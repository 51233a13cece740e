/*
 * The audit for a person at a terminal, as blocks the command prints. Three levels:
 * - concise: one line per finding, grouped by app (the rule ids say what to look up);
 * - normal (default): grouped by rule, worst first: the rule's title and benchmark controls, why it matters and
 *   how to fix it in Setup (once per rule), then each finding with its message and the command that fixes it;
 * - verbose: as normal, plus each finding's location, evidence and fingerprint.
 * Lines wrap at 120 columns. Every value from the org or a file goes through terminalValue.
 */
import { Messages } from '@salesforce/core';
import { StandardColors } from '@salesforce/sf-plugins-core';
import { findingControls } from '../../domain/audit/benchmark.js';
import { SEVERITIES, type Finding, type Severity } from '../../domain/audit/model.js';
import { TABLE_WIDTH, wrap, type HumanBlock } from '../output.js';
import { terminalValue as v } from '../terminal.js';
import { benchmarkText, controlNotes, controlStatusLabel, controlTitle } from './benchmark-docs.js';
import type { AuditReport } from './report.js';
import { coverageLabel, findingCommands, findingMessage, findingSetup, notEvaluatedText, ruleDoc, ruleFixFor, rulesText, severityLabel } from './rule-docs.js';

Messages.importMessagesDirectoryFromMetaUrl(import.meta.url);
const messages = Messages.loadMessages('plugin-connectedapp', 'connectedapp.audit');

export type Verbosity = 'concise' | 'normal' | 'verbose';

export type HumanOptions = { verbosity: Verbosity; benchmark: boolean };

const COLOUR: Record<Severity, (text: string) => string> = {
  critical: (t) => StandardColors.error(t),
  high: (t) => StandardColors.error(t),
  medium: (t) => StandardColors.warning(t),
  low: (t) => StandardColors.info(t),
  info: (t) => t,
};

/** `label` then the wrapped text, aligned after the label. */
function labelled(indent: number, label: string, text: string): string[] {
  const pad = indent + label.length + 1;
  const lines = wrap(text, TABLE_WIDTH, pad, pad);
  return [`${' '.repeat(indent)}${label} ${lines[0].slice(pad)}`, ...lines.slice(1)];
}

const severityTag = (s: Severity): string => COLOUR[s](severityLabel(s).toUpperCase().padEnd(8));

function evidenceText(f: Finding): string {
  return Object.entries(f.evidence)
    .map(([key, value]) => `${key}=${Array.isArray(value) ? value.join(', ') : String(value)}`)
    .join('; ');
}

function concise(report: AuditReport): HumanBlock[] {
  const blocks: HumanBlock[] = [];
  const groups = new Map<string, Finding[]>();
  for (const f of report.findings) groups.set(f.app ?? '', [...(groups.get(f.app ?? '') ?? []), f]);
  for (const [app, findings] of groups) {
    blocks.push({ kind: 'log', text: '' }, { kind: 'styled', text: v(app || messages.getMessage('orgWide')) });
    for (const f of findings) {
      const indent = 2 + 9 + f.ruleId.length + 2;
      const lines = wrap(v(findingMessage(f)), TABLE_WIDTH, indent, indent);
      blocks.push({ kind: 'styled', text: `  ${severityTag(f.severity)} ${f.ruleId}  ${lines[0].slice(indent)}` });
      blocks.push(...lines.slice(1).map((text): HumanBlock => ({ kind: 'styled', text })));
    }
  }
  return blocks;
}

function byRule(report: AuditReport, verbose: boolean): HumanBlock[] {
  const blocks: HumanBlock[] = [];
  const groups = new Map<string, Finding[]>();
  for (const f of report.findings) groups.set(f.ruleId, [...(groups.get(f.ruleId) ?? []), f]);
  const worst = (id: string): number => Math.min(...(groups.get(id) ?? []).map((f) => SEVERITIES.indexOf(f.severity)));
  const styled = (text: string): HumanBlock => ({ kind: 'styled', text });
  for (const ruleId of [...groups.keys()].sort((a, b) => worst(a) - worst(b) || a.localeCompare(b))) {
    const doc = ruleDoc(ruleId);
    const findings = groups.get(ruleId) ?? [];
    const controls = [...new Set(findings.flatMap((f) => findingControls(f)))];
    blocks.push({ kind: 'log', text: '' });
    const severity = SEVERITIES[worst(ruleId)];
    const plainTag = severityLabel(severity).toUpperCase().padEnd(8);
    const head = labelled(0, `${plainTag} ${ruleId} `, `${doc.title}${controls.length ? `  [${controls.join(', ')}]` : ''}`);
    blocks.push(styled(severityTag(severity) + head[0].slice(plainTag.length)), ...head.slice(1).map(styled));
    blocks.push(...labelled(2, messages.getMessage('label.why'), doc.why).map(styled));
    ruleFixFor(ruleId, findings).forEach((step, i) => blocks.push(...labelled(2, i === 0 ? messages.getMessage('label.fix') : ' '.repeat(messages.getMessage('label.fix').length), step).map(styled)));
    for (const f of findings) {
      const who = f.app === null ? messages.getMessage('orgWide') : v(f.app);
      const sev = f.severity === doc.severity ? '' : `(${severityLabel(f.severity)}) `;
      blocks.push(...labelled(2, '•', `${who}: ${sev}${v(findingMessage(f))}`).map(styled));
      if (f.file !== null) blocks.push(styled(`      ${messages.getMessage('finding.location', [v(f.file), f.line ?? 1])}`));
      // An External Client App is fixed in the External Client App Manager, not where the rule's steps say.
      findingSetup(f).forEach((step, i) => blocks.push(...labelled(6, i === 0 ? rulesText('report.fix.eca') : ' '.repeat(rulesText('report.fix.eca').length), v(step)).map(styled)));
      for (const command of findingCommands(f)) blocks.push(...labelled(6, '$', v(command)).map(styled));
      if (verbose) {
        blocks.push(...labelled(6, messages.getMessage('label.evidence'), v(evidenceText(f))).map(styled));
        blocks.push(styled(`      ${messages.getMessage('label.fingerprint')} ${f.fingerprint}`));
      }
    }
  }
  return blocks;
}

function benchmarkBlocks(report: AuditReport): HumanBlock[] {
  return [
    { kind: 'header', text: benchmarkText('header') },
    {
      kind: 'table',
      columns: (['control', 'status', 'findings', 'title', 'notes'] as const).map((key) => ({ key, name: benchmarkText(`column.${key === 'status' ? 'status' : key}`) })),
      data: report.benchmark.map((c) => ({ control: c.control, status: controlStatusLabel(c.status), findings: c.findings, title: controlTitle(c.control), notes: controlNotes(c) })),
    },
  ];
}

export function humanAudit(report: AuditReport, options: HumanOptions): HumanBlock[] {
  const blocks: HumanBlock[] = [{ kind: 'header', text: messages.getMessage('header.summary', [report.target ?? report.mode]) }];
  const s = report.summary;
  blocks.push({ kind: 'log', text: s.total === 0 ? messages.getMessage('summary.none') : messages.getMessage('summary.counts', [s.critical, s.high, s.medium, s.low, s.info]) });
  if (report.suppressed > 0) blocks.push({ kind: 'log', text: messages.getMessage('summary.suppressed', [report.suppressed]) });
  const unread = report.coverage.filter((c) => c.status !== 'used');
  if (unread.length > 0) blocks.push({ kind: 'log', text: messages.getMessage('summary.unread', [unread.map((c) => c.source).join(', ')]) });
  // What was read comes before what was found: a silence is only as good as the sources behind it.
  const notes = report.coverage.filter((c) => c.status !== 'used' || c.detail);
  if (notes.length) {
    blocks.push({ kind: 'log', text: '' }, { kind: 'log', text: messages.getMessage('header.coverage') });
    for (const c of notes) {
      const text = `${c.source}: ${coverageLabel(c.status)}${c.detail ? ` — ${c.detail}` : ''}`;
      blocks.push(...wrap(v(text), TABLE_WIDTH, 4, 2).map((line): HumanBlock => ({ kind: 'styled', text: line })));
    }
  }
  blocks.push(...(options.verbosity === 'concise' ? concise(report) : byRule(report, options.verbosity === 'verbose')));
  if (options.verbosity === 'concise' && report.findings.length > 0) blocks.push({ kind: 'log', text: '' }, { kind: 'log', text: messages.getMessage('hint.concise') });
  if (options.benchmark) blocks.push(...benchmarkBlocks(report));
  if (report.notEvaluated.length) {
    blocks.push({ kind: 'log', text: '' }, { kind: 'log', text: messages.getMessage('header.notEvaluated') });
    for (const n of report.notEvaluated) blocks.push(...labelled(2, '', notEvaluatedText(n)).map((text): HumanBlock => ({ kind: 'log', text })));
  }
  return blocks;
}
