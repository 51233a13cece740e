/*
 * Event log file content: generated deterministically and streamed, never held in memory.
 *
 * A generated row is a handful of PRNG draws ("slots": user, app, IP, call kind, numbers ...); every column's
 * value comes from a slot's pool, a per-file constant, or a fixed-width field computed from the row number
 * (timestamps, request ids). So the byte length of a row is a sum of precomputed lengths: a counting pass over
 * the draws (no strings built) gives the exact LogFileLength, and rendering replays the same draws.
 * Real files quote every value and end every line (the last one too) with "\n" (see the corpus CSVs).
 */
import { Rng, hash32 } from './prng.js';

export type ElfUser = { id: string; username: string; userType: string };
export type ElfApp = { id: string; name: string; clientName: string; users: number[] };
export type ElfPools = {
  orgId: string;
  users: ElfUser[];
  /** Apps and (id '') non-app traffic entries; `users` are indexes into `users` (empty: anyone). */
  apps: ElfApp[];
  ips: string[];
};

export type ElfContent = {
  columns: string[];
  types: string[];
  length: number;
  rowCount: number;
  /** Chunks of about 64 KB, header row first. */
  chunks(): Generator<Buffer>;
};

const CHUNK = 64 * 1024;
const utf8Length = (s: string): number => Buffer.byteLength(s, 'utf8');
export const quoteCsv = (v: string): string => `"${v.replace(/"/g, '""')}"`;

type Column =
  | { name: string; type: string; kind: 'const'; value: string }
  | { name: string; type: string; kind: 'ts' }
  | { name: string; type: string; kind: 'tsd' }
  | { name: string; type: string; kind: 'key'; width: number; salt: number }
  | { name: string; type: string; kind: 'pool'; slot: Slot; values: (i: number) => string };

type Slot = 'user' | 'app' | 'ip' | 'call' | 'status' | 'n1' | 'n2' | 'n3' | 'n4' | 'tls';
const SLOTS: Slot[] = ['app', 'user', 'ip', 'call', 'status', 'n1', 'n2', 'n3', 'n4', 'tls'];

const KEY_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

function keyValue(seed: number, row: number, salt: number, width: number): string {
  let out = '';
  let h = hash32(seed ^ salt, row);
  for (let i = 0; i < width; i++) {
    if (i % 5 === 0) h = hash32(h, i + salt);
    out += KEY_ALPHABET[h & 63];
    h >>>= 6;
  }
  return out;
}

const pad2 = (n: number): string => (n < 10 ? `0${n}` : `${n}`);
const pad3 = (n: number): string => (n < 10 ? `00${n}` : n < 100 ? `0${n}` : `${n}`);

/** ELF TIMESTAMP: yyyyMMddHHmmss.SSS (UTC). */
export function elfTimestamp(d: Date): string {
  return `${d.getUTCFullYear()}${pad2(d.getUTCMonth() + 1)}${pad2(d.getUTCDate())}${pad2(d.getUTCHours())}${pad2(d.getUTCMinutes())}${pad2(
    d.getUTCSeconds()
  )}.${pad3(d.getUTCMilliseconds())}`;
}

type Call = [family: string, version: string, resource: string, method: string, entity: string];

function numberPool(seed: number, label: string, min: number, max: number): string[] {
  const rng = new Rng(Rng.seedOf(seed, label));
  return Array.from({ length: 64 }, () => String(rng.between(min, max)));
}

const fifteen = (id: string): string => (id.length === 18 ? id.slice(0, 15) : id);

