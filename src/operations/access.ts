/*
 * assign / unassign: resolve every name first (nothing is written while a name is unknown), read the
 * existing access rows in one query, write only what is missing (or present, for removal) in calls of
 * 200, and account for every pair in the result.
 */
import { Messages, type Connection } from '@salesforce/core';
import { errorCodeOf, mayHaveApplied, messageOf } from '../adapters/api.js';
import { holderKey, resolveHolders } from '../adapters/access-holders.js';
import { resolveAppAccess } from '../adapters/access-resolver.js';
import { createAccessRows, deleteAccessRows, readAccessRows, RECORDS_PER_CALL, type CollectionResult } from '../adapters/assignments.js';
import { readAppComponents, readAppPolicies, readConnectedApplications } from '../adapters/connected-apps.js';
import {
  pairResult,
  planAssign,
  planUnassign,
  uniquePairs,
  type AccessPair,
  type AccessRow,
  type AppRef,
  type PairResult,
  type ReachingGrant,
} from '../domain/access/assignments.js';
import { id15 } from '../domain/names.js';
import { chunk } from '../domain/collections.js';
import { ECA_SUMMARY_PARTS, readExternalClientApps } from '../adapters/external-client-apps.js';
import { ecaInventoryApp } from '../domain/access/eca-org.js';
import { joinInventory, sortApps } from '../domain/access/inventory.js';
import type { AppKind } from '../domain/policy/policy.js';
import { writeProfilesThroughMetadata } from './metadata-access.js';
import { refuseOverLongNames, resolveAccessNames, withOtherKind } from './resolve-apps.js';

Messages.importMessagesDirectoryFromMetaUrl(import.meta.url);
const messages = Messages.loadMessages('plugin-connectedapp', 'connectedapp.assign');
const unassignMessages = Messages.loadMessages('plugin-connectedapp', 'connectedapp.unassign');

/** One entry of --file, or the flags: these apps × these permission sets and profiles. */
export type AccessRequest = { apps: string[]; permissionSets: string[]; profiles: string[] };

export type AccessMode = 'write' | 'dry-run' | 'check';

export type AccessOutcome = { results: PairResult[]; warnings: string[] };

type Resolved = { pairs: AccessPair[]; apps: AppRef[] };

/** type: only this kind of app (both when absent; External Client Apps are then read as well). */
export type AccessOptions = { type?: AppKind };

/** Resolves every app, permission set and profile named in the requests, or throws listing the unknown ones. */
export async function resolvePairs(conn: Connection, requests: readonly AccessRequest[], options: AccessOptions = {}): Promise<Resolved> {
  refuseOverLongNames(requests);
  const permissionSetNames = [...new Set(requests.flatMap((r) => r.permissionSets))];
  const profileNames = [...new Set(requests.flatMap((r) => r.profiles))];
  const [records, components, holders, ecas] = await Promise.all([
    options.type === 'external-client-app' ? [] : readConnectedApplications(conn),
    options.type === 'external-client-app' ? { components: [] } : readAppComponents(conn),
    resolveHolders(conn, permissionSetNames, profileNames),
    options.type === 'connected-app' ? null : readExternalClientApps(conn, ECA_SUMMARY_PARTS),
  ]);
  // The holders of an ECA are read below with the pairs (readAccessRows), as for connected apps.
  const known = sortApps([...joinInventory(records, components.components, []).apps, ...(ecas?.apps ?? []).map((eca) => ecaInventoryApp(eca, []))]);
  // Under --type, the other kind is read only when a name is unknown, to say which names are apps of that kind.
  const appsByRequest = await withOtherKind(conn, options.type, known, !options.type, (all) => resolveAccessNames(conn, all, requests, holders, options.type));

  const pairs: AccessPair[] = [];
  requests.forEach((request, i) => {
    for (const app of appsByRequest[i]) {
      const ref: AppRef = { id: app.id, apiName: app.apiName, label: app.label, permittedUsers: app.permittedUsers, ...(app.kind === 'external-client-app' ? { kind: app.kind } : {}) };
      const named = [
        ...request.permissionSets.map((name) => holders.holders.get(holderKey('permission-set', name))),
        ...request.profiles.map((name) => holders.holders.get(holderKey('profile', name))),
      ];
      // Every name resolved (resolveAccessNames), so none is undefined here.
      for (const holder of named) if (holder) pairs.push({ app: ref, holder });
    }
  });
  const unique = uniquePairs(pairs);
  const apps = [...new Map(unique.map((p) => [p.app.id, p.app])).values()];
  return { pairs: unique, apps };
}

