/*
 * `connectedapp usage` as one self-contained HTML page: events per day (or hour) per app as a stacked bar
 * chart (inline SVG, every interval of the window shown, zero ones too), one row per app with its own
 * sparkline, apps that are not installed highlighted (and a filter for them), the top users and source IPs,
 * installed apps with no usage, and what each source could and could not show. Every value is escaped.
 */
import { Messages } from '@salesforce/core';
import type { AppUsage, UsageResult, UsageSourceReport } from '../domain/usage/result.js';
import { legend, sparkline, stackedBarChart, type Series } from './html/chart.js';
import { externalLink, formatNumber, formatTime, html, page, type Markup } from './html/kit.js';
import { reportText } from './html/words.js';
import { appKindLabel } from '../operations/resolve-apps.js';
import { connectedAppSetupUrl, oauthUsageSetupUrl, setupBase } from './setup-links.js';

Messages.importMessagesDirectoryFromMetaUrl(import.meta.url);
const messages = Messages.loadMessages('plugin-connectedapp', 'connectedapp.usage');

export type UsageHtmlContext = { generatedAt: string; instanceUrl?: string | null; orgId?: string | null };

/** Apps drawn as their own series; the rest are summed into one "other" series. */
const CHART_APPS = 8;
const TOP_USERS = 50;
const TOP_IPS = 25;
/** More intervals than this are not drawn one by one (a window of about two months of hours). */
const MAX_BUCKETS = 1500;

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;

/** The interval keys of the window: "YYYY-MM-DD" per day or "YYYY-MM-DDTHH" per hour (UTC). */
export function bucketKeys(window: UsageResult['window']): string[] {
  const step = window.interval === 'hourly' ? HOUR_MS : DAY_MS;
  const width = window.interval === 'hourly' ? 13 : 10;
  const start = Date.parse(window.start);
  const end = Date.parse(window.end);
  if (Number.isNaN(start) || Number.isNaN(end)) return [];
  const keys: string[] = [];
  for (let t = Math.floor(start / step) * step; t < end && keys.length < MAX_BUCKETS; t += step) keys.push(new Date(t).toISOString().slice(0, width));
  return keys;
}

function valuesOf(app: AppUsage, keys: readonly string[], width: number): number[] {
  const byKey = new Map<string, number>();
  for (const b of app.eventLog?.intervals ?? []) {
    const key = b.start.slice(0, width);
    byKey.set(key, (byKey.get(key) ?? 0) + b.events);
  }
  return keys.map((k) => byKey.get(k) ?? 0);
}

const label = (key: string): string => (key.length > 10 ? `${key.slice(5, 10)} ${key.slice(11)}h` : key.slice(5));

function sourceStatus(source: UsageSourceReport): string {
  const status = messages.getMessage(`status.${source.status}`);
  return source.errorCode ? `${status} (${source.errorCode})` : status;
}

function chartSection(result: UsageResult, keys: string[], width: number, unit: string): Markup {
  const busy = result.apps.filter((a) => (a.eventLog?.events ?? 0) > 0).sort((a, b) => (b.eventLog?.events ?? 0) - (a.eventLog?.events ?? 0) || a.name.localeCompare(b.name));
  if (busy.length === 0 || keys.length === 0) return html`<p class="muted">${reportText('usage.chartNone')}</p>`;
  const series: Series[] = busy.slice(0, CHART_APPS).map((a) => ({ name: a.installed ? a.name : `${a.name} (${reportText('html.notInstalled')})`, values: valuesOf(a, keys, width) }));
  const rest = busy.slice(CHART_APPS);
  if (rest.length > 0) {
    const values = keys.map(() => 0);
    for (const a of rest) valuesOf(a, keys, width).forEach((v, i) => (values[i] += v));
    series.push({ name: reportText('usage.chartOther', [rest.length]), values });
  }
  const title = reportText('usage.chart', [unit]);
  return html`<div class="chart" id="chart">${stackedBarChart(series, keys.map(label), title)}${legend(series)}<p class="muted">${reportText('usage.chartAlt', [unit, Math.min(CHART_APPS, busy.length)])}</p></div>`;
}

