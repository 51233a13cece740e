/*
 * `connectedapp usage --json`: the result's types (schemas/connectedapp-usage.json is generated from UsageResult).
 */
import type { SourceCoverage } from '../coverage.js';
import type { AppKind } from '../policy/policy.js';
import type { UsageInterval, UsageSourceName } from './window.js';

export type ValueCount = { value: string; events: number };

/** The per-app dimensions counted from event-log rows. */
export const DIMENSIONS = ['sourceIps', 'apiFamilies', 'apiResources', 'httpMethods', 'statusCodes', 'clientNames', 'loginTypes', 'eventTypes'] as const;
export type Dimension = (typeof DIMENSIONS)[number];

/** A problem with one file: a bad row (with its line), an empty file, a failed download. */
export type FileProblemKind = 'bad-row' | 'empty-file' | 'header-only' | 'no-app-columns' | 'download-failed';
export type FileProblem = { fileId: string; eventType: string; logDate: string; kind: FileProblemKind; line: number | null; message: string };

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
