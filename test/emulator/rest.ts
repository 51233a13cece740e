/*
 * REST handlers: /services/data (versions, sobjects, describe, query, composite, event log blobs) and the OAuth
 * endpoints (userinfo, identity, revoke).
 */
import type { IncomingHttpHeaders } from 'node:http';
import { IdAllocator, to18 } from './ids.js';
import { json, methodNotAllowed, notFound, restError, type Reply } from './http.js';
import type { OrgState } from './org.js';
import { describeSObject, findObject, OBJECTS } from './schema.js';
import { executeSoql, SoqlError } from './soql.js';

export type RestRequest = {
  method: string;
  path: string;
  url: URL;
  body: Buffer;
  headers: IncomingHttpHeaders;
  /** http://127.0.0.1:<port> */
  baseUrl: string;
};

type Cursor = { soql: string; records: Array<Record<string, unknown>>; totalSize: number; offset: number; batch: number; version: string };

export type QueryPaging = { batchSize: number };

/** guess: season labels of API versions follow 20.0 = Winter '11, then Spring, Summer, Winter ... (64.0 = Summer '25, 67.0 = Summer '26). */
export function versionLabel(v: number): string {
  const i = v - 20;
  const season = ['Winter', 'Spring', 'Summer'][i % 3];
  return `${season} '${String(11 + Math.floor(i / 3)).padStart(2, '0')}`;
}

export class RestApi {
  private readonly cursors = new Map<string, Cursor>();
  private readonly locatorIds = new IdAllocator('5g', 1);

  public constructor(private readonly org: OrgState, private readonly paging: QueryPaging) {}

  public versions(baseVersion = 20): Reply {
    const max = Number(this.org.maxApiVersion);
    const list = [];
    for (let v = baseVersion; v <= max; v++) list.push({ label: versionLabel(v), url: `/services/data/v${v}.0`, version: `${v}.0` });
    return json(200, list);
  }

  /** A path under /services/data/vXX.X (`rest` is what follows the version, without leading slash). */
  public handle(req: RestRequest, version: string, rest: string): Reply {
    const v = Number(version);
    if (!(v >= 20 && v <= Number(this.org.maxApiVersion)) || !/^\d+\.0$/.test(version)) return notFound();
    const parts = rest === '' ? [] : rest.split('/').map((p) => decodeURIComponent(p));
    const head = parts[0] ?? '';
    const m = req.method;
    if (parts.length === 0) {
      const base = `/services/data/v${version}`;
      return json(200, {
        tooling: `${base}/tooling`,
        metadata: `${base}/metadata`,
        query: `${base}/query`,
        queryAll: `${base}/queryAll`,
        sobjects: `${base}/sobjects`,
        limits: `${base}/limits`,
        composite: `${base}/composite`,
      });
    }
    switch (head) {
      case 'limits':
        return json(200, { DailyApiRequests: { Max: this.org.apiMax, Remaining: Math.max(0, this.org.apiMax - this.org.apiUsed) } });
      case 'query':
      case 'queryAll':
        if (m !== 'GET') return methodNotAllowed(m, ['GET', 'HEAD']);
        return parts.length > 1 ? this.queryMore(parts[1], version) : this.query(req, version);
      case 'sobjects':
        return this.sobjects(req, version, parts.slice(1));
      case 'composite':
        if (parts[1] === 'sobjects' && parts.length === 2) return this.collections(req);
        return notFound();
      case 'tooling':
        // The emulator has no Tooling API.
        return notFound();
      default:
        return notFound();
    }
  }

  // ---- query ------------------------------------------------------------------------------------

