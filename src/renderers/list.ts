/*
 * Rendering `connectedapp list`: the human table rows, CSV (one row per app) and a self-contained HTML page
 * (a filterable table, each app linked to its page in Setup). Pure: the command prints or writes the text.
 */
import { Messages } from '@salesforce/core';
import type { ConnectedAppListResult, ConnectedAppListRow } from '../commands/connectedapp/list.js';
import type { SObjectRefreshToken } from '../domain/access/inventory.js';
import { parseRefreshTokenPolicy } from '../domain/policy/refresh-token.js';
import { appKindLabel, permittedUsersLabel } from '../operations/resolve-apps.js';
import { csvCell } from './usage.js';
import { breakable, externalLink, formatTime, html, page } from './html/kit.js';
import { reportText } from './html/words.js';
import { connectedAppSetupUrl, setupBase } from './setup-links.js';

Messages.importMessagesDirectoryFromMetaUrl(import.meta.url);
const messages = Messages.loadMessages('plugin-connectedapp', 'connectedapp.list');

/** The human table's columns (dates are in --json, csv and html: with them the table cannot fit 120 columns). */
export const LIST_COLUMNS = ['type', 'apiName', 'label', 'id', 'permittedUsers', 'refreshToken', 'permissionSets', 'profiles', 'activeUsers'] as const;

/** Copied whole (the API name into --name, the Id into Setup's address), never wrapped; counts are short. */
const IDENTIFIERS: ReadonlySet<(typeof LIST_COLUMNS)[number]> = new Set(['apiName', 'id', 'permissionSets', 'profiles']);

/** "5: profile 3, permission set 1, group 2" (only the kinds that reach someone), or "unknown". */
export function activeUsersText(app: ConnectedAppListRow): string {
  if (app.activeUsers === null || app.activeUsersByKind === null) return messages.getMessage('activeUsers.unknown');
  const kinds = (['profile', 'permissionSet', 'permissionSetGroup'] as const)
    .filter((k) => (app.activeUsersByKind?.[k] ?? 0) > 0)
    .map((k) => messages.getMessage(`activeUsers.${k}`, [app.activeUsersByKind?.[k] ?? 0]));
  return kinds.length ? messages.getMessage('activeUsers.byKind', [app.activeUsers, kinds.join(', ')]) : String(app.activeUsers);
}

/** The refresh-token policy in words: the whole policy where the row has it (an ECA), else the sObject's number. */
export function refreshTokenText(policy: SObjectRefreshToken, metadata: string | null = null): string {
  if (metadata !== null) {
    const full = parseRefreshTokenPolicy(metadata);
    if (full.kind === 'infinite' || full.kind === 'zero') return messages.getMessage(`refreshToken.${full.kind}`);
    const span = `${full.value} ${full.unit.toLowerCase()}`;
    return messages.getMessage(`refreshToken.${full.kind === 'specific_inactivity' ? 'last-use' : 'issue'}`, [span]);
  }
  if (policy.validityPeriod === null || policy.validityPeriod === 0) return messages.getMessage('refreshToken.none');
  return messages.getMessage(`refreshToken.${policy.measuredFrom}`, [policy.validityPeriod]);
}

/** The human table: one row per app, display words. */
export function listTable(result: ConnectedAppListResult): {
  data: Array<Record<(typeof LIST_COLUMNS)[number], string | number>>;
  columns: Array<{ key: (typeof LIST_COLUMNS)[number]; name: string; identifier: boolean }>;
} {
  return {
    data: result.apps.map((app) => ({
      type: appKindLabel(app.type),
      apiName: app.apiName ?? '',
      label: app.label,
      id: app.id,
      permittedUsers: permittedUsersLabel(app),
      refreshToken: refreshTokenText(app.refreshToken, app.refreshTokenPolicy),
      permissionSets: app.permissionSetCount,
      profiles: app.profileCount,
      activeUsers: activeUsersText(app),
    })),
    // The Type column costs the names room (120 columns in all): shown when the list holds an External Client App.
    columns: LIST_COLUMNS.filter((key) => key !== 'type' || result.apps.some((a) => a.type !== 'connected-app')).map((key) => ({
      key,
      name: messages.getMessage(`column.${key}`),
      identifier: IDENTIFIERS.has(key),
    })),
  };
}

export const LIST_CSV_COLUMNS = ['type', 'apiName', 'label', 'id', 'namespacePrefix', 'permittedUsers', 'refreshTokenValidity', 'refreshTokenMeasuredFrom', 'refreshTokenPolicy', 'permissionSets', 'profiles', 'permissionSetGroups', 'activeUsers', 'activeUsersByProfile', 'activeUsersByPermissionSet', 'activeUsersByPermissionSetGroup', 'createdDate', 'lastModifiedDate'] as const;

