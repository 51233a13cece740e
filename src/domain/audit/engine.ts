/*
 * The audit engine: runs the selected rules over an AuditInventory, reports what it could not evaluate
 * and why, fingerprints findings, and applies baselines and the fail-on gate. Pure: no I/O, no text (the
 * words are in messages/connectedapp.rules.md; see src/renderers/audit/rule-docs.ts).
 *
 * Not evaluated is never passed: a rule whose evidence kinds are missing from `inventory.evidence` is
 * listed once (reason missing-evidence, or source-mode for rules that need the org); a rule that could
 * not decide for some apps (their policy, holders or usage were not read, or a deciding field was not in
 * the source) is listed with the number of apps concerned; a rule over apps that are not installed, whose
 * revealing sources were not read whole, is listed once more (reason unseen-apps): apps nobody saw.
 */
import { createHash } from 'node:crypto';
import { fullNameFromFileName, type PolicyField } from '../policy/policy.js';
import type { AuditApp, AuditInventory, Evidence, Finding, Severity } from './model.js';
import { SEVERITIES } from './model.js';
import { RULE_DEFINITIONS } from './rules.js';
import type { FindingDraft, Rule, RuleCategory, RuleContext, RuleOutcome } from './rules.js';
import { isUnknown, readCompletely } from './rules/kit.js';

// ---- Rule metadata ----------------------------------------------------------------------------

/** What `--help`, reports and JSON output need to know about a rule (titles come from the bundle). */
export type RuleInfo = {
  /** e.g. `CA001-preauth-no-assignment`. */
  id: string;
  /** The stable prefix, e.g. `CA001` (fingerprints use it). */
  code: string;
  /** The kebab name, e.g. `preauth-no-assignment`. */
  name: string;
  category: RuleCategory;
  /** Default severity; a finding may be graded lower for a milder condition. */
  severity: Severity;
  /** app: evaluated per app; org: evaluated once for the org (findings may still name an app or a file). */
  scope: 'app' | 'org';
  /** Evidence needed in org mode. */
  needs: Evidence[];
  /** Evidence needed in source mode; null when the rule needs an org. */
  sourceNeeds: Evidence[] | null;
  /** At least one of these is needed as well (empty: none). */
  needsAnyOf: Evidence[];
  /** Used when available, not required. */
  uses: Evidence[];
  /** Rules over apps that are not installed: the sources that bring them to light (see AppRule.revealedBy). */
  revealedBy: Evidence[];
};

const splitId = (id: string): { code: string; name: string } => {
  const dash = id.indexOf('-');
  return { code: id.slice(0, dash), name: id.slice(dash + 1) };
};

function infoOf(rule: Rule): RuleInfo {
  return {
    id: rule.id,
    ...splitId(rule.id),
    category: rule.category,
    severity: rule.severity,
    scope: rule.scope,
    needs: [...rule.needs],
    sourceNeeds: rule.sourceNeeds ? [...rule.sourceNeeds] : null,
    needsAnyOf: [...(rule.needsAnyOf ?? [])],
    uses: [...(rule.uses ?? [])],
    revealedBy: rule.scope === 'app' ? [...(rule.revealedBy ?? [])] : [],
  };
}

/** Every rule, in id order. */
export const RULES: readonly RuleInfo[] = RULE_DEFINITIONS.map(infoOf);

/** How a finding's evidence fills its message (per variant); used by the renderers' rule-docs. */
export function ruleMessageArgs(ruleId: string, variant: string | null): readonly string[] {
  const rule = RULE_DEFINITIONS.find((r) => r.id === ruleId);
  if (!rule) return [];
  return (variant !== null ? rule.message[variant] : undefined) ?? rule.message.default ?? [];
}

/** The message variants a rule has (`default` and/or condition values). */
export function ruleMessageVariants(ruleId: string): string[] {
  const rule = RULE_DEFINITIONS.find((r) => r.id === ruleId);
  return rule ? Object.keys(rule.message) : [];
}

/** What an org-wide finding is about, for reports that need a location. */
export function ruleSubject(ruleId: string): { kind: 'user' | 'profile' | 'file'; evidenceKey: string } | null {
  const rule = RULE_DEFINITIONS.find((r) => r.id === ruleId);
  return rule?.scope === 'org' && rule.subject ? rule.subject : null;
}

// ---- Errors -----------------------------------------------------------------------------------

export type AuditErrorCode = 'UnknownRule' | 'UnknownApp' | 'InvalidBaseline';
export type BaselineProblem = 'not-json' | 'not-an-object' | 'unsupported-version' | 'missing-findings' | 'bad-entry';