  private query(req: RestRequest, version: string): Reply {
    const q = req.url.searchParams.get('q');
    if (q === null || q.trim() === '') return restError(400, 'MALFORMED_QUERY', 'A query string has to be specified');
    let result;
    try {
      result = executeSoql(q, this.org, { apiVersion: version, now: this.org.now, isLicensed: (o) => this.org.isLicensed(o), hasField: (o, f) => this.org.hasField(o, f), aggregateRowCap: (o) => (o === 'OauthToken' && this.org.scenario.org.oauthTokenAggregates === 'capped' ? 2500 : undefined) });
    } catch (e) {
      if (e instanceof SoqlError) return restError(400, e.errorCode, e.message);
      throw e;
    }
    if (result.isCount) return { ...json(200, { totalSize: result.totalSize, done: true, records: [] }), compressible: true };
    let batch = this.paging.batchSize;
    const option = /batchSize\s*=\s*(\d+)/i.exec(String(req.headers['sforce-query-options'] ?? ''));
    // guess: values outside 200-2000 are clamped rather than rejected ("not guaranteed" per the docs).
    if (option) batch = Math.min(2000, Math.max(200, Number(option[1])));
    let records = result.records;
    if (result.objectName === 'OauthToken') {
      // OauthToken: 500 rows a batch, hard stop at 2,500 rows (facts §5).
      // guess: after 2,500 rows the real API ends the result (done = true, no nextRecordsUrl) while totalSize still
      // reports every matching token, so a client can tell it was cut off only by comparing totalSize with what it got.
      batch = 500;
      records = records.slice(0, 2500);
    }
    const cursor: Cursor = { soql: q, records, totalSize: result.totalSize, offset: 0, batch, version };
    return this.page(cursor, version);
  }

  private page(cursor: Cursor, version: string): Reply {
    const end = Math.min(cursor.records.length, cursor.offset + cursor.batch);
    const records = cursor.records.slice(cursor.offset, end);
    cursor.offset = end;
    const done = end >= cursor.records.length;
    if (done) return { ...json(200, { totalSize: cursor.totalSize, done: true, records }), compressible: true, records: records.length };
    const locator = `${this.locatorIds.next('01g')}-${end}`;
    this.cursors.set(locator, cursor);
    if (this.cursors.size > 500) this.cursors.delete(this.cursors.keys().next().value!);
    return { ...json(200, { totalSize: cursor.totalSize, done: false, nextRecordsUrl: `/services/data/v${version}/query/${locator}`, records }), compressible: true, records: records.length };
  }

  private queryMore(locator: string, version: string): Reply {
    const cursor = this.cursors.get(locator);
    if (!cursor) return restError(400, 'INVALID_QUERY_LOCATOR', 'invalid query locator');
    this.cursors.delete(locator);
    return this.page(cursor, version);
  }

  /** The SOQL a query locator continues (for the request log). */
  public soqlOfLocator(locator: string): string | undefined {
    return this.cursors.get(locator)?.soql;
  }

  // ---- sobjects ---------------------------------------------------------------------------------

  private sobjects(req: RestRequest, version: string, parts: string[]): Reply {
    const m = req.method;
    if (parts.length === 0) {
      if (m !== 'GET') return methodNotAllowed(m, ['GET', 'HEAD']);
      return json(200, { encoding: 'UTF-8', maxBatchSize: 200, sobjects: this.describeGlobal(version) });
    }
    const def = findObject(parts[0]);
    if (!def || !this.org.isLicensed(def.name)) return notFound();
    if (parts.length === 1) {
      if (m === 'POST' && def.name === 'SetupEntityAccess') {
        const body = parseJson(req.body);
        if (!isRecord(body)) return restError(400, 'JSON_PARSER_ERROR', 'The request body is not a JSON object');
        const [r] = this.org.createSetupEntityAccess([body], true);
        if (r.success) return json(201, { id: r.id, success: true, errors: [] });
        return json(400, r.errors.map((e) => ({ message: e.message, errorCode: e.statusCode, fields: e.fields })));
      }
      if (m !== 'GET') return methodNotAllowed(m, ['GET', 'HEAD']);
      const d = describeSObject(def, version, this.org.optionalSchema);
      return json(200, { objectDescribe: pick(d, GLOBAL_KEYS), recentItems: [] });
    }
    if (parts[1] === 'describe' && parts.length === 2) {
      if (m !== 'GET') return methodNotAllowed(m, ['GET', 'HEAD']);
      return json(200, describeSObject(def, version, this.org.optionalSchema));
    }
    const id = parts[1];
    if (def.name === 'EventLogFile' && parts[2] === 'LogFile' && parts.length === 3) {
      if (m !== 'GET') return methodNotAllowed(m, ['GET', 'HEAD']);
      const file = this.org.logFiles.get(to18(id));
      if (!file || !this.org.logFileServed(id)) return notFound();
      // guess: the blob is served as text/csv with a Content-Length (the docs only show cURL downloads).
      return { status: 200, headers: { 'Content-Type': 'text/csv' }, stream: { length: file.content.length, chunks: () => file.content.chunks() }, compressible: true };
    }
    if (parts.length !== 2) return notFound();
    if (m === 'DELETE') {
      const [r] = this.org.deleteRecords([id], true);
      if (r.success) return { status: 204 };
      const e = r.errors[0];
      return e.statusCode === 'INVALID_ID_FIELD' || e.statusCode === 'ENTITY_IS_DELETED' ? notFound() : restError(400, e.statusCode, e.message, e.fields);
    }
    if (m !== 'GET') return methodNotAllowed(m, ['GET', 'HEAD', 'DELETE']);
    const row = this.org.objectOfId(id) === def.name ? this.org.byId(id) : undefined;
    if (!row || (def.name === 'EventLogFile' && !this.org.logFileServed(row.Id as string))) {
      return restError(404, 'NOT_FOUND', `Provided external ID field does not exist or is not accessible: ${id}`);
    }
    const wanted = req.url.searchParams.get('fields')?.split(',').map((f) => f.trim().toLowerCase());
    const record: Record<string, unknown> = { attributes: { type: def.name, url: `/services/data/v${version}/sobjects/${def.name}/${row.Id as string}` } };
    for (const f of def.fields) {
      if (!this.org.hasField(def.name, f.name) || (wanted && !wanted.includes(f.name.toLowerCase()))) continue;
      const v = row[f.name];
      record[f.name] = f.type === 'base64' ? `/services/data/v${version}/sobjects/${def.name}/${row.Id as string}/${f.name}` : v ?? null;
    }
    return json(200, record);
  }

