/*
 * The words of the audit: rule titles, why they matter, how to fix them, the commands that do, and each
 * finding's one-line message, all from messages/connectedapp.rules.md. Renderers and the audit command
 * take every display text from here.
 */
import { Messages, type SfError } from '@salesforce/core';
import { ruleControls } from '../../domain/audit/benchmark.js';
import { AuditError, RULES, ruleMessageArgs, ruleMessageVariants, type NotEvaluated, type RuleInfo } from '../../domain/audit/engine.js';
import type { Evidence, Finding, Severity } from '../../domain/audit/model.js';
import type { RuleCategory } from '../../domain/audit/rules.js';
import { UNUSED_NEEDS_BY_KIND, type UsageKind } from '../../domain/audit/rules/lifecycle.js';
import type { CoverageStatus } from '../../domain/coverage.js';

Messages.importMessagesDirectoryFromMetaUrl(import.meta.url);
const messages = Messages.loadMessages('plugin-connectedapp', 'connectedapp.rules');

/** Lists longer than this are shortened in messages ("a, b, … and 7 more"); evidence keeps them whole. */
const LIST_LIMIT = 10;

export type RuleDoc = RuleInfo & { title: string; why: string; fix: string[]; commands: string[] };

function has(key: string): boolean {
  return messages.messages.has(key);
}

/** A bundle text with %s tokens filled in (our own substitution: tokens are never re-interpreted). */
export function rulesText(key: string, tokens: ReadonlyArray<string | number> = []): string {
  return fill(messages.getMessages(key).join('\n'), tokens.map(String));
}

function list(key: string): string[] {
  return has(key) ? messages.getMessages(key) : [];
}

export function ruleTitle(ruleId: string): string {
  return messages.getMessage(`${ruleId}.title`);
}

export function ruleDoc(ruleId: string): RuleDoc {
  const info = RULES.find((r) => r.id === ruleId);
  if (!info) throw new AuditError('UnknownRule', [ruleId], RULES.map((r) => r.id));
  return {
    ...info,
    title: ruleTitle(ruleId),
    why: messages.getMessage(`${ruleId}.why`),
    fix: list(`${ruleId}.fix`),
    commands: list(`${ruleId}.command`),
  };
}

export function ruleDocs(rules: readonly RuleInfo[] = RULES): RuleDoc[] {
  return rules.map((r) => ruleDoc(r.id));
}

/**
 * Flags of `policy set` refused for an External Client App: PKCE and refresh-token rotation live in its global OAuth
 * settings, which hold the consumer secret (src/domain/policy/eca.ts, EcaGlobalSetting). A command suggesting one
 * is left out for an ECA; the finding's ECA fix (`<rule>.fix.eca`) says where to do it instead.
 */
const REFUSED_FOR_ECA = /\s--(?:pkce|refresh-token-rotation)\b/;

/**
 * The rule's `sf connectedapp` commands, with `<app>` replaced by the (shell-quoted) app name when given. With the
 * finding's app kind (`target`), the commands fit it: for an External Client App, without those refused for it and
 * with `--type external-client-app`; for a connected app sharing its name with an ECA, with `--type connected-app`
 * (otherwise the command is refused as ambiguous).
 */
export function ruleCommands(ruleId: string, app?: string | null, target?: Pick<Finding, 'appType' | 'nameShared'>): string[] {
  const commands = list(`${ruleId}.command`).map((c) => (app ? c.replace(/<app>/g, shellQuote(app)) : c));
  const eca = target?.appType === 'external-client-app';
  const type = eca ? 'external-client-app' : target?.nameShared && target.appType ? target.appType : null;
  return commands
    .filter((c) => !(eca && REFUSED_FOR_ECA.test(c)))
    .map((c) => (type && app ? c.replace(`--name ${shellQuote(app)}`, `--name ${shellQuote(app)} --type ${type}`) : c));
}

/** The commands that fix one finding, for the kind of app it is about (see ruleCommands). */
export function findingCommands(f: Pick<Finding, 'ruleId' | 'app' | 'appType' | 'nameShared'>): string[] {
  return ruleCommands(f.ruleId, f.app, f);
}

/**
 * Where to fix one finding in Setup when the rule's own steps (worded for App Manager) do not apply: for an External
 * Client App, the External Client App Manager steps (`<rule>.fix.eca`, `%s` the app). Empty for a connected app.
 */
export function findingSetup(f: Pick<Finding, 'ruleId' | 'app' | 'appType'>): string[] {
  if (f.appType !== 'external-client-app') return [];
  return list(`${f.ruleId}.fix.eca`).map((step) => step.split('%s').join(f.app ?? ''));
}

