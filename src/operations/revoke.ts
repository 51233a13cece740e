/*
 * revoke (and contain's last step): find every OAuth token of some apps — installed or not — and revoke each one
 * through the documented revoke endpoint with its DeleteToken, a bounded number at a time, then read the org
 * back so that every token ends as revoked (verified), already gone, not revoked, or unknown.
 *
 * Revocations are never resent blindly: a lost answer is settled by reading OauthToken again, and only a token
 * that is still there after a lost answer or a transient failure is sent once more.
 */
import { Messages, type Connection } from '@salesforce/core';
import { ApiError, errorCodeOf, isTransient, mayHaveApplied, messageOf, queryAll } from '../adapters/api.js';
import { readInventory } from '../adapters/connected-apps.js';
import { ECA_HEADER_PARTS } from '../adapters/external-client-apps.js';
import { readIdentity, readUserPermissions, type Identity } from '../adapters/people.js';
import { readTokens, revokeToken, tokenAppNames, type TokenFilter, type TokenList } from '../adapters/tokens.js';
import { chunk, mapWithConcurrency } from '../domain/collections.js';
import { appNames, type InventoryApp } from '../domain/access/inventory.js';
import { closeMatches, id15 } from '../domain/names.js';
import type { AppKind } from '../domain/policy/policy.js';
import type { RunJournal } from '../domain/incident/run-journal.js';
import { soqlInList } from '../domain/soql.js';
import { lastUsedBefore, revocationOrder, tokenResult, type TokenRecord, type TokenResult } from '../domain/incident/tokens.js';
import { EXIT } from '../exit-codes.js';
import { appsOfKind, matchApps, otherKindHints } from './resolve-apps.js';

Messages.importMessagesDirectoryFromMetaUrl(import.meta.url);
const messages = Messages.loadMessages('plugin-connectedapp', 'connectedapp.revoke');
const common = Messages.loadMessages('plugin-connectedapp', 'connectedapp.common');

/** Revocations in flight at once (SF_CONNECTEDAPP_CONCURRENCY overrides, 1–16). */
export const REVOKE_CONCURRENCY = 8;

/** The user permissions revocation needs: Customize Application to see every user's tokens, Manage Users as Setup's OAuth usage page does. */
export const REVOKE_PERMISSIONS = ['CustomizeApplication', 'ManageUsers'] as const;

/** An app whose tokens are revoked: installed (with its Id) or known only by the name its tokens carry. */
export type RevokeApp = {
  /** OauthToken.AppName: the app's label. */
  name: string;
  appId: string | null;
  apiName: string | null;
  installed: boolean;
  /** A connected app or an External Client App; null for an app known only by the name its tokens carry. */
  type: AppKind | null;
};

/**
 * The AppName values an app's tokens may carry: its label; for an External Client App also its API name, because
 * what an ECA's tokens carry is not documented (GUESSES.md E10) and finding none of them would be a false all-clear.
 */
export function tokenNamesOf(app: Pick<RevokeApp, 'name' | 'apiName' | 'type'>): string[] {
  const names = app.type === 'external-client-app' && app.apiName !== null ? [app.name, app.apiName] : [app.name];
  return names.filter((n, i) => names.findIndex((m) => m.toLowerCase() === n.toLowerCase()) === i);
}

export type RevokeRead = {
  /** Tokens the filters matched (COUNT()), before --last-used-before. */
  counted: number;
  /** Tokens listed after every filter. */
  listed: number;
  /** Users holding more tokens than one query returns: some of their tokens may not be listed. */
  cappedUsers: string[];
};

export type RevokeProgress = { start(total: number): void; update(done: number): void; stop(): void };

export type RevokeOutcome = { tokens: TokenResult[]; read: RevokeRead; warnings: string[] };

export type RevokeOptions = {
  usernames?: string[];
  lastUsedBefore: Date | null;
  concurrency: number;
  progress?: RevokeProgress;
  /** Kept up to date as tokens are sent and answered, for a run stopped by a signal to say what it did. */
  journal?: RunJournal;
};