/** Column layout per event type (columns as in real files of that type; see FINDINGS.md). */
function columnsFor(eventType: string, pools: ElfPools, apiVersion: string, seed: number): { columns: Column[]; slotSizes: Map<Slot, number> } {
  const { users, apps, ips } = pools;
  const org15 = fifteen(pools.orgId);
  const versions = ['58.0', '61.0', '64.0', apiVersion];
  const calls: Call[] = [];
  for (const v of versions) {
    calls.push(['REST', v, `/services/data/v${v}/query`, 'GET', 'Account']);
    calls.push(['REST', v, `/services/data/v${v}/sobjects/Contact`, 'POST', 'Contact']);
    calls.push(['REST', v, `/services/data/v${v}/sobjects/Opportunity/describe`, 'GET', 'Opportunity']);
    calls.push(['REST', v, `/services/data/v${v}/composite/sobjects`, 'PATCH', 'Lead']);
    calls.push(['SOAP', v, `/services/Soap/u/${v}`, 'POST', 'Account']);
    calls.push(['Bulk', v, `/services/data/v${v}/jobs/ingest`, 'POST', 'Case']);
    calls.push(['ApexREST', v, '/services/apexrest/orders', 'POST', '']);
  }
  const statuses = ['200', '200', '200', '200', '200', '200', '201', '200', '200', '204', '400', '401', '404', '200', '500', '200'];
  const loginStatuses = ['LOGIN_NO_ERROR', 'LOGIN_NO_ERROR', 'LOGIN_NO_ERROR', 'LOGIN_NO_ERROR', 'LOGIN_NO_ERROR', 'LOGIN_NO_ERROR', 'LOGIN_NO_ERROR', 'LOGIN_ERROR_INVALID_PASSWORD'];
  const tls: Array<[string, string]> = [
    ['TLSv1.3', 'TLS_AES_256_GCM_SHA384'],
    ['TLSv1.2', 'ECDHE-RSA-AES256-GCM-SHA384'],
    ['TLSv1.3', 'TLS_AES_128_GCM_SHA256'],
  ];
  const sizes = new Map<Slot, number>([
    ['app', apps.length],
    ['user', users.length],
    ['ip', ips.length],
    ['call', calls.length],
    ['status', eventType === 'Login' ? loginStatuses.length : statuses.length],
    ['n1', 64],
    ['n2', 64],
    ['n3', 64],
    ['n4', 64],
    ['tls', tls.length],
  ]);
  const n1 = numberPool(seed, 'n1', 5, 2400);
  const n2 = numberPool(seed, 'n2', 1, 300);
  const n3 = numberPool(seed, 'n3', 1000000, 900000000);
  const n4 = numberPool(seed, 'n4', 0, 250000);
  const c = (name: string, type: string, value: string): Column => ({ name, type, kind: 'const', value });
  const p = (name: string, type: string, slot: Slot, values: (i: number) => string): Column => ({ name, type, kind: 'pool', slot, values });
  const key = (name: string, width: number, salt: number): Column => ({ name, type: 'String', kind: 'key', width, salt });
  const isApp = (i: number): boolean => apps[i].id !== '';
  const head: Column[] = [
    c('EVENT_TYPE', 'String', eventType),
    { name: 'TIMESTAMP', type: 'String', kind: 'ts' },
    key('REQUEST_ID', 22, 1),
    c('ORGANIZATION_ID', 'Id', org15),
    p('USER_ID', 'Id', 'user', (i) => fifteen(users[i].id)),
  ];
  const tail: Column[] = [
    { name: 'TIMESTAMP_DERIVED', type: 'DateTime', kind: 'tsd' },
    p('USER_ID_DERIVED', 'Id', 'user', (i) => users[i].id),
  ];
  let body: Column[];
  switch (eventType) {
    case 'ApiTotalUsage':
      body = [
        p('API_FAMILY', 'String', 'call', (i) => calls[i][0]),
        p('API_VERSION', 'Number', 'call', (i) => calls[i][1]),
        p('API_RESOURCE', 'String', 'call', (i) => calls[i][2]),
        p('CLIENT_NAME', 'String', 'app', (i) => apps[i].clientName),
        p('HTTP_METHOD', 'String', 'call', (i) => calls[i][3]),
        p('CLIENT_IP', 'IP', 'ip', (i) => ips[i]),
        p('COUNTS_AGAINST_API_LIMIT', 'Boolean', 'app', (i) => (isApp(i) ? '1' : '0')),
        // guess: ApiTotalUsage.CONNECTED_APP_ID carries the 15-character id like RestApi's (the docs only say "prefix 0H4").
        p('CONNECTED_APP_ID', 'Id', 'app', (i) => fifteen(apps[i].id)),
        p('CONNECTED_APP_NAME', 'String', 'app', (i) => apps[i].name),
        p('ENTITY_NAME', 'String', 'call', (i) => calls[i][4]),
        p('STATUS_CODE', 'Number', 'status', (i) => statuses[i]),
        p('USER_NAME', 'String', 'user', (i) => users[i].username),
        p('API_CLIENT_CATEGORY', 'String', 'app', (i) => (isApp(i) ? 'EXTERNAL_APPLICATION' : 'LIGHTNING_UI')),
      ];
      break;
    case 'Login':
      // guess: LOGIN_TYPE i / A, LOGIN_SUB_TYPE and BROWSER_TYPE values of OAuth vs UI logins (the 2023 sample has the columns).
      body = [
        p('RUN_TIME', 'Number', 'n1', (i) => n1[i]),
        p('CPU_TIME', 'Number', 'n2', (i) => n2[i]),
        p('URI', 'EscapedString', 'app', (i) => (isApp(i) ? '/services/oauth2/token' : '/index.jsp')),
        c('SESSION_KEY', 'String', ''),
        key('LOGIN_KEY', 16, 2),
        p('USER_TYPE', 'String', 'user', (i) => users[i].userType),
        c('REQUEST_STATUS', 'String', ''),
        p('DB_TOTAL_TIME', 'Number', 'n3', (i) => n3[i]),
        p('LOGIN_TYPE', 'String', 'app', (i) => (isApp(i) ? 'i' : 'A')),
        p('BROWSER_TYPE', 'String', 'app', (i) => (isApp(i) ? apps[i].clientName || 'Java (Salesforce.com)' : 'Chrome 131')),
        c('API_TYPE', 'String', ''),
        c('API_VERSION', 'Number', '9998.0'),
        p('USER_NAME', 'String', 'user', (i) => users[i].username),
        p('TLS_PROTOCOL', 'String', 'tls', (i) => tls[i][0]),
        p('CIPHER_SUITE', 'String', 'tls', (i) => tls[i][1]),
        c('AUTHENTICATION_METHOD_REFERENCE', 'String', ''),
        p('LOGIN_SUB_TYPE', 'String', 'app', (i) => (isApp(i) ? 'OAuth Refresh Token' : '')),
        ...tail,
        c('CLIENT_IP', 'IP', 'Salesforce.com IP'),
        c('URI_ID_DERIVED', 'Id', ''),
        p('LOGIN_STATUS', 'String', 'status', (i) => loginStatuses[i]),
        p('SOURCE_IP', 'IP', 'ip', (i) => ips[i]),
      ];
      return { columns: [...head, ...body], slotSizes: sizes };
    case 'RestApi':
      body = [
        p('RUN_TIME', 'Number', 'n1', (i) => n1[i]),
        p('CPU_TIME', 'Number', 'n2', (i) => n2[i]),
        p('URI', 'EscapedString', 'call', (i) => calls[i][2]),
        key('SESSION_KEY', 16, 3),
        key('LOGIN_KEY', 16, 4),
        c('REQUEST_STATUS', 'String', 'S'),
        p('DB_TOTAL_TIME', 'Number', 'n3', (i) => n3[i]),
        p('METHOD', 'String', 'call', (i) => calls[i][3]),
        c('MEDIA_TYPE', 'String', 'application/json;charset=UTF-8'),
        p('STATUS_CODE', 'Number', 'status', (i) => statuses[i]),
        p('USER_AGENT', 'EscapedString', 'app', (i) => (isApp(i) ? apps[i].clientName || 'Java/17' : 'SFDC-Callout/64.0')),
        p('ROWS_PROCESSED', 'Number', 'n2', (i) => n2[i]),
        c('NUMBER_FIELDS', 'Number', ''),
        p('DB_BLOCKS', 'Number', 'n4', (i) => n4[i]),
        p('DB_CPU_TIME', 'Number', 'n2', (i) => n2[i]),
        c('REQUEST_SIZE', 'Number', '0'),
        p('RESPONSE_SIZE', 'Number', 'n4', (i) => n4[i]),
        p('ENTITY_NAME', 'String', 'call', (i) => calls[i][4]),
        p('CONNECTED_APP_ID', 'Id', 'app', (i) => fifteen(apps[i].id)),
        p('CLIENT_NAME', 'String', 'app', (i) => apps[i].clientName),
        ...tail,
        p('CLIENT_IP', 'IP', 'ip', (i) => ips[i]),
        c('URI_ID_DERIVED', 'Id', ''),
      ];
      return { columns: [...head, ...body], slotSizes: sizes };
    case 'API':
      body = [
        p('RUN_TIME', 'Number', 'n1', (i) => n1[i]),
        p('CPU_TIME', 'Number', 'n2', (i) => n2[i]),
        p('URI', 'EscapedString', 'call', (i) => `/services/Soap/u/${calls[i][1]}`),
        key('SESSION_KEY', 16, 3),
        key('LOGIN_KEY', 16, 4),
        c('REQUEST_STATUS', 'String', 'S'),
        p('DB_TOTAL_TIME', 'Number', 'n3', (i) => n3[i]),
        c('API_TYPE', 'String', 'P'),
        p('API_VERSION', 'Number', 'call', (i) => calls[i][1]),
        p('CLIENT_NAME', 'String', 'app', (i) => apps[i].clientName),
        c('METHOD_NAME', 'String', 'query'),
        p('ENTITY_NAME', 'String', 'call', (i) => calls[i][4]),
        p('ROWS_PROCESSED', 'Number', 'n2', (i) => n2[i]),
        c('REQUEST_SIZE', 'Number', '0'),
        p('RESPONSE_SIZE', 'Number', 'n4', (i) => n4[i]),
        p('DB_BLOCKS', 'Number', 'n4', (i) => n4[i]),
        p('DB_CPU_TIME', 'Number', 'n2', (i) => n2[i]),
        ...tail,
        p('CLIENT_IP', 'IP', 'ip', (i) => ips[i]),
        c('URI_ID_DERIVED', 'Id', ''),
      ];
      return { columns: [...head, ...body], slotSizes: sizes };
    case 'Logout':
      body = [
        p('USER_TYPE', 'String', 'user', (i) => users[i].userType),
        c('SESSION_TYPE', 'String', 'U'),
        c('SESSION_LEVEL', 'String', '1'),
        p('BROWSER_TYPE', 'String', 'app', (i) => (isApp(i) ? 'Java (Salesforce.com)' : 'Chrome 131')),
        c('PLATFORM_TYPE', 'String', '1015'),
        c('RESOLUTION_TYPE', 'String', '9999'),
        c('APP_TYPE', 'String', '1000'),
        c('CLIENT_VERSION', 'String', '9998'),
        c('API_TYPE', 'String', ''),
        c('API_VERSION', 'Number', '9998.0'),
        c('USER_INITIATED_LOGOUT', 'Boolean', '1'),
        key('SESSION_KEY', 16, 3),
        key('LOGIN_KEY', 16, 4),
        ...tail,
        p('CLIENT_IP', 'IP', 'ip', (i) => ips[i]),
      ];
      return { columns: [...head, ...body], slotSizes: sizes };
    default:
      // guess: other event types get the columns every ELF file starts and ends with.
      body = [p('CLIENT_IP', 'IP', 'ip', (i) => ips[i])];
  }
  return { columns: [...head, ...body, ...tail], slotSizes: sizes };
}

