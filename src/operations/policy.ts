/*
 * policy show / policy set. `set` is a lossless read-modify-write of each app's policy metadata — a connected
 * app's ConnectedApp component, an External Client App's ExtlClntAppOauthConfigurablePolicies component: read
 * the whole component, change only the named fields, send everything else back exactly as read (minus the
 * consumer secret, which is never sent), then read it back and check each change took.
 * 20 apps cost 2 reads + 2 updates + 2 verification reads (10 per call) per kind of app.
 */
import { Messages, type Connection } from '@salesforce/core';
import { errorCodeOf, mayHaveApplied } from '../adapters/api.js';
import { readAppPolicies, readInventory, type AppMetadata, type InventoryRead } from '../adapters/connected-apps.js';
import { ECA_POLICY_PARTS, ECA_SUMMARY_PARTS, readEcaOauthPolicies } from '../adapters/external-client-apps.js';
import { applyEcaPolicyChange } from '../domain/policy/eca-policy-edit.js';
import { ECA_PART_ROOTS } from '../domain/policy/eca.js';
import { deleteAccessRows, readAccessRows, RECORDS_PER_CALL } from '../adapters/assignments.js';
import { chunk } from '../domain/collections.js';
import { updateMetadata, type SaveResult } from '../adapters/metadata-api.js';
import type { PairResult } from '../domain/access/assignments.js';
import type { InventoryApp } from '../domain/access/inventory.js';
import { id15, sameId } from '../domain/names.js';
import { policyFieldValue, readConnectedAppPolicy, type AppKind, type AppPolicy, type PolicyField } from '../domain/policy/policy.js';
import { applyPolicyChange, withoutSecrets, type PolicyChange, type PolicyDiff, type PolicyEditResult } from '../domain/policy/policy-edit.js';
import { PolicyError } from '../domain/policy/policy-error.js';
import type { XmlElement } from '../domain/xml.js';
import { policySfError } from './policy-sf-error.js';
import { appsReachingNobody, assignAccess } from './access.js';
import { resolveApps, resolveDesiredTargets, withOtherKind, type DesiredEntry } from './resolve-apps.js';

Messages.importMessagesDirectoryFromMetaUrl(import.meta.url);
const messages = Messages.loadMessages('plugin-connectedapp', 'connectedapp.policy.set');

/**
 * An app and what to change. `edit`, when given, replaces `applyPolicyChange(record, change)` as the edit of the
 * app's metadata (restore puts back elements exactly as a snapshot has them); `change` still drives the lockout guard.
 */
export type AppTarget = {
  app: InventoryApp;
  change: PolicyChange;
  edit?: (record: XmlElement) => PolicyEditResult;
  /** An External Client App's OAuth policies component (its listed fullName), or null when it has none. */
  ecaPolicyComponent?: string | null;
};

export type PolicyShowApp = {
  type: AppKind;
  apiName: string | null;
  label: string;
  id: string;
  /** null when the app's metadata could not be read (no API name, or no component). */
  policy: Omit<AppPolicy, 'lines' | 'lineParts'> | null;
  /** Assignments in the org (SetupEntityAccess): profiles by name, permission sets by API name. */
  assignedProfiles: string[];
  assignedPermissionSets: string[];
};

/** Both kinds of app unless `type` names one; an ECA's policy is read whole (every part the org lets us read). */
export async function showPolicies(conn: Connection, names: readonly string[], type?: AppKind): Promise<PolicyShowApp[]> {
  const inventory = await readInventory(conn, { externalClientApps: type === 'connected-app' ? undefined : ECA_POLICY_PARTS });
  // Under --type connected-app the ECAs are read only when a name is unknown, to say which are ECAs.
  const apps = await withOtherKind(conn, type, inventory.apps, type !== 'connected-app', (all) => resolveApps(all, names, type));
  const policies = await readAppPolicies(conn, apps.filter((a) => a.kind !== 'external-client-app'));
  const ecaPolicies = new Map(inventory.externalClientApps.map((eca) => [eca.id ?? '', eca.policy]));
  return apps.map((app) => {
    const read = app.kind === 'external-client-app' ? ecaPolicies.get(app.id) : policies.get(app.id)?.policy;
    const policy = read ? (({ lines: _l, lineParts: _p, ...rest }): Omit<AppPolicy, 'lines' | 'lineParts'> => rest)(read) : null;
    return {
      type: app.kind,
      apiName: app.apiName,
      label: app.label,
      id: app.id,
      policy,
      assignedProfiles: app.profiles.map((p) => p.name),
      assignedPermissionSets: app.permissionSets.map((p) => p.name),
    };
  });
}

