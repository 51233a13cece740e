/* Reply values and the REST error shapes the handlers share. */

export type Reply = {
  status: number;
  headers?: Record<string, string>;
  body?: string | Buffer;
  /** A streamed body of known length (event log files). */
  stream?: { length: number; chunks: () => Iterable<Buffer> };
  /** Sent gzip-compressed when the request accepts it (query answers and event log files). */
  compressible?: boolean;
  /** Records the answer returns (query rows, metadata records, save results): the latency model charges for them. */
  records?: number;
};

export const JSON_TYPE = 'application/json;charset=UTF-8';
export const XML_TYPE = 'text/xml;charset=UTF-8';

export function json(status: number, value: unknown, headers: Record<string, string> = {}): Reply {
  return { status, headers: { 'Content-Type': JSON_TYPE, ...headers }, body: JSON.stringify(value) };
}

/** The REST error body: `[{ message, errorCode }]` (+ `fields` where the API includes them). */
export function restError(status: number, errorCode: string, message: string, fields?: string[]): Reply {
  return json(status, [fields === undefined ? { message, errorCode } : { message, errorCode, fields }]);
}

export const notFound = (): Reply => restError(404, 'NOT_FOUND', 'The requested resource does not exist');

export const sessionInvalid = (): Reply => restError(401, 'INVALID_SESSION_ID', 'Session expired or invalid');

export function methodNotAllowed(method: string, allowed: string[]): Reply {
  return restError(405, 'METHOD_NOT_ALLOWED', `HTTP Method '${method}' not allowed. Allowed are ${allowed.join(',')}`);
}