export type GenerateOptions = {
  eventType: string;
  seed: number;
  /** First instant covered and the span (a day or an hour) the rows' timestamps spread over. */
  start: Date;
  spanMs: number;
  rows?: number;
  bytes?: number;
  pools: ElfPools;
  apiVersion: string;
  /**
   * Apps whose rows are added beside the generated ones (External Client Apps): each app gets `share` × the file's
   * generated rows (at least one) from its own seed, merged in by time, so the other rows stay exactly as they were.
   */
  extraApps?: ElfExtraApp[];
};

export type ElfExtraApp = { app: ElfApp; share: number };

/** Rows from one seed: counted up front, rendered one at a time in timestamp order. */
type RowStream = { rowCount: number; bodyLength: number; open(): RowCursor };
/** The next row's time (Infinity after the last) and the row itself. */
type RowCursor = { nextMs: number; take(): string };

/**
 * One stream of rows. `target`: a row count, or a byte count the rows are added until (`initialLength` already
 * spent: the header). `centred`: timestamps in the middle of each row's slice of the span rather than at its start.
 */
function rowStream(
  o: GenerateOptions,
  pools: ElfPools,
  seed: number,
  target: { rows: number } | { bytes: number; initialLength: number },
  centred: boolean
): RowStream {
  const { columns, slotSizes } = columnsFor(o.eventType, pools, o.apiVersion, seed);
  // Fixed bytes per row: separators, newline, quotes/values of constant and fixed-width columns.
  let fixed = columns.length - 1 + 1;
  const poolCols: Array<{ slotIndex: number; lengths: Int32Array; quoted: string[] }> = [];
  for (const col of columns) {
    if (col.kind === 'const') fixed += utf8Length(quoteCsv(col.value));
    else if (col.kind === 'ts') fixed += 18 + 2;
    else if (col.kind === 'tsd') fixed += 24 + 2;
    else if (col.kind === 'key') fixed += col.width + 2;
    else {
      const size = slotSizes.get(col.slot) ?? 1;
      const quoted = Array.from({ length: size }, (_, i) => quoteCsv(col.values(i)));
      poolCols.push({ slotIndex: SLOTS.indexOf(col.slot), lengths: Int32Array.from(quoted, utf8Length), quoted });
    }
  }
  const sizes = SLOTS.map((s) => slotSizes.get(s) ?? 1);
  // Per-slot summed lengths: row length = fixed + sum over slots of slotLen[slot][draw].
  const slotLen = sizes.map((n) => new Int32Array(n));
  for (const pc of poolCols) for (let i = 0; i < pc.lengths.length; i++) slotLen[pc.slotIndex][i] += pc.lengths[i];

  const appIdx = SLOTS.indexOf('app');
  const userIdx = SLOTS.indexOf('user');
  const draws = new Int32Array(SLOTS.length);
  const draw = (rng: Rng): void => {
    for (let s = 0; s < SLOTS.length; s++) draws[s] = Math.floor(rng.float() * sizes[s]);
    // The user is drawn among the app's users when it has some (integration users), anyone otherwise.
    const appUsers = pools.apps[draws[appIdx]].users;
    if (appUsers.length > 0) draws[userIdx] = appUsers[draws[userIdx] % appUsers.length];
  };
  const rowLength = (): number => {
    let n = fixed;
    for (let s = 0; s < SLOTS.length; s++) n += slotLen[s][draws[s]];
    return n;
  };

  // Counting pass: no strings, just draws.
  let rowCount = 0;
  let bodyLength = 0;
  {
    const rng = new Rng(seed);
    if ('bytes' in target) {
      while (target.initialLength + bodyLength < target.bytes) {
        draw(rng);
        bodyLength += rowLength();
        rowCount++;
      }
    } else {
      for (; rowCount < target.rows; rowCount++) {
        draw(rng);
        bodyLength += rowLength();
      }
    }
  }

  const startMs = o.start.getTime();
  const tsOf = (r: number): number => startMs + (centred ? Math.floor(((r + 0.5) * o.spanMs) / rowCount) : Math.floor((r * o.spanMs) / rowCount));
  const constQuoted = columns.map((col) => (col.kind === 'const' ? quoteCsv(col.value) : ''));
  const open = (): RowCursor => {
    const rng = new Rng(seed);
    const parts: string[] = new Array<string>(columns.length);
    const ts = new Date(0);
    let r = 0;
    const cursor: RowCursor = {
      nextMs: rowCount > 0 ? tsOf(0) : Infinity,
      take: () => {
        draw(rng);
        ts.setTime(cursor.nextMs);
        let pi = 0;
        for (let ci = 0; ci < columns.length; ci++) {
          const col = columns[ci];
          switch (col.kind) {
            case 'const':
              parts[ci] = constQuoted[ci];
              break;
            case 'ts':
              parts[ci] = `"${elfTimestamp(ts)}"`;
              break;
            case 'tsd':
              parts[ci] = `"${ts.toISOString()}"`;
              break;
            case 'key':
              parts[ci] = `"${keyValue(seed, r, col.salt, col.width)}"`;
              break;
            case 'pool': {
              const pc = poolCols[pi++];
              parts[ci] = pc.quoted[draws[pc.slotIndex]];
              break;
            }
          }
        }
        r++;
        cursor.nextMs = r < rowCount ? tsOf(r) : Infinity;
        return parts.join(',') + '\n';
      },
    };
    return cursor;
  };
  return { rowCount, bodyLength, open };
}

