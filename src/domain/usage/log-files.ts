/*
 * EventLogFile: which event types name a connected app (and which are free), and which of the org's log files a
 * report reads (the newest version of each, a day's daily file rather than its hourly ones, only those the window
 * touches).
 */
import { DAY_MS, HOUR_MS, type UsageWindow } from './window.js';
import { parseSfDate } from './stamps.js';

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
export const FAMILY_OF_TYPE: Readonly<Record<string, string>> = { RestApi: 'REST', API: 'SOAP', BulkApi: 'Bulk', BulkApi2: 'Bulk', ApexRestApi: 'ApexREST', ApexSoap: 'ApexSOAP' };

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
