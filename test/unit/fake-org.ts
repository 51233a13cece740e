/*
 * A strict fake org for unit tests: it answers only the queries and SOAP operations a test registers, records
 * every request, and throws on anything else, so a test fails loudly when the code under test makes a request
 * nobody expected. The plugin's own requests go over fetch (src/adapters/transport.ts), so `installFetch` stubs
 * fetch; `handler` answers what @salesforce/core itself sends through jsforce (the Organization query).
 */
import type { TestContext } from '@salesforce/core/testSetup';
import type { SinonSandbox } from 'sinon';

type FakeConnectionRequest = TestContext['fakeConnectionRequest'];
type AnyJson = Awaited<ReturnType<FakeConnectionRequest>>;

export type FakeRequest = { method: string; url: string; body?: string; soql?: string; soapOperation?: string };
type Handler = (request: FakeRequest) => unknown;

export class FakeOrg {
  public readonly requests: FakeRequest[] = [];
  private readonly queries: Array<{ pattern: RegExp; pages: Array<Record<string, unknown>[]> | Handler }> = [];
  private readonly soap = new Map<string, Handler>();
  private readonly pagesByLocator = new Map<string, unknown>();
  private readonly routes: Array<{ pattern: RegExp; respond: (request: FakeRequest) => Response }> = [];

  /** Answers requests whose URL matches `pattern` with a raw Response (event-log bodies, for example). */
  public route(pattern: RegExp, respond: (request: FakeRequest) => Response): this {
    this.routes.push({ pattern, respond });
    return this;
  }

  /** Answers a SOQL query (matched by regex) with one or more pages of records. */
  public query(pattern: RegExp, ...pages: Array<Record<string, unknown>[]>): this {
    this.queries.push({ pattern, pages: pages.length ? pages : [[]] });
    return this;
  }

  /** Answers a SOQL query with a function (to throw an error, for example). */
  public queryHandler(pattern: RegExp, handler: Handler): this {
    this.queries.push({ pattern, pages: handler });
    return this;
  }

  /** Answers a Metadata API SOAP operation with the inner XML of its `<op>Response` element, or a function. */
  public soapOperation(operation: string, response: string | Handler): this {
    this.soap.set(operation, typeof response === 'string' ? (): unknown => soapEnvelope(operation, response) : response);
    return this;
  }

  /** The function to install as `$$.fakeConnectionRequest`. */
  public handler: FakeConnectionRequest = (raw) => {
    const req = raw as { method?: string; url: string; body?: string };
    const request: FakeRequest = { method: req.method ?? 'GET', url: req.url, body: req.body };
    const url = new URL(req.url, 'https://fake.my.salesforce.com');
    const q = url.searchParams.get('q');
    if (q !== null) request.soql = q;
    if (url.pathname.includes('/services/Soap/m/')) request.soapOperation = /<soapenv:Body><(\w+)>/.exec(req.body ?? '')?.[1];
    this.requests.push(request);
    return Promise.resolve(this.answer(request, url) as AnyJson);
  };

  /** Answers the plugin's fetch requests from this fake (restored with the sandbox). */
  public installFetch(sandbox: SinonSandbox): this {
    stubFetch(sandbox, (request) => {
      const url = new URL(request.url, 'https://fake.my.salesforce.com');
      const q = url.searchParams.get('q');
      if (q !== null) request.soql = q;
      if (url.pathname.includes('/services/Soap/m/')) request.soapOperation = /<soapenv:Body><(\w+)>/.exec(request.body ?? '')?.[1];
      this.requests.push(request);
      const route = this.routes.find((r) => r.pattern.test(request.url));
      if (route) return route.respond(request);
      const answer = this.answer(request, url);
      return typeof answer === 'string' ? new Response(answer, { status: 200, headers: { 'Content-Type': 'text/xml' } }) : Response.json(answer);
    });
    return this;
  }

  public get dataRequests(): FakeRequest[] {
    // The Organization query is sf's own (Flags.requiredOrg), not the command's.
    return this.requests.filter((r) => !/FROM Organization/i.test(r.soql ?? ''));
  }