/** A generated file: rows are counted up front (cheap), rendered on demand. */
export function generatedContent(o: GenerateOptions): ElfContent {
  const pools = o.pools;
  if (pools.users.length === 0) pools.users = [{ id: '005000000000000AAA', username: 'integration@example.invalid', userType: 'Standard' }];
  if (pools.apps.length === 0) pools.apps = [{ id: '', name: '', clientName: '', users: [] }];
  if (pools.ips.length === 0) pools.ips = ['10.0.0.1'];
  const { columns } = columnsFor(o.eventType, pools, o.apiVersion, o.seed);
  const header = columns.map((col) => quoteCsv(col.name)).join(',') + '\n';
  const headerLength = utf8Length(header);

  const main = rowStream(o, pools, o.seed, o.bytes === undefined ? { rows: o.rows ?? 100 } : { bytes: o.bytes, initialLength: headerLength }, false);
  // Each extra app's rows come from a seed of their own (the app's Id), so adding one changes no other row.
  const extras = (o.extraApps ?? []).map(({ app, share }) =>
    rowStream(o, { ...pools, apps: [app] }, Rng.seedOf(o.seed, `extra|${app.id}`), { rows: Math.max(1, Math.round(main.rowCount * share)) }, true)
  );
  const streams = [main, ...extras];

  function* chunks(): Generator<Buffer> {
    const cursors = streams.map((s) => s.open());
    let buf = header;
    for (;;) {
      // The earliest next row; on a tie the generated rows come first.
      let next: RowCursor | undefined;
      for (const c of cursors) if (c.nextMs < (next?.nextMs ?? Infinity)) next = c;
      if (!next) break;
      buf += next.take();
      if (buf.length >= CHUNK) {
        yield Buffer.from(buf, 'utf8');
        buf = '';
      }
    }
    if (buf.length > 0) yield Buffer.from(buf, 'utf8');
  }
  return {
    columns: columns.map((col) => col.name),
    types: columns.map((col) => col.type),
    length: headerLength + streams.reduce((n, s) => n + s.bodyLength, 0),
    rowCount: streams.reduce((n, s) => n + s.rowCount, 0),
    chunks,
  };
}

