/*
 * doctor: read what the checks need (every optional source becomes coverage, never a guess), run the pure chain
 * (src/domain/access/doctor.ts) and word it through messages. Requests: the inventory (3), then in parallel the app's
 * metadata (1), its access (the resolver), the user's UserLogin, permissions, tokens and login attempts, then the
 * profile IP ranges and, for client credentials, the run-as user.
 */
import { Messages, type Connection } from '@salesforce/core';
import { errorCodeOf, isSourceUnavailable, messageOf } from '../adapters/api.js';
import { resolveAppAccess } from '../adapters/access-resolver.js';
import { readAppPolicies, readInventory } from '../adapters/connected-apps.js';
import { ECA_LIST_SOURCE, ECA_POLICY_PARTS } from '../adapters/external-client-apps.js';
import { readLoginAttempts, type LoginAttemptRow } from '../adapters/logins.js';
import {
  countApprovers,
  readProfileIpRanges,
  readRunAsUsers,
  readUserByUsername,
  readUserFrozen,
  readUserPermissionsOptional,
  type UserRecord,
} from '../adapters/people.js';
import { readAppTokenFacts, tokenAppNames } from '../adapters/tokens.js';
import { EXIT } from '../exit-codes.js';
import { coverageForError, type SourceCoverage } from '../domain/coverage.js';
import {
  attemptsForApp,
  CHECK_ORDER,
  diagnose,
  flowOfLoginSubType,
  type AccessFacts,
  type CheckStatus,
  type DoctorApp,
  type DoctorFlow,
  type FixId,
  type GrantPath,
  type LoginAttempt,
  type Read,
  type Token,
  type UserFacts,
  type Verdict,
} from '../domain/access/doctor.js';
import { findApps, type InventoryApp } from '../domain/access/inventory.js';
import type { AppKind, AppPolicy } from '../domain/policy/policy.js';
import { appsOfKind, resolveApps, withOtherKind } from './resolve-apps.js';

Messages.importMessagesDirectoryFromMetaUrl(import.meta.url);
const messages = Messages.loadMessages('plugin-connectedapp', 'connectedapp.doctor');

/** Days of LoginHistory read for the last attempts and recent IPs. */
export const LOGIN_DAYS = 30;

export type DoctorOptions = { name: string; username: string | null; flow: DoctorFlow | null; sourceIp: string | null; type?: AppKind };

export type DoctorCheckResult = {
  id: string;
  status: CheckStatus;
  message: string;
  /** What the check read, with each source's coverage. */
  sources: SourceCoverage[];
  /** For a failure (or an unknown that a step would settle): the fix in Setup and the command, if the plugin has one. */
  fix: { setup: string; command: string | null } | null;
};

export type ConnectedAppDoctorResult = {
  app: { type: AppKind; name: string; label: string; id: string | null; apiName: string | null; installed: boolean };
  user: { username: string; id: string; active: boolean; profile: string | null } | null;
  flow: DoctorFlow | null;
  /** The flow was taken from the user's last login to the app. */
  flowInferred: boolean;
  sourceIp: string | null;
  verdict: Verdict;
  checks: DoctorCheckResult[];
  coverage: SourceCoverage[];
};