function appRow(app: AppUsage, keys: string[], width: number, base: string | null, unit: string): Markup {
  const elf = app.eventLog;
  const link = app.installed ? connectedAppSetupUrl(base, app.appId) : oauthUsageSetupUrl(base);
  const logins = app.logins.reduce((n, l) => n + l.logins, 0);
  const ips = (elf?.sourceIps ?? []).slice(0, 3).map((v) => `${v.value} (${formatNumber(v.events)})`).join(', ');
  return html`<tr data-item${app.installed ? '' : html` data-flag-unknown class="unknown"`}>
<td><span data-search>${app.name}</span>${app.apiName && app.apiName !== app.name ? html` <span class="muted" data-search>${app.apiName}</span>` : null}${
    app.type === 'external-client-app' ? html` <span class="muted">(${appKindLabel(app.type)})</span>` : null
  }${
    app.installed ? null : html` <span class="badge unknown">${reportText('html.notInstalled')}</span>`
  }${link ? html`<br><span class="muted">${externalLink(link, app.installed ? reportText('html.openInSetup') : reportText('html.openOAuthUsage'))}</span>` : null}</td>
<td class="num">${formatNumber(elf?.events ?? 0)}</td>
<td>${elf ? sparkline(valuesOf(app, keys, width), `${app.name}: ${reportText('usage.column.perInterval', [unit])}`) : null}</td>
<td class="num">${elf ? formatNumber(elf.users.length) : ''}</td>
<td>${formatTime(elf?.lastSeen ?? null)}</td>
<td data-search>${ips}</td>
<td>${app.tokens ? reportText('usage.grants', [app.tokens.tokens, app.tokens.users]) : ''}</td>
<td class="num">${logins > 0 ? formatNumber(logins) : ''}</td>
</tr>`;
}

function appsTable(result: UsageResult, keys: string[], width: number, base: string | null, unit: string): Markup {
  const unknown = result.apps.filter((a) => !a.installed).length;
  return html`<div class="controls">
<input type="search" data-filter="text" placeholder="${reportText('html.search')}" aria-label="${reportText('html.search')}">
<label><input type="checkbox" data-filter="flag" value="unknown"> ${reportText('html.unknownOnly')} (${unknown})</label>
<span class="count"><span data-count>${result.apps.length}</span> ${reportText('html.shown')}</span>
</div>
<table id="apps"><thead><tr><th>${reportText('usage.column.app')}</th><th class="num">${reportText('usage.column.events')}</th><th>${reportText('usage.column.perInterval', [unit])}</th><th class="num">${reportText(
    'usage.column.users'
  )}</th><th>${reportText('usage.column.lastSeen')}</th><th>${reportText('usage.column.ips')}</th><th>${reportText('usage.column.grants')}</th><th class="num">${reportText('usage.column.logins')}</th></tr></thead>
<tbody>${result.apps.map((a) => appRow(a, keys, width, base, unit))}</tbody></table>`;
}

function usersTable(result: UsageResult): Markup | null {
  const users = result.users.filter((u) => u.events > 0 || u.grants.length > 0).slice(0, TOP_USERS);
  if (users.length === 0) return null;
  return html`<section><h2>${reportText('usage.users')}</h2><table><thead><tr><th>${reportText('usage.column.user')}</th><th class="num">${reportText('usage.column.events')}</th><th>${reportText(
    'usage.column.apps'
  )}</th><th>${reportText('usage.column.grants')}</th></tr></thead><tbody>
${users.map(
  (u) =>
    html`<tr><td>${u.username ?? u.userId ?? ''}</td><td class="num">${formatNumber(u.events)}</td><td>${u.apps.map((a) => `${a.name} (${formatNumber(a.events)})`).join(', ')}</td><td>${u.grants.join(
      ', '
    )}</td></tr>\n`
)}</tbody></table></section>`;
}

