/*
 * Who can use a connected app: which profiles, permission sets and permission set groups grant it, and which users
 * that reaches, each with the path that grants them. Used by list, audit, assign/unassign (lockout guard) and doctor.
 *
 * Sources (Object Reference, API 67.0), three paged queries whatever the number of apps (past 300 apps or granting
 * permission sets, the first two read the whole object instead of an IN list; assignments are chunked by 300
 * distinct holders):
 * 1. SetupEntityAccess (SetupEntityId = the app, ParentId → PermissionSet): the grants. A profile grants through the
 *    permission set it owns (IsOwnedByProfile, ProfileId); a set with PermissionSetGroupId is a group's aggregate set
 *    (sforce_api_objects_permissionset.htm: "contains the aggregated permissions for the group").
 * 2. PermissionSetGroupComponent (PermissionSetId → PermissionSetGroupId): the groups that contain a granting set.
 * 3. PermissionSetAssignment + Assignee (User.IsActive): "a user's assignment to a permission set or permission set
 *    group" (sforce_api_objects_permissionsetassignment.htm). A group assignment is recorded against the group's
 *    aggregate permission set with PermissionSetGroupId naming the group, never against its components: users
 *    reached through a group are found by PermissionSetGroupId. A profile's users hold an assignment of the profile's
 *    own permission set.
 *
 * Limitations (not documented, so not modelled):
 * - Muting permission sets: documented to turn off the *permissions* they enable in their group
 *   (meta_mutingpermissionset.htm); nothing documents that they can mute connected-app access, and
 *   SetupEntityAccess has no muting form. A group is taken to grant what its components grant.
 * - A group whose Status is Outdated/Updating may not yet reflect a component's access; it is counted as granting.
 * - Session-based permission sets (granted only while activated) and PermissionSetAssignment.IsActive are not
 *   interpreted: an assignment counts as a grant.
 *
 * Every source is optional: a refused read becomes coverage and the apps' results say they are incomplete.
 */
import type { Connection } from '@salesforce/core';
import { errorCodeOf, isSourceUnavailable, messageOf, queryAll } from './api.js';
import type { AppAccess as InventoryAccess } from '../domain/access/inventory.js';
import { chunk } from '../domain/collections.js';
import { coverageForError, type SourceCoverage } from '../domain/coverage.js';
import { id15 } from '../domain/names.js';
import { soqlInList } from '../domain/soql.js';

export type GrantKind = 'profile' | 'permission-set' | 'permission-set-group';

export type Grant = {
  kind: GrantKind;
  /** Profile Id, permission set Id, or permission set group Id. */
  holderId: string;
  /** Profile name, permission set API name (`ns__Name`), or group DeveloperName (`ns__Name`). */
  holderName: string;
  /** The permission set whose SetupEntityAccess row grants the app (for a profile: the one it owns). */
  permissionSetId: string;
  /** for a group: the component permission set that carries the app */
  viaPermissionSet?: { id: string; name: string };
  /** Active users this grant reaches (each user counted once per grant; a user may be reached by several). */
  activeUserCount: number;
};

export type UserAccess = { userId: string; username: string; isActive: boolean; paths: Grant[] };

export type AppAccess = {
  appId: string;
  grants: Grant[];
  /** Users who can use the app (only active ones unless options.userIds named them), at most options.listUsers. */
  activeUsers: UserAccess[];
  activeUserCount: number;
  /** Distinct active users reached through each kind of grant (a user reached two ways counts in both). */
  activeUsersByKind: Record<GrantKind, number>;
  /** users counted but not listed (cap) */
  truncated: boolean;
  /** false when a source was refused: grants (and so users) may be missing. */
  grantsComplete: boolean;
  /** false when grants or assignments could not all be read: the count is a lower bound. */
  usersComplete: boolean;
};

export type AccessResolution = { apps: Map<string /* 15- or 18-char app id as given */, AppAccess>; coverage: SourceCoverage[] };

