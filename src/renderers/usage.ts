/*
 * Rendering a usage result: human blocks (headers, tables, lines) for the command to print, CSV lines (one row
 * per app and user, holder or login flow) and NDJSON lines (one JSON event per line, for a SIEM). All three are
 * generators or plain data, so a large result is written line by line.
 */
import { Messages } from '@salesforce/core';
import { jsonForTerminal } from '../domain/terminal-text.js';
import type { AppUsage, UsageResult, UsageSourceReport, ValueCount } from '../domain/usage/result.js';
import { appKindLabel } from '../operations/resolve-apps.js';
import { csvText } from './csv.js';
import { wrappedLog, type HumanBlock } from './output.js';

Messages.importMessagesDirectoryFromMetaUrl(import.meta.url);
const messages = Messages.loadMessages('plugin-connectedapp', 'connectedapp.usage');

export type { HumanBlock } from './output.js';

/** Apps given a detailed section (the rest are in the summary table only). */
const DETAILED_APPS = 25;
const TOP_USERS = 10;
const TOP_VALUES = 5;
const TOP_USERS_TABLE = 50;

const day = (iso: string | null): string => (iso ? iso.slice(0, 10) : '');
const minute = (iso: string | null): string => (iso ? iso.slice(0, 16).replace('T', ' ') : '');
const top = (values: readonly ValueCount[], n = TOP_VALUES): string =>
  values
    .slice(0, n)
    .map((v) => `${v.value} (${v.events})`)
    .join(', ') + (values.length > n ? messages.getMessage('human.more', [values.length - n]) : '');

function columns(keys: readonly string[]): Array<{ key: string; name: string }> {
  return keys.map((key) => ({ key, name: messages.getMessage(`column.${key}`) }));
}

export function sourceText(source: UsageSourceReport): string {
  const status = messages.getMessage(`status.${source.status}`);
  return `${source.source} (${status}${source.errorCode ? `: ${source.errorCode}` : ''}${source.detail ? `; ${source.detail}` : ''})`;
}

export function humanReport(result: UsageResult): HumanBlock[] {
  const blocks: HumanBlock[] = [];
  const log = (text: string): number => blocks.push(...wrappedLog(text));
  const unit = messages.getMessage(`human.unit.${result.window.interval}`);
  log(messages.getMessage('human.window', [minute(result.window.start), minute(result.window.end), unit]));
  log(messages.getMessage('human.sources', [result.sources.map(sourceText).join(' · ') || messages.getMessage('none')]));

  if (result.apps.length === 0) log(messages.getMessage('human.noUsage'));
  else {
    blocks.push({ kind: 'header', text: messages.getMessage('human.appsHeader', [result.apps.length]) });
    // The Type column (as in `list`) only when an External Client App is in the table.
    const typed = result.apps.some((a) => a.type === 'external-client-app');
    blocks.push({
      kind: 'table',
      columns: columns(['app', ...(typed ? ['type'] : []), 'installed', 'events', 'users', 'lastSeen', 'sourceIps', 'apiFamilies', 'grants', 'logins']),
      data: result.apps.map((app) => ({
        app: app.name,
        ...(typed ? { type: app.type ? appKindLabel(app.type) : '' } : {}),
        installed: messages.getMessage(app.installed ? 'human.installed' : 'human.notInstalled'),
        events: app.eventLog?.events ?? 0,
        users: app.eventLog?.users.length ?? 0,
        lastSeen: minute(app.eventLog?.lastSeen ?? null),
        sourceIps: app.eventLog ? top(app.eventLog.sourceIps, 3) : '',
        apiFamilies: app.eventLog ? top(app.eventLog.apiFamilies, 3) : '',
        grants: app.tokens ? messages.getMessage('human.grantsCell', [app.tokens.users, app.tokens.useCount]) : '',
        logins: app.logins.reduce((n, l) => n + l.logins, 0) || '',
      })),
    });
    for (const app of result.apps.slice(0, DETAILED_APPS)) blocks.push(...appDetail(app, result.window.interval));
    if (result.apps.length > DETAILED_APPS) log(messages.getMessage('human.moreApps', [result.apps.length - DETAILED_APPS]));
  }

  const users = result.users.filter((u) => u.events > 0 || u.grants.length > 0);
  if (users.length > 0) {
    blocks.push({ kind: 'header', text: messages.getMessage('human.usersHeader', [users.length]) });
    blocks.push({
      kind: 'table',
      columns: columns(['username', 'events', 'apps', 'grantApps']),
      data: users.slice(0, TOP_USERS_TABLE).map((u) => ({
        username: u.username ?? u.userId ?? '',
        events: u.events,
        apps: u.apps.map((a) => `${a.name} (${a.events})`).join(', '),
        grantApps: u.grants.join(', '),
      })),
    });
    if (users.length > TOP_USERS_TABLE) log(messages.getMessage('human.moreUsers', [users.length - TOP_USERS_TABLE]));
  }

  if (result.unusedApps.length > 0) log(messages.getMessage('human.unused', [result.unusedApps.length, result.unusedApps.map((a) => a.apiName ?? a.name).join(', ')]));
  const elf = result.eventLog;
  if (elf && elf.files.length > 0) {
    const read = elf.files.filter((f) => f.status === 'read').length;
    log(messages.getMessage('human.files', [read, elf.files.length, elf.bytes, elf.rows, elf.countedRows, elf.rowsWithoutApp, elf.rowsOutsideWindow, elf.retries]));
  }
  if (result.sources.length > 0) {
    blocks.push({ kind: 'header', text: messages.getMessage('human.limitsHeader') });
    for (const source of result.sources) for (const limit of source.cannotShow) log(`  ${source.source}: ${limit}`);
  }
  return blocks;
}

