/*
 * Metadata API (SOAP) calls, spoken directly so the XML stays an ordered tree we control:
 * jsforce's ConnectedApp typings predate most OAuth fields and would drop or mistype them.
 */
import type { Connection } from '@salesforce/core';
import { ApiError, errorCodeOf, mayHaveApplied, messageOf } from './api.js';
import { call } from './transport.js';
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

/**
 * Sends one SOAP operation through the transport and returns its `<operation>Response` element. A SOAP fault
 * becomes an ApiError with its code (an expired session is refreshed once by the transport). Reads are retried
 * on transient failures; writes (`write: true`) never are.
 */
export async function soapCall(conn: Connection, operation: string, bodyXml: string, options: { write?: boolean } = {}): Promise<XmlElement> {
  const envelope = (sessionId: string): string =>
    '<?xml version="1.0" encoding="UTF-8"?>' +
    `<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns="${METADATA_NS}">` +
    `<soapenv:Header><SessionHeader><sessionId>${escapeXml(sessionId)}</sessionId></SessionHeader></soapenv:Header>` +
    `<soapenv:Body><${operation}>${bodyXml}</${operation}></soapenv:Body></soapenv:Envelope>`;
  const answer = await call(conn, {
    method: 'POST',
    path: `/services/Soap/m/${conn.getApiVersion()}`,
    body: envelope,
    soap: true,
    headers: SOAP_HEADERS,
    idempotent: !options.write,
    readError: readSoapFault,
    // A cut envelope does not parse: the transport then treats the answer as truncated.
    check: (text) => void parseSoapBody(text),
  });
  const response = firstChild(parseSoapBody(answer.text), `${operation}Response`);
  if (!response) throw new ApiError(`The Metadata API answered ${operation} without a ${operation}Response element.`, 'UNEXPECTED_RESPONSE', { outcome: 'unknown' });
  return response;
}

const SOAP_HEADERS = { 'Content-Type': 'text/xml; charset=utf-8', SOAPAction: '""' };

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
  throw new ApiError('The Metadata API returned a response that is not a SOAP envelope.', 'UNEXPECTED_RESPONSE', { outcome: 'unknown' });
}

/** A SOAP fault's code (without its `sf:` prefix) and message; null when the answer holds no fault. */
function readSoapFault(_status: number, text: string): { errorCode: string; message: string } | null {
  if (!text.includes('Fault')) return null;
  let body: XmlElement;
  try {
    body = parseSoapBody(text);
  } catch {
    return null;
  }
  const fault = firstChild(body, 'Fault');
  if (!fault) return null;
  const errorCode = (childText(fault, 'faultcode') ?? 'SOAP_FAULT').replace(/^.*:/, '');
  return { errorCode, message: childText(fault, 'faultstring') ?? errorCode };
}

const nullable = (value: string | undefined): string | null => (value === undefined || value === '' ? null : value);

/** readMetadata and updateMetadata take at most 10 names a call; this many calls run at once. */
const NAMES_PER_CALL = 10;
const CONCURRENT_CALLS = 4;

/** listMetadata for one type: one request whatever the number of components. */
export async function listMetadata(conn: Connection, type: string): Promise<FileProperties[]> {
  return listMetadataTypes(conn, [type]);
}

/** listMetadata takes at most three queries a call (Metadata API guide, listMetadata()). */
const QUERIES_PER_LIST_CALL = 3;

/**
 * listMetadata for several types: one request per three types whatever the number of components. Each row's
 * `type` says which query it answers.
 */
export async function listMetadataTypes(conn: Connection, types: readonly string[]): Promise<FileProperties[]> {
  const answers = await mapWithConcurrency(chunk(types, QUERIES_PER_LIST_CALL), CONCURRENT_CALLS, async (batch) => {
    const queries = batch.map((type) => `<queries><type>${escapeXml(type)}</type></queries>`).join('');
    const response = await soapCall(conn, 'listMetadata', `${queries}<asOfVersion>${escapeXml(conn.getApiVersion())}</asOfVersion>`);
    return elements(response, 'result').map((r) => ({
      fullName: childText(r, 'fullName') ?? '',
      id: nullable(childText(r, 'id')),
      type: childText(r, 'type') ?? (batch.length === 1 ? batch[0] : ''),
      fileName: nullable(childText(r, 'fileName')),
      namespacePrefix: nullable(childText(r, 'namespacePrefix')),
      manageableState: nullable(childText(r, 'manageableState')),
      createdDate: nullable(childText(r, 'createdDate')),
      lastModifiedDate: nullable(childText(r, 'lastModifiedDate')),
    }));
  });
  return answers.flat();
}


/**
 * readMetadata in calls of 10 names, 4 calls at a time. Returns each component as its `<records>` element
 * (children in the order the org sent them), or null where the org has no component of that name.
 */
export async function readMetadata(conn: Connection, type: string, fullNames: readonly string[]): Promise<Map<string, XmlElement | null>> {
  return readMetadataAs(conn, type, fullNames, (record) => record);
}

/**
 * readMetadata with each component turned into what the caller keeps as soon as its call answers, so reading
 * thousands of components never holds every parsed tree at once. Null where the org has no component of that name.
 */
export async function readMetadataAs<T>(conn: Connection, type: string, fullNames: readonly string[], convert: (record: XmlElement, fullName: string) => T): Promise<Map<string, T | null>> {
  const found = new Map<string, T | null>(fullNames.map((n) => [n, null]));
  const byLowerName = new Map(fullNames.map((n) => [n.toLowerCase(), n]));
  await mapWithConcurrency(chunk(fullNames, NAMES_PER_CALL), CONCURRENT_CALLS, async (names) => {
    const body = `<type>${escapeXml(type)}</type>${names.map((n) => `<fullNames>${escapeXml(n)}</fullNames>`).join('')}`;
    const response = await soapCall(conn, 'readMetadata', body);
    for (const record of elements(firstChild(response, 'result') ?? response, 'records')) {
      const answered = childText(record, 'fullName');
      // An unknown name comes back as an empty or nil record: it has no fullName. The org may answer with different
      // capitalisation than was asked.
      if (!answered) continue;
      const fullName = found.has(answered) ? answered : (byLowerName.get(answered.toLowerCase()) ?? answered);
      found.set(fullName, convert(record, fullName));
    }
  });
  return found;
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
      response = await soapCall(conn, 'updateMetadata', body, { write: true });
    } catch (error) {
      return batch.map((component) => ({
        fullName: childText(component, 'fullName') ?? '',
        success: false,
        errors: [{ statusCode: errorCodeOf(error), message: messageOf(error), fields: [] }],
        // The org's own refusal means nothing in the call was applied; anything else may hide a commit.
        outcomeUnknown: mayHaveApplied(error),
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
