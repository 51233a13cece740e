/*
 * Connected-app usage, pure: the reporting window, which EventLogFile records to read, and the aggregation of
 * event-log rows (per app: users, source IPs, API families and resources, status codes, login types, per-day or
 * per-hour counts; per user: apps used), joined with OauthToken grants and LoginHistory logins.
 *
 * Event-log rows are aggregated per file into a FileAggregate and merged into the totals only once the whole file
 * has been read, so a download that is restarted after a dropped connection never counts a row twice. Rows are
 * compared as strings where possible (ELF TIMESTAMPs, yyyyMMddHHmmss.SSS, sort as text), so a row costs a handful
 * of Map lookups and no Date objects. Every per-app dimension keeps at most DIMENSION_CAP distinct values
 * (the rest are counted as "other"), so memory is bounded by the number of apps and users, never by file size.
 */
import { id15, normaliseName } from './names.js';
import type { AppKind } from './policy.js';
import type { SourceCoverage } from './coverage.js';

export type UsageInterval = 'daily' | 'hourly';
export type UsageSourceName = 'elf' | 'tokens' | 'logins' | 'all';

/** [start, end): the instants the report covers (end exclusive). */
export type UsageWindow = { start: Date; end: Date };

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;
/** LoginHistory keeps about six months. */
export const LOGIN_HISTORY_MAX_DAYS = 180;
/** Distinct values kept per dimension (IPs, resources, …) per app. */
export const DIMENSION_CAP = 500;

// ---- Window ---------------------------------------------------------------------------------------

export type WindowProblem = { problem: 'empty-window'; start: string; end: string };

const DATE_ONLY = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3}))?)?(Z|[+-]\d{2}:?\d{2})$/;

function validDay(y: number, m: number, d: number): boolean {
  const date = new Date(Date.UTC(y, m - 1, d));
  return date.getUTCFullYear() === y && date.getUTCMonth() === m - 1 && date.getUTCDate() === d;
}

/**
 * A --start-date / --end-date value: YYYY-MM-DD (a UTC day) or an ISO 8601 date-time with a zone
 * (2026-11-13T08:00:00Z, 2026-11-13T08:00+01:00). A day as an end date means the end of that day.
 */
export function parseDateFlag(value: string, as: 'start' | 'end'): Date | null {
  const text = value.trim();
  const day = DATE_ONLY.exec(text);
  if (day) {
    const [y, m, d] = [Number(day[1]), Number(day[2]), Number(day[3])];
    if (!validDay(y, m, d)) return null;
    return new Date(Date.UTC(y, m - 1, d) + (as === 'end' ? DAY_MS : 0));
  }
  const dt = DATE_TIME.exec(text);
  if (!dt) return null;
  const seconds = (dt[6] as string | undefined) ?? '00';
  const fraction = (dt[7] as string | undefined) ?? '0';
  const [y, m, d, hh, mm, ss] = [Number(dt[1]), Number(dt[2]), Number(dt[3]), Number(dt[4]), Number(dt[5]), Number(seconds)];
  if (!validDay(y, m, d) || hh > 23 || mm > 59 || ss > 59) return null;
  const zone = dt[8] === 'Z' ? 'Z' : `${dt[8].slice(0, 3)}:${dt[8].slice(-2)}`;
  const ms = Date.parse(`${dt[1]}-${dt[2]}-${dt[3]}T${dt[4]}:${dt[5]}:${seconds}.${fraction.padEnd(3, '0')}${zone}`);
  return Number.isNaN(ms) ? null : new Date(ms);
}

/** --last: 7d, 36h, 2w. */
export function parseLast(value: string): number | null {
  const match = /^\s*(\d{1,5})\s*([hdw])\s*$/i.exec(value);
  if (!match) return null;
  const n = Number(match[1]);
  if (n <= 0) return null;
  const unit = match[2].toLowerCase();
  return n * (unit === 'h' ? HOUR_MS : unit === 'd' ? DAY_MS : 7 * DAY_MS);
}

/** The window when no flag gives one: the last 7 days. */
export const DEFAULT_LAST_MS = 7 * DAY_MS;

/**
 * The window from the flags, parsed by them: --last counts back from --end-date (default now); --start-date and
 * --end-date give the bounds; neither: the last 7 days. (--last with --start-date is refused by the flag definitions.)
 */
export function resolveWindow(flags: { start?: Date; end?: Date; lastMs?: number }, now: Date): { window: UsageWindow } | WindowProblem {
  const end = flags.end ?? now;
  const start = flags.start ?? new Date(end.getTime() - (flags.lastMs ?? DEFAULT_LAST_MS));
  if (start.getTime() >= end.getTime()) return { problem: 'empty-window', start: start.toISOString(), end: end.toISOString() };
  return { window: { start, end } };
}

/** LoginHistory days (LAST_N_DAYS:n) that cover the window's start, at most six months. */
export function loginHistoryDays(window: UsageWindow | null, now: Date): { days: number; clamped: boolean } {
  if (window === null) return { days: LOGIN_HISTORY_MAX_DAYS, clamped: false };
  const wanted = Math.max(1, Math.ceil((now.getTime() - window.start.getTime()) / DAY_MS));
  return { days: Math.min(wanted, LOGIN_HISTORY_MAX_DAYS), clamped: wanted > LOGIN_HISTORY_MAX_DAYS };
}

// ---- ELF timestamps -------------------------------------------------------------------------------

const pad = (n: number, width = 2): string => String(n).padStart(width, '0');

/** An instant in ELF TIMESTAMP form (yyyyMMddHHmmss.SSS, UTC), comparable as text with the files' values. */
export function elfStamp(date: Date): string {
  return (
    `${date.getUTCFullYear()}${pad(date.getUTCMonth() + 1)}${pad(date.getUTCDate())}` +
    `${pad(date.getUTCHours())}${pad(date.getUTCMinutes())}${pad(date.getUTCSeconds())}.${pad(date.getUTCMilliseconds(), 3)}`
  );
}

/** ELF TIMESTAMP (any number of decimals, or none; also a bucket prefix yyyyMMdd[HH]) → ISO 8601. */
export function isoOfStamp(stamp: string): string | null {
  const m = /^(\d{4})(\d{2})(\d{2})(\d{2})?(\d{2})?(\d{2})?(?:\.(\d+))?$/.exec(stamp);
  if (!m) return null;
  // Optional groups are undefined when they did not match.
  const part = (i: number, fallback: string): string => (i < m.length && typeof m[i] === 'string' ? m[i] : fallback);
  return `${m[1]}-${m[2]}-${m[3]}T${part(4, '00')}:${part(5, '00')}:${part(6, '00')}.${part(7, '').slice(0, 3).padEnd(3, '0')}Z`;
}

/** TIMESTAMP_DERIVED (ISO, 2026-11-19T00:00:00.233Z) → ELF TIMESTAMP form. */
export function stampOfIso(iso: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?/.exec(iso);
  return m ? `${m[1]}${m[2]}${m[3]}${m[4]}${m[5]}${m[6]}.${((m[7] as string | undefined) ?? '000').slice(0, 3)}` : '';
}

