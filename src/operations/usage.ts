/*
 * `connectedapp usage`: who uses which app, from event log files (per call), OauthToken (standing grants) and
 * LoginHistory (logins). The three sources are read in parallel; each one that is missing (not licensed, no
 * permission) becomes a coverage note, never a failure, unless it was the only source asked for.
 *
 * The apps are the org's connected apps and its External Client Apps (their headers only: Id, API name, label), so
 * an ECA's calls, tokens and logins are its own and not an unknown app's. An org that will not list its ECAs is a
 * coverage note too: their calls then show as unknown apps, as before ECAs were read.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Connection } from '@salesforce/core';
import { Messages, type SfError } from '@salesforce/core';
import { errorCodeOf, isSourceUnavailable, messageOf, queryAll } from '../adapters/api.js';
import { readAppComponents, readConnectedApplications } from '../adapters/connected-apps.js';
import { ECA_HEADER_PARTS, ECA_LIST_SOURCE, readExternalClientApps } from '../adapters/external-client-apps.js';
import { downloadLogFile, queryLogFiles, readEventTypes, type Download, type EventTypeFiles } from '../adapters/event-logs.js';
import { readArchivedFile } from '../adapters/log-archive.js';
import { ParsePool, parseWorkersFromEnv } from '../adapters/parse-pool.js';
import { MANIFEST_NAME, archivedRecords, dayCoverage, type ArchiveEntry } from '../domain/usage/archive.js';
import { readLoginIps, readLoginUsage, type LoginIpRead, type LoginRead } from '../adapters/logins.js';
import { OAUTH_TOKEN_ROW_CAP, readTokenHolders, readTokenUsage, type TokenRead } from '../adapters/tokens.js';
import { chunk, mapWithConcurrency } from '../domain/collections.js';
import { coverageForError, type SourceCoverage } from '../domain/coverage.js';
import { ecaInventoryApp } from '../domain/access/eca-org.js';
import { joinInventory, sortApps, type InventoryApp } from '../domain/access/inventory.js';
import type { AppKind } from '../domain/policy/policy.js';
import { id15 } from '../domain/names.js';
import { soqlInList } from '../domain/soql.js';
import { FileAggregate, UsageTotals, type FileTotals, type RowFilter } from '../domain/usage/aggregate.js';
import { AppMatcher } from '../domain/usage/app-matcher.js';
import {
  CONNECTED_APP_EVENT_TYPES,
  DEFAULT_EVENT_TYPES,
  canonicalEventType,
  carriesAppData,
  firstLogDate,
  isFreeEventType,
  isKnownEventType,
  selectLogFiles,
  type LogFileRecord,
} from '../domain/usage/log-files.js';
import { joinUsage, nameUsers, unnamedUserIds, loginApp } from '../domain/usage/join.js';
import { loginHistoryDays, resolveWindow, type UsageInterval, type UsageSourceName, type UsageWindow } from '../domain/usage/window.js';
import { parseSfDate, stampOfIso } from '../domain/usage/stamps.js';
import type {
  AvailableEventType,
  EventLogSummary,
  LogFileReport,
  UsageResult,
  UsageSourceReport,
  UsageGroupBy,
  IpUsage,
  NewIpsReport,
} from '../domain/usage/result.js';
import { checkNewIpsSince, finishIps, IpCounter, newIpsReport, unnamedIpUsers } from '../domain/usage/ips.js';
import { readManifest } from './archive.js';
import { appsOfKind, resolveApps } from './resolve-apps.js';

Messages.importMessagesDirectoryFromMetaUrl(import.meta.url);
const messages = Messages.loadMessages('plugin-connectedapp', 'connectedapp.usage');
const coverageText = Messages.loadMessages('plugin-connectedapp', 'connectedapp.coverage');
const DAY_MS = 86_400_000;
const ipMessages = Messages.loadMessages('plugin-connectedapp', 'connectedapp.usage-ips');

/** Files downloaded at the same time (SF_CONNECTEDAPP_CONCURRENCY overrides, 1–16). */
export const DEFAULT_CONCURRENCY = 4;
/** Bad flag values: the sf code for a usage error. */
const BAD_FLAGS_EXIT_CODE = 2;

export type UsageRequest = {
  names?: string[];
  /** --type: one kind of app only (unknown apps, which the org does not hold, count as connected apps). */
  type?: AppKind;
  usernames?: string[];
  window: UsageWindow;
  /** The user gave --start-date, --end-date or --last (LoginHistory then covers the same days). */
  windowGiven: boolean;
  interval: UsageInterval;
  /** --event-type values (undefined: ApiTotalUsage). */
  eventTypes?: string[];
  source: UsageSourceName;
  outputDir?: string;
  /** An archive written by `logs archive`: its files stand in for those the org no longer keeps. */
  archiveDir?: string;
  /** Worker threads parsing archived files (1: the main thread). */
  parseWorkers?: number;
  concurrency: number;
  now: Date;
  /** --group-by (default app). */
  groupBy?: UsageGroupBy;
  /** --new-ips-since: mark IPs first seen on or after this instant. */
  newIpsSince?: Date | null;
};

