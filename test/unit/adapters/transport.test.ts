import { readdirSync, readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { expect } from 'chai';
import type { Connection } from '@salesforce/core';
import { ApiError, call, callJson, ConnectionError, isRetryable } from '../../../src/adapters/transport.js';

type Handler = (req: IncomingMessage, res: ServerResponse, body: string) => void;

/** A loopback server answering from a script of handlers, one per request; records what it was sent. */
class ScriptedServer {
  public readonly seen: Array<{ method: string; url: string; auth: string; body: string; acceptEncoding: string }> = [];
  public script: Handler[] = [];
  private server: Server | undefined;

  public get url(): string {
    const address = this.server?.address();
    return `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  }

  public async start(): Promise<void> {
    this.server = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
      req.on('end', () => {
        this.seen.push({ method: req.method ?? '', url: req.url ?? '', auth: req.headers.authorization ?? '', body, acceptEncoding: req.headers['accept-encoding'] ?? '' });
        const next = this.script.shift();
        if (next) next(req, res, body);
        else res.writeHead(500).end('no more answers');
      });
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
  }

  public async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => {
      this.server?.close(() => {
        resolve();
      });
    });
  }
}

const json = (status: number, value: unknown, headers: Record<string, string> = {}): Handler => (_req, res) => {
  res.writeHead(status, { 'Content-Type': 'application/json', ...headers }).end(JSON.stringify(value));
};
/** Headers and half a body, then the socket is destroyed. */
const cutMidBody: Handler = (_req, res) => {
  res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': '100' });
  res.write('{"totalSize": 1, "done": tr');
  setTimeout(() => res.socket?.destroy(), 10);
};
const dropBefore: Handler = (req) => {
  req.socket.destroy();
};

function connection(url: string, options: { refresh?: () => string } = {}): Connection & { refreshes: number } {
  const conn = {
    instanceUrl: url,
    accessToken: '00D000000000001!OLD',
    refreshes: 0,
    getApiVersion: (): string => '67.0',
    refreshAuth: (): Promise<void> => {
      conn.refreshes++;
      if (!options.refresh) return Promise.reject(new Error('no refresh token'));
      conn.accessToken = options.refresh();
      return Promise.resolve();
    },
  };
  return conn as unknown as Connection & { refreshes: number };
}

const READ = { method: 'GET' as const, path: '/services/data/v67.0/query?q=SELECT+Id+FROM+User', idempotent: true };
const WRITE = { method: 'POST' as const, path: '/services/data/v67.0/composite/sobjects', idempotent: false, body: '{}' };

async function failure(promise: Promise<unknown>): Promise<ApiError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof ApiError) return error;
    throw error;
  }
  throw new Error('expected a failure');
}

describe('transport: the one way to the org', function () {
  this.timeout(20_000);
  const server = new ScriptedServer();
  before(() => server.start());
  after(() => server.stop());
  beforeEach(() => {
    server.seen.length = 0;
    server.script = [];
  });

  it('retries a read cut mid-body, dropped, or answered 429/502/503, then returns the whole answer', async () => {
    const page = { totalSize: 1, done: true, records: [{ Id: '005' }] };
    server.script = [cutMidBody, dropBefore, json(429, [{ errorCode: 'REQUEST_LIMIT_EXCEEDED', message: 'slow down' }]), json(503, [{ errorCode: 'SERVER_UNAVAILABLE', message: 'x' }]), json(200, page)];
    expect(await callJson(connection(server.url), READ)).to.deep.equal(page);
    expect(server.seen).to.have.length(5);
  });

  it('retries a 200 answer whose JSON is cut short', async () => {
    server.script = [(_req, res) => res.writeHead(200, { 'Content-Type': 'application/json' }).end('{"totalSize": 1, "do'), json(200, { ok: true })];
    expect(await callJson(connection(server.url), READ)).to.deep.equal({ ok: true });
    expect(server.seen).to.have.length(2);
  });

  it('gives up after 4 retries with a ConnectionError that names the socket failure', async () => {
    server.script = Array.from({ length: 5 }, () => dropBefore);
    const error = await failure(call(connection(server.url), READ));
    expect(error).to.be.instanceOf(ConnectionError);
    expect(error.name).to.equal('ConnectionError');
    expect(error.errorCode).to.match(/^(ECONNRESET|UND_ERR_SOCKET|CONNECTION_LOST)$/);
    expect(server.seen).to.have.length(5);
  });

  it('never resends a write: a dropped or 5xx answer is an outcome-unknown failure', async () => {
    for (const answer of [dropBefore, json(500, [{ errorCode: 'UNKNOWN_EXCEPTION', message: 'boom' }]), (_req: IncomingMessage, res: ServerResponse): void => {
      res.writeHead(504, { 'Content-Type': 'text/html' }).end('<html><body><h1>504 Gateway Time-out</h1></body></html>');
    }]) {
      server.seen.length = 0;
      server.script = [answer, json(200, [])];
      const error = await failure(call(connection(server.url), WRITE));
      expect(error.outcome).to.equal('unknown');
      expect(server.seen).to.have.length(1);
    }
  });

  it('reads the org refusing a write as not applied, with its errorCode', async () => {
    server.script = [json(400, [{ errorCode: 'INVALID_CROSS_REFERENCE_KEY', message: 'no such parent' }])];
    const error = await failure(call(connection(server.url), WRITE));
    expect([error.errorCode, error.outcome, error.status]).to.deep.equal(['INVALID_CROSS_REFERENCE_KEY', 'not-applied', 400]);
    expect(isRetryable(error)).to.be.false;
  });

  it('refreshes an expired session once and resends, for writes too (nothing was applied)', async () => {
    server.script = [json(401, [{ errorCode: 'INVALID_SESSION_ID', message: 'Session expired or invalid' }]), json(201, [{ id: 'x', success: true }])];
    const conn = connection(server.url, { refresh: () => '00D000000000001!NEW' });
    await call(conn, WRITE);
    expect(server.seen.map((s) => s.auth)).to.deep.equal(['Bearer 00D000000000001!OLD', 'Bearer 00D000000000001!NEW']);
    expect(conn.refreshes).to.equal(1);
  });

  it('refreshes a SOAP session (a 500 fault) and rebuilds the envelope with the new session id', async () => {
    const fault = '<?xml version="1.0"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body><soapenv:Fault><faultcode>sf:INVALID_SESSION_ID</faultcode><faultstring>Invalid Session ID</faultstring></soapenv:Fault></soapenv:Body></soapenv:Envelope>';
    server.script = [(_req, res) => res.writeHead(500, { 'Content-Type': 'text/xml' }).end(fault), (_req, res) => res.writeHead(200, { 'Content-Type': 'text/xml' }).end('<ok/>')];
    const conn = connection(server.url, { refresh: () => '00D000000000001!NEW' });
    const readError = (_status: number, text: string): { errorCode: string; message: string } | null =>
      text.includes('INVALID_SESSION_ID') ? { errorCode: 'INVALID_SESSION_ID', message: 'expired' } : null;
    await call(conn, { method: 'POST', path: '/services/Soap/m/67.0', idempotent: false, soap: true, readError, body: (session) => `<sessionId>${session}</sessionId>` });
    expect(server.seen.map((s) => s.body)).to.deep.equal(['<sessionId>00D000000000001!OLD</sessionId>', '<sessionId>00D000000000001!NEW</sessionId>']);
    expect(server.seen.every((s) => s.auth === '')).to.be.true;
  });

  it('reports an expired session that cannot be renewed as INVALID_SESSION_ID, sent once', async () => {
    server.script = [json(401, [{ errorCode: 'INVALID_SESSION_ID', message: 'Session expired or invalid' }])];
    const error = await failure(call(connection(server.url), READ));
    expect(error.errorCode).to.equal('INVALID_SESSION_ID');
    expect(server.seen).to.have.length(1);
  });

  it('asks for gzip and reads a compressed answer', async () => {
    server.script = [(_req, res) => res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Encoding': 'gzip' }).end(gzipSync(JSON.stringify({ totalSize: 0, done: true, records: [] })))];
    expect(await callJson(connection(server.url), READ)).to.deep.equal({ totalSize: 0, done: true, records: [] });
    expect(server.seen[0].acceptEncoding).to.match(/gzip/);
  });

  it('waits as long as Retry-After asks (bounded)', async () => {
    server.script = [json(503, [{ errorCode: 'SERVER_UNAVAILABLE', message: 'x' }], { 'Retry-After': '1' }), json(200, { ok: true })];
    const started = Date.now();
    await callJson(connection(server.url), READ);
    expect(Date.now() - started).to.be.at.least(900);
  });
});

describe('transport boundary: no request and no stream outside it', () => {
  const srcDir = join(process.cwd(), 'src');
  const files = (readdirSync(srcDir, { recursive: true }) as string[]).filter((f) => f.endsWith('.ts')).map((f) => ({ name: f, text: readFileSync(join(srcDir, f), 'utf8') }));

  it('reads the plugin source (the check below can fail)', () => {
    expect(files.length).to.be.greaterThan(30);
    expect(files.some((f) => f.name === join('adapters', 'transport.ts') && /await fetch\(/.test(f.text))).to.be.true;
  });

  it('sends nothing through fetch except the transport, and nothing through jsforce', () => {
    const offenders = files.filter((f) => f.name !== join('adapters', 'transport.ts') && /\bfetch\(/.test(f.text)).map((f) => f.name);
    expect(offenders).to.deep.equal([]);
    const jsforce = files.filter((f) => /\bconn(ection)?\.(request|query|queryMore|metadata|sobject|tooling|requestGet|requestPost)\b/.test(f.text)).map((f) => f.name);
    expect(jsforce).to.deep.equal([]);
  });

  it('pipes no stream by hand: every stream goes through pipeline(), which forwards its errors', () => {
    const offenders = files.filter((f) => /\.pipe\(/.test(f.text)).map((f) => f.name);
    expect(offenders).to.deep.equal([]);
    const unhandled = files.filter((f) => /create(Read|Write)Stream\(/.test(f.text) && !/pipeline\(|\.on\('error'/.test(f.text)).map((f) => f.name);
    expect(unhandled).to.deep.equal([]);
  });
});