/** Salesforce datetimes come as 2026-11-13T00:00:00.000+0000. */
export function parseSfDate(value: string): number {
  return Date.parse(value.replace(/([+-]\d{2})(\d{2})$/, '$1:$2'));
}

// ---- Event types ----------------------------------------------------------------------------------

/** Event types whose files name the connected app, and the columns that do. */
export const CONNECTED_APP_EVENT_TYPES: Readonly<Record<string, string>> = {
  ApiTotalUsage: 'CONNECTED_APP_ID, CONNECTED_APP_NAME',
  RestApi: 'CONNECTED_APP_ID',
};

/** Free in supported editions (the rest need Event Monitoring / Shield). */
export const FREE_EVENT_TYPES: readonly string[] = [
  'ApexUnexpectedException',
  'ApiTotalUsage',
  'CorsViolation',
  'CspViolation',
  'HostnameRedirects',
  'InsecureExternalAssets',
  'Login',
  'Logout',
];

const KNOWN_EVENT_TYPES: readonly string[] = [
  ...FREE_EVENT_TYPES,
  'API',
  'ApexCallout',
  'ApexExecution',
  'ApexRestApi',
  'ApexSoap',
  'ApexTrigger',
  'AsyncReportRun',
  'BulkApi',
  'BulkApi2',
  'CompositeApi',
  'CompositeApiSubrequest',
  'LightningPageView',
  'LoginAs',
  'MetadataApiOperation',
  'PermissionUpdate',
  'QueuedExecution',
  'Report',
  'RestApi',
  'UITracking',
  'URI',
  'VisualforceRequest',
];

export const DEFAULT_EVENT_TYPES: readonly string[] = ['ApiTotalUsage'];

/** The event type as Salesforce spells it when we know it (event types are case-sensitive in our lookups). */
export function canonicalEventType(name: string): string {
  const lower = name.trim().toLowerCase();
  return KNOWN_EVENT_TYPES.find((t) => t.toLowerCase() === lower) ?? name.trim();
}

export function carriesAppData(eventType: string): boolean {
  return eventType in CONNECTED_APP_EVENT_TYPES;
}

export function isFreeEventType(eventType: string): boolean {
  return FREE_EVENT_TYPES.includes(eventType);
}

export function isKnownEventType(eventType: string): boolean {
  return KNOWN_EVENT_TYPES.includes(eventType);
}

/** API family when the file has no API_FAMILY column. */
const FAMILY_OF_TYPE: Readonly<Record<string, string>> = { RestApi: 'REST', API: 'SOAP', BulkApi: 'Bulk', BulkApi2: 'Bulk', ApexRestApi: 'ApexREST', ApexSoap: 'ApexSOAP' };

// ---- Which files to read --------------------------------------------------------------------------

/** The EventLogFile fields we query. */
export type LogFileRecord = {
  Id: string;
  EventType: string;
  LogDate: string;
  Interval?: string | null;
  Sequence?: number | null;
  LogFileLength?: number | null;
  LogFileFieldNames?: string | null;
  CreatedDate?: string | null;
};

export type SelectedFiles = {
  files: LogFileRecord[];
  /** Older versions of a file replaced by a newer one for the same date (and hour). */
  replaced: number;
  /** Hourly files of a date that has a daily file (the daily file has the same events). */
  coveredByDaily: number;
};

const isHourly = (f: LogFileRecord): boolean => (f.Interval ?? 'Daily').toLowerCase() === 'hourly';

/**
 * Keeps, per event type and log date (and hour), the newest file (latest CreatedDate); prefers a date's daily
 * file to its hourly files; drops files whose span [LogDate, +1 day or hour) misses the window.
 */
export function selectLogFiles(records: readonly LogFileRecord[], window: UsageWindow): SelectedFiles {
  const newest = new Map<string, LogFileRecord>();
  let replaced = 0;
  for (const f of records) {
    const key = `${f.EventType}|${isHourly(f) ? 'H' : 'D'}|${parseSfDate(f.LogDate)}`;
    const seen = newest.get(key);
    if (seen === undefined) {
      newest.set(key, f);
      continue;
    }
    replaced++;
    const a = parseSfDate(f.CreatedDate ?? '') || 0;
    const b = parseSfDate(seen.CreatedDate ?? '') || 0;
    if (a > b || (a === b && f.Id > seen.Id)) newest.set(key, f);
  }
  const dailyDays = new Set<string>();
  for (const f of newest.values()) if (!isHourly(f)) dailyDays.add(`${f.EventType}|${new Date(parseSfDate(f.LogDate)).toISOString().slice(0, 10)}`);
  let coveredByDaily = 0;
  const start = window.start.getTime();
  const end = window.end.getTime();
  const files: LogFileRecord[] = [];
  for (const f of newest.values()) {
    const from = parseSfDate(f.LogDate);
    if (isHourly(f) && dailyDays.has(`${f.EventType}|${new Date(from).toISOString().slice(0, 10)}`)) {
      coveredByDaily++;
      continue;
    }
    const to = from + (isHourly(f) ? HOUR_MS : DAY_MS);
    if (to <= start || from >= end) continue;
    files.push(f);
  }
  files.sort((x, y) => parseSfDate(x.LogDate) - parseSfDate(y.LogDate) || x.EventType.localeCompare(y.EventType) || x.Id.localeCompare(y.Id));
  return { files, replaced, coveredByDaily };
}

/** The first LogDate to ask for: files are daily, so the day the window starts in. */
export function firstLogDate(window: UsageWindow): Date {
  return new Date(Math.floor(window.start.getTime() / DAY_MS) * DAY_MS);
}

// ---- Apps ----------------------------------------------------------------------------------------

/** An app the org holds, as the matcher needs it (a subset of InventoryApp): a connected app or an External Client App. */
export type KnownApp = { id: string; label: string; apiName: string | null; kind: AppKind };

/** Where a row's app was resolved to. */
export type AppRef = {
  key: string;
  name: string;
  appId: string | null;
  apiName: string | null;
  installed: boolean;
  /** The kind of app the org holds; null for an unknown app (not in the org, so of no known kind). */
  kind: AppKind | null;
};

/**
 * Resolves the app a row, token or login names: apps the org holds (connected apps and External Client Apps) by
 * Id (15 or 18 characters) and then by name (label or API name, normalised); anything else is an unknown app — an
 * app used in the org but not installed in it. With a selection (--name, --type), only the selected apps resolve,
 * and unknown apps only when the selection says so; the rest are null.
 */
export class AppMatcher {
  private readonly byId = new Map<string, AppRef>();
  private readonly byName = new Map<string, AppRef>();
  private readonly unknownByName = new Map<string, AppRef>();
  private readonly unknownById = new Map<string, AppRef>();
  private readonly cacheById = new Map<string, AppRef | null>();
  private readonly cacheByName = new Map<string, AppRef | null>();