export type UsageProgress = { start(totalBytes: number): void; update(doneBytes: number): void; stop(): void };

/** failure: set when the run failed (only event logs were asked for and none could be read); the result is still whole. */
export type UsageOutcome = { result: UsageResult; warnings: string[]; partial: boolean; failure: SfError | null };

/** The window from the (parsed) date flags, or a usage error when they leave it empty (exit code 2). */
export function usageWindow(flags: { 'start-date'?: Date; 'end-date'?: Date; last?: { ms: number } }, now: Date): UsageWindow {
  const outcome = resolveWindow({ start: flags['start-date'], end: flags['end-date'], lastMs: flags.last?.ms }, now);
  if ('window' in outcome) return outcome.window;
  throw messages.createError('error.EmptyWindow', [outcome.start, outcome.end], [], BAD_FLAGS_EXIT_CODE);
}

export function concurrencyFromEnv(value: string | undefined): number {
  const n = Number(value);
  return Number.isInteger(n) && n >= 1 ? Math.min(n, 16) : DEFAULT_CONCURRENCY;
}

const noProgress: UsageProgress = { start: () => undefined, update: () => undefined, stop: () => undefined };

export async function collectUsage(conn: Connection, request: UsageRequest, progress: UsageProgress = noProgress): Promise<UsageOutcome> {
  const warnings: string[] = [];
  const { apps, coverage: appSources } = await readApps(conn, warnings);
  const ofType = appsOfKind(apps, request.type);
  const selected = request.names?.length ? resolveApps(apps, request.names, request.type) : null;
  // --type selects the apps of its kind; apps the org does not hold stay in with connected apps (without --name).
  const matcher = new AppMatcher(
    apps,
    selected ? new Set(selected.map((a) => a.id)) : request.type ? new Set(ofType.map((a) => a.id)) : null,
    selected === null && request.type !== 'external-client-app'
  );
  const users = request.usernames?.length ? await userFilter(conn, request.usernames, warnings) : null;
  const wantsIps = request.groupBy === 'ip' || Boolean(request.newIpsSince);
  const filter: RowFilter = { window: request.window, interval: request.interval, users, ips: wantsIps };

  const wants = (source: Exclude<UsageSourceName, 'all'>): boolean => request.source === 'all' || request.source === source;
  const [elf, tokens, logins, loginIps] = await Promise.all([
    wants('elf') ? readEventLogs(conn, request, matcher, filter, progress, warnings) : null,
    wants('tokens') ? readTokens(conn, matcher, warnings) : null,
    wants('logins') ? readLogins(conn, request, warnings) : null,
    wantsIps && wants('logins') ? readLoginIps(conn, request.window.start, request.window.end) : null,
  ]);

  const joined = joinUsage({
    matcher,
    events: elf?.totals?.eventUsage() ?? new Map<string, never>(),
    tokens: tokens?.read.byApp ?? null,
    holders: tokens?.holders ?? null,
    logins: logins?.byApp ?? null,
    usernames: request.usernames?.length ? new Set(request.usernames.map((u) => u.toLowerCase())) : null,
    listed: selected ?? [],
  });
  const unnamed = unnamedUserIds(joined.apps);
  if (unnamed.length > 0) nameUsers(joined, await usernamesOf(conn, unnamed));

  const used = new Set(joined.apps.filter((a) => a.installed && (a.eventLog !== null || a.tokens !== null || a.logins.length > 0)).map((a) => a.appId));
  // An app is "unused" only against a source that was read completely and can show use; with none, say nothing.
  const complete = (status: string | undefined): boolean => status === 'used';
  const elfSawApps = complete(elf?.report.status) && (elf?.summary?.files.some((f) => f.status === 'read' && carriesAppData(f.eventType)) ?? false);
  const evidence = elfSawApps || complete(tokens?.read.coverage.status) || complete(logins?.coverage.status);
  if (!evidence) warnings.push(messages.getMessage('warning.noUsageEvidence'));
  const unusedApps = evidence ? (selected ?? ofType).filter((a) => !used.has(a.id)).map((a) => ({ name: a.label, type: a.kind, appId: a.id, apiName: a.apiName })) : [];

  const unknown = joined.apps.filter((a) => !a.installed);
  if (unknown.length > 0) {
    warnings.push(messages.getMessage('warning.unknownApps', [unknown.length, unknown.map((a) => (a.appId ? `${a.name} (${a.appId})` : a.name)).join(', ')]));
  }

  const ipRead = wantsIps ? await ipUsage(conn, request, matcher, filter, elf?.totals?.ips ?? null, loginIps, elf?.summary ?? null, warnings) : null;

  const sources: UsageSourceReport[] = [];
  if (elf) sources.push(ipRead ? { ...elf.report, cannotShow: [...elf.report.cannotShow, ipMessages.getMessage('limit.ips.elf')] } : elf.report);
  if (tokens) sources.push(tokenReport(tokens, request));
  if (logins) sources.push(loginReport(logins, loginIps));
  const result: UsageResult = {
    window: { start: request.window.start.toISOString(), end: request.window.end.toISOString(), interval: request.interval },
    filters: {
      apps: (selected ?? []).map((a) => a.apiName ?? a.label),
      usernames: request.usernames ?? [],
      eventTypes: elf?.summary?.eventTypes ?? [],
      source: request.source,
      ...(request.type ? { type: request.type } : {}),
    },
    sources,
    apps: joined.apps,
    users: joined.users,
    unusedApps,
    eventLog: elf?.summary ?? null,
    groupBy: request.groupBy ?? 'app',
    ips: ipRead?.ips ?? null,
    otherIpEvents: ipRead?.other ?? 0,
    newIps: ipRead?.newIps ?? null,
    appSources,
  };

  const failed = result.eventLog?.files.filter((f) => f.status === 'failed') ?? [];
  // Event logs were the only source asked for and none could be read: the run failed, its result still whole.
  const allFailed = failed.length > 0 && failed.length === result.eventLog?.files.length && request.source === 'elf';
  const failure = allFailed ? messages.createError('error.AllDownloadsFailed', [failed.length, failed[0].errorCode ?? 'UNKNOWN_ERROR']) : null;
  return { result, warnings, partial: failed.length > 0, failure };
}

