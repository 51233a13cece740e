/*
 * The Salesforce Security Benchmark (SBS) controls the audit's rules serve, and a per-control result.
 *
 * Sources for the control ids and titles (titles live in messages/connectedapp.benchmark.md):
 * - docs.securitybenchmark.org, "OAuth Security" (benchmark/oauth-security.md) and "Controls At-a-Glance",
 *   in the numbering with four OAuth controls: SBS-OAUTH-001 Require Formal Installation of Connected Apps,
 *   -002 Require Profile or Permission Set Access Control for Connected Apps, -003 Add Criticality
 *   Classification of OAuth-Enabled Connected Apps, -004 Due Diligence Documentation for High-Risk Connected
 *   App Vendors. (Releases v0.1.0–v0.3.0 of the Salesforce-Security-Benchmark/docs-site repository had three:
 *   installation and access governance as one SBS-OAUTH-001, inventory/criticality as -002, due diligence as
 *   -003; the split into four came with "Correct OAuth controls" in February 2026.)
 * - "Access Controls": SBS-ACS-003 (`Approve Uninstalled Connected Apps`), SBS-ACS-006 (`Use Any API Client`);
 *   "Integrations": SBS-INT-004 (retain ApiTotalUsage event logs for 30 days); "Authentication": SBS-AUTH-003
 *   (no broad or unrestricted profile login IP ranges).
 *
 * A control is evaluated through the rules mapped to it: it fails when any of them found something (accepted
 * baseline findings included: a baseline hides a finding, it does not make the control pass), is not evaluated
 * when none of them ran or one of them could not decide, and passes otherwise. `checks` says how much of the
 * control the rules cover: "full" (a pass is a pass), "partial" (a pass covers only what the rules check; the
 * rest, e.g. a documented justification, needs a person), "none" (no rule: always not evaluated).
 */
import type { NotEvaluated, RuleInfo } from './engine.js';
import type { Finding } from './model.js';
import { APPROVE_UNINSTALLED, USE_ANY_API_CLIENT } from './rules/lifecycle.js';

export const BENCHMARKS = ['sbs'] as const;
export type BenchmarkName = (typeof BENCHMARKS)[number];

export type ControlId = 'SBS-OAUTH-001' | 'SBS-OAUTH-002' | 'SBS-OAUTH-003' | 'SBS-OAUTH-004' | 'SBS-ACS-003' | 'SBS-ACS-006' | 'SBS-INT-004' | 'SBS-AUTH-003';

export type ControlChecks = 'full' | 'partial' | 'none';

/** The controls, in the benchmark's order, with how far the audit's rules check them. */
export const SBS_CONTROLS: ReadonlyArray<{ id: ControlId; checks: ControlChecks }> = [
  { id: 'SBS-OAUTH-001', checks: 'full' },
  { id: 'SBS-OAUTH-002', checks: 'partial' },
  { id: 'SBS-OAUTH-003', checks: 'full' },
  { id: 'SBS-OAUTH-004', checks: 'partial' },
  { id: 'SBS-ACS-003', checks: 'partial' },
  { id: 'SBS-ACS-006', checks: 'partial' },
  { id: 'SBS-INT-004', checks: 'none' },
  { id: 'SBS-AUTH-003', checks: 'partial' },
];

/**
 * Which controls each rule serves (rules not listed serve none: e.g. a lock-out is an availability problem,
 * not a control failure). CA404 serves ACS-003 or ACS-006 depending on the permission held (see findingControls).
 */
const RULE_CONTROLS: Readonly<Record<string, readonly ControlId[]>> = {
  'CA003-self-authorize-server-flow': ['SBS-OAUTH-002'],
  'CA004-preauth-broad-profile': ['SBS-OAUTH-002'],
  'CA005-assignments-ignored-self-authorize': ['SBS-OAUTH-002'],
  'CA006-self-authorize-broad-scopes': ['SBS-OAUTH-002'],
  'CA101-ip-bypass-self-authorize': ['SBS-AUTH-003'],
  'CA102-ip-bypass-uncompensated': ['SBS-AUTH-003'],
  'CA103-ip-enforce-no-profile-ranges': ['SBS-AUTH-003'],
  'CA401-uninstalled-app-in-use': ['SBS-OAUTH-001'],
  'CA404-bypass-permission-non-admin': ['SBS-ACS-003', 'SBS-ACS-006'],
  'CA601-app-not-registered': ['SBS-OAUTH-003'],
  'CA602-registered-app-not-in-org': ['SBS-OAUTH-003'],
  'CA603-register-review-overdue': ['SBS-OAUTH-003'],
  'CA604-high-risk-no-due-diligence': ['SBS-OAUTH-004'],
};

const PERMISSION_CONTROL: Readonly<Partial<Record<string, ControlId>>> = {
  // Keyed by the permission names CA404's evidence uses.
  [APPROVE_UNINSTALLED]: 'SBS-ACS-003',
  [USE_ANY_API_CLIENT]: 'SBS-ACS-006',
};

/** The controls a rule serves (for --help, SARIF rule tags and reports). */
export function ruleControls(ruleId: string): ControlId[] {
  return [...(RULE_CONTROLS[ruleId] ?? [])];
}

/** The controls one finding fails: CA404 by the permissions it names, every other rule by its mapping. */
export function findingControls(finding: Pick<Finding, 'ruleId' | 'evidence'>): ControlId[] {
  const controls = ruleControls(finding.ruleId);
  const permissions = finding.evidence.permissions;
  if (finding.ruleId.startsWith('CA404') && Array.isArray(permissions)) {
    const named = new Set(permissions.map((p) => PERMISSION_CONTROL[p]).filter((c): c is ControlId => c !== undefined));
    return controls.filter((c) => named.has(c));
  }
  return controls;
}

export type ControlStatus = 'pass' | 'fail' | 'not-evaluated';

export type ControlResult = {
  control: ControlId;
  status: ControlStatus;
  checks: ControlChecks;
  /** The rules mapped to the control that were selected for this run. */
  rules: string[];
  /** Findings that fail the control (including those a baseline accepted). */
  findings: number;
  /** Mapped rules that could not decide (for some or all apps), or were not selected. */
  notEvaluatedRules: string[];
};

/**
 * The per-control result of a run. `findings` must be every finding of the run (before any baseline);
 * `rules` the rules selected; `notEvaluated` the engine's list.
 */
export function evaluateBenchmark(run: { findings: readonly Finding[]; rules: readonly Pick<RuleInfo, 'id'>[]; notEvaluated: readonly NotEvaluated[] }): ControlResult[] {
  const selected = new Set(run.rules.map((r) => r.id));
  const undecided = new Set(run.notEvaluated.map((n) => n.ruleId));
  return SBS_CONTROLS.map(({ id, checks }) => {
    const mapped = Object.keys(RULE_CONTROLS).filter((ruleId) => RULE_CONTROLS[ruleId].includes(id));
    const rules = mapped.filter((r) => selected.has(r));
    const findings = run.findings.filter((f) => findingControls(f).includes(id)).length;
    const notEvaluatedRules = mapped.filter((r) => !selected.has(r) || undecided.has(r));
    const status: ControlStatus = findings > 0 ? 'fail' : rules.length === 0 || notEvaluatedRules.length > 0 ? 'not-evaluated' : 'pass';
    return { control: id, status, checks, rules, findings, notEvaluatedRules };
  });
}