  /**
   * `selected`: the Ids of the apps to resolve (null: every app the org holds); `unknown`: whether apps the org does
   * not hold resolve too (by default only when nothing is selected).
   */
  public constructor(
    private readonly apps: readonly KnownApp[],
    private readonly selected: ReadonlySet<string> | null = null,
    private readonly unknown: boolean = selected === null
  ) {
    for (const app of apps) {
      const ref: AppRef = { key: app.id, name: app.label, appId: app.id, apiName: app.apiName, installed: true, kind: app.kind };
      // An app whose Id the org did not give (an ECA listed without one) is found by name only.
      if (app.id !== '') this.byId.set(id15(app.id), ref);
      for (const name of [app.label, app.apiName]) {
        if (!name) continue;
        const key = normaliseName(name);
        if (!this.byName.has(key)) this.byName.set(key, ref);
      }
    }
  }

  public get filtered(): boolean {
    return this.selected !== null || !this.unknown;
  }

  /** What it was built from, as plain data (a parsing worker builds its own matcher from it). */
  public get setup(): { apps: KnownApp[]; selected: string[] | null; unknown: boolean } {
    return { apps: this.apps.map((a) => ({ id: a.id, label: a.label, apiName: a.apiName, kind: a.kind })), selected: this.selected ? [...this.selected] : null, unknown: this.unknown };
  }

  /** The app of an event-log row (id and/or name; at least one is non-empty). Cached per raw value. */
  public resolve(rawId: string, rawName: string): AppRef | null {
    if (rawId !== '') {
      const cached = this.cacheById.get(rawId);
      if (cached !== undefined) return cached;
      const ref = this.pick(this.byId.get(id15(rawId)) ?? (rawName ? this.byName.get(normaliseName(rawName)) : undefined) ?? this.unknownFor(rawId, rawName));
      this.cacheById.set(rawId, ref);
      return ref;
    }
    const cached = this.cacheByName.get(rawName);
    if (cached !== undefined) return cached;
    const ref = this.pick(this.byName.get(normaliseName(rawName)) ?? this.unknownFor('', rawName));
    this.cacheByName.set(rawName, ref);
    return ref;
  }

  /** The app of an OauthToken AppName or a LoginHistory Application (names only). */
  public resolveName(name: string): AppRef | null {
    return this.resolve('', name);
  }

  private pick(ref: AppRef): AppRef | null {
    if (!ref.installed) return this.unknown ? ref : null;
    return this.selected === null || (ref.appId !== null && this.selected.has(ref.appId)) ? ref : null;
  }

  private unknownFor(rawId: string, rawName: string): AppRef {
    const nameKey = rawName ? normaliseName(rawName) : '';
    const existing = (rawId ? this.unknownById.get(id15(rawId)) : undefined) ?? (nameKey ? this.unknownByName.get(nameKey) : undefined);
    if (existing) {
      if (existing.appId === null && rawId) {
        existing.appId = rawId;
        this.unknownById.set(id15(rawId), existing);
      }
      return existing;
    }
    const ref: AppRef = { key: rawId ? `id:${id15(rawId)}` : `name:${nameKey}`, name: rawName || rawId, appId: rawId || null, apiName: null, installed: false, kind: null };
    if (rawId) this.unknownById.set(id15(rawId), ref);
    if (nameKey) this.unknownByName.set(nameKey, ref);
    return ref;
  }
}

// ---- Counting ------------------------------------------------------------------------------------

export type ValueCount = { value: string; events: number };

/** A counter with at most `cap` distinct values; the rest are counted in `other`. */
export class CappedCounter {
  public readonly counts = new Map<string, number>();
  public other = 0;

  public constructor(private readonly cap = DIMENSION_CAP) {}

  public add(value: string, n = 1): void {
    if (value === '') return;
    const seen = this.counts.get(value);
    if (seen !== undefined) this.counts.set(value, seen + n);
    else if (this.counts.size < this.cap) this.counts.set(value, n);
    else this.other += n;
  }

  public merge(from: CappedCounter): void {
    for (const [value, n] of from.counts) this.add(value, n);
    this.other += from.other;
  }

  public sorted(): ValueCount[] {
    return [...this.counts].map(([value, events]) => ({ value, events })).sort((a, b) => b.events - a.events || a.value.localeCompare(b.value));
  }
}

type UserAgg = { userId: string; username: string; events: number; first: string; last: string };

const DIMENSIONS = ['sourceIps', 'apiFamilies', 'apiResources', 'httpMethods', 'statusCodes', 'clientNames', 'loginTypes', 'eventTypes'] as const;
export type Dimension = (typeof DIMENSIONS)[number];

type AppDetail = { users: Map<string, UserAgg>; dims: Record<Dimension, CappedCounter>; buckets: Map<string, number> };

class AppAgg {
  public events = 0;
  public first = '';
  public last = '';
  /** Users, dimensions and intervals; null in an aggregate of calls only (RowFilter.callsOnly). */
  private readonly detail: AppDetail | null;

  public constructor(public readonly ref: AppRef, public readonly detailed = true) {
    this.detail = detailed
      ? {
          users: new Map(),
          dims: {
            sourceIps: new CappedCounter(),
            apiFamilies: new CappedCounter(),
            apiResources: new CappedCounter(),
            httpMethods: new CappedCounter(),
            statusCodes: new CappedCounter(),
            clientNames: new CappedCounter(),
            loginTypes: new CappedCounter(),
            eventTypes: new CappedCounter(),
          },
          buckets: new Map(),
        }
      : null;
  }

  public get users(): Map<string, UserAgg> {
    return this.details().users;
  }

  public get dims(): Record<Dimension, CappedCounter> {
    return this.details().dims;
  }

  /** Bucket (yyyyMMdd or yyyyMMddHH) → events. */
  public get buckets(): Map<string, number> {
    return this.details().buckets;
  }

  public seen(ts: string): void {
    if (ts === '') return;
    if (this.first === '' || ts < this.first) this.first = ts;
    if (ts > this.last) this.last = ts;
  }

  public merge(from: AppAgg): void {
    this.events += from.events;
    if (from.first !== '' && (this.first === '' || from.first < this.first)) this.first = from.first;
    if (from.last > this.last) this.last = from.last;
    if (!from.detailed) return;
    for (const [key, u] of from.users) {
      const mine = this.users.get(key);
      if (!mine) {
        this.users.set(key, { ...u });
        continue;
      }
      mine.events += u.events;
      if (!mine.username) mine.username = u.username;
      if (u.userId.length > mine.userId.length) mine.userId = u.userId;
      if (u.first !== '' && (mine.first === '' || u.first < mine.first)) mine.first = u.first;
      if (u.last > mine.last) mine.last = u.last;
    }
    for (const d of DIMENSIONS) this.dims[d].merge(from.dims[d]);
    for (const [b, n] of from.buckets) this.buckets.set(b, (this.buckets.get(b) ?? 0) + n);
  }