/** Warnings for apps whose assignments gate nothing (self-authorize). */
function selfAuthorizeWarnings(apps: readonly AppRef[]): string[] {
  return apps
    .filter((a) => a.permittedUsers === 'all-self-authorize')
    .map((a) => messages.getMessage('warning.selfAuthorize', [a.apiName ?? a.label, a.apiName ?? a.id]));
}

export async function assignAccess(conn: Connection, requests: readonly AccessRequest[], mode: AccessMode, options: AccessOptions = {}): Promise<AccessOutcome> {
  const { pairs, apps } = await resolvePairs(conn, requests, options);
  const outcome = await addAccess(conn, pairs, mode);
  return { results: outcome.results, warnings: [...selfAuthorizeWarnings(apps), ...outcome.warnings] };
}

/** Creates the access rows of resolved pairs that do not exist yet (read first), and verifies them by reading back. */
export async function addAccess(conn: Connection, pairs: readonly AccessPair[], mode: AccessMode): Promise<AccessOutcome> {
  const appIds = [...new Set(pairs.map((p) => p.app.id))];
  const existing = await readAccessRows(conn, appIds, [...new Set(pairs.map((p) => p.holder.permissionSetId))]);
  const { present, missing } = planAssign(pairs, existing);
  const warnings: string[] = [];
  if (present.length) warnings.push(messages.getMessage('warning.alreadyAssigned', [present.length]));
  const unchanged = present.map((p) => pairResult(p, 'unchanged', { recordId: p.row.id, path: 'setup-entity-access' }));
  if (mode !== 'write') return { results: [...unchanged, ...missing.map((p) => pairResult(p, 'would-create'))], warnings };

  const created: PairResult[] = [];
  for (const batch of chunk(missing, RECORDS_PER_CALL)) {
    // Batches go one after another: if one fails outright, the results say exactly which pairs were written.
    created.push(...(await createBatch(conn, batch, warnings)));
  }
  const written = await retryProfilesThroughMetadata(conn, missing, await presentDespiteRefusal(conn, missing, created), 'add');
  return { results: [...unchanged, ...(await verifyPairs(conn, missing, written, warnings, 'add'))], warnings };
}

/**
 * Reads the org once after the writes and decides each pair that was written (`created` / `deleted` not yet
 * verified) or may have been (`unknown`: a write whose answer was lost). A written pair is verified when its
 * access row is there (gone, for a removal); if it reads back otherwise it was not applied. An unknown pair
 * becomes created (deleted) when the read shows it applied, failed when it shows it not applied. When the read
 * fails, written pairs stay as the org answered, marked unverified, with a warning; unknown ones stay unknown.
 */
