/*
 * The one way the plugin talks to an org. Every request — REST queries and their pages, describes, composite
 * writes, SOAP Metadata API calls, event-log downloads, token revocation — goes through `call` or `openStream`,
 * built on Node's fetch with the connection's instance URL, session and API version.
 *
 * Why not jsforce: jsforce-node pipes every response body into its own stream without an error listener, so a
 * connection dropped mid-answer crashes the process; its retry cannot resend a POST body and would retry SOAP
 * faults (HTTP 500) such as INSUFFICIENT_ACCESS; an expired session on SOAP (a 500 fault) is never refreshed.
 *
 * What this module guarantees:
 * - reads (`idempotent: true`) are retried with backoff on dropped or truncated answers, 429, 5xx and the
 *   org's SERVER_UNAVAILABLE / REQUEST_LIMIT_EXCEEDED, at most RETRIES times;
 * - an INVALID_SESSION_ID answer (REST 401 or SOAP fault) refreshes the session once and resends — safe for
 *   writes too, because nothing was applied;
 * - writes are never resent; a failed write says whether it was surely not applied (the org answered with an
 *   error of its own) or may have been (no answer, a cut answer, a gateway page): `ApiError.outcome`;
 * - every failure is an `ApiError` (or its `ConnectionError` subclass for the network) with the org's error
 *   code, never a bare TypeError (sf-plugins-core turns anything named TypeError into exit code 10);
 * - gzip is accepted (fetch asks for it and inflates).
 */
import type { Connection } from '@salesforce/core';

/** Whether a failed request changed anything in the org. */
export type WriteOutcome = 'not-applied' | 'unknown';

/** An error from the org, or from the way to it, with Salesforce's errorCode (INVALID_TYPE, INSUFFICIENT_ACCESS…). */
export class ApiError extends Error {
  /** HTTP status of the answer; null when there was none. */
  public readonly status: number | null;
  /** For a write: 'not-applied' when the org answered with its own error, 'unknown' otherwise. */
  public readonly outcome: WriteOutcome;
  /** How long the org asked us to wait before trying again (Retry-After). */
  public readonly retryAfterMs: number | null;

  public constructor(
    message: string,
    public readonly errorCode: string,
    options: { cause?: unknown; status?: number | null; outcome?: WriteOutcome; retryAfterMs?: number | null } = {}
  ) {
    super(message, { cause: options.cause });
    this.name = 'ApiError';
    this.status = options.status ?? null;
    this.outcome = options.outcome ?? 'not-applied';
    this.retryAfterMs = options.retryAfterMs ?? null;
  }
}

/** The network failed: no answer, or an answer cut short. errorCode is the socket's (ECONNRESET…) or CONNECTION_LOST. */
export class ConnectionError extends ApiError {
  public constructor(message: string, errorCode: string, cause?: unknown) {
    super(message, errorCode, { cause, outcome: 'unknown' });
    this.name = 'ConnectionError';
  }
}

/** How an answer with an error status (or a SOAP fault) is read: its errorCode and message, if it says. */
export type ErrorReader = (status: number, text: string) => { errorCode: string; message: string } | null;

export type HttpCall = {
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  /** A path on the instance (`/services/data/v67.0/query?q=…`) or a full URL on it. */
  path: string;
  /** The body, or a function of the session id for bodies that carry it (SOAP envelopes). */
  body?: string | ((sessionId: string) => string);
  headers?: Record<string, string>;
  /** True for reads and anything else that is safe to send twice: only those are retried. */
  idempotent: boolean;
  /** SOAP calls carry the session in the envelope: no Authorization header. */
  soap?: boolean;
  /** Reads the org's error out of an error answer (default: the REST `[{ errorCode, message }]` shape). */
  readError?: ErrorReader;
  /** Checks a successful answer is whole (e.g. parses); throwing marks it truncated, which reads retry. */
  check?: (text: string) => void;
  timeoutMs?: number;
};

export type HttpAnswer = { status: number; text: string; headers: Headers };

/** Retries after the first attempt of an idempotent call. */
export const RETRIES = 4;
/**
 * The wait before the first retry, doubled for each next one (250 ms: 3.75 s in all). Only a test lowers it: the
 * fault matrix makes thousands of runs that are about what a fault does, not about how long a retry waits.
 */
export const retryBackoff = { firstMs: 250 };
/** A Retry-After longer than this is not waited for. */
const MAX_RETRY_AFTER_MS = 10_000;
const READ_TIMEOUT_MS = 120_000;
const WRITE_TIMEOUT_MS = 10 * 60_000;