// ---- Apps ---------------------------------------------------------------------------------------

/**
 * The org's connected apps and External Client Apps, in parallel: ConnectedApplication (1 request a page),
 * listMetadata of ConnectedApp (1) and of ExternalClientApplication (1) plus readMetadata of the ECA headers for their
 * labels, 10 a call (OauthToken and LoginHistory name an app by its label). No policy part is read. An ECA read that
 * fails is a warning and a coverage entry.
 */
async function readApps(conn: Connection, warnings: string[]): Promise<{ apps: InventoryApp[]; coverage: SourceCoverage[] }> {
  const [records, components, ecas] = await Promise.all([readConnectedApplications(conn), readAppComponents(conn), readExternalClientApps(conn, ECA_HEADER_PARTS)]);
  const inventory = joinInventory(records, components.components, []);
  const listed = ecas.coverage.find((c) => c.source === ECA_LIST_SOURCE);
  if (listed && listed.status !== 'used') warnings.push(messages.getMessage('warning.noExternalClientApps', [listed.errorCode ?? listed.status]));
  const unread = ecas.coverage.filter((c) => c.source !== ECA_LIST_SOURCE && c.status !== 'used');
  if (unread.length) warnings.push(messages.getMessage('warning.ecaLabelsUnread', [unread.map((c) => c.errorCode ?? c.status).join(', ')]));
  return {
    apps: sortApps([...inventory.apps, ...ecas.apps.map((eca) => ecaInventoryApp(eca, []))]),
    coverage: [{ source: 'ConnectedApplication', status: 'used' }, components.coverage, ...ecas.coverage],
  };
}

// ---- Users --------------------------------------------------------------------------------------

async function userFilter(conn: Connection, usernames: readonly string[], warnings: string[]): Promise<NonNullable<RowFilter['users']>> {
  const names = new Set(usernames.map((u) => u.toLowerCase()));
  const ids = new Set<string>();
  const found = new Set<string>();
  for (const part of chunk([...names], 100)) {
    const rows = (await queryAll<{ Id: string; Username: string }>(conn, `SELECT Id, Username FROM User WHERE Username IN ${soqlInList(part)}`)).records;
    for (const row of rows) {
      ids.add(id15(row.Id));
      found.add(row.Username.toLowerCase());
    }
  }
  const missing = usernames.filter((u) => !found.has(u.toLowerCase()));
  if (missing.length > 0) warnings.push(messages.getMessage('warning.unknownUsernames', [missing.join(', ')]));
  return { names, ids };
}

