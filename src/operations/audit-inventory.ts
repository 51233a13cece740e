/*
 * Builds the audit's view of an org: the inventory (apps, names, assignments), every app's full policy
 * from metadata (10 names a call, 4 calls at a time), and the optional sources (tokens, logins, users,
 * IP ranges). Requests: 3 + ceil(apps / 10) + 3 for who can use the apps (src/adapters/access-resolver.ts) + about 12 + ceil(assigned profiles / 10) when profile IP ranges come
 * from Profile metadata, whatever the number of tokens or users.
 * Optional sources that are refused become coverage notes; the audit never fails on them.
 */
import { Messages, type Connection } from '@salesforce/core';
import { errorCodeOf, isSourceUnavailable, isTransient, messageOf, queryAll } from '../adapters/api.js';
import { readAppPolicyModels, readInventory } from '../adapters/connected-apps.js';
import { resolveAppAccess, type AppAccess } from '../adapters/access-resolver.js';
import { readLoginUsage } from '../adapters/logins.js';
import {
  readAdminProfiles,
  readPermissionFields,
  readPrivilegedGrants,
  readProfileIpRanges,
  readRunAsUsers,
  type Optional,
  type PrivilegedGrant,
  type ProfileFacts,
} from '../adapters/people.js';
import { readTokenHolders, readTokenUsage, type AppTokenUsage } from '../adapters/tokens.js';
import { DEFAULT_AUDIT_OPTIONS, type AuditApp, type AuditHolder, type AuditInventory, type AuditOptions, type Evidence, type LoginEvidence } from '../domain/audit/model.js';
import { coverageForError, type SourceCoverage } from '../domain/coverage.js';
import { findApps, type InventoryApp } from '../domain/access/inventory.js';
import { id15, normaliseName, sameId } from '../domain/names.js';
import type { AppKind, AppPolicy } from '../domain/policy/policy.js';
import { appsOfKind, resolveApps } from './resolve-apps.js';
import { ECA_HEADER_PARTS, ECA_POLICY_PARTS } from '../adapters/external-client-apps.js';
import { readApiCallsByApp, type ApiCallsByApp } from './usage.js';

const DAY_MS = 86_400_000;
Messages.importMessagesDirectoryFromMetaUrl(import.meta.url);
const coverageText = Messages.loadMessages('plugin-connectedapp', 'connectedapp.coverage');


export type Progress = (stage: 'inventory' | 'metadata' | 'usage', done: number, total: number) => void;

/** archiveDir: an archive written by `logs archive`, for the event-log days the org no longer keeps. */
/** type: one kind of app only (both when absent: External Client Apps are read and audited beside connected apps). */
export type OrgAuditInput = { names?: string[]; type?: AppKind; options?: Partial<AuditOptions>; now?: Date; onProgress?: Progress; archiveDir?: string };

