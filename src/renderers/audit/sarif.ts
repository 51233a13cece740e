/*
 * SARIF 2.1.0 for GitHub code scanning (and any SARIF viewer).
 *
 * Decisions:
 * - One run; tool.driver.rules lists the selected rules (id, a PascalCase name, title, why, help in text and
 *   Markdown with the fix and commands, default level, tags ["security", category, the Salesforce Security
 *   Benchmark controls it serves, e.g. "SBS-OAUTH-001"] and "security-severity":
 *   critical 9.5, high 8.0, medium 5.5, low 3.0, info 1.0, which GitHub maps to its own levels).
 * - level: critical/high → error, medium → warning, low/info → note (the finding's severity, not the rule's).
 * - Every result has one location with a physicalLocation, because GitHub shows only results that have one:
 *   source-mode findings point at their file (repository-relative, forward slashes, percent-encoded) and line;
 *   org-mode findings, which have no file, point at a pseudo path naming what they are about,
 *   `org/connectedApps/<app>.connectedApp`, `org/users/<username>`, `org/profiles/<profile>.profile` or
 *   `org/organization`, line 1, and carry a logicalLocation naming the app (kind "object"). GitHub accepts
 *   such paths; the alert shows without a code snippet.
 * - partialFingerprints: { "connectedAppFinding/v1": fingerprint } (stable across line changes), so GitHub
 *   tracks an alert across runs without hashing file contents.
 * - No secrets: results carry the finding's evidence, which never holds one.
 */
import { findingControls, ruleControls } from '../../domain/audit/benchmark.js';
import { ruleSubject } from '../../domain/audit/engine.js';
import type { Finding, Severity } from '../../domain/audit/model.js';
import { jsonForTerminal } from '../../domain/terminal-text.js';
import type { AuditReport } from './report.js';
import { relativePath } from './report.js';
import { findingCommands, findingMessage, findingSetup, ruleDoc, rulesText, type RuleDoc } from './rule-docs.js';

export const SARIF_SCHEMA = 'https://json.schemastore.org/sarif-2.1.0.json';
export const DEFAULT_INFORMATION_URI = 'https://www.npmjs.com/package/plugin-connectedapp';
export const FINGERPRINT_KEY = 'connectedAppFinding/v1';

export const SECURITY_SEVERITY: Readonly<Record<Severity, string>> = { critical: '9.5', high: '8.0', medium: '5.5', low: '3.0', info: '1.0' };
export type SarifLevel = 'error' | 'warning' | 'note';
export const SARIF_LEVEL: Readonly<Record<Severity, SarifLevel>> = { critical: 'error', high: 'error', medium: 'warning', low: 'note', info: 'note' };

export type SarifOptions = {
  informationUri?: string;
  /** Removed from the start of file paths so URIs are relative to the repository root. */
  sourceRoot?: string;
};

type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

const pascal = (kebab: string): string =>
  kebab
    .split('-')
    .filter((p) => p !== '')
    .map((p) => p[0].toUpperCase() + p.slice(1))
    .join('');

