/*
 * OAuth tokens for revocation, pure: how to split a read so that no query meets OauthToken's 2,500-row stop, how
 * a token is named in a report without its secret, which tokens a --last-used-before filter keeps, and how a run
 * of revocations ends.
 *
 * A token has no usable Id (OauthToken.Id is always null) and its DeleteToken is a secret that must never be
 * printed, logged or written to a file. A report names a token by `ref`: the first 16 hex digits of the
 * SHA-256 of its DeleteToken — stable across runs (so a re-run can be matched with the first), and of no use for
 * revoking or using the token.
 */
import { createHash } from 'node:crypto';
import { runOutcome, type RunOutcome } from '../write-outcome.js';

/** OauthToken's documented hard stop: no query returns more rows than this. */
export const OAUTH_TOKEN_ROW_CAP = 2500;
/** Rows a partition is sized for: under the cap with room for tokens created while we read. */
export const PARTITION_ROWS = 2000;
/** User Ids per IN list, so a query stays well under the URL length limit. */
export const USERS_PER_QUERY = 200;

/** A token as read, with its secret kept apart from everything that may be shown. */
export type TokenRecord = {
  ref: string;
  /** OauthToken.AppName: the app's label (or the name an uninstalled app gives itself). */
  app: string;
  userId: string;
  username: string | null;
  createdDate: string | null;
  lastUsedDate: string | null;
  useCount: number;
  /** The secret that revokes the token. Never put it in a result, a message or a file. */
  deleteToken: string;
};

/**
 * What happened to a token. `revoked`: the org accepted the revocation (see `verified`); `unchanged`: it was
 * already gone when we sent it (revoked by someone else, or expired); `failed`: not revoked (refused, or it reads
 * back as still there); `unknown`: no answer and no read-back.
 */
export type TokenStatus = 'would-revoke' | 'revoked' | 'unchanged' | 'failed' | 'unknown';

export type TokenResult = {
  /** A fingerprint of the token (not the token): the first 16 hex digits of SHA-256(DeleteToken). */
  ref: string;
  app: string;
  userId: string;
  username: string | null;
  createdDate: string | null;
  lastUsedDate: string | null;
  useCount: number;
  status: TokenStatus;
  /** For a revoked token: whether reading the org afterwards confirmed it is gone (false: the read failed). */
  verified: boolean | null;
  errorCode: string | null;
  message: string | null;
};

export function tokenRef(deleteToken: string): string {
  return createHash('sha256').update(deleteToken, 'utf8').digest('hex').slice(0, 16);
}

/** The shown part of a token and a status. */
export function tokenResult(token: TokenRecord, status: TokenStatus, extra: Partial<TokenResult> = {}): TokenResult {
  return {
    ref: token.ref,
    app: token.app,
    userId: token.userId,
    username: token.username,
    createdDate: token.createdDate,
    lastUsedDate: token.lastUsedDate,
    useCount: token.useCount,
    status,
    verified: null,
    errorCode: null,
    message: null,
    ...extra,
  };
}

/** Tokens not used since `before` (never-used tokens count as not used since). Dates compare as instants. */
export function lastUsedBefore(tokens: readonly TokenRecord[], before: Date | null): TokenRecord[] {
  if (before === null) return [...tokens];
  const limit = before.getTime();
  return tokens.filter((t) => t.lastUsedDate === null || parseSfDateTime(t.lastUsedDate) < limit);
}

/** 2026-11-13T00:00:00.000+0000 (Salesforce) or ISO → epoch ms (NaN when unreadable). */
export function parseSfDateTime(value: string): number {
  return Date.parse(value.replace(/([+-]\d{2})(\d{2})$/, '$1:$2'));
}

/**
 * Groups users into partitions for the row queries: each holds at most PARTITION_ROWS tokens (by the counts
 * given) and USERS_PER_QUERY users. A user with more tokens than a partition takes one alone (the read then
 * reports the cap if it is reached).
 */
export function packUsers(counts: ReadonlyMap<string, number>): string[][] {
  const partitions: string[][] = [];
  let current: string[] = [];
  let rows = 0;
  // Largest first: big holders get their own partitions, small ones fill the gaps.
  for (const [user, n] of [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))) {
    if (current.length > 0 && (rows + n > PARTITION_ROWS || current.length >= USERS_PER_QUERY)) {
      partitions.push(current);
      current = [];
      rows = 0;
    }
    current.push(user);
    rows += n;
  }
  if (current.length > 0) partitions.push(current);
  return partitions;
}

/** Halves a partition whose query met the cap; a single user cannot be split (null). */
export function splitPartition(users: readonly string[]): [string[], string[]] | null {
  if (users.length < 2) return null;
  const half = Math.ceil(users.length / 2);
  return [users.slice(0, half), users.slice(half)];
}

/** Counts of each status, for summaries. */
export function countTokens(results: readonly TokenResult[]): Record<TokenStatus, number> {
  const counts: Record<TokenStatus, number> = { 'would-revoke': 0, revoked: 0, unchanged: 0, failed: 0, unknown: 0 };
  for (const r of results) counts[r.status]++;
  return counts;
}

/** success when every token is gone as asked, failed when none is, partial for a mix. */
export function revokeOutcome(results: readonly TokenResult[]): RunOutcome {
  return runOutcome(results.map((r) => ({ done: r.status === 'revoked' || r.status === 'unchanged', unverified: r.verified === false })));
}

/** Tokens ordered for revocation: the current user's last, so the session running the command lives longest. */
export function revocationOrder(tokens: readonly TokenRecord[], currentUserId: string | null): TokenRecord[] {
  if (currentUserId === null) return [...tokens];
  const mine = (t: TokenRecord): boolean => t.userId.slice(0, 15) === currentUserId.slice(0, 15);
  return [...tokens.filter((t) => !mine(t)), ...tokens.filter(mine)];
}