/** The engine's one error type. Like PolicyError it carries no English: `code` names `error.<code>` in the rules bundle. */
export class AuditError extends Error {
  public readonly code: AuditErrorCode;
  /** The rejected inputs (rule selectors, app names) or, for a baseline, the problem detail. */
  public readonly values: string[];
  /** What would have been accepted (rule ids, app keys, baseline versions). */
  public readonly validValues: string[];
  public readonly reason: BaselineProblem | undefined;

  public constructor(code: AuditErrorCode, values: string[], validValues: string[], reason?: BaselineProblem) {
    super(reason ? `${code}:${reason}` : `${code}:${values.join(',')}`);
    this.name = 'AuditError';
    this.code = code;
    this.values = values;
    this.validValues = validValues;
    this.reason = reason;
  }
}

// ---- Rule selection ---------------------------------------------------------------------------

/**
 * The rules a list of selectors names. A selector is a full id (`CA001-preauth-no-assignment`), its code
 * (`CA001`), its name (`preauth-no-assignment`) or a category (`ip-relaxation`); case is ignored.
 * Throws AuditError('UnknownRule') listing every unknown selector and the valid ids.
 */
export function resolveRuleSelectors(selectors: readonly string[]): string[] {
  const unknownSelectors: string[] = [];
  const ids = new Set<string>();
  for (const raw of selectors) {
    const s = raw.trim().toLowerCase();
    const matched = RULES.filter((r) => r.id.toLowerCase() === s || r.code.toLowerCase() === s || r.name === s || r.category === s);
    if (matched.length === 0) unknownSelectors.push(raw);
    for (const r of matched) ids.add(r.id);
  }
  if (unknownSelectors.length > 0) throw new AuditError('UnknownRule', unknownSelectors, RULES.map((r) => r.id));
  return RULES.filter((r) => ids.has(r.id)).map((r) => r.id);
}

export function selectRules(rules?: readonly string[], excludeRules?: readonly string[]): Rule[] {
  const include = rules && rules.length > 0 ? new Set(resolveRuleSelectors(rules)) : null;
  const exclude = new Set(excludeRules && excludeRules.length > 0 ? resolveRuleSelectors(excludeRules) : []);
  return RULE_DEFINITIONS.filter((r) => (include === null || include.has(r.id)) && !exclude.has(r.id));
}

// ---- Running ----------------------------------------------------------------------------------

export type AuditSelection = {
  /** Rule selectors to run (default: all). */
  rules?: readonly string[];
  /** Rule selectors to skip. */
  excludeRules?: readonly string[];
  /** Apps to audit, by key, API name, label or Id (default: all). Org-wide findings are left out when set. */
  apps?: readonly string[];
};

export type NotEvaluated = {
  ruleId: string;
  /** unseen-apps: apps that are not installed come to light only through sources that were not read whole. */
  reason: 'missing-evidence' | 'source-mode' | 'unseen-apps';
  /** The evidence kinds that were missing. */
  missing: Evidence[];
  /** Set when the rule ran but could not decide for this many apps. */
  apps?: number;
  /** Policy fields the source did not state, when that is why (metadata). */
  fields?: PolicyField[];
};

/** One rule × target (an app, or null for the org) outcome: for per-test reports such as JUnit. */
export type RuleTarget = { app: string | null; status: 'evaluated' | 'not-evaluated'; missing: Evidence[]; fields?: PolicyField[] };
export type RuleRun = { ruleId: string; scope: 'app' | 'org'; targets: RuleTarget[] };

export type AuditResult = {
  /** Sorted by severity, then app (org-wide last), then rule. */
  findings: Finding[];
  notEvaluated: NotEvaluated[];
  /** The rules selected for this run, in id order. */
  rules: RuleInfo[];
  runs: RuleRun[];
};

