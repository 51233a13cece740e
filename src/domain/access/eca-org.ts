/*
 * External Client Apps as an org lists and reads them, joined into the same inventory shape as connected apps.
 * Pure: the adapter (src/adapters/external-client-apps.ts) lists and reads the components, this groups them by
 * app and reads the policy model (eca.ts).
 *
 * An app is its ExternalClientApplication header: its fullName is the app's API name and its FileProperties.id
 * the Id that SetupEntityAccess rows name (SetupEntityType ExternalClientApplication). The other parts belong
 * to the app their `externalClientApplication` element names (their own fullNames follow no documented rule).
 */
import { ECA_METADATA_PATHS, ecaAppName, readExternalClientAppPolicy, type EcaFiles } from '../policy/eca.js';
import type { AppAccess, InventoryApp, SObjectRefreshToken } from './inventory.js';
import { id15 } from '../names.js';
import type { AppPolicy, EcaPart } from '../policy/policy.js';
import type { RefreshTokenPolicy } from '../policy/refresh-token.js';
import type { XmlElement } from '../xml.js';

/** One listed ECA component (a listMetadata row). */
export type EcaListedComponent = { part: EcaPart; fullName: string; id: string | null; namespacePrefix: string | null; createdDate: string | null; lastModifiedDate: string | null };

/** One component as readMetadata returned it. */
export type EcaReadComponent = { part: EcaPart; fullName: string; record: XmlElement };

export type OrgEca = {
  /** The ExternalClientApplication Id (the header's FileProperties.id); null when the org did not give one. */
  id: string | null;
  apiName: string;
  label: string;
  namespacePrefix: string | null;
  createdDate: string | null;
  lastModifiedDate: string | null;
  /** The fullName of each part's component, as listed (what readMetadata / updateMetadata take). */
  componentNames: Partial<Record<EcaPart, string>>;
  /** The records read, by part. */
  files: EcaFiles;
  policy: AppPolicy;
};

/**
 * Groups listed and read components by app. `readParts`: the parts that were read in full (the org's answer
 * is authoritative for them: an element it leaves out holds the documented default, so their fields are not
 * "defaulted"; fields of parts that could not be read stay defaulted).
 */
export function joinOrgEcas(listed: readonly EcaListedComponent[], read: readonly EcaReadComponent[], readParts: ReadonlySet<EcaPart>): OrgEca[] {
  const headers = listed.filter((c) => c.part === 'eca');
  const appKey = (name: string): string => name.toLowerCase();
  const filesOf = new Map<string, EcaFiles>(headers.map((h) => [appKey(h.fullName), {}]));
  const namesOf = new Map<string, Partial<Record<EcaPart, string>>>(headers.map((h) => [appKey(h.fullName), { eca: h.fullName }]));
  for (const component of read) {
    const app = component.part === 'eca' ? component.fullName : ecaAppName(component.record);
    const files = app === null ? undefined : filesOf.get(appKey(app));
    if (!files || app === null) continue;
    files[component.part] ??= component.record;
    const names = namesOf.get(appKey(app));
    if (names) names[component.part] ??= component.fullName;
  }
  return headers
    .map((header): OrgEca => {
      const files = filesOf.get(appKey(header.fullName)) ?? {};
      const read0 = readExternalClientAppPolicy(files, { fullName: header.fullName });
      const policy: AppPolicy = { ...read0, defaulted: read0.defaulted.filter((f) => !readParts.has(partOfField(f))) };
      return {
        id: header.id,
        apiName: header.fullName,
        label: policy.label ?? header.fullName,
        namespacePrefix: header.namespacePrefix,
        createdDate: header.createdDate,
        lastModifiedDate: header.lastModifiedDate,
        componentNames: namesOf.get(appKey(header.fullName)) ?? { eca: header.fullName },
        files,
        policy,
      };
    })
    .sort((a, b) => a.apiName.toLowerCase().localeCompare(b.apiName.toLowerCase()));
}

const partOfField = (field: keyof typeof ECA_METADATA_PATHS): EcaPart => ECA_METADATA_PATHS[field].split('.')[0] as EcaPart;

/**
 * The refresh-token policy in the list's sObject shape: the number and what it is counted from. For an ECA the
 * unit is known as well (see `refreshTokenPolicy` on the list row).
 */
export function sObjectShapeOf(policy: RefreshTokenPolicy): SObjectRefreshToken {
  if (policy.kind === 'specific_lifetime') return { validityPeriod: policy.value, measuredFrom: 'issue' };
  if (policy.kind === 'specific_inactivity') return { validityPeriod: policy.value, measuredFrom: 'last-use' };
  return { validityPeriod: null, measuredFrom: 'issue' };
}

/** An ECA as an inventory app, with its SetupEntityAccess holders (joined on the Id, 15-character comparison). */
export function ecaInventoryApp(eca: OrgEca, access: readonly AppAccess[]): InventoryApp {
  const holders = eca.id ? access.filter((a) => id15(a.appId) === id15(eca.id ?? '')) : [];
  return {
    kind: 'external-client-app',
    id: eca.id ?? '',
    label: eca.label,
    apiName: eca.apiName,
    namespacePrefix: eca.namespacePrefix,
    joinedBy: null,
    permittedUsers: eca.policy.permittedUsers,
    refreshToken: sObjectShapeOf(eca.policy.refreshTokenPolicy),
    refreshTokenPolicy: eca.policy.refreshTokenPolicy,
    permissionSets: holders.filter((h) => h.kind !== 'profile'),
    profiles: holders.filter((h) => h.kind === 'profile'),
    createdDate: eca.createdDate,
    lastModifiedDate: eca.lastModifiedDate,
  };
}
