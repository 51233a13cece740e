// The per-token table of revoke and contain: who held the token, for which app, when it was made and last used.
import { Messages } from '@salesforce/core';
import type { TokenResult } from '../domain/incident/tokens.js';
import { printable } from './terminal.js';

Messages.importMessagesDirectoryFromMetaUrl(import.meta.url);
const messages = Messages.loadMessages('plugin-connectedapp', 'connectedapp.revoke');

const COLUMNS = ['app', 'username', 'created', 'lastUsed', 'useCount', 'status', 'ref', 'message'] as const;

/**
 * Copied or searched for whole, never wrapped: the app's name (what revoke --name takes for an uninstalled app), the
 * user, the ref. The times wrap at their space, the message at words.
 */
const IDENTIFIERS: ReadonlySet<(typeof COLUMNS)[number]> = new Set(['app', 'username', 'useCount', 'status', 'ref']);

const minute = (value: string | null): string => (value ? value.slice(0, 16).replace('T', ' ') : '');

export function tokenTable(results: readonly TokenResult[]): {
  data: Array<Record<(typeof COLUMNS)[number], string | number>>;
  columns: Array<{ key: (typeof COLUMNS)[number]; name: string; identifier: boolean }>;
} {
  return {
    data: results.map((r) => ({
      app: printable(r.app),
      username: printable(r.username ?? r.userId),
      created: minute(r.createdDate),
      lastUsed: minute(r.lastUsedDate) || messages.getMessage('never'),
      useCount: r.useCount,
      status: r.verified === false ? messages.getMessage('status.unverified', [r.status]) : r.status,
      ref: r.ref,
      message: printable([r.errorCode, r.message].filter(Boolean).join(': ')),
    })),
    // An empty column (no message on any row) is left out when the table is printed.
    columns: COLUMNS.map((key) => ({ key, name: messages.getMessage(`column.${key}`), identifier: IDENTIFIERS.has(key) })),
  };
}