  private describeGlobal(version: string): Array<Record<string, unknown>> {
    return Object.values(OBJECTS)
      .filter((def) => this.org.isLicensed(def.name))
      .map((def) => pick(describeSObject(def, version, this.org.optionalSchema), GLOBAL_KEYS));
  }

  // ---- sObject Collections ----------------------------------------------------------------------

  private collections(req: RestRequest): Reply {
    if (req.method === 'POST') {
      const body = parseJson(req.body);
      if (!isRecord(body) || !Array.isArray(body.records)) return restError(400, 'JSON_PARSER_ERROR', 'The request body must be an object with a records array');
      const records = body.records as unknown[];
      if (records.length > 200) {
        // guess: the message of the real EXCEEDED_ID_LIMIT error for collections.
        return restError(400, 'EXCEEDED_ID_LIMIT', 'record limit reached. cannot submit more than 200 records into this call');
      }
      if (!records.every(isRecord)) return restError(400, 'JSON_PARSER_ERROR', 'Each record must be a JSON object');
      for (const r of records) {
        const type = (r.attributes as { type?: unknown } | undefined)?.type;
        if (typeof type !== 'string') return restError(400, 'INVALID_TYPE', 'Must send a concrete entity type.');
        const def = findObject(type);
        if (!def) return restError(400, 'INVALID_TYPE', `sObject type '${type}' is not supported.`);
        for (const k of Object.keys(r)) {
          if (k !== 'attributes' && !def.fields.some((f) => f.name.toLowerCase() === k.toLowerCase())) {
            return restError(400, 'INVALID_FIELD', `No such column '${k}' on sobject of type ${def.name}`);
          }
        }
      }
      const results = this.org.createSetupEntityAccess(records, body.allOrNone === true);
      return { ...json(200, results.map(saveResultJson)), records: results.length };
    }
    if (req.method === 'DELETE') {
      const ids = (req.url.searchParams.get('ids') ?? '').split(',').map((s) => s.trim()).filter((s) => s !== '');
      if (ids.length === 0) return restError(400, 'MALFORMED_ID', 'No ids were given');
      if (ids.length > 200) return restError(400, 'EXCEEDED_ID_LIMIT', 'record limit reached. cannot submit more than 200 records into this call');
      const allOrNone = req.url.searchParams.get('allOrNone') === 'true';
      return { ...json(200, this.org.deleteRecords(ids, allOrNone).map(saveResultJson)), records: ids.length };
    }
    return methodNotAllowed(req.method, ['POST', 'PATCH', 'DELETE']);
  }

  // ---- OAuth ------------------------------------------------------------------------------------