/** Usernames of users the logs name only by Id (15-character keys). Best effort: a refusal leaves the Ids. */
async function usernamesOf(conn: Connection, ids: readonly string[]): Promise<Map<string, string>> {
  const names = new Map<string, string>();
  try {
    for (const part of chunk(ids, 200)) {
      const rows = (await queryAll<{ Id: string; Username: string }>(conn, `SELECT Id, Username FROM User WHERE Id IN ${soqlInList(part)}`)).records;
      for (const row of rows) names.set(id15(row.Id), row.Username);
    }
  } catch (error) {
    if (!isSourceUnavailable(error)) throw error;
  }
  return names;
}

// ---- Event log files ----------------------------------------------------------------------------

type ElfRead = { report: UsageSourceReport; summary: EventLogSummary | null; totals: UsageTotals | null };

function eventTypesOf(request: UsageRequest): string[] {
  return [...new Set((request.eventTypes?.length ? request.eventTypes : DEFAULT_EVENT_TYPES).map(canonicalEventType))];
}

function elfLimits(eventTypes: readonly string[]): string[] {
  const limits = [messages.getMessage('limit.elf.delay'), messages.getMessage('limit.elf.noApp')];
  const noAppTypes = eventTypes.filter((t) => !carriesAppData(t));
  if (noAppTypes.length > 0) limits.push(messages.getMessage('limit.elf.typesWithoutApp', [noAppTypes.join(', '), Object.keys(CONNECTED_APP_EVENT_TYPES).join(', ')]));
  if (eventTypes.includes('ApiTotalUsage') && eventTypes.includes('RestApi')) limits.push(messages.getMessage('limit.elf.overlap'));
  return limits;
}

/** API calls per app in the ApiTotalUsage logs of a window, keyed by app Id (installed) or by name (not installed). */
export type ApiCallsByApp = {
  installed: Map<string, { count: number; lastSeen: string | null }>;
  notInstalled: Map<string, { count: number; lastSeen: string | null }>;
  /** Distinct days (LogDate) of the log files read: less than the window when the org keeps fewer days. */
  daysCovered: number;
  /** Log files read completely; 0 means the logs say nothing either way. */
  filesRead: number;
  coverage: SourceCoverage;
};

/**
 * For the audit: the same streamed, retried read of ApiTotalUsage files as `usage`, matched against the
 * apps the audit already has (no second inventory read). Unavailable logs become a coverage note.
 */
export async function readApiCallsByApp(conn: Connection, apps: readonly InventoryApp[], window: UsageWindow, now: Date, archiveDir?: string): Promise<ApiCallsByApp> {
  const request: UsageRequest = { window, windowGiven: true, interval: 'daily', source: 'all', concurrency: DEFAULT_CONCURRENCY, now, archiveDir, parseWorkers: parseWorkersFromEnv(process.env.SF_CONNECTEDAPP_PARSE_WORKERS) };
  // The audit needs each app's calls and last call only, not the usage report's users, dimensions and intervals.
  const elf = await readEventLogs(conn, request, new AppMatcher(apps), { window, interval: 'daily', users: null, callsOnly: true }, noProgress, []);
  const installed = new Map<string, { count: number; lastSeen: string | null }>();
  const notInstalled = new Map<string, { count: number; lastSeen: string | null }>();
  for (const { ref, events, lastSeen } of elf.totals?.calls().values() ?? []) {
    const calls = { count: events, lastSeen };
    if (ref.installed && ref.appId) installed.set(id15(ref.appId), calls);
    else notInstalled.set(ref.name, calls);
  }
  const { cannotShow: _cannotShow, ...coverage } = elf.report;
  const read = elf.summary?.files.filter((f) => f.status === 'read') ?? [];
  const filesRead = read.length;
  const daysCovered = daysCoveredBy(read);
  return { installed, notInstalled, filesRead, daysCovered, coverage: { ...coverage, source: 'EventLogFile:ApiTotalUsage' } };
}

