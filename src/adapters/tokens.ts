/*
 * Standing OAuth grants per app, from OauthToken. The object caps results at 2,500 rows (500 a page),
 * so we first ask for one aggregate row per app; where the org refuses aggregates on OauthToken, or the
 * aggregate counts fewer tokens than COUNT() (it may stop at the cap: unverified either way), we read rows,
 * split by user so that no query reaches the cap, and say "capped" when one still does.
 */
import { Messages, type Connection } from '@salesforce/core';
import { errorCodeOf, isSourceUnavailable, messageOf, queryAll } from './api.js';
import { chunk } from '../domain/collections.js';
import { coverageForError, type SourceCoverage } from '../domain/coverage.js';
import { soqlInList, soqlString } from '../domain/soql.js';
import { OAUTH_TOKEN_ROW_CAP, packUsers, splitPartition, tokenRef, USERS_PER_QUERY, type TokenRecord } from '../domain/incident/tokens.js';
import { seesEveryUsersTokens } from './people.js';
import { call } from './transport.js';

export { OAUTH_TOKEN_ROW_CAP } from '../domain/incident/tokens.js';
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
  const [read, seesAll] = await Promise.all([readTokenTotals(conn), seesEveryUsersTokens(conn)]);
  if (seesAll !== false || (read.coverage.status !== 'used' && read.coverage.status !== 'capped')) return { ...read, requests: read.requests + 2 };
  // Only the user's own tokens were visible: what was read shows use, never who else holds tokens or their absence.
  const detail = [read.coverage.detail, coverageText.getMessage('tokensOwnOnly')].filter(Boolean).join('; ');
  return { ...read, coverage: { source: SOURCE, status: 'partial', detail }, requests: read.requests + 2 };
}

const AGGREGATE = 'SELECT AppName, AppMenuItemId, COUNT(UserId) tokens, COUNT_DISTINCT(UserId) users, SUM(UseCount) uses, MAX(LastUsedDate) lastUsed FROM OauthToken';

/**
 * One aggregate row per app. An org with more apps than a query returns rows (OauthToken stops at 2,500) ends the
 * answer early: the next query resumes at the last app name seen (keyset), its groups read again and kept once.
 */
async function readAggregate(conn: Connection): Promise<{ records: AggregateRow[]; requests: number }> {
  const byKey = new Map<string, AggregateRow>();
  let requests = 0;
  let from: string | null = null;
  for (;;) {
    const where: string = from === null ? '' : ` WHERE AppName >= ${soqlString(from)}`;
    const page = await queryAll<AggregateRow>(conn, `${AGGREGATE}${where} GROUP BY AppName, AppMenuItemId ORDER BY AppName, AppMenuItemId`);
    requests += Math.max(1, Math.ceil(page.records.length / 500));
    for (const r of page.records) byKey.set(`${r.AppName ?? ''}\u0000${r.AppMenuItemId ?? ''}`, r);
    const last = page.records.at(-1)?.AppName ?? null;
    // Whole, or no progress possible (one name with more groups than an answer holds): the COUNT() check decides.
    if (page.records.length >= page.totalSize || last === null || last === from) break;
    from = last;
  }
  return { records: [...byKey.values()], requests };
}

async function readTokenTotals(conn: Connection): Promise<TokenRead> {
  // COUNT() of every token, once known: the row fallback then need not ask again.
  let total: number | null = null;
  try {
    const aggregate = await readAggregate(conn);
    const counted = aggregate.records.reduce((n, r) => n + r.tokens, 0);
    // Whether GROUP BY obeys the 2,500-row cap is undocumented (reference §5): a total at the cap may be the first
    // 2,500 tokens only. COUNT() is documented to count them all; when it says more, read rows by user instead.
    total = counted < OAUTH_TOKEN_ROW_CAP ? null : (await queryAll(conn, 'SELECT COUNT() FROM OauthToken')).totalSize;
    if (total === null || total <= counted) {
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
        requests: aggregate.requests + (total === null ? 0 : 1),
      };
    }
  } catch (error) {
    if (isSourceUnavailable(error) && errorCodeOf(error) !== 'INVALID_FIELD') return unavailable(error);
    if (!['MALFORMED_QUERY', 'INVALID_FIELD', 'INVALID_QUERY_FILTER_OPERATOR'].includes(errorCodeOf(error))) throw error;
  }
  try {
    return await readTokenRows(conn, total);
  } catch (error) {
    if (isSourceUnavailable(error)) return unavailable(error);
    throw error;
  }
}

