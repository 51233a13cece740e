/*
 * `connectedapp doctor`: why a user can (or cannot) use a connected app, as a chain of checks over facts the
 * adapters read. Pure: every check is a function of DoctorFacts. A fact that could not be read is null with its
 * coverage, and a check that needs it is "unknown" — never "pass".
 *
 * Platform rules the checks encode (reference: ../shared/reference/salesforce-api-facts.md):
 * - uninstalled apps (§6, September 2025): a user who authorized the app before keeps using it, a new user is
 *   blocked unless they hold "Approve Uninstalled Connected Apps", and the device flow is blocked for everyone;
 * - Permitted Users "admin approved users are pre-authorized": only users reached through a profile, a permission
 *   set or a permission set group component assigned to the app (§1, §3);
 * - IP relaxation (§1): restrictions apply only where the user's profile has login IP ranges; JWT and SAML bearer
 *   flows always enforce them; BYPASS relaxes them; BYPASS_2FACTOR relaxes them for the web-server flow (only from
 *   the app's trusted ranges when it has some); ENFORCE_RELAXREFRESH relaxes them for refresh tokens;
 * - client credentials run as the app's run-as user (§1 oauthClientCredentialUser).
 */
import type { SourceCoverage } from '../coverage.js';
import { inAnyRange, parseIp } from '../ip-address.js';
import type { IpRelaxation } from '../policy/ip-relaxation.js';
import type { AppKind, AppPolicy, PermittedUsers } from '../policy/policy.js';

export const DOCTOR_FLOWS = [
  'web-server',
  'user-agent',
  'refresh-token',
  'jwt-bearer',
  'saml-bearer',
  'client-credentials',
  'username-password',
  'device',
  'token-exchange',
] as const;
export type DoctorFlow = (typeof DOCTOR_FLOWS)[number];

/** Flows whose token request carries no interactive login, so IP restrictions are always enforced (reference §1). */
const BEARER_FLOWS: ReadonlySet<DoctorFlow> = new Set(['jwt-bearer', 'saml-bearer']);

/** LoginHistory.LoginSubType → the flow it records (reference §4; no JWT/SAML bearer or device subtype is documented). */
const FLOW_OF_SUBTYPE: Readonly<Record<string, DoctorFlow>> = {
  OauthWebServer: 'web-server',
  OauthHybridWebServer: 'web-server',
  OauthUserAgent: 'user-agent',
  OauthHybridUserAgent: 'user-agent',
  OauthRefreshToken: 'refresh-token',
  OauthHybridRefreshToken: 'refresh-token',
  OauthClientCredentials: 'client-credentials',
  OauthUsernamePassword: 'username-password',
  OauthTokenExchange: 'token-exchange',
  OauthHybridTokenExchange: 'token-exchange',
};

export function flowOfLoginSubType(subType: string | null): DoctorFlow | null {
  return subType ? (FLOW_OF_SUBTYPE[subType] ?? null) : null;
}

/** A fact and the coverage of the source it came from; `value` is null when the source could not be read. */
export type Read<T> = { value: T | null; coverage: SourceCoverage };

/** One way a user reaches an app (the access resolver's Grant, structurally). */
export type GrantPath = { kind: 'profile' | 'permission-set' | 'permission-set-group'; holderName: string; viaPermissionSet?: { name: string } };

export type AccessFacts = {
  /** Profiles, permission sets and groups assigned to the app. */
  grants: GrantPath[];
  activeUserCount: number;
  /** The user's paths to the app (empty: none); null without --username. */
  userPaths: GrantPath[] | null;
};

export type LoginAttempt = { application: string | null; loginSubType: string | null; loginTime: string; status: string | null; sourceIp: string | null; userId: string };

export type TokenFacts = {
  /** Users holding a token for this app. */
  holders: number;
  lastUsedDate: string | null;
  /** Whether the user holds one; null without --username. */
  userHolds: boolean | null;
  userLastUsedDate: string | null;
};

export type RunAsUserFacts = { username: string; found: boolean; active: boolean; apiOnly: boolean };

export type UserFacts = {
  id: string;
  username: string;
  active: boolean;
  profileName: string | null;
  frozen: Read<boolean>;
  /** Each null inside when this org has no field for the permission. */
  permissions: Read<{ apiEnabled: boolean | null; approveUninstalled: boolean | null }>;
};

