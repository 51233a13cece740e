/*
 * contain / restore. contain records an app's policy and assignments in a snapshot file — written before anything
 * changes — then, in this order, switches the app to "Admin approved users are pre-authorized" (nobody can newly
 * authorize it), removes every profile and permission set assignment (nobody is pre-authorized), and revokes every
 * OAuth token (nobody holds access). restore puts the policy and assignments back exactly as the snapshot has them.
 * Both reuse the writers of `policy set` (lossless metadata read-modify-write, verified), `assign`/`unassign`
 * (SetupEntityAccess rows, verified) and `revoke`; each step reports its own items, and a re-run finishes what a
 * failed run left.
 */
import { Messages, type Connection } from '@salesforce/core';
import { errorCodeOf, messageOf, queryAll } from '../adapters/api.js';
import { readAccessRows } from '../adapters/assignments.js';
import { readAppPolicies, readInventory, type AppMetadata } from '../adapters/connected-apps.js';
import { ECA_SUMMARY_PARTS, readEcaOauthPolicies } from '../adapters/external-client-apps.js';
import { readIdentity, type Identity } from '../adapters/people.js';
import { readSnapshotFile, SnapshotFileError, writeSnapshotFile } from '../adapters/snapshot-file.js';
import { countAppTokens, tokenAppNames } from '../adapters/tokens.js';
import { outcomeOf, type AccessPair, type AccessRow, type AppRef, type PairResult } from '../domain/access/assignments.js';
import { findApps, type AppAccess, type InventoryApp } from '../domain/access/inventory.js';
import { id15, sameId } from '../domain/names.js';
import type { AppKind } from '../domain/policy/policy.js';
import { withoutSecrets } from '../domain/policy/policy-edit.js';
import {
  parseSnapshot,
  restoreEcaPolicyElements,
  restorePolicyElements,
  SNAPSHOT_FORMAT,
  snapshotAppType,
  snapshotVersionFor,
  snapshotMetadata,
  snapshotPolicy,
  snapshotRecord,
  SnapshotError,
  type IncidentSnapshot,
  type SnapshotHolder,
} from '../domain/incident/snapshot.js';
import type { RunJournal } from '../domain/incident/run-journal.js';
import { soqlInList } from '../domain/soql.js';
import { revokeOutcome, type TokenResult } from '../domain/incident/tokens.js';
import { runOutcome, type RunOutcome } from '../domain/write-outcome.js';
import { EXIT } from '../exit-codes.js';
import { addAccess, removeAccess } from './access.js';
import { setPolicies, type AppPolicyResult, type AppTarget } from './policy.js';
import { appsOfKind, matchApps } from './resolve-apps.js';
import { assertLabelsDistinct, checkRevokePermissions, installedApp, revokeAppTokens, tokenNamesOf, unmatchedWarning, type RevokeApp, type RevokeProgress } from './revoke.js';

Messages.importMessagesDirectoryFromMetaUrl(import.meta.url);
const messages = Messages.loadMessages('plugin-connectedapp', 'connectedapp.contain');
const restoreMessages = Messages.loadMessages('plugin-connectedapp', 'connectedapp.restore');

export type StepName = 'snapshot' | 'policy' | 'assignments' | 'tokens';
/**
 * done: changed as asked; unchanged: already so; would-change: --dry-run; partial / failed / unknown: see the step's
 * items; not-possible: the app is not installed, so it has no policy or assignments to change.
 */
export type StepStatus = 'done' | 'unchanged' | 'would-change' | 'partial' | 'failed' | 'unknown' | 'not-possible';
export type ContainStep = { step: StepName; status: StepStatus; detail: string };

export type SnapshotReport = {
  path: string;
  /** written: by this run; kept: the file already held this app's snapshot (a re-run), and is left as it is; would-write: --dry-run. */
  status: 'written' | 'kept' | 'would-write';
  content: IncidentSnapshot;
};

export type ContainRequest = {
  name: string;
  /** Only this kind of app is matched by name (both when absent). */
  type?: AppKind;
  snapshotFile: string;
  keep: string[];
  mode: 'write' | 'dry-run';
  concurrency: number;
  progress?: RevokeProgress;
  now: Date;
  /** Kept up to date step by step and token by token, for a run stopped by a signal to say what it did. */
  journal?: RunJournal;
};