  private details(): AppDetail {
    if (this.detail === null) throw new Error(`usage of ${this.ref.name}: an aggregate of calls only has no users, dimensions or intervals`);
    return this.detail;
  }
}

/** A problem with one file: a bad row (with its line), an empty file, a failed download. */
export type FileProblemKind = 'bad-row' | 'empty-file' | 'header-only' | 'no-app-columns' | 'download-failed';
export type FileProblem = { fileId: string; eventType: string; logDate: string; kind: FileProblemKind; line: number | null; message: string };

/** Bad rows reported per file (the rest are only counted). */
const PROBLEMS_PER_FILE = 20;

export type FileContext = { id: string; eventType: string; logDate: string; fieldNames?: string | null };

export type RowFilter = {
  window: UsageWindow;
  interval: UsageInterval;
  /** Lower-case usernames and 15-character user Ids to keep (null: everyone). */
  users: { names: ReadonlySet<string>; ids: ReadonlySet<string> } | null;
  /** Also count calls per client IP (usage --group-by ip, --new-ips-since). */
  ips?: boolean;
  /**
   * Count only each app's calls and first and last call (the audit's evidence): no users, dimensions or intervals.
   * At thousands of apps a file's detailed aggregates (ten Maps an app) are most of what its read allocates.
   */
  callsOnly?: boolean;
};

const HEADER_CELL = /^[A-Z][A-Z0-9_]*$/;

/**
 * One file's rows, aggregated. Columns are found by header name (the CSV's first row; LogFileFieldNames when the
 * file has no header row), so files from any release parse.
 */
export class FileAggregate {
  public rows = 0;
  public counted = 0;
  public outsideWindow = 0;
  public otherUsers = 0;
  public otherApps = 0;
  public nonApp = 0;
  public skippedRows = 0;
  public headerSeen = false;
  public hasAppColumns = false;
  public readonly problems: FileProblem[] = [];
  public readonly apps = new Map<string, AppAgg>();
  /** Calls per client IP, when the filter asks for them. */
  public readonly ips: IpCounter | null;
  private readonly badLines = new Set<number>();
  private readonly startStamp: string;
  private readonly endStamp: string;
  private readonly bucketWidth: number;
  private readonly defaultFamily: string;
  private col = {} as Record<'ts' | 'tsd' | 'appId' | 'appName' | 'userId' | 'userIdD' | 'userName' | 'ip' | 'family' | 'resource' | 'uri' | 'method' | 'status' | 'client' | 'loginType' | 'loginSubType', number>;

  public constructor(public readonly file: FileContext, private readonly matcher: AppMatcher, private readonly filter: RowFilter) {
    this.startStamp = elfStamp(filter.window.start);
    this.endStamp = elfStamp(filter.window.end);
    this.bucketWidth = filter.interval === 'hourly' ? 10 : 8;
    this.defaultFamily = FAMILY_OF_TYPE[file.eventType] ?? '';
    this.ips = filter.ips ? new IpCounter() : null;
  }

  /** Every CSV record, in order, the header row first. */
  public record(values: string[]): void {
    if (!this.headerSeen) {
      this.headerSeen = true;
      if (values.every((v) => HEADER_CELL.test(v))) {
        this.setColumns(values);
        return;
      }
      const names = this.file.fieldNames?.split(',').map((n) => n.trim()) ?? [];
      this.setColumns(names.length === values.length ? names : values);
      if (names.length !== values.length) return;
    }
    this.row(values);
  }

  private setColumns(header: readonly string[]): void {
    const at = (...names: string[]): number => {
      for (const n of names) {
        const i = header.indexOf(n);
        if (i >= 0) return i;
      }
      return -1;
    };
    this.col = {
      ts: at('TIMESTAMP'),
      tsd: at('TIMESTAMP_DERIVED'),
      appId: at('CONNECTED_APP_ID'),
      appName: at('CONNECTED_APP_NAME'),
      userId: at('USER_ID'),
      userIdD: at('USER_ID_DERIVED'),
      userName: at('USER_NAME'),
      ip: at('CLIENT_IP', 'SOURCE_IP'),
      family: at('API_FAMILY'),
      resource: at('API_RESOURCE'),
      uri: at('URI'),
      method: at('HTTP_METHOD', 'METHOD'),
      status: at('STATUS_CODE'),
      client: at('CLIENT_NAME'),
      loginType: at('LOGIN_TYPE'),
      loginSubType: at('LOGIN_SUB_TYPE'),
    };
    this.hasAppColumns = this.col.appId >= 0 || this.col.appName >= 0;
  }

  private row(r: string[]): void {
    this.rows++;
    const c = this.col;
    let ts = c.ts >= 0 ? r[c.ts] : '';
    if (ts === '' && c.tsd >= 0 && r[c.tsd] !== '') ts = stampOfIso(r[c.tsd]);
    if (ts !== '' && (ts < this.startStamp || ts >= this.endStamp)) {
      this.outsideWindow++;
      return;
    }
    const userId = c.userIdD >= 0 && r[c.userIdD] !== '' ? r[c.userIdD] : c.userId >= 0 ? r[c.userId] : '';
    const username = c.userName >= 0 ? r[c.userName] : '';
    const users = this.filter.users;
    if (users !== null && !((username !== '' && users.names.has(username.toLowerCase())) || (userId !== '' && users.ids.has(id15(userId))))) {
      this.otherUsers++;
      return;
    }
    const rawId = c.appId >= 0 ? r[c.appId] : '';
    const rawName = c.appName >= 0 ? r[c.appName] : '';
    if (rawId === '' && rawName === '') {
      this.nonApp++;
      return;
    }
    const ref = this.matcher.resolve(rawId, rawName);
    if (ref === null) {
      this.otherApps++;
      return;
    }
    this.counted++;
    let app = this.apps.get(ref.key);
    if (app === undefined) {
      app = new AppAgg(ref, this.filter.callsOnly !== true);
      this.apps.set(ref.key, app);
    }
    app.events++;
    app.seen(ts);
    if (!app.detailed) return;
    const userKey = userId !== '' ? id15(userId) : username;
    if (userKey !== '') {
      let user = app.users.get(userKey);
      if (user === undefined) {
        user = { userId, username, events: 0, first: '', last: '' };
        app.users.set(userKey, user);
      } else if (user.username === '' && username !== '') user.username = username;
      user.events++;
      if (ts !== '') {
        if (user.first === '' || ts < user.first) user.first = ts;
        if (ts > user.last) user.last = ts;
      }
    }
    const d = app.dims;
    if (c.ip >= 0) d.sourceIps.add(r[c.ip]);
    if (this.ips && c.ip >= 0) this.ips.call(r[c.ip], ts, username !== '' ? username : userId !== '' ? `id:${id15(userId)}` : '', ref.name);
    d.apiFamilies.add(c.family >= 0 ? r[c.family] : this.defaultFamily);
    if (c.resource >= 0) d.apiResources.add(r[c.resource]);
    else if (c.uri >= 0) d.apiResources.add(r[c.uri]);
    if (c.method >= 0) d.httpMethods.add(r[c.method]);
    if (c.status >= 0) d.statusCodes.add(r[c.status]);
    if (c.client >= 0) d.clientNames.add(r[c.client]);
    if (c.loginSubType >= 0 && r[c.loginSubType] !== '') d.loginTypes.add(r[c.loginSubType]);
    else if (c.loginType >= 0) d.loginTypes.add(r[c.loginType]);
    if (ts.length >= this.bucketWidth) {
      const bucket = ts.slice(0, this.bucketWidth);
      app.buckets.set(bucket, (app.buckets.get(bucket) ?? 0) + 1);
    }
  }