export async function verifyPairs(conn: Connection, pairs: readonly AccessPair[], results: PairResult[], warnings: string[], direction: 'add' | 'remove'): Promise<PairResult[]> {
  const isWritten = (r: PairResult): boolean => (r.status === 'created' || r.status === 'deleted') && r.verified === null;
  const toCheck = new Set(results.filter((r) => isWritten(r) || r.status === 'unknown').map((r) => resultKey(r.appId, r.targetType, r.target)));
  const checked = pairs.filter((p) => toCheck.has(resultKey(p.app.id, p.holder.kind, p.holder.name)));
  if (checked.length === 0) return results;
  let rows: AccessRow[];
  try {
    rows = await readAccessRows(conn, [...new Set(checked.map((p) => p.app.id))], [...new Set(checked.map((p) => p.holder.permissionSetId))]);
  } catch (error) {
    const code = errorCodeOf(error);
    const written = results.filter(isWritten).length;
    if (written) warnings.push(messages.getMessage('warning.notVerified', [written, code]));
    return results.map((r) => {
      if (!toCheck.has(resultKey(r.appId, r.targetType, r.target))) return r;
      if (r.status !== 'unknown') return { ...r, verified: false };
      return { ...r, message: messages.getMessage('message.outcomeUnknown', [r.errorCode ?? 'UNKNOWN_ERROR', code]) };
    });
  }
  const present = new Map(planAssign(checked, rows).present.map((p) => [resultKey(p.app.id, p.holder.kind, p.holder.name), p.row]));
  let recovered = 0;
  const decided = results.map((r): PairResult => {
    const key = resultKey(r.appId, r.targetType, r.target);
    if (!toCheck.has(key)) return r;
    const row = present.get(key);
    const asked = direction === 'add' ? row !== undefined : row === undefined;
    if (r.status === 'unknown') {
      if (!asked) return { ...r, status: 'failed', verified: null, message: messages.getMessage('message.lostAndNotApplied') };
      recovered++;
      const lost = r.errorCode ?? 'UNKNOWN_ERROR';
      return { ...r, status: direction === 'add' ? 'created' : 'deleted', recordId: row?.id ?? r.recordId, verified: true, errorCode: null, message: messages.getMessage('message.appliedDespiteLostAnswer', [lost]) };
    }
    if (asked) return { ...r, verified: true };
    return { ...r, status: 'failed', verified: null, errorCode: 'NOT_APPLIED', message: messages.getMessage(r.status === 'created' ? 'message.notApplied' : 'message.stillPresent') };
  });
  if (recovered) warnings.push(messages.getMessage('warning.appliedDespiteLostAnswer', [recovered]));
  return decided;
}

const resultKey = (appId: string, targetType: string, target: string): string => `${appId}\u0000${targetType}\u0000${target}`;

/**
 * Where the org refused a profile pair through SetupEntityAccess, try the app's metadata instead (only
 * honoured for admin-approved apps). Results keep their order; each says which path it took.
 */
async function retryProfilesThroughMetadata(conn: Connection, pairs: readonly AccessPair[], results: PairResult[], direction: 'add' | 'remove'): Promise<PairResult[]> {
  const key = resultKey;
  const refused = new Set(
    results
      .filter((r) => r.status === 'failed' && r.targetType === 'profile' && r.errorCode !== 'DUPLICATE_VALUE' && !isTransientCode(r.errorCode))
      .map((r) => key(r.appId, r.targetType, r.target))
  );
  // The metadata decides whether the app is admin-approved (the sObject flag is not reliable). ConnectedApp
  // metadata only: an ECA's commaSeparatedProfile is not known to grant access (emulator guess X6).
  const retry = pairs.filter((p) => p.app.apiName !== null && p.app.kind === undefined && refused.has(key(p.app.id, p.holder.kind, p.holder.name)));
  if (retry.length === 0) return results;
  const viaMetadata = new Map((await writeProfilesThroughMetadata(conn, retry, direction)).map((r) => [key(r.appId, r.targetType, r.target), r]));
  return results.map((r) => viaMetadata.get(key(r.appId, r.targetType, r.target)) ?? r);
}

/**
 * A pair the org refused may be there all the same: another writer created it between our read and our write, and
 * the org's code for a duplicate insert is not documented (DUPLICATE_VALUE is a guess, emulator GUESSES.md S2). One
 * read of the refused pairs tells; a pair whose row is there is unchanged, not failed, and is not written again
 * through the metadata path. When the read fails, the refusals stand.
 */