export type ContainOutcome = {
  app: RevokeApp;
  snapshot: SnapshotReport;
  steps: ContainStep[];
  policy: AppPolicyResult | null;
  assignments: PairResult[];
  tokens: TokenResult[];
  outcome: RunOutcome;
  /** Every step found its work done already (a re-run after success): nothing was changed. */
  nothingToDo: boolean;
  warnings: string[];
};

/**
 * unmatched: no installed app and no token carries the name (nothing of it is left to change). ecaPolicyComponent:
 * an External Client App's OAuth policies component (null: it has none).
 */
type Target = { app: RevokeApp; inventoryApp: InventoryApp | null; unmatched: boolean; ecaPolicyComponent?: string | null };

/** The org the session is in: as the org says (userinfo), else as the stored login says. */
function orgIdOf(conn: Connection, identity: Identity | null): string {
  return identity?.orgId ?? conn.getAuthInfoFields().orgId ?? '';
}

/**
 * The one app a name selects: installed (a connected app or External Client App, by API name, label or Id), else by
 * the name its tokens carry. A name both kinds answer to is refused, naming both. A name that is neither is an app
 * that is not installed and holds no token any more (a re-run: the snapshot file may already name it) or a name the
 * org does not know; either way there is nothing of it to change (`unmatched`).
 */
async function resolveOne(conn: Connection, name: string, apps: readonly InventoryApp[], type: AppKind | undefined, existing: IncidentSnapshot | undefined): Promise<Target> {
  matchApps(apps, [[name]], type);
  const found = findApps(appsOfKind(apps, type), name);
  if (found.length > 1) throw messages.createError('error.Ambiguous', [name, found.map((a) => a.apiName ?? a.label).join(', ')]);
  if (found.length === 1) {
    assertLabelsDistinct([installedApp(found[0])], apps);
    return { app: installedApp(found[0]), inventoryApp: found[0], unmatched: false };
  }
  const byTokens = await tokenAppNames(conn, [name]);
  const tokenName = byTokens.get(name);
  if (tokenName !== undefined) return { app: { name: tokenName, appId: null, apiName: null, installed: false, type: null }, inventoryApp: null, unmatched: false };
  const snapshotName = existing && !existing.app.installed && existing.app.name.toLowerCase() === name.toLowerCase() ? existing.app.name : null;
  return { app: { name: snapshotName ?? name, appId: null, apiName: null, installed: false, type: null }, inventoryApp: null, unmatched: true };
}

/** Profiles and permission sets holding the app (a group's aggregate set is derived from its components: left out). */
const holdersOf = (app: InventoryApp): AppAccess[] => [...app.permissionSets.filter((h) => h.kind === 'permission-set'), ...app.profiles];

const toSnapshotHolder = (h: AppAccess): SnapshotHolder => ({ kind: h.kind === 'profile' ? 'profile' : 'permission-set', name: h.name, label: h.label, permissionSetId: h.permissionSetId });

const appRef = (app: InventoryApp): AppRef => ({ id: app.id, apiName: app.apiName, label: app.label, permittedUsers: app.permittedUsers });

const pairOf = (app: InventoryApp, h: SnapshotHolder): AccessPair => ({ app: appRef(app), holder: { kind: h.kind, permissionSetId: h.permissionSetId, name: h.name, label: h.label } });

/** Reads a snapshot file into a snapshot (undefined: no file), or an error saying what is wrong with it. */
async function loadSnapshot(path: string, bundle: Messages<string>): Promise<IncidentSnapshot | undefined> {
  let raw: unknown;
  try {
    raw = await readSnapshotFile(path);
  } catch (error) {
    if (error instanceof SnapshotFileError) throw bundle.createError(`error.Snapshot.${error.reason}`, [path, error.message]);
    throw error;
  }
  if (raw === undefined) return undefined;
  try {
    return parseSnapshot(raw);
  } catch (error) {
    if (error instanceof SnapshotError) throw bundle.createError(`error.Snapshot.${error.reason}`, [path, error.message]);
    throw error;
  }
}

/**
 * The installed apps contain and restore choose from, with their access: connected apps and External Client Apps
 * (with the name of each one's OAuth policies component). Both kinds always: the label check needs every app.
 */
