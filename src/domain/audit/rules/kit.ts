/*
 * The shape of an audit rule and the small helpers rules share. Rules are pure: they read an AuditApp (or
 * the whole inventory for org-wide rules) and return finding drafts; the engine adds ids, locations and
 * fingerprints. No text lives here: every rule's words are in messages/connectedapp.rules.md, keyed by id.
 *
 * Three-valued logic. A rule that depends on a policy field the source did not state (`policy.defaulted`)
 * does not pass and does not fire: it answers `unknown`, and the engine reports the app under "not
 * evaluated". In source mode a field missing from a file may simply predate the file's API version, and
 * retrieves at current versions write booleans explicitly (see FINDINGS.md), so absence is not evidence.
 */
import type { AppPolicy, PolicyField } from '../../policy/policy.js';
import type { AuditApp, AuditInventory, Evidence, Finding, Severity } from '../model.js';

export type RuleCategory = 'permitted-users' | 'ip-relaxation' | 'refresh-tokens' | 'scopes-and-flows' | 'lifecycle' | 'source-hygiene' | 'register';
export const RULE_CATEGORIES: readonly RuleCategory[] = [
  'permitted-users',
  'ip-relaxation',
  'refresh-tokens',
  'scopes-and-flows',
  'lifecycle',
  'source-hygiene',
  'register',
];

export type EvidenceValue = Finding['evidence'][string];

/** What a rule reports; the engine turns it into a Finding. */
export type FindingDraft = {
  /** Defaults to the rule's severity (a rule may grade one condition lower, e.g. BYPASS_2FACTOR). */
  severity?: Severity;
  /**
   * Plain values, never a secret. `condition` (when present) selects the message variant
   * `<rule id>.message.<condition>` in the bundle.
   */
  evidence: Record<string, EvidenceValue>;
  /** Tells several findings of one rule on one app apart (a URL, a field, a user); part of the fingerprint. */
  key?: string;
  /** The policy field whose line locates the finding in a source file. */
  field?: PolicyField;
  /** Org-wide rules: the app concerned, if any (defaults to null). */
  app?: string | null;
  /** Org-wide rules: an explicit location (parse errors). */
  file?: string | null;
  line?: number | null;
};

/** A rule could not decide for this app: the evidence kinds (and policy fields) it lacked. */
export type Unknown = { unknown: Evidence[]; fields?: PolicyField[] };

export type RuleOutcome = FindingDraft[] | Unknown;

export type RuleContext = {
  inventory: AuditInventory;
  mode: AuditInventory['mode'];
  now: Date;
};

/**
 * How a finding's evidence fills the message's %s tokens, per message variant (`default` or a `condition`
 * value). An entry is an evidence key, optionally `key|group`: each value is then shown through the bundle
 * label `label.<group>.<value>` (formatted with evidence[`<value>Days`] when that exists).
 */
export type MessageArgs = Readonly<Partial<Record<string, readonly string[]>>>;

/** Org-wide findings name what they are about, for reports that need a location (SARIF). */
export type SubjectKind = 'user' | 'profile' | 'file';

type RuleBase = {
  /** Stable id: `CA<3 digits>-<kebab name>`; the digits give the category (0xx permitted users, 1xx IP, …). */
  id: string;
  category: RuleCategory;
  severity: Severity;
  /** Evidence kinds the rule needs in org mode (all of them). */
  needs: readonly Evidence[];
  /** In source mode; null when the rule cannot run from files. */
  sourceNeeds: readonly Evidence[] | null;
  /** At least one of these must be available too (usage sources). */
  needsAnyOf?: readonly Evidence[];
  /** Evidence used when present, without which the rule still runs (stated in the finding). */
  uses?: readonly Evidence[];
  message: MessageArgs;
};

export type AppRule = RuleBase & {
  scope: 'app';
  /** Also evaluate apps seen only through usage (installed === false). Metadata rules leave them out. */
  includeUninstalled?: boolean;
  /**
   * With includeUninstalled: the sources through which apps that are not installed come to light. When one of them
   * was not read completely, apps only it would reveal were never seen, and the rule says so (reason unseen-apps).
   */
  revealedBy?: readonly Evidence[];
  check(app: AuditApp, ctx: RuleContext): RuleOutcome;
};

export type OrgRule = RuleBase & {
  scope: 'org';
  subject?: { kind: SubjectKind; evidenceKey: string };
  check(ctx: RuleContext): RuleOutcome;
};