/** A finding's `setupSteps` in the --json result: its findingSetup steps, present only when there are some (an ECA). */
export function setupStepsOf(f: Pick<Finding, 'ruleId' | 'app' | 'appType'>): { setupSteps?: string[] } {
  const steps = findingSetup(f);
  return steps.length > 0 ? { setupSteps: steps } : {};
}

/**
 * The rule's own fix steps (worded for connected apps) where some of these findings need them: none when every one is
 * about an External Client App that has its own steps (findingSetup), so an ECA-only report never says App Manager.
 */
export function ruleFixFor(ruleId: string, findings: ReadonlyArray<Pick<Finding, 'ruleId' | 'app' | 'appType'>>): string[] {
  const doc = ruleDoc(ruleId);
  return findings.length > 0 && findings.every((f) => findingSetup(f).length > 0) ? [] : doc.fix;
}

export function shellQuote(value: string): string {
  return /^[A-Za-z0-9_.\-/:@%+=,]+$/.test(value) ? value : `"${value.replace(/(["\\$`])/g, '\\$1')}"`;
}

export const severityLabel = (severity: Severity): string => messages.getMessage(`severity.${severity}`);
export const categoryLabel = (category: RuleCategory): string => messages.getMessage(`category.${category}`);
export const evidenceLabel = (evidence: Evidence): string => messages.getMessage(`evidence.${evidence}`);
export const coverageLabel = (status: CoverageStatus): string => messages.getMessage(`coverage.${status}`);

// ---- Finding messages -------------------------------------------------------------------------

export type Escapes = {
  /** Applied to the message template's own text. */
  text?: (text: string) => string;
  /** Applied to each value taken from the evidence. */
  value?: (text: string) => string;
};

const identity = (s: string): string => s;

/** The bundle key of a finding's message: `<rule>.message.<condition>` when the rule words conditions apart. */
export function findingMessageKey(finding: Pick<Finding, 'ruleId' | 'evidence'>): string {
  const condition = typeof finding.evidence.condition === 'string' ? finding.evidence.condition : null;
  if (condition !== null && has(`${finding.ruleId}.message.${condition}`)) return `${finding.ruleId}.message.${condition}`;
  if (has(`${finding.ruleId}.message`)) return `${finding.ruleId}.message`;
  const first = ruleMessageVariants(finding.ruleId).find((v) => has(`${finding.ruleId}.message.${v}`));
  return `${finding.ruleId}.message${first ? `.${first}` : ''}`;
}

/** The one-line message of a finding, its %s tokens filled from the evidence. */
export function findingMessage(finding: Pick<Finding, 'ruleId' | 'evidence'>, escapes: Escapes = {}): string {
  const condition = typeof finding.evidence.condition === 'string' ? finding.evidence.condition : null;
  const args = ruleMessageArgs(finding.ruleId, condition).map((spec) => formatArg(finding.evidence, spec));
  return fill(messages.getMessage(findingMessageKey(finding)), args, escapes.text ?? identity, escapes.value ?? identity);
}

function formatArg(evidence: Finding['evidence'], spec: string): string {
  const parts = spec.split('|');
  const key = parts[0];
  const group = parts.length > 1 ? parts[1] : null;
  const value = Object.hasOwn(evidence, key) ? evidence[key] : null;
  const show = (item: string): string => {
    if (group === null) return item;
    const labelKey = `label.${group}.${item}`;
    if (!has(labelKey)) return item;
    const days = evidence[`${item}Days`];
    return rulesText(labelKey, typeof days === 'number' ? [days] : []);
  };
  if (value === null) return messages.getMessage('value.notRead');
  if (Array.isArray(value)) {
    if (value.length === 0) return messages.getMessage('value.none');
    const shown = value.slice(0, LIST_LIMIT).map(show);
    const rest = value.length - shown.length;
    return rest > 0 ? `${shown.join(', ')} ${rulesText('list.more', [rest])}` : shown.join(', ');
  }
  return show(String(value));
}

/** Replaces each %s in order; surplus %s stay as they are, surplus tokens are dropped. */
function fill(template: string, tokens: readonly string[], text: (s: string) => string = identity, value: (s: string) => string = identity): string {
  const parts = template.split('%s');
  let out = text(parts[0]);
  for (let i = 1; i < parts.length; i++) {
    out += (i - 1 < tokens.length ? value(tokens[i - 1]) : '%s') + text(parts[i]);
  }
  return out;
}

