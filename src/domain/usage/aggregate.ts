/*
 * Event-log usage, streamed: the rows of each file aggregated per app (users, source IPs, API families and resources,
 * status codes, login types, per-day or per-hour counts) and the files' aggregates merged into the totals.
 *
 * Event-log rows are aggregated per file into a FileAggregate and merged into the totals only once the whole file
 * has been read, so a download that is restarted after a dropped connection never counts a row twice. Rows are
 * compared as strings where possible (ELF TIMESTAMPs, yyyyMMddHHmmss.SSS, sort as text), so a row costs a handful
 * of Map lookups and no Date objects. Every per-app dimension keeps at most DIMENSION_CAP distinct values
 * (the rest are counted as "other"), so memory is bounded by the number of apps and users, never by file size.
 * The window, the files to read, the app matcher, the joins with tokens and logins, client IPs and the --json
 * types are this folder's other modules.
 */
import { id15 } from '../names.js';
import type { AppMatcher, AppRef } from './app-matcher.js';
import { IpCounter } from './ips.js';
import { FAMILY_OF_TYPE } from './log-files.js';
import { DIMENSIONS, type AppEventUsage, type Dimension, type FileProblem, type FileProblemKind, type ValueCount } from './result.js';
import { elfStamp, isoOfStamp, seenIso, stampOfIso } from './stamps.js';
import type { UsageInterval, UsageWindow } from './window.js';

/** Distinct values kept per dimension (IPs, resources, …) per app. */
export const DIMENSION_CAP = 500;

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
    for (const [key, app] of this.apps) out.set(key, { ref: app.ref, events: app.events, lastSeen: seenIso(app.last) });
    return out;
  }

  /** The event-log part of every app, by app key. */
  public eventUsage(): Map<string, { ref: AppRef; usage: AppEventUsage }> {
    const out = new Map<string, { ref: AppRef; usage: AppEventUsage }>();
    for (const [key, app] of this.apps) out.set(key, { ref: app.ref, usage: finishApp(app) });
    return out;
  }
}

function finishApp(app: AppAgg): AppEventUsage {
  const users = [...app.users.values()]
    .map((u) => ({ username: u.username || null, userId: u.userId || null, events: u.events, firstSeen: seenIso(u.first), lastSeen: seenIso(u.last) }))
    .sort((a, b) => b.events - a.events || (a.username ?? a.userId ?? '').localeCompare(b.username ?? b.userId ?? ''));
  const intervals = [...app.buckets]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([bucket, events]) => ({ start: isoOfStamp(bucket) ?? bucket, events }));
  return {
    events: app.events,
    firstSeen: seenIso(app.first),
    lastSeen: seenIso(app.last),
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