async function readEventLogs(
  conn: Connection,
  request: UsageRequest,
  matcher: AppMatcher,
  filter: RowFilter,
  progress: UsageProgress,
  warnings: string[]
): Promise<ElfRead> {
  const eventTypes = eventTypesOf(request);
  const archive = request.archiveDir ? await readManifest(join(request.archiveDir, MANIFEST_NAME)) : null;
  let records: LogFileRecord[];
  try {
    records = await queryLogFiles(conn, eventTypes, firstLogDate(request.window), request.window.end);
  } catch (error) {
    if (!isSourceUnavailable(error)) throw error;
    const coverage = coverageForError('EventLogFile', errorCodeOf(error), messageOf(error));
    if (!archive) {
      if (request.source === 'elf') throw messages.createError('error.EventLogsUnavailable', [coverage.errorCode ?? coverage.status]);
      warnings.push(messages.getMessage('warning.eventLogsUnavailable', [coverage.errorCode ?? coverage.status]));
      return { report: { ...(coverage as SourceCoverage & { source: 'EventLogFile' }), cannotShow: [messages.getMessage('limit.elf.unavailable')] }, summary: null, totals: null };
    }
    // The archive still answers for the days it holds.
    warnings.push(messages.getMessage('warning.orgLogsUnavailableArchiveOnly', [coverage.errorCode ?? coverage.status]));
    records = [];
  }
  // Archived files only for the logs the org no longer has (any version of them): the org for the rest.
  const fromArchive = archive ? archivedRecords(archive, eventTypes, records) : new Map<string, { entry: ArchiveEntry; record: LogFileRecord }>();
  const selection = selectLogFiles([...records, ...[...fromArchive.values()].map((e) => e.record)], request.window);
  const availableEventTypes = await checkEventTypes(conn, request, eventTypes, selection.files, warnings);

  const totals = new UsageTotals();
  if (request.outputDir) {
    try {
      mkdirSync(request.outputDir, { recursive: true });
    } catch (error) {
      throw messages.createError('error.OutputDir', [request.outputDir, messageOf(error)]);
    }
  }
  const totalBytes = selection.files.reduce((n, f) => n + (f.LogFileLength ?? 0), 0);
  let doneBytes = 0;
  if (selection.files.length > 0) progress.start(totalBytes);
  // Archived files are local: parse several at once in worker threads (downloads are bound by the network instead).
  const archivedCount = selection.files.filter((f) => fromArchive.has(f.Id)).length;
  const workers = Math.min(request.parseWorkers ?? 1, archivedCount);
  const pool = workers > 1 ? new ParsePool(workers, { ...matcher.setup, filter }) : null;
  let reports: LogFileReport[];
  try {
    reports = await mapWithConcurrency(selection.files, request.concurrency, async (file): Promise<LogFileReport> => {
      const context = { id: file.Id, eventType: file.EventType, logDate: file.LogDate, fieldNames: file.LogFileFieldNames };
      const saveTo = request.outputDir ? join(request.outputDir, rawFileName(file)) : undefined;
      const base = { id: file.Id, eventType: file.EventType, logDate: file.LogDate, interval: file.Interval ?? 'Daily' };
      const archived = fromArchive.get(file.Id);
      const newSink = (): FileAggregate => new FileAggregate(context, matcher, filter);
      let outcome: Download<FileTotals & { rows: number; skippedRows: number }>;
      if (archived && request.archiveDir) {
        if (pool) {
          const parsed = await pool.parse(request.archiveDir, archived.entry, context);
          outcome = parsed.ok ? { ok: true, sink: parsed.totals, bytes: parsed.bytes, attempts: 1 } : { ok: false, error: parsed.error, attempts: 1 };
        } else outcome = await readArchivedFile(request.archiveDir, archived.entry, newSink);
        if (outcome.ok) {
          doneBytes += outcome.bytes;
          progress.update(doneBytes);
        }
      } else {
        outcome = await downloadLogFile(conn, file.Id, newSink, {
          saveTo,
          onBytes: (n) => {
            doneBytes += n;
            progress.update(doneBytes);
          },
        });
      }
      const source = archive ? { source: archived ? ('archive' as const) : ('org' as const) } : {};
      if (!outcome.ok) {
        totals.addProblem({ fileId: file.Id, eventType: file.EventType, logDate: file.LogDate, kind: 'download-failed', line: null, message: messageOf(outcome.error) });
        return { ...base, ...source, bytes: 0, rows: 0, attempts: outcome.attempts, status: 'failed', errorCode: errorCodeOf(outcome.error) };
      }
      // Only a completely read file is counted: a restarted download's partial rows were in another sink.
      totals.add(outcome.sink);
      return { ...base, ...source, bytes: outcome.bytes, rows: outcome.sink.rows + outcome.sink.skippedRows, attempts: outcome.attempts, status: 'read', ...(saveTo && !archived ? { savedTo: saveTo } : {}) };
    });
  } finally {
    progress.stop();
    await pool?.close();
  }

  const failed = reports.filter((r) => r.status === 'failed');
  if (failed.length > 0) warnings.push(messages.getMessage('warning.filesFailed', [failed.length, reports.length, failed.map((f) => `${f.eventType} ${f.logDate.slice(0, 13)} (${f.id}): ${f.errorCode ?? ''}`).join('; ')]));
  const problems = totals.orderedProblems();
  const badFiles = new Set(problems.filter((p) => p.kind === 'bad-row').map((p) => p.fileId));
  if (totals.skippedRows > 0) warnings.push(messages.getMessage('warning.badRows', [totals.skippedRows, badFiles.size]));
  for (const p of problems.filter((x) => x.kind === 'empty-file' || x.kind === 'header-only')) {
    warnings.push(messages.getMessage(`warning.${p.kind}`, [p.eventType, p.logDate.slice(0, 13), p.fileId]));
  }

  const read = reports.filter((r) => r.status === 'read');
  const summary: EventLogSummary = {
    eventTypes,
    files: reports,
    replacedFiles: selection.replaced,
    hourlyFilesCoveredByDaily: selection.coveredByDaily,
    bytes: read.reduce((n, r) => n + r.bytes, 0),
    rows: totals.rows,
    countedRows: totals.counted,
    rowsOutsideWindow: totals.outsideWindow,
    rowsWithoutApp: totals.nonApp,
    rowsFilteredOut: totals.otherApps + totals.otherUsers,
    skippedRows: totals.skippedRows,
    retries: reports.reduce((n, r) => n + Math.max(0, r.attempts - 1), 0),
    problems,
    availableEventTypes,
    ...(archive ? { days: dayCoverage(request.window, reports) } : {}),
  };
  let detail = messages.getMessage('detail.elf', [eventTypes.join(', '), read.length, reports.length, summary.bytes, summary.rows]);
  if (summary.days) {
    const count = (source: string): number => summary.days?.filter((d) => d.source === source).length ?? 0;
    detail += `; ${messages.getMessage('detail.days', [count('archive'), count('org'), count('org+archive'), count('missing')])}`;
    const missing = summary.days.filter((d) => d.source === 'missing').map((d) => d.day);
    if (missing.length > 0) warnings.push(messages.getMessage('warning.daysMissing', [missing.length, missing.join(', ')]));
  }
  // Logs covering fewer days than the window (an org without Event Monitoring keeps them one day) show use on the
  // days they cover, never absence over the window: partial, as in the audit, so no app is called unused on them.
  const windowDays = Math.round((request.window.end.getTime() - request.window.start.getTime()) / DAY_MS);
  const daysCovered = daysCoveredBy(read.filter((r) => carriesAppData(r.eventType)));
  const partial = failed.length === 0 && daysCovered < windowDays;
  if (partial) detail = `${coverageText.getMessage('eventLogDaysCovered', [daysCovered, windowDays, read.length])}; ${detail}`;
  const report: UsageSourceReport = { source: 'EventLogFile', status: failed.length > 0 ? 'capped' : partial ? 'partial' : 'used', detail, cannotShow: elfLimits(eventTypes) };
  return { report, summary, totals };
}