  public userinfo(baseUrl: string): Reply {
    return json(200, this.identity(baseUrl, true));
  }

  public identity(baseUrl: string, openId: boolean): Record<string, unknown> {
    const u = this.org.currentUser();
    const orgId = this.org.orgId;
    const userId = u.Id as string;
    const urls = {
      enterprise: `${baseUrl}/services/Soap/c/{version}/${orgId.slice(0, 15)}`,
      metadata: `${baseUrl}/services/Soap/m/{version}/${orgId.slice(0, 15)}`,
      partner: `${baseUrl}/services/Soap/u/{version}/${orgId.slice(0, 15)}`,
      rest: `${baseUrl}/services/data/v{version}/`,
      sobjects: `${baseUrl}/services/data/v{version}/sobjects/`,
      search: `${baseUrl}/services/data/v{version}/search/`,
      query: `${baseUrl}/services/data/v{version}/query/`,
      recent: `${baseUrl}/services/data/v{version}/recent/`,
      tooling_soap: `${baseUrl}/services/Soap/T/{version}/${orgId.slice(0, 15)}`,
      tooling_rest: `${baseUrl}/services/data/v{version}/tooling/`,
      profile: `${baseUrl}/${userId}`,
      feeds: `${baseUrl}/services/data/v{version}/chatter/feeds`,
      groups: `${baseUrl}/services/data/v{version}/chatter/groups`,
      users: `${baseUrl}/services/data/v{version}/chatter/users`,
      feed_items: `${baseUrl}/services/data/v{version}/chatter/feed-items`,
      feed_elements: `${baseUrl}/services/data/v{version}/chatter/feed-elements`,
      custom_domain: baseUrl,
    };
    const photos = { picture: `${baseUrl}/img/userprofile/default_profile_200_v2.png`, thumbnail: `${baseUrl}/img/userprofile/default_profile_45_v2.png` };
    const common = {
      user_id: userId,
      organization_id: orgId,
      email: u.Email,
      email_verified: true,
      photos,
      urls,
      active: u.IsActive,
      user_type: 'STANDARD',
      language: 'en_US',
      locale: 'en_US',
      utcOffset: -28800000,
      is_app_installed: true,
    };
    if (openId) {
      return {
        sub: `${baseUrl}/id/${orgId}/${userId}`,
        ...common,
        preferred_username: u.Username,
        nickname: (u.Username as string).split('@')[0],
        name: u.Name,
        given_name: u.FirstName,
        family_name: u.LastName,
        zoneinfo: 'America/Los_Angeles',
        profile: `${baseUrl}/${userId}`,
        picture: photos.picture,
        address: {},
        updated_at: u.LastModifiedDate,
      };
    }
    return {
      id: `${baseUrl}/id/${orgId}/${userId}`,
      asserted_user: true,
      ...common,
      username: u.Username,
      nick_name: (u.Username as string).split('@')[0],
      display_name: u.Name,
      first_name: u.FirstName,
      last_name: u.LastName,
      timezone: 'America/Los_Angeles',
      last_modified_date: u.LastModifiedDate,
    };
  }
}

const GLOBAL_KEYS = [
  'activateable', 'createable', 'custom', 'customSetting', 'deepCloneable', 'deletable', 'deprecatedAndHidden', 'feedEnabled',
  'hasSubtypes', 'isInterface', 'isSubtype', 'keyPrefix', 'label', 'labelPlural', 'layoutable', 'mergeable', 'mruEnabled', 'name',
  'queryable', 'replicateable', 'retrieveable', 'searchable', 'triggerable', 'undeletable', 'updateable', 'urls',
];

function pick(o: Record<string, unknown>, keys: string[]): Record<string, unknown> {
  return Object.fromEntries(keys.filter((k) => k in o).map((k) => [k, o[k]]));
}

function saveResultJson(r: { id?: string; success: boolean; errors: Array<{ statusCode: string; message: string; fields: string[] }> }): Record<string, unknown> {
  const errors = r.errors.map((e) => ({ statusCode: e.statusCode, message: e.message, fields: e.fields }));
  return r.id === undefined ? { success: r.success, errors } : { id: r.id, success: r.success, errors };
}

function parseJson(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString('utf8')) as unknown;
  } catch {
    return undefined;
  }
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