function unavailable(error: unknown): TokenRead {
  return { byApp: [], coverage: coverageForError(SOURCE, errorCodeOf(error), messageOf(error)), requests: 1 };
}

const ROW_FIELDS = 'SELECT AppName, AppMenuItemId, UserId, UseCount, LastUsedDate FROM OauthToken';

/** The row fallback: one count (unless given), then either every row at once or partitions by user. */
async function readTokenRows(conn: Connection, knownTotal: number | null): Promise<TokenRead> {
  let requests = knownTotal === null ? 1 : 0;
  const total = knownTotal ?? (await queryAll(conn, 'SELECT COUNT() FROM OauthToken')).totalSize;
  let rows: TokenRow[];
  let capped = false;
  if (total < OAUTH_TOKEN_ROW_CAP) {
    rows = (await queryAll<TokenRow>(conn, ROW_FIELDS)).records;
    requests += Math.max(1, Math.ceil(total / 500));
  } else {
    const users = (await queryAll<{ Id: string }>(conn, 'SELECT Id FROM User')).records.map((u) => u.Id);
    requests += Math.ceil(users.length / 2000);
    const read = await readSplittingAtCap<TokenRow>(conn, chunk(users, USERS_PER_PARTITION), (part) => `${ROW_FIELDS} WHERE UserId IN ${soqlInList(part)}`);
    rows = read.rows;
    capped = read.cappedUsers.length > 0;
    requests += read.requests;
  }
  return {
    byApp: groupRows(rows),
    coverage: capped
      ? { source: SOURCE, status: 'capped', detail: coverageText.getMessage('tokensCapped', [OAUTH_TOKEN_ROW_CAP]) }
      : { source: SOURCE, status: 'used', detail: total >= OAUTH_TOKEN_ROW_CAP ? coverageText.getMessage('tokensPartitioned') : undefined },
    requests,
  };
}

/**
 * Reads partitions of users one query each; a query cut at OauthToken's 2,500-row stop is halved and both halves read
 * again. A single user past the stop cannot be split: their rows are kept as read and they are listed in cappedUsers.
 * Sequential: partitions are bounded and the org's concurrent-request limit is shared with its users.
 */
// eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters -- T names the rows the query returns, as queryAll's does
async function readSplittingAtCap<T>(conn: Connection, partitions: string[][], soql: (users: string[]) => string): Promise<{ rows: T[]; cappedUsers: string[]; requests: number }> {
  const rows: T[] = [];
  const cappedUsers: string[] = [];
  let requests = 0;
  const queue = [...partitions];
  while (queue.length > 0) {
    const users = queue.shift() ?? [];
    const page = await queryAll<T>(conn, soql(users));
    requests += Math.max(1, Math.ceil(page.records.length / 500));
    if (page.records.length < page.totalSize) {
      const halves = splitPartition(users);
      if (halves) {
        queue.unshift(...halves);
        continue;
      }
      cappedUsers.push(users[0]);
    }
    rows.push(...page.records);
  }
  return { rows, cappedUsers, requests };
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

// ---- Every token of some apps, for revocation ----------------------------------------------------

/** Which tokens to read: these apps (by AppName), optionally only these users (Ids). */
export type TokenFilter = { appNames: readonly string[]; userIds?: readonly string[] };

export type TokenList = {
  tokens: TokenRecord[];
  /** COUNT() of the tokens the filter matches, before the rows were read. */
  counted: number;
  /** Users whose tokens could not all be read: one user alone holds more than a query returns. */
  cappedUsers: string[];
  requests: number;
};

type RevokeRow = {
  AppName: string | null;
  UserId: string;
  User: { Username: string } | null;
  CreatedDate: string | null;
  LastUsedDate: string | null;
  UseCount: number | null;
  DeleteToken: string | null;
};

const REVOKE_FIELDS = 'SELECT AppName, UserId, User.Username, CreatedDate, LastUsedDate, UseCount, DeleteToken FROM OauthToken';

function where(filter: TokenFilter, userIds?: readonly string[]): string {
  const clauses = [`AppName IN ${soqlInList(filter.appNames)}`];
  const users = userIds ?? filter.userIds;
  if (users) clauses.push(`UserId IN ${soqlInList(users)}`);
  return ` WHERE ${clauses.join(' AND ')}`;
}

/**
 * Every token the filter matches, read past the 2,500-row stop as the OauthToken reference says: COUNT() first;
 * under the cap, one query; at or over it, the rows are read per group of users — grouped by each user's token
 * count (one aggregate query) or, where the org refuses that aggregate, by all users — and a group whose query
 * is still cut is split in two until it is not. Only a single user holding more tokens than a query returns
 * cannot be read whole: that user is listed in `cappedUsers`.
 */
export async function readTokens(conn: Connection, filter: TokenFilter): Promise<TokenList> {
  if (filter.appNames.length === 0 || filter.userIds?.length === 0) return { tokens: [], counted: 0, cappedUsers: [], requests: 0 };
  let requests = 1;
  const counted = (await queryAll(conn, `SELECT COUNT() FROM OauthToken${where(filter)}`)).totalSize;
  if (counted === 0) return { tokens: [], counted, cappedUsers: [], requests };
  if (counted < OAUTH_TOKEN_ROW_CAP) {
    const page = await queryAll<RevokeRow>(conn, `${REVOKE_FIELDS}${where(filter)}`);
    requests += pages(page.records.length);
    // Complete unless tokens were created between the count and the read and pushed it over the stop.
    if (page.records.length >= page.totalSize) return { tokens: toRecords(page.records), counted, cappedUsers: [], requests };
  }
  const partitioned = await readByUser(conn, filter, counted);
  return { ...partitioned, counted, requests: requests + partitioned.requests };
}

async function readByUser(conn: Connection, filter: TokenFilter, counted: number): Promise<Omit<TokenList, 'counted'>> {
  let requests = 0;
  let partitions: string[][];
  const counts = await tokensPerUser(conn, filter, counted);
  requests++;
  if (counts) partitions = packUsers(counts);
  else {
    const users = filter.userIds ? [...filter.userIds] : (await queryAll<{ Id: string }>(conn, 'SELECT Id FROM User')).records.map((u) => u.Id);
    if (!filter.userIds) requests += Math.max(1, Math.ceil(users.length / 2000));
    partitions = chunk(users, USERS_PER_QUERY);
  }
  const read = await readSplittingAtCap<RevokeRow>(conn, partitions, (users) => `${REVOKE_FIELDS}${where(filter, users)}`);
  requests += read.requests;
  const tokens = toRecords(read.rows);
  const cappedUsers = read.cappedUsers;
  return { tokens, cappedUsers, requests };
}

/**
 * Tokens per user (one aggregate query), or null where the org refuses aggregates on OauthToken or the answer is
 * not whole (an aggregate answer has no further pages): the caller then partitions by all users.
 */
async function tokensPerUser(conn: Connection, filter: TokenFilter, counted: number): Promise<Map<string, number> | null> {
  try {
    const result = await queryAll<{ UserId: string; n: number }>(conn, `SELECT UserId, COUNT(AppName) n FROM OauthToken${where(filter)} GROUP BY UserId`);
    if (result.records.length < result.totalSize) return null;
    // An aggregate over only the first 2,500 tokens (reference §5: unverified either way) would leave users out.
    if (result.records.reduce((sum, r) => sum + r.n, 0) < counted) return null;
    return new Map(result.records.map((r) => [r.UserId, r.n]));
  } catch (error) {
    if (['MALFORMED_QUERY', 'INVALID_FIELD', 'INVALID_QUERY_FILTER_OPERATOR'].includes(errorCodeOf(error))) return null;
    throw error;
  }
}

const pages = (rows: number): number => Math.max(1, Math.ceil(rows / 500));

function toRecords(rows: readonly RevokeRow[]): TokenRecord[] {
  return rows
    .filter((r): r is RevokeRow & { DeleteToken: string } => typeof r.DeleteToken === 'string' && r.DeleteToken !== '')
    .map((r) => ({
      ref: tokenRef(r.DeleteToken),
      app: r.AppName ?? '',
      userId: r.UserId,
      username: r.User?.Username ?? null,
      createdDate: r.CreatedDate,
      lastUsedDate: r.LastUsedDate,
      useCount: r.UseCount ?? 0,
      deleteToken: r.DeleteToken,
    }));
}

/** Which of these token names (AppName) the org holds at least one token for (one query per name; names are few). */
export async function tokenAppNames(conn: Connection, names: readonly string[]): Promise<Map<string, string>> {
  const found = new Map<string, string>();
  for (const name of names) {
    const rows = (await queryAll<{ AppName: string }>(conn, `SELECT AppName FROM OauthToken WHERE AppName = ${soqlString(name)} LIMIT 1`)).records;
    if (rows.length > 0) found.set(name, rows[0].AppName);
  }
  return found;
}

/**
 * Revokes one token through the documented revoke endpoint, with its DeleteToken in the form body (never in the
 * URL, where proxies log it). Not resent: a failure says whether the org refused it or the answer was lost.
 */
export async function revokeToken(conn: Connection, deleteToken: string): Promise<void> {
  await call(conn, {
    method: 'POST',
    path: '/services/oauth2/revoke',
    body: `token=${encodeURIComponent(deleteToken)}`,
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    idempotent: false,
  });
}

/** How many tokens these apps' users hold (one COUNT() query, which the 2,500-row stop does not limit). */
export async function countAppTokens(conn: Connection, appNames: readonly string[]): Promise<number> {
  if (appNames.length === 0) return 0;
  return (await queryAll(conn, `SELECT COUNT() FROM OauthToken${where({ appNames })}`)).totalSize;
}

// ---- One app's tokens, for doctor ------------------------------------------------------------------

export type AppTokenFacts = { holders: number; lastUsedDate: string | null; userHolds: boolean | null; userLastUsedDate: string | null };

/**
 * Users holding tokens for the app (by AppName: its label) and whether this user does. One aggregate query, or
 * rows up to the 2,500-row stop where the org refuses it (then "capped" when reached); one query for the user.
 */
export async function readAppTokenFacts(conn: Connection, appNames: readonly string[], userId: string | null): Promise<{ value: AppTokenFacts | null; coverage: SourceCoverage }> {
  const filter = ` WHERE AppName IN ${soqlInList(appNames)}`;
  try {
    let holders: number;
    let lastUsedDate: string | null;
    let coverage: SourceCoverage = { source: SOURCE, status: 'used' };
    try {
      const rows = await queryAll<{ users: number; lastUsed: string | null }>(conn, `SELECT COUNT_DISTINCT(UserId) users, MAX(LastUsedDate) lastUsed FROM OauthToken${filter}`);
      holders = rows.records[0]?.users ?? 0;
      lastUsedDate = rows.records[0]?.lastUsed ?? null;
    } catch (error) {
      if (!['MALFORMED_QUERY', 'INVALID_FIELD', 'INVALID_QUERY_FILTER_OPERATOR'].includes(errorCodeOf(error))) throw error;
      const rows = (await queryAll<{ UserId: string; LastUsedDate: string | null }>(conn, `SELECT UserId, LastUsedDate FROM OauthToken${filter}`)).records;
      holders = new Set(rows.map((r) => r.UserId)).size;
      lastUsedDate = rows.reduce<string | null>((max, r) => (r.LastUsedDate && (!max || r.LastUsedDate > max) ? r.LastUsedDate : max), null);
      if (rows.length >= OAUTH_TOKEN_ROW_CAP) coverage = { source: SOURCE, status: 'capped', detail: coverageText.getMessage('tokensCapped', [OAUTH_TOKEN_ROW_CAP]) };
    }
    let userHolds: boolean | null = null;
    let userLastUsedDate: string | null = null;
    if (userId) {
      const mine = (await queryAll<{ LastUsedDate: string | null }>(conn, `SELECT LastUsedDate FROM OauthToken${filter} AND UserId = ${soqlString(userId)}`)).records;
      userHolds = mine.length > 0;
      userLastUsedDate = mine.reduce<string | null>((max, r) => (r.LastUsedDate && (!max || r.LastUsedDate > max) ? r.LastUsedDate : max), null);
    }
    return { value: { holders, lastUsedDate, userHolds, userLastUsedDate }, coverage };
  } catch (error) {
    if (isSourceUnavailable(error)) return { value: null, coverage: coverageForError(SOURCE, errorCodeOf(error), messageOf(error)) };
    throw error;
  }
}
