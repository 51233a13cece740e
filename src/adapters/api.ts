/*
 * Thin helpers over jsforce's Connection.request: paged SOQL, SOAP calls, and error classification.
 * Every adapter goes through these, so request counting, retries and error wording live in one place.
 */
import type { Connection } from '@salesforce/core';

/**
 * The retry policy for GET reads, applied by jsforce per request. Only GETs: jsforce cannot resend a
 * POST body, so SOAP reads retry in soapCall instead.
 */
export const READ_RETRY = {
  maxRetries: 4,
  minTimeout: 250,
  timeoutFactor: 2,
  statusCodes: [500, 502, 503, 504],
  methods: ['GET'],
};

/** Writes are never retried blindly: a lost response may hide a committed write. */
export const NO_RETRY = { maxRetries: 0 };

export type QueryResponse<T> = { totalSize: number; done: boolean; nextRecordsUrl?: string; records: T[] };

/** An error from Salesforce with its errorCode (INVALID_TYPE, INSUFFICIENT_ACCESS, REQUEST_LIMIT_EXCEEDED…). */
export class ApiError extends Error {
  public constructor(message: string, public readonly errorCode: string, cause?: unknown) {
    super(message, { cause });
    this.name = 'ApiError';
  }
}

/** Reads the Salesforce errorCode from whatever jsforce threw (HttpApiError, network error, SoapFault). */
export function errorCodeOf(error: unknown): string {
  if (error instanceof ApiError) return error.errorCode;
  // fetch reports network failures as TypeError('fetch failed' / 'terminated') with the socket error as cause.
  if (error instanceof TypeError && /fetch failed|terminated/.test(error.message)) {
    const cause = (error as { cause?: { code?: unknown; cause?: { code?: unknown } } }).cause;
    const code = cause?.code ?? cause?.cause?.code;
    return typeof code === 'string' ? code : 'CONNECTION_LOST';
  }
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

type RequestArgs = Parameters<Connection['request']>;

/**
 * Connection.request, made safe against a connection dropped mid-response: jsforce also exposes every
 * response as a stream, and an error on a stream nobody listens to would crash the process. The
 * promise rejects with the same error, which callers handle.
 */
export function request<T>(conn: Connection, req: RequestArgs[0], options?: RequestArgs[1]): Promise<T> {
  const pending = conn.request<T>(req, options);
  // (Test doubles return a plain promise, without the stream.)
  if (typeof (pending as Partial<typeof pending>).stream === 'function') pending.stream().on('error', () => undefined);
  return pending;
}

export function dataPath(conn: Connection, rest: string): string {
  return `/services/data/v${conn.getApiVersion()}${rest}`;
}

/** Runs a SOQL query and follows nextRecordsUrl until done. One request per page, nothing more. */
export async function queryAll<T>(conn: Connection, soql: string, options: { tooling?: boolean } = {}): Promise<QueryResponse<T>> {
  const base = options.tooling ? '/tooling/query' : '/query';
  let page = await request<QueryResponse<T>>(
    conn,
    { method: 'GET', url: dataPath(conn, `${base}?q=${encodeURIComponent(soql)}`) },
    { retry: READ_RETRY }
  );
  const records = [...page.records];
  while (!page.done && page.nextRecordsUrl) {
    // Sequential on purpose: each page names the next one.
    page = await request<QueryResponse<T>>(conn, { method: 'GET', url: page.nextRecordsUrl }, { retry: READ_RETRY });
    records.push(...page.records);
  }
  return { totalSize: page.totalSize, done: page.done, records };
}

/** Failures where the request may or may not have been applied: 5xx answers and dropped connections. */
export function isTransient(error: unknown): boolean {
  const code = errorCodeOf(error);
  if (/^ERROR_HTTP_5\d\d$/.test(code)) return true;
  if (['SERVER_UNAVAILABLE', 'UNKNOWN_EXCEPTION', 'CONNECTION_LOST', 'ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'UND_ERR_SOCKET', 'UND_ERR_CLOSED'].includes(code)) return true;
  const message = messageOf(error);
  return /socket hang up|other side closed|terminated|fetch failed/i.test(message);
}

/** How long one write may take before it is abandoned (and its outcome checked by reading back). */
const WRITE_TIMEOUT_MS = 10 * 60_000;

/**
 * One HTTP call straight over fetch, used for writes. jsforce pipes a response body into its own stream
 * without forwarding errors, so a connection dropped mid-answer crashes the process; a write must instead
 * fail cleanly, so that the caller can read back what was applied. A 401 refreshes the session once
 * (nothing was applied) where the connection's auth allows it.
 */
export async function fetchText(conn: Connection, method: string, path: string, body?: string, headers: Record<string, string> = {}): Promise<{ status: number; text: string }> {
  const send = async (): Promise<{ status: number; text: string }> => {
    const response = await fetch(new URL(path, conn.instanceUrl), {
      method,
      body,
      headers: { Authorization: `Bearer ${conn.accessToken ?? ''}`, ...headers },
      signal: AbortSignal.timeout(WRITE_TIMEOUT_MS),
    });
    return { status: response.status, text: await response.text() };
  };
  const first = await send();
  if (first.status !== 401) return first;
  try {
    await conn.refreshAuth();
  } catch {
    return first;
  }
  return send();
}

/** A JSON REST write over fetchText; an error status becomes an ApiError with Salesforce's errorCode. */
export async function sendJson<T>(conn: Connection, method: string, path: string, body?: unknown): Promise<T> {
  const { status, text } = await fetchText(conn, method, path, body === undefined ? undefined : JSON.stringify(body), body === undefined ? {} : { 'Content-Type': 'application/json' });
  let parsed: unknown;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    parsed = null;
  }
  if (status >= 400) {
    const first = (Array.isArray(parsed) ? parsed[0] : parsed) as { errorCode?: unknown; message?: unknown } | null;
    const code = typeof first?.errorCode === 'string' ? first.errorCode : `ERROR_HTTP_${status}`;
    throw new ApiError(typeof first?.message === 'string' ? first.message : text.slice(0, 500), code);
  }
  return parsed as T;
}
