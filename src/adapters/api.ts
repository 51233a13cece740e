/*
 * REST helpers on the transport (./transport.ts): paged SOQL, JSON writes, and error classification.
 * Every adapter goes through these, so retries, session refresh and error wording live in one place.
 */
import type { Connection } from '@salesforce/core';
import { ApiError, call, callJson, ConnectionError, isRetryable } from './transport.js';

export { ApiError, ConnectionError } from './transport.js';

export type QueryResponse<T> = { totalSize: number; done: boolean; nextRecordsUrl?: string; records: T[] };

/** The Salesforce errorCode of an error (INVALID_TYPE, INSUFFICIENT_ACCESS, ECONNRESET…). */
export function errorCodeOf(error: unknown): string {
  if (error instanceof ApiError) return error.errorCode;
  if (typeof error === 'object' && error !== null) {
    const e = error as { errorCode?: unknown; name?: unknown; code?: unknown };
    if (typeof e.errorCode === 'string' && e.errorCode) return e.errorCode;
    if (typeof e.code === 'string' && e.code) return e.code;
    if (typeof e.name === 'string' && e.name && e.name !== 'Error') return e.name;
  }
  return 'UNKNOWN_ERROR';
}

export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Errors that mean "this source is not available to this user or org", not "the command failed". */
const UNAVAILABLE_CODES = new Set(['INVALID_TYPE', 'INSUFFICIENT_ACCESS', 'INSUFFICIENT_ACCESS_OR_READONLY', 'API_DISABLED_FOR_ORG', 'NOT_FOUND', 'FUNCTIONALITY_NOT_ENABLED', 'INVALID_FIELD']);

export function isSourceUnavailable(error: unknown): boolean {
  return UNAVAILABLE_CODES.has(errorCodeOf(error));
}

/** Failures that may pass if tried again: dropped or cut answers, 429, 5xx, SERVER_UNAVAILABLE. */
export function isTransient(error: unknown): boolean {
  return isRetryable(error);
}

/** Whether a failed write may have been applied (no answer, or not the org's own refusal): read back to know. */
export function mayHaveApplied(error: unknown): boolean {
  return !(error instanceof ApiError) || error.outcome === 'unknown';
}

/** Whether the org could not be reached at all (exit code 10). */
export function isUnreachable(error: unknown): boolean {
  return error instanceof ConnectionError;
}

export function dataPath(conn: Connection, rest: string): string {
  return `/services/data/v${conn.getApiVersion()}${rest}`;
}

/** Runs a SOQL query and follows nextRecordsUrl until done. One request per page, nothing more. */
export async function queryAll<T>(conn: Connection, soql: string, options: { tooling?: boolean } = {}): Promise<QueryResponse<T>> {
  const base = options.tooling ? '/tooling/query' : '/query';
  const get = (path: string): Promise<QueryResponse<T>> => callJson<QueryResponse<T>>(conn, { method: 'GET', path, idempotent: true });
  let page = await get(dataPath(conn, `${base}?q=${encodeURIComponent(soql)}`));
  const records = [...page.records];
  while (!page.done && page.nextRecordsUrl) {
    // Sequential on purpose: each page names the next one.
    page = await get(page.nextRecordsUrl);
    records.push(...page.records);
  }
  return { totalSize: page.totalSize, done: page.done, records };
}

/** A REST GET of one resource (describe, versions…), retried like every read. */
export async function getJson<T>(conn: Connection, path: string): Promise<T> {
  return callJson<T>(conn, { method: 'GET', path, idempotent: true });
}

/**
 * A JSON REST write. Never resent: a failure throws an ApiError whose `outcome` says whether the org refused it
 * ('not-applied') or it may have gone through ('unknown' — read back to know).
 */
export async function sendJson<T>(conn: Connection, method: 'POST' | 'PATCH' | 'DELETE', path: string, body?: unknown): Promise<T> {
  const answer = await call(conn, {
    method,
    path,
    idempotent: false,
    body: body === undefined ? undefined : JSON.stringify(body),
    headers: body === undefined ? { Accept: 'application/json' } : { 'Content-Type': 'application/json', Accept: 'application/json' },
  });
  try {
    return (answer.text ? JSON.parse(answer.text) : null) as T;
  } catch (error) {
    // A success status with a body that does not parse: the write may well have been applied.
    throw new ApiError(`The org's answer to ${method} could not be read.`, 'UNEXPECTED_RESPONSE', { cause: error, status: answer.status, outcome: 'unknown' });
  }
}
