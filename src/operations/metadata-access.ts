/*
 * The second write path for app access: the ConnectedApp metadata's profileName list, changed through
 * the same lossless read-modify-write as `policy set` (every other element is sent back as read, the
 * consumer secret never). Used where the org refuses a SetupEntityAccess write on a profile.
 */
import { Messages, type Connection } from '@salesforce/core';
import { errorCodeOf, messageOf } from '../adapters/api.js';
import { readAccessRows } from '../adapters/assignments.js';
import { readMetadata, updateMetadata } from '../adapters/metadata-api.js';
import { pairResult, planAssign, type AccessPair, type PairResult } from '../domain/access/assignments.js';
import { readConnectedAppPolicy } from '../domain/policy/policy.js';
import { applyPolicyChange, withoutSecrets } from '../domain/policy/policy-edit.js';
import { PolicyError } from '../domain/policy/policy-error.js';
import type { XmlElement } from '../domain/xml.js';

Messages.importMessagesDirectoryFromMetaUrl(import.meta.url);
const messages = Messages.loadMessages('plugin-connectedapp', 'connectedapp.assign');

type Direction = 'add' | 'remove';

/**
 * Adds (or removes) the profiles of these pairs to (from) each app's profileName list. One read and one
 * update per 10 apps, then one query to confirm which pairs now exist. Returns one result per pair.
 */
export async function writeProfilesThroughMetadata(conn: Connection, pairs: readonly AccessPair[], direction: Direction): Promise<PairResult[]> {
  const fail = (pair: AccessPair, errorCode: string, message: string): PairResult => pairResult(pair, 'failed', { path: 'metadata', errorCode, message });
  const byApp = new Map<string, AccessPair[]>();
  for (const pair of pairs) {
    if (!pair.app.apiName) continue;
    byApp.set(pair.app.apiName, [...(byApp.get(pair.app.apiName) ?? []), pair]);
  }
  const results: PairResult[] = pairs.filter((p) => !p.app.apiName).map((p) => fail(p, 'NO_API_NAME', messages.getMessage('message.noApiName')));
  if (byApp.size === 0) return results;

  let records: Map<string, XmlElement | null>;
  try {
    records = await readMetadata(conn, 'ConnectedApp', [...byApp.keys()]);
  } catch (error) {
    return [...results, ...[...byApp.values()].flat().map((p) => fail(p, errorCodeOf(error), messageOf(error)))];
  }

  const updates: Array<{ name: string; root: XmlElement }> = [];
  for (const [name, appPairs] of byApp) {
    const record = records.get(name);
    if (!record) {
      results.push(...appPairs.map((p) => fail(p, 'NOT_FOUND', messages.getMessage('message.noMetadata', [name]))));
      continue;
    }
    try {
      const current = readConnectedAppPolicy(record).profileNames;
      const named = new Set(appPairs.map((p) => p.holder.name.toLowerCase()));
      const desired = direction === 'add' ? [...current, ...appPairs.map((p) => p.holder.name)] : current.filter((n) => !named.has(n.toLowerCase()));
      updates.push({ name, root: withoutSecrets(applyPolicyChange(record, { profileNames: [...new Set(desired)] }).root) });
    } catch (error) {
      if (!(error instanceof PolicyError)) throw error;
      results.push(...appPairs.map((p) => fail(p, error.code, error.message)));
    }
  }

  const saved = await updateMetadata(conn, 'ConnectedApp', updates.map((u) => u.root));
  const written: AccessPair[] = [];
  /** Pairs whose update failed without an answer, with the failure's code. */
  const unknown = new Map<AccessPair, string>();
  updates.forEach((update, i) => {
    const save = saved.at(i);
    const appPairs = byApp.get(update.name) ?? [];
    // Saved, or perhaps saved (the call failed without an answer): the read-back below decides.
    if (save?.success || save?.outcomeUnknown) written.push(...appPairs);
    else results.push(...appPairs.map((p) => fail(p, save?.errors[0]?.statusCode ?? 'UNKNOWN_ERROR', save?.errors[0]?.message ?? '')));
    if (!save?.success && save?.outcomeUnknown) for (const pair of appPairs) unknown.set(pair, save.errors[0]?.statusCode ?? 'UNKNOWN_ERROR');
  });
  if (written.length === 0) return results;

  // Read back: the change counts only if the org now shows (or no longer shows) the access.
  let rows: Awaited<ReturnType<typeof readAccessRows>>;
  try {
    rows = await readAccessRows(conn, [...new Set(written.map((p) => p.app.id))], [...new Set(written.map((p) => p.holder.permissionSetId))]);
  } catch (error) {
    const code = errorCodeOf(error);
    return [
      ...results,
      ...written.map((p) =>
        unknown.has(p)
          ? pairResult(p, 'unknown', { path: 'metadata', errorCode: unknown.get(p) ?? code, message: messages.getMessage('message.outcomeUnknown', [unknown.get(p) ?? code, code]) })
          : pairResult(p, direction === 'add' ? 'created' : 'deleted', { path: 'metadata', verified: false, message: messages.getMessage('message.notVerified', [code]) })
      ),
    ];
  }
  const { present, missing } = planAssign(written, rows);
  // A write that got no answer and reads back unchanged was not applied: report the failure it met.
  const notApplied = (p: AccessPair, key: 'message.notApplied' | 'message.stillPresent'): PairResult =>
    unknown.has(p) ? fail(p, unknown.get(p) ?? 'UNKNOWN_ERROR', messages.getMessage('message.lostAndNotApplied')) : fail(p, 'NOT_APPLIED', messages.getMessage(key));
  if (direction === 'add') {
    results.push(...present.map((p) => pairResult(p, 'created', { path: 'metadata', recordId: p.row.id, verified: true })));
    results.push(...missing.map((p) => notApplied(p, 'message.notApplied')));
  } else {
    results.push(...missing.map((p) => pairResult(p, 'deleted', { path: 'metadata', verified: true })));
    results.push(...present.map((p) => notApplied(p, 'message.stillPresent')));
  }
  return results;
}
