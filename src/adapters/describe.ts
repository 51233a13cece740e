/*
 * sObject describe: which fields an object has in this org, before a query names them. Permission fields
 * (PermissionsCanApproveUninstalledApps…) and community-reported objects (LoginIpRange) differ between orgs, and a
 * query naming one that is missing fails as a whole.
 */
import type { Connection } from '@salesforce/core';
import { dataPath, errorCodeOf, getJson } from './api.js';

/** The field names of an object in this org (one request); null when the org has no such object. */
export async function describeFieldNames(conn: Connection, objectName: string): Promise<Set<string> | null> {
  try {
    const describe = await getJson<{ fields: Array<{ name: string }> }>(
      conn,
      dataPath(conn, `/sobjects/${encodeURIComponent(objectName)}/describe`)
    );
    return new Set(describe.fields.map((f) => f.name));
  } catch (error) {
    if (['NOT_FOUND', 'INVALID_TYPE'].includes(errorCodeOf(error))) return null;
    throw error;
  }
}