export async function runDoctor(conn: Connection, options: DoctorOptions): Promise<ConnectedAppDoctorResult> {
  const [inventory, user] = await Promise.all([
    // Access is read by the resolver below (a refusal there is an "unknown" check, not a failed run).
    readInventory(conn, { externalClientApps: options.type === 'connected-app' ? undefined : ECA_POLICY_PARTS, access: false }),
    options.username ? findUser(conn, options.username) : Promise.resolve(null),
  ]);
  const userId = user?.id ?? null;
  const attemptsRead = readLoginAttempts(conn, LOGIN_DAYS, userId);
  const app = await findApp(conn, inventory.apps, options.name, options.type, attemptsRead);
  // An ECA's policy was read with the inventory (its metadata parts).
  const ecaPolicy = app.kind === 'external-client-app' ? (inventory.externalClientApps.find((e) => e.id === app.id)?.policy ?? null) : undefined;

  const [policy, access, frozen, permissions, tokens, attempts, approvers] = await Promise.all([
    ecaPolicy === undefined ? readPolicy(conn, app) : Promise.resolve<Read<AppPolicy>>({ value: ecaPolicy, coverage: ecaPolicyCoverage(inventory.coverage) }),
    readAccess(conn, app, userId),
    user ? readUserFrozen(conn, user.id) : null,
    user ? readUserPermissionsOptional(conn, user.id, ['ApiEnabled', 'CanApproveUninstalledApps']) : null,
    readAppTokenFacts(conn, [...new Set([app.label, ...(app.apiName ? [app.apiName] : [])])], userId),
    attemptsRead,
    !user && !app.installed ? countApprovers(conn) : null,
  ]);

  const loginAttempts: LoginAttempt[] = attempts.rows.map(toAttempt);
  const inferred = options.flow ? null : user ? flowOfLoginSubType(attemptsForApp(loginAttempts, app, user.id)[0]?.loginSubType ?? null) : null;
  const flow = options.flow ?? inferred;

  const profiles = user ? (user.profileName ? [user.profileName] : []) : (access.value?.grants ?? []).filter((g) => g.kind === 'profile').map((g) => g.holderName);
  const runAsName = policy.value?.flows.clientCredentials.enabled ? policy.value.flows.clientCredentials.runAsUser : null;
  const [ranges, runAs] = await Promise.all([
    profiles.length && (user || options.sourceIp) ? readProfileIpRanges(conn, profiles) : Promise.resolve({ value: new Map(), coverage: { source: 'readMetadata:Profile', status: 'used' as const } }),
    runAsName ? readRunAsUsers(conn, [runAsName]) : Promise.resolve(null),
  ]);

  const userFacts: UserFacts | null = user
    ? {
        id: user.id,
        username: user.username,
        active: user.active,
        profileName: user.profileName,
        frozen: frozen ? { value: frozen.value, coverage: frozen.coverage } : { value: null, coverage: { source: 'UserLogin', status: 'failed' } },
        permissions: permissions?.value
          ? { value: { apiEnabled: permissions.value.get('ApiEnabled') ?? null, approveUninstalled: permissions.value.get('CanApproveUninstalledApps') ?? null }, coverage: permissions.coverage }
          : { value: null, coverage: permissions?.coverage ?? { source: 'PermissionSetAssignment', status: 'failed' } },
      }
    : null;
  const runAsUser = runAs?.value.get(runAsName?.toLowerCase() ?? '');
  const diagnosis = diagnose({
    app,
    appCoverage: app.kind === 'external-client-app' ? { source: ECA_LIST_SOURCE, status: 'used' } : { source: 'ConnectedApplication', status: 'used' },
    policy,
    access,
    user: userFacts,
    flow,
    flowInferred: inferred !== null,
    sourceIp: options.sourceIp,
    profileIpRanges: { value: ranges.coverage.status === 'used' ? ranges.value : null, coverage: ranges.coverage },
    loginAttempts: { value: attempts.coverage.status === 'used' || attempts.coverage.status === 'capped' ? loginAttempts : null, coverage: attempts.coverage },
    tokens,
    runAsUser: runAs
      ? { value: runAs.coverage.status === 'used' ? (runAsUser ? { ...runAsUser, found: true } : { username: runAsName ?? '', found: false, active: false, apiOnly: false }) : null, coverage: runAs.coverage }
      : { value: null, coverage: { source: 'User', status: 'used' } },
    approvers: approvers ? { value: approvers.value, coverage: approvers.coverage } : null,
  });

  const context = { app, user };
  const checks = CHECK_ORDER.map((id) => diagnosis.checks.find((c) => c.id === id)).flatMap((c) =>
    c
      ? [
          {
            id: c.id,
            status: c.status,
            message: messages.getMessage(`check.${c.id}.${c.reason}`, c.tokens.map(wordToken)),
            sources: c.sources,
            fix: c.fix && (c.status === 'fail' || c.status === 'unknown') ? fixFor(c.fix, context) : null,
          },
        ]
      : []
  );
  const coverage = [...new Map([...inventory.coverage, ...checks.flatMap((c) => c.sources)].map((s) => [s.source, s])).values()];
  return {
    app: { type: app.kind ?? 'connected-app', name: app.name, label: app.label, id: app.id, apiName: app.apiName, installed: app.installed },
    user: user ? { username: user.username, id: user.id, active: user.active, profile: user.profileName } : null,
    flow,
    flowInferred: inferred !== null,
    sourceIp: options.sourceIp,
    verdict: diagnosis.verdict,
    checks,
    coverage,
  };
}