export function runAudit(inventory: AuditInventory, selection: AuditSelection = {}): AuditResult {
  const selected = selectRules(selection.rules, selection.excludeRules);
  const chosen = selection.apps && selection.apps.length > 0 ? selectApps(inventory, selection.apps) : null;
  const apps = chosen?.apps ?? null;
  const appKeys = chosen?.keys ?? null;
  const ctx: RuleContext = { inventory, mode: inventory.mode, now: new Date(inventory.now) };
  const available = new Set(inventory.evidence);
  const findings: Finding[] = [];
  const notEvaluated: NotEvaluated[] = [];
  const runs: RuleRun[] = [];

  for (const rule of selected) {
    const targetsOf = (status: RuleTarget['status'], missing: Evidence[]): RuleTarget[] =>
      rule.scope === 'org' ? [{ app: null, status, missing }] : eligibleApps(rule, apps ?? inventory.apps).map((a) => ({ app: a.key, status, missing }));
    const needs = inventory.mode === 'source' ? rule.sourceNeeds : rule.needs;
    const anyOf = rule.needsAnyOf ?? [];
    const anyMissing = anyOf.length > 0 && !anyOf.some((e) => available.has(e)) ? [...anyOf] : [];
    if (needs === null) {
      const missing = orderEvidence([...rule.needs.filter((e) => !available.has(e)), ...anyMissing]);
      notEvaluated.push({ ruleId: rule.id, reason: 'source-mode', missing: missing.length > 0 ? missing : [...rule.needs] });
      runs.push({ ruleId: rule.id, scope: rule.scope, targets: targetsOf('not-evaluated', missing) });
      continue;
    }
    const missing = orderEvidence([...needs.filter((e) => !available.has(e)), ...anyMissing]);
    if (missing.length > 0) {
      notEvaluated.push({ ruleId: rule.id, reason: 'missing-evidence', missing });
      runs.push({ ruleId: rule.id, scope: rule.scope, targets: targetsOf('not-evaluated', missing) });
      continue;
    }

    if (rule.scope === 'org') {
      const outcome = rule.check(ctx);
      if (isUnknown(outcome)) {
        notEvaluated.push({ ruleId: rule.id, reason: 'missing-evidence', missing: orderEvidence(outcome.unknown) });
        runs.push({ ruleId: rule.id, scope: 'org', targets: [{ app: null, status: 'not-evaluated', missing: orderEvidence(outcome.unknown) }] });
        continue;
      }
      for (const draft of outcome) {
        const finding = toFinding(rule, draft, null);
        if (appKeys === null || (finding.app !== null && appKeys.has(finding.app))) findings.push(finding);
      }
      runs.push({ ruleId: rule.id, scope: 'org', targets: [{ app: null, status: 'evaluated', missing: [] }] });
      continue;
    }

    const targets: RuleTarget[] = [];
    for (const app of eligibleApps(rule, apps ?? inventory.apps)) {
      const outcome = evaluateApp(rule, app, ctx, needs, anyOf);
      if (isUnknown(outcome)) {
        const target: RuleTarget = { app: app.key, status: 'not-evaluated', missing: orderEvidence(outcome.unknown) };
        if (outcome.fields) target.fields = outcome.fields;
        targets.push(target);
        continue;
      }
      targets.push({ app: app.key, status: 'evaluated', missing: [] });
      for (const draft of outcome) findings.push(toFinding(rule, draft, app));
    }
    runs.push({ ruleId: rule.id, scope: 'app', targets });
    notEvaluated.push(...partialNotEvaluated(rule.id, targets));
    // Apps no source showed cannot be judged: say which sources left them unseen (not when apps were named).
    const unseenBy = chosen === null && rule.includeUninstalled ? (rule.revealedBy ?? []).filter((e) => !readCompletely(inventory, e)) : [];
    if (unseenBy.length > 0) notEvaluated.push({ ruleId: rule.id, reason: 'unseen-apps', missing: orderEvidence(unseenBy) });
  }

  return { findings: sortFindings(findings), notEvaluated, rules: selected.map(infoOf), runs };
}

/** Apps a rule looks at: metadata rules leave out apps known only from usage (not installed). */
function eligibleApps(rule: Rule, apps: readonly AuditApp[]): AuditApp[] {
  return rule.scope === 'app' && !rule.includeUninstalled ? apps.filter((a) => a.installed) : [...apps];
}

/** Per-app availability of an evidence kind the inventory has in general. */
function appHas(app: AuditApp, evidence: Evidence, mode: AuditInventory['mode']): boolean {
  switch (evidence) {
    case 'metadata':
      return app.policy !== null;
    case 'assignments':
      return mode === 'source' ? app.policy !== null : app.holders !== null;
    case 'tokens':
      return app.tokens !== null;
    case 'logins':
      return app.logins !== null;
    case 'apiCalls':
      return app.apiCalls !== null;
    default:
      return true;
  }
}

function evaluateApp(rule: Rule & { scope: 'app' }, app: AuditApp, ctx: RuleContext, needs: readonly Evidence[], anyOf: readonly Evidence[]): RuleOutcome {
  const missing = needs.filter((e) => !appHas(app, e, ctx.mode));
  if (anyOf.length > 0 && !anyOf.some((e) => appHas(app, e, ctx.mode))) missing.push(...anyOf);
  if (missing.length > 0) return { unknown: missing };
  return rule.check(app, ctx);
}