  /** A record the CSV parser could not read (wrong quoting, wrong number of fields, cut short). */
  public badRecord(line: number, message: string): void {
    if (this.badLines.has(line)) return;
    this.badLines.add(line);
    this.skippedRows++;
    if (this.problems.length < PROBLEMS_PER_FILE) this.problem('bad-row', line, message);
  }

  /** Called once the whole file has been read. */
  public end(): void {
    if (!this.headerSeen) this.problem('empty-file', null, '');
    else if (this.rows === 0 && this.skippedRows === 0) this.problem('header-only', 1, '');
    else if (!this.hasAppColumns && this.rows > 0) this.problem('no-app-columns', null, '');
  }

  private problem(kind: FileProblemKind, line: number | null, message: string): void {
    this.problems.push({ fileId: this.file.id, eventType: this.file.eventType, logDate: this.file.logDate, kind, line, message });
  }
}

// ---- Totals and the result -----------------------------------------------------------------------

export type AppUser = { username: string | null; userId: string | null; events: number; firstSeen: string | null; lastSeen: string | null };
export type IntervalCount = { start: string; events: number };

export type AppEventUsage = {
  events: number;
  firstSeen: string | null;
  lastSeen: string | null;
  users: AppUser[];
  sourceIps: ValueCount[];
  apiFamilies: ValueCount[];
  apiResources: ValueCount[];
  httpMethods: ValueCount[];
  statusCodes: ValueCount[];
  clientNames: ValueCount[];
  /** LOGIN_TYPE / LOGIN_SUB_TYPE values of rows that name the app (when the event type has them). */
  loginTypes: ValueCount[];
  eventTypes: ValueCount[];
  /** Per day or per hour (UTC), buckets with events only. */
  intervals: IntervalCount[];
  /** Dimensions that reached the cap of distinct values, with the events left in "other". */
  truncated: Array<{ dimension: Dimension; otherEvents: number }>;
};

/** OauthToken: the app's standing grants. */
export type AppTokens = {
  tokens: number;
  users: number;
  useCount: number;
  lastUsedDate: string | null;
  /** Usernames holding a grant (null when they could not be read). */
  holders: string[] | null;
};

/** LoginHistory: OAuth logins by flow. */
export type AppLogins = { loginSubType: string | null; logins: number; users: number; lastLogin: string | null };

export type AppUsage = {
  /** The app's label (ConnectedApplication.Name, the External Client App's label), or the name the logs / tokens / logins give an unknown app. */
  name: string;
  /** A connected app or an External Client App; null for an unknown app (not in the org). */
  type: AppKind | null;
  appId: string | null;
  apiName: string | null;
  /** false: the app is used in the org but not installed in it (or was uninstalled). */
  installed: boolean;
  /** From event log files (null: no event-log rows name the app, or event logs were not read). */
  eventLog: AppEventUsage | null;
  tokens: AppTokens | null;
  logins: AppLogins[];
};

export type UserApp = { name: string; appId: string | null; installed: boolean; events: number; firstSeen: string | null; lastSeen: string | null };

export type UserUsage = {
  username: string | null;
  userId: string | null;
  /** Event-log events through connected apps. */
  events: number;
  apps: UserApp[];
  /** Apps the user holds an OAuth grant for (OauthToken). */
  grants: string[];
};

/** All files' aggregates, merged. */
/** What the totals take from a file's aggregate: data only, so a parsing worker can post it (see reviveFileTotals). */
export type FileTotals = Pick<FileAggregate, 'file' | 'rows' | 'counted' | 'outsideWindow' | 'otherUsers' | 'otherApps' | 'nonApp' | 'skippedRows' | 'problems' | 'apps' | 'ips'>;

/** The data of a file's aggregate, without the matcher and filter it was built with. */
export function fileTotals(agg: FileAggregate): FileTotals {
  const { file, rows, counted, outsideWindow, otherUsers, otherApps, nonApp, skippedRows, problems, apps, ips } = agg;
  return { file, rows, counted, outsideWindow, otherUsers, otherApps, nonApp, skippedRows, problems, apps, ips };
}

/**
 * A FileTotals that crossed a worker boundary: structured cloning keeps Maps and fields but not classes, so the
 * per-app aggregates get their methods back (IpCounter is only read from, so it needs none).
 */
export function reviveFileTotals(data: FileTotals): FileTotals {
  for (const app of data.apps.values()) {
    Object.setPrototypeOf(app, AppAgg.prototype);
    if (app.detailed) for (const d of DIMENSIONS) Object.setPrototypeOf(app.dims[d], CappedCounter.prototype);
  }
  return data;
}

export class UsageTotals {
  public readonly apps = new Map<string, AppAgg>();
  public rows = 0;
  public counted = 0;
  public outsideWindow = 0;
  public otherUsers = 0;
  public otherApps = 0;
  public nonApp = 0;
  public skippedRows = 0;
  public readonly problems: FileProblem[] = [];
  /** Calls (event logs) and logins (LoginHistory) per client IP, when asked for. */
  public readonly ips = new IpCounter();

  public add(file: FileTotals): void {
    if (file.ips) this.ips.merge(file.ips);
    this.rows += file.rows;
    this.counted += file.counted;
    this.outsideWindow += file.outsideWindow;
    this.otherUsers += file.otherUsers;
    this.otherApps += file.otherApps;
    this.nonApp += file.nonApp;
    this.skippedRows += file.skippedRows;
    this.problems.push(...file.problems);
    for (const [key, app] of file.apps) {
      if (app.detailed) app.dims.eventTypes.add(file.file.eventType, app.events);
      const mine = this.apps.get(key);
      if (mine) mine.merge(app);
      else this.apps.set(key, app);
    }
  }

  public addProblem(problem: FileProblem): void {
    this.problems.push(problem);
  }

  /** The problems in file order (log date, event type, file, line), whichever download finished first. */
  public orderedProblems(): FileProblem[] {
    return [...this.problems].sort(
      (a, b) =>
        a.logDate.localeCompare(b.logDate) || a.eventType.localeCompare(b.eventType) || a.fileId.localeCompare(b.fileId) || (a.line ?? 0) - (b.line ?? 0)
    );
  }