async function readContainInventory(conn: Connection): Promise<{ apps: InventoryApp[]; ecaComponents: Map<string, string | null> }> {
  const inventory = await readInventory(conn, { externalClientApps: ECA_SUMMARY_PARTS });
  const ecaComponents = new Map(inventory.externalClientApps.map((eca) => [eca.id ?? '', eca.componentNames.ecaOauthPlcy ?? null]));
  return { apps: inventory.apps, ecaComponents };
}

/** The app's policy metadata as read now: a ConnectedApp, or an External Client App's OAuth policies component; null when unreadable. */
async function readPolicyMetadata(conn: Connection, app: InventoryApp, ecaPolicyComponent: string | null): Promise<AppMetadata | null> {
  if (app.kind === 'external-client-app') return (await readEcaOauthPolicies(conn, [{ id: app.id, apiName: app.apiName, component: ecaPolicyComponent }])).get(app.id) ?? null;
  return (await readAppPolicies(conn, [app])).get(app.id) ?? null;
}

export async function containApp(conn: Connection, request: ContainRequest): Promise<ContainOutcome> {
  const warnings: string[] = [];
  const identity = await checkRevokePermissions(conn, warnings);
  const { apps, ecaComponents } = await readContainInventory(conn);
  const existing = await loadSnapshot(request.snapshotFile, messages);
  const target = await resolveOne(conn, request.name, apps, request.type, existing);
  const { app, inventoryApp, unmatched } = target;
  if (inventoryApp?.kind === 'external-client-app') target.ecaPolicyComponent = ecaComponents.get(inventoryApp.id) ?? null;
  if (unmatched) warnings.push(unmatchedWarning([request.name], apps, request.type));

  // Everything is read and checked before the snapshot; nothing changes before it is on disk.
  const metadata = inventoryApp ? await readPolicyMetadata(conn, inventoryApp, target.ecaPolicyComponent ?? null) : null;
  const holders = inventoryApp ? holdersOf(inventoryApp) : [];
  // Client credentials run as the app's run-as user, whoever holds the consumer secret: none of the steps stops them.
  const credentials = metadata?.policy.flows.clientCredentials;
  if (credentials?.enabled) {
    const where = inventoryApp?.kind === 'external-client-app' ? messages.getMessage('where.eca') : messages.getMessage('where.connectedApp');
    warnings.push(messages.getMessage('warning.clientCredentials', [app.apiName ?? app.name, credentials.runAsUser ?? messages.getMessage('none'), where]));
  }
  const kept = keptHolders(request.keep, holders, inventoryApp !== null);
  const groups = inventoryApp?.permissionSets.filter((h) => h.kind === 'permission-set-group') ?? [];
  if (groups.length) warnings.push(messages.getMessage('warning.groups', [groups.map((g) => g.name).join(', ')]));
  const orgId = orgIdOf(conn, identity);
  let snapshot: SnapshotReport;
  if (existing) {
    const sameApp = app.appId !== null ? sameId(existing.app.appId, app.appId) : existing.app.appId === null && existing.app.name.toLowerCase() === app.name.toLowerCase();
    if (existing.orgId !== orgId || !sameApp) throw messages.createError('error.SnapshotOfAnother', [request.snapshotFile, existing.app.apiName ?? existing.app.name, existing.orgId, existing.takenAt]);
    snapshot = { path: request.snapshotFile, status: 'kept', content: existing };
    warnings.push(messages.getMessage('warning.snapshotKept', [request.snapshotFile, existing.takenAt]));
  } else {
    const record = metadata ? withoutSecrets(metadata.record) : null;
    const type: AppKind = app.type ?? 'connected-app';
    const version = snapshotVersionFor(type);
    const content: IncidentSnapshot = {
      format: SNAPSHOT_FORMAT,
      version,
      takenAt: request.now.toISOString(),
      orgId,
      app: { name: app.name, apiName: app.apiName, appId: app.appId, installed: app.installed, ...(version === 2 ? { type } : {}) },
      policy: record ? snapshotPolicy(record, type) : null,
      metadata: record ? snapshotMetadata(record) : null,
      assignments: holders.map(toSnapshotHolder),
      tokens: { count: await countAppTokens(conn, tokenNamesOf(app)) },
    };
    if (request.mode === 'write') {
      if (request.journal) {
        request.journal.during = 'snapshot';
        request.journal.snapshot = { path: request.snapshotFile, status: 'writing' };
      }
      try {
        await writeSnapshotFile(request.snapshotFile, content);
      } catch (error) {
        if (error instanceof SnapshotFileError) throw messages.createError('error.Snapshot.unwritable', [request.snapshotFile, error.message]);
        throw error;
      }
    }
    snapshot = { path: request.snapshotFile, status: request.mode === 'write' ? 'written' : 'would-write', content };
  }

  const steps: ContainStep[] = [{ step: 'snapshot', status: snapshot.status === 'would-write' ? 'would-change' : snapshot.status === 'kept' ? 'unchanged' : 'done', detail: request.snapshotFile }];
  request.journal?.trackSteps(steps);
  if (request.journal) request.journal.snapshot = { path: snapshot.path, status: snapshot.status };
  let policy: AppPolicyResult | null = null;
  let assignments: PairResult[] = [];
  let tokens: TokenResult[] = [];
  let capped = false as boolean;
  /** Steps that ended with an error of their own (a read that failed even after retries): reported, and the next step still runs. */
  let brokenSteps = 0;
  const guarded = async (step: StepName, work: () => Promise<void>): Promise<void> => {
    if (request.journal) request.journal.during = step;
    try {
      await work();
    } catch (error) {
      brokenSteps++;
      steps.push({ step, status: 'failed', detail: `${errorCodeOf(error)}: ${messageOf(error)}` });
    }
  };
  if (inventoryApp === null) {
    steps.push({ step: 'policy', status: 'not-possible', detail: messages.getMessage('detail.notInstalled') });
    steps.push({ step: 'assignments', status: 'not-possible', detail: messages.getMessage('detail.notInstalled') });
    warnings.push(messages.getMessage('warning.notInstalled', [app.name]));
  } else {
    await guarded('policy', async () => {
      const result = await switchToAdminApproved(conn, { app: inventoryApp, change: { permittedUsers: 'admin-approved' }, ecaPolicyComponent: target.ecaPolicyComponent }, metadata !== null, request.mode, warnings);
      policy = result;
      const change = result.changes.map((c) => `${c.field}: ${c.before ?? '—'} → ${c.after ?? '—'}`).join('; ');
      steps.push({ step: 'policy', status: policyStep(result), detail: result.message ?? (change || messages.getMessage('detail.alreadyAdminApproved')) });
    });
    await guarded('assignments', async () => {
      const remove = holders.filter((h) => !kept.has(h.permissionSetId)).map(toSnapshotHolder);
      const rows: AccessRow[] = remove.length ? await readAccessRows(conn, [inventoryApp.id]) : [];
      const removed = remove.length ? await removeAccess(conn, remove.map((h) => pairOf(inventoryApp, h)), rows, request.mode) : { results: [], warnings: [] };
      assignments = removed.results;
      warnings.push(...removed.warnings);
      steps.push({ step: 'assignments', status: pairsStep(assignments, request.mode), detail: messages.getMessage('detail.assignments', [assignments.length, kept.size]) });
    });
  }
  await guarded('tokens', async () => {
    const options = { lastUsedBefore: null, concurrency: request.concurrency, progress: request.progress, journal: request.journal };
    const revoked = await revokeAppTokens(conn, [app], request.mode, options, identity);
    tokens = revoked.tokens;
    capped = revoked.read.cappedUsers.length > 0;
    warnings.push(...revoked.warnings);
    steps.push({ step: 'tokens', status: tokensStep(tokens, request.mode, capped), detail: messages.getMessage('detail.tokens', [tokens.length]) });
  });

  const ended = policy as AppPolicyResult | null;
  const items = [
    ...(ended ? [{ done: ended.status === 'updated' || ended.status === 'unchanged', unverified: ended.verified === false }] : []),
    ...assignments.map((a) => ({ done: a.status === 'deleted' || a.status === 'unchanged', unverified: a.verified === false })),
    ...tokens.map((t) => ({ done: t.status === 'revoked' || t.status === 'unchanged', unverified: t.verified === false })),
    ...Array.from({ length: brokenSteps }, () => ({ done: false, unverified: false })),
  ];
  let outcome: RunOutcome = request.mode === 'write' ? runOutcome(items) : brokenSteps > 0 ? 'partial' : 'success';
  if (outcome !== 'failed' && capped) outcome = 'partial';
  const nothingToDo = request.mode === 'write' && steps.every((s) => s.status === 'unchanged' || s.status === 'not-possible');
  return { app, snapshot, steps, policy: ended, assignments, tokens, outcome, nothingToDo, warnings };
}

