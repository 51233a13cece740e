import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { expect } from 'chai';
import type { Connection } from '@salesforce/core';
import { parse as parseSync } from 'csv-parse/sync';
import { downloadLogFile, DownloadError, type RecordSink } from '../../../src/adapters/event-logs.js';
import { FileAggregate, UsageTotals, type RowFilter } from '../../../src/domain/usage/aggregate.js';
import { AppMatcher } from '../../../src/domain/usage/app-matcher.js';
import { forEachDataSet } from '../../data-sets.js';

/** A sink that keeps everything it is given. */
class ListSink implements RecordSink {
  public static made = 0;
  public readonly records: Array<{ values: string[]; line: number }> = [];
  public readonly bad: Array<{ line: number; message: string }> = [];
  public ended = false;
  public constructor() {
    ListSink.made++;
  }
  public record(values: string[], line: number): void {
    this.records.push({ values, line });
  }
  public badRecord(line: number, message: string): void {
    this.bad.push({ line, message });
  }
  public end(): void {
    this.ended = true;
  }
}

type Handler = (req: IncomingMessage, res: ServerResponse, attempt: number) => void;

/** A LogFile server: each file id has a handler, called with the attempt number (1-based). */
class LogServer {
  public readonly handlers = new Map<string, Handler>();
  public readonly attempts = new Map<string, number>();
  public readonly tokens: string[] = [];
  private server!: Server;
  public url = '';

  public async start(): Promise<void> {
    this.server = createServer((req, res) => {
      res.on('error', () => undefined);
      const id = /EventLogFile\/([^/]+)\/LogFile$/.exec(req.url ?? '')?.[1] ?? '';
      const attempt = (this.attempts.get(id) ?? 0) + 1;
      this.attempts.set(id, attempt);
      this.tokens.push(req.headers.authorization ?? '');
      const handler = this.handlers.get(id);
      if (!handler) {
        res.writeHead(404, { 'Content-Type': 'application/json' }).end(JSON.stringify([{ errorCode: 'NOT_FOUND', message: 'The requested resource does not exist' }]));
        return;
      }
      handler(req, res, attempt);
    });
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  public async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((r) => {
      this.server.close(() => {
        r();
      });
    });
  }
}

const serve = (body: string | Buffer, headers: Record<string, string> = {}): Handler => (_req, res) => {
  const bytes = Buffer.isBuffer(body) ? body : Buffer.from(body, 'utf8');
  res.writeHead(200, { 'Content-Type': 'text/csv', 'Content-Length': String(bytes.length), ...headers }).end(bytes);
};

/** Sends headers (full Content-Length) and the first `after` bytes, then destroys or ends the connection. */
const cut = (body: string, after: number, how: 'destroy' | 'end'): Handler => (_req, res) => {
  const bytes = Buffer.from(body, 'utf8');
  res.writeHead(200, { 'Content-Type': 'text/csv', 'Content-Length': String(bytes.length) });
  res.write(bytes.subarray(0, after), () => {
    if (how === 'destroy') res.socket?.destroy();
    else res.socket?.end();
  });
};

function fakeConnection(url: string, onRefresh?: () => string): Connection {
  const conn = {
    instanceUrl: url,
    accessToken: '00D000000000001!OLD',
    getApiVersion: () => '67.0',
    refreshAuth: (): Promise<void> => {
      if (!onRefresh) return Promise.reject(new Error('no refresh token'));
      conn.accessToken = onRefresh();
      return Promise.resolve();
    },
  };
  return conn as unknown as Connection;
}

const CSV = '"EVENT_TYPE","TIMESTAMP","CONNECTED_APP_ID","USER_NAME"\n' + Array.from({ length: 500 }, (_, i) => `"ApiTotalUsage","20261113080000.${String(i).padStart(3, '0')}","0H4000000000001","u${i % 7}@x.com"\n`).join('');
const fast = { backoffMs: 5 };