  /** Each app's calls and last call, by app key (all that an aggregate of calls only has). */
  public calls(): Map<string, { ref: AppRef; events: number; lastSeen: string | null }> {
    const out = new Map<string, { ref: AppRef; events: number; lastSeen: string | null }>();
    for (const [key, app] of this.apps) out.set(key, { ref: app.ref, events: app.events, lastSeen: iso(app.last) });
    return out;
  }

  /** The event-log part of every app, by app key. */
  public eventUsage(): Map<string, { ref: AppRef; usage: AppEventUsage }> {
    const out = new Map<string, { ref: AppRef; usage: AppEventUsage }>();
    for (const [key, app] of this.apps) out.set(key, { ref: app.ref, usage: finishApp(app) });
    return out;
  }
}

const iso = (stamp: string): string | null => (stamp === '' ? null : isoOfStamp(stamp));

function finishApp(app: AppAgg): AppEventUsage {
  const users = [...app.users.values()]
    .map((u) => ({ username: u.username || null, userId: u.userId || null, events: u.events, firstSeen: iso(u.first), lastSeen: iso(u.last) }))
    .sort((a, b) => b.events - a.events || (a.username ?? a.userId ?? '').localeCompare(b.username ?? b.userId ?? ''));
  const intervals = [...app.buckets]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([bucket, events]) => ({ start: isoOfStamp(bucket) ?? bucket, events }));
  return {
    events: app.events,
    firstSeen: iso(app.first),
    lastSeen: iso(app.last),
    users,
    sourceIps: app.dims.sourceIps.sorted(),
    apiFamilies: app.dims.apiFamilies.sorted(),
    apiResources: app.dims.apiResources.sorted(),
    httpMethods: app.dims.httpMethods.sorted(),
    statusCodes: app.dims.statusCodes.sorted(),
    clientNames: app.dims.clientNames.sorted(),
    loginTypes: app.dims.loginTypes.sorted(),
    eventTypes: app.dims.eventTypes.sorted(),
    intervals,
    truncated: DIMENSIONS.filter((d) => app.dims[d].other > 0).map((d) => ({ dimension: d, otherEvents: app.dims[d].other })),
  };
}

export type TokenInput = { appName: string; tokens: number; users: number; useCount: number; lastUsedDate: string | null };
export type LoginInput = { application: string; loginSubType: string | null; logins: number; users: number; lastLogin: string | null };

/** LoginHistory applications that are not connected apps (UI and internal logins). */
const NON_APP_LOGIN = /^(browser|n\/a|unknown|)$/i;
/** LoginSubType values of OAuth-style logins: only these name a connected app in Application. */
const OAUTH_SUBTYPE = /oauth|jwt|saml|openid|token|remote/i;

/** The connected app a LoginHistory row names, or null (UI and internal logins, or an app outside the selection). */
export function loginApp(matcher: AppMatcher, application: string, loginSubType: string | null): AppRef | null {
  if (NON_APP_LOGIN.test(application.trim())) return null;
  const known = matcher.resolveName(application);
  // An Application that is not an installed app names a connected app only for OAuth-style logins.
  if (known === null || (!known.installed && !OAUTH_SUBTYPE.test(loginSubType ?? ''))) return null;
  return known;
}

export type JoinInput = {
  matcher: AppMatcher;
  /** Event-log usage by app key (empty when event logs were not read). */
  events: Map<string, { ref: AppRef; usage: AppEventUsage }>;
  tokens: readonly TokenInput[] | null;
  /** AppName → holders' usernames (null: not read). */
  holders: ReadonlyMap<string, string[]> | null;
  logins: readonly LoginInput[] | null;
  /** Lower-case usernames to keep in holder lists (null: all). */
  usernames: ReadonlySet<string> | null;
  /** Installed apps to list even without usage (the --name selection), in order. */
  listed: readonly KnownApp[];
};

/** One entry per app seen in any source (plus the listed apps), most used first. */
export function joinUsage(input: JoinInput): { apps: AppUsage[]; users: UserUsage[] } {
  const apps = new Map<string, AppUsage>();
  const entry = (ref: AppRef): AppUsage => {
    let app = apps.get(ref.key);
    if (!app) {
      app = { name: ref.name, type: ref.kind, appId: ref.appId, apiName: ref.apiName, installed: ref.installed, eventLog: null, tokens: null, logins: [] };
      apps.set(ref.key, app);
    }
    return app;
  };
  for (const { ref, usage } of input.events.values()) entry(ref).eventLog = usage;
  for (const t of input.tokens ?? []) {
    const ref = input.matcher.resolveName(t.appName);
    if (ref === null) continue;
    const holders = input.holders?.get(t.appName) ?? null;
    const app = entry(ref);
    const filteredHolders = holders === null ? null : input.usernames === null ? holders : holders.filter((h) => input.usernames?.has(h.toLowerCase()));
    if (app.tokens) {
      // Two AppMenuItems for one name: add them up.
      app.tokens.tokens += t.tokens;
      app.tokens.users += t.users;
      app.tokens.useCount += t.useCount;
      if (t.lastUsedDate && (!app.tokens.lastUsedDate || t.lastUsedDate > app.tokens.lastUsedDate)) app.tokens.lastUsedDate = t.lastUsedDate;
      if (filteredHolders && app.tokens.holders) app.tokens.holders = [...new Set([...app.tokens.holders, ...filteredHolders])].sort();
    } else {
      app.tokens = { tokens: t.tokens, users: t.users, useCount: t.useCount, lastUsedDate: t.lastUsedDate, holders: filteredHolders ? [...filteredHolders].sort() : null };
    }
  }
  for (const l of input.logins ?? []) {
    const known = loginApp(input.matcher, l.application, l.loginSubType);
    if (known === null) continue;
    entry(known).logins.push({ loginSubType: l.loginSubType, logins: l.logins, users: l.users, lastLogin: l.lastLogin });
  }
  for (const app of input.listed) entry({ key: app.id, name: app.label, appId: app.id, apiName: app.apiName, installed: true, kind: app.kind });

  const weight = (a: AppUsage): number => (a.eventLog?.events ?? 0) * 1e6 + (a.tokens?.useCount ?? 0) + a.logins.reduce((n, l) => n + l.logins, 0);
  const sorted = [...apps.values()].sort((a, b) => weight(b) - weight(a) || a.name.localeCompare(b.name));
  for (const app of sorted) app.logins.sort((a, b) => b.logins - a.logins);
  return { apps: sorted, users: usersOf(sorted) };
}