/** --keep-assignment names (permission set API name or label, profile name) → the permission set Ids kept. */
function keptHolders(names: readonly string[], holders: readonly AppAccess[], installed: boolean): Set<string> {
  if (names.length === 0) return new Set();
  if (!installed) throw messages.createError('error.KeepNotInstalled');
  const kept = new Set<string>();
  const unknown: string[] = [];
  for (const name of names) {
    const lower = name.toLowerCase();
    const match = holders.filter((h) => h.name.toLowerCase() === lower || h.label.toLowerCase() === lower);
    if (match.length === 0) unknown.push(name);
    for (const h of match) kept.add(h.permissionSetId);
  }
  if (unknown.length) throw messages.createError('error.KeepUnknown', [unknown.map((n) => `"${n}"`).join(', '), holders.map((h) => h.name).join(', ') || messages.getMessage('none')]);
  return kept;
}

async function switchToAdminApproved(conn: Connection, target: AppTarget, readable: boolean, mode: 'write' | 'dry-run', warnings: string[]): Promise<AppPolicyResult> {
  const { app } = target;
  if (!readable) {
    const message = messages.getMessage('message.noMetadata', [app.apiName ?? app.label]);
    return { app: app.apiName ?? app.label, appId: app.id, status: 'failed', changes: [], verified: null, errorCode: 'NO_METADATA', message };
  }
  // force: leaving the app with nobody pre-authorized is the point here.
  const set = await setPolicies(conn, [target], { mode, force: true, assignPermissionSets: [], assignProfiles: [] });
  warnings.push(...set.warnings);
  return set.results[0];
}

