/* Helpers shared by the emulator's own tests. */
import { Connection } from '@jsforce/jsforce-node';
import { request as httpRequest } from 'node:http';
import { loadScenario, type Emulator, type Scenario } from './index.js';

export type HttpResult = { status: number; headers: Record<string, string | string[] | undefined>; body: string };

/** A request over a fresh connection (no keep-alive), returning status, headers and body text. */
export function http(e: Emulator, method: string, path: string, options: { headers?: Record<string, string>; body?: string; token?: string | null } = {}): Promise<HttpResult> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token !== null) headers.Authorization = `Bearer ${options.token ?? e.accessToken}`;
  if (options.body !== undefined) headers['Content-Length'] = String(Buffer.byteLength(options.body));
  return new Promise((resolve, reject) => {
    const req = httpRequest(`${e.url}${path}`, { method, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

// eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters -- the caller names the body shape it expects
export async function getJson<T = unknown>(e: Emulator, path: string, headers?: Record<string, string>): Promise<{ status: number; json: T; headers: HttpResult['headers'] }> {
  const r = await http(e, 'GET', path, { headers });
  return { status: r.status, json: JSON.parse(r.body) as T, headers: r.headers };
}

export function q(soql: string, version = '67.0'): string {
  return `/services/data/v${version}/query?q=${encodeURIComponent(soql)}`;
}

export type QueryPage = { totalSize: number; done: boolean; nextRecordsUrl?: string; records: Array<Record<string, unknown>> };

export function connection(e: Emulator, version = '67.0'): Connection {
  return new Connection({ instanceUrl: e.url, accessToken: e.accessToken, version });
}

export function soapEnvelope(sessionId: string, operation: string): string {
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:met="http://soap.sforce.com/2006/04/metadata">',
    `<soapenv:Header><met:SessionHeader><met:sessionId>${sessionId}</met:sessionId></met:SessionHeader></soapenv:Header>`,
    `<soapenv:Body>${operation}</soapenv:Body>`,
    '</soapenv:Envelope>',
  ].join('');
}

export function soap(e: Emulator, operation: string, sessionId = e.accessToken): Promise<HttpResult> {
  return http(e, 'POST', '/services/Soap/m/67.0', { token: null, headers: { 'Content-Type': 'text/xml', SOAPAction: '""' }, body: soapEnvelope(sessionId, operation) });
}

/** A clock for tests that count dated things: the demo's relative dates resolve against it. */
export const PINNED_NOW = '2026-11-20T12:00:00Z';

/** The shipped demo scenario with org settings changed (e.g. a pinned clock, Event Monitoring). */
export function demoScenario(org: Partial<Scenario['org']> = {}): Scenario {
  const { scenario } = loadScenario('demo');
  return { ...scenario, org: { ...scenario.org, ...org } };
}
