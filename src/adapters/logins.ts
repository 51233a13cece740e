/*
 * OAuth logins per app from LoginHistory (no add-on needed). `Application` holds the app's name for
 * OAuth logins (community practice, unverified) and cannot be filtered on, so we filter on LoginTime
 * and group by Application and LoginSubType: one aggregate row per app and flow. Where the org refuses
 * the aggregate, rows are read up to a bound and the coverage says "capped" if it was reached.
 */
import { Messages, type Connection } from '@salesforce/core';
import { errorCodeOf, isSourceUnavailable, messageOf, queryAll } from './api.js';
import { coverageForError, type SourceCoverage } from '../domain/coverage.js';
import { soqlDateTime, soqlString } from '../domain/soql.js';

export type AppLoginUsage = {
  application: string;
  /** e.g. OauthWebServer, OauthRefreshToken, OauthClientCredentials, OauthUsernamePassword, JWT… */
  loginSubType: string | null;
  logins: number;
  users: number;
  lastLogin: string | null;
};

export type LoginRead = { byApp: AppLoginUsage[]; days: number; coverage: SourceCoverage };

Messages.importMessagesDirectoryFromMetaUrl(import.meta.url);
const coverageText = Messages.loadMessages('plugin-connectedapp', 'connectedapp.coverage');

const SOURCE = 'LoginHistory';
/** Rows read at most by the fallback (25 pages). */
const ROW_BOUND = 50000;

type AggregateRow = { Application: string | null; LoginSubType: string | null; logins: number; users: number; lastLogin: string | null };
type Row = { Application: string | null; LoginSubType: string | null; UserId: string; LoginTime: string };

export async function readLoginUsage(conn: Connection, days: number): Promise<LoginRead> {
  const window = `LoginTime = LAST_N_DAYS:${Math.trunc(days)}`;
  try {
    const rows = await queryAll<AggregateRow>(
      conn,
      `SELECT Application, LoginSubType, COUNT(Id) logins, COUNT_DISTINCT(UserId) users, MAX(LoginTime) lastLogin FROM LoginHistory WHERE ${window} GROUP BY Application, LoginSubType`
    );
    return {
      byApp: rows.records.map((r) => ({ application: r.Application ?? '', loginSubType: r.LoginSubType, logins: r.logins, users: r.users, lastLogin: r.lastLogin })),
      days,
      coverage: { source: SOURCE, status: 'used' },
    };
  } catch (error) {
    if (isSourceUnavailable(error) && errorCodeOf(error) !== 'INVALID_FIELD') return { byApp: [], days, coverage: coverageForError(SOURCE, errorCodeOf(error), messageOf(error)) };
    if (!['MALFORMED_QUERY', 'INVALID_FIELD'].includes(errorCodeOf(error))) throw error;
  }
  try {
    const rows = await queryAll<Row>(conn, `SELECT Application, LoginSubType, UserId, LoginTime FROM LoginHistory WHERE ${window} ORDER BY LoginTime DESC LIMIT ${ROW_BOUND}`);
    return {
      byApp: groupLogins(rows.records),
      days,
      coverage: rows.records.length >= ROW_BOUND ? { source: SOURCE, status: 'capped', detail: coverageText.getMessage('loginsCapped', [ROW_BOUND]) } : { source: SOURCE, status: 'used' },
    };
  } catch (error) {
    if (isSourceUnavailable(error)) return { byApp: [], days, coverage: coverageForError(SOURCE, errorCodeOf(error), messageOf(error)) };
    throw error;
  }
}

export function groupLogins(rows: readonly Row[]): AppLoginUsage[] {
  const byKey = new Map<string, AppLoginUsage & { userIds: Set<string> }>();
  for (const row of rows) {
    const key = `${row.Application ?? ''}\u0000${row.LoginSubType ?? ''}`;
    const entry = byKey.get(key) ?? { application: row.Application ?? '', loginSubType: row.LoginSubType, logins: 0, users: 0, lastLogin: null, userIds: new Set<string>() };
    entry.logins++;
    entry.userIds.add(row.UserId);
    if (!entry.lastLogin || row.LoginTime > entry.lastLogin) entry.lastLogin = row.LoginTime;
    byKey.set(key, entry);
  }
  return [...byKey.values()].map(({ userIds, ...usage }) => ({ ...usage, users: userIds.size }));
}

// ---- Logins by source IP ---------------------------------------------------------------------------

export type LoginIpRow = { Application: string | null; LoginSubType: string | null; UserId: string; LoginTime: string; SourceIp: string | null };

export type LoginIpRead = { rows: LoginIpRow[]; coverage: SourceCoverage };

/**
 * Every login in [from, to) with its source IP, newest first, up to a bound (the coverage says "capped" when it
 * is reached). SourceIp cannot be filtered or grouped on reliably (see the reference), so rows are read and
 * grouped here; LoginTime is filterable.
 */
export async function readLoginIps(conn: Connection, from: Date, to: Date): Promise<LoginIpRead> {
  try {
    const rows = await queryAll<LoginIpRow>(
      conn,
      `SELECT Application, LoginSubType, UserId, LoginTime, SourceIp FROM LoginHistory WHERE LoginTime >= ${soqlDateTime(from)} AND LoginTime < ${soqlDateTime(to, true)} ORDER BY LoginTime DESC LIMIT ${ROW_BOUND}`
    );
    return {
      rows: rows.records,
      coverage: rows.records.length >= ROW_BOUND ? { source: SOURCE, status: 'capped', detail: coverageText.getMessage('loginsCapped', [ROW_BOUND]) } : { source: SOURCE, status: 'used' },
    };
  } catch (error) {
    if (isSourceUnavailable(error)) return { rows: [], coverage: coverageForError(SOURCE, errorCodeOf(error), messageOf(error)) };
    throw error;
  }
}

// ---- Login attempts, with their outcome ------------------------------------------------------------

export type LoginAttemptRow = { Application: string | null; LoginSubType: string | null; UserId: string; LoginTime: string; SourceIp: string | null; Status: string | null };

export type LoginAttemptRead = { rows: LoginAttemptRow[]; coverage: SourceCoverage };

/** Rows read at most for one user or the whole org; the newest come first. */
const ATTEMPT_BOUND = 2000;

/**
 * The last `days` of login attempts, newest first: one user's (UserId is filterable) or everyone's, up to a bound.
 * Application cannot be filtered on (reference §4): the caller picks the app's rows.
 */
export async function readLoginAttempts(conn: Connection, days: number, userId: string | null): Promise<LoginAttemptRead> {
  const who = userId ? ` AND UserId = ${soqlString(userId)}` : '';
  try {
    const rows = await queryAll<LoginAttemptRow>(
      conn,
      `SELECT Application, LoginSubType, UserId, LoginTime, SourceIp, Status FROM LoginHistory WHERE LoginTime = LAST_N_DAYS:${Math.trunc(days)}${who} ORDER BY LoginTime DESC LIMIT ${ATTEMPT_BOUND}`
    );
    return {
      rows: rows.records,
      coverage: rows.records.length >= ATTEMPT_BOUND ? { source: SOURCE, status: 'capped', detail: coverageText.getMessage('loginsCapped', [ATTEMPT_BOUND]) } : { source: SOURCE, status: 'used' },
    };
  } catch (error) {
    if (isSourceUnavailable(error)) return { rows: [], coverage: coverageForError(SOURCE, errorCodeOf(error), messageOf(error)) };
    throw error;
  }
}