export type FieldChange = { field: PolicyField; before: string | null; after: string | null; metadataPath: string };

export type AppPolicyResult = {
  app: string;
  appId: string;
  /**
   * updated: applied (see `verified`); failed: not applied (refused, or read back unchanged); unknown: the update
   * got no answer and the app could not be read back — run `policy show` to see what is there.
   */
  status: 'updated' | 'unchanged' | 'would-update' | 'failed' | 'unknown';
  changes: FieldChange[];
  /** For an updated app: whether reading it back confirmed every change (false: the read-back failed). */
  verified: boolean | null;
  errorCode: string | null;
  message: string | null;
};

export type SetOptions = { mode: 'write' | 'dry-run' | 'check'; force: boolean; assignPermissionSets: string[]; assignProfiles: string[] };

export type SetOutcome = { results: AppPolicyResult[]; assignments: PairResult[]; warnings: string[] };

/** The apps and the change each one gets, resolved from names (every name checked before any write); both kinds unless `type` names one. */
export async function resolveTargets(conn: Connection, wanted: readonly DesiredEntry[], type?: AppKind): Promise<{ targets: AppTarget[]; inventory: InventoryRead }> {
  const inventory = await readInventory(conn, { externalClientApps: type === 'connected-app' ? undefined : ECA_SUMMARY_PARTS });
  const components = new Map(inventory.externalClientApps.map((eca) => [eca.id ?? '', eca.componentNames.ecaOauthPlcy ?? null]));
  const resolved = await withOtherKind(conn, type, inventory.apps, type !== 'connected-app', (all) => resolveDesiredTargets(all, wanted, type));
  const targets: AppTarget[] = resolved.map((t) =>
    t.app.kind === 'external-client-app' ? { ...t, ecaPolicyComponent: components.get(t.app.id) ?? null } : t
  );
  return { targets, inventory };
}

const isEca = (target: AppTarget): boolean => target.app.kind === 'external-client-app';

/** Each target's policy component and the policy it holds, by app Id: ConnectedApp or the ECA's OAuth policies. */
async function readPolicyRecords(conn: Connection, targets: readonly AppTarget[]): Promise<Map<string, AppMetadata | null>> {
  const ecas = targets.filter(isEca);
  const [connected, external] = await Promise.all([
    readAppPolicies(conn, targets.filter((t) => !isEca(t)).map((t) => t.app)),
    ecas.length ? readEcaOauthPolicies(conn, ecas.map((t) => ({ id: t.app.id, apiName: t.app.apiName, component: t.ecaPolicyComponent ?? null }))) : new Map<string, AppMetadata | null>(),
  ]);
  return new Map([...connected, ...external]);
}

type Update = { target: AppTarget; root: XmlElement; diffs: PolicyDiff[] };

const nameOf = (t: AppTarget): string => t.app.apiName ?? t.app.label;

/**
 * Changes each app's policy. With --assign-*: everything is checked first (every app's metadata is readable and
 * its change applies), then the assignments are written, then the policies; an app whose policy change then
 * fails has the assignments this run made for it removed again ("rolled-back"), so a failed run leaves nothing
 * behind — and when the policies cannot be read again after assigning, no policy is changed and every assignment
 * this run made is removed again. Whatever cannot be removed is reported per pair (still "created", or "unknown").
 * Assigning first means no app is ever pre-authorized with nobody assigned, not even for a moment.
 */