const RETRY_STATUSES = new Set([429, 500, 502, 503, 504]);
const RETRY_CODES = new Set(['SERVER_UNAVAILABLE', 'REQUEST_LIMIT_EXCEEDED', 'UNKNOWN_EXCEPTION']);
/** Faults that are the org's considered answer even with status 500 (SOAP sends every fault as a 500). */
const ANSWER_CODES_AT_500 = new Set(['INSUFFICIENT_ACCESS', 'INVALID_TYPE', 'INVALID_FIELD', 'MALFORMED_QUERY', 'INVALID_SESSION_ID', 'API_DISABLED_FOR_ORG', 'INVALID_CROSS_REFERENCE_KEY']);

/** Sends one call and returns the whole answer (status < 400), or throws an ApiError. */
export async function call(conn: Connection, request: HttpCall): Promise<HttpAnswer> {
  let refreshed = false;
  for (let attempt = 0; ; attempt++) {
    let failure: ApiError;
    try {
      const answer = await sendOnce(conn, request);
      const error = answerError(answer, request);
      if (!error) return answer;
      failure = error;
    } catch (error) {
      failure = asApiError(error);
    }
    if (failure.errorCode === 'INVALID_SESSION_ID' && !refreshed && (await refreshSession(conn))) {
      refreshed = true;
      attempt--;
      continue;
    }
    if (!request.idempotent || attempt >= RETRIES || !isRetryable(failure)) throw failure;
    await sleep(retryDelay(failure, attempt));
  }
}

/** A JSON call: the parsed body of a successful answer (null for an empty one). A cut JSON answer is retried. */
export async function callJson<T>(conn: Connection, request: Omit<HttpCall, 'check'>): Promise<T> {
  const answer = await call(conn, { ...request, check: parseJsonOrEmpty, headers: { Accept: 'application/json', ...request.headers } });
  return (answer.text ? JSON.parse(answer.text) : null) as T;
}

function parseJsonOrEmpty(text: string): void {
  if (text) JSON.parse(text);
}

/**
 * Opens a response for streaming (event-log bodies): the status is checked and a 401 refreshes the session
 * once; the body is the caller's to consume (with an error handler: pipeline()). Not retried here: a download
 * restarts from byte zero, which only the caller can do.
 */
export async function openStream(conn: Connection, path: string, options: { headers?: Record<string, string>; signal?: AbortSignal } = {}): Promise<Response> {
  for (let refreshed = false; ; refreshed = true) {
    let response: Response;
    try {
      response = await fetch(urlOf(conn, path), { headers: { Authorization: `Bearer ${conn.accessToken ?? ''}`, ...options.headers }, signal: options.signal });
    } catch (error) {
      throw asApiError(error);
    }
    if (response.ok) return response;
    let text = '';
    try {
      text = await response.text();
    } catch {
      // The error body only adds words to the message.
    }
    const error = answerError({ status: response.status, text, headers: response.headers }, { idempotent: true }) ?? new ApiError(response.statusText, `ERROR_HTTP_${response.status}`, { status: response.status });
    if (error.errorCode === 'INVALID_SESSION_ID' && !refreshed && (await refreshSession(conn))) continue;
    throw error;
  }
}

/** Transient failures: worth retrying for a read, and a reason to read back after a write. */
export function isRetryable(error: unknown): boolean {
  if (error instanceof ConnectionError) return true;
  if (!(error instanceof ApiError)) return false;
  if (RETRY_CODES.has(error.errorCode)) return true;
  return error.status !== null && RETRY_STATUSES.has(error.status) && !ANSWER_CODES_AT_500.has(error.errorCode);
}

function urlOf(conn: Connection, path: string): URL {
  // A stored instance URL may end in '/', and paths may then arrive as '//services/…'.
  return new URL(path.replace(/^\/+/, '/'), conn.instanceUrl);
}