export type DoctorApp = {
  /** What the app is called in output: API name, else label. */
  name: string;
  label: string;
  id: string | null;
  apiName: string | null;
  installed: boolean;
  /** From the ConnectedApplication row (metadata is preferred when read). */
  permittedUsers: PermittedUsers | null;
  /** A connected app, or an External Client App (always installed: an ECA exists only in the org that has it). */
  kind?: AppKind;
};

export type DoctorFacts = {
  app: DoctorApp;
  /** ConnectedApplication (and the names that showed an uninstalled app). */
  appCoverage: SourceCoverage;
  policy: Read<AppPolicy>;
  access: Read<AccessFacts>;
  user: UserFacts | null;
  flow: DoctorFlow | null;
  /** The flow was taken from the user's last login to the app, not from --flow. */
  flowInferred: boolean;
  sourceIp: string | null;
  /** Login IP ranges of the profiles that matter (the user's, or the app's assigned profiles). */
  profileIpRanges: Read<Map<string, Array<{ start: string; end: string }>>>;
  loginAttempts: Read<LoginAttempt[]>;
  tokens: Read<TokenFacts>;
  runAsUser: Read<RunAsUserFacts>;
  /** Active users holding "Approve Uninstalled Connected Apps" (app alone, uninstalled apps only). */
  approvers: Read<number> | null;
};

export type CheckId =
  | 'app-installed'
  | 'permitted-users'
  | 'user-active'
  | 'user-frozen'
  | 'user-api-enabled'
  | 'flow-enabled'
  | 'run-as-user'
  | 'ip-restrictions'
  | 'login-attempts'
  | 'tokens';

export const CHECK_ORDER: readonly CheckId[] = [
  'app-installed',
  'permitted-users',
  'user-active',
  'user-frozen',
  'user-api-enabled',
  'flow-enabled',
  'run-as-user',
  'ip-restrictions',
  'login-attempts',
  'tokens',
];

/** pass/fail/unknown decide the verdict; info is read evidence that decides nothing; skipped did not apply. */
export type CheckStatus = 'pass' | 'fail' | 'unknown' | 'info' | 'skipped';

/** What fixes a failure: a Setup action and, where the plugin has one, a command. Rendered through messages. */
export type FixId =
  | 'install-app'
  | 'approve-uninstalled'
  | 'assign-access'
  | 'assign-access-app'
  | 'pre-authorize'
  | 'activate-user'
  | 'unfreeze-user'
  | 'enable-api'
  | 'enable-oauth'
  | 'add-certificate'
  | 'enable-client-credentials'
  | 'set-run-as-user'
  | 'activate-run-as-user'
  | 'add-refresh-scope'
  | 'add-callback'
  | 'enable-device-flow'
  | 'enable-token-exchange'
  | 'add-login-ip-range'
  | 'relax-ip'
  | 'add-trusted-ip-range'
  | 'give-source-ip'
  | 'read-login-history';

export type DoctorCheck = {
  id: CheckId;
  status: CheckStatus;
  /** Why, as a message key under check.<id>.<reason>. */
  reason: string;
  /** Tokens for the message, in order. */
  tokens: Token[];
  /** The sources the check read, with their coverage. */
  sources: SourceCoverage[];
  fix: FixId | null;
};

/** A message token: text, a number, or grant paths (worded by the caller). */
export type Token = string | number | GrantPath[];

export type Verdict = 'can-use' | 'cannot-use' | 'cannot-tell';

export type Diagnosis = { verdict: Verdict; checks: DoctorCheck[]; flow: DoctorFlow | null; flowInferred: boolean };

type Part = Omit<DoctorCheck, 'id' | 'sources'> & { sources?: SourceCoverage[] };

const result = (status: CheckStatus, reason: string, tokens: Token[] = [], fix: FixId | null = null): Part => ({ status, reason, tokens, fix });
const unread = (reason = 'unread', fix: FixId | null = null): Part => result('unknown', reason, [], fix);

/** Checks that inform without deciding. */
const NON_GATING: ReadonlySet<CheckId> = new Set(['tokens']);