export async function setPolicies(conn: Connection, targets: readonly AppTarget[], options: SetOptions): Promise<SetOutcome> {
  const warnings: string[] = [];
  const assigning = options.assignPermissionSets.length + options.assignProfiles.length > 0;

  // Lockout guard: pre-authorizing an app that nobody is assigned to — or whose profiles, permission sets and groups
  // reach no active user — locks every user out.
  const switching = targets.filter((t) => t.change.permittedUsers === 'admin-approved' && t.app.permittedUsers !== 'admin-approved');
  const lockouts = switching.filter((t) => t.app.profiles.length + t.app.permissionSets.length === 0);
  const assigned = switching.filter((t) => !lockouts.includes(t));
  const nobody = assigned.length > 0 && !assigning && options.mode !== 'check' ? await appsReachingNobody(conn, assigned.map((t) => t.app)) : new Set<string>();
  if (nobody === null) warnings.push(messages.getMessage('warning.reachNotChecked', [assigned.map((t) => nameOf(t)).join(', ')]));
  const unreached = assigned.filter((t) => nobody?.has(id15(t.app.id)));
  if ((lockouts.length || unreached.length) && !assigning && !options.force && options.mode !== 'check') {
    if (lockouts.length) throw messages.createError('error.Lockout', [lockouts.map(nameOf).join(', ')]);
    throw messages.createError('error.LockoutNoActiveUsers', [unreached.map(nameOf).join(', ')]);
  }
  if (lockouts.length && options.force && !assigning) warnings.push(messages.getMessage('warning.lockoutForced', [lockouts.map(nameOf).join(', ')]));
  if (unreached.length && options.force && !assigning) warnings.push(messages.getMessage('warning.lockoutNoActiveUsersForced', [unreached.map(nameOf).join(', ')]));

  let plan = planUpdates(targets, await readPolicyRecords(conn, targets), warnings);
  if (options.mode !== 'write') return { results: [...plan.results, ...plan.updates.map((u) => ({ ...changed(u), status: 'would-update' as const }))], assignments: [], warnings };

  let assignments: PairResult[] = [];
  if (assigning) {
    // Nothing is written unless every app can take its change.
    const refused = plan.results.filter((r) => r.status === 'failed');
    if (refused.length) throw messages.createError('error.RefusedBeforeAssign', [refused.map((r) => `${r.app}: ${r.message ?? r.errorCode ?? ''}`).join('; ')]);
    const outcome = await assignAccess(
      conn,
      [{ apps: targets.map((t) => t.app.id), permissionSets: options.assignPermissionSets, profiles: options.assignProfiles }],
      'write',
      targets.some(isEca) ? {} : { type: 'connected-app' }
    );
    assignments = outcome.results;
    warnings.push(...outcome.warnings);
    if (assignments.some((r) => r.status === 'failed' || r.status === 'unknown')) {
      // The policies stay as they are; what this run assigned is taken back.
      assignments = await rollBack(conn, assignments, new Set(targets.map((t) => t.app.id)), warnings);
      const reason = messages.getMessage('message.assignFailed');
      return { results: targets.map((t) => failure(t, 'ASSIGNMENT_FAILED', reason)), assignments, warnings };
    }
    // Read again: the lists the update sends back must hold the new assignments, or sending them would remove them.
    let reread: Map<string, AppMetadata | null>;
    try {
      reread = await readPolicyRecords(conn, targets);
    } catch (error) {
      // No update can be sent without it: the policies stay as they are, and what this run assigned is taken back.
      const code = errorCodeOf(error);
      assignments = await rollBack(conn, assignments, new Set(targets.map((t) => t.app.id)), warnings);
      const reason = messages.getMessage('message.rereadFailed', [code]);
      return { results: targets.map((t) => failure(t, code, reason)), assignments, warnings };
    }
    plan = planUpdates(targets, reread, []);
  }

  const results = [...plan.results, ...(await writeAndVerify(conn, plan.updates, warnings))];
  if (assigning) {
    const failedApps = new Set(results.filter((r) => r.status === 'failed').map((r) => r.appId));
    if (failedApps.size) assignments = await rollBack(conn, assignments, failedApps, warnings);
  }
  const order = new Map(targets.map((t, i) => [t.app.id, i]));
  results.sort((a, b) => (order.get(a.appId) ?? 0) - (order.get(b.appId) ?? 0));
  return { results, assignments, warnings };
}

