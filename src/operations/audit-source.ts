/*
 * The audit's view of a local project: every connected-app file's policy, with no org. With a target
 * org as well, the profile and permission set names the files list are checked to exist there, so a
 * deployment failure is caught before the deployment.
 */
import { Messages, type Connection } from '@salesforce/core';
import { queryAll } from '../adapters/api.js';
import { projectPackageDirectories, readSourceApps } from '../adapters/source-files.js';
import { DEFAULT_AUDIT_OPTIONS, type AuditApp, type AuditInventory, type AuditOptions, type Evidence } from '../domain/audit/model.js';
import { chunk } from '../domain/collections.js';
import type { SourceCoverage } from '../domain/coverage.js';
import { soqlInList } from '../domain/soql.js';

Messages.importMessagesDirectoryFromMetaUrl(import.meta.url);
const coverageText = Messages.loadMessages('plugin-connectedapp', 'connectedapp.coverage');

export type SourceAuditInput = { directories?: string[]; cwd: string; options?: Partial<AuditOptions>; now?: Date; conn?: Connection };

export class NoSourceDirectoryError extends Error {
  public constructor() {
    super('NoSourceDirectory');
    this.name = 'NoSourceDirectoryError';
  }
}

export async function readSourceAuditInventory(input: SourceAuditInput): Promise<AuditInventory> {
  const directories = input.directories?.length ? input.directories : await projectPackageDirectories(input.cwd);
  if (!directories?.length) throw new NoSourceDirectoryError();
  const read = await readSourceApps(directories, input.cwd);
  const apps: AuditApp[] = read.apps.map((source) => ({
    key: source.policy.fullName ?? source.fullName,
    apiName: source.policy.fullName ?? source.fullName,
    label: source.policy.label ?? source.fullName,
    id: null,
    installed: true,
    namespacePrefix: null,
    policy: source.policy,
    file: source.file,
    holders: null,
    tokens: null,
    logins: null,
    apiCalls: null,
    runAsUser: null,
    missingInOrg: null,
    ...(source.partFiles ? { partFiles: source.partFiles } : {}),
    ...(source.rotatesOnDeploy?.length ? { rotatesOnDeploy: source.rotatesOnDeploy } : {}),
    kind: source.policy.kind,
  }));
  // A connected app file and an ECA of the same name: commands naming either must say --type.
  for (const app of apps) {
    if (apps.some((other) => other.kind !== app.kind && other.key.toLowerCase() === app.key.toLowerCase())) app.nameShared = true;
  }
  const evidence: Evidence[] = ['metadata'];
  const coverage: SourceCoverage[] = [{ source: `files:${read.directories.join(',')}`, status: 'used', detail: coverageText.getMessage('files', [read.fileCount]) }];
  if (input.conn) {
    await checkNamesInOrg(input.conn, apps);
    evidence.push('orgNames');
    coverage.push({ source: 'Profile/PermissionSet names', status: 'used' });
  }
  return {
    mode: 'source',
    now: (input.now ?? new Date()).toISOString(),
    apps,
    privilegedUsers: null,
    adminProfiles: null,
    profileIpRanges: null,
    evidence,
    coverage,
    parseErrors: read.parseErrors,
    options: { ...DEFAULT_AUDIT_OPTIONS, ...input.options },
  };
}

/** Two queries whatever the number of files: the profile names and the permission set labels the files use. */
async function checkNamesInOrg(conn: Connection, apps: AuditApp[]): Promise<void> {
  const profileNames = [...new Set(apps.flatMap((a) => a.policy?.profileNames ?? []).filter(Boolean))];
  const setLabels = [...new Set(apps.flatMap((a) => a.policy?.permissionSetNames ?? []).filter(Boolean))];
  const existing = async (soql: (part: string[]) => string, field: 'Name' | 'Label', names: string[]): Promise<Set<string>> => {
    const found = new Set<string>();
    for (const part of chunk(names, 200)) {
      const rows = await queryAll<Record<'Name' | 'Label', string>>(conn, soql(part));
      for (const row of rows.records) found.add(row[field].toLowerCase());
    }
    return found;
  };
  const [profiles, sets] = await Promise.all([
    existing((part) => `SELECT Name FROM Profile WHERE Name IN ${soqlInList(part)}`, 'Name', profileNames),
    existing((part) => `SELECT Label FROM PermissionSet WHERE IsOwnedByProfile = false AND Label IN ${soqlInList(part)}`, 'Label', setLabels),
  ]);
  for (const app of apps) {
    app.missingInOrg = {
      profiles: (app.policy?.profileNames ?? []).filter((n) => n && !profiles.has(n.toLowerCase())),
      permissionSets: (app.policy?.permissionSetNames ?? []).filter((n) => n && !sets.has(n.toLowerCase())),
    };
  }
}