export type Rule = AppRule | OrgRule;

// ---- Outcome helpers --------------------------------------------------------------------------

export const PASS: RuleOutcome = [];

export function unknown(evidence: Evidence[], fields?: PolicyField[]): Unknown {
  return fields && fields.length > 0 ? { unknown: evidence, fields } : { unknown: evidence };
}

export function isUnknown(outcome: readonly unknown[] | Unknown): outcome is Unknown {
  return !Array.isArray(outcome);
}

/** The coverage entry that says how completely each usage evidence kind was read. */
const USAGE_COVERAGE: Partial<Record<Evidence, string>> = { tokens: 'OauthToken', logins: 'LoginHistory', apiCalls: 'EventLogFile:ApiTotalUsage' };

/**
 * Whether an evidence kind was read whole for this run: available, and its source neither capped, failed nor
 * partial (capped reads and short retention can show use, never its absence).
 */
export function readCompletely(inventory: AuditInventory, evidence: Evidence): boolean {
  if (!inventory.evidence.includes(evidence)) return false;
  const source = USAGE_COVERAGE[evidence];
  const status = source === undefined ? 'used' : (inventory.coverage.find((c) => c.source === source)?.status ?? 'used');
  return !['capped', 'failed', 'partial'].includes(status);
}

/** Metadata unknown because these policy fields were not stated. */
export const notStated = (...fields: PolicyField[]): Unknown => unknown(['metadata'], fields);

// ---- Policy facts -----------------------------------------------------------------------------

/** The source stated this field (it was not filled in with the documented default). */
export function stated(policy: AppPolicy, field: PolicyField): boolean {
  return !policy.defaulted.includes(field);
}

/**
 * Whether "no session policy" is a fact: in org mode the org's metadata is authoritative; in a file it is
 * when the file was written at API 49.0 or later, which the presence of an `oauthPolicy` (also 49.0+) shows.
 * sessionPolicy is omitted from retrieves when nothing is set (68 of 75 corpus apps). A stated timeout shows
 * the sessionPolicy element is there, so a level missing from it is really not set.
 */
export function sessionAbsenceKnown(policy: AppPolicy, mode: AuditInventory['mode']): boolean {
  if (mode === 'org') return true;
  return stated(policy, 'ipRelaxation') || stated(policy, 'refreshTokenPolicy') || stated(policy, 'sessionTimeout');
}

export type ServerFlow = 'jwt-bearer' | 'client-credentials';

/**
 * Server-to-server flows the app has (JWT bearer certificate, client credentials), or unknown when none is
 * known to be on and the client-credentials switch was not stated.
 */
export function serverFlows(policy: AppPolicy): ServerFlow[] | Unknown {
  const flows: ServerFlow[] = [];
  if (policy.flows.jwtCertificate) flows.push('jwt-bearer');
  if (policy.flows.clientCredentials.enabled && stated(policy, 'clientCredentials')) flows.push('client-credentials');
  if (flows.length === 0 && !stated(policy, 'clientCredentials')) return notStated('clientCredentials');
  return flows;
}

export function hasRefreshTokenScope(policy: AppPolicy): boolean {
  return policy.scopes.includes('RefreshToken');
}

/** Profiles and permission sets that hold the app: the org's assignments in org mode, the file's lists in source mode. */
export type Assignments = { profiles: string[]; permissionSets: string[]; groups: string[] };

export function assignmentsOf(app: AuditApp, mode: AuditInventory['mode']): Assignments | null {
  if (mode === 'source') {
    if (!app.policy) return null;
    return { profiles: unique(app.policy.profileNames), permissionSets: unique(app.policy.permissionSetNames), groups: [] };
  }
  if (!app.holders) return null;
  const names = (kind: string): string[] => unique(app.holders?.filter((h) => h.kind === kind).map((h) => h.name) ?? []);
  return { profiles: names('profile'), permissionSets: names('permission-set'), groups: names('permission-set-group') };
}

export function unique(values: readonly string[]): string[] {
  return [...new Set(values)];
}

/** Whole days from an ISO date to now (negative for future dates); null for an unreadable date or clock. */
export function daysSince(iso: string | null, now: Date): number | null {
  if (iso === null) return null;
  const time = Date.parse(iso);
  if (Number.isNaN(time) || Number.isNaN(now.getTime())) return null;
  return Math.floor((now.getTime() - time) / 86_400_000);
}

/** Truncates long raw values before they go into evidence. */
export function clip(text: string, max = 120): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