const noProgress: RevokeProgress = { start: () => undefined, update: () => undefined, stop: () => undefined };

/** The apps the names select, and the names that matched nothing (no installed app, no token). */
export type RevokeSelection = { apps: RevokeApp[]; unmatched: string[]; warnings: string[] };

/**
 * The apps the names select: installed apps of both kinds (unless `type` names one) by API name, label or Id, and
 * apps that are not installed by the name their tokens carry. A name both kinds answer to is refused, naming both.
 * A name that is neither has nothing left to revoke — an app that is not installed and whose tokens are all gone (a
 * re-run), or a misspelling: it is kept as an app that is not installed (no token will match it), listed in
 * `unmatched` and warned about with close matches. Reads the apps of both kinds (whatever `type` says, for the label
 * check) without their access: 2 queries, one listMetadata and one readMetadata per 10 External Client Apps.
 */
export async function resolveRevokeApps(conn: Connection, names: readonly string[], type?: AppKind): Promise<RevokeSelection> {
  const { apps } = await readInventory(conn, { access: false, externalClientApps: ECA_HEADER_PARTS });
  const { resolved, unknown } = matchApps(apps, [names], type);
  const found = new Map<string, RevokeApp>(resolved[0].map((app) => [`id:${id15(app.id)}`, installedApp(app)]));
  // Against every app, whatever --type says: tokens are told apart by name, not kind.
  assertLabelsDistinct([...found.values()], apps);
  const byTokens = unknown.length ? await tokenAppNames(conn, unknown) : new Map<string, string>();
  const unmatched = unknown.filter((name) => !byTokens.has(name));
  for (const appName of [...byTokens.values(), ...unmatched]) {
    const installed = [...found.values()].some((a) => tokenNamesOf(a).some((n) => n.toLowerCase() === appName.toLowerCase()));
    if (!installed) found.set(`name:${appName.toLowerCase()}`, { name: appName, appId: null, apiName: null, installed: false, type: null });
  }
  return { apps: [...found.values()], unmatched, warnings: unmatched.length ? [unmatchedWarning(unmatched, apps, type)] : [] };
}

/**
 * The warning for names that matched no installed app (of `type`) and no token: nothing to revoke for them, with
 * close matches among the apps of `type`, and the app of the other kind a name selects (otherKindHints).
 */
export function unmatchedWarning(unmatched: readonly string[], apps: readonly InventoryApp[], type?: AppKind): string {
  const candidates = appNames(appsOfKind(apps, type));
  const suggestions = unmatched.flatMap((name) => {
    const matches = closeMatches(name, candidates);
    return matches.length ? [common.getMessage('suggestion.didYouMean', [name, matches.join(', ')])] : [];
  });
  const otherKind = otherKindHints(apps, new Map(unmatched.map((name) => [name, type])));
  return [messages.getMessage('warning.unmatched', [unmatched.map((n) => `"${n}"`).join(', ')]), ...otherKind, ...suggestions].join(' ');
}

/**
 * OauthToken names an app by its label only (AppName): when another installed app — of either kind — has the same
 * label, its tokens would be revoked too. Refused, before anything is read further. For an External Client App its
 * API name counts too (see `tokenNamesOf`).
 */
export function assertLabelsDistinct(selected: readonly RevokeApp[], apps: readonly InventoryApp[]): void {
  for (const app of selected) {
    const names = new Set(tokenNamesOf(app).map((n) => n.toLowerCase()));
    const carries = (a: InventoryApp): boolean => tokenNamesOf(installedApp(a)).some((n) => names.has(n.toLowerCase()));
    const twins = apps.filter(carries);
    if (twins.length > 1) throw messages.createError('error.SameLabel', [app.name, twins.map((a) => a.apiName ?? a.id).join(', ')]);
  }
}

