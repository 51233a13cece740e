/*
 * Who holds which connected app: SetupEntityAccess rows whose parent is a permission set. A profile
 * holds access through the permission set it owns (IsOwnedByProfile); a permission set group's
 * aggregate set (PermissionSetGroupId) is read-only and reported as a group.
 */
import type { Connection } from '@salesforce/core';
import { queryAll } from './api.js';
import type { AccessHolderKind, AppAccess } from '../domain/inventory.js';

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
  "FROM SetupEntityAccess WHERE SetupEntityType = 'ConnectedApplication'";

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
    namespacePrefix: parent?.NamespacePrefix ?? null,
  };
}

/** Every connected-app assignment in the org, in one paged query. */
export async function readAppAccess(conn: Connection): Promise<AppAccess[]> {
  const result = await queryAll<SetupEntityAccessRecord>(conn, APP_ACCESS_SOQL);
  return result.records.map(toAppAccess);
}