function ipsTable(result: UsageResult): Markup | null {
  const ips = new Map<string, { events: number; apps: Set<string> }>();
  for (const app of result.apps) {
    for (const ip of app.eventLog?.sourceIps ?? []) {
      const entry = ips.get(ip.value) ?? { events: 0, apps: new Set<string>() };
      entry.events += ip.events;
      entry.apps.add(app.name);
      ips.set(ip.value, entry);
    }
  }
  if (ips.size === 0) return null;
  const top = [...ips].sort((a, b) => b[1].events - a[1].events || a[0].localeCompare(b[0])).slice(0, TOP_IPS);
  return html`<section><h2>${reportText('usage.ips')}</h2><table><thead><tr><th>${reportText('usage.column.ip')}</th><th class="num">${reportText('usage.column.events')}</th><th>${reportText(
    'usage.column.apps'
  )}</th></tr></thead><tbody>
${top.map(([ip, e]) => html`<tr><td>${ip}</td><td class="num">${formatNumber(e.events)}</td><td>${[...e.apps].sort().join(', ')}</td></tr>\n`)}</tbody></table></section>`;
}

function sourcesSection(result: UsageResult): Markup {
  const elf = result.eventLog;
  const read = elf ? elf.files.filter((f) => f.status === 'read').length : 0;
  return html`<section><h2>${reportText('usage.sources')}</h2>
<table><thead><tr><th>${reportText('html.column.source')}</th><th>${reportText('html.column.status')}</th><th>${reportText('html.column.detail')}</th></tr></thead><tbody>
${result.sources.map((s) => html`<tr><td>${s.source}</td><td>${sourceStatus(s)}</td><td>${s.detail ?? ''}</td></tr>\n`)}</tbody></table>
${
  elf && elf.files.length > 0
    ? html`<p>${messages.getMessage('human.files', [read, elf.files.length, elf.bytes, elf.rows, elf.countedRows, elf.rowsWithoutApp, elf.rowsOutsideWindow, elf.retries])}</p>`
    : null
}
<h3>${reportText('usage.cannotShow')}</h3>
<ul class="plain">${result.sources.flatMap((s) => s.cannotShow.map((limit) => html`<li><strong>${s.source}:</strong> ${limit}</li>`))}</ul>
</section>`;
}

export function renderUsageHtml(result: UsageResult, context: UsageHtmlContext): string {
  const base = setupBase(context.instanceUrl);
  const unit = reportText(`usage.unit.${result.window.interval}`);
  const keys = bucketKeys(result.window);
  const width = result.window.interval === 'hourly' ? 13 : 10;
  const body = html`<header class="top"><h1>${reportText('usage.title')}</h1><div class="meta"><span>${reportText('usage.window', [
    formatTime(result.window.start),
    formatTime(result.window.end),
    unit,
  ])}</span>${context.orgId ? html`<span>${reportText('html.orgId', [context.orgId])}</span>` : null}${base ? html`<span>${base}</span>` : null}<span>${reportText('html.generated', [
    formatTime(context.generatedAt),
  ])}</span></div></header>
<main>
<section><h2>${reportText('usage.chart', [unit])}</h2>${chartSection(result, keys, width, unit)}</section>
<section><h2>${reportText('usage.apps')}</h2>${result.apps.length === 0 ? html`<p>${reportText('usage.noUsage')}</p>` : appsTable(result, keys, width, base, unit)}</section>
${usersTable(result)}
${ipsTable(result)}
${
  result.unusedApps.length > 0
    ? html`<section><h2>${reportText('usage.unused')}</h2><ul class="plain">${result.unusedApps.map((a) => html`<li>${a.apiName ?? a.name}</li>`)}</ul></section>`
    : null
}
${sourcesSection(result)}
</main>`;
  return page({ title: reportText('usage.title'), body });
}
