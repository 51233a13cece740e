/*
 * Standing OAuth grants per app, from OauthToken. The object caps results at 2,500 rows (500 a page),
 * so we first ask for one aggregate row per app; where the org refuses aggregates on OauthToken
 * (unverified either way), we read rows, split by user so that no query reaches the cap, and say
 * "capped" when one still does.
 */
import { Messages, type Connection } from '@salesforce/core';
import { errorCodeOf, isSourceUnavailable, messageOf, queryAll } from './api.js';
import { chunk } from '../domain/collections.js';
import { coverageForError, type SourceCoverage } from '../domain/coverage.js';
import { soqlInList } from '../domain/soql.js';

/** OauthToken's documented hard stop. */
export const OAUTH_TOKEN_ROW_CAP = 2500;
/** Users per partition when splitting the row query; sized so a partition rarely nears the cap. */
const USERS_PER_PARTITION = 200;

export type AppTokenUsage = {
  /** OauthToken.AppName: the app's label. */
  appName: string;
  appMenuItemId: string | null;
  tokens: number;
  users: number;
  useCount: number;
  lastUsedDate: string | null;
};

export type TokenRead = { byApp: AppTokenUsage[]; coverage: SourceCoverage; requests: number };

type AggregateRow = { AppName: string | null; AppMenuItemId: string | null; tokens: number; users: number; uses: number | null; lastUsed: string | null };
type TokenRow = { AppName: string | null; AppMenuItemId: string | null; UserId: string; UseCount: number | null; LastUsedDate: string | null };

Messages.importMessagesDirectoryFromMetaUrl(import.meta.url);
const coverageText = Messages.loadMessages('plugin-connectedapp', 'connectedapp.coverage');

const SOURCE = 'OauthToken';

export async function readTokenUsage(conn: Connection): Promise<TokenRead> {
  try {
    const aggregate = await queryAll<AggregateRow>(
      conn,
      'SELECT AppName, AppMenuItemId, COUNT(UserId) tokens, COUNT_DISTINCT(UserId) users, SUM(UseCount) uses, MAX(LastUsedDate) lastUsed ' +
        'FROM OauthToken GROUP BY AppName, AppMenuItemId'
    );
    return {
      byApp: aggregate.records.map((r) => ({
        appName: r.AppName ?? '',
        appMenuItemId: r.AppMenuItemId,
        tokens: r.tokens,
        users: r.users,
        useCount: r.uses ?? 0,
        lastUsedDate: r.lastUsed,
      })),
      coverage: { source: SOURCE, status: 'used' },
      requests: 1,
    };
  } catch (error) {
    if (isSourceUnavailable(error) && errorCodeOf(error) !== 'INVALID_FIELD') return unavailable(error);
    if (!['MALFORMED_QUERY', 'INVALID_FIELD', 'INVALID_QUERY_FILTER_OPERATOR'].includes(errorCodeOf(error))) throw error;
  }
  try {
    return await readTokenRows(conn);
  } catch (error) {
    if (isSourceUnavailable(error)) return unavailable(error);
    throw error;
  }
}

function unavailable(error: unknown): TokenRead {
  return { byApp: [], coverage: coverageForError(SOURCE, errorCodeOf(error), messageOf(error)), requests: 1 };
}

const ROW_FIELDS = 'SELECT AppName, AppMenuItemId, UserId, UseCount, LastUsedDate FROM OauthToken';

/** The row fallback: one count, then either every row at once or partitions by user. */
async function readTokenRows(conn: Connection): Promise<TokenRead> {
  let requests = 1;
  const total = (await queryAll(conn, 'SELECT COUNT() FROM OauthToken')).totalSize;
  let rows: TokenRow[];
  let capped = false;
  if (total < OAUTH_TOKEN_ROW_CAP) {
    rows = (await queryAll<TokenRow>(conn, ROW_FIELDS)).records;
    requests += Math.max(1, Math.ceil(total / 500));
  } else {
    const users = (await queryAll<{ Id: string }>(conn, 'SELECT Id FROM User')).records.map((u) => u.Id);
    requests += Math.ceil(users.length / 2000);
    rows = [];
    for (const part of chunk(users, USERS_PER_PARTITION)) {
      // Sequential: partitions are bounded and the org's concurrent-request limit is shared with its users.
      const page = await queryAll<TokenRow>(conn, `${ROW_FIELDS} WHERE UserId IN ${soqlInList(part)}`);
      requests += Math.max(1, Math.ceil(page.records.length / 500));
      if (page.records.length >= OAUTH_TOKEN_ROW_CAP) capped = true;
      rows.push(...page.records);
    }
  }
  return {
    byApp: groupRows(rows),
    coverage: capped
      ? { source: SOURCE, status: 'capped', detail: coverageText.getMessage('tokensCapped', [OAUTH_TOKEN_ROW_CAP]) }
      : { source: SOURCE, status: 'used', detail: total >= OAUTH_TOKEN_ROW_CAP ? coverageText.getMessage('tokensPartitioned') : undefined },
    requests,
  };
}

export function groupRows(rows: readonly TokenRow[]): AppTokenUsage[] {
  const byKey = new Map<string, AppTokenUsage & { userIds: Set<string> }>();
  for (const row of rows) {
    const key = `${row.AppName ?? ''}\u0000${row.AppMenuItemId ?? ''}`;
    const entry = byKey.get(key) ?? { appName: row.AppName ?? '', appMenuItemId: row.AppMenuItemId, tokens: 0, users: 0, useCount: 0, lastUsedDate: null, userIds: new Set<string>() };
    entry.tokens++;
    entry.userIds.add(row.UserId);
    entry.useCount += row.UseCount ?? 0;
    if (row.LastUsedDate && (!entry.lastUsedDate || row.LastUsedDate > entry.lastUsedDate)) entry.lastUsedDate = row.LastUsedDate;
    byKey.set(key, entry);
  }
  return [...byKey.values()].map(({ userIds, ...usage }) => ({ ...usage, users: userIds.size }));
}

/** The users holding tokens for the given apps (by AppName): for "who still depends on it". */
export async function readTokenHolders(conn: Connection, appNames: readonly string[]): Promise<Map<string, string[]>> {
  const holders = new Map<string, string[]>();
  if (appNames.length === 0) return holders;
  type Row = { AppName: string; User: { Username: string } | null };
  const rows = (await queryAll<Row>(conn, `SELECT AppName, User.Username FROM OauthToken WHERE AppName IN ${soqlInList(appNames)}`)).records;
  for (const row of rows) {
    const list = holders.get(row.AppName) ?? [];
    if (row.User && !list.includes(row.User.Username)) list.push(row.User.Username);
    holders.set(row.AppName, list);
  }
  return holders;
}