export async function readOrgAuditInventory(conn: Connection, input: OrgAuditInput = {}): Promise<AuditInventory> {
  const options = { ...DEFAULT_AUDIT_OPTIONS, ...input.options };
  // LoginHistory must cover the whole "unused" window, or an app could be called unused on missing evidence.
  options.loginDays = Math.max(options.loginDays, options.unusedDays);
  const progress = input.onProgress ?? ((): void => undefined);
  progress('inventory', 0, 1);
  // With --type connected-app the ECAs' headers are still read (names and labels): usage joined by name must know
  // every installed app, or an ECA's logins and tokens would be credited to a connected app of the same label.
  const inventory = await readInventory(conn, { externalClientApps: input.type === 'connected-app' ? ECA_HEADER_PARTS : ECA_POLICY_PARTS });
  const ofType = appsOfKind(inventory.apps, input.type);
  const selected = input.names?.length ? resolveApps(inventory.apps, input.names, input.type) : ofType;
  // An ECA's policy was read with the inventory (all its parts, 10 names a call per type).
  const ecaPolicies = new Map(inventory.externalClientApps.flatMap((eca): Array<[string, AppPolicy]> => (eca.id ? [[eca.id, eca.policy]] : [])));
  progress('inventory', 1, 1);

  // Metadata and the optional sources do not depend on each other: read them together.
  const now = input.now ?? new Date();
  const [policies, tokens, logins, [privileged, adminProfiles], ipRanges, menuItems, activeUsers, apiCalls] = await Promise.all([
    readPolicies(conn, selected.filter((a) => a.kind === 'connected-app'), progress),
    readTokenUsage(conn),
    readLoginUsage(conn, options.loginDays),
    readPermissions(conn),
    readProfileIpRanges(conn, selected.flatMap((a) => a.profiles.map((p) => p.name))),
    readMenuItems(conn),
    // Who can use each app: profiles, permission sets and groups (through their components), counted, not listed.
    resolveAppAccess(conn, selected.map((a) => a.id), { perGrantCounts: true, assignments: selected.flatMap((a) => [...a.profiles, ...a.permissionSets]) }),
    // Optional like every other source: whatever goes wrong reading the logs becomes a coverage note.
    options.eventLogDays > 0
      ? readApiCallsByApp(conn, inventory.apps, { start: new Date(now.getTime() - options.eventLogDays * DAY_MS), end: now }, now, input.archiveDir).catch(
          (error: unknown): ApiCallsByApp => ({ installed: new Map(), notInstalled: new Map(), filesRead: 0, daysCovered: 0, coverage: coverageForError('EventLogFile:ApiTotalUsage', errorCodeOf(error), messageOf(error)) })
        )
      : null,
  ]);
  // No log file in the window says nothing about use: then the logs are not evidence either way.
  // Logs that cover fewer days than the window (free orgs keep ApiTotalUsage one day) are partial: they can show
  // use on the days they cover, never absence over the window.
  if (apiCalls?.coverage.status === 'used' && apiCalls.daysCovered < options.eventLogDays) {
    const covered = coverageText.getMessage('eventLogDaysCovered', [apiCalls.daysCovered, options.eventLogDays, apiCalls.filesRead]);
    // Keep what the read said already (with --archive-dir: which days came from the archive and which from the org).
    apiCalls.coverage = { ...apiCalls.coverage, status: 'partial', detail: apiCalls.coverage.detail ? `${covered}; ${apiCalls.coverage.detail}` : covered };
  }
  const callsRead = apiCalls !== null && apiCalls.filesRead > 0 && ['used', 'capped', 'partial'].includes(apiCalls.coverage.status);
  const callsOf = (key: string, installedApp: boolean): AuditApp['apiCalls'] =>
    callsRead ? ((installedApp ? apiCalls.installed.get(id15(key)) : apiCalls.notInstalled.get(key)) ?? { count: 0, lastSeen: null }) : null;
  progress('usage', 1, 1);

  const runAsNames = [...policies.byApp.values()].flatMap((p) => (p?.flows.clientCredentials.enabled && p.flows.clientCredentials.runAsUser ? [p.flows.clientCredentials.runAsUser] : []));
  const runAsUsers = await readRunAsUsers(conn, runAsNames);

  /**
   * The installed app a token row belongs to: by AppMenuItemId when the row has one, else by name. A name that
   * several installed apps answer to (a shared label, or an ECA's API name, GUESSES.md E10) cannot tell them apart:
   * `shared` then lists them, and the row is credited to none.
   */
  const appOfToken = (usage: AppTokenUsage): { app?: InventoryApp; shared?: InventoryApp[] } => {
    const appId = usage.appMenuItemId ? menuItems.value.get(id15(usage.appMenuItemId)) : undefined;
    const byId = appId ? inventory.apps.find((a) => id15(a.id) === id15(appId)) : undefined;
    if (byId) return { app: byId };
    const byName = inventory.apps.filter(
      (a) =>
        a.label === usage.appName ||
        // What an ECA's tokens carry is not documented (GUESSES.md E10): its API name is its too, never an uninstalled app.
        (a.kind === 'external-client-app' && a.apiName === usage.appName)
    );
    return byName.length > 1 ? { shared: byName } : { app: byName[0] };
  };
  const tokensByApp = new Map<string, AppTokenUsage[]>();
  const uninstalled = new Map<string, AppTokenUsage[]>();
  /** Apps whose token evidence is unknown: rows under a name they share with another installed app (name → apps). */
  const sharedTokenNames = new Map<string, InventoryApp[]>();
  for (const usage of tokens.byApp) {
    const { app, shared } = appOfToken(usage);
    if (shared) {
      sharedTokenNames.set(usage.appName, shared);
      continue;
    }
    const target = app ? tokensByApp : uninstalled;
    const key = app ? app.id : usage.appName;
    target.set(key, [...(target.get(key) ?? []), usage]);
  }
  const selectedIds = new Set(selected.map((a) => a.id));
  const tokensUnknown = new Set([...sharedTokenNames.values()].flatMap((list) => list.map((a) => a.id)));

  // LoginHistory names the app (its label, or its API name): a name several installed apps answer to is not evidence
  // for any of them.
  const appsByName = new Map<string, InventoryApp[]>();
  for (const app of inventory.apps) {
    for (const key of new Set([app.label, app.apiName].filter((n): n is string => !!n).map(normaliseName))) appsByName.set(key, [...(appsByName.get(key) ?? []), app]);
  }
  const sharedLoginNames = new Map<string, { name: string; apps: InventoryApp[] }>();

  // Who holds tokens of uninstalled apps names the people to contact; without it the findings still stand.
  const notes: SourceCoverage[] = [];
  const holders = input.names?.length
    ? new Map<string, string[]>()
    : await readTokenHolders(conn, [...uninstalled.keys()]).catch((error: unknown) => {
        if (!isSourceUnavailable(error) && !isTransient(error)) throw error;
        notes.push(coverageForError('OauthToken:holders', errorCodeOf(error), messageOf(error)));
        return new Map<string, string[]>();
      });

  const tokenEvidence = (usages: AppTokenUsage[] | undefined, holderNames: string[] | null): AuditApp['tokens'] => {
    if (!['used', 'capped', 'partial'].includes(tokens.coverage.status)) return null;
    const list = usages ?? [];
    return {
      tokens: list.reduce((n, u) => n + u.tokens, 0),
      users: list.reduce((n, u) => n + u.users, 0),
      useCount: list.reduce((n, u) => n + u.useCount, 0),
      lastUsedDate: list.map((u) => u.lastUsedDate).filter((d): d is string => !!d).sort().at(-1) ?? null,
      holders: holderNames,
    };
  };
  const loginsFor = (names: Array<string | null>): LoginEvidence[] | null => {
    if (logins.coverage.status === 'not-licensed' || logins.coverage.status === 'no-permission' || logins.coverage.status === 'failed') return null;
    const keys = new Set(names.filter((n): n is string => !!n).map(normaliseName));
    const rows = logins.byApp.filter((l) => keys.has(normaliseName(l.application)));
    const shared = rows.filter((l) => (appsByName.get(normaliseName(l.application))?.length ?? 0) > 1);
    if (shared.length > 0) {
      for (const l of shared) sharedLoginNames.set(normaliseName(l.application), { name: l.application, apps: appsByName.get(normaliseName(l.application)) ?? [] });
      return null;
    }
    return rows.map(({ application: _a, ...rest }) => rest);
  };

  const apps: AuditApp[] = selected.map((app) => {
    const policy = (app.kind === 'external-client-app' ? ecaPolicies.get(app.id) : policies.byApp.get(app.id)) ?? null;
    const runAs = policy?.flows.clientCredentials.runAsUser;
    return {
      key: app.apiName ?? app.label,
      apiName: app.apiName,
      label: app.label,
      id: app.id,
      installed: true,
      namespacePrefix: app.namespacePrefix,
      policy,
      file: null,
      holders: holdersOf(app, activeUsers.apps.get(app.id)),
      tokens: tokensUnknown.has(app.id) ? null : tokenEvidence(tokensByApp.get(app.id), null),
      logins: loginsFor([app.label, app.apiName]),
      apiCalls: callsOf(app.id, true),
      runAsUser: runAs && runAsUsers.coverage.status === 'used' ? (runAsUsers.value.get(runAs.toLowerCase()) ?? { username: runAs, found: false, active: false, profileName: null, apiOnly: false, administrator: false }) : null,
      kind: app.kind,
      // A command naming this app by its key would be refused as ambiguous: the findings' commands then say --type.
      ...(new Set(findApps(inventory.apps, app.apiName ?? app.label).map((a) => a.kind)).size > 1 ? { nameShared: true } : {}),
    };
  });
  // Apps in use but not installed are connected apps (OAuth tokens, logins, logs name no ECA that is not installed).
  if (!input.names?.length && input.type !== 'external-client-app') {
    for (const [appName, usages] of uninstalled) {
      apps.push({
        key: appName,
        apiName: null,
        label: appName,
        id: null,
        installed: false,
        namespacePrefix: null,
        policy: null,
        file: null,
        holders: null,
        tokens: tokenEvidence(usages, holders.get(appName) ?? null),
        logins: loginsFor([appName]),
        apiCalls: callsOf(appName, false),
        runAsUser: null,
      });
    }
    // Apps seen only in the API usage logs: in use, but neither installed nor holding tokens.
    for (const [appName, calls] of callsRead ? apiCalls.notInstalled : []) {
      if (uninstalled.has(appName)) continue;
      apps.push({ key: appName, apiName: null, label: appName, id: null, installed: false, namespacePrefix: null, policy: null, file: null, holders: null, tokens: tokenEvidence([], null), logins: loginsFor([appName]), apiCalls: calls, runAsUser: null });
    }
    // Apps seen only in OAuth logins (LoginSubType Oauth…): in use and not installed. This finds them even when
    // OauthToken cannot be read; a name that matches an installed app is that app.
    const seen = new Set(apps.flatMap((a) => [a.label, a.apiName]).filter((n): n is string => !!n).map(normaliseName));
    for (const appName of new Set(logins.byApp.filter((l) => l.application && /^oauth/i.test(l.loginSubType ?? '')).map((l) => l.application))) {
      if (seen.has(normaliseName(appName)) || inventory.apps.some((a) => [a.label, a.apiName].some((n) => n && normaliseName(n) === normaliseName(appName)))) continue;
      seen.add(normaliseName(appName));
      apps.push({ key: appName, apiName: null, label: appName, id: null, installed: false, namespacePrefix: null, policy: null, file: null, holders: null, tokens: tokenEvidence([], null), logins: loginsFor([appName]), apiCalls: callsOf(appName, false), runAsUser: null });
    }
  }

  const coverage: SourceCoverage[] = [
    ...inventory.coverage,
    policies.coverage,
    tokens.coverage,
    logins.coverage,
    ...activeUsers.coverage,
    privileged.coverage,
    adminProfiles.coverage,
    ipRanges.coverage,
    menuItems.coverage,
    runAsUsers.coverage,
    ...notes,
    ...sharedNameNotes('OauthToken:shared-name', [...sharedTokenNames].filter(([, list]) => list.some((a) => selectedIds.has(a.id))).map(([name, list]) => ({ name, apps: list }))),
    ...sharedNameNotes('LoginHistory:shared-name', [...sharedLoginNames.values()]),
    ...(apiCalls ? [{ ...apiCalls.coverage, detail: apiCalls.coverage.detail ?? coverageText.getMessage('eventLogFiles', [apiCalls.filesRead, options.eventLogDays]) }] : []),
  ];
  const evidence: Evidence[] = ['installState'];
  if (policies.coverage.status === 'used') evidence.push('metadata');
  evidence.push('assignments');
  if (activeUsers.coverage.every((c) => c.status === 'used')) evidence.push('activeUsers');
  if (['used', 'capped', 'partial'].includes(tokens.coverage.status)) evidence.push('tokens');
  if (logins.coverage.status === 'used' || logins.coverage.status === 'capped') evidence.push('logins');
  if (runAsUsers.coverage.status === 'used') evidence.push('users');
  if (privileged.coverage.status === 'used' && adminProfiles.coverage.status === 'used') evidence.push('permissions');
  if (ipRanges.coverage.status === 'used') evidence.push('ipRanges');
  if (callsRead) evidence.push('apiCalls');
  // The org's own profile and permission set names are, by definition, the org's.
  evidence.push('orgNames');

  return {
    mode: 'org',
    now: now.toISOString(),
    apps,
    privilegedUsers: privileged.coverage.status === 'used' ? privileged.value.map((g) => ({ ...g, administrator: g.modifyAllData })) : null,
    adminProfiles: adminProfiles.coverage.status === 'used' ? adminProfiles.value.map((p) => ({ name: p.name, approveUninstalledConnectedApps: p.approveUninstalledConnectedApps })) : null,
    // Each profile in the map was read completely (a profile the org could not give is missing: unknown, not "none").
    profileIpRanges: ipRanges.coverage.status === 'used' ? new Map([...ipRanges.value].map(([name, list]): [string, number] => [name, list.length])) : null,
    evidence,
    coverage,
    parseErrors: [],
    options,
  };
}