/** Apps a rule could not decide for, grouped by what was missing. */
function partialNotEvaluated(ruleId: string, targets: readonly RuleTarget[]): NotEvaluated[] {
  const groups = new Map<string, NotEvaluated>();
  for (const t of targets) {
    if (t.status !== 'not-evaluated') continue;
    const key = t.missing.join(',');
    const entry = groups.get(key) ?? { ruleId, reason: 'missing-evidence', missing: t.missing, apps: 0 };
    entry.apps = (entry.apps ?? 0) + 1;
    if (t.fields) entry.fields = [...new Set([...(entry.fields ?? []), ...t.fields])].sort();
    groups.set(key, entry);
  }
  return [...groups.values()];
}

const EVIDENCE_ORDER: readonly Evidence[] = [
  'metadata',
  'assignments',
  'activeUsers',
  'tokens',
  'logins',
  'apiCalls',
  'users',
  'ipRanges',
  'installState',
  'permissions',
  'orgNames',
  'register',
  'samlUse',
];

function orderEvidence(evidence: readonly Evidence[]): Evidence[] {
  return [...new Set(evidence)].sort((a, b) => EVIDENCE_ORDER.indexOf(a) - EVIDENCE_ORDER.indexOf(b));
}

/**
 * Resolves app names (key, API name, label or Id; case ignored) to app keys. In source mode a file that
 * did not parse is selectable by its app name too. Throws AuditError('UnknownApp').
 */
export function selectApps(inventory: AuditInventory, names: readonly string[]): { apps: AuditApp[]; keys: Set<string> } {
  const selected = new Set<AuditApp>();
  const keys = new Set<string>();
  const unknownNames: string[] = [];
  const brokenFiles = inventory.parseErrors.map((e) => fullNameFromFileName(e.file) ?? e.file);
  for (const name of names) {
    const wanted = name.trim().toLowerCase();
    const found = inventory.apps.filter((a) => [a.key, a.apiName, a.label, a.id].some((v) => v?.toLowerCase() === wanted));
    const broken = brokenFiles.filter((n) => n.toLowerCase() === wanted);
    if (found.length === 0 && broken.length === 0) unknownNames.push(name);
    for (const a of found) {
      selected.add(a);
      keys.add(a.key);
    }
    for (const n of broken) keys.add(n);
  }
  if (unknownNames.length > 0) throw new AuditError('UnknownApp', unknownNames, [...inventory.apps.map((a) => a.key), ...brokenFiles]);
  return { apps: inventory.apps.filter((a) => selected.has(a)), keys };
}

// ---- Findings ---------------------------------------------------------------------------------

function toFinding(rule: Rule, draft: FindingDraft, app: AuditApp | null): Finding {
  const appKey = app ? app.key : (draft.app ?? null);
  const file = draft.file !== undefined ? draft.file : (app?.file ?? null);
  const line = draft.line !== undefined ? draft.line : app && file !== null ? lineOf(app, draft.field) : null;
  return {
    ruleId: rule.id,
    severity: draft.severity ?? rule.severity,
    app: appKey,
    appId: app?.id ?? null,
    file,
    line,
    evidence: draft.evidence,
    fingerprint: fingerprint(rule.id, appKey, draft.key ?? ''),
    ...appTypeOf(app),
  };
}

/** The app's kind (from the inventory, else its policy) and whether commands must name it. */
function appTypeOf(app: AuditApp | null): Pick<Finding, 'appType' | 'nameShared'> {
  const kind = app ? (app.kind ?? app.policy?.kind) : undefined;
  return { ...(kind ? { appType: kind } : {}), ...(app?.nameShared ? { nameShared: true } : {}) };
}

/**
 * The line of the element a field was read from; the app's label line when the field has none (the
 * finding is about something missing). For an External Client App a line in another of its files is not
 * used (AuditApp.file is the app's main file).
 */
function lineOf(app: AuditApp, field: PolicyField | undefined): number | null {
  const policy = app.policy;
  if (!policy) return null;
  const usable = (f: PolicyField): number | null => {
    const line = policy.lines[f];
    if (line === undefined) return null;
    const part = policy.lineParts[f];
    return part === undefined || part === 'eca' ? line : null;
  };
  return (field ? usable(field) : null) ?? usable('label') ?? usable('fullName');
}