/** CSV: one row per app; assignments listed by name, separated by "; ". */
export function* listCsvLines(result: ConnectedAppListResult): Generator<string> {
  yield LIST_CSV_COLUMNS.join(',');
  for (const app of result.apps) {
    yield [
      app.type,
      app.apiName,
      app.label,
      app.id,
      app.namespacePrefix,
      app.permittedUsers,
      app.refreshToken.validityPeriod,
      app.refreshToken.measuredFrom,
      app.refreshTokenPolicy,
      app.permissionSets.join('; '),
      app.profiles.join('; '),
      app.permissionSetGroups.join('; '),
      app.activeUsers,
      app.activeUsersByKind?.profile ?? null,
      app.activeUsersByKind?.permissionSet ?? null,
      app.activeUsersByKind?.permissionSetGroup ?? null,
      app.createdDate,
      app.lastModifiedDate,
    ]
      .map(csvCell)
      .join(',');
  }
}

export type ListHtmlContext = { generatedAt: string; instanceUrl?: string | null; orgId?: string | null };

function row(app: ConnectedAppListRow, base: string | null): ReturnType<typeof html> {
  // Setup's page for an External Client App has no documented address: only connected apps are linked.
  const link = app.type === 'connected-app' ? connectedAppSetupUrl(base, app.id) : null;
  return html`<tr data-item data-flag-${app.permittedUsers}>
<td>${appKindLabel(app.type)}</td><td data-search>${breakable(app.apiName ?? '')}</td><td data-search>${app.label}</td><td class="id">${link ? externalLink(link, app.id) : app.id}</td>
<td>${permittedUsersLabel(app)}</td><td>${refreshTokenText(app.refreshToken, app.refreshTokenPolicy)}</td>
<td data-search>${breakable(app.permissionSets.join(', '))}</td><td data-search>${breakable(app.profiles.join(', '))}</td><td>${activeUsersText(app)}</td>
<td class="date">${app.createdDate?.slice(0, 10) ?? ''}</td><td class="date">${app.lastModifiedDate?.slice(0, 10) ?? ''}</td></tr>`;
}

export function renderListHtml(result: ConnectedAppListResult, context: ListHtmlContext): string {
  const base = setupBase(context.instanceUrl);
  const columns = ['type', 'apiName', 'label', 'id', 'permittedUsers', 'refreshToken', 'permissionSets', 'profiles', 'activeUsers', 'created', 'modified'];
  const modes = [...new Set(result.apps.map((a) => a.permittedUsers))].sort();
  const body = html`<header class="top"><h1>${reportText('list.title')}</h1><div class="meta"><span>${reportText('list.count', [result.apps.length])}</span>${
    context.orgId ? html`<span>${reportText('html.orgId', [context.orgId])}</span>` : null
  }${base ? html`<span>${base}</span>` : null}<span>${reportText('html.generated', [formatTime(context.generatedAt)])}</span></div></header>
<main>
<div class="controls">
<input type="search" data-filter="text" placeholder="${reportText('html.search')}" aria-label="${reportText('html.search')}">
<span>${reportText('list.filterPermitted')} ${modes.map((m) => html`<label><input type="checkbox" data-filter="flag" value="${m}"> ${permittedUsersLabel({ permittedUsers: m })}</label> `)}</span>
<span class="count"><span data-count>${result.apps.length}</span> ${reportText('html.shown')}</span>
</div>
<table id="apps"><thead><tr>${columns.map((c) => html`<th>${reportText(`list.column.${c}`)}</th>`)}</tr></thead>
<tbody>${result.apps.map((a) => row(a, base))}</tbody></table>
${
  result.unmatchedComponents.length > 0
    ? html`<section><h2>${reportText('list.unmatched')}</h2><ul class="plain">${result.unmatchedComponents.map((c) => html`<li>${c.fullName}</li>`)}</ul></section>`
    : null
}
<section><h2>${reportText('usage.sources')}</h2><table><thead><tr><th>${reportText('html.column.source')}</th><th>${reportText('html.column.status')}</th><th>${reportText(
    'html.column.detail'
  )}</th></tr></thead><tbody>${result.coverage.map((c) => html`<tr><td>${c.source}</td><td>${c.status}${c.errorCode ? ` (${c.errorCode})` : ''}</td><td>${c.detail ?? ''}</td></tr>`)}</tbody></table></section>
</main>`;
  return page({ title: reportText('list.title'), body });
}
