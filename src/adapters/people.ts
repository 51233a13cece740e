/*
 * Users, profiles and permission sets as the audit needs them: active-user counts per access holder,
 * who holds the connected-app bypass permissions (after a describe of PermissionSet: only fields the org has are
 * queried), run-as users of client-credentials apps, and the login IP ranges of profiles. Each read is optional: a
 * refusal becomes coverage.
 * Also: who runs the command (userinfo) and which user permissions they hold, for commands that need some.
 */
import { Messages, type Connection } from '@salesforce/core';
import { errorCodeOf, getJson, isSourceUnavailable, isUnreachable, messageOf, queryAll } from './api.js';
import { describeFieldNames } from './describe.js';
import { listMetadata, readMetadata } from './metadata-api.js';
import { coverageForError, type SourceCoverage } from '../domain/coverage.js';
import { chunk } from '../domain/collections.js';
import { id15 } from '../domain/names.js';
import { soqlInList, soqlString } from '../domain/soql.js';
import { childText, elements } from '../domain/xml.js';

Messages.importMessagesDirectoryFromMetaUrl(import.meta.url);
const coverageText = Messages.loadMessages('plugin-connectedapp', 'connectedapp.coverage');

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

/** The permission fields the audit needs, by their API names on PermissionSet (and Profile). */
export const APPROVE_UNINSTALLED_FIELD = 'PermissionsCanApproveUninstalledApps';
export const USE_ANY_API_CLIENT_FIELD = 'PermissionsUseAnyApiClient';

/**
 * Which of those fields this org has. "Approve Uninstalled Connected Apps" has no documented field name (community
 * code uses PermissionsCanApproveUninstalledApps, some orgs' describe lacks it); "Use Any API Client" exists only
 * where API Access Control is on, so its absence means nobody can hold it.
 */
export type PermissionFields = { approveUninstalled: boolean; useAnyApiClient: boolean };

/** One describe of PermissionSet: the permission fields a query may name. */
export async function readPermissionFields(conn: Connection): Promise<Optional<PermissionFields | null>> {
  return optional('PermissionSet:describe', null, async () => {
    const fields = await describeFieldNames(conn, 'PermissionSet');
    return { approveUninstalled: fields?.has(APPROVE_UNINSTALLED_FIELD) ?? false, useAnyApiClient: fields?.has(USE_ANY_API_CLIENT_FIELD) ?? false };
  });
}

