/*
 * External Client Apps as the org holds them (reference §7): listMetadata of the ECA types (at most three types a
 * call, the API's limit), then readMetadata of every listed component, 10 names a call, grouped by app and read
 * into the policy model (src/domain/access/eca-org.ts). The ECA sObjects are "for internal use only", so the Metadata
 * API is the source. Requests: one listMetadata per group of types below, plus ceil(components / 10) readMetadata
 * per type read, whatever the number of connected apps.
 *
 * The OAuth settings types (ExtlClntAppOauthSettings, ExtlClntAppGlobalOauthSettings) need their own org setting
 * and user permission ("Allow Access to OAuth Consumer Secrets via Metadata API"), so they are listed in a call of
 * their own: a refusal there leaves the apps and their policies readable, and becomes a coverage note.
 */
import type { Connection } from '@salesforce/core';
import { errorCodeOf, isSourceUnavailable, messageOf } from './api.js';
import { listMetadataTypes, readMetadata, type FileProperties } from './metadata-api.js';
import { coverageForError, type SourceCoverage } from '../domain/coverage.js';
import { ECA_PART_ROOTS, readExternalClientAppPolicy } from '../domain/policy/eca.js';
import { joinOrgEcas, type EcaListedComponent, type EcaReadComponent, type OrgEca } from '../domain/access/eca-org.js';
import type { AppPolicy, EcaPart } from '../domain/policy/policy.js';
import type { XmlElement } from '../domain/xml.js';

/** What usage needs: the header only (Id from listMetadata, label from the component). */
export const ECA_HEADER_PARTS: readonly EcaPart[] = ['eca'];
/** What list and assign need: the header (label, Id) and the OAuth policies (permitted users, refresh token). */
export const ECA_SUMMARY_PARTS: readonly EcaPart[] = ['eca', 'ecaOauthPlcy'];
/** Every part the policy model reads (audit). */
export const ECA_POLICY_PARTS: readonly EcaPart[] = ['eca', 'ecaPlcy', 'ecaOauthPlcy', 'ecaOauth', 'ecaGlblOauth'];

/** Listed together; the OAuth settings types apart (see above). */
const LIST_GROUPS: ReadonlyArray<readonly EcaPart[]> = [
  ['eca', 'ecaOauthPlcy', 'ecaPlcy'],
  ['ecaOauth', 'ecaGlblOauth'],
];

export const ECA_LIST_SOURCE = 'listMetadata:ExternalClientApplication';

export type ExternalClientAppsRead = { apps: OrgEca[]; coverage: SourceCoverage[] };

export async function readExternalClientApps(conn: Connection, parts: readonly EcaPart[] = ECA_POLICY_PARTS): Promise<ExternalClientAppsRead> {
  const wanted = new Set<EcaPart>(['eca', ...parts]);
  const groups = LIST_GROUPS.map((g) => g.filter((p) => wanted.has(p))).filter((g) => g.length > 0);
  const listed = await Promise.all(groups.map((g) => listGroup(conn, g)));
  const coverage: SourceCoverage[] = [];
  const [main, ...others] = listed;
  if (main.error) return { apps: [], coverage: [coverageForError(ECA_LIST_SOURCE, errorCodeOf(main.error), messageOf(main.error))] };
  coverage.push({ source: ECA_LIST_SOURCE, status: 'used' });
  // The parts whose every component was read: a part listed as empty counts (its absence is the org's answer).
  const readParts = new Set<EcaPart>(groups[0]);
  const components: EcaListedComponent[] = [...main.components];
  others.forEach((other, i) => {
    if (other.error) {
      coverage.push(coverageForError(`listMetadata:${groups[i + 1].map((p) => ECA_PART_ROOTS[p]).join(',')}`, errorCodeOf(other.error), messageOf(other.error)));
      return;
    }
    components.push(...other.components);
    for (const part of groups[i + 1]) readParts.add(part);
  });

  const read = await Promise.all(
    [...readParts].map(async (part): Promise<EcaReadComponent[]> => {
      const names = components.filter((c) => c.part === part).map((c) => c.fullName);
      if (names.length === 0) return [];
      try {
        const records = await readMetadata(conn, ECA_PART_ROOTS[part], names);
        return [...records].flatMap(([fullName, record]) => (record ? [{ part, fullName, record }] : []));
      } catch (error) {
        if (!isSourceUnavailable(error)) throw error;
        readParts.delete(part);
        coverage.push(coverageForError(`readMetadata:${ECA_PART_ROOTS[part]}`, errorCodeOf(error), messageOf(error)));
        return [];
      }
    })
  );
  return { apps: joinOrgEcas(components, read.flat(), readParts), coverage };
}

async function listGroup(conn: Connection, parts: readonly EcaPart[]): Promise<{ components: EcaListedComponent[]; error?: unknown }> {
  try {
    const rows = await listMetadataTypes(conn, parts.map((p) => ECA_PART_ROOTS[p]));
    return { components: rows.flatMap((row) => listed(row, parts)) };
  } catch (error) {
    if (!isSourceUnavailable(error)) throw error;
    return { components: [], error };
  }
}

function listed(row: FileProperties, parts: readonly EcaPart[]): EcaListedComponent[] {
  const part = parts.find((p) => ECA_PART_ROOTS[p] === row.type);
  if (part === undefined || row.fullName === '') return [];
  return [{ part, fullName: row.fullName, id: row.id, namespacePrefix: row.namespacePrefix, createdDate: row.createdDate, lastModifiedDate: row.lastModifiedDate }];
}

/** The OAuth policies component (ExtlClntAppOauthConfigurablePolicies) of each ECA, and the policy it holds. */
export type EcaPolicyRecord = { record: XmlElement; policy: AppPolicy };

/**
 * Reads the named OAuth policies components (10 a call), keyed by app Id; null where the app has no such
 * component or the org has none of that name. `component`: the fullName listMetadata gave it (OrgEca.componentNames).
 */
export async function readEcaOauthPolicies(
  conn: Connection,
  apps: ReadonlyArray<{ id: string; apiName: string | null; component: string | null }>
): Promise<Map<string, EcaPolicyRecord | null>> {
  const named = apps.filter((a) => a.component !== null);
  const records = named.length ? await readMetadata(conn, ECA_PART_ROOTS.ecaOauthPlcy, named.map((a) => a.component ?? '')) : new Map<string, XmlElement | null>();
  return new Map(
    apps.map((app) => {
      const record = app.component === null ? null : (records.get(app.component) ?? null);
      return [app.id, record ? { record, policy: readExternalClientAppPolicy({ ecaOauthPlcy: record }, { fullName: app.apiName ?? undefined }) } : null];
    })
  );
}