async function sendOnce(conn: Connection, request: HttpCall): Promise<HttpAnswer> {
  const session = conn.accessToken ?? '';
  const body = typeof request.body === 'function' ? request.body(session) : request.body;
  const headers: Record<string, string> = { ...(request.soap ? {} : { Authorization: `Bearer ${session}` }), ...request.headers };
  const timeout = request.timeoutMs ?? (request.idempotent ? READ_TIMEOUT_MS : WRITE_TIMEOUT_MS);
  const response = await fetch(urlOf(conn, request.path), { method: request.method, body, headers, signal: AbortSignal.timeout(timeout) });
  // Reading the whole body is where a cut connection shows: fetch rejects, and asApiError makes it a ConnectionError.
  const text = await response.text();
  if (response.status < 400 && request.check) {
    try {
      request.check(text);
    } catch (error) {
      throw new ConnectionError(`The org's answer to ${request.method} ${shortPath(request.path)} was cut short (${text.length} characters).`, 'TRUNCATED_RESPONSE', error);
    }
  }
  return { status: response.status, text, headers: response.headers };
}

/** The error an answer carries, or null when it is a success. */
function answerError(answer: HttpAnswer, request: Pick<HttpCall, 'idempotent' | 'readError'>): ApiError | null {
  const read = (request.readError ?? readRestError)(answer.status, answer.text);
  if (answer.status < 400 && !read) return null;
  const errorCode = read?.errorCode ?? `ERROR_HTTP_${answer.status}`;
  const message = read?.message ?? (oneLine(answer.text) || `HTTP ${answer.status}`);
  // The org's own error body (a REST error list, a SOAP fault) below 500 is a refusal: nothing was applied.
  // A 5xx, or a page that is not the org's (a gateway's HTML), may follow a write that went through.
  const outcome: WriteOutcome = read && (answer.status < 500 || ANSWER_CODES_AT_500.has(errorCode)) ? 'not-applied' : 'unknown';
  return new ApiError(message, errorCode, { status: answer.status, outcome, retryAfterMs: retryAfterOf(answer.headers) });
}

/** The REST error shape: `[{ "errorCode": …, "message": … }]` (or one such object). */
export function readRestError(status: number, text: string): { errorCode: string; message: string } | null {
  if (status < 400) return null;
  try {
    const parsed = JSON.parse(text) as unknown;
    const first = (Array.isArray(parsed) ? parsed[0] : parsed) as { errorCode?: unknown; message?: unknown; error?: unknown; error_description?: unknown } | null;
    if (typeof first?.errorCode === 'string') return { errorCode: first.errorCode, message: typeof first.message === 'string' ? first.message : first.errorCode };
    // The OAuth endpoints answer { error, error_description }.
    if (typeof first?.error === 'string') return { errorCode: first.error, message: typeof first.error_description === 'string' ? first.error_description : first.error };
  } catch {
    // Not the org's JSON: a gateway or proxy page.
  }
  return status === 401 ? { errorCode: 'INVALID_SESSION_ID', message: 'Session expired or invalid' } : null;
}

/** Anything fetch or a check threw, as an ApiError: network failures become ConnectionErrors. */
function asApiError(error: unknown): ApiError {
  if (error instanceof ApiError) return error;
  const e = error as { name?: unknown; message?: unknown; cause?: { code?: unknown; message?: unknown; cause?: { code?: unknown } } };
  if (e.name === 'TimeoutError' || e.name === 'AbortError') return new ConnectionError(`The org did not answer in time (${String(e.message)}).`, 'TIMEOUT', error);
  if (error instanceof TypeError) {
    // fetch: 'fetch failed' (no answer) or 'terminated' (the body was cut), with the socket error as cause.
    const code = e.cause?.code ?? e.cause?.cause?.code;
    const reason = typeof e.cause?.message === 'string' ? e.cause.message : String(e.message);
    return new ConnectionError(`The connection to the org failed: ${reason}`, typeof code === 'string' ? code : 'CONNECTION_LOST', error);
  }
  return new ApiError(error instanceof Error ? error.message : String(error), 'UNKNOWN_ERROR', { cause: error, outcome: 'unknown' });
}

async function refreshSession(conn: Connection): Promise<boolean> {
  try {
    await conn.refreshAuth();
    return true;
  } catch {
    return false;
  }
}

function retryAfterOf(headers: Headers): number | null {
  const seconds = Number(headers.get('retry-after') ?? NaN);
  return Number.isFinite(seconds) ? seconds * 1000 : null;
}

function retryDelay(error: ApiError, attempt: number): number {
  const backoff = retryBackoff.firstMs * 2 ** attempt;
  return error.retryAfterMs === null ? backoff : Math.min(Math.max(error.retryAfterMs, backoff), MAX_RETRY_AFTER_MS);
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

const oneLine = (text: string): string => text.replace(/<[^>]*>/g, ' ').replace(/\s+/g, ' ').trim().slice(0, 300);

const shortPath = (path: string): string => path.replace(/\?.*$/, '');