async function findUser(conn: Connection, username: string): Promise<UserRecord> {
  const user = await readUserByUsername(conn, username);
  if (!user) throw messages.createError('error.UnknownUser', [username], [], EXIT.usage);
  return user;
}

/**
 * The app by API name, label or Id among installed apps; else an uninstalled app the org still names in OauthToken
 * (AppName) or LoginHistory (Application); else the usual unknown-app error with close matches.
 */
async function findApp(conn: Connection, all: readonly InventoryApp[], name: string, type: AppKind | undefined, attempts: ReturnType<typeof readLoginAttempts>): Promise<DoctorApp> {
  const apps = appsOfKind(all, type);
  const found = findApps(apps, name);
  if (found.length > 0) {
    // A name a connected app and an ECA both answer to is refused with both candidates (and --type).
    const a = new Set(found.map((f) => f.kind)).size > 1 ? resolveApps(apps, [name])[0] : found[0];
    return { name: a.apiName ?? a.label, label: a.label, id: a.id, apiName: a.apiName, installed: true, permittedUsers: a.permittedUsers, kind: a.kind };
  }
  // OauthToken refused: the name may still be found in LoginHistory.
  const byToken = await tokenAppNames(conn, [name]).catch((error: unknown) => {
    if (isSourceUnavailable(error)) return new Map<string, string>();
    throw error;
  });
  const uninstalled = byToken.get(name) ?? (await attempts).rows.find((r) => r.Application?.toLowerCase() === name.toLowerCase())?.Application;
  if (uninstalled) return { name: uninstalled, label: uninstalled, id: null, apiName: null, installed: false, permittedUsers: null };
  try {
    // Throws the usual error, with close matches, and under --type the app of the other kind the name selects.
    await withOtherKind(conn, type, all, type !== 'connected-app', (known) => resolveApps(known, [name], type));
  } catch (error) {
    // Exit 1 means "cannot use" here: a name that names nothing is wrong usage.
    throw Object.assign(error as Error, { exitCode: EXIT.usage });
  }
  throw messages.createError('error.UnknownApp', [name], [], EXIT.usage);
}

async function readPolicy(conn: Connection, app: DoctorApp): Promise<Read<AppPolicy>> {
  const source = 'readMetadata:ConnectedApp';
  if (!app.installed) return { value: null, coverage: { source, status: 'not-licensed', detail: messages.getMessage('coverage.uninstalled') } };
  if (!app.id || !app.apiName) return { value: null, coverage: { source, status: 'failed', detail: messages.getMessage('coverage.noApiName') } };
  try {
    const policy = (await readAppPolicies(conn, [{ id: app.id, apiName: app.apiName }])).get(app.id);
    return policy ? { value: policy.policy, coverage: { source, status: 'used' } } : { value: null, coverage: { source, status: 'failed', detail: messages.getMessage('coverage.noComponent') } };
  } catch (error) {
    if (!isSourceUnavailable(error)) throw error;
    return { value: null, coverage: coverageForError(source, errorCodeOf(error), messageOf(error)) };
  }
}

/** The ECA's policy parts as the inventory read them: the first refused part, else read. */
function ecaPolicyCoverage(coverage: readonly SourceCoverage[]): SourceCoverage {
  return coverage.find((c) => c.source.startsWith('readMetadata:') && c.status !== 'used') ?? { source: 'readMetadata:ExtlClntAppOauthConfigurablePolicies', status: 'used' };
}