function policyStep(result: AppPolicyResult): StepStatus {
  const map: Record<AppPolicyResult['status'], StepStatus> = { updated: 'done', unchanged: 'unchanged', 'would-update': 'would-change', failed: 'failed', unknown: 'unknown' };
  return map[result.status];
}

function pairsStep(results: readonly PairResult[], mode: 'write' | 'dry-run'): StepStatus {
  if (results.length === 0 || results.every((r) => r.status === 'unchanged')) return 'unchanged';
  if (mode === 'dry-run') return 'would-change';
  return fromOutcome(outcomeOf(results), results.some((r) => r.status === 'unknown'));
}

function tokensStep(results: readonly TokenResult[], mode: 'write' | 'dry-run', capped: boolean): StepStatus {
  if (results.length === 0) return capped ? 'partial' : 'unchanged';
  if (mode === 'dry-run') return 'would-change';
  const outcome = revokeOutcome(results);
  return capped && outcome !== 'failed' ? 'partial' : fromOutcome(outcome, results.some((r) => r.status === 'unknown'));
}

function fromOutcome(outcome: RunOutcome, anyUnknown: boolean): StepStatus {
  if (outcome === 'success' || outcome === 'success-unverified') return 'done';
  if (outcome === 'partial') return 'partial';
  return anyUnknown ? 'unknown' : 'failed';
}

// ---- restore ------------------------------------------------------------------------------------

export type RestoreRequest = { snapshotFile: string; mode: 'write' | 'dry-run' };

export type RestoreOutcome = {
  app: RevokeApp;
  snapshot: { path: string; takenAt: string };
  policy: AppPolicyResult | null;
  assignments: PairResult[];
  /** Tokens held when the snapshot was taken. Revoked tokens cannot be restored: users authorize the app again. */
  tokensAtSnapshot: number;
  outcome: RunOutcome;
  warnings: string[];
};