/** Ids per IN list: keeps the query URL well under the limit. */
const IDS_PER_QUERY = 300;
/** Users listed per app by default (all are counted). */
export const DEFAULT_LISTED_USERS = 200;

export type SeaRow = {
  ParentId: string;
  SetupEntityId: string;
  Parent: {
    Name: string;
    NamespacePrefix: string | null;
    IsOwnedByProfile: boolean;
    ProfileId: string | null;
    Profile: { Name: string } | null;
    PermissionSetGroupId: string | null;
  } | null;
};

type ComponentRow = {
  PermissionSetId: string;
  PermissionSetGroupId: string;
  PermissionSetGroup: { DeveloperName: string; NamespacePrefix: string | null } | null;
};

type AssignmentRow = {
  AssigneeId: string;
  PermissionSetId: string | null;
  PermissionSetGroupId: string | null;
  Assignee: { Username: string; IsActive: boolean } | null;
};

const COMPONENT_SELECT = 'SELECT PermissionSetId, PermissionSetGroupId, PermissionSetGroup.DeveloperName, PermissionSetGroup.NamespacePrefix FROM PermissionSetGroupComponent';

const qualified = (name: string, namespace: string | null | undefined): string => (namespace ? `${namespace}__${name}` : name);

/**
 * Runs one query per chunk of ids, concatenating the rows; past one chunk, `whole` (when given) reads the object
 * without the IN list instead — one paged query however many ids — and the caller keeps the rows it asked for.
 */
async function queryChunked<T>(conn: Connection, ids: readonly string[], soqlFor: (inList: string) => string, whole?: string): Promise<T[]> {
  const unique = [...new Set(ids)];
  if (whole !== undefined && unique.length > IDS_PER_QUERY) return (await queryAll<T>(conn, whole)).records;
  const rows: T[] = [];
  for (const part of chunk(unique, IDS_PER_QUERY)) {
    // Sequential on purpose: a few chunks at most, and the org limits concurrent requests.
    rows.push(...(await queryAll<T>(conn, soqlFor(soqlInList(part)))).records);
  }
  return rows;
}

/** Reads a source; a refusal (no permission, not licensed) is recorded as coverage and yields no rows. */
async function optional<T>(coverage: SourceCoverage[], source: string, read: () => Promise<T[]>): Promise<T[] | null> {
  try {
    const rows = await read();
    coverage.push({ source, status: 'used' });
    return rows;
  } catch (error) {
    if (!isSourceUnavailable(error)) throw error;
    coverage.push(coverageForError(source, errorCodeOf(error), messageOf(error)));
    return null;
  }
}

export function grantOf(row: SeaRow): Grant {
  const p = row.Parent;
  const base = { permissionSetId: row.ParentId, activeUserCount: 0 };
  if (p?.IsOwnedByProfile) return { kind: 'profile', holderId: p.ProfileId ?? row.ParentId, holderName: p.Profile?.Name ?? p.Name, ...base };
  if (p?.PermissionSetGroupId) return { kind: 'permission-set-group', holderId: p.PermissionSetGroupId, holderName: qualified(p.Name, p.NamespacePrefix), ...base };
  return { kind: 'permission-set', holderId: row.ParentId, holderName: p ? qualified(p.Name, p.NamespacePrefix) : row.ParentId, ...base };
}

/** A grant from an assignment the inventory already read (the same SetupEntityAccess row, read in its own query). */
export function grantOfAccess(row: InventoryAccess): Grant {
  const base = { permissionSetId: row.permissionSetId, activeUserCount: 0 };
  if (row.kind === 'profile') return { kind: 'profile', holderId: row.profileId ?? row.permissionSetId, holderName: row.name, ...base };
  if (row.kind === 'permission-set-group') return { kind: 'permission-set-group', holderId: row.permissionSetGroupId ?? row.permissionSetId, holderName: qualified(row.name, row.namespacePrefix), ...base };
  return { kind: 'permission-set', holderId: row.permissionSetId, holderName: qualified(row.name, row.namespacePrefix), ...base };
}