/** Each app's edit on its current metadata: what to send, what needs nothing, what cannot be done. */
function planUpdates(targets: readonly AppTarget[], read: Map<string, AppMetadata | null>, warnings: string[]): { results: AppPolicyResult[]; updates: Update[] } {
  const results: AppPolicyResult[] = [];
  const updates: Update[] = [];
  for (const target of targets) {
    const name = target.app.apiName ?? target.app.label;
    const entry = read.get(target.app.id);
    if (!entry) {
      // An ECA without OAuth policies has no OAuth to set a policy for.
      if (isEca(target) && target.ecaPolicyComponent === null) results.push(failure(target, 'NoOauthConfig', messages.getMessage('message.ecaNoOauthPolicies', [name])));
      else results.push(failure(target, 'NOT_FOUND', messages.getMessage('message.noMetadata', [name])));
      continue;
    }
    try {
      const edit = target.edit ? target.edit(entry.record) : isEca(target) ? applyEcaPolicyChange(entry.record, target.change) : applyPolicyChange(entry.record, target.change);
      for (const w of edit.warnings) warnings.push(messages.getMessage(`warning.${w.code}`, [name]));
      if (edit.diffs.length === 0) results.push({ ...changed({ target, diffs: [] }), status: 'unchanged' });
      else updates.push({ target, root: isEca(target) ? withoutSecrets(edit.root) : forUpdate(edit.root), diffs: edit.diffs });
    } catch (error) {
      if (!(error instanceof PolicyError)) throw error;
      results.push(failure(target, error.code, policySfError(error).message));
    }
  }
  return { results, updates };
}

/**
 * Sends the updates and reads every app that was (or may have been) written back. Each ends as: updated and
 * verified; updated but not verified (the read-back failed); failed (refused, or read back unchanged); or
 * unknown (no answer to the update, and no read-back).
 */
async function writeAndVerify(conn: Connection, updates: readonly Update[], warnings: string[]): Promise<AppPolicyResult[]> {
  if (updates.length === 0) return [];
  // One updateMetadata per kind: a connected app is a ConnectedApp, an ECA's policies their own type.
  const ecaUpdates = updates.filter((u) => isEca(u.target));
  const appUpdates = updates.filter((u) => !isEca(u.target));
  const [appSaves, ecaSaves] = await Promise.all([
    appUpdates.length ? updateMetadata(conn, 'ConnectedApp', appUpdates.map((u) => u.root)) : [],
    ecaUpdates.length ? updateMetadata(conn, ECA_PART_ROOTS.ecaOauthPlcy, ecaUpdates.map((u) => u.root)) : [],
  ]);
  const saveOf = new Map<Update, SaveResult | undefined>([...appUpdates.map((u, i) => [u, appSaves.at(i)] as const), ...ecaUpdates.map((u, i) => [u, ecaSaves.at(i)] as const)]);
  const saved: Array<SaveResult | undefined> = updates.map((u) => saveOf.get(u));
  const results: AppPolicyResult[] = [];
  const toVerify: Array<{ update: Update; save: SaveResult | undefined }> = [];
  updates.forEach((update, i) => {
    const save = saved.at(i);
    if (save?.success || save?.outcomeUnknown) toVerify.push({ update, save });
    else results.push(failure(update.target, save?.errors[0]?.statusCode ?? 'UNKNOWN_ERROR', explainSaveError(update.target, save)));
  });
  if (toVerify.length === 0) return results;

  let after: Map<string, AppMetadata | null> | null;
  try {
    after = await readPolicyRecords(conn, toVerify.map((v) => v.update.target));
  } catch (error) {
    after = null;
    warnings.push(messages.getMessage('warning.notVerified', [errorCodeOf(error)]));
  }
  for (const { update, save } of toVerify) {
    const name = update.target.app.apiName ?? update.target.app.label;
    const lostCode = save?.errors[0]?.statusCode ?? 'UNKNOWN_ERROR';
    if (after === null) {
      results.push(
        save?.success
          ? { ...changed(update), verified: false, message: messages.getMessage('message.savedNotVerified') }
          : { ...changed(update), status: 'unknown', errorCode: lostCode, message: messages.getMessage('message.unknownNotVerified', [name]) }
      );
      continue;
    }
    const policy = after.get(update.target.app.id)?.policy;
    const mismatched = update.diffs.filter((d) => !readsBack(policy, d));
    if (mismatched.length === 0) {
      if (!save?.success) warnings.push(messages.getMessage('warning.appliedDespiteError', [name, lostCode]));
      results.push({ ...changed(update), verified: true });
    } else if (save?.success) {
      results.push({ ...changed(update), status: 'failed', errorCode: 'NOT_APPLIED', message: messages.getMessage('message.notApplied', [mismatched.map((d) => d.field).join(', ')]) });
    } else {
      // The call failed without an answer and the app reads back unchanged: nothing was applied.
      results.push(failure(update.target, lostCode, messages.getMessage('message.lostAndNotApplied', [save?.errors[0]?.message ?? lostCode])));
    }
  }
  await checkAssignmentsKept(conn, toVerify.map((v) => v.update).filter((u) => !isEca(u.target)), warnings);
  return results;
}

