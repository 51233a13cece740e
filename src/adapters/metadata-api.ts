/*
 * Metadata API (SOAP) calls, spoken directly so the XML stays an ordered tree we control:
 * jsforce's ConnectedApp typings predate most OAuth fields and would drop or mistype them.
 */
import type { Connection } from '@salesforce/core';
import { ApiError, errorCodeOf, fetchText, isTransient, messageOf, NO_RETRY, request } from './api.js';
import { chunk, mapWithConcurrency } from '../domain/collections.js';
import { childText, elements, escapeXml, findDescendant, localName, parseXml, serializeXml, textOf, XmlParseError, type XmlElement } from '../domain/xml.js';

const METADATA_NS = 'http://soap.sforce.com/2006/04/metadata';

/** One row of listMetadata's FileProperties. */
export type FileProperties = {
  fullName: string;
  id: string | null;
  type: string;
  fileName: string | null;
  namespacePrefix: string | null;
  manageableState: string | null;
  createdDate: string | null;
  lastModifiedDate: string | null;
};

/** Sends one SOAP operation and returns its `<operation>Response` element. SOAP faults become ApiError. */
/** SOAP reads are retried this many times on transient failures (never on a SOAP fault). */
const SOAP_READ_RETRIES = 3;
const SOAP_RETRY_BASE_MS = 250;

/**
 * Sends one SOAP operation and returns its `<operation>Response` element. SOAP faults become ApiError.
 * Retries are ours, not jsforce's: jsforce cannot resend a POST body, and a SOAP fault (HTTP 500) such as
 * INSUFFICIENT_ACCESS must not be retried at all. Only reads are retried (`retries`: 0 for writes).
 */
export async function soapCall(conn: Connection, operation: string, bodyXml: string, options: { retries?: number; write?: boolean } = {}): Promise<XmlElement> {
  const envelope = (): string =>
    '<?xml version="1.0" encoding="UTF-8"?>' +
    `<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns="${METADATA_NS}">` +
    `<soapenv:Header><SessionHeader><sessionId>${escapeXml(conn.accessToken ?? '')}</sessionId></SessionHeader></soapenv:Header>` +
    `<soapenv:Body><${operation}>${bodyXml}</${operation}></soapenv:Body></soapenv:Envelope>`;
  const retries = options.retries ?? SOAP_READ_RETRIES;
  let refreshed = false;
  let text: string | undefined;
  for (let attempt = 0; text === undefined; attempt++) {
    try {
      text = options.write ? await postWrite(conn, envelope()) : await postRead(conn, envelope());
    } catch (error) {
      const fault = faultFrom(error);
      // An expired session is a SOAP fault (HTTP 500), which jsforce does not see as one: refresh it once
      // and resend with the new session id. Nothing was applied, so this is safe for writes too.
      if (fault?.errorCode === 'INVALID_SESSION_ID' && !refreshed && (await refreshSession(conn))) {
        refreshed = true;
        attempt--;
        continue;
      }
      // A fault is an answer (INSUFFICIENT_ACCESS, INVALID_TYPE…), except the server saying it is unavailable.
      if (fault && fault.errorCode !== 'SERVER_UNAVAILABLE') throw fault;
      if (attempt >= retries || !(fault ?? isTransient(error))) throw fault ?? error;
      await sleep(SOAP_RETRY_BASE_MS * 2 ** attempt);
    }
  }
  const body = parseSoapBody(text);
  const fault = firstChild(body, 'Fault');
  if (fault) throw soapFaultError(fault);
  const response = firstChild(body, `${operation}Response`);
  if (!response) throw new ApiError(`The Metadata API answered ${operation} without a ${operation}Response element.`, 'UNEXPECTED_RESPONSE');
  return response;
}

const SOAP_HEADERS = { 'Content-Type': 'text/xml; charset=utf-8', SOAPAction: '""' };

async function postRead(conn: Connection, envelope: string): Promise<string> {
  return request<string>(conn, { method: 'POST', url: soapPath(conn), body: envelope, headers: SOAP_HEADERS }, { responseType: 'text/plain', retry: NO_RETRY });
}

/** Writes go over fetch (see fetchText): a dropped answer must fail cleanly, never crash the process. */
async function postWrite(conn: Connection, envelope: string): Promise<string> {
  const { status, text } = await fetchText(conn, 'POST', soapPath(conn), envelope, SOAP_HEADERS);
  if (status >= 400) throw faultFrom(new Error(text)) ?? new ApiError(text.slice(0, 500), `ERROR_HTTP_${status}`);
  return text;
}

const soapPath = (conn: Connection): string => `/services/Soap/m/${conn.getApiVersion()}`;