/** A relative path as a URI reference: each segment percent-encoded. Absolute paths become file:// URIs. */
export function pathToUri(path: string): string {
  const encoded = path
    .split('/')
    .map((segment) => (/^[A-Za-z]:$/.test(segment) ? segment : encodeURIComponent(segment)))
    .join('/');
  if (path.startsWith('/')) return `file://${encoded}`;
  if (/^[A-Za-z]:\//.test(path)) return `file:///${encoded}`;
  return encoded;
}

function helpMarkdown(doc: RuleDoc): string {
  const lines = [`**${rulesText('report.why')}**`, '', doc.why, '', `**${rulesText('report.fix')}**`, '', ...doc.fix.map((s) => `- ${s}`)];
  if (doc.commands.length > 0) lines.push('', `**${rulesText('report.command')}**`, '', '```sh', ...doc.commands, '```');
  return lines.join('\n');
}

function helpText(doc: RuleDoc): string {
  const lines = [doc.why, '', `${rulesText('report.fix')}:`, ...doc.fix.map((s) => `- ${s}`)];
  if (doc.commands.length > 0) lines.push('', `${rulesText('report.command')}:`, ...doc.commands.map((c) => `  ${c}`));
  return lines.join('\n');
}

function ruleObject(doc: RuleDoc): Json {
  return {
    id: doc.id,
    name: pascal(doc.name),
    shortDescription: { text: doc.title },
    fullDescription: { text: doc.why },
    help: { text: helpText(doc), markdown: helpMarkdown(doc) },
    defaultConfiguration: { level: SARIF_LEVEL[doc.severity] },
    properties: { tags: ['security', doc.category, ...ruleControls(doc.id)], 'security-severity': SECURITY_SEVERITY[doc.severity], severity: doc.severity },
  };
}

/** Where a finding is: its file, or a pseudo path for org findings (see the header). */
export function sarifUri(f: Finding, options: SarifOptions = {}): string {
  if (f.file !== null) return pathToUri(relativePath(f.file, options.sourceRoot));
  const subject = ruleSubject(f.ruleId);
  const value = subject ? f.evidence[subject.evidenceKey] : undefined;
  if (subject && typeof value === 'string' && subject.kind !== 'file') {
    return subject.kind === 'user' ? `org/users/${encodeURIComponent(value)}` : `org/profiles/${encodeURIComponent(value)}.profile`;
  }
  if (f.app !== null) return `org/connectedApps/${encodeURIComponent(f.app)}.connectedApp`;
  return 'org/organization';
}

function resultObject(f: Finding, ruleIndex: number, options: SarifOptions): Json {
  const location: Record<string, Json> = {
    physicalLocation: { artifactLocation: { uri: sarifUri(f, options) }, region: { startLine: f.line !== null && f.line > 0 ? f.line : 1 } },
  };
  if (f.app !== null) location.logicalLocations = [{ name: f.app, kind: 'object' }];
  return {
    ruleId: f.ruleId,
    ruleIndex,
    level: SARIF_LEVEL[f.severity],
    message: { text: findingMessage(f) },
    locations: [location],
    partialFingerprints: { [FINGERPRINT_KEY]: f.fingerprint },
    properties: { severity: f.severity, app: f.app, evidence: f.evidence, commands: findingCommands(f), ...(findingSetup(f).length > 0 ? { fix: findingSetup(f) } : {}), controls: findingControls(f) },
  };
}

export function renderSarif(report: AuditReport, options: SarifOptions = {}): string {
  const ids = [...report.rules.map((r) => r.id)];
  for (const f of report.findings) if (!ids.includes(f.ruleId)) ids.push(f.ruleId);
  const docs = ids.map(ruleDoc);
  const driver: Record<string, Json> = {
    name: 'plugin-connectedapp',
    informationUri: options.informationUri ?? DEFAULT_INFORMATION_URI,
    rules: docs.map(ruleObject),
  };
  if (report.toolVersion !== null) {
    driver.version = report.toolVersion;
    driver.semanticVersion = report.toolVersion;
  }
  const log = {
    $schema: SARIF_SCHEMA,
    version: '2.1.0',
    runs: [
      {
        tool: { driver },
        results: report.findings.map((f) => resultObject(f, ids.indexOf(f.ruleId), options)),
        properties: {
          mode: report.mode,
          suppressed: report.suppressed,
          notEvaluated: report.notEvaluated.map((n) => ({ ...n })) as unknown as Json,
          coverage: report.coverage.map((c) => ({ ...c })) as unknown as Json,
        },
      },
    ],
  };
  // Exact JSON, with the characters a terminal would act on written as \u escapes (SARIF is often printed).
  return `${jsonForTerminal(log, 2)}\n`;
}
