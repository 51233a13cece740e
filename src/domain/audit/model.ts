/*
 * What the audit sees: one AuditApp per connected app (from the org, or from a metadata file in source
 * mode), the org-wide facts the rules need, and the coverage of every source. Rules are pure functions
 * of this; adapters build it.
 */
import type { SourceCoverage } from '../coverage.js';
import type { AppKind, AppPolicy, EcaPart } from '../policy/policy.js';
import type { AppRegister } from './register.js';

export type Severity = 'critical' | 'high' | 'medium' | 'low' | 'info';
export const SEVERITIES: readonly Severity[] = ['critical', 'high', 'medium', 'low', 'info'];

/**
 * The kinds of evidence a rule may need. A rule whose evidence is missing is "not evaluated", never "passed".
 * apiCalls: AuditApp.apiCalls (ApiTotalUsage); permissions: AuditInventory.privilegedUsers and adminProfiles;
 * register: AuditInventory.register (the --register file); samlUse: never available (see CA402).
 */
export type Evidence =
  | 'metadata'
  | 'assignments'
  | 'activeUsers'
  | 'tokens'
  | 'logins'
  | 'users'
  | 'ipRanges'
  | 'installState'
  | 'orgNames'
  | 'apiCalls'
  | 'permissions'
  | 'register'
  /** Use of a SAML-only app: no source the plugin reads records it (never available). */
  | 'samlUse';

/** A profile or permission set that holds the app, with its active users when known. */
export type AuditHolder = {
  kind: 'profile' | 'permission-set' | 'permission-set-group';
  /** Profile name, or permission set API name. */
  name: string;
  label: string;
  /** Active users assigned; null when PermissionSetAssignment could not be read. */
  activeUsers: number | null;
  /** For a group: the component permission set that carries the app. */
  via?: string;
};

export type TokenEvidence = { tokens: number; users: number; useCount: number; lastUsedDate: string | null; holders: string[] | null };

export type LoginEvidence = { loginSubType: string | null; logins: number; users: number; lastLogin: string | null };

export type RunAsUserFacts = { username: string; found: boolean; active: boolean; profileName: string | null; apiOnly: boolean; administrator: boolean };

export type AuditApp = {
  /** Stable key for fingerprints and output: API name when known, else label, else Id. */
  key: string;
  apiName: string | null;
  label: string;
  /** ConnectedApplication Id (0H4…); null in source mode and for apps that are not installed. */
  id: string | null;
  /** false for an app seen only through tokens/logins/event logs (no ConnectedApplication record). */
  installed: boolean;
  namespacePrefix: string | null;
  /** Full policy from metadata; null when it could not be read (then metadata rules are not evaluated for it). */
  policy: AppPolicy | null;
  /** Source mode: the file the policy came from (line numbers are in policy.lines). */
  file: string | null;
  /** Assignments in the org; null in source mode or when SetupEntityAccess could not be read. */
  holders: AuditHolder[] | null;
  /** Standing OAuth grants; null when OauthToken could not be read. Zero-token apps have { tokens: 0 … }. */
  tokens: TokenEvidence | null;
  /** LoginHistory rows for this app in the window, one per LoginSubType; null when not read. */
  logins: LoginEvidence[] | null;
  /** API calls counted in ApiTotalUsage event logs in the window; null when not read. */
  apiCalls: { count: number; lastSeen: string | null } | null;
  /** The run-as user of a client-credentials app, when the org was read. */
  runAsUser: RunAsUserFacts | null;
  /** Source mode with --target-org: profileName / permissionSetName entries the org does not have (a deploy would fail). */
  missingInOrg?: { profiles: string[]; permissionSets: string[] } | null;
  /** Source mode, an External Client App: the file of each of its parts found in the project. */
  partFiles?: Partial<Record<EcaPart, string>>;
  /** Source mode, an External Client App: the credentials its global OAuth settings file asks to rotate when deployed. */
  rotatesOnDeploy?: Array<'consumerKey' | 'consumerSecret'>;
  /** A connected app or an External Client App; when absent, the policy's kind (else unknown: an app seen only in use). */
  kind?: AppKind;
  /** An app of the other kind answers to the same name: commands naming this app must say `--type`. */
  nameShared?: boolean;
};

export type PrivilegedUser = {
  username: string;
  grantedBy: string;
  viaProfile: boolean;
  profileName: string | null;
  approveUninstalledConnectedApps: boolean;
  useAnyApiClient: boolean;
  administrator: boolean;
};

export type AuditOptions = {
  /** An app is "unused" when no source shows use within this many days. */
  unusedDays: number;
  /** LoginHistory window read, in days. */
  loginDays: number;
  /** A profile with more active users than this is "broad". */
  broadProfileUsers: number;
  /** Session timeouts longer than this (minutes) are "long". */
  longSessionMinutes: number;
  /** Days of ApiTotalUsage event logs the org audit reads (0: none). */
  eventLogDays: number;
};

export const DEFAULT_AUDIT_OPTIONS: AuditOptions = { unusedDays: 90, loginDays: 30, broadProfileUsers: 200, longSessionMinutes: 480, eventLogDays: 7 };

export type AuditInventory = {
  mode: 'org' | 'source';
  /** The evaluation clock (the org's or the run's), so "unused for N days" is reproducible in tests. */
  now: string;
  apps: AuditApp[];
  /** Org-wide: users holding Approve Uninstalled Connected Apps / Use Any API Client; null when not read. */
  privilegedUsers: PrivilegedUser[] | null;
  /** Org-wide: administrator profiles (Modify All Data) and whether they have Approve Uninstalled Connected Apps; null when not read. */
  adminProfiles: Array<{ name: string; approveUninstalledConnectedApps: boolean }> | null;
  /** Login IP ranges per profile name; null when not read. */
  profileIpRanges: Map<string, number> | null;
  /** Which evidence kinds are available at all in this run. */
  evidence: Evidence[];
  coverage: SourceCoverage[];
  /** The register of approved apps (audit --register); absent when none was given. */
  register?: AppRegister | null;
  /** Source mode: files that did not parse. */
  parseErrors: Array<{ file: string; line: number; column: number; message: string }>;
  options: AuditOptions;
};

export type Finding = {
  ruleId: string;
  severity: Severity;
  /** AuditApp.key, or null for org-wide findings. */
  app: string | null;
  appId: string | null;
  file: string | null;
  line: number | null;
  /** What the rule saw: plain values, never a secret. */
  evidence: Record<string, string | number | boolean | null | string[]>;
  /** Stable across runs: rule id + app key + the evidence key that makes it distinct. */
  fingerprint: string;
  /** The kind of the app the finding is about, when known (suggested fixes and commands depend on it). */
  appType?: AppKind;
  /** Set (true) when an app of the other kind answers to the same name: suggested commands carry `--type`. */
  nameShared?: boolean;
};
