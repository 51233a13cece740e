/*
 * Who holds which connected app: SetupEntityAccess rows whose parent is a permission set. A profile
 * holds access through the permission set it owns (IsOwnedByProfile); a permission set group's
 * aggregate set (PermissionSetGroupId) is read-only and reported as a group.
 */
import type { Connection } from '@salesforce/core';
import { dataPath, queryAll, sendJson } from './api.js';
import type { AccessRow } from '../domain/access/assignments.js';
import type { AccessHolderKind, AppAccess } from '../domain/access/inventory.js';
import { soqlInList } from '../domain/soql.js';

type SetupEntityAccessRecord = {
  Id: string;
  ParentId: string;
  SetupEntityId: string;
  Parent: {
    Name: string;
    Label: string | null;
    IsOwnedByProfile: boolean;
    ProfileId: string | null;
    PermissionSetGroupId: string | null;
    NamespacePrefix: string | null;
    Profile: { Name: string } | null;
  } | null;
};

const APP_ACCESS_SOQL =
  'SELECT Id, ParentId, SetupEntityId, Parent.Name, Parent.Label, Parent.IsOwnedByProfile, Parent.ProfileId, ' +
  'Parent.Profile.Name, Parent.PermissionSetGroupId, Parent.NamespacePrefix ' +
  "FROM SetupEntityAccess WHERE SetupEntityType IN ('ConnectedApplication', 'ExternalClientApplication')";

export function toAppAccess(row: SetupEntityAccessRecord): AppAccess {
  const parent = row.Parent;
  const kind: AccessHolderKind = parent?.IsOwnedByProfile ? 'profile' : parent?.PermissionSetGroupId ? 'permission-set-group' : 'permission-set';
  const name = kind === 'profile' ? (parent?.Profile?.Name ?? parent?.Name ?? row.ParentId) : (parent?.Name ?? row.ParentId);
  return {
    id: row.Id,
    appId: row.SetupEntityId,
    permissionSetId: row.ParentId,
    kind,
    name,
    label: kind === 'profile' ? name : (parent?.Label ?? name),
    profileId: parent?.ProfileId ?? null,
    permissionSetGroupId: parent?.PermissionSetGroupId ?? null,
    namespacePrefix: parent?.NamespacePrefix ?? null,
  };
}

/** Every connected-app and External Client App assignment in the org, in one paged query. */
export async function readAppAccess(conn: Connection): Promise<AppAccess[]> {
  const result = await queryAll<SetupEntityAccessRecord>(conn, APP_ACCESS_SOQL);
  return result.records.map(toAppAccess);
}

// ---- Writing app access ------------------------------------------------------------------------

export type CollectionResult = { id: string | null; success: boolean; errors: Array<{ statusCode: string; message: string; fields?: string[] }> };

/** sObject Collections take at most 200 records a call. */
export const RECORDS_PER_CALL = 200;

/** Existing access rows for these apps (and, when given, only these holders): one paged query. */
export async function readAccessRows(conn: Connection, appIds: readonly string[], permissionSetIds?: readonly string[]): Promise<AccessRow[]> {
  if (appIds.length === 0) return [];
  const holderFilter = permissionSetIds ? ` AND ParentId IN ${soqlInList(permissionSetIds)}` : '';
  const soql = `SELECT Id, ParentId, SetupEntityId FROM SetupEntityAccess WHERE SetupEntityId IN ${soqlInList(appIds)}${holderFilter}`;
  const result = await queryAll<{ Id: string; ParentId: string; SetupEntityId: string }>(conn, soql);
  return result.records.map((r) => ({ id: r.Id, appId: r.SetupEntityId, permissionSetId: r.ParentId }));
}

/** Creates up to 200 access rows in one call, allOrNone=false: one result per pair, in order. Not retried. */
export async function createAccessRows(conn: Connection, pairs: ReadonlyArray<{ appId: string; permissionSetId: string }>): Promise<CollectionResult[]> {
  if (pairs.length > RECORDS_PER_CALL) throw new Error(`createAccessRows takes at most ${RECORDS_PER_CALL} records`);
  const body = {
    allOrNone: false,
    records: pairs.map((p) => ({ attributes: { type: 'SetupEntityAccess' }, ParentId: p.permissionSetId, SetupEntityId: p.appId })),
  };
  return sendJson<CollectionResult[]>(conn, 'POST', dataPath(conn, '/composite/sobjects'), body);
}

/** Deletes up to 200 access rows by Id in one call, allOrNone=false. Not retried. */
export async function deleteAccessRows(conn: Connection, ids: readonly string[]): Promise<CollectionResult[]> {
  if (ids.length > RECORDS_PER_CALL) throw new Error(`deleteAccessRows takes at most ${RECORDS_PER_CALL} ids`);
  return sendJson<CollectionResult[]>(conn, 'DELETE', dataPath(conn, `/composite/sobjects?ids=${ids.map(encodeURIComponent).join(',')}&allOrNone=false`));
}
