/*
 * Resolving the permission sets and profiles a user named into the permission sets that carry app
 * access, in one query (plus one for permission set groups, only when a name is still unknown).
 */
import type { Connection } from '@salesforce/core';
import { queryAll } from './api.js';
import type { AccessHolder } from '../domain/access/assignments.js';
import { sameId, splitNamespace } from '../domain/names.js';
import { soqlInList } from '../domain/soql.js';

type PermissionSetRecord = {
  Id: string;
  Name: string;
  Label: string;
  NamespacePrefix: string | null;
  IsOwnedByProfile: boolean;
  PermissionSetGroupId: string | null;
  Profile: { Name: string } | null;
};

/** Why a named permission set cannot hold app access. */
export type RefusedHolder =
  | { reason: 'permission-set-group'; requested: string; groupName: string; components: string[] }
  | { reason: 'managed'; requested: string; name: string; namespacePrefix: string }
  | { reason: 'ambiguous'; requested: string; candidates: string[] };

export type HolderResolution = {
  holders: Map<string, AccessHolder>;
  unknownPermissionSets: string[];
  unknownProfiles: string[];
  refused: RefusedHolder[];
};

const fullNameOf = (r: PermissionSetRecord): string => (r.NamespacePrefix ? `${r.NamespacePrefix}__${r.Name}` : r.Name);

/** Keys are `permission-set:<name as typed>` and `profile:<name as typed>`. */
export function holderKey(kind: 'permission-set' | 'profile', requested: string): string {
  return `${kind}:${requested}`;
}

export async function resolveHolders(conn: Connection, permissionSets: readonly string[], profiles: readonly string[]): Promise<HolderResolution> {
  const resolution: HolderResolution = { holders: new Map(), unknownPermissionSets: [], unknownProfiles: [], refused: [] };
  if (permissionSets.length === 0 && profiles.length === 0) return resolution;

  const clauses: string[] = [];
  if (permissionSets.length) {
    const localNames = permissionSets.map((n) => splitNamespace(n).localName);
    clauses.push(`(IsOwnedByProfile = false AND (Name IN ${soqlInList(new Set([...permissionSets, ...localNames]))} OR Label IN ${soqlInList(new Set(permissionSets))}))`);
  }
  if (profiles.length) clauses.push(`(IsOwnedByProfile = true AND Profile.Name IN ${soqlInList(new Set(profiles))})`);
  const soql =
    'SELECT Id, Name, Label, NamespacePrefix, IsOwnedByProfile, PermissionSetGroupId, Profile.Name FROM PermissionSet WHERE ' + clauses.join(' OR ');
  const records = (await queryAll<PermissionSetRecord>(conn, soql)).records;

  for (const requested of profiles) {
    const match = records.find((r) => r.IsOwnedByProfile && r.Profile?.Name.toLowerCase() === requested.toLowerCase());
    if (match?.Profile) resolution.holders.set(holderKey('profile', requested), { kind: 'profile', permissionSetId: match.Id, name: match.Profile.Name, label: match.Profile.Name });
    else resolution.unknownProfiles.push(requested);
  }

  const sets = records.filter((r) => !r.IsOwnedByProfile);
  /** Names that matched a permission set group's aggregate set: requested name → group Id. */
  const aggregates = new Map<string, string>();
  for (const requested of permissionSets) {
    const lower = requested.toLowerCase();
    const byName = sets.filter((r) => fullNameOf(r).toLowerCase() === lower);
    const candidates = byName.length ? byName : sets.filter((r) => r.Label.toLowerCase() === lower);
    if (candidates.length === 0) resolution.unknownPermissionSets.push(requested);
    else if (candidates.length > 1) resolution.refused.push({ reason: 'ambiguous', requested, candidates: candidates.map(fullNameOf) });
    else {
      const match = candidates[0];
      if (match.PermissionSetGroupId) aggregates.set(requested, match.PermissionSetGroupId);
      else if (match.NamespacePrefix) resolution.refused.push({ reason: 'managed', requested, name: fullNameOf(match), namespacePrefix: match.NamespacePrefix });
      else resolution.holders.set(holderKey('permission-set', requested), { kind: 'permission-set', permissionSetId: match.Id, name: fullNameOf(match), label: match.Label });
    }
  }

  if (resolution.unknownPermissionSets.length || aggregates.size) await findGroups(conn, resolution, aggregates);
  return resolution;
}

/**
 * A name that matched no permission set, or matched a group's aggregate set, may name a permission set
 * group: refuse it, naming the group's component permission sets (one query).
 */
async function findGroups(conn: Connection, resolution: HolderResolution, aggregates: Map<string, string>): Promise<void> {
  const names = [...resolution.unknownPermissionSets, ...aggregates.keys()];
  const byId = aggregates.size ? ` OR PermissionSetGroupId IN ${soqlInList(new Set(aggregates.values()))}` : '';
  const soql =
    'SELECT PermissionSetGroupId, PermissionSetGroup.DeveloperName, PermissionSetGroup.MasterLabel, PermissionSet.Name, PermissionSet.NamespacePrefix FROM PermissionSetGroupComponent ' +
    `WHERE PermissionSetGroup.DeveloperName IN ${soqlInList(names)} OR PermissionSetGroup.MasterLabel IN ${soqlInList(names)}${byId}`;
  type Row = { PermissionSetGroupId: string; PermissionSetGroup: { DeveloperName: string; MasterLabel: string }; PermissionSet: { Name: string; NamespacePrefix: string | null } };
  const rows = (await queryAll<Row>(conn, soql)).records;
  const stillUnknown: string[] = [];
  for (const requested of names) {
    const lower = requested.toLowerCase();
    const groupId = aggregates.get(requested);
    const members = rows.filter(
      (r) => (groupId !== undefined && sameId(r.PermissionSetGroupId, groupId)) || r.PermissionSetGroup.DeveloperName.toLowerCase() === lower || r.PermissionSetGroup.MasterLabel.toLowerCase() === lower
    );
    if (members.length === 0 && groupId === undefined) stillUnknown.push(requested);
    else
      resolution.refused.push({
        reason: 'permission-set-group',
        requested,
        groupName: members[0]?.PermissionSetGroup.DeveloperName ?? requested,
        components: members.map((m) => (m.PermissionSet.NamespacePrefix ? `${m.PermissionSet.NamespacePrefix}__${m.PermissionSet.Name}` : m.PermissionSet.Name)),
      });
  }
  resolution.unknownPermissionSets = stillUnknown;
}

/** Every permission set's names (API name and label, one group per set) and every profile name, for "did you mean" (error path only). */
export async function holderNames(conn: Connection): Promise<{ permissionSets: string[][]; profiles: string[] }> {
  const rows = (
    await queryAll<PermissionSetRecord>(conn, 'SELECT Name, Label, NamespacePrefix, IsOwnedByProfile, Profile.Name FROM PermissionSet')
  ).records;
  return {
    permissionSets: rows.filter((r) => !r.IsOwnedByProfile).map((r) => [fullNameOf(r), r.Label]),
    profiles: rows.filter((r) => r.IsOwnedByProfile && r.Profile).map((r) => r.Profile?.Name ?? ''),
  };
}