/** Per user: the apps used (event logs) and the apps holding a grant (tokens). */
function usersOf(apps: readonly AppUsage[]): UserUsage[] {
  const users = new Map<string, UserUsage>();
  const byName = new Map<string, UserUsage>();
  for (const app of apps) {
    for (const u of app.eventLog?.users ?? []) {
      const key = u.userId ? id15(u.userId) : `name:${(u.username ?? '').toLowerCase()}`;
      let user = users.get(key);
      if (!user) {
        user = { username: u.username, userId: u.userId, events: 0, apps: [], grants: [] };
        users.set(key, user);
      }
      if (!user.username && u.username) user.username = u.username;
      if (user.username) byName.set(user.username.toLowerCase(), user);
      user.events += u.events;
      user.apps.push({ name: app.name, appId: app.appId, installed: app.installed, events: u.events, firstSeen: u.firstSeen, lastSeen: u.lastSeen });
    }
  }
  for (const app of apps) {
    for (const holder of app.tokens?.holders ?? []) {
      let user = byName.get(holder.toLowerCase());
      if (!user) {
        user = { username: holder, userId: null, events: 0, apps: [], grants: [] };
        byName.set(holder.toLowerCase(), user);
        users.set(`name:${holder.toLowerCase()}`, user);
      }
      if (!user.grants.includes(app.name)) user.grants.push(app.name);
    }
  }
  const list = [...users.values()];
  for (const u of list) {
    u.apps.sort((a, b) => b.events - a.events || a.name.localeCompare(b.name));
    u.grants.sort((a, b) => a.localeCompare(b));
  }
  return list.sort((a, b) => b.events - a.events || (a.username ?? a.userId ?? '').localeCompare(b.username ?? b.userId ?? ''));
}

/** Fills in usernames of users known only by Id (RestApi rows have no USER_NAME). */
export function nameUsers(result: { apps: AppUsage[]; users: UserUsage[] }, usernames: ReadonlyMap<string, string>): void {
  const lookup = (id: string | null): string | undefined => (id ? usernames.get(id15(id)) : undefined);
  for (const app of result.apps) for (const u of app.eventLog?.users ?? []) u.username ??= lookup(u.userId) ?? null;
  for (const u of result.users) u.username ??= lookup(u.userId) ?? null;
}

/** User Ids seen without a username. */
export function unnamedUserIds(apps: readonly AppUsage[]): string[] {
  const ids = new Set<string>();
  for (const app of apps) for (const u of app.eventLog?.users ?? []) if (!u.username && u.userId) ids.add(u.userId);
  return [...ids];
}

// ---- Client IPs -----------------------------------------------------------------------------------

/** Distinct client IPs kept (the rest are counted in `other`), so memory stays bounded by this, not by the logs. */
export const IP_CAP = 10_000;
/** Users and apps listed per IP. */
export const IP_NAMES_CAP = 100;

class IpAgg {
  public calls = 0;
  public logins = 0;
  public first = '';
  public last = '';
  public readonly users = new Set<string>();
  public readonly apps = new Set<string>();
  public truncated = false;

  public seen(ts: string): void {
    if (ts === '') return;
    if (this.first === '' || ts < this.first) this.first = ts;
    if (ts > this.last) this.last = ts;
  }

  public name(set: Set<string>, value: string): void {
    if (value === '' || set.has(value)) return;
    if (set.size < IP_NAMES_CAP) set.add(value);
    else this.truncated = true;
  }

  public merge(from: IpAgg): void {
    this.calls += from.calls;
    this.logins += from.logins;
    this.seen(from.first);
    this.seen(from.last);
    for (const u of from.users) this.name(this.users, u);
    for (const a of from.apps) this.name(this.apps, a);
    this.truncated ||= from.truncated;
  }
}

/** Calls and logins per client IP (timestamps in ELF form, yyyyMMddHHmmss.SSS), at most IP_CAP IPs. */
export class IpCounter {
  public readonly ips = new Map<string, IpAgg>();
  /** Calls and logins from IPs beyond the cap. */
  public other = 0;

  /** An API call from an event-log row. `user` is a username or `id:<15-character Id>`. */
  public call(ip: string, ts: string, user: string, app: string): void {
    const agg = this.agg(ip);
    if (!agg) return;
    agg.calls++;
    this.note(agg, ts, user, app);
  }

  /** An OAuth login (LoginHistory). */
  public login(ip: string, ts: string, user: string, app: string): void {
    const agg = this.agg(ip);
    if (!agg) return;
    agg.logins++;
    this.note(agg, ts, user, app);
  }

  public merge(from: IpCounter): void {
    for (const [ip, agg] of from.ips) {
      const mine = this.ips.get(ip) ?? (this.ips.size < IP_CAP ? new IpAgg() : undefined);
      if (!mine) {
        this.other += agg.calls + agg.logins;
        continue;
      }
      this.ips.set(ip, mine);
      mine.merge(agg);
    }
    this.other += from.other;
  }

  private agg(ip: string): IpAgg | undefined {
    if (ip === '') return undefined;
    let agg = this.ips.get(ip);
    if (agg === undefined) {
      if (this.ips.size >= IP_CAP) {
        this.other++;
        return undefined;
      }
      agg = new IpAgg();
      this.ips.set(ip, agg);
    }
    return agg;
  }

  private note(agg: IpAgg, ts: string, user: string, app: string): void {
    agg.seen(ts);
    agg.name(agg.users, user);
    agg.name(agg.apps, app);
  }
}

/** User Ids (`id:` keys) the IP lists name without a username. */
export function unnamedIpUsers(counter: IpCounter): string[] {
  const ids = new Set<string>();
  for (const agg of counter.ips.values()) for (const u of agg.users) if (u.startsWith('id:')) ids.add(u.slice(3));
  return [...ids];
}

/**
 * What was read from before --new-ips-since: event log files (whose day starts before it) and whether LoginHistory
 * was read whole (its rows before the date are there).
 */
export type NewIpsBaseline = { logFiles: number; logins: boolean };

/**
 * The IP list: usernames filled in where known, each IP marked new when it was first seen on or after `since`
 * (null without `since`); new IPs first, then by calls and logins. With a `baseline`, an IP first seen on or after
 * `since` is new only when what it was seen in can be compared with the time before: API calls need an event log
 * file from before `since`, logins a whole LoginHistory. Otherwise its novelty is not known: `new` is null.
 */
export function finishIps(counter: IpCounter, since: Date | null, usernames: ReadonlyMap<string, string>, baseline?: NewIpsBaseline): IpUsage[] {
  const sinceStamp = since ? elfStamp(since) : null;
  const named = (u: string): string => (u.startsWith('id:') ? (usernames.get(u.slice(3)) ?? u.slice(3)) : u);
  const comparable = (agg: IpAgg): boolean => baseline === undefined || baseline.logFiles > 0 || (baseline.logins && agg.logins > 0);
  const novelty = (agg: IpAgg): boolean | null => {
    if (sinceStamp === null) return null;
    if (agg.first === '' || agg.first < sinceStamp) return false;
    return comparable(agg) ? true : null;
  };
  const list = [...counter.ips].map(([ip, agg]): IpUsage => ({
    ip,
    new: novelty(agg),
    apiCalls: agg.calls,
    logins: agg.logins,
    firstSeen: iso(agg.first),
    lastSeen: iso(agg.last),
    users: [...new Set([...agg.users].map(named))].sort(),
    apps: [...agg.apps].sort(),
    truncated: agg.truncated,
  }));
  const rank = (x: IpUsage): number => (x.new ? 1 : 0);
  return list.sort((a, b) => rank(b) - rank(a) || b.apiCalls + b.logins - (a.apiCalls + a.logins) || a.ip.localeCompare(b.ip));
}

