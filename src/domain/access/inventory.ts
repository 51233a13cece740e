/*
 * The org's connected apps as one joined, normalised inventory: the ConnectedApplication sObject row
 * (Id, label, a few policy flags), the Metadata API component (API name, namespace) and the
 * SetupEntityAccess assignments. Pure: adapters fetch, this joins.
 */
import { id15, normaliseName, sameId, splitNamespace } from '../names.js';
import type { AppKind, PermittedUsers } from '../policy/policy.js';
import type { RefreshTokenPolicy } from '../policy/refresh-token.js';

/** A ConnectedApplication sObject row (only the fields we query). */
export type ConnectedApplicationRecord = {
  Id: string;
  Name: string;
  OptionsAllowAdminApprovedUsersOnly: boolean | null;
  RefreshTokenValidityPeriod: number | null;
  OptionsRefreshTokenValidityMetric: boolean | null;
  CreatedDate: string | null;
  LastModifiedDate: string | null;
};

/** A ConnectedApp metadata component as listMetadata names it. */
export type AppComponent = { fullName: string; id: string | null; namespacePrefix: string | null };

export type AccessHolderKind = 'profile' | 'permission-set' | 'permission-set-group';

/** One SetupEntityAccess row: a permission set (or a profile, through the set it owns) that holds an app. */
export type AppAccess = {
  id: string;
  appId: string;
  permissionSetId: string;
  kind: AccessHolderKind;
  /** Profile name for profiles, API name for permission sets. */
  name: string;
  /** Label for permission sets (what ConnectedApp metadata lists); the profile name for profiles. */
  label: string;
  profileId: string | null;
  /** The group, when the permission set is a permission set group's aggregate set. */
  permissionSetGroupId: string | null;
  namespacePrefix: string | null;
};

/**
 * The refresh-token policy as the sObject shows it: the number only. The unit (hours/days/months) and
 * whether the policy is "valid until revoked" or "expire immediately" are visible only in metadata.
 */
export type SObjectRefreshToken = { validityPeriod: number | null; measuredFrom: 'issue' | 'last-use' };

export type JoinedBy = 'id' | 'name';

export type InventoryApp = {
  /** A connected app (ConnectedApplication row) or an External Client App (eca-org.ts). */
  kind: AppKind;
  id: string;
  label: string;
  apiName: string | null;
  namespacePrefix: string | null;
  joinedBy: JoinedBy | null;
  permittedUsers: PermittedUsers;
  refreshToken: SObjectRefreshToken;
  /** The full refresh-token policy where the source shows it (an ECA's metadata); null for a ConnectedApplication row. */
  refreshTokenPolicy: RefreshTokenPolicy | null;
  permissionSets: AppAccess[];
  profiles: AppAccess[];
  createdDate: string | null;
  lastModifiedDate: string | null;
};

export type Inventory = {
  apps: InventoryApp[];
  /** Metadata components that matched no ConnectedApplication row. */
  unmatchedComponents: AppComponent[];
};

/**
 * Joins sObject rows, metadata components and access rows. Components join on Id (15-character
 * comparison); where the component has no Id, or its Id matches no row, on the normalised name
 * (label vs API name without namespace), but only when that name is unambiguous on both sides.
 */
export function joinInventory(
  records: readonly ConnectedApplicationRecord[],
  components: readonly AppComponent[] | null,
  access: readonly AppAccess[]
): Inventory {
  const accessByApp = new Map<string, AppAccess[]>();
  for (const row of access) {
    const key = id15(row.appId);
    const list = accessByApp.get(key) ?? [];
    list.push(row);
    accessByApp.set(key, list);
  }

  const componentFor = new Map<string, { component: AppComponent; joinedBy: JoinedBy }>();
  const unmatched: AppComponent[] = [];
  if (components) {
    const recordById = new Map(records.map((r) => [id15(r.Id), r]));
    const byName: AppComponent[] = [];
    for (const component of components) {
      const record = component.id ? recordById.get(id15(component.id)) : undefined;
      if (record && !componentFor.has(id15(record.Id))) componentFor.set(id15(record.Id), { component, joinedBy: 'id' });
      else byName.push(component);
    }
    const unjoinedRecords = records.filter((r) => !componentFor.has(id15(r.Id)));
    const recordsByKey = groupBy(unjoinedRecords, (r) => normaliseName(r.Name));
    const componentsByKey = groupBy(byName, (c) => normaliseName(splitNamespace(c.fullName).localName));
    for (const component of byName) {
      const key = normaliseName(splitNamespace(component.fullName).localName);
      const candidates = recordsByKey.get(key) ?? [];
      if (candidates.length === 1 && componentsByKey.get(key)?.length === 1) {
        componentFor.set(id15(candidates[0].Id), { component, joinedBy: 'name' });
      } else {
        unmatched.push(component);
      }
    }
  }

  const apps = records.map((record): InventoryApp => {
    const joined = componentFor.get(id15(record.Id));
    const holders = accessByApp.get(id15(record.Id)) ?? [];
    return {
      kind: 'connected-app',
      id: record.Id,
      label: record.Name,
      apiName: joined?.component.fullName ?? null,
      namespacePrefix: joined ? (joined.component.namespacePrefix ?? splitNamespace(joined.component.fullName).namespace) : null,
      joinedBy: joined?.joinedBy ?? null,
      permittedUsers: record.OptionsAllowAdminApprovedUsersOnly ? 'admin-approved' : 'all-self-authorize',
      refreshToken: {
        validityPeriod: record.RefreshTokenValidityPeriod ?? null,
        measuredFrom: record.OptionsRefreshTokenValidityMetric ? 'last-use' : 'issue',
      },
      refreshTokenPolicy: null,
      permissionSets: holders.filter((h) => h.kind !== 'profile'),
      profiles: holders.filter((h) => h.kind === 'profile'),
      createdDate: record.CreatedDate ?? null,
      lastModifiedDate: record.LastModifiedDate ?? null,
    };
  });
  return { apps: sortApps(apps), unmatchedComponents: unmatched };
}

const sortKey = (app: InventoryApp): string => (app.apiName ?? app.label).toLowerCase();

/** Apps of both kinds in one order: by API name (label when unknown), then connected apps first, then Id. */
export function sortApps(apps: readonly InventoryApp[]): InventoryApp[] {
  return [...apps].sort((a, b) => sortKey(a).localeCompare(sortKey(b)) || a.kind.localeCompare(b.kind) || a.id.localeCompare(b.id));
}

function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const map = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const list = map.get(k) ?? [];
    list.push(item);
    map.set(k, list);
  }
  return map;
}

/** Finds apps by API name, label or Id (case-insensitive for names; an Id of either kind of app). */
export function findApps(apps: readonly InventoryApp[], wanted: string): InventoryApp[] {
  const lower = wanted.toLowerCase();
  const isId = /^[0-9A-Za-z]{15}([0-9A-Za-z]{3})?$/.test(wanted);
  return apps.filter((app) => app.label.toLowerCase() === lower || app.apiName?.toLowerCase() === lower || (isId && sameId(app.id, wanted)));
}

/** Every name each app answers to (API name, label), one group per app, for "did you mean" suggestions. */
export function appNames(apps: readonly InventoryApp[]): string[][] {
  return apps.map((a) => (a.apiName && a.apiName !== a.label ? [a.apiName, a.label] : [a.label]));
}