/**
 * Requested event types with no file in the window: one aggregate query says which types the org has at all.
 * A type the org has no file of is an error when every requested type is like that, a warning otherwise.
 */
async function checkEventTypes(
  conn: Connection,
  request: UsageRequest,
  eventTypes: readonly string[],
  files: readonly LogFileRecord[],
  warnings: string[]
): Promise<AvailableEventType[] | null> {
  const present = new Set(files.map((f) => f.EventType.toLowerCase()));
  const missing = eventTypes.filter((t) => !present.has(t.toLowerCase()));
  if (missing.length === 0) return null;
  let inOrg: EventTypeFiles[];
  try {
    inOrg = await readEventTypes(conn);
  } catch (error) {
    if (!isSourceUnavailable(error) && errorCodeOf(error) !== 'MALFORMED_QUERY') throw error;
    for (const t of missing) warnings.push(messages.getMessage('warning.noFilesInWindow', [t]));
    return null;
  }
  const available = mergeIntervals(inOrg);
  const existing = [...new Set(available.map((a) => a.eventType))];
  const withAppData = existing.filter(carriesAppData);
  const describe = (): [string, string] => [
    existing.length ? existing.join(', ') : messages.getMessage('none'),
    withAppData.length ? withAppData.map((t) => `${t} (${CONNECTED_APP_EVENT_TYPES[t]})`).join(', ') : messages.getMessage('none'),
  ];
  const absent: string[] = [];
  for (const type of missing) {
    const seen = available.find((a) => a.eventType.toLowerCase() === type.toLowerCase());
    if (seen) warnings.push(messages.getMessage('warning.noFilesInWindow.range', [type, seen.firstDate?.slice(0, 10) ?? '', seen.lastDate?.slice(0, 10) ?? '']));
    else absent.push(type);
  }
  if (absent.length > 0) {
    const [types, appTypes] = describe();
    const hints = absent.map((t) => (isKnownEventType(t) ? (isFreeEventType(t) ? messages.getMessage('hint.freeType', [t]) : messages.getMessage('hint.paidType', [t])) : messages.getMessage('hint.unknownType', [t])));
    if (request.eventTypes?.length && absent.length === eventTypes.length) {
      const error = messages.createError('error.EventTypeNotInOrg', [absent.join(', '), types, appTypes]);
      error.actions = [...hints, ...(error.actions ?? [])];
      throw error;
    }
    warnings.push(messages.getMessage('warning.eventTypeAbsent', [absent.join(', '), types, appTypes]));
  }
  return available;
}