type Removal = { state: 'gone' | 'kept' | 'unsure'; code: string | null };

/**
 * Deletes the pairs this run created for these apps. Each result becomes "rolled-back" when the org confirms the
 * removal, or when a delete whose answer was lost (an error that may hide a commit) reads back gone; it stays
 * "created" (with a warning naming it) when the removal was refused or reads back still there; and it becomes
 * "unknown" when neither the answer nor a read-back can tell.
 */
async function rollBack(conn: Connection, assignments: PairResult[], appIds: ReadonlySet<string>, warnings: string[]): Promise<PairResult[]> {
  const undo = assignments.filter((r) => r.status === 'created' && appIds.has(r.appId) && r.recordId !== null);
  if (undo.length === 0) return assignments;
  const idOf = (r: PairResult): string => id15(r.recordId ?? '');
  const removals = new Map<string, Removal>();
  await Promise.all(
    chunk(undo, RECORDS_PER_CALL).map(async (batch) => {
      try {
        const answers = await deleteAccessRows(conn, batch.map((r) => r.recordId ?? ''));
        batch.forEach((r, i) => {
          const answer = answers.at(i);
          const code = answer?.errors[0]?.statusCode ?? null;
          // Already deleted (by the lost first attempt, or someone else): gone, as asked.
          removals.set(idOf(r), { state: answer?.success === true || code === 'ENTITY_IS_DELETED' ? 'gone' : 'kept', code });
        });
      } catch (error) {
        for (const r of batch) removals.set(idOf(r), { state: mayHaveApplied(error) ? 'unsure' : 'kept', code: errorCodeOf(error) });
      }
    })
  );
  // A delete that got no usable answer may have gone through: read the apps' access rows back to decide.
  const unsure = undo.filter((r) => removals.get(idOf(r))?.state === 'unsure');
  let readCode: string | null = null;
  if (unsure.length) {
    try {
      const held = new Set((await readAccessRows(conn, [...new Set(unsure.map((r) => r.appId))])).map((row) => id15(row.id)));
      for (const r of unsure) removals.set(idOf(r), { state: held.has(idOf(r)) ? 'kept' : 'gone', code: removals.get(idOf(r))?.code ?? null });
    } catch (error) {
      readCode = errorCodeOf(error);
    }
  }
  const named = (state: Removal['state']): string =>
    undo
      .filter((r) => removals.get(idOf(r))?.state === state)
      .map((r) => `${r.app} → ${r.target} (${removals.get(idOf(r))?.code ?? ''})`)
      .join(', ');
  if (named('kept')) warnings.push(messages.getMessage('warning.rollBackFailed', [named('kept')]));
  if (named('unsure')) warnings.push(messages.getMessage('warning.rollBackUnknown', [readCode ?? '', named('unsure')]));
  return assignments.map((r): PairResult => {
    if (!undo.includes(r)) return r;
    const removal = removals.get(idOf(r));
    if (removal?.state === 'gone') return { ...r, status: 'rolled-back', verified: null, message: messages.getMessage('message.rolledBack') };
    if (removal?.state === 'unsure') return { ...r, status: 'unknown', verified: null, errorCode: removal.code, message: messages.getMessage('message.rollBackUnknown', [removal.code ?? '', readCode ?? '']) };
    return { ...r, message: messages.getMessage('message.rollBackFailed', [removal?.code ?? '']) };
  });
}

