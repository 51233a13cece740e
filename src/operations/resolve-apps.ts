/*
 * Turning the names a user typed (API name, label or Id) into apps, permission sets and profiles, all at
 * once: names longer than the platform allows are refused before any matching, every unknown name is
 * reported in one error with close matches, and a desired state that names an app twice with different
 * values is refused — all before anything else happens.
 */
import { Messages, type Connection, type SfError } from '@salesforce/core';
import { holderNames, type HolderResolution } from '../adapters/access-holders.js';
import { settleDesiredChanges, type DesiredSetting } from '../domain/policy/desired-policy.js';
import { appNames, findApps, type InventoryApp } from '../domain/access/inventory.js';
import { closeMatches, overLongNames, shownName, type NameCandidate, type NameKind } from '../domain/names.js';
import type { PolicyChange } from '../domain/policy/policy-edit.js';
import type { AppKind } from '../domain/policy/policy.js';

Messages.importMessagesDirectoryFromMetaUrl(import.meta.url);
const messages = Messages.loadMessages('plugin-connectedapp', 'connectedapp.common');
const assignMessages = Messages.loadMessages('plugin-connectedapp', 'connectedapp.assign');
const policyMessages = Messages.loadMessages('plugin-connectedapp', 'connectedapp.policy.set');

type Named = { apps?: readonly string[]; permissionSets?: readonly string[]; profiles?: readonly string[] };

/** Throws NameTooLongError when any name is longer than any app, permission set or profile can be. A length check only. */
export function refuseOverLongNames(requests: readonly Named[]): void {
  const items = (kind: NameKind, names: readonly string[]): string[] =>
    overLongNames(kind, names).map((name) => messages.getMessage('nameTooLong.item', [messages.getMessage(`kind.${kind}`), shownName(name)]));
  const tooLong = [
    ...items('app', requests.flatMap((r) => r.apps ?? [])),
    ...items('permission-set', requests.flatMap((r) => r.permissionSets ?? [])),
    ...items('profile', requests.flatMap((r) => r.profiles ?? [])),
  ];
  if (tooLong.length) throw messages.createError('error.NameTooLong', [tooLong.join('; ')]);
}

/**
 * The kind of app each list of names is narrowed to (--type, or a file entry's `type`): one for every list, or one per
 * list; undefined: both kinds.
 */
export type KindScope = AppKind | undefined | ReadonlyArray<AppKind | undefined>;

const kindAt = (scope: KindScope, i: number): AppKind | undefined => (typeof scope === 'string' || scope === undefined ? scope : scope[i]);

/**
 * The apps the names select, in inventory order, each once, among the apps of `type` (both kinds when absent). Throws
 * UnknownAppError listing close matches, and naming the app of the other kind a name selects (see otherKindHints).
 */
export function resolveApps(apps: readonly InventoryApp[], names: readonly string[], type?: AppKind): InventoryApp[] {
  return resolveAppLists(apps, [names], type)[0];
}

/** Resolves several lists of names (a file's entries) at once: one error names every unknown name. */
export function resolveAppLists(apps: readonly InventoryApp[], lists: ReadonlyArray<readonly string[]>, type?: KindScope): InventoryApp[][] {
  const { resolved, unknown, searched } = matchApps(apps, lists, type);
  if (unknown.length) throw unknownNamesError(apps, { apps: unknown }, undefined, searched);
  return resolved;
}

/**
 * The apps each list of names selects among the apps of its kind (`type`), and the names that select none (for the
 * caller to decide about), with the kind each was searched in. Throws NameTooLongError, and AmbiguousAppError for a
 * name both kinds of app answer to.
 */
export function matchApps(
  apps: readonly InventoryApp[],
  lists: ReadonlyArray<readonly string[]>,
  type?: KindScope
): { resolved: InventoryApp[][]; unknown: string[]; searched: Map<string, AppKind | undefined> } {
  refuseOverLongNames([{ apps: lists.flat() }]);
  const searched = new Map<string, AppKind | undefined>();
  const ambiguous = new Map<string, InventoryApp[]>();
  const resolved = lists.map((names, i) => {
    const ofKind = appsOfKind(apps, kindAt(type, i));
    const selected = new Set<InventoryApp>();
    for (const name of names) {
      const found = findApps(ofKind, name);
      if (found.length === 0 && !searched.has(name)) searched.set(name, kindAt(type, i));
      // A connected app and an External Client App may share a name (an app moved to an ECA keeps it).
      if (new Set(found.map((a) => a.kind)).size > 1) ambiguous.set(name, found);
      for (const app of found) selected.add(app);
    }
    return ofKind.filter((app) => selected.has(app));
  });
  if (ambiguous.size) throw ambiguousNamesError(ambiguous);
  return { resolved, unknown: [...searched.keys()], searched };
}

/**
 * For each name searched among one kind of app only (--type, or a file entry's `type`) that an app of the other kind
 * answers to: a line naming that app and the --type that selects it. The one place that says "wrong kind".
 */