async function presentDespiteRefusal(conn: Connection, pairs: readonly AccessPair[], results: PairResult[]): Promise<PairResult[]> {
  const refused = new Set(results.filter((r) => r.status === 'failed' && !isTransientCode(r.errorCode)).map((r) => resultKey(r.appId, r.targetType, r.target)));
  const candidates = pairs.filter((p) => refused.has(resultKey(p.app.id, p.holder.kind, p.holder.name)));
  if (candidates.length === 0) return results;
  let rows: AccessRow[];
  try {
    rows = await readAccessRows(conn, [...new Set(candidates.map((p) => p.app.id))], [...new Set(candidates.map((p) => p.holder.permissionSetId))]);
  } catch {
    return results;
  }
  const present = new Map(planAssign(candidates, rows).present.map((p) => [resultKey(p.app.id, p.holder.kind, p.holder.name), p]));
  return results.map((r) => {
    const found = r.status === 'failed' ? present.get(resultKey(r.appId, r.targetType, r.target)) : undefined;
    return found ? pairResult(found, 'unchanged', { recordId: found.row.id, path: 'setup-entity-access', message: messages.getMessage('message.duplicate') }) : r;
  });
}

const isTransientCode = (code: string | null): boolean => code !== null && (/^ERROR_HTTP_5/.test(code) || code === 'SERVER_UNAVAILABLE');

async function createBatch(conn: Connection, batch: AccessPair[], warnings: string[]): Promise<PairResult[]> {
  const send = (pairs: AccessPair[]): Promise<CollectionResult[]> =>
    createAccessRows(conn, pairs.map((p) => ({ appId: p.app.id, permissionSetId: p.holder.permissionSetId })));
  const toResults = (pairs: AccessPair[], answers: CollectionResult[]): PairResult[] =>
    pairs.map((pair, i) => {
      const answer = answers[i] as CollectionResult | undefined;
      if (answer?.success) return pairResult(pair, 'created', { recordId: answer.id, path: 'setup-entity-access' });
      const error = answer?.errors[0];
      if (error?.statusCode === 'DUPLICATE_VALUE') return pairResult(pair, 'unchanged', { path: 'setup-entity-access', message: messages.getMessage('message.duplicate') });
      return pairResult(pair, 'failed', { path: 'setup-entity-access', errorCode: error?.statusCode ?? 'UNKNOWN_ERROR', message: error?.message ?? null });
    });
  try {
    return toResults(batch, await send(batch));
  } catch (error) {
    if (!mayHaveApplied(error)) return batch.map((p) => pairResult(p, 'failed', { path: 'setup-entity-access', errorCode: errorCodeOf(error), message: messageOf(error) }));
    // The write may or may not have been applied: re-read before retrying, so nothing is created twice.
    let rows: AccessRow[];
    try {
      rows = await readAccessRows(conn, [...new Set(batch.map((p) => p.app.id))], [...new Set(batch.map((p) => p.holder.permissionSetId))]);
    } catch (readError) {
      return batch.map((p) => pairResult(p, 'unknown', { path: 'setup-entity-access', errorCode: errorCodeOf(error), message: messages.getMessage('message.outcomeUnknown', [errorCodeOf(error), errorCodeOf(readError)]) }));
    }
    const { present, missing } = planAssign(batch, rows);
    warnings.push(messages.getMessage('warning.confirmedAfterLostResponse', [present.length]));
    const confirmed = present.map((p) => pairResult(p, 'created', { recordId: p.row.id, path: 'setup-entity-access' }));
    if (!missing.length) return confirmed;
    try {
      return [...confirmed, ...toResults(missing, await send(missing))];
    } catch (retryError) {
      // Lost again, or refused: an answer that may hide a commit leaves the outcome to verifyPairs' read-back.
      const status = mayHaveApplied(retryError) ? 'unknown' : 'failed';
      return [...confirmed, ...missing.map((p) => pairResult(p, status, { path: 'setup-entity-access', errorCode: errorCodeOf(retryError), message: messageOf(retryError) }))];
    }
  }
}