export function diagnose(facts: DoctorFacts): Diagnosis {
  const checks: DoctorCheck[] = [
    { id: 'app-installed', ...withSources(installedCheck(facts), [facts.appCoverage, ...(facts.app.installed ? [] : [facts.tokens.coverage, ...(facts.user ? [facts.user.permissions.coverage] : facts.approvers ? [facts.approvers.coverage] : [])])]) },
    { id: 'permitted-users', ...withSources(permittedUsersCheck(facts), [facts.policy.coverage, facts.access.coverage]) },
    { id: 'user-active', ...withSources(userActiveCheck(facts), facts.user ? [{ source: 'User', status: 'used' }] : []) },
    { id: 'user-frozen', ...withSources(userFrozenCheck(facts), facts.user ? [facts.user.frozen.coverage] : []) },
    { id: 'user-api-enabled', ...withSources(apiEnabledCheck(facts), facts.user ? [facts.user.permissions.coverage] : []) },
    { id: 'flow-enabled', ...withSources(flowCheck(facts), [facts.policy.coverage]) },
    { id: 'run-as-user', ...withSources(runAsCheck(facts), [facts.policy.coverage, facts.runAsUser.coverage]) },
    { id: 'ip-restrictions', ...withSources(ipCheck(facts), [facts.profileIpRanges.coverage, facts.policy.coverage, ...(facts.sourceIp ? [] : [facts.loginAttempts.coverage])]) },
    { id: 'login-attempts', ...withSources(loginCheck(facts), [facts.loginAttempts.coverage]) },
    { id: 'tokens', ...withSources(tokenCheck(facts), [facts.tokens.coverage]) },
  ];
  return { verdict: verdictOf(checks), checks, flow: facts.flow, flowInferred: facts.flowInferred };
}

/** Any failure: cannot use. Otherwise any unknown: cannot tell. Otherwise: can use. */
export function verdictOf(checks: readonly DoctorCheck[]): Verdict {
  const gating = checks.filter((c) => !NON_GATING.has(c.id));
  if (gating.some((c) => c.status === 'fail')) return 'cannot-use';
  if (gating.some((c) => c.status === 'unknown')) return 'cannot-tell';
  return 'can-use';
}

function withSources(part: Part, sources: SourceCoverage[]): Omit<DoctorCheck, 'id'> {
  // A skipped check read nothing worth showing.
  const shown = part.status === 'skipped' ? [] : (part.sources ?? sources);
  return { status: part.status, reason: part.reason, tokens: part.tokens, fix: part.fix, sources: dedupe(shown) };
}

function dedupe(sources: SourceCoverage[]): SourceCoverage[] {
  const seen = new Map<string, SourceCoverage>();
  for (const s of sources) if (!seen.has(s.source)) seen.set(s.source, s);
  return [...seen.values()];
}

// ---- app installed, and the September 2025 rule for uninstalled apps --------------------------------

function installedCheck(f: DoctorFacts): Part {
  if (f.app.installed) return result('pass', 'installed', [f.app.name]);
  if (f.flow === 'device') return result('fail', 'uninstalled-device', [f.app.name], 'install-app');
  if (!f.user) {
    const holders = f.tokens.value?.holders ?? null;
    const approvers = f.approvers?.value ?? null;
    if (holders === null || approvers === null) return unread('uninstalled-unread');
    if (holders === 0 && approvers === 0) return result('fail', 'uninstalled-nobody', [f.app.name], 'install-app');
    return result('pass', 'uninstalled-restricted', [f.app.name, holders, approvers], null);
  }
  const holds = f.tokens.value?.userHolds ?? null;
  if (holds === true) return result('pass', 'uninstalled-authorized', [f.app.name, f.user.username]);
  const approve = f.user.permissions.value?.approveUninstalled ?? null;
  if (approve === true) return result('pass', 'uninstalled-approver', [f.app.name, f.user.username]);
  if (holds === null || approve === null) return unread(holds === null ? 'uninstalled-tokens-unread' : 'uninstalled-permission-unread', 'install-app');
  return result('fail', 'uninstalled-new-user', [f.app.name, f.user.username], 'install-app');
}

// ---- Permitted Users and the user's grant path -------------------------------------------------------

function permittedUsersOf(f: DoctorFacts): PermittedUsers | null {
  if (f.policy.value) return f.policy.value.permittedUsers;
  // Without the metadata only the sObject's "admin approved" is trusted: its flag has been seen false for apps that
  // are admin-approved (reference §3), so a "self-authorize" read from it would be a guess that passes users.
  return f.app.permittedUsers === 'admin-approved' ? 'admin-approved' : null;
}