/**
 * For each app: its grants (profiles, permission sets, groups through their components) and the users they reach.
 * options.userIds: only these users (active or not, each with isActive); otherwise every active user.
 * options.listUsers: users listed per app (default DEFAULT_LISTED_USERS); every one is counted.
 * options.assignments: the apps' SetupEntityAccess rows as the inventory read them (every row of every app asked
 * about): used instead of reading the table a second time.
 */
export async function resolveAppAccess(
  conn: Connection,
  appIds: readonly string[],
  options: { userIds?: readonly string[]; listUsers?: number; perGrantCounts?: boolean; assignments?: readonly InventoryAccess[] } = {}
): Promise<AccessResolution> {
  const coverage: SourceCoverage[] = [];
  const apps = new Map<string, AppAccess>();
  const given = new Map<string, string[]>(); // id15 → ids as given
  for (const id of appIds) given.set(id15(id), [...(given.get(id15(id)) ?? []), id]);
  if (appIds.length === 0) return { apps, coverage };

  // 1. Grants.
  const seaSelect =
    'SELECT ParentId, SetupEntityId, Parent.Name, Parent.NamespacePrefix, Parent.IsOwnedByProfile, Parent.ProfileId, Parent.Profile.Name, ' +
    'Parent.PermissionSetGroupId FROM SetupEntityAccess WHERE ';
  const grantsByApp = new Map<string, Grant[]>([...given.keys()].map((k) => [k, []]));
  let seaRead = true;
  if (options.assignments) {
    coverage.push({ source: 'SetupEntityAccess', status: 'used' });
    for (const row of options.assignments) grantsByApp.get(id15(row.appId))?.push(grantOfAccess(row));
  } else {
    const seaRows = await optional(coverage, 'SetupEntityAccess', () =>
      queryChunked<SeaRow>(conn, [...given.keys()], (ids) => `${seaSelect}SetupEntityId IN ${ids}`, `${seaSelect}SetupEntityType IN ('ConnectedApplication', 'ExternalClientApplication')`)
    );
    seaRead = seaRows !== null;
    for (const row of seaRows ?? []) grantsByApp.get(id15(row.SetupEntityId))?.push(grantOf(row));
  }

  // 2. Groups containing a granting permission set.
  const direct = [...grantsByApp.values()].flat().filter((g) => g.kind === 'permission-set');
  const components =
    seaRead && direct.length
      ? await optional(coverage, 'PermissionSetGroupComponent', () =>
          queryChunked<ComponentRow>(
            conn,
            direct.map((g) => g.permissionSetId),
            (ids) => `${COMPONENT_SELECT} WHERE PermissionSetId IN ${ids}`,
            COMPONENT_SELECT
          )
        )
      : [];
  for (const grants of grantsByApp.values()) {
    for (const g of grants.filter((x) => x.kind === 'permission-set')) {
      for (const c of (components ?? []).filter((r) => id15(r.PermissionSetId) === id15(g.permissionSetId))) {
        if (grants.some((x) => x.kind === 'permission-set-group' && id15(x.holderId) === id15(c.PermissionSetGroupId) && x.viaPermissionSet?.id === g.holderId)) continue;
        grants.push({
          kind: 'permission-set-group',
          holderId: c.PermissionSetGroupId,
          holderName: c.PermissionSetGroup ? qualified(c.PermissionSetGroup.DeveloperName, c.PermissionSetGroup.NamespacePrefix) : c.PermissionSetGroupId,
          permissionSetId: g.permissionSetId,
          viaPermissionSet: { id: g.holderId, name: g.holderName },
          activeUserCount: 0,
        });
      }
    }
  }

  // 3. Users: assignments of a granting permission set, or of a group (recorded with PermissionSetGroupId).
  const all = [...grantsByApp.values()].flat();
  const setIds = [...new Set(all.filter((g) => g.kind !== 'permission-set-group' || !g.viaPermissionSet).map((g) => id15(g.permissionSetId)))];
  const groupIds = [...new Set(all.filter((g) => g.kind === 'permission-set-group').map((g) => id15(g.holderId)))];
  const holders = [...setIds.map((id) => ({ field: 'PermissionSetId' as const, id })), ...groupIds.map((id) => ({ field: 'PermissionSetGroupId' as const, id }))];
  const userFilter = options.userIds ? [...new Set(options.userIds)] : null;
  if (options.perGrantCounts && userFilter === null) return countPerGrant(conn, holders, grantsByApp, given, seaRead && components !== null, coverage);
  let assignments: AssignmentRow[] | null = [];
  if (holders.length && (userFilter === null || userFilter.length)) {
    assignments = await optional(coverage, 'PermissionSetAssignment', async () => {
      const rows: AssignmentRow[] = [];
      for (const part of chunk(holders, IDS_PER_QUERY)) {
        const bySet = part.filter((h) => h.field === 'PermissionSetId').map((h) => h.id);
        const byGroup = part.filter((h) => h.field === 'PermissionSetGroupId').map((h) => h.id);
        const clauses = [...(bySet.length ? [`PermissionSetId IN ${soqlInList(bySet)}`] : []), ...(byGroup.length ? [`PermissionSetGroupId IN ${soqlInList(byGroup)}`] : [])];
        const users = userFilter ? chunk(userFilter, IDS_PER_QUERY).map((u) => `AssigneeId IN ${soqlInList(u)}`) : ['Assignee.IsActive = true'];
        for (const userClause of users) {
          // Sequential on purpose: a few chunks at most, and the org limits concurrent requests.
          const page = await queryAll<AssignmentRow>(
            conn,
            `SELECT AssigneeId, PermissionSetId, PermissionSetGroupId, Assignee.Username, Assignee.IsActive FROM PermissionSetAssignment WHERE ${userClause} AND (${clauses.join(' OR ')})`
          );
          rows.push(...page.records);
        }
      }
      return rows;
    });
  }

  const cap = options.listUsers ?? DEFAULT_LISTED_USERS;
  const grantsComplete = seaRead && components !== null;
  // Assignments indexed by what they point at, so each app looks only at its own grants' rows.
  const bySet = new Map<string, AssignmentRow[]>();
  const byGroup = new Map<string, AssignmentRow[]>();
  const add = (index: Map<string, AssignmentRow[]>, key: string | null, row: AssignmentRow): void => {
    if (!key) return;
    const list = index.get(id15(key));
    if (list) list.push(row);
    else index.set(id15(key), [row]);
  };
  for (const a of assignments ?? []) {
    add(bySet, a.PermissionSetId, a);
    add(byGroup, a.PermissionSetGroupId, a);
  }
  for (const [key, grants] of grantsByApp) {
    const users = new Map<string, UserAccess>();
    const byKind: Record<GrantKind, Set<string>> = { profile: new Set(), 'permission-set': new Set(), 'permission-set-group': new Set() };
    for (const grant of grants) {
      const rows = grant.kind === 'permission-set-group' ? byGroup.get(id15(grant.holderId)) : bySet.get(id15(grant.permissionSetId));
      const reached = new Set<string>();
      for (const a of rows ?? []) {
        const userKey = id15(a.AssigneeId);
        const user = users.get(userKey) ?? { userId: a.AssigneeId, username: a.Assignee?.Username ?? a.AssigneeId, isActive: a.Assignee?.IsActive ?? true, paths: [] };
        if (!user.paths.includes(grant)) user.paths.push(grant);
        users.set(userKey, user);
        if (user.isActive) {
          reached.add(userKey);
          byKind[grant.kind].add(userKey);
        }
      }
      grant.activeUserCount = reached.size;
    }
    const listed = [...users.values()].sort((x, y) => x.username.localeCompare(y.username));
    const activeUserCount = listed.filter((u) => u.isActive).length;
    for (const asGiven of given.get(key) ?? []) {
      apps.set(asGiven, {
        appId: asGiven,
        grants,
        activeUsers: listed.slice(0, cap),
        activeUserCount,
        activeUsersByKind: { profile: byKind.profile.size, 'permission-set': byKind['permission-set'].size, 'permission-set-group': byKind['permission-set-group'].size },
        truncated: listed.length > cap,
        grantsComplete,
        usersComplete: grantsComplete && assignments !== null,
      });
    }
  }
  return { apps, coverage };
}