export function otherKindHints(apps: readonly InventoryApp[], searched: ReadonlyMap<string, AppKind | undefined>): string[] {
  return [...searched].flatMap(([name, kind]) => {
    if (!kind) return [];
    const others = findApps(apps.filter((a) => a.kind !== kind), name);
    if (others.length === 0) return [];
    const other = others[0].kind;
    const which = others.map((a) => messages.getMessage('ambiguous.candidate', [appKindLabel(a.kind), a.apiName ?? a.label, a.id])).join(', ');
    return [messages.getMessage('suggestion.otherKind', [shownName(name), appKindLabel(kind), which, other, other])];
  });
}

/**
 * Runs `resolve` against `apps`. When it throws UnknownAppError for names searched among one kind of app and the
 * other kind was not read (`otherKindRead` false), reads that kind now (error path only: one listMetadata and one
 * readMetadata per 10 External Client Apps, or the connected apps' query and listMetadata) and runs `resolve` again
 * with them, so that the error names the apps of the other kind those names select (otherKindHints).
 */
export async function withOtherKind<T>(
  conn: Connection,
  type: AppKind | undefined,
  apps: readonly InventoryApp[],
  otherKindRead: boolean,
  resolve: (apps: readonly InventoryApp[]) => T | Promise<T>
): Promise<T> {
  try {
    return await resolve(apps);
  } catch (error) {
    if (!type || otherKindRead || (error as Error).name !== 'UnknownAppError') throw error;
    const others = await readAppsOfKind(conn, type === 'connected-app' ? 'external-client-app' : 'connected-app').catch(() => null);
    if (!others?.length) throw error;
    return resolve([...apps, ...others]);
  }
}

/** The apps of one kind, without their access (loaded here, on the error path only). */
async function readAppsOfKind(conn: Connection, kind: AppKind): Promise<InventoryApp[]> {
  if (kind === 'external-client-app') {
    const [{ ECA_HEADER_PARTS, readExternalClientApps }, { ecaInventoryApp }] = await Promise.all([import('../adapters/external-client-apps.js'), import('../domain/access/eca-org.js')]);
    return (await readExternalClientApps(conn, ECA_HEADER_PARTS)).apps.map((eca) => ecaInventoryApp(eca, []));
  }
  const { readInventory } = await import('../adapters/connected-apps.js');
  return (await readInventory(conn, { access: false })).apps.filter((a) => a.kind !== 'external-client-app');
}

/** One error for every name that selects apps of both kinds, each with its candidates. */
function ambiguousNamesError(ambiguous: ReadonlyMap<string, InventoryApp[]>): SfError {
  const items = [...ambiguous].map(([name, found]) =>
    messages.getMessage('ambiguous.item', [
      shownName(name),
      found.map((a) => messages.getMessage('ambiguous.candidate', [appKindLabel(a.kind), a.apiName ?? a.label, a.id])).join(', '),
    ])
  );
  const error = messages.createError('error.AmbiguousApp', [items.join('; ')]);
  error.setData({ ambiguousNames: [...ambiguous.keys()], candidates: Object.fromEntries([...ambiguous].map(([name, found]) => [name, found.map((a) => ({ type: a.kind, apiName: a.apiName, id: a.id }))])) });
  return error;
}

type Unknown = { apps?: string[]; permissionSets?: string[]; profiles?: string[] };
type Known = { permissionSets: NameCandidate[]; profiles: NameCandidate[] };

/**
 * One error for every unknown name, each with its close matches (among the apps of the kind it was searched in) and,
 * for a name searched among one kind only, the app of the other kind it names. Named after the first kind of name
 * (app, permission set, profile) that has unknown names.
 */
function unknownNamesError(apps: readonly InventoryApp[], unknown: Unknown, known?: Known, searched: ReadonlyMap<string, AppKind | undefined> = new Map()): SfError {
  const quoted = (names: string[]): string => names.map((n) => `"${shownName(n)}"`).join(', ');
  const suggest = (names: string[] = [], candidates: (name: string) => readonly NameCandidate[] = () => []): string[] =>
    names.flatMap((name) => {
      const matches = closeMatches(name, candidates(name));
      return matches.length ? [messages.getMessage('suggestion.didYouMean', [shownName(name), matches.join(', ')])] : [];
    });
  const kinds = new Set((unknown.apps ?? []).map((name) => searched.get(name)));
  const kind = kinds.size === 1 ? [...kinds][0] : undefined;
  const parts: SfError[] = [];
  if (unknown.apps?.length) {
    parts.push(
      kind
        ? // Named UnknownAppError too: the same error, worded for the kind searched.
          Object.assign(messages.createError('error.UnknownAppOfKind', [appKindLabel(kind), quoted(unknown.apps)], [appsOfKind(apps, kind).length]), { name: 'UnknownAppError' })
        : messages.createError('error.UnknownApp', [quoted(unknown.apps)], [apps.length])
    );
  }
  if (unknown.permissionSets?.length) parts.push(assignMessages.createError('error.UnknownPermissionSet', [quoted(unknown.permissionSets)]));
  if (unknown.profiles?.length) parts.push(assignMessages.createError('error.UnknownProfile', [quoted(unknown.profiles)]));
  const error = parts[0];
  error.message = parts.map((p) => p.message).join(' ');
  const searchedApps = new Map((unknown.apps ?? []).map((name) => [name, searched.get(name)]));
  error.actions = [
    ...otherKindHints(apps, searchedApps),
    ...suggest(unknown.apps, (name) => appNames(appsOfKind(apps, searched.get(name)))),
    ...suggest(unknown.permissionSets, () => known?.permissionSets ?? []),
    ...suggest(unknown.profiles, () => known?.profiles ?? []),
    ...parts.flatMap((p) => p.actions ?? []),
  ];
  error.setData({ unknownNames: [...(unknown.apps ?? []), ...(unknown.permissionSets ?? []), ...(unknown.profiles ?? [])] });
  return error;
}

