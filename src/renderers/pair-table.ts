// The per-pair result table shared by assign and unassign.
import { Messages } from '@salesforce/core';
import type { PairResult } from '../domain/access/assignments.js';

Messages.importMessagesDirectoryFromMetaUrl(import.meta.url);
const messages = Messages.loadMessages('plugin-connectedapp', 'connectedapp.assign');

const COLUMNS = ['app', 'target', 'targetType', 'status', 'path', 'recordId', 'message'] as const;

/** The app's and the holder's API names, the status and the record Id are copied whole: never wrapped. */
const IDENTIFIERS: ReadonlySet<(typeof COLUMNS)[number]> = new Set(['app', 'target', 'status', 'recordId']);

export function pairTable(results: readonly PairResult[]): {
  data: Array<Record<(typeof COLUMNS)[number], string>>;
  columns: Array<{ key: (typeof COLUMNS)[number]; name: string; identifier: boolean }>;
} {
  return {
    data: results.map((r) => ({
      app: r.app,
      target: r.target,
      targetType: messages.getMessage(`targetType.${r.targetType}`),
      status: r.verified === false ? messages.getMessage('status.unverified', [r.status]) : r.status,
      path: r.path === 'none' ? '' : r.path,
      recordId: r.recordId ?? '',
      message: [r.errorCode, r.message].filter(Boolean).join(': '),
    })),
    // Empty columns (no path or record Id in a dry run, no message) are left out when the table is printed.
    columns: COLUMNS.map((key) => ({ key, name: messages.getMessage(`column.${key}`), identifier: IDENTIFIERS.has(key) })),
  };
}

export function countBy(results: readonly PairResult[], ...statuses: Array<PairResult['status']>): number {
  return results.filter((r) => statuses.includes(r.status)).length;
}

/** The error code of the first pair that has one, for a one-line summary of a failed run. */
export function firstErrorCode(results: readonly PairResult[]): string {
  return results.find((r) => r.errorCode)?.errorCode ?? 'UNKNOWN_ERROR';
}