/**
 * options.perGrantCounts: each grant's active users counted by the org (one aggregate query per 300 holders) instead of
 * listing every assignment row — what the audit and the lockout guards need (does a grant reach anyone, how many), in
 * requests and memory that do not grow with the number of users. Per app, nobody is listed, and activeUserCount and
 * activeUsersByKind are the largest grant's count (a lower bound on distinct users: one user may hold several grants).
 */
async function countPerGrant(
  conn: Connection,
  holders: ReadonlyArray<{ field: 'PermissionSetId' | 'PermissionSetGroupId'; id: string }>,
  grantsByApp: ReadonlyMap<string, Grant[]>,
  given: ReadonlyMap<string, string[]>,
  grantsComplete: boolean,
  coverage: SourceCoverage[]
): Promise<AccessResolution> {
  type CountRow = { PermissionSetId: string | null; PermissionSetGroupId: string | null; users: number };
  const bySet = new Map<string, number>();
  const byGroup = new Map<string, number>();
  const counted = holders.length
    ? await optional(coverage, 'PermissionSetAssignment', async (): Promise<CountRow[]> => {
        for (const part of chunk(holders, IDS_PER_QUERY)) {
          const sets = part.filter((h) => h.field === 'PermissionSetId').map((h) => h.id);
          const groups = part.filter((h) => h.field === 'PermissionSetGroupId').map((h) => h.id);
          const clauses = [...(sets.length ? [`PermissionSetId IN ${soqlInList(sets)}`] : []), ...(groups.length ? [`PermissionSetGroupId IN ${soqlInList(groups)}`] : [])];
          const rows = await queryAll<CountRow>(
            conn,
            `SELECT PermissionSetId, PermissionSetGroupId, COUNT(AssigneeId) users FROM PermissionSetAssignment WHERE Assignee.IsActive = true AND (${clauses.join(' OR ')}) GROUP BY PermissionSetId, PermissionSetGroupId`
          );
          for (const row of rows.records) {
            // A group's users hold its aggregate set; a set assigned directly has no group.
            if (row.PermissionSetGroupId) byGroup.set(id15(row.PermissionSetGroupId), (byGroup.get(id15(row.PermissionSetGroupId)) ?? 0) + row.users);
            else if (row.PermissionSetId) bySet.set(id15(row.PermissionSetId), (bySet.get(id15(row.PermissionSetId)) ?? 0) + row.users);
          }
        }
        return [];
      })
    : [];
  const apps = new Map<string, AppAccess>();
  for (const [key, grants] of grantsByApp) {
    const byKind: Record<GrantKind, number> = { profile: 0, 'permission-set': 0, 'permission-set-group': 0 };
    for (const grant of grants) {
      grant.activeUserCount = (grant.kind === 'permission-set-group' ? byGroup.get(id15(grant.holderId)) : bySet.get(id15(grant.permissionSetId))) ?? 0;
      byKind[grant.kind] = Math.max(byKind[grant.kind], grant.activeUserCount);
    }
    const largest = Math.max(0, ...grants.map((g) => g.activeUserCount));
    for (const asGiven of given.get(key) ?? []) {
      apps.set(asGiven, { appId: asGiven, grants, activeUsers: [], activeUserCount: largest, activeUsersByKind: byKind, truncated: largest > 0, grantsComplete, usersComplete: grantsComplete && counted !== null });
    }
  }
  return { apps, coverage };
}