export async function restoreApp(conn: Connection, request: RestoreRequest): Promise<RestoreOutcome> {
  const snapshot = await loadSnapshot(request.snapshotFile, restoreMessages);
  // A wrong --snapshot-file is wrong usage (exit 2), found before anything is read from the org.
  if (snapshot === undefined) throw restoreMessages.createError('error.NoSnapshot', [request.snapshotFile], [], EXIT.usage);
  const orgId = orgIdOf(conn, await readIdentity(conn));
  if (id15(orgId) !== id15(snapshot.orgId)) throw restoreMessages.createError('error.OtherOrg', [request.snapshotFile, snapshot.orgId, orgId]);
  const warnings = [restoreMessages.getMessage('warning.tokensGone', [snapshot.tokens.count])];
  const type = snapshotAppType(snapshot);
  const app: RevokeApp = { name: snapshot.app.name, appId: snapshot.app.appId, apiName: snapshot.app.apiName, installed: snapshot.app.installed, type: snapshot.app.installed ? type : null };
  const base = { app, snapshot: { path: request.snapshotFile, takenAt: snapshot.takenAt }, tokensAtSnapshot: snapshot.tokens.count };
  if (!snapshot.app.installed) {
    warnings.push(restoreMessages.getMessage('warning.notInstalled', [snapshot.app.name]));
    return { ...base, policy: null, assignments: [], outcome: 'success', warnings };
  }

  const { apps: all, ecaComponents } = await readContainInventory(conn);
  const apps = appsOfKind(all, type);
  const current = apps.find((a) => sameId(a.id, snapshot.app.appId)) ?? apps.find((a) => a.apiName !== null && a.apiName === snapshot.app.apiName);
  if (!current) throw restoreMessages.createError('error.AppGone', [snapshot.app.apiName ?? snapshot.app.name, snapshot.app.appId ?? '']);
  await checkHoldersExist(conn, snapshot.assignments);

  // Assignments first (as policy set --assign-* does), so that a pre-authorized app is never left with nobody assigned.
  const wanted = new Set(snapshot.assignments.map((h) => id15(h.permissionSetId)));
  const extra = holdersOf(current).filter((h) => !wanted.has(id15(h.permissionSetId)));
  const added = snapshot.assignments.length ? await addAccess(conn, snapshot.assignments.map((h) => pairOf(current, h)), request.mode) : { results: [], warnings: [] };
  warnings.push(...added.warnings);
  const assignments = [...added.results];
  // Once something may have been written, a later step's error is reported with what was done, never thrown.
  let broken = 0;
  const guarded = async (step: string, work: () => Promise<void>): Promise<void> => {
    try {
      await work();
    } catch (error) {
      broken++;
      warnings.push(restoreMessages.getMessage('warning.stepFailed', [step, errorCodeOf(error), messageOf(error)]));
    }
  };
  if (extra.length) {
    await guarded('assignments', async () => {
      const rows = await readAccessRows(conn, [current.id]);
      const removed = await removeAccess(conn, extra.map((h) => pairOf(current, toSnapshotHolder(h))), rows, request.mode);
      warnings.push(...removed.warnings);
      assignments.push(...removed.results);
    });
  }

  let policy: AppPolicyResult | null = null;
  const record = snapshotRecord(snapshot);
  if (record === null) warnings.push(restoreMessages.getMessage('warning.noPolicy'));
  else {
    await guarded('policy', async () => {
      const target: AppTarget =
        type === 'external-client-app'
          ? { app: current, change: {}, edit: (now) => restoreEcaPolicyElements(now, record), ecaPolicyComponent: ecaComponents.get(current.id) ?? null }
          : { app: current, change: {}, edit: (now) => restorePolicyElements(now, record) };
      const set = await setPolicies(conn, [target], { mode: request.mode, force: true, assignPermissionSets: [], assignProfiles: [] });
      warnings.push(...set.warnings);
      policy = set.results[0];
    });
  }
  const ended = policy as AppPolicyResult | null;
  const items = [
    ...(ended ? [{ done: ended.status === 'updated' || ended.status === 'unchanged', unverified: ended.verified === false }] : []),
    ...assignments.map((a) => ({ done: ['created', 'deleted', 'unchanged'].includes(a.status), unverified: a.verified === false })),
    ...Array.from({ length: broken }, () => ({ done: false, unverified: false })),
  ];
  const outcome: RunOutcome = request.mode === 'write' ? runOutcome(items) : broken > 0 ? 'partial' : 'success';
  return { ...base, policy: ended, assignments, outcome, warnings };
}

/** Every permission set the snapshot names still exists (one query), or an error naming those that do not. */
async function checkHoldersExist(conn: Connection, holders: readonly SnapshotHolder[]): Promise<void> {
  if (holders.length === 0) return;
  const rows = (await queryAll<{ Id: string }>(conn, `SELECT Id FROM PermissionSet WHERE Id IN ${soqlInList(holders.map((h) => h.permissionSetId))}`)).records;
  const present = new Set(rows.map((r) => id15(r.Id)));
  const missing = holders.filter((h) => !present.has(id15(h.permissionSetId)));
  if (missing.length) throw restoreMessages.createError('error.HoldersGone', [missing.map((h) => `${h.kind} ${h.name}`).join(', ')]);
}