function appDetail(app: AppUsage, interval: string): HumanBlock[] {
  const blocks: HumanBlock[] = [];
  const line = (key: string, value: string): void => {
    if (value) blocks.push(...wrappedLog(messages.getMessage(key, [value])));
  };
  const title = app.appId ? `${app.name} (${app.appId})` : app.name;
  blocks.push({ kind: 'header', text: app.installed ? title : messages.getMessage('human.unknownAppTitle', [title]) });
  const elf = app.eventLog;
  if (elf) {
    line('human.detail.seen', messages.getMessage('human.range', [elf.events, minute(elf.firstSeen), minute(elf.lastSeen)]));
    if (elf.users.length > 0) {
      blocks.push({
        kind: 'table',
        columns: columns(['username', 'events', 'firstSeen', 'lastSeen']),
        data: elf.users.slice(0, TOP_USERS).map((u) => ({ username: u.username ?? u.userId ?? '', events: u.events, firstSeen: minute(u.firstSeen), lastSeen: minute(u.lastSeen) })),
      });
      if (elf.users.length > TOP_USERS) blocks.push({ kind: 'log', text: messages.getMessage('human.moreUsers', [elf.users.length - TOP_USERS]) });
    }
    line('human.detail.sourceIps', top(elf.sourceIps));
    line('human.detail.apiFamilies', top(elf.apiFamilies));
    line('human.detail.apiResources', top(elf.apiResources));
    line('human.detail.httpMethods', top(elf.httpMethods));
    line('human.detail.statusCodes', top(elf.statusCodes));
    line('human.detail.clientNames', top(elf.clientNames));
    line('human.detail.loginTypes', top(elf.loginTypes));
    const buckets = elf.intervals.map((b) => `${interval === 'hourly' ? b.start.slice(0, 13).replace('T', ' ') : day(b.start)}: ${b.events}`).join(', ');
    line(interval === 'hourly' ? 'human.detail.perHour' : 'human.detail.perDay', buckets);
    if (elf.truncated.length > 0) line('human.detail.truncated', elf.truncated.map((t) => `${t.dimension} (${t.otherEvents})`).join(', '));
  }
  if (app.tokens) {
    line('human.detail.tokens', messages.getMessage('human.tokens', [app.tokens.tokens, app.tokens.users, app.tokens.useCount, day(app.tokens.lastUsedDate) || messages.getMessage('human.never')]));
    if (app.tokens.holders?.length) line('human.detail.holders', app.tokens.holders.join(', '));
  }
  if (app.logins.length > 0) {
    line('human.detail.logins', app.logins.map((l) => messages.getMessage('human.loginFlow', [l.loginSubType ?? '?', l.logins, l.users, day(l.lastLogin)])).join('; '));
  }
  if (!elf && !app.tokens && app.logins.length === 0) blocks.push({ kind: 'log', text: messages.getMessage('human.detail.none') });
  return blocks;
}

// ---- CSV --------------------------------------------------------------------------------------------