// ---- Not evaluated, rule list, errors ---------------------------------------------------------

export function notEvaluatedText(entry: NotEvaluated): string {
  const missing = entry.missing.map(evidenceLabel).join(', ');
  const main =
    entry.apps === undefined
      ? rulesText('report.notEvaluated.rule', [entry.ruleId, messages.getMessage(`reason.${entry.reason}`), missing])
      : rulesText('report.notEvaluated.apps', [entry.ruleId, entry.apps, missing]);
  return entry.fields && entry.fields.length > 0 ? `${main} ${rulesText('report.notEvaluated.fields', [entry.fields.join(', ')])}` : main;
}

/** The rule list for `audit --help`: grouped by category, one aligned line per rule, with the benchmark controls it serves. */
export function formatRuleList(rules: readonly RuleInfo[] = RULES): string {
  const idWidth = Math.max(...rules.map((r) => r.id.length));
  const sevWidth = Math.max(...rules.map((r) => severityLabel(r.severity).length));
  const lines = [messages.getMessage('ruleList.header')];
  const categories = [...new Set(rules.map((r) => r.category))];
  for (const category of categories) {
    lines.push('', rulesText('ruleList.category', [categoryLabel(category)]));
    for (const rule of rules.filter((r) => r.category === category)) {
      const controls = ruleControls(rule.id);
      const line = rulesText('ruleList.line', [rule.id.padEnd(idWidth), severityLabel(rule.severity).padEnd(sevWidth), ruleTitle(rule.id)]);
      lines.push(`  ${line}${controls.length > 0 ? `  [${controls.join(', ')}]` : ''}`);
    }
  }
  return lines.join('\n');
}

/**
 * The declared evidence of every rule, as Markdown (docs/audit-rules.md, written by `npm run generate`): what each
 * rule needs from an org and from files, what it uses when read, and what "unused" needs per kind of app. A rule
 * whose evidence was not read is not evaluated, never passed; this is the table that decides it.
 */
export function formatEvidenceDocs(rules: readonly RuleInfo[] = RULES): string {
  const cell = (evidence: readonly Evidence[] | null, none: string): string => (evidence === null ? none : evidence.length === 0 ? '—' : evidence.map(evidenceLabel).join(', '));
  const notInSource = rulesText('evidenceDocs.orgOnly');
  const lines = [`# ${rulesText('evidenceDocs.title')}`, '', rulesText('evidenceDocs.intro'), '', rulesText('evidenceDocs.header'), '| --- | --- | --- | --- | --- | --- | --- |'];
  for (const rule of rules) {
    const controls = ruleControls(rule.id).join(', ') || '—';
    const also = [rule.needsAnyOf.length > 0 ? rulesText('evidenceDocs.anyOf', [cell(rule.needsAnyOf, '')]) : '', rule.revealedBy.length > 0 ? rulesText('evidenceDocs.revealedBy', [cell(rule.revealedBy, '')]) : '']
      .filter(Boolean)
      .join(' ');
    lines.push(`| ${rule.id} | ${severityLabel(rule.severity)} | ${controls} | ${cell(rule.needs, '')}${also ? ` ${also}` : ''} | ${cell(rule.sourceNeeds, notInSource)} | ${cell(rule.uses, '')} | ${ruleTitle(rule.id)} |`);
  }
  lines.push('', `## ${rulesText('evidenceDocs.unused.title')}`, '', rulesText('evidenceDocs.unused.intro'), '', rulesText('evidenceDocs.unused.header'), '| --- | --- |');
  for (const [kind, needs] of Object.entries(UNUSED_NEEDS_BY_KIND) as Array<[UsageKind, readonly Evidence[] | null]>) {
    lines.push(`| ${messages.getMessage(`usageKind.${kind}`)} | ${cell(needs, rulesText('evidenceDocs.unused.never'))} |`);
  }
  return `${lines.join('\n')}\n`;
}

/** An SfError (message and actions from the bundle) for an AuditError, for the command to throw. */
export function auditErrorToSfError(error: AuditError): SfError {
  switch (error.code) {
    case 'UnknownRule':
      return messages.createError('error.UnknownRule', [error.values.join(', ')], [error.validValues.join(', ')]);
    case 'UnknownApp':
      return messages.createError('error.UnknownApp', [error.values.map((v) => `"${v}"`).join(', ')], [error.validValues.join(', ')]);
    case 'InvalidBaseline':
      return messages.createError('error.InvalidBaseline', [rulesText(`baseline.${error.reason ?? 'not-json'}`, error.values)]);
  }
}
