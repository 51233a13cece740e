/*
 * policy show / policy set. `set` is a lossless read-modify-write of each app's ConnectedApp metadata:
 * read the whole component, change only the named fields, send everything else back exactly as read
 * (minus the consumer secret, which is never sent), then read it back and check each change took.
 * 20 apps cost 2 reads + 2 updates + 2 verification reads (10 per call).
 */
import { Messages, type Connection } from '@salesforce/core';
import { errorCodeOf } from '../adapters/api.js';
import { readAppPolicies, readInventory, type AppMetadata, type InventoryRead } from '../adapters/connected-apps.js';
import { readAccessRows } from '../adapters/assignments.js';
import { updateMetadata, type SaveResult } from '../adapters/metadata-api.js';
import type { PairResult } from '../domain/assignments.js';
import type { InventoryApp } from '../domain/inventory.js';
import { id15, sameId } from '../domain/names.js';
import { policyFieldValue, readConnectedAppPolicy, type AppPolicy, type PolicyField } from '../domain/policy.js';
import { applyPolicyChange, withoutSecrets, type PolicyChange, type PolicyDiff } from '../domain/policy-edit.js';
import { PolicyError } from '../domain/policy-error.js';
import type { XmlElement } from '../domain/xml.js';
import { policySfError } from '../renderers/policy-words.js';
import { assignAccess } from './access.js';
import { resolveApps, resolveDesiredTargets, type DesiredEntry } from './resolve-apps.js';

Messages.importMessagesDirectoryFromMetaUrl(import.meta.url);
const messages = Messages.loadMessages('plugin-connectedapp', 'connectedapp.policy.set');

export type AppTarget = { app: InventoryApp; change: PolicyChange };

export type PolicyShowApp = {
  apiName: string | null;
  label: string;
  id: string;
  /** null when the app's metadata could not be read (no API name, or no component). */
  policy: Omit<AppPolicy, 'lines' | 'lineParts'> | null;
  /** Assignments in the org (SetupEntityAccess): profiles by name, permission sets by API name. */
  assignedProfiles: string[];
  assignedPermissionSets: string[];
};