export function installedApp(app: Pick<InventoryApp, 'id' | 'label' | 'apiName' | 'kind'>): RevokeApp {
  return { name: app.label, appId: app.id, apiName: app.apiName, installed: true, type: app.kind };
}

/**
 * Checks, before anything is read or revoked, that the user may see and revoke every user's tokens (without
 * Customize Application, OauthToken silently shows only the user's own). Returns who the user is (null when the
 * org does not say); a check that cannot be made is a warning, a missing permission an error.
 */
export async function checkRevokePermissions(conn: Connection, warnings: string[]): Promise<Identity | null> {
  const identity = await readIdentity(conn);
  if (identity === null) {
    warnings.push(messages.getMessage('warning.permissionsNotChecked', ['userinfo']));
    return null;
  }
  let held;
  try {
    held = await readUserPermissions(conn, identity.userId, REVOKE_PERMISSIONS);
  } catch (error) {
    if (!(error instanceof ApiError) || isTransient(error)) throw error;
    warnings.push(messages.getMessage('warning.permissionsNotChecked', [errorCodeOf(error)]));
    return identity;
  }
  const missing = REVOKE_PERMISSIONS.filter((p) => held.get(p) === false);
  const unchecked = REVOKE_PERMISSIONS.filter((p) => held.get(p) === null);
  if (missing.length > 0) throw messages.createError('error.MissingPermissions', [missing.map(permissionLabel).join(', ')]);
  if (unchecked.length > 0) warnings.push(messages.getMessage('warning.permissionsNotChecked', [unchecked.map(permissionLabel).join(', ')]));
  return identity;
}

const permissionLabel = (p: string): string => messages.getMessage(`permission.${p}`);

/** Usernames → user Ids, or an error naming the usernames the org does not have (nothing is sent after it). */
export async function resolveUsers(conn: Connection, usernames: readonly string[]): Promise<string[]> {
  const ids: string[] = [];
  const found = new Set<string>();
  for (const part of chunk([...new Set(usernames.map((u) => u.toLowerCase()))], 100)) {
    const rows = (await queryAll<{ Id: string; Username: string }>(conn, `SELECT Id, Username FROM User WHERE Username IN ${soqlInList(part)}`)).records;
    for (const row of rows) {
      ids.push(row.Id);
      found.add(row.Username.toLowerCase());
    }
  }
  const missing = usernames.filter((u) => !found.has(u.toLowerCase()));
  if (missing.length > 0) throw messages.createError('error.UnknownUser', [missing.join(', ')], [], EXIT.usage);
  return ids;
}

/** Lists (dry run) or revokes every token of the apps, as the options narrow them. */
export async function revokeAppTokens(conn: Connection, apps: readonly RevokeApp[], mode: 'write' | 'dry-run', options: RevokeOptions, identity: Identity | null): Promise<RevokeOutcome> {
  const warnings: string[] = [];
  const filter: TokenFilter = { appNames: [...new Set(apps.flatMap(tokenNamesOf))], userIds: options.usernames?.length ? await resolveUsers(conn, options.usernames) : undefined };
  const list = await readTokens(conn, filter);
  const read = readSummary(list, options.lastUsedBefore);
  if (list.cappedUsers.length > 0) warnings.push(messages.getMessage('warning.capped', [list.cappedUsers.length, list.cappedUsers.join(', ')]));
  if (filter.userIds === undefined) warnings.push(...ecasWithoutTokens(apps, list.tokens));
  const tokens = sortTokens(lastUsedBefore(list.tokens, options.lastUsedBefore));
  if (mode === 'dry-run') return { tokens: tokens.map((t) => tokenResult(t, 'would-revoke')), read, warnings };
  if (tokens.length === 0) return { tokens: [], read, warnings };

  if (identity && tokens.some((t) => id15(t.userId) === id15(identity.userId))) warnings.push(messages.getMessage('warning.ownTokens'));
  const progress = options.progress ?? noProgress;
  const journal = options.journal;
  const ordered = revocationOrder(tokens, identity?.userId ?? null);
  if (journal) {
    journal.during = 'tokens';
    journal.listed(ordered);
  }
  progress.start(ordered.length);
  let sent = new Map<string, Sent>();
  try {
    sent = await sendAll(conn, ordered, options.concurrency, progress, journal);
  } finally {
    progress.stop();
  }
  const capped = new Set(list.cappedUsers.map(id15));
  let results = await settle(conn, filter, tokens, capped, sent, warnings);
  // Once more for tokens still there after a lost answer or a transient failure, then read back again.
  const again = tokens.filter((t) => results.get(t.ref)?.retry === true);
  if (again.length > 0) {
    const resent = await sendAll(conn, again, options.concurrency, noProgress, journal);
    for (const [ref, outcome] of resent) sent.set(ref, outcome);
    results = await settle(conn, filter, tokens, capped, sent, warnings);
  }
  const ended = tokens.map((t) => results.get(t.ref)?.result ?? tokenResult(t, 'unknown'));
  for (const result of ended) journal?.ended(result);
  return { tokens: ended, read, warnings };
}