/** --new-ips-since must leave logs before it to compare with: strictly after the window's start, not after its end. */
export function checkNewIpsSince(since: Date, window: UsageWindow): 'ok' | 'no-baseline' | 'after-window' {
  if (since.getTime() <= window.start.getTime()) return 'no-baseline';
  if (since.getTime() > window.end.getTime()) return 'after-window';
  return 'ok';
}

export function newIpsReport(ips: readonly IpUsage[], since: Date, window: UsageWindow, baseline: NewIpsBaseline): NewIpsReport {
  const comparedWith: NewIpsReport['comparedWith'] = [...(baseline.logFiles > 0 ? ['EventLogFile' as const] : []), ...(baseline.logins ? ['LoginHistory' as const] : [])];
  return {
    baselineLogFiles: baseline.logFiles,
    since: since.toISOString(),
    baselineStart: window.start.toISOString(),
    baselineDays: Math.round(((since.getTime() - window.start.getTime()) / DAY_MS) * 10) / 10,
    newIps: ips.filter((i) => i.new === true).length,
    ipsSeen: ips.length,
    comparedWith,
    notComparable: ips.filter((i) => i.new === null).length,
  };
}

// ---- The command's result ------------------------------------------------------------------------

export type UsageSourceReport = {
  source: 'EventLogFile' | 'OauthToken' | 'LoginHistory';
  /** used, partial (less of the window than asked), capped (part of the data), not-licensed, no-permission or failed. */
  status: 'used' | 'partial' | 'not-licensed' | 'no-permission' | 'capped' | 'failed';
  errorCode?: string;
  /** What was read: event types and files, the LoginHistory days, a cap that was hit. */
  detail?: string;
  /** What this source cannot show, in plain words. */
  cannotShow: string[];
};

export type LogFileReport = {
  id: string;
  eventType: string;
  logDate: string;
  interval: string;
  /** Body bytes of the attempt that was counted (0 when the download failed). */
  bytes: number;
  /** CSV records after the header, skipped ones included. */
  rows: number;
  attempts: number;
  status: 'read' | 'failed';
  errorCode?: string;
  /** Where the raw CSV was saved (--output-dir). */
  savedTo?: string;
  /** With --archive-dir: read from the org or from the archive. */
  source?: 'org' | 'archive';
};

export type AvailableEventType = { eventType: string; interval: string | null; files: number; firstDate: string | null; lastDate: string | null; connectedAppData: boolean };

export type EventLogSummary = {
  eventTypes: string[];
  files: LogFileReport[];
  /** Older versions of a daily (or hourly) file that a newer file for the same date replaced. */
  replacedFiles: number;
  /** Hourly files not read because the date's daily file has the same events. */
  hourlyFilesCoveredByDaily: number;
  bytes: number;
  rows: number;
  /** Rows counted for an app. */
  countedRows: number;
  rowsOutsideWindow: number;
  /** Rows that name no connected app (UI and internal traffic, event types without an app column). */
  rowsWithoutApp: number;
  /** Rows of other users (--username) or other apps (--name). */
  rowsFilteredOut: number;
  skippedRows: number;
  retries: number;
  problems: FileProblem[];
  /** The event types that have files in the org, when a requested type had none in the window. */
  availableEventTypes: AvailableEventType[] | null;
  /** With --archive-dir: each UTC day of the window and where its files came from (or that none were read). */
  days?: Array<{ day: string; source: 'org' | 'archive' | 'org+archive' | 'missing' }>;
};

/** Where calls and logins came from: one client IP. */
export type IpUsage = {
  ip: string;
  /**
   * With --new-ips-since: true when the logs read show nothing from this IP before that date, false when they do;
   * null without the flag, or when this IP's novelty is not known (it was seen only in API calls and no event log
   * file from before the date was read, or nothing at all from before the date was read).
   */
  new: boolean | null;
  /** API calls through connected apps (event log files). */
  apiCalls: number;
  /** OAuth logins to connected apps (LoginHistory). */
  logins: number;
  firstSeen: string | null;
  lastSeen: string | null;
  /** Usernames (or user Ids) seen from this IP, sorted; at most IP_NAMES_CAP (see `truncated`). */
  users: string[];
  /** Apps seen from this IP, sorted; at most IP_NAMES_CAP. */
  apps: string[];
  /** More users or apps than listed came from this IP. */
  truncated: boolean;
};

/** What --new-ips-since compared against. */
export type NewIpsReport = {
  since: string;
  /** The logs before `since` that were read: [baselineStart, since). An IP seen only before baselineStart is not known. */
  baselineStart: string;
  baselineDays: number;
  newIps: number;
  /** Distinct IPs seen in the window (those listed; calls beyond IP_CAP IPs are only counted). */
  ipsSeen: number;
  /** Event log files read whose day starts before `since`. With none, IPs seen only in API calls are not comparable. */
  baselineLogFiles: number;
  /**
   * The sources read that hold data from before `since`: EventLogFile (baselineLogFiles > 0) and LoginHistory (read
   * whole). Empty: nothing to compare with, so no IP is called new (every one is not comparable).
   */
  comparedWith: Array<'EventLogFile' | 'LoginHistory'>;
  /** IPs first seen on or after `since` whose novelty is not known (new: null): not new, not old — not comparable. */
  notComparable: number;
};

export type UsageGroupBy = 'app' | 'user' | 'ip';

export type UsageResult = {
  window: { start: string; end: string; interval: UsageInterval };
  /** `type`: the kind of app --type kept (absent: both). */
  filters: { apps: string[]; usernames: string[]; eventTypes: string[]; source: UsageSourceName; type?: AppKind };
  sources: UsageSourceReport[];
  /** Every app seen in a source (installed or not), most used first. */
  apps: AppUsage[];
  users: UserUsage[];
  /** Installed apps with no usage in the sources read. */
  unusedApps: Array<{ name: string; type: AppKind; appId: string; apiName: string | null }>;
  eventLog: EventLogSummary | null;
  /** How the report is grouped (--group-by). */
  groupBy?: UsageGroupBy;
  /** Per client IP, most active first (new IPs first with --new-ips-since); null unless --group-by ip or --new-ips-since. */
  ips?: IpUsage[] | null;
  /** Calls and logins from IPs beyond the IP_CAP distinct IPs kept (counted, not listed). */
  otherIpEvents?: number;
  newIps?: NewIpsReport | null;
  /**
   * How the org's apps were read: connected apps (ConnectedApplication, their API names from listMetadata) and External
   * Client Apps (listMetadata, their headers from readMetadata). A source not read is why calls, tokens or logins of
   * an app the org holds may show as an unknown app's.
   */
  appSources?: SourceCoverage[];
};