export const CSV_COLUMNS = ['source', 'app', 'appId', 'apiName', 'installed', 'username', 'userId', 'events', 'firstSeen', 'lastSeen', 'detail'] as const;

/** A CSV cell: text always quoted, quotes doubled, formulas neutralised and control characters escaped (csvText). */
export function csvCell(value: string | number | boolean | null): string {
  if (value === null) return '';
  if (typeof value !== 'string') return String(value);
  return `"${csvText(value).replace(/"/g, '""')}"`;
}

/** One row per app and user (event logs), per app and holder (tokens), per app and login flow (LoginHistory). */
export function* csvLines(result: UsageResult): Generator<string> {
  yield CSV_COLUMNS.join(',');
  const row = (values: Array<string | number | boolean | null>): string => values.map(csvCell).join(',');
  for (const app of result.apps) {
    const head = [app.name, app.appId, app.apiName, app.installed];
    for (const u of app.eventLog?.users ?? []) yield row(['EventLogFile', ...head, u.username, u.userId, u.events, u.firstSeen, u.lastSeen, null]);
    if (app.tokens) {
      const detail = messages.getMessage('csv.tokens', [app.tokens.tokens, app.tokens.useCount]);
      if (app.tokens.holders?.length) for (const h of app.tokens.holders) yield row(['OauthToken', ...head, h, null, null, null, app.tokens.lastUsedDate, detail]);
      else yield row(['OauthToken', ...head, null, null, null, null, app.tokens.lastUsedDate, detail]);
    }
    for (const l of app.logins) yield row(['LoginHistory', ...head, null, null, l.logins, null, l.lastLogin, l.loginSubType]);
  }
}

// ---- NDJSON -----------------------------------------------------------------------------------------

/**
 * One JSON object per line: usage.window first, then per app usage.app, usage.app_user, usage.app_interval,
 * usage.app_ip, usage.app_tokens, usage.app_login; then usage.user, usage.file_problem and usage.source.
 * Events that have a time carry it as "@timestamp".
 */
export function* ndjsonLines(result: UsageResult): Generator<string> {
  const line = (event: Record<string, unknown>): string => jsonForTerminal(event);
  yield line({ type: 'usage.window', '@timestamp': result.window.end, ...result.window, filters: result.filters });
  for (const app of result.apps) {
    // `type` names the event here, so the kind of app is `appType`.
    const ref = { app: app.name, appType: app.type, appId: app.appId, apiName: app.apiName, installed: app.installed };
    const elf = app.eventLog;
    yield line({
      type: 'usage.app',
      '@timestamp': elf?.lastSeen ?? app.tokens?.lastUsedDate ?? app.logins[0]?.lastLogin ?? result.window.end,
      ...ref,
      events: elf?.events ?? 0,
      users: elf?.users.length ?? 0,
      firstSeen: elf?.firstSeen ?? null,
      lastSeen: elf?.lastSeen ?? null,
      apiFamilies: elf?.apiFamilies ?? [],
      statusCodes: elf?.statusCodes ?? [],
      eventTypes: elf?.eventTypes ?? [],
    });
    for (const u of elf?.users ?? []) yield line({ type: 'usage.app_user', '@timestamp': u.lastSeen, ...ref, ...u });
    for (const b of elf?.intervals ?? []) yield line({ type: 'usage.app_interval', '@timestamp': b.start, ...ref, interval: result.window.interval, events: b.events });
    for (const ip of elf?.sourceIps ?? []) yield line({ type: 'usage.app_ip', '@timestamp': elf?.lastSeen ?? null, ...ref, sourceIp: ip.value, events: ip.events });
    if (app.tokens) yield line({ type: 'usage.app_tokens', '@timestamp': app.tokens.lastUsedDate, ...ref, ...app.tokens });
    for (const l of app.logins) yield line({ type: 'usage.app_login', '@timestamp': l.lastLogin, ...ref, ...l });
  }
  for (const u of result.users) {
    const last = u.apps.reduce<string | null>((max, a) => (a.lastSeen && (!max || a.lastSeen > max) ? a.lastSeen : max), null);
    yield line({ type: 'usage.user', '@timestamp': last, username: u.username, userId: u.userId, events: u.events, apps: u.apps, grants: u.grants });
  }
  for (const p of result.eventLog?.problems ?? []) yield line({ type: 'usage.file_problem', '@timestamp': result.window.end, ...p });
  for (const s of result.sources) yield line({ type: 'usage.source', '@timestamp': result.window.end, ...s });
}