export async function unassignAccess(conn: Connection, requests: readonly AccessRequest[], mode: AccessMode, allowLockout: boolean, options: AccessOptions = {}): Promise<AccessOutcome> {
  const { pairs, apps } = await resolvePairs(conn, requests, options);
  const appRows: AccessRow[] = await readAccessRows(conn, apps.map((a) => a.id));
  const confirmed = await confirmPermittedUsers(conn, pairs, appRows);
  const { lockouts } = planUnassign(confirmed, appRows, await reachOf(conn, apps));
  if (lockouts.length && !allowLockout) {
    throw unassignMessages.createError('error.Lockout', [lockouts.map((a) => a.apiName ?? a.label).join(', ')]);
  }
  const outcome = await removeAccess(conn, confirmed, appRows, mode);
  if (lockouts.length) outcome.warnings.push(unassignMessages.getMessage('warning.lockoutAllowed', [lockouts.map((a) => a.apiName ?? a.label).join(', ')]));
  return outcome;
}

/**
 * The apps (by id15) whose grants reach no active user — pre-authorizing one locks everyone out even though it has
 * assignments; null when the org will not say who the grants reach.
 */
export async function appsReachingNobody(conn: Connection, apps: readonly AppRef[]): Promise<Set<string> | null> {
  if (apps.length === 0) return new Set();
  const reach = await reachOf(conn, apps);
  if (!reach) return null;
  return new Set(apps.map((a) => id15(a.id)).filter((id) => !(reach.get(id) ?? []).some((g) => g.activeUsers > 0)));
}

/**
 * Who each app's grants reach (groups through their components), for the lockout guard; null when the org will not
 * say (then the guard falls back to "no access row left").
 */
async function reachOf(conn: Connection, apps: readonly AppRef[]): Promise<Map<string, ReachingGrant[]> | undefined> {
  const { apps: access } = await resolveAppAccess(conn, apps.map((a) => a.id), { perGrantCounts: true });
  const reach = new Map<string, ReachingGrant[]>();
  for (const [id, a] of access) {
    if (!a.usersComplete) return undefined;
    reach.set(id15(id), a.grants.map((g) => ({ permissionSetId: g.permissionSetId, activeUsers: g.activeUserCount })));
  }
  return reach;
}

/**
 * Deletes the access rows of resolved pairs that exist (`appRows`: the apps' current rows), trying a profile the
 * org refuses through the app's metadata, and verifies by reading back. No lockout check: callers decide.
 */
export async function removeAccess(conn: Connection, pairs: readonly AccessPair[], appRows: readonly AccessRow[], mode: AccessMode): Promise<AccessOutcome> {
  const { present, absent } = planUnassign(pairs, appRows);
  const warnings: string[] = [];
  if (absent.length) warnings.push(unassignMessages.getMessage('warning.notAssigned', [absent.length]));
  const unchanged = absent.map((p) => pairResult(p, 'unchanged', { message: unassignMessages.getMessage('message.notAssigned') }));
  if (mode !== 'write') return { results: [...unchanged, ...present.map((p) => pairResult(p, 'would-delete', { recordId: p.row.id, path: 'setup-entity-access' }))], warnings };

  const deleted: PairResult[] = [];
  for (const batch of chunk(present, RECORDS_PER_CALL)) {
    deleted.push(...(await deleteBatch(conn, batch)));
  }
  const written = await retryProfilesThroughMetadata(conn, present, deleted, 'remove');
  return { results: [...unchanged, ...(await verifyPairs(conn, present, written, warnings, 'remove'))], warnings };
}

/**
 * The ConnectedApplication object's "admin approved" flag has been seen false for apps that are
 * admin-approved (see the reference), so before a removal that would leave an app with no assignment,
 * the apps the object calls self-authorize are checked in their metadata (one read per 10 such apps).
 */