/** A file with given rows (small; kept in memory). */
export function givenContent(columns: string[], rows: Array<Record<string, string>>, types?: string[]): ElfContent {
  const text = [columns, ...rows.map((r) => columns.map((col) => r[col] ?? ''))].map((vals) => vals.map(quoteCsv).join(',') + '\n').join('');
  return bufferContent(columns, Buffer.from(text, 'utf8'), rows.length, types);
}

/** A file given as CSV text (header row included), served byte for byte. */
export function csvContent(text: string): ElfContent {
  const firstLine = text.slice(0, text.indexOf('\n') < 0 ? text.length : text.indexOf('\n')).replace(/\r$/, '');
  const columns = firstLine.split(',').map((h) => h.replace(/^"|"$/g, ''));
  const rowCount = text.split('\n').filter((l) => l.trim() !== '').length - 1;
  return bufferContent(columns, Buffer.from(text, 'utf8'), rowCount);
}

function bufferContent(columns: string[], body: Buffer, rowCount: number, types?: string[]): ElfContent {
  return {
    columns,
    types: types ?? columns.map((c) => guessType(c)),
    length: body.length,
    rowCount,
    *chunks() {
      for (let i = 0; i < body.length; i += CHUNK) yield body.subarray(i, Math.min(body.length, i + CHUNK));
    },
  };
}

function guessType(column: string): string {
  if (column === 'TIMESTAMP_DERIVED') return 'DateTime';
  if (/(^|_)ID($|_DERIVED$)/.test(column) && column !== 'REQUEST_ID' && column !== 'URI_ID_DERIVED') return 'Id';
  if (/_IP$/.test(column)) return 'IP';
  if (/(_TIME|_SIZE|_BLOCKS|ROWS_PROCESSED|STATUS_CODE)$/.test(column)) return 'Number';
  if (column === 'URI' || column === 'QUERY') return 'EscapedString';
  return 'String';
}

/** Event types available without the Event Monitoring add-on (in editions that have event log files at all). */
export const FREE_EVENT_TYPES = new Set([
  'ApexUnexpectedException',
  'ApiTotalUsage',
  'CorsViolation',
  'CspViolation',
  'HostnameRedirects',
  'InsecureExternalAssets',
  'Login',
  'Logout',
]);