function permittedUsersCheck(f: DoctorFacts): Part {
  if (!f.app.installed) return result('skipped', 'uninstalled');
  // Client credentials act as the run-as user (run-as-user); the reference does not say Permitted Users gates them.
  if (f.flow === 'client-credentials') return result('info', 'client-credentials');
  const permitted = permittedUsersOf(f);
  if (permitted === null) return unread();
  if (permitted === 'all-self-authorize') {
    if (!f.user) return result('pass', 'self-authorize-everyone');
    // A bearer token request has no approval page: the user must have approved the app before (a token exists).
    if (f.flow && BEARER_FLOWS.has(f.flow)) {
      const holds = f.tokens.value?.userHolds ?? null;
      if (holds === null) return unread('self-authorize-tokens-unread');
      if (!holds) return result('fail', 'self-authorize-not-approved', [f.user.username, f.flow], 'pre-authorize');
    }
    return result('pass', 'self-authorize');
  }
  const access = f.access.value;
  if (!access) return unread('access-unread');
  if (!f.user) {
    if (access.grants.length === 0) return result('fail', 'no-grants', [f.app.name], 'assign-access-app');
    if (access.activeUserCount === 0) return result('fail', 'no-active-users', [access.grants], 'assign-access-app');
    return result('pass', 'granted-count', [access.activeUserCount, access.grants]);
  }
  const paths = access.userPaths ?? [];
  if (paths.length === 0) return result('fail', 'not-granted', [f.user.username, f.user.profileName ?? '—'], 'assign-access');
  return result('pass', 'granted', [f.user.username, paths]);
}

// ---- the user ------------------------------------------------------------------------------------------

/** Client credentials run as the app's run-as user (run-as-user checks that one), whoever --username names. */
const runsAsRunAsUser = (f: DoctorFacts): boolean => f.flow === 'client-credentials' && f.user !== null;

function userActiveCheck(f: DoctorFacts): Part {
  if (!f.user) return result('skipped', 'no-user');
  if (runsAsRunAsUser(f)) return result('skipped', 'client-credentials', [f.user.username]);
  return f.user.active ? result('pass', 'active', [f.user.username]) : result('fail', 'inactive', [f.user.username], 'activate-user');
}

function userFrozenCheck(f: DoctorFacts): Part {
  if (!f.user) return result('skipped', 'no-user');
  if (runsAsRunAsUser(f)) return result('skipped', 'client-credentials', [f.user.username]);
  const frozen = f.user.frozen.value;
  if (frozen === null) return unread();
  return frozen ? result('fail', 'frozen', [f.user.username], 'unfreeze-user') : result('pass', 'not-frozen', [f.user.username]);
}

function apiEnabledCheck(f: DoctorFacts): Part {
  if (!f.user) return result('skipped', 'no-user');
  if (runsAsRunAsUser(f)) return result('skipped', 'client-credentials', [f.user.username]);
  const enabled = f.user.permissions.value?.apiEnabled ?? null;
  if (enabled === null) return unread();
  return enabled ? result('pass', 'enabled', [f.user.username]) : result('fail', 'disabled', [f.user.username, f.user.profileName ?? '—'], 'enable-api');
}

// ---- the flow on the app -----------------------------------------------------------------------------

function flowCheck(f: DoctorFacts): Part {
  if (!f.app.installed) return result('skipped', 'uninstalled');
  const policy = f.policy.value;
  // Without OAuth no flow works: that fails whatever the flow (and with none given).
  if (policy && !policy.hasOauth) return result('fail', 'oauth-off', [f.app.name], 'enable-oauth');
  if (!f.flow) return result('skipped', 'no-flow');
  if (!policy) return unread();
  const flow = f.flow;
  switch (flow) {
    case 'jwt-bearer':
      return policy.flows.jwtCertificate ? result('pass', 'jwt-certificate') : result('fail', 'no-certificate', [f.app.name], 'add-certificate');
    case 'client-credentials':
      return policy.flows.clientCredentials.enabled ? result('pass', 'client-credentials-on') : result('fail', 'client-credentials-off', [f.app.name], 'enable-client-credentials');
    case 'refresh-token':
      return policy.scopes.some((s) => s === 'RefreshToken' || s === 'OfflineAccess')
        ? result('pass', 'refresh-scope')
        : result('fail', 'no-refresh-scope', [f.app.name], 'add-refresh-scope');
    case 'web-server':
    case 'user-agent':
      return policy.callbackUrls.length > 0 ? result('pass', 'callback', [flow]) : result('fail', 'no-callback', [f.app.name, flow], 'add-callback');
    case 'device':
      // ConnectedApp metadata has no device-flow field (reference §1); only ECA metadata says.
      if (policy.flows.deviceFlow === null) return result('unknown', 'device-not-in-metadata', [f.app.name], 'enable-device-flow');
      return policy.flows.deviceFlow ? result('pass', 'device-on') : result('fail', 'device-off', [f.app.name], 'enable-device-flow');
    case 'token-exchange':
      return policy.flows.tokenExchange ? result('pass', 'token-exchange-on') : result('fail', 'token-exchange-off', [f.app.name], 'enable-token-exchange');
    case 'username-password':
    case 'saml-bearer':
      return result('pass', 'oauth-on', [flow]);
  }
}