function mergeIntervals(rows: readonly EventTypeFiles[]): AvailableEventType[] {
  return [...rows]
    .sort((a, b) => a.eventType.localeCompare(b.eventType) || (a.interval ?? '').localeCompare(b.interval ?? ''))
    .map((r) => ({ ...r, connectedAppData: carriesAppData(r.eventType) }));
}

/** ApiTotalUsage_2026-11-13_0AT….csv, hourly: ApiTotalUsage_2026-11-19T09_0AT….csv. */
function rawFileName(file: LogFileRecord): string {
  const date = new Date(parseSfDate(file.LogDate)).toISOString();
  const when = (file.Interval ?? 'Daily').toLowerCase() === 'hourly' ? date.slice(0, 13) : date.slice(0, 10);
  return `${file.EventType.replace(/[^A-Za-z0-9]/g, '')}_${when}_${file.Id.replace(/[^A-Za-z0-9]/g, '')}.csv`;
}

// ---- Tokens and logins --------------------------------------------------------------------------

type TokensRead = { read: TokenRead; holders: Map<string, string[]> | null; holdersCapped: boolean; holdersError?: string };

/** Names per holder query, so the IN list stays well under the URL limit. */
const HOLDER_NAMES_PER_QUERY = 50;

async function readTokens(conn: Connection, matcher: AppMatcher, warnings: string[]): Promise<TokensRead> {
  const read = await readTokenUsage(conn);
  if (!['used', 'capped', 'partial'].includes(read.coverage.status)) {
    warnings.push(messages.getMessage('warning.sourceUnavailable', ['OauthToken', read.coverage.errorCode ?? read.coverage.status]));
    return { read, holders: null, holdersCapped: false };
  }
  const wanted = read.byApp.filter((t) => t.appName !== '' && matcher.resolveName(t.appName) !== null);
  // Each holder query stays under OauthToken's 2,500-row cap: group apps by their token counts.
  const groups: string[][] = [];
  let current: string[] = [];
  let rows = 0;
  let holdersCapped = false;
  for (const t of [...wanted].sort((a, b) => a.tokens - b.tokens)) {
    if (t.tokens >= OAUTH_TOKEN_ROW_CAP) holdersCapped = true;
    if (current.length > 0 && (rows + t.tokens >= OAUTH_TOKEN_ROW_CAP || current.length >= HOLDER_NAMES_PER_QUERY)) {
      groups.push(current);
      current = [];
      rows = 0;
    }
    if (!current.includes(t.appName)) current.push(t.appName);
    rows += t.tokens;
  }
  if (current.length > 0) groups.push(current);
  try {
    const maps = await mapWithConcurrency(groups, 2, (names) => readTokenHolders(conn, names));
    const holders = new Map<string, string[]>();
    for (const map of maps) for (const [app, list] of map) holders.set(app, list);
    if (holdersCapped) warnings.push(messages.getMessage('warning.holdersCapped', [OAUTH_TOKEN_ROW_CAP]));
    return { read, holders, holdersCapped };
  } catch (error) {
    if (!isSourceUnavailable(error)) throw error;
    return { read, holders: null, holdersCapped: false, holdersError: errorCodeOf(error) };
  }
}

function tokenReport(tokens: TokensRead, request: UsageRequest): UsageSourceReport {
  const coverage = tokens.read.coverage;
  const cannotShow = [messages.getMessage('limit.tokens.flows'), messages.getMessage('limit.tokens.calls')];
  if (request.usernames?.length) cannotShow.push(messages.getMessage('limit.tokens.usernames'));
  if (tokens.holdersError) cannotShow.push(messages.getMessage('limit.tokens.noHolders', [tokens.holdersError]));
  return {
    source: 'OauthToken',
    status: tokens.holdersCapped && coverage.status === 'used' ? 'capped' : coverage.status,
    ...(coverage.errorCode ? { errorCode: coverage.errorCode } : {}),
    ...(coverage.detail ? { detail: coverage.detail } : {}),
    cannotShow,
  };
}

type LoginsRead = LoginRead & { clamped: boolean };

