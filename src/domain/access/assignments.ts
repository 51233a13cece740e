/*
 * App access as pairs (app × permission set or profile): what to create or delete given what exists,
 * which removals would lock every user out, and how a run's per-pair results map to an exit code.
 */
import type { AppKind, PermittedUsers } from '../policy/policy.js';
import { id15 } from '../names.js';
import { runOutcome, type RunOutcome } from '../write-outcome.js';

export type HolderKind = 'permission-set' | 'profile';

/** A permission set, or a profile through the permission set it owns, that can hold app access. */
export type AccessHolder = {
  kind: HolderKind;
  /** The permission set that carries the access (for a profile: the one it owns). */
  permissionSetId: string;
  /** Permission set API name (`ns__Name` when namespaced) or profile name. */
  name: string;
  /** Permission set label (what ConnectedApp metadata lists) or profile name. */
  label: string;
};

/** kind: absent for a connected app (the metadata fallbacks below apply to connected apps only). */
export type AppRef = { id: string; apiName: string | null; label: string; permittedUsers: PermittedUsers; kind?: AppKind };

export type AccessPair = { app: AppRef; holder: AccessHolder };

/** An existing SetupEntityAccess row. */
export type AccessRow = { id: string; appId: string; permissionSetId: string };

/**
 * What happened to a pair. `unknown`: a write was sent but neither its answer nor a read-back could tell
 * whether it was applied. `rolled-back`: created, then deleted again because the run could not finish
 * (policy set --assign-* whose policy change failed).
 */
export type PairStatus = 'created' | 'would-create' | 'deleted' | 'would-delete' | 'unchanged' | 'failed' | 'unknown' | 'rolled-back';

/** Which write path a pair took: SetupEntityAccess rows (REST) or the ConnectedApp metadata lists. */
export type WritePath = 'setup-entity-access' | 'metadata' | 'none';

export type PairResult = {
  app: string;
  appId: string;
  target: string;
  targetType: HolderKind;
  status: PairStatus;
  path: WritePath;
  recordId: string | null;
  /** For a created or deleted pair: whether reading the org afterwards confirmed it (false: the read failed). */
  verified: boolean | null;
  errorCode: string | null;
  message: string | null;
};

const pairKey = (appId: string, permissionSetId: string): string => `${id15(appId)}:${id15(permissionSetId)}`;

/** Removes repeated pairs (the same app and holder named twice, or by label and by name). */
export function uniquePairs(pairs: readonly AccessPair[]): AccessPair[] {
  const seen = new Set<string>();
  return pairs.filter((p) => {
    const key = pairKey(p.app.id, p.holder.permissionSetId);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** Splits requested pairs into those already assigned (with their row) and those to create. */
export function planAssign(pairs: readonly AccessPair[], existing: readonly AccessRow[]): { present: Array<AccessPair & { row: AccessRow }>; missing: AccessPair[] } {
  const rows = new Map(existing.map((r) => [pairKey(r.appId, r.permissionSetId), r]));
  const present: Array<AccessPair & { row: AccessRow }> = [];
  const missing: AccessPair[] = [];
  for (const pair of uniquePairs(pairs)) {
    const row = rows.get(pairKey(pair.app.id, pair.holder.permissionSetId));
    if (row) present.push({ ...pair, row });
    else missing.push(pair);
  }
  return { present, missing };
}

/** What the access resolver found for an app: each grant's permission set (for a group: its component) and active users. */
export type ReachingGrant = { permissionSetId: string; activeUsers: number };

/**
 * For removals: which pairs exist (to delete) and which are absent, and which admin-approved apps
 * would be left with no active user who can use them — every user locked out — if the deletions went through:
 * no access row left, or (when `reach` says who each grant reaches, by app id15) no remaining grant — direct, or a
 * group through a remaining component — reaching an active user.
 * `appRows` must hold every access row of the apps concerned, not only the requested pairs.
 */
export function planUnassign(
  pairs: readonly AccessPair[],
  appRows: readonly AccessRow[],
  reach?: ReadonlyMap<string, readonly ReachingGrant[]>
): { present: Array<AccessPair & { row: AccessRow }>; absent: AccessPair[]; lockouts: AppRef[] } {
  const { present, missing } = planAssign(pairs, appRows);
  const deleting = new Set(present.map((p) => p.row.id));
  const lockouts = new Map<string, AppRef>();
  for (const { app } of present) {
    if (app.permittedUsers !== 'admin-approved') continue;
    const remaining = appRows.filter((r) => id15(r.appId) === id15(app.id) && !deleting.has(r.id));
    const grants = reach?.get(id15(app.id));
    const left = new Set(remaining.map((r) => id15(r.permissionSetId)));
    const reachesSomeone = grants ? grants.some((g) => g.activeUsers > 0 && left.has(id15(g.permissionSetId))) : remaining.length > 0;
    if (!reachesSomeone) lockouts.set(app.id, app);
  }
  return { present, absent: missing, lockouts: [...lockouts.values()] };
}

export function pairResult(pair: AccessPair, status: PairStatus, extra: Partial<PairResult> = {}): PairResult {
  return {
    app: pair.app.apiName ?? pair.app.label,
    appId: pair.app.id,
    target: pair.holder.name,
    targetType: pair.holder.kind,
    status,
    path: 'none',
    recordId: null,
    verified: null,
    errorCode: null,
    message: null,
    ...extra,
  };
}

/** success when every pair ended as asked, failed when none did, partial for a mix (see runOutcome). */
export function outcomeOf(results: readonly PairResult[]): RunOutcome {
  return runOutcome(results.map((r) => ({ done: !['failed', 'unknown', 'rolled-back'].includes(r.status), unverified: r.verified === false })));
}