function runAsCheck(f: DoctorFacts): Part {
  const policy = f.policy.value;
  const relevant = f.flow === 'client-credentials' || (f.flow === null && !f.user && policy?.flows.clientCredentials.enabled === true);
  if (!relevant || !f.app.installed) return result('skipped', 'not-client-credentials');
  if (!policy) return unread('metadata-unread');
  if (!policy.flows.clientCredentials.enabled) return result('skipped', 'not-client-credentials');
  const name = policy.flows.clientCredentials.runAsUser;
  if (!name) return result('fail', 'no-run-as-user', [f.app.name], 'set-run-as-user');
  const user = f.runAsUser.value;
  if (!user) return unread();
  if (!user.found) return result('fail', 'run-as-missing', [name], 'set-run-as-user');
  if (!user.active) return result('fail', 'run-as-inactive', [user.username], 'activate-run-as-user');
  return result('pass', user.apiOnly ? 'run-as-active' : 'run-as-active-not-api-only', [user.username]);
}

// ---- IP restrictions ---------------------------------------------------------------------------------

/** How the app's relaxation applies to this flow: relaxed (pass), relaxed only from the app's trusted ranges, or enforced. */
function ipMode(relaxation: IpRelaxation, flow: DoctorFlow | null, appRanges: number): 'relaxed' | 'relax-refresh' | 'trusted-ranges' | 'enforced' {
  if (flow && BEARER_FLOWS.has(flow)) return 'enforced';
  if (relaxation === 'BYPASS') return 'relaxed';
  if (relaxation === 'BYPASS_2FACTOR' && flow === 'web-server') return appRanges > 0 ? 'trusted-ranges' : 'relaxed';
  if (relaxation === 'ENFORCE_RELAXREFRESH' && flow === 'refresh-token') return 'relax-refresh';
  return 'enforced';
}

function ipCheck(f: DoctorFacts): Part {
  if (f.user && runsAsRunAsUser(f)) return result('skipped', 'client-credentials', [f.user.username]);
  const profiles = f.user ? (f.user.profileName ? [f.user.profileName] : []) : profilesOfGrants(f);
  if (!f.user && !f.sourceIp) return result('skipped', 'no-ip-app-alone');
  // Granted through permission sets only, the users' profiles (which hold the ranges) are not known here.
  if (!f.user && profiles.length === 0) return result('skipped', 'no-profile-grants');
  const rangesByProfile = f.profileIpRanges.value;
  if (!rangesByProfile) return unread();
  if (profiles.some((p) => !rangesByProfile.has(p))) return unread();
  const ranged = profiles.filter((p) => (rangesByProfile.get(p) ?? []).length > 0);
  if (ranged.length === 0) return result('pass', 'no-profile-ranges', [profiles.join(', ') || '—']);
  const bearer = f.flow !== null && BEARER_FLOWS.has(f.flow);
  const policy = f.policy.value;
  if (!bearer && !policy && f.app.installed) return unread('relaxation-unread');
  // An uninstalled app has no policy: the org's restrictions apply as they are.
  const mode = ipMode(policy?.ipRelaxation ?? 'ENFORCE', f.flow, policy?.ipRanges.length ?? 0);
  const relaxation = policy?.ipRelaxation ?? 'ENFORCE';
  if (mode === 'relaxed') return f.flow ? result('pass', 'relaxed', [relaxation, f.flow]) : result('pass', 'relaxed-any-flow', [relaxation]);
  if (mode === 'relax-refresh') return result('pass', 'relaxed-refresh');
  const ips = ipsToTest(f);
  if (ips === null) return unread('ip-unread', 'read-login-history');
  if (ips.length === 0) return result('unknown', 'no-ip', [], 'give-source-ip');
  const ranges = mode === 'trusted-ranges' ? (policy?.ipRanges ?? []) : ranged.flatMap((p) => rangesByProfile.get(p) ?? []);
  const outside = ips.filter((ip) => {
    const parsed = parseIp(ip);
    return !parsed || !inAnyRange(parsed, ranges);
  });
  const where = mode === 'trusted-ranges' ? 'trusted' : 'profile';
  if (outside.length === 0) return result('pass', `inside-${where}`, [ips.join(', '), ranged.join(', ')]);
  const fix: FixId = mode === 'trusted-ranges' ? 'add-trusted-ip-range' : bearer ? 'add-login-ip-range' : 'relax-ip';
  // The app relaxes nothing: say so, not that its relaxation "does not apply" to some flow.
  if (mode !== 'trusted-ranges' && relaxation === 'ENFORCE') return result('fail', 'outside-enforced', [outside.join(', '), ranged.join(', ')], fix);
  const reason = mode === 'trusted-ranges' ? 'outside-trusted' : bearer ? 'outside-bearer' : 'outside-profile';
  return result('fail', reason, [outside.join(', '), ranged.join(', '), relaxation, f.flow ?? '—'], fix);
}