  private answer(request: FakeRequest, url: URL): unknown {
    if (request.soql !== undefined) {
      if (/FROM Organization/i.test(request.soql)) return page([{ attributes: { type: 'Organization' }, Id: '00D000000000001EAA', Name: 'Fake', TrialExpirationDate: null, IsSandbox: false, OrganizationType: 'Developer Edition', NamespacePrefix: null, InstanceName: 'CS1' }], true);
      const entry = this.queries.find((e) => e.pattern.test(request.soql!));
      if (!entry) throw new Error(`FakeOrg: unexpected query ${request.soql}`);
      if (typeof entry.pages === 'function') return entry.pages(request);
      return this.pageOf(entry.pages, 0);
    }
    const locator = /\/query\/([^/]+)$/.exec(url.pathname)?.[1];
    if (locator && this.pagesByLocator.has(locator)) return this.pagesByLocator.get(locator);
    if (request.soapOperation) {
      const handler = this.soap.get(request.soapOperation);
      if (!handler) throw new Error(`FakeOrg: unexpected SOAP operation ${request.soapOperation}`);
      return handler(request);
    }
    throw new Error(`FakeOrg: unexpected request ${request.method} ${request.url}`);
  }

  private pageOf(pages: Array<Record<string, unknown>[]>, index: number): unknown {
    const done = index === pages.length - 1;
    const total = pages.reduce((n, p) => n + p.length, 0);
    const result: Record<string, unknown> = { totalSize: total, done, records: pages[index] };
    if (!done) {
      const locator = `01g${Math.random().toString(36).slice(2, 12)}-${index + 1}`;
      result.nextRecordsUrl = `/services/data/v67.0/query/${locator}`;
      this.pagesByLocator.set(locator, this.pageOf(pages, index + 1));
    }
    return result;
  }
}

function page(records: unknown[], done: boolean): unknown {
  return { totalSize: records.length, done, records };
}

export function soapEnvelope(operation: string, inner: string): string {
  return (
    '<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" ' +
    'xmlns="http://soap.sforce.com/2006/04/metadata" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">' +
    `<soapenv:Body><${operation}Response>${inner}</${operation}Response></soapenv:Body></soapenv:Envelope>`
  );
}

/** Thrown by a fake's handler to answer with an HTTP error (see soapFault, restError). */
export class FakeHttpError extends Error {
  public constructor(public readonly status: number, public readonly body: string, public readonly contentType: string) {
    super(`HTTP ${status}`);
  }
}

/** The org's SOAP fault (HTTP 500). */
export function soapFault(code: string, message: string): FakeHttpError {
  return new FakeHttpError(
    500,
    '<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:sf="urn:fault.partner.soap.sforce.com">' +
      `<soapenv:Body><soapenv:Fault><faultcode>sf:${code}</faultcode><faultstring>${message}</faultstring></soapenv:Fault></soapenv:Body></soapenv:Envelope>`,
    'text/xml'
  );
}

const REST_STATUS: Record<string, number> = { INVALID_SESSION_ID: 401, INSUFFICIENT_ACCESS: 403, REQUEST_LIMIT_EXCEEDED: 403, NOT_FOUND: 404, SERVER_UNAVAILABLE: 503 };

/** The org's REST error answer `[{ message, errorCode }]`, with the status the org uses for that code. */
export function restError(errorCode: string, message: string): FakeHttpError {
  return new FakeHttpError(REST_STATUS[errorCode] ?? 400, JSON.stringify([{ message, errorCode }]), 'application/json');
}

/**
 * Stubs fetch with `answer` (restored with the sandbox). A FakeHttpError thrown by `answer` becomes that HTTP
 * answer; anything else it throws rejects the fetch, as a network failure would.
 */
export function stubFetch(sandbox: SinonSandbox, answer: (request: FakeRequest) => Response | Promise<Response>): void {
  sandbox.stub(globalThis, 'fetch').callsFake(async (input, init) => {
    const url = input instanceof Request ? input.url : String(input);
    const request: FakeRequest = { method: init?.method ?? 'GET', url, body: typeof init?.body === 'string' ? init.body : undefined };
    try {
      return await answer(request);
    } catch (error) {
      if (error instanceof FakeHttpError) return new Response(error.body, { status: error.status, headers: { 'Content-Type': error.contentType } });
      throw error;
    }
  });
}
