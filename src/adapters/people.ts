/*
 * Users, profiles and permission sets as the audit needs them: active-user counts per access holder,
 * who holds the connected-app bypass permissions, run-as users of client-credentials apps, and the
 * login IP ranges of profiles. Each read is one (paged) query and optional: a refusal becomes coverage.
 * Also: who runs the command (userinfo) and which user permissions they hold, for commands that need some.
 */
import type { Connection } from '@salesforce/core';
import { dataPath, errorCodeOf, getJson, isSourceUnavailable, isUnreachable, messageOf, queryAll } from './api.js';
import { coverageForError, type SourceCoverage } from '../domain/coverage.js';
import { chunk } from '../domain/collections.js';
import { soqlInList, soqlString } from '../domain/soql.js';

export type Optional<T> = { value: T; coverage: SourceCoverage };

async function optional<T>(source: string, empty: T, read: () => Promise<T>): Promise<Optional<T>> {
  try {
    return { value: await read(), coverage: { source, status: 'used' } };
  } catch (error) {
    if (!isSourceUnavailable(error)) throw error;
    return { value: empty, coverage: coverageForError(source, errorCodeOf(error), messageOf(error)) };
  }
}

/** Active users assigned to each of these permission sets (profile-owned sets count the profile's users). */
export async function readActiveUserCounts(conn: Connection, permissionSetIds: readonly string[]): Promise<Optional<Map<string, number>>> {
  return optional('PermissionSetAssignment', new Map<string, number>(), async () => {
    const counts = new Map<string, number>();
    // IN lists are kept short enough for the query URL.
    for (const part of chunk([...new Set(permissionSetIds)], 300)) {
      type Row = { PermissionSetId: string; users: number };
      const rows = await queryAll<Row>(
        conn,
        `SELECT PermissionSetId, COUNT(AssigneeId) users FROM PermissionSetAssignment WHERE Assignee.IsActive = true AND PermissionSetId IN ${soqlInList(part)} GROUP BY PermissionSetId`
      );
      for (const row of rows.records) counts.set(row.PermissionSetId, row.users);
    }
    return counts;
  });
}

export type PrivilegedGrant = {
  username: string;
  userId: string;
  /** The profile's name, or the permission set's API name, that grants the permission. */
  grantedBy: string;
  viaProfile: boolean;
  profileName: string | null;
  approveUninstalledConnectedApps: boolean;
  useAnyApiClient: boolean;
  modifyAllData: boolean;
};

/** Active users granted "Approve Uninstalled Connected Apps" or "Use Any API Client", by profile or permission set. */
export async function readPrivilegedGrants(conn: Connection): Promise<Optional<PrivilegedGrant[]>> {
  return optional('PermissionSetAssignment:privileged', [], async () => {
    type Row = {
      AssigneeId: string;
      Assignee: { Username: string; Profile: { Name: string } | null } | null;
      PermissionSet: {
        Name: string;
        IsOwnedByProfile: boolean;
        Profile: { Name: string } | null;
        PermissionsApproveUninstalledConnectedApps: boolean;
        PermissionsUseAnyApiClient: boolean;
        PermissionsModifyAllData: boolean;
      } | null;
    };
    const rows = await queryAll<Row>(
      conn,
      'SELECT AssigneeId, Assignee.Username, Assignee.Profile.Name, PermissionSet.Name, PermissionSet.IsOwnedByProfile, PermissionSet.Profile.Name, ' +
        'PermissionSet.PermissionsApproveUninstalledConnectedApps, PermissionSet.PermissionsUseAnyApiClient, PermissionSet.PermissionsModifyAllData ' +
        'FROM PermissionSetAssignment WHERE Assignee.IsActive = true AND ' +
        '(PermissionSet.PermissionsApproveUninstalledConnectedApps = true OR PermissionSet.PermissionsUseAnyApiClient = true)'
    );
    return rows.records.map((r) => ({
      username: r.Assignee?.Username ?? r.AssigneeId,
      userId: r.AssigneeId,
      grantedBy: r.PermissionSet?.IsOwnedByProfile ? (r.PermissionSet.Profile?.Name ?? '') : (r.PermissionSet?.Name ?? ''),
      viaProfile: r.PermissionSet?.IsOwnedByProfile ?? false,
      profileName: r.Assignee?.Profile?.Name ?? null,
      approveUninstalledConnectedApps: r.PermissionSet?.PermissionsApproveUninstalledConnectedApps ?? false,
      useAnyApiClient: r.PermissionSet?.PermissionsUseAnyApiClient ?? false,
      modifyAllData: r.PermissionSet?.PermissionsModifyAllData ?? false,
    }));
  });
}

export type ProfileFacts = { name: string; modifyAllData: boolean; approveUninstalledConnectedApps: boolean; apiUserOnly: boolean; activeUsers: number | null };