/**
 * Usage rows joined by a name several installed apps answer to: credited to none of them, so each of those apps'
 * evidence from that source is unknown (and CA402 "unused" is not evaluated for them). One note per source.
 */
function sharedNameNotes(source: string, shared: ReadonlyArray<{ name: string; apps: readonly InventoryApp[] }>): SourceCoverage[] {
  if (shared.length === 0) return [];
  const kindText = (app: InventoryApp): string => coverageText.getMessage(`sharedName.kind.${app.kind}`);
  const names = shared.map(({ name, apps }) => coverageText.getMessage('sharedName.entry', [name, apps.map((a) => `${a.apiName ?? a.label} (${kindText(a)})`).join(', ')]));
  return [{ source, status: 'partial', detail: coverageText.getMessage('sharedName', [names.join('; ')]) }];
}

/**
 * The app's holders with their active users: every grant the resolver found (groups included, reached through their
 * components). Active users are null when any access source could not be read; without the resolver's grants the
 * inventory's assignments stand, counts unknown.
 */
function holdersOf(app: InventoryApp, access: AppAccess | undefined): AuditHolder[] {
  if (!access?.grantsComplete) return [...app.profiles, ...app.permissionSets].map((h) => ({ kind: h.kind, name: h.name, label: h.label, activeUsers: null }));
  return access.grants.map((g) => ({
    kind: g.kind,
    name: g.holderName,
    label: app.profiles.find((h) => sameId(h.permissionSetId, g.permissionSetId) && g.kind === 'profile')?.label ?? app.permissionSets.find((h) => sameId(h.permissionSetId, g.permissionSetId) && g.kind !== 'permission-set-group')?.label ?? g.holderName,
    activeUsers: access.usersComplete ? g.activeUserCount : null,
    ...(g.viaPermissionSet ? { via: g.viaPermissionSet.name } : {}),
  }));
}