/**
 * forUpdate leaves the assignment lists out for apps that are not admin-approved. Whether the Metadata API
 * keeps or clears omitted lists is undocumented, so check: any assignment gone afterwards is reported.
 * One query, and only when such an app was written.
 */
async function checkAssignmentsKept(conn: Connection, written: ReadonlyArray<{ target: AppTarget; root: XmlElement }>, warnings: string[]): Promise<void> {
  const listsLeftOut = written.filter((u) => !hasAssignmentLists(u.root) && u.target.app.profiles.length + u.target.app.permissionSets.length > 0);
  if (listsLeftOut.length === 0) return;
  try {
    const rows = await readAccessRows(conn, listsLeftOut.map((u) => u.target.app.id));
    for (const { target } of listsLeftOut) {
      const kept = new Set(rows.filter((r) => sameId(r.appId, target.app.id)).map((r) => id15(r.permissionSetId)));
      const lost = [...target.app.profiles, ...target.app.permissionSets].filter((h) => !kept.has(id15(h.permissionSetId))).map((h) => h.name);
      if (lost.length) warnings.push(messages.getMessage('warning.assignmentsRemoved', [target.app.apiName ?? target.app.label, lost.join(', ')]));
    }
  } catch (error) {
    warnings.push(messages.getMessage('warning.assignmentsNotChecked', [errorCodeOf(error)]));
  }
}

const hasAssignmentLists = (root: XmlElement): boolean => root.children.some((c) => c.kind === 'element' && (c.name === 'profileName' || c.name === 'permissionSetName'));

/**
 * What is sent back: the edited tree without the consumer secret (never sent) and, for an app that is
 * not admin-approved, without profileName / permissionSetName — the docs say those lists are only usable
 * when it is, and leaving them out keeps the org's assignments as they are (they gate nothing meanwhile).
 */
function forUpdate(root: XmlElement): XmlElement {
  const clean = withoutSecrets(root);
  if (readConnectedAppPolicy(clean).permittedUsers === 'admin-approved') return clean;
  return { ...clean, children: clean.children.filter((c) => c.kind !== 'element' || (c.name !== 'profileName' && c.name !== 'permissionSetName')) };
}

function changed(update: { target: AppTarget; diffs: PolicyDiff[] }): AppPolicyResult {
  return { app: update.target.app.apiName ?? update.target.app.label, appId: update.target.app.id, status: 'updated', changes: update.diffs.map((d) => ({ ...d })), verified: null, errorCode: null, message: null };
}

function failure(target: AppTarget, errorCode: string, message: string): AppPolicyResult {
  return { app: target.app.apiName ?? target.app.label, appId: target.app.id, status: 'failed', changes: [], verified: null, errorCode, message };
}

/** Names the cause for the refusals an admin can do something about. */
function explainSaveError(target: AppTarget, save: SaveResult | undefined): string {
  const error = save?.errors[0];
  if (error?.statusCode === 'CANNOT_MODIFY_MANAGED_OBJECT') return messages.getMessage('message.managed', [target.app.apiName ?? target.app.label, target.app.namespacePrefix ?? '']);
  return error?.message ?? '';
}

/** Whether the read-back policy shows the diff's `after` value. */
function readsBack(policy: AppPolicy | undefined, diff: PolicyDiff): boolean {
  if (!policy) return false;
  const value = policyFieldValue(policy, diff.field);
  if (Array.isArray(value)) {
    const has = value.some((v) => v.toLowerCase() === (diff.after ?? diff.before ?? '').toLowerCase());
    return diff.after === null ? !has : has;
  }
  return value === diff.after;
}