/** Profiles with Modify All Data (administrator profiles, including clones) and whether they kept the bypass permission. */
export async function readAdminProfiles(conn: Connection): Promise<Optional<ProfileFacts[]>> {
  return optional('Profile', [], async () => {
    type Row = { Name: string; PermissionsModifyAllData: boolean; PermissionsApproveUninstalledConnectedApps: boolean; PermissionsApiUserOnly: boolean };
    const rows = await queryAll<Row>(
      conn,
      'SELECT Name, PermissionsModifyAllData, PermissionsApproveUninstalledConnectedApps, PermissionsApiUserOnly FROM Profile WHERE PermissionsModifyAllData = true'
    );
    return rows.records.map((r) => ({
      name: r.Name,
      modifyAllData: r.PermissionsModifyAllData,
      approveUninstalledConnectedApps: r.PermissionsApproveUninstalledConnectedApps,
      apiUserOnly: r.PermissionsApiUserOnly,
      activeUsers: null,
    }));
  });
}

export type RunAsUser = { username: string; found: boolean; active: boolean; profileName: string | null; apiOnly: boolean; administrator: boolean };

/** The run-as users of client-credentials apps (metadata names them by username). */
export async function readRunAsUsers(conn: Connection, usernames: readonly string[]): Promise<Optional<Map<string, RunAsUser>>> {
  return optional('User', new Map<string, RunAsUser>(), async () => {
    const found = new Map<string, RunAsUser>();
    if (usernames.length === 0) return found;
    type Row = { Username: string; IsActive: boolean; Profile: { Name: string; PermissionsApiUserOnly: boolean; PermissionsModifyAllData: boolean } | null };
    const rows = await queryAll<Row>(
      conn,
      `SELECT Username, IsActive, Profile.Name, Profile.PermissionsApiUserOnly, Profile.PermissionsModifyAllData FROM User WHERE Username IN ${soqlInList(new Set(usernames))}`
    );
    for (const r of rows.records) {
      found.set(r.Username.toLowerCase(), {
        username: r.Username,
        found: true,
        active: r.IsActive,
        profileName: r.Profile?.Name ?? null,
        apiOnly: r.Profile?.PermissionsApiUserOnly ?? false,
        administrator: r.Profile?.PermissionsModifyAllData ?? false,
      });
    }
    return found;
  });
}

export type IpRange = { start: string; end: string };

/** Login IP ranges per profile name, from the LoginIpRange object (community-documented; optional). */
export async function readProfileIpRanges(conn: Connection): Promise<Optional<Map<string, IpRange[]>>> {
  return optional('LoginIpRange', new Map<string, IpRange[]>(), async () => {
    type Row = { StartAddress: string; EndAddress: string; Profile: { Name: string } | null };
    const rows = await queryAll<Row>(conn, 'SELECT StartAddress, EndAddress, Profile.Name FROM LoginIpRange');
    const ranges = new Map<string, IpRange[]>();
    for (const r of rows.records) {
      if (!r.Profile) continue;
      const list = ranges.get(r.Profile.Name) ?? [];
      list.push({ start: r.StartAddress, end: r.EndAddress });
      ranges.set(r.Profile.Name, list);
    }
    return ranges;
  });
}

// ---- The user running the command ----------------------------------------------------------------

/** Who the session belongs to, as the org says (userinfo): the user and org Ids. */
export type Identity = { userId: string; orgId: string; username: string | null };

/** The session's user and org, or null where the org does not answer userinfo (an unreachable org still throws). */
export async function readIdentity(conn: Connection): Promise<Identity | null> {
  try {
    const info = await getJson<{ user_id?: unknown; organization_id?: unknown; preferred_username?: unknown } | null>(conn, '/services/oauth2/userinfo');
    if (typeof info?.user_id !== 'string' || typeof info.organization_id !== 'string') return null;
    return { userId: info.user_id, orgId: info.organization_id, username: typeof info.preferred_username === 'string' ? info.preferred_username : null };
  } catch (error) {
    if (isUnreachable(error)) throw error;
    return null;
  }
}

/** Each user permission (API name without "Permissions") asked about: held, not held, or not checkable (null). */
export type UserPermissions = Map<string, boolean | null>;

/**
 * Whether a user holds these user permissions through any permission set assignment (the profile's own
 * permission set included). The PermissionSet fields are looked up in its describe first: which permissions
 * exist as fields varies by org, edition and release, and a missing one is reported as not checkable.
 */
export async function readUserPermissions(conn: Connection, userId: string, permissions: readonly string[]): Promise<UserPermissions> {
  const describe = await getJson<{ fields: Array<{ name: string }> }>(conn, dataPath(conn, '/sobjects/PermissionSet/describe'));
  const fields = new Set(describe.fields.map((f) => f.name));
  const checkable = permissions.filter((p) => fields.has(`Permissions${p}`));
  const held: UserPermissions = new Map(permissions.map((p) => [p, checkable.includes(p) ? false : null]));
  if (checkable.length === 0) return held;
  type Row = { PermissionSet: Record<string, boolean | null> | null };
  const select = checkable.map((p) => `PermissionSet.Permissions${p}`).join(', ');
  const rows = (await queryAll<Row>(conn, `SELECT ${select} FROM PermissionSetAssignment WHERE AssigneeId = ${soqlString(userId)}`)).records;
  for (const p of checkable) held.set(p, rows.some((r) => r.PermissionSet?.[`Permissions${p}`] === true));
  return held;
}