/**
 * A warning for each External Client App no token was found for: what an ECA's tokens carry in OauthToken is not
 * documented (GUESSES.md E10), so "none found" is not evidence that none exist.
 */
function ecasWithoutTokens(apps: readonly RevokeApp[], tokens: readonly TokenRecord[]): string[] {
  const held = new Set(tokens.map((t) => t.app.toLowerCase()));
  return apps
    .filter((a) => a.type === 'external-client-app' && !tokenNamesOf(a).some((n) => held.has(n.toLowerCase())))
    .map((a) => messages.getMessage('warning.ecaNoTokens', [a.apiName ?? a.name, tokenNamesOf(a).map((n) => `"${n}"`).join(', ')]));
}

function readSummary(list: TokenList, before: Date | null): RevokeRead {
  return { counted: list.counted, listed: lastUsedBefore(list.tokens, before).length, cappedUsers: list.cappedUsers };
}

function sortTokens(tokens: readonly TokenRecord[]): TokenRecord[] {
  const key = (t: TokenRecord): string => `${t.app}\u0000${t.username ?? t.userId}\u0000${t.createdDate ?? ''}\u0000${t.ref}`;
  return [...tokens].sort((a, b) => key(a).localeCompare(key(b)));
}

/** How a revocation request ended: accepted, refused (with code), or no answer. */
type Sent = { kind: 'accepted' } | { kind: 'refused'; errorCode: string; message: string; transient: boolean } | { kind: 'lost'; errorCode: string; message: string };

/** The org's answer to a DeleteToken it does not know: already revoked or expired. */
const GONE_CODES = new Set(['invalid_token']);

async function sendAll(conn: Connection, tokens: readonly TokenRecord[], concurrency: number, progress: RevokeProgress, journal?: RunJournal): Promise<Map<string, Sent>> {
  let done = 0;
  const outcomes = await mapWithConcurrency(tokens, concurrency, async (token): Promise<[string, Sent]> => {
    let sent: Sent;
    journal?.sending(token);
    try {
      await revokeToken(conn, token.deleteToken);
      sent = { kind: 'accepted' };
    } catch (error) {
      // Messages are the org's or the transport's; neither carries the request body, so no token leaks here.
      sent = mayHaveApplied(error)
        ? { kind: 'lost', errorCode: errorCodeOf(error), message: messageOf(error) }
        : { kind: 'refused', errorCode: errorCodeOf(error), message: messageOf(error), transient: isTransient(error) };
    }
    journal?.ended(answered(token, sent));
    progress.update(++done);
    return [token.ref, sent];
  });
  return new Map(outcomes);
}