async function confirmPermittedUsers(conn: Connection, pairs: AccessPair[], appRows: readonly AccessRow[]): Promise<AccessPair[]> {
  const asIfApproved = pairs.map((p) => ({ ...p, app: { ...p.app, permittedUsers: 'admin-approved' as const } }));
  // An ECA's permitted users come from its ExtlClntAppOauthConfigurablePolicies already: nothing to confirm.
  const doubtful = planUnassign(asIfApproved, appRows).lockouts.filter(
    (a) => a.apiName !== null && a.kind === undefined && pairs.some((p) => p.app.id === a.id && p.app.permittedUsers !== 'admin-approved')
  );
  if (doubtful.length === 0) return pairs;
  const policies = await readAppPolicies(conn, doubtful);
  const approved = new Set(doubtful.filter((a) => policies.get(a.id)?.policy.permittedUsers === 'admin-approved').map((a) => a.id));
  return pairs.map((p) => (approved.has(p.app.id) ? { ...p, app: { ...p.app, permittedUsers: 'admin-approved' as const } } : p));
}

async function deleteBatch(conn: Connection, batch: Array<AccessPair & { row: AccessRow }>): Promise<PairResult[]> {
  const ok = (p: AccessPair & { row: AccessRow }): PairResult => pairResult(p, 'deleted', { recordId: p.row.id, path: 'setup-entity-access' });
  let answers: CollectionResult[];
  try {
    answers = await deleteAccessRows(conn, batch.map((p) => p.row.id));
  } catch (error) {
    if (!mayHaveApplied(error)) return batch.map((p) => pairResult(p, 'failed', { recordId: p.row.id, path: 'setup-entity-access', errorCode: errorCodeOf(error), message: messageOf(error) }));
    // Re-read: rows already gone were deleted by the lost request; delete the rest once more.
    let rows: AccessRow[];
    try {
      rows = await readAccessRows(conn, [...new Set(batch.map((p) => p.app.id))]);
    } catch (readError) {
      return batch.map((p) => pairResult(p, 'unknown', { recordId: p.row.id, path: 'setup-entity-access', errorCode: errorCodeOf(error), message: messages.getMessage('message.outcomeUnknown', [errorCodeOf(error), errorCodeOf(readError)]) }));
    }
    const still = new Set(rows.map((r) => r.id));
    const remaining = batch.filter((p) => still.has(p.row.id));
    const gone = batch.filter((p) => !still.has(p.row.id)).map(ok);
    if (!remaining.length) return gone;
    try {
      answers = await deleteAccessRows(conn, remaining.map((p) => p.row.id));
      batch = remaining;
      return [...gone, ...toDeleteResults(batch, answers, ok)];
    } catch (retryError) {
      // Lost again, or refused: an answer that may hide a commit leaves the outcome to verifyPairs' read-back.
      const status = mayHaveApplied(retryError) ? 'unknown' : 'failed';
      return [...gone, ...remaining.map((p) => pairResult(p, status, { recordId: p.row.id, path: 'setup-entity-access', errorCode: errorCodeOf(retryError), message: messageOf(retryError) }))];
    }
  }
  return toDeleteResults(batch, answers, ok);
}

function toDeleteResults(
  batch: Array<AccessPair & { row: AccessRow }>,
  answers: CollectionResult[],
  ok: (p: AccessPair & { row: AccessRow }) => PairResult
): PairResult[] {
  return batch.map((pair, i) => {
    const answer = answers[i] as CollectionResult | undefined;
    if (answer?.success) return ok(pair);
    const error = answer?.errors[0];
    // Already deleted by someone else: the pair is gone, as asked.
    if (error?.statusCode === 'ENTITY_IS_DELETED') return ok(pair);
    return pairResult(pair, 'failed', { recordId: pair.row.id, path: 'setup-entity-access', errorCode: error?.statusCode ?? 'UNKNOWN_ERROR', message: error?.message ?? null });
  });
}