/**
 * Who holds the bypass permissions and which administrator profiles lack the approval: after one describe of
 * PermissionSet, so that only permission fields this org has are queried.
 */
async function readPermissions(conn: Connection): Promise<[Optional<PrivilegedGrant[]>, Optional<ProfileFacts[]>]> {
  const fields = await readPermissionFields(conn);
  if (!fields.value) {
    const note = (source: string): SourceCoverage => ({ ...fields.coverage, source });
    return [
      { value: [], coverage: note('PermissionSetAssignment:privileged') },
      { value: [], coverage: note('Profile') },
    ];
  }
  return Promise.all([readPrivilegedGrants(conn, fields.value), readAdminProfiles(conn, fields.value)]);
}

/** Every selected app's policy from its metadata; an org that refuses the Metadata API becomes a coverage note. */
async function readPolicies(
  conn: Connection,
  apps: readonly InventoryApp[],
  progress: Progress
): Promise<{ byApp: Map<string, AppPolicy | null>; coverage: SourceCoverage }> {
  const source = 'readMetadata:ConnectedApp';
  let read: Map<string, AppPolicy | null>;
  try {
    progress('metadata', 0, apps.length);
    // Policies only: at thousands of apps, keeping every metadata tree until the last call answers dominates memory.
    read = await readAppPolicyModels(conn, apps);
    progress('metadata', apps.length, apps.length);
  } catch (error) {
    if (!isSourceUnavailable(error)) throw error;
    return { byApp: new Map(), coverage: coverageForError(source, errorCodeOf(error), messageOf(error)) };
  }
  // The org's answer is authoritative: an element it leaves out holds the documented default, so no
  // field counts as "not stated" here (unlike a file, which may simply predate the field).
  const byApp = new Map([...read].map(([id, policy]): [string, AppPolicy | null] => [id, policy ? { ...policy, defaulted: [] } : null]));
  const missing = [...byApp.values()].filter((p) => p === null).length;
  return { byApp, coverage: { source, status: 'used', detail: missing ? coverageText.getMessage('appsWithoutMetadata', [missing]) : undefined } };
}

/** AppMenuItem Id → ConnectedApplication Id, to join OauthToken.AppMenuItemId to apps. */
async function readMenuItems(conn: Connection): Promise<Optional<Map<string, string>>> {
  try {
    const rows = await queryAll<{ Id: string; ApplicationId: string | null }>(conn, "SELECT Id, ApplicationId FROM AppMenuItem WHERE Type = 'ConnectedApplication'");
    return { value: new Map(rows.records.filter((r) => r.ApplicationId).map((r) => [id15(r.Id), r.ApplicationId ?? ''])), coverage: { source: 'AppMenuItem', status: 'used' } };
  } catch (error) {
    if (!isSourceUnavailable(error)) throw error;
    return { value: new Map(), coverage: coverageForError('AppMenuItem', errorCodeOf(error), messageOf(error)) };
  }
}