/** Coverage for a read that needs Approve Uninstalled Connected Apps in an org whose describe lacks the field. */
function withoutApproveField(source: string): SourceCoverage {
  return { source, status: 'not-licensed', errorCode: 'INVALID_FIELD', detail: coverageText.getMessage('noPermissionField', [APPROVE_UNINSTALLED_FIELD]) };
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

/**
 * Active users granted "Approve Uninstalled Connected Apps" or "Use Any API Client", by profile or permission set.
 * Queries only the permission fields the org has; without the approval field the read is not made (the rules that
 * need it are then not evaluated, never passed).
 */
export async function readPrivilegedGrants(conn: Connection, fields: PermissionFields): Promise<Optional<PrivilegedGrant[]>> {
  const source = 'PermissionSetAssignment:privileged';
  if (!fields.approveUninstalled) return { value: [], coverage: withoutApproveField(source) };
  return optional(source, [], async () => {
    type PermissionSetRow = { Name: string; IsOwnedByProfile: boolean; Profile: { Name: string } | null; PermissionsModifyAllData: boolean } & Record<string, unknown>;
    type Row = { AssigneeId: string; Assignee: { Username: string; Profile: { Name: string } | null } | null; PermissionSet: PermissionSetRow | null };
    const permissions = [APPROVE_UNINSTALLED_FIELD, ...(fields.useAnyApiClient ? [USE_ANY_API_CLIENT_FIELD] : [])];
    const rows = await queryAll<Row>(
      conn,
      'SELECT AssigneeId, Assignee.Username, Assignee.Profile.Name, PermissionSet.Name, PermissionSet.IsOwnedByProfile, PermissionSet.Profile.Name, ' +
        `${permissions.map((f) => `PermissionSet.${f}`).join(', ')}, PermissionSet.PermissionsModifyAllData ` +
        `FROM PermissionSetAssignment WHERE Assignee.IsActive = true AND (${permissions.map((f) => `PermissionSet.${f} = true`).join(' OR ')})`
    );
    return rows.records.map((r) => ({
      username: r.Assignee?.Username ?? r.AssigneeId,
      userId: r.AssigneeId,
      grantedBy: r.PermissionSet?.IsOwnedByProfile ? (r.PermissionSet.Profile?.Name ?? '') : (r.PermissionSet?.Name ?? ''),
      viaProfile: r.PermissionSet?.IsOwnedByProfile ?? false,
      profileName: r.Assignee?.Profile?.Name ?? null,
      approveUninstalledConnectedApps: r.PermissionSet?.[APPROVE_UNINSTALLED_FIELD] === true,
      useAnyApiClient: r.PermissionSet?.[USE_ANY_API_CLIENT_FIELD] === true,
      modifyAllData: r.PermissionSet?.PermissionsModifyAllData ?? false,
    }));
  });
}

export type ProfileFacts = { name: string; approveUninstalledConnectedApps: boolean };

/**
 * Profiles with Modify All Data (administrator profiles, including clones) and whether they kept the bypass
 * permission: through their profile-owned permission sets, whose fields the PermissionSet describe lists.
 */
export async function readAdminProfiles(conn: Connection, fields: PermissionFields): Promise<Optional<ProfileFacts[]>> {
  const source = 'Profile';
  if (!fields.approveUninstalled) return { value: [], coverage: withoutApproveField(source) };
  return optional(source, [], async () => {
    type Row = { Profile: { Name: string } | null } & Record<string, unknown>;
    const rows = await queryAll<Row>(
      conn,
      `SELECT Profile.Name, ${APPROVE_UNINSTALLED_FIELD} FROM PermissionSet WHERE IsOwnedByProfile = true AND PermissionsModifyAllData = true`
    );
    return rows.records.flatMap((r) => (r.Profile ? [{ name: r.Profile.Name, approveUninstalledConnectedApps: r[APPROVE_UNINSTALLED_FIELD] === true }] : []));
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

/**
 * Login IP ranges of the named profiles (display names), each profile read completely: a profile in the map with no
 * range has none. The documented source is Profile metadata (loginIpRanges), read 10 profiles a call. A queryable
 * LoginIpRange object appears only in community code, with disputed field names; where describe shows it, one query
 * answers for every profile instead.
 */
export async function readProfileIpRanges(conn: Connection, profileNames: readonly string[]): Promise<Optional<Map<string, IpRange[]>>> {
  const names = [...new Set(profileNames)];
  let fields: Set<string> | null;
  try {
    fields = await describeFieldNames(conn, 'LoginIpRange');
  } catch (error) {
    if (!isSourceUnavailable(error)) throw error;
    fields = null;
  }
  const start = ['IpStartAddress', 'StartAddress'].find((f) => fields?.has(f));
  const end = ['IpEndAddress', 'EndAddress'].find((f) => fields?.has(f));
  if (fields?.has('ProfileId') && start && end) {
    return optional('LoginIpRange', new Map<string, IpRange[]>(), async () => {
      type Row = { Profile: { Name: string } | null } & Record<string, unknown>;
      const rows = await queryAll<Row>(conn, `SELECT ${start}, ${end}, Profile.Name FROM LoginIpRange`);
      // The object lists every range in the org: a profile without rows has none.
      const ranges = new Map<string, IpRange[]>(names.map((n) => [n, []]));
      for (const r of rows.records) {
        if (!r.Profile) continue;
        ranges.set(r.Profile.Name, [...(ranges.get(r.Profile.Name) ?? []), { start: String(r[start]), end: String(r[end]) }]);
      }
      return ranges;
    });
  }
  return optional('readMetadata:Profile', new Map<string, IpRange[]>(), () => readProfileMetadataRanges(conn, names));
}

/** Profile metadata names differ from display names for standard profiles ("System Administrator" is "Admin"): join on the Id. */
async function readProfileMetadataRanges(conn: Connection, names: readonly string[]): Promise<Map<string, IpRange[]>> {
  const ranges = new Map<string, IpRange[]>();
  if (names.length === 0) return ranges;
  const idOf = new Map<string, string>();
  for (const part of chunk(names, 300)) {
    const rows = await queryAll<{ Id: string; Name: string }>(conn, `SELECT Id, Name FROM Profile WHERE Name IN ${soqlInList(part)}`);
    for (const r of rows.records) idOf.set(r.Name.toLowerCase(), id15(r.Id));
  }
  const fullNameOfId = new Map((await listMetadata(conn, 'Profile')).flatMap((p) => (p.id ? [[id15(p.id), p.fullName] as const] : [])));
  const fullNameOf = new Map(names.map((n) => [n, fullNameOfId.get(idOf.get(n.toLowerCase()) ?? '') ?? n]));
  const records = await readMetadata(conn, 'Profile', [...new Set(fullNameOf.values())]);
  for (const name of names) {
    const record = records.get(fullNameOf.get(name) ?? name);
    if (!record) continue; // not read: unknown, not "none"
    ranges.set(
      name,
      elements(record, 'loginIpRanges').map((r) => ({ start: childText(r, 'startAddress') ?? '', end: childText(r, 'endAddress') ?? '' }))
    );
  }
  return ranges;
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
  // No PermissionSet object at all would leave every permission not checkable, as a missing field does.
  const fields = (await describeFieldNames(conn, 'PermissionSet')) ?? new Set<string>();
  const checkable = permissions.filter((p) => fields.has(`Permissions${p}`));
  const held: UserPermissions = new Map(permissions.map((p) => [p, checkable.includes(p) ? false : null]));
  if (checkable.length === 0) return held;
  type Row = { PermissionSet: Record<string, boolean | null> | null };
  const select = checkable.map((p) => `PermissionSet.Permissions${p}`).join(', ');
  const rows = (await queryAll<Row>(conn, `SELECT ${select} FROM PermissionSetAssignment WHERE AssigneeId = ${soqlString(userId)}`)).records;
  for (const p of checkable) held.set(p, rows.some((r) => r.PermissionSet?.[`Permissions${p}`] === true));
  return held;
}

/**
 * Whether the session's user sees every user's OAuth tokens: OauthToken shows all of them only to users with
 * Customize Application, and each other user only their own (reference §5). null when it cannot be told.
 */
export async function seesEveryUsersTokens(conn: Connection): Promise<boolean | null> {
  const me = await readIdentity(conn);
  if (me === null) return null;
  try {
    const held = await queryAll(conn, `SELECT COUNT() FROM PermissionSetAssignment WHERE AssigneeId = ${soqlString(me.userId)} AND PermissionSet.PermissionsCustomizeApplication = true`);
    return held.totalSize > 0;
  } catch (error) {
    if (isUnreachable(error)) throw error;
    return null;
  }
}

// ---- One user, for doctor ----------------------------------------------------------------------------

export type UserRecord = { id: string; username: string; active: boolean; profileName: string | null };

/** The user with this username (case-insensitive, as logins are), or null when the org has none. */
export async function readUserByUsername(conn: Connection, username: string): Promise<UserRecord | null> {
  type Row = { Id: string; Username: string; IsActive: boolean; Profile: { Name: string } | null };
  const rows = await queryAll<Row>(conn, `SELECT Id, Username, IsActive, Profile.Name FROM User WHERE Username = ${soqlString(username)} LIMIT 1`);
  const r = rows.records[0] as Row | undefined;
  return r ? { id: r.Id, username: r.Username, active: r.IsActive, profileName: r.Profile?.Name ?? null } : null;
}

/**
 * Whether the user's login is frozen (UserLogin.IsFrozen, object reference). Optional: the object needs Manage Users to
 * read; null value when it could not be read, and when the org has no UserLogin row for the user.
 */
export async function readUserFrozen(conn: Connection, userId: string): Promise<Optional<boolean | null>> {
  return optional('UserLogin', null, async () => {
    const rows = await queryAll<{ IsFrozen: boolean }>(conn, `SELECT IsFrozen FROM UserLogin WHERE UserId = ${soqlString(userId)}`);
    return rows.records.length ? rows.records.some((r) => r.IsFrozen) : null;
  });
}

/** readUserPermissions as an optional source (a refusal becomes coverage). */
export async function readUserPermissionsOptional(conn: Connection, userId: string, permissions: readonly string[]): Promise<Optional<UserPermissions | null>> {
  return optional('PermissionSetAssignment', null, () => readUserPermissions(conn, userId, permissions));
}

/** How many active users hold "Approve Uninstalled Connected Apps"; null value where the org has no field for it. */
export async function countApprovers(conn: Connection): Promise<Optional<number | null>> {
  const fields = await readPermissionFields(conn);
  if (!fields.value) return { value: null, coverage: fields.coverage };
  const grants = await readPrivilegedGrants(conn, fields.value);
  return { value: grants.coverage.status === 'used' ? new Set(grants.value.filter((g) => g.approveUninstalledConnectedApps).map((g) => g.userId)).size : null, coverage: grants.coverage };
}