describe('usage adapter: streaming LogFile downloads', () => {
  const server = new LogServer();
  let dir: string;

  before(async () => {
    await server.start();
  });
  after(async () => {
    await server.stop();
  });
  beforeEach(() => {
    server.handlers.clear();
    server.attempts.clear();
    server.tokens.length = 0;
    ListSink.made = 0;
    dir = mkdtempSync(join(tmpdir(), 'usage-dl-'));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('streams the body into the sink with line numbers, reports bytes and saves the raw CSV', async () => {
    server.handlers.set('0AT1', serve(CSV));
    let bytes = 0;
    const saveTo = join(dir, 'a.csv');
    const d = await downloadLogFile(fakeConnection(server.url), '0AT1', () => new ListSink(), { saveTo, onBytes: (n) => (bytes += n) });
    expect(d.ok).to.be.true;
    if (!d.ok) return;
    expect(d.sink.records).to.have.length(501);
    expect(d.sink.records[1]).to.deep.equal({ values: ['ApiTotalUsage', '20261113080000.000', '0H4000000000001', 'u0@x.com'], line: 2 });
    expect(d.sink.ended).to.be.true;
    expect([d.attempts, d.bytes, bytes]).to.deep.equal([1, Buffer.byteLength(CSV), Buffer.byteLength(CSV)]);
    expect(readFileSync(saveTo, 'utf8')).to.equal(CSV);
    expect(server.tokens[0]).to.equal('Bearer 00D000000000001!OLD');
  });

  for (const how of ['destroy', 'end'] as const) {
    it(`restarts a file whose connection is ${how === 'destroy' ? 'dropped' : 'ended early'} from zero, with a fresh sink, so no row counts twice`, async () => {
      server.handlers.set('0AT1', (req, res, attempt) => {
        (attempt === 1 ? cut(CSV, 9000, how) : serve(CSV))(req, res, attempt);
      });
      let bytes = 0;
      const saveTo = join(dir, 'b.csv');
      const d = await downloadLogFile(fakeConnection(server.url), '0AT1', () => new ListSink(), { ...fast, saveTo, onBytes: (n) => (bytes += n) });
      expect(d.ok).to.be.true;
      if (!d.ok) return;
      expect(d.attempts).to.equal(2);
      expect(ListSink.made).to.equal(2);
      expect(d.sink.records).to.have.length(501);
      expect(new Set(d.sink.records.map((r) => r.values[1])).size).to.equal(501);
      expect(bytes, 'the failed attempt’s bytes are taken back').to.equal(Buffer.byteLength(CSV));
      expect(readFileSync(saveTo, 'utf8')).to.equal(CSV);
    });
  }

  it('retries 503s with backoff and succeeds', async () => {
    server.handlers.set('0AT1', (req, res, attempt) => {
      if (attempt < 3) res.writeHead(503, { 'Content-Type': 'application/json' }).end('[{"errorCode":"SERVER_UNAVAILABLE","message":"busy"}]');
      else serve(CSV)(req, res, attempt);
    });
    const d = await downloadLogFile(fakeConnection(server.url), '0AT1', () => new ListSink(), fast);
    expect(d.ok && d.attempts).to.equal(3);
  });

  it('does not retry a 404, and removes the partly saved file', async () => {
    const saveTo = join(dir, 'gone.csv');
    const d = await downloadLogFile(fakeConnection(server.url), '0ATnone', () => new ListSink(), { ...fast, saveTo });
    expect(d.ok).to.be.false;
    if (d.ok) return;
    expect(d.attempts).to.equal(1);
    expect(d.error).to.be.instanceOf(DownloadError);
    expect((d.error as DownloadError).errorCode).to.equal('NOT_FOUND');
    expect(existsSync(saveTo)).to.be.false;
  });

  it('gives up after the last attempt when the connection keeps dropping', async () => {
    server.handlers.set('0AT1', cut(CSV, 100, 'destroy'));
    const saveTo = join(dir, 'c.csv');
    const d = await downloadLogFile(fakeConnection(server.url), '0AT1', () => new ListSink(), { ...fast, maxAttempts: 3, saveTo });
    expect(d.ok).to.be.false;
    expect(server.attempts.get('0AT1')).to.equal(3);
    expect(existsSync(saveTo)).to.be.false;
  });

  it('abandons a stalled body after the idle timeout and tries again', async () => {
    server.handlers.set('0AT1', (req, res, attempt) => {
      if (attempt > 1) {
        serve(CSV)(req, res, attempt);
        return;
      }
      res.writeHead(200, { 'Content-Type': 'text/csv', 'Content-Length': String(Buffer.byteLength(CSV)) });
      res.write(CSV.slice(0, 50));
    });
    const d = await downloadLogFile(fakeConnection(server.url), '0AT1', () => new ListSink(), { ...fast, idleTimeoutMs: 200 });
    expect(d.ok && [d.attempts, d.sink.records.length]).to.deep.equal([2, 501]);
  });

  it('lets the session be refreshed once on a 401 and retries with the new token', async () => {
    server.handlers.set('0AT1', (req, res, attempt) => {
      if (req.headers.authorization !== 'Bearer 00D000000000001!NEW') res.writeHead(401, { 'Content-Type': 'application/json' }).end('[{"errorCode":"INVALID_SESSION_ID","message":"Session expired or invalid"}]');
      else serve(CSV)(req, res, attempt);
    });
    const d = await downloadLogFile(fakeConnection(server.url, () => '00D000000000001!NEW'), '0AT1', () => new ListSink(), fast);
    // The transport refreshes and resends within the first attempt: no byte was received before.
    expect(d.ok && d.attempts).to.equal(1);
    expect(server.tokens).to.deep.equal(['Bearer 00D000000000001!OLD', 'Bearer 00D000000000001!NEW']);
  });

  it('reads a gzip-encoded body', async () => {
    server.handlers.set('0AT1', serve(gzipSync(CSV), { 'Content-Encoding': 'gzip' }));
    const d = await downloadLogFile(fakeConnection(server.url), '0AT1', () => new ListSink(), fast);
    expect(d.ok && d.sink.records.length).to.equal(501);
  });

  describe('malformed files: the file and line are reported, the other rows still count', () => {
    const filter: RowFilter = { window: { start: new Date('2026-01-01T00:00:00Z'), end: new Date('2027-01-01T00:00:00Z') }, interval: 'daily', users: null };
    const header = '"EVENT_TYPE","TIMESTAMP","CONNECTED_APP_ID"\n';
    const good = (i: number): string => `"ApiTotalUsage","2026111308000${i}.000","0H4000000000001"\n`;
    const cases: Array<[string, string, Array<[string, number | null]>, number]> = [
      ['cut mid-row', `${header}${good(1)}${good(2)}"ApiTotalUsage","2026111`, [['bad-row', 4]], 2],
      ['cut mid-row outside quotes', `${header}${good(1)}"ApiTotalUsage","20261113080002.000"\n`, [['bad-row', 3]], 1],
      ['wrong quoting', `${header}${good(1)}"ApiTotalUsage","2026"x",""\n${good(3)}`, [['bad-row', 3]], 2],
      ['header only', header, [['header-only', 1]], 0],
      ['empty file', '', [['empty-file', null]], 0],
    ];
    for (const [name, body, problems, counted] of cases) {
      it(name, async () => {
        server.handlers.set('0ATbad', serve(body));
        const matcher = new AppMatcher([{ id: '0H4000000000001AAA', label: 'Jenkins CI', apiName: 'Jenkins_CI', kind: 'connected-app' }]);
        const d = await downloadLogFile(fakeConnection(server.url), '0ATbad', () => new FileAggregate({ id: '0ATbad', eventType: 'ApiTotalUsage', logDate: '2026-11-13' }, matcher, filter), fast);
        expect(d.ok).to.be.true;
        if (!d.ok) return;
        expect(d.sink.problems.map((p) => [p.kind, p.line])).to.deep.equal(problems);
        expect(d.sink.problems.every((p) => p.fileId === '0ATbad')).to.be.true;
        expect(d.sink.counted).to.equal(counted);
      });
    }
  });

  forEachDataSet('event log sample files', (set) => {
    const filter: RowFilter = { window: { start: new Date('2000-01-01T00:00:00Z'), end: new Date('2100-01-01T00:00:00Z') }, interval: 'daily', users: null };

    for (const name of set.files('event-log-files', (f) => f.endsWith('.csv'))) {
      it(`parses ${name} by header name`, async () => {
        const text = set.read('event-log-files', name);
        const expected = parseSync(text, { skip_empty_lines: true }).length - 1;
        server.handlers.set('0ATsample', serve(text));
        const d = await downloadLogFile(fakeConnection(server.url), '0ATsample', () => new FileAggregate({ id: '0ATsample', eventType: 'Unknown', logDate: '' }, new AppMatcher([]), filter), fast);
        expect(d.ok).to.be.true;
        if (!d.ok) return;
        expect(d.sink.rows).to.equal(expected);
        expect(d.sink.skippedRows).to.equal(0);
        expect(d.sink.outsideWindow, 'every timestamp parsed into the window').to.equal(0);
      });
    }

    const jsonFiles = set.files('event-log-files', (f) => f.endsWith('.ndjson') || f.endsWith('.json'));
    it(`parses the JSON samples (${jsonFiles.length}: JSON lines, a JSON array with lower-case keys) as CSV, with two-decimal timestamps and "Salesforce.com IP"`, async () => {
      expect(jsonFiles).to.not.be.empty;
      const upper = (r: Record<string, unknown>): Record<string, unknown> => Object.fromEntries(Object.entries(r).map(([k, v]) => [k.toUpperCase(), v]));
      for (const name of jsonFiles) {
        const text = set.read('event-log-files', name);
        const rows = (name.endsWith('.json') ? (JSON.parse(text) as Array<Record<string, unknown>>) : text.split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l) as Record<string, unknown>)).map(upper);
        const columns = [...new Set([...rows.flatMap((r) => Object.keys(r)), 'CONNECTED_APP_ID', 'CONNECTED_APP_NAME'])];
        const q = (v: unknown): string => `"${(typeof v === 'string' ? v : v === undefined ? '' : JSON.stringify(v)).replace(/"/g, '""')}"`;
        const lines = rows.map((r, i) => columns.map((c) => q(c === 'CONNECTED_APP_NAME' ? 'Sample App' : c === 'CLIENT_IP' && i === 0 ? 'Salesforce.com IP' : r[c])).join(','));
        server.handlers.set('0ATjson', serve(`${columns.map((c) => q(c)).join(',')}\n${lines.join('\n')}\n`));
        const d = await downloadLogFile(fakeConnection(server.url), '0ATjson', () => new FileAggregate({ id: '0ATjson', eventType: 'Unknown', logDate: '' }, new AppMatcher([]), filter), fast);
        expect(d.ok, name).to.be.true;
        if (!d.ok) return;
        const totals = new UsageTotals();
        totals.add(d.sink);
        const [usage] = [...totals.eventUsage().values()].map((v) => v.usage);
        expect(usage.events, name).to.equal(rows.length);
        expect(usage.sourceIps.map((s) => s.value), name).to.include('Salesforce.com IP');
        expect(usage.firstSeen, name).to.match(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
      }
    });
  });
});