async function readLogins(conn: Connection, request: UsageRequest, warnings: string[]): Promise<LoginsRead> {
  const { days, clamped } = loginHistoryDays(request.windowGiven ? request.window : null, request.now);
  const read = await readLoginUsage(conn, days);
  if (read.coverage.status !== 'used' && read.coverage.status !== 'capped') {
    warnings.push(messages.getMessage('warning.sourceUnavailable', ['LoginHistory', read.coverage.errorCode ?? read.coverage.status]));
  } else if (clamped) warnings.push(messages.getMessage('warning.loginHistoryClamped', [days]));
  return { ...read, clamped };
}

function loginReport(logins: LoginsRead, ips: LoginIpRead | null): UsageSourceReport {
  const coverage = logins.coverage;
  const ipsCapped = ips?.coverage.status === 'capped';
  const detail = [messages.getMessage('detail.logins', [logins.days]), coverage.detail, ipsCapped ? ipMessages.getMessage('detail.loginIpsCapped', [ips.rows.length]) : undefined].filter(Boolean).join('; ');
  const cannotShow = [messages.getMessage('limit.logins.calls'), messages.getMessage('limit.logins.names'), messages.getMessage('limit.logins.retention')];
  if (ips) cannotShow.push(ipMessages.getMessage('limit.ips.logins'));
  return {
    source: 'LoginHistory',
    status: coverage.status === 'used' && ipsCapped ? 'capped' : coverage.status,
    ...(coverage.errorCode ? { errorCode: coverage.errorCode } : {}),
    detail,
    cannotShow,
  };
}

// ---- Client IPs ---------------------------------------------------------------------------------

type IpRead = { ips: IpUsage[]; other: number; newIps: NewIpsReport | null };

/**
 * Calls per client IP (from the event-log rows already aggregated) and OAuth logins per source IP (LoginHistory
 * rows of the window), for the apps and users asked for; usernames filled in; IPs first seen on or after
 * --new-ips-since marked new.
 */
async function ipUsage(
  conn: Connection,
  request: UsageRequest,
  matcher: AppMatcher,
  filter: RowFilter,
  fromLogs: IpCounter | null,
  logins: LoginIpRead | null,
  elf: EventLogSummary | null,
  warnings: string[]
): Promise<IpRead> {
  const counter = new IpCounter();
  if (fromLogs) counter.merge(fromLogs);
  for (const row of logins?.rows ?? []) {
    if (!row.SourceIp) continue;
    if (filter.users !== null && !filter.users.ids.has(id15(row.UserId))) continue;
    const app = loginApp(matcher, row.Application ?? '', row.LoginSubType);
    if (app === null) continue;
    counter.login(row.SourceIp, stampOfIso(row.LoginTime), `id:${id15(row.UserId)}`, app.name);
  }
  const unnamed = unnamedIpUsers(counter);
  const usernames = unnamed.length ? await usernamesOf(conn, unnamed) : new Map<string, string>();
  const since = request.newIpsSince ?? null;
  // What was read from before --new-ips-since: an IP is new only against a source that covers that time.
  const baseline = {
    logFiles: since ? (elf?.files ?? []).filter((f) => f.status === 'read' && parseSfDate(f.logDate) < since.getTime()).length : 0,
    logins: logins !== null && logins.coverage.status === 'used',
  };
  const ips = finishIps(counter, since, usernames, baseline);
  let newIps: NewIpsReport | null = null;
  if (since) {
    newIps = newIpsReport(ips, since, request.window, baseline);
    const day = since.toISOString().slice(0, 10);
    if (newIps.comparedWith.length === 0) warnings.push(ipMessages.getMessage('warning.noBaseline', [day]));
    else if (newIps.notComparable > 0) warnings.push(ipMessages.getMessage('warning.noLogBaseline', [day, newIps.notComparable]));
  }
  return { ips, other: counter.other, newIps };
}

/** --new-ips-since (parsed by its flag), checked to leave logs before it inside the window, or a usage error (exit 2). */
export function newIpsSinceFlag(since: Date | undefined, window: UsageWindow): Date | null {
  if (since === undefined) return null;
  const check = checkNewIpsSince(since, window);
  if (check !== 'ok') throw ipMessages.createError(`error.NewIpsSince.${check}`, [since.toISOString(), window.start.toISOString(), window.end.toISOString()], [], BAD_FLAGS_EXIT_CODE);
  return since;
}

/** The UTC days the log files cover (one per LogDate day, daily or hourly): what the audit and usage call covered. */
function daysCoveredBy(files: ReadonlyArray<{ logDate: string }>): number {
  return new Set(files.map((f) => new Date(parseSfDate(f.logDate)).toISOString().slice(0, 10))).size;
}
