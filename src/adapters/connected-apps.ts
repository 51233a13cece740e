/*
 * Connected apps as the org sees them: ConnectedApplication rows (SOQL), ConnectedApp components
 * (Metadata API listMetadata) and their SetupEntityAccess assignments, read in a constant number of
 * requests whatever the number of apps, then joined in memory.
 */
import type { Connection } from '@salesforce/core';
import { errorCodeOf, isSourceUnavailable, messageOf, queryAll } from './api.js';
import { listMetadata, readMetadataAs } from './metadata-api.js';
import { readAppAccess } from './assignments.js';
import { coverageForError, type SourceCoverage } from '../domain/coverage.js';
import { readExternalClientApps } from './external-client-apps.js';
import { ecaInventoryApp, type OrgEca } from '../domain/access/eca-org.js';
import { joinInventory, sortApps, type AppComponent, type ConnectedApplicationRecord, type Inventory } from '../domain/access/inventory.js';
import { readConnectedAppPolicy, type AppPolicy, type EcaPart } from '../domain/policy/policy.js';
import { PolicyError } from '../domain/policy/policy-error.js';
import type { XmlElement } from '../domain/xml.js';

const CONNECTED_APPLICATION_SOQL =
  'SELECT Id, Name, OptionsAllowAdminApprovedUsersOnly, RefreshTokenValidityPeriod, OptionsRefreshTokenValidityMetric, CreatedDate, LastModifiedDate ' +
  'FROM ConnectedApplication ORDER BY Name';

export async function readConnectedApplications(conn: Connection): Promise<ConnectedApplicationRecord[]> {
  const result = await queryAll<ConnectedApplicationRecord>(conn, CONNECTED_APPLICATION_SOQL);
  return result.records;
}

/** API names come only from listMetadata, which needs "Modify Metadata Through Metadata API Functions". */
export async function readAppComponents(conn: Connection): Promise<{ components: AppComponent[] | null; coverage: SourceCoverage }> {
  const source = 'listMetadata:ConnectedApp';
  try {
    const components = (await listMetadata(conn, 'ConnectedApp')).map((p) => ({ fullName: p.fullName, id: p.id, namespacePrefix: p.namespacePrefix }));
    return { components, coverage: { source, status: 'used' } };
  } catch (error) {
    if (!isSourceUnavailable(error)) throw error;
    return { components: null, coverage: coverageForError(source, errorCodeOf(error), messageOf(error)) };
  }
}

export type InventoryRead = Inventory & { coverage: SourceCoverage[]; externalClientApps: OrgEca[] };

export type InventoryOptions = {
  /** Also read the org's External Client Apps (these parts of each; see external-client-apps.ts) into `apps`. */
  externalClientApps?: readonly EcaPart[];
  /** false: leave the apps' holders empty and do not read SetupEntityAccess (a caller that reads access its own way). */
  access?: boolean;
};

/**
 * The sources in parallel: 1 + pages(ConnectedApplication) + pages(SetupEntityAccess) requests, plus the External
 * Client Apps when asked (external-client-apps.ts: 1 or 2 + ceil(apps / 10) per part).
 */
export async function readInventory(conn: Connection, options: InventoryOptions = {}): Promise<InventoryRead> {
  const ecaParts = options.externalClientApps;
  const [records, components, access, ecas] = await Promise.all([
    readConnectedApplications(conn),
    readAppComponents(conn),
    options.access === false ? [] : readAppAccess(conn),
    ecaParts ? readExternalClientApps(conn, ecaParts) : null,
  ]);
  const inventory = joinInventory(records, components.components, access);
  return {
    apps: ecas ? sortApps([...inventory.apps, ...ecas.apps.map((eca) => ecaInventoryApp(eca, access))]) : inventory.apps,
    unmatchedComponents: inventory.unmatchedComponents,
    externalClientApps: ecas?.apps ?? [],
    coverage: [
      { source: 'ConnectedApplication', status: 'used' },
      components.coverage,
      ...(options.access === false ? [] : [{ source: 'SetupEntityAccess', status: 'used' as const }]),
      ...(ecas?.coverage ?? []),
    ],
  };
}

export type AppMetadata = { record: XmlElement; policy: AppPolicy };

/**
 * Every app's ConnectedApp metadata (10 names a call, 4 calls at a time), parsed into the policy model.
 * Keyed by app Id; null where the app has no API name, the org has no component, or it is not a ConnectedApp.
 */
export async function readAppPolicies(conn: Connection, apps: ReadonlyArray<{ id: string; apiName: string | null }>): Promise<Map<string, AppMetadata | null>> {
  return readAppMetadataAs(conn, apps, (record, policy) => ({ record, policy }));
}

/** Only the policies (for the audit): each app's metadata tree is dropped as soon as its policy is read. */
export async function readAppPolicyModels(conn: Connection, apps: ReadonlyArray<{ id: string; apiName: string | null }>): Promise<Map<string, AppPolicy | null>> {
  return readAppMetadataAs(conn, apps, (_record, policy) => policy);
}

async function readAppMetadataAs<T>(conn: Connection, apps: ReadonlyArray<{ id: string; apiName: string | null }>, keep: (record: XmlElement, policy: AppPolicy) => T): Promise<Map<string, T | null>> {
  const named = apps.filter((a) => a.apiName !== null);
  const records = named.length
    ? await readMetadataAs(conn, 'ConnectedApp', named.map((a) => a.apiName ?? ''), (record, fullName) => {
        try {
          return keep(record, readConnectedAppPolicy(record, { fullName }));
        } catch (error) {
          if (!(error instanceof PolicyError)) throw error;
          return null;
        }
      })
    : new Map<string, T | null>();
  return new Map(apps.map((app) => [app.id, (app.apiName ? records.get(app.apiName) : undefined) ?? null]));
}