function profilesOfGrants(f: DoctorFacts): string[] {
  return (f.access.value?.grants ?? []).filter((g) => g.kind === 'profile').map((g) => g.holderName);
}

/** --source-ip, else the distinct IPs of the user's recent logins to this app (else to anything); null when unread. */
function ipsToTest(f: DoctorFacts): string[] | null {
  if (f.sourceIp) return [f.sourceIp];
  const attempts = f.loginAttempts.value;
  if (!attempts || !f.user) return null;
  const mine = attempts.filter((a) => a.userId === f.user?.id);
  const forApp = mine.filter((a) => isForApp(a, f.app));
  const chosen = forApp.length ? forApp : mine;
  return [...new Set(chosen.flatMap((a) => (a.sourceIp ? [a.sourceIp] : [])))].slice(0, 5);
}

// ---- evidence: last login attempts and tokens --------------------------------------------------------

export function isForApp(attempt: LoginAttempt, app: Pick<DoctorApp, 'label' | 'apiName'>): boolean {
  // LoginHistory.Application holds the app's name for OAuth logins (community practice, reference §4).
  const name = attempt.application?.toLowerCase();
  return name !== undefined && (name === app.label.toLowerCase() || name === app.apiName?.toLowerCase());
}

/** The user's (or everyone's) attempts at this app, newest first. */
export function attemptsForApp(attempts: readonly LoginAttempt[], app: Pick<DoctorApp, 'label' | 'apiName'>, userId: string | null): LoginAttempt[] {
  return attempts.filter((a) => isForApp(a, app) && (userId === null || a.userId === userId)).sort((a, b) => b.loginTime.localeCompare(a.loginTime));
}

const succeeded = (a: LoginAttempt): boolean => a.status === 'Success';

function loginCheck(f: DoctorFacts): Part {
  const attempts = f.loginAttempts.value;
  if (!attempts) return unread('unread', 'read-login-history');
  const forApp = attemptsForApp(attempts, f.app, f.user?.id ?? null);
  if (forApp.length === 0) return result('info', 'none');
  const failures = forApp.filter((a) => !succeeded(a)).length;
  if (!f.user) return result('info', 'app-summary', [forApp.length, failures, forApp[0].loginTime]);
  const last = forApp[0];
  if (succeeded(last)) return result('pass', 'last-succeeded', [last.loginTime, last.loginSubType ?? '—', last.sourceIp ?? '—']);
  // History, not the setup as it is now: a failure before a fix must not keep the verdict at "cannot use".
  return result('info', 'last-failed', [last.loginTime, last.status ?? '—', last.loginSubType ?? '—', last.sourceIp ?? '—']);
}

function tokenCheck(f: DoctorFacts): Part {
  const tokens = f.tokens.value;
  if (!tokens) return unread();
  if (!f.user) return result('info', tokens.holders ? 'app-holders' : 'app-none', [tokens.holders, tokens.lastUsedDate ?? '—']);
  return tokens.userHolds ? result('info', 'user-holds', [f.user.username, tokens.userLastUsedDate ?? '—']) : result('info', 'user-none', [f.user.username]);
}