/**
 * Stable id of a finding: rule code + app key + the rule's distinguishing key (a URL, a field, a user, a
 * file), hashed. Line numbers, counts and dates are left out, so editing the file or new usage does not
 * change it. sha256, first 32 hex digits.
 */
export function fingerprint(ruleId: string, app: string | null, key = ''): string {
  const { code } = splitId(ruleId);
  return createHash('sha256').update(['connectedapp-audit/v1', code, app ?? '', key].join('\u001f'), 'utf8').digest('hex').slice(0, 32);
}

export const severityRank = (s: Severity): number => SEVERITIES.indexOf(s);

const compare = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** Severity (critical first), then app (org-wide last), then rule id, then fingerprint. */
export function sortFindings(findings: readonly Finding[]): Finding[] {
  return [...findings].sort(
    (a, b) =>
      severityRank(a.severity) - severityRank(b.severity) ||
      (a.app === null ? 1 : 0) - (b.app === null ? 1 : 0) ||
      compare(a.app ?? '', b.app ?? '') ||
      compare(a.ruleId, b.ruleId) ||
      compare(a.fingerprint, b.fingerprint)
  );
}

export type SeverityCounts = Record<Severity, number> & { total: number };

export function summarize(findings: readonly Finding[]): SeverityCounts {
  const counts: SeverityCounts = { total: findings.length, critical: 0, high: 0, medium: 0, low: 0, info: 0 };
  for (const f of findings) counts[f.severity]++;
  return counts;
}

/** True when any finding is at or above `failOn` (critical > high > medium > low > info). */
export function failsGate(findings: readonly Finding[], failOn: Severity): boolean {
  return findings.some((f) => severityRank(f.severity) <= severityRank(failOn));
}

// ---- Baselines --------------------------------------------------------------------------------

export const BASELINE_VERSION = 1;

export type BaselineEntry = { fingerprint: string; ruleId: string; app: string | null };

/** A JSON file of accepted findings: only fingerprints count; rule and app are there for the reader. */
export type Baseline = { version: typeof BASELINE_VERSION; tool: 'plugin-connectedapp'; findings: BaselineEntry[] };

export function createBaseline(findings: readonly Finding[]): Baseline {
  const byPrint = new Map<string, BaselineEntry>();
  for (const f of findings) byPrint.set(f.fingerprint, { fingerprint: f.fingerprint, ruleId: f.ruleId, app: f.app });
  const entries = [...byPrint.values()].sort((a, b) => compare(a.ruleId, b.ruleId) || compare(a.app ?? '', b.app ?? '') || compare(a.fingerprint, b.fingerprint));
  return { version: BASELINE_VERSION, tool: 'plugin-connectedapp', findings: entries };
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Reads a baseline file's text. Throws AuditError('InvalidBaseline') with the problem as `reason`. */
export function parseBaseline(text: string): Baseline {
  const fail = (reason: BaselineProblem, detail: string[] = []): never => {
    throw new AuditError('InvalidBaseline', detail, [String(BASELINE_VERSION)], reason);
  };
  let data: unknown;
  try {
    data = JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  } catch {
    return fail('not-json');
  }
  if (!isRecord(data)) return fail('not-an-object');
  if (data.version !== BASELINE_VERSION) return fail('unsupported-version', [String(data.version)]);
  if (!Array.isArray(data.findings)) return fail('missing-findings');
  const findings = data.findings.map((entry: unknown, index): BaselineEntry => {
    if (!isRecord(entry) || typeof entry.fingerprint !== 'string' || !/^[0-9a-f]{8,64}$/.test(entry.fingerprint)) {
      return fail('bad-entry', [String(index)]);
    }
    const ruleId = typeof entry.ruleId === 'string' ? entry.ruleId : '';
    const app = typeof entry.app === 'string' ? entry.app : null;
    return { fingerprint: entry.fingerprint, ruleId, app };
  });
  return { version: BASELINE_VERSION, tool: 'plugin-connectedapp', findings };
}

/** Splits findings into those the baseline does not know (kept) and those it accepted (suppressed); `absent`: baseline entries no longer found. */
export function applyBaseline(
  findings: readonly Finding[],
  baseline: Baseline
): { kept: Finding[]; suppressed: Finding[]; absent: BaselineEntry[] } {
  const known = new Set(baseline.findings.map((e) => e.fingerprint));
  const seen = new Set(findings.map((f) => f.fingerprint));
  return {
    kept: findings.filter((f) => !known.has(f.fingerprint)),
    suppressed: findings.filter((f) => known.has(f.fingerprint)),
    absent: baseline.findings.filter((e) => !seen.has(e.fingerprint)),
  };
}