/** What an answer says before the read-back confirms it (what an interrupted run reports). */
function answered(token: TokenRecord, sent: Sent): TokenResult {
  if (sent.kind === 'accepted') return tokenResult(token, 'revoked', { verified: false, message: messages.getMessage('message.notVerified') });
  if (sent.kind === 'lost') return tokenResult(token, 'unknown', { errorCode: sent.errorCode, message: messages.getMessage('message.outcomeUnknown', [sent.errorCode]) });
  if (GONE_CODES.has(sent.errorCode)) return tokenResult(token, 'unchanged', { message: messages.getMessage('message.alreadyGone', [sent.errorCode]) });
  return tokenResult(token, 'failed', { errorCode: sent.errorCode, message: sent.message });
}

type Settled = { result: TokenResult; retry: boolean };

/**
 * Reads the tokens back (same filter) and turns each answer into a result: gone after an accepted or lost
 * request is revoked (verified); gone after a refusal is unchanged (someone else revoked it, or it expired);
 * still there is not revoked — worth one more request if the answer was lost or the failure transient. When the
 * read fails, answers stand as they are, unverified.
 */
async function settle(
  conn: Connection,
  filter: TokenFilter,
  tokens: readonly TokenRecord[],
  cappedUsers: ReadonlySet<string>,
  sent: ReadonlyMap<string, Sent>,
  warnings: string[]
): Promise<Map<string, Settled>> {
  let remaining: Set<string> | null;
  try {
    const after = await readTokens(conn, filter);
    remaining = new Set(after.tokens.map((t) => t.ref));
    const known = new Set(tokens.map((t) => t.ref));
    // Tokens we did not list: new ones, unless they belong to a user whose tokens did not fit in one query.
    const fresh = after.tokens.filter((t) => !known.has(t.ref) && !cappedUsers.has(id15(t.userId))).length;
    if (fresh > 0) warnings.push(messages.getMessage('warning.newTokens', [fresh]));
    if (after.cappedUsers.length > 0) remaining = null;
  } catch (error) {
    warnings.push(messages.getMessage('warning.notVerified', [errorCodeOf(error)]));
    remaining = null;
  }
  const settled = new Map<string, Settled>();
  for (const token of tokens) {
    const outcome = sent.get(token.ref);
    if (outcome === undefined) continue;
    settled.set(token.ref, settleOne(token, outcome, remaining === null ? null : remaining.has(token.ref)));
  }
  return settled;
}

function settleOne(token: TokenRecord, sent: Sent, present: boolean | null): Settled {
  const done = (result: TokenResult): Settled => ({ result, retry: false });
  if (sent.kind === 'accepted') {
    if (present === null) return done(tokenResult(token, 'revoked', { verified: false, message: messages.getMessage('message.notVerified') }));
    return present
      ? done(tokenResult(token, 'failed', { errorCode: 'NOT_APPLIED', message: messages.getMessage('message.stillThere') }))
      : done(tokenResult(token, 'revoked', { verified: true }));
  }
  if (sent.kind === 'lost') {
    if (present === null) return done(tokenResult(token, 'unknown', { errorCode: sent.errorCode, message: messages.getMessage('message.outcomeUnknown', [sent.errorCode]) }));
    if (!present) return done(tokenResult(token, 'revoked', { verified: true, message: messages.getMessage('message.revokedDespiteError', [sent.errorCode]) }));
    return { result: tokenResult(token, 'failed', { errorCode: sent.errorCode, message: messages.getMessage('message.lostNotApplied', [sent.errorCode]) }), retry: true };
  }
  const gone = GONE_CODES.has(sent.errorCode);
  if (present === false) return done(tokenResult(token, 'unchanged', { message: messages.getMessage(gone ? 'message.alreadyGone' : 'message.goneAnyway', [sent.errorCode]) }));
  if (present === null && gone) return done(tokenResult(token, 'unchanged', { message: messages.getMessage('message.alreadyGone', [sent.errorCode]) }));
  return { result: tokenResult(token, 'failed', { errorCode: sent.errorCode, message: sent.message }), retry: present === true && sent.transient };
}