export async function showPolicies(conn: Connection, names: readonly string[]): Promise<PolicyShowApp[]> {
  const inventory = await readInventory(conn);
  const apps = resolveApps(inventory.apps, names);
  const policies = await readAppPolicies(conn, apps);
  return apps.map((app) => {
    const entry = policies.get(app.id);
    const policy = entry ? (({ lines: _l, lineParts: _p, ...rest }): Omit<AppPolicy, 'lines' | 'lineParts'> => rest)(entry.policy) : null;
    return {
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
  status: 'updated' | 'unchanged' | 'would-update' | 'failed';
  changes: FieldChange[];
  errorCode: string | null;
  message: string | null;
};

export type SetOptions = { mode: 'write' | 'dry-run' | 'check'; force: boolean; assignPermissionSets: string[]; assignProfiles: string[] };

/** The apps and the change each one gets, resolved from names (every name checked before any write). */
export async function resolveTargets(conn: Connection, wanted: readonly DesiredEntry[]): Promise<{ targets: AppTarget[]; inventory: InventoryRead }> {
  const inventory = await readInventory(conn);
  const targets: AppTarget[] = resolveDesiredTargets(inventory.apps, wanted);
  return { targets, inventory };
}

export async function setPolicies(
  conn: Connection,
  targets: readonly AppTarget[],
  options: SetOptions
): Promise<{ results: AppPolicyResult[]; assignments: PairResult[]; warnings: string[] }> {
  const warnings: string[] = [];
  const assigning = options.assignPermissionSets.length + options.assignProfiles.length > 0;

  // Lockout guard: pre-authorizing an app that nobody is assigned to locks every user out.
  const lockouts = targets.filter((t) => t.change.permittedUsers === 'admin-approved' && t.app.permittedUsers !== 'admin-approved' && t.app.profiles.length + t.app.permissionSets.length === 0);
  if (lockouts.length && !assigning && !options.force && options.mode !== 'check') {
    throw messages.createError('error.Lockout', [lockouts.map((t) => t.app.apiName ?? t.app.label).join(', ')]);
  }
  if (lockouts.length && options.force && !assigning) warnings.push(messages.getMessage('warning.lockoutForced', [lockouts.map((t) => t.app.apiName ?? t.app.label).join(', ')]));

  // Assign first, so the app is never pre-authorized with nobody assigned, and so the metadata read
  // below already lists the new assignments (sending an older list back would remove them).
  let assignments: PairResult[] = [];
  if (assigning && options.mode === 'write') {
    // Every app's metadata must be readable before anything is assigned, or the run would stop half-done.
    const unreadable = [...(await readAppPolicies(conn, targets.map((t) => t.app))).entries()].filter(([, entry]) => !entry).map(([id]) => id);
    if (unreadable.length) {
      throw messages.createError('error.NoMetadataBeforeAssign', [targets.filter((t) => unreadable.includes(t.app.id)).map((t) => t.app.apiName ?? t.app.label).join(', ')]);
    }
    const names = targets.map((t) => t.app.id);
    const outcome = await assignAccess(conn, [{ apps: names, permissionSets: options.assignPermissionSets, profiles: options.assignProfiles }], 'write');
    assignments = outcome.results;
    warnings.push(...outcome.warnings);
    const failed = outcome.results.filter((r) => r.status === 'failed');
    if (failed.length) {
      const error = messages.createError('error.AssignFailed', [failed.map((f) => `${f.app} → ${f.target}: ${f.errorCode ?? ''}`).join('; ')]);
      error.setData({ results: [], assignments, dryRun: false, check: false });
      throw error;
    }
  }

  const read = await readAppPolicies(conn, targets.map((t) => t.app));
  const results: AppPolicyResult[] = [];
  const updates: Array<{ target: AppTarget; root: XmlElement; diffs: PolicyDiff[] }> = [];
  for (const target of targets) {
    const name = target.app.apiName ?? target.app.label;
    const entry = read.get(target.app.id);
    if (!entry) {
      results.push(failure(target, 'NOT_FOUND', messages.getMessage('message.noMetadata', [name])));
      continue;
    }
    try {
      const edit = applyPolicyChange(entry.record, target.change);
      for (const w of edit.warnings) warnings.push(messages.getMessage(`warning.${w.code}`, [name]));
      if (edit.diffs.length === 0) results.push({ app: name, appId: target.app.id, status: 'unchanged', changes: [], errorCode: null, message: null });
      else updates.push({ target, root: forUpdate(edit.root), diffs: edit.diffs });
    } catch (error) {
      if (!(error instanceof PolicyError)) throw error;
      const sfError = policySfError(error);
      results.push(failure(target, error.code, sfError.message));
    }
  }
  if (options.mode !== 'write') {
    return { results: [...results, ...updates.map((u) => ({ ...changed(u), status: 'would-update' as const }))], assignments, warnings };
  }
  if (updates.length === 0) return { results, assignments, warnings };

  const saved: SaveResult[] = await updateMetadata(conn, 'ConnectedApp', updates.map((u) => u.root));
  // Read back what was saved, and what may have been (a call that failed without an answer).
  const toVerify = updates.filter((_, i) => saved.at(i)?.success === true || saved.at(i)?.outcomeUnknown === true);
  updates.forEach((u, i) => {
    const save = saved.at(i);
    if (!save?.success && !save?.outcomeUnknown) results.push(failure(u.target, save?.errors[0]?.statusCode ?? 'UNKNOWN_ERROR', explainSaveError(u.target, save)));
  });

  // Verify: read back and compare every changed field with what was asked.
  let after: Map<string, AppMetadata | null> | null = new Map();
  try {
    if (toVerify.length) after = await readAppPolicies(conn, toVerify.map((u) => u.target.app));
  } catch (error) {
    after = null;
    warnings.push(messages.getMessage('warning.notVerified', [errorCodeOf(error)]));
  }
  for (const update of toVerify) {
    const save = saved[updates.indexOf(update)] as SaveResult | undefined;
    if (after === null) {
      results.push({ ...changed(update), status: 'failed', errorCode: 'NOT_VERIFIED', message: messages.getMessage(save?.success ? 'message.savedNotVerified' : 'message.unknownNotVerified') });
      continue;
    }
    const policy = after.get(update.target.app.id)?.policy;
    const mismatched = update.diffs.filter((d) => !readsBack(policy, d));
    if (mismatched.length === 0) results.push({ ...changed(update), status: 'updated' });
    else if (save?.success) {
      results.push({ ...changed(update), status: 'failed', errorCode: 'NOT_APPLIED', message: messages.getMessage('message.notApplied', [mismatched.map((d) => d.field).join(', ')]) });
    } else {
      // The call failed without an answer and the app reads back unchanged: nothing was applied.
      results.push(failure(update.target, save?.errors[0]?.statusCode ?? 'UNKNOWN_ERROR', save?.errors[0]?.message ?? ''));
    }
  }
  await checkAssignmentsKept(conn, toVerify, warnings);
  const order = new Map(targets.map((t, i) => [t.app.id, i]));
  results.sort((a, b) => (order.get(a.appId) ?? 0) - (order.get(b.appId) ?? 0));
  return { results, assignments, warnings };
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
  return { app: update.target.app.apiName ?? update.target.app.label, appId: update.target.app.id, status: 'updated', changes: update.diffs.map((d) => ({ ...d })), errorCode: null, message: null };
}

function failure(target: AppTarget, errorCode: string, message: string): AppPolicyResult {
  return { app: target.app.apiName ?? target.app.label, appId: target.app.id, status: 'failed', changes: [], errorCode, message };
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