/**
 * The apps of each access request, once every app, permission set and profile name is known: otherwise
 * one error names every unknown name of every kind, with close matches (one extra query, error path only).
 */
export async function resolveAccessNames(
  conn: Connection,
  apps: readonly InventoryApp[],
  requests: ReadonlyArray<{ apps: readonly string[]; type?: AppKind }>,
  holders: HolderResolution,
  type?: AppKind
): Promise<InventoryApp[][]> {
  const { resolved, unknown, searched } = matchApps(apps, requests.map((r) => r.apps), requests.map((r) => r.type ?? type));
  if (unknown.length || holders.unknownPermissionSets.length || holders.unknownProfiles.length) {
    const known = holders.unknownPermissionSets.length || holders.unknownProfiles.length ? await holderNames(conn) : undefined;
    throw unknownNamesError(apps, { apps: unknown, permissionSets: holders.unknownPermissionSets, profiles: holders.unknownProfiles }, known, searched);
  }
  const refused = holders.refused[0] as HolderResolution['refused'][number] | undefined;
  if (refused?.reason === 'permission-set-group') {
    throw assignMessages.createError('error.PermissionSetGroup', [refused.requested, refused.groupName], [refused.components.join(', ') || '—']);
  }
  if (refused?.reason === 'managed') throw assignMessages.createError('error.ManagedPermissionSet', [refused.requested, refused.name, refused.namespacePrefix]);
  if (refused?.reason === 'ambiguous') throw assignMessages.createError('error.AmbiguousPermissionSet', [refused.requested, refused.candidates.join(', ')]);
  return resolved;
}

/**
 * One desired-state entry: names (a file entry has one) and the change for them; `source` is its place in the file;
 * `type` the kind of app its names select (a file entry's `type`; else the command's --type, else both).
 */
export type DesiredEntry = { names: string[]; change: PolicyChange; source?: string; type?: AppKind };

/**
 * One target per app: every name resolved at once, then entries that name the same app merged. Throws
 * DesiredStateConflictError, naming both entries, when two give the same app's setting different values
 * (the org would flip on every run).
 */
export function resolveDesiredTargets(apps: readonly InventoryApp[], wanted: readonly DesiredEntry[], type?: AppKind): Array<{ app: InventoryApp; change: PolicyChange }> {
  const resolved = resolveAppLists(apps, wanted.map((w) => w.names), wanted.map((w) => w.type ?? type));
  const { changes, conflicts } = settleDesiredChanges(
    wanted.map((w, i) => ({ source: w.source ?? null, named: w.names.join(', '), appIds: resolved[i].map((a) => a.id), change: w.change }))
  );
  const byId = new Map(apps.map((a) => [a.id, a]));
  if (conflicts.length) {
    const entry = (s: DesiredSetting): string => policyMessages.getMessage('conflict.entry', [s.source ?? '--name', shownName(s.named)]);
    const lines = conflicts.map((c) => {
      const app = byId.get(c.appId);
      return policyMessages.getMessage('conflict.item', [app?.apiName ?? app?.label ?? c.appId, c.setting, c.first.value, entry(c.first), c.second.value, entry(c.second)]);
    });
    throw policyMessages.createError('error.DesiredStateConflict', [lines.join('; ')]);
  }
  return changes.flatMap(({ appId, change }) => {
    const app = byId.get(appId);
    return app ? [{ app, change }] : [];
  });
}

export function permittedUsersLabel(app: Pick<InventoryApp, 'permittedUsers'>): string {
  return messages.getMessage(`permittedUsers.${app.permittedUsers}`);
}

/** "connected app" / "external client app". */
export function appKindLabel(kind: AppKind): string {
  return messages.getMessage(`appKind.${kind}`);
}

/** The apps of one kind (every app without one). */
export function appsOfKind<T extends { kind: AppKind }>(apps: readonly T[], kind: AppKind | undefined): T[] {
  return kind ? apps.filter((a) => a.kind === kind) : [...apps];
}