async function readAccess(conn: Connection, app: DoctorApp, userId: string | null): Promise<Read<AccessFacts>> {
  const source = 'SetupEntityAccess';
  if (!app.id) return { value: null, coverage: { source, status: 'not-licensed', detail: messages.getMessage('coverage.uninstalled') } };
  try {
    const resolution = await resolveAppAccess(conn, [app.id], userId ? { userIds: [userId] } : undefined);
    const appAccess = [...resolution.apps.values()][0] as (typeof resolution.apps extends Map<string, infer V> ? V : never) | undefined;
    const unread = resolution.coverage.find((c) => c.status !== 'used' && c.status !== 'capped');
    const coverage = unread ?? resolution.coverage.find((c) => c.status === 'capped') ?? { source, status: 'used' };
    const toPath = (g: { kind: GrantPath['kind']; holderName: string; viaPermissionSet?: { id: string; name: string } }): GrantPath => ({
      kind: g.kind,
      holderName: g.holderName,
      ...(g.viaPermissionSet ? { viaPermissionSet: { name: g.viaPermissionSet.name } } : {}),
    });
    const userPaths = userId ? (appAccess?.activeUsers.find((u) => u.userId === userId)?.paths ?? []).map(toPath) : null;
    // A missing path proves nothing when a source of paths could not be read; a path found stands.
    if (unread && (userPaths === null || userPaths.length === 0)) return { value: null, coverage: unread };
    return { value: { grants: (appAccess?.grants ?? []).map(toPath), activeUserCount: appAccess?.activeUserCount ?? 0, userPaths }, coverage };
  } catch (error) {
    if (!isSourceUnavailable(error)) throw error;
    return { value: null, coverage: coverageForError(source, errorCodeOf(error), messageOf(error)) };
  }
}

/** Grant paths in words ("permission set group Sales_Bundle (component Field_Sales_Access)"); the rest as text. */
function wordToken(token: Token): string {
  if (!Array.isArray(token)) return String(token);
  return token
    .map((p) => (p.viaPermissionSet ? messages.getMessage('path.via', [messages.getMessage(`path.${p.kind}`, [p.holderName]), p.viaPermissionSet.name]) : messages.getMessage(`path.${p.kind}`, [p.holderName])))
    .join('; ');
}

function toAttempt(r: LoginAttemptRow): LoginAttempt {
  return { application: r.Application, loginSubType: r.LoginSubType, loginTime: r.LoginTime, status: r.Status, sourceIp: r.SourceIp, userId: r.UserId };
}

type FixContext = { app: DoctorApp; user: UserRecord | null };

type FixToken = 'app' | 'user' | 'profile';

/** The names each fix's Setup text takes, in order. */
const SETUP_TOKENS: Readonly<Record<FixId, readonly FixToken[]>> = {
  'install-app': ['app'],
  'approve-uninstalled': ['user'],
  'assign-access': ['app', 'user', 'profile'],
  'assign-access-app': ['app'],
  'pre-authorize': ['app', 'user', 'user'],
  'activate-user': ['user'],
  'unfreeze-user': ['user'],
  'enable-api': ['profile', 'user'],
  'enable-oauth': ['app'],
  'add-certificate': ['app'],
  'enable-client-credentials': ['app'],
  'set-run-as-user': ['app'],
  'activate-run-as-user': ['app'],
  'add-refresh-scope': ['app'],
  'add-callback': ['app'],
  'enable-device-flow': ['app'],
  'enable-token-exchange': ['app'],
  'add-login-ip-range': ['profile'],
  'relax-ip': ['profile', 'app'],
  'add-trusted-ip-range': ['app'],
  'give-source-ip': [],
  'read-login-history': [],
};

/** The Setup steps and the `sf connectedapp` command (where one exists) for a fix, with the names filled in. */
function fixFor(fix: FixId, ctx: FixContext): { setup: string; command: string | null } {
  const value = (t: FixToken): string => (t === 'app' ? ctx.app.name : t === 'user' ? (ctx.user?.username ?? '—') : (ctx.user?.profileName ?? '—'));
  const q = (s: string): string => (/^[\w.@-]+$/.test(s) ? s : `"${s.replace(/(["\\$`])/g, '\\$1')}"`);
  // An ECA is edited in the External Client App Manager, not the App Manager: its own Setup words where they differ.
  const ecaKey = `fix.${fix}.setup.eca`;
  const setupKey = ctx.app.kind === 'external-client-app' && messages.messages.has(ecaKey) ? ecaKey : `fix.${fix}.setup`;
  const setup = messages.getMessage(setupKey, SETUP_TOKENS[fix].map(value));
  const commandKey = `fix.${fix}.command`;
  const command = messages.messages.has(commandKey) ? `sf connectedapp ${messages.getMessage(commandKey, [q(ctx.app.name)])}` : null;
  return { setup, command };
}