/** Refreshes the connection's session (when its auth can be refreshed); false when it cannot. */
async function refreshSession(conn: Connection): Promise<boolean> {
  try {
    await conn.refreshAuth();
    return true;
  } catch {
    return false;
  }
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

function firstChild(parent: XmlElement, name: string): XmlElement | undefined {
  return elements(parent).find((e) => localName(e.name) === name);
}

function parseSoapBody(text: string): XmlElement {
  try {
    const body = findDescendant(parseXml(text).root, 'Body');
    if (body) return body;
  } catch (error) {
    if (!(error instanceof XmlParseError)) throw error;
  }
  throw new ApiError('The Metadata API returned a response that is not a SOAP envelope.', 'UNEXPECTED_RESPONSE');
}

function soapFaultError(fault: XmlElement): ApiError {
  const code = (childText(fault, 'faultcode') ?? 'SOAP_FAULT').replace(/^.*:/, '');
  const message = childText(fault, 'faultstring') ?? code;
  return new ApiError(message, code);
}

/** jsforce turns a SOAP fault (HTTP 500) into an HttpApiError whose message is the raw envelope. */
function faultFrom(error: unknown): ApiError | undefined {
  const message = error instanceof Error ? error.message : '';
  if (!message.includes('Envelope')) return undefined;
  try {
    const body = parseSoapBody(message);
    const fault = firstChild(body, 'Fault');
    return fault ? soapFaultError(fault) : undefined;
  } catch {
    return undefined;
  }
}

const nullable = (value: string | undefined): string | null => (value === undefined || value === '' ? null : value);

/** listMetadata for one type: one request whatever the number of components. */
export async function listMetadata(conn: Connection, type: string): Promise<FileProperties[]> {
  const response = await soapCall(
    conn,
    'listMetadata',
    `<queries><type>${escapeXml(type)}</type></queries><asOfVersion>${escapeXml(conn.getApiVersion())}</asOfVersion>`
  );
  return elements(response, 'result').map((r) => ({
    fullName: childText(r, 'fullName') ?? '',
    id: nullable(childText(r, 'id')),
    type: childText(r, 'type') ?? type,
    fileName: nullable(childText(r, 'fileName')),
    namespacePrefix: nullable(childText(r, 'namespacePrefix')),
    manageableState: nullable(childText(r, 'manageableState')),
    createdDate: nullable(childText(r, 'createdDate')),
    lastModifiedDate: nullable(childText(r, 'lastModifiedDate')),
  }));
}

/** readMetadata and updateMetadata take at most 10 names a call; this many calls run at once. */
const NAMES_PER_CALL = 10;
const CONCURRENT_CALLS = 4;

/**
 * readMetadata in calls of 10 names, 4 calls at a time. Returns each component as its `<records>` element
 * (children in the order the org sent them), or null where the org has no component of that name.
 */
export async function readMetadata(conn: Connection, type: string, fullNames: readonly string[]): Promise<Map<string, XmlElement | null>> {
  const batches = chunk(fullNames, NAMES_PER_CALL);
  const answers = await mapWithConcurrency(batches, CONCURRENT_CALLS, async (names) => {
    const body = `<type>${escapeXml(type)}</type>${names.map((n) => `<fullNames>${escapeXml(n)}</fullNames>`).join('')}`;
    const response = await soapCall(conn, 'readMetadata', body);
    return elements(firstChild(response, 'result') ?? response, 'records');
  });
  const found = new Map<string, XmlElement | null>(fullNames.map((n) => [n, null]));
  for (const record of answers.flat()) {
    const fullName = childText(record, 'fullName');
    // An unknown name comes back as an empty or nil record: it has no fullName.
    if (fullName) found.set(matchName(fullNames, fullName), record);
  }
  return found;
}

/** The org may answer with different capitalisation than was asked. */
function matchName(asked: readonly string[], answered: string): string {
  return asked.find((n) => n === answered) ?? asked.find((n) => n.toLowerCase() === answered.toLowerCase()) ?? answered;
}

export type SaveResult = {
  fullName: string;
  success: boolean;
  errors: Array<{ statusCode: string; message: string; fields: string[] }>;
  /** The call failed without an answer (dropped connection, 5xx): the change may or may not have been applied. */
  outcomeUnknown?: boolean;
};

/**
 * updateMetadata in calls of 10 components (each given as a full component tree, `fullName` included).
 * Not retried: a lost response could hide a committed write; callers verify by reading back. Every
 * component gets a result, in order: a call that fails outright marks its components `outcomeUnknown`
 * and does not stop the other calls.
 */
export async function updateMetadata(conn: Connection, type: string, components: readonly XmlElement[]): Promise<SaveResult[]> {
  const batches = chunk(components, NAMES_PER_CALL);
  const answers = await mapWithConcurrency(batches, CONCURRENT_CALLS, async (batch): Promise<SaveResult[]> => {
    const body = batch.map((component) => metadataElementXml(type, component)).join('');
    let response: XmlElement;
    try {
      response = await soapCall(conn, 'updateMetadata', body, { retries: 0, write: true });
    } catch (error) {
      const fault = error instanceof ApiError && error.errorCode !== 'UNEXPECTED_RESPONSE';
      return batch.map((component) => ({
        fullName: childText(component, 'fullName') ?? '',
        success: false,
        errors: [{ statusCode: errorCodeOf(error), message: messageOf(error), fields: [] }],
        // A SOAP fault is an answer: nothing in the call was applied. Anything else may hide a commit.
        outcomeUnknown: !fault,
      }));
    }
    return elements(response, 'result').map(
      (r): SaveResult => ({
        fullName: childText(r, 'fullName') ?? '',
        success: childText(r, 'success') === 'true',
        errors: elements(r, 'errors').map((e) => ({
          statusCode: childText(e, 'statusCode') ?? 'UNKNOWN_ERROR',
          message: childText(e, 'message') ?? '',
          fields: elements(e, 'fields').map((f) => textOf(f) ?? ''),
        })),
      })
    );
  });
  return answers.flat();
}

function metadataElementXml(type: string, component: XmlElement): string {
  const attributes: Array<[string, string]> = [['xsi:type', type]];
  const metadata: XmlElement = { kind: 'element', name: 'metadata', attributes, children: component.children, line: 0 };
  return serializeXml(metadata, { declaration: false, indent: '' });
}
