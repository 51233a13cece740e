/*
 * The org emulator's HTTP server: routing, authentication, the API usage counter, latency and fault injection,
 * and the request log.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import { createGzip, gzipSync } from 'node:zlib';
import type { AddressInfo } from 'node:net';
import { FaultSet, faultError, type ActiveFault, type FaultHandle, type FaultRule } from './faults.js';
import { json, restError, sessionInvalid, notFound, XML_TYPE, type Reply } from './http.js';
import { OrgState, type OrgOptions } from './org.js';
import { RestApi } from './rest.js';
import { loadScenario, SCENARIO_DIR, type Scenario } from './scenario.js';
import { MetadataApi, parseSoapRequest, soapFault, soapOperationName, type SoapRequest } from './soap.js';

export type StartOptions = OrgOptions & {
  /** A shipped scenario name ("demo", "empty"), a JSON file path, or a scenario object. Default "demo". */
  scenario?: string | Scenario;
  /** Base directory for relative paths in a scenario object (default: the shipped scenarios directory). */
  scenarioDir?: string;
  /** Port to bind on 127.0.0.1 (default 0 = a free port). */
  port?: number;
  /**
   * Base delay of every response (default 0: a local, instant org). Any base latency turns on the remote-org model,
   * which also charges for size: `latencyPerRecordMs` per record returned and `latencyPerKbMs` per KB received and sent (see README).
   */
  latencyMs?: number;
  /** Cost of each record a response returns (query rows, metadata records, collection results). Default 0.05 ms with a base latency, else 0. */
  latencyPerRecordMs?: number;
  /**
   * Cost of each KB of request body received and of response body sent (compressed bytes when gzipped). Default 0.08 ms
   * (about 100 Mbit/s) with a base latency, else 0.
   */
  latencyPerKbMs?: number;
  faults?: FaultRule[];
  /** The session id to accept (default: `<orgId>!` + random characters). */
  accessToken?: string;
  /** Rows per query batch when the client does not ask (default 2000). */
  queryBatchSize?: number;
};

export type RequestLogEntry = {
  seq: number;
  method: string;
  /** Path with leading slashes collapsed, without the query string. */
  path: string;
  soql?: string;
  /** Query locator of a queryMore request. */
  locator?: string;
  soapOperation?: string;
  status: number;
  /** Records the answer returned (query rows, metadata records, save results). */
  records?: number;
  /** Response body bytes sent. */
  bytes: number;
  /** Request body bytes received (0 for a request without a body). */
  requestBytes: number;
  ms: number;
  /** When the request arrived and when its response finished (epoch ms, sub-millisecond): for concurrency measurements. */
  startedAt: number;
  endedAt: number;
  fault?: string;
  /** An exception the emulator hit (answered 500). */
  error?: string;
};

export type Emulator = {
  url: string;
  port: number;
  accessToken: string;
  /** The live request log (an entry is added when its response is finished). */
  requests: RequestLogEntry[];
  org: OrgState;
  addFault(rule: FaultRule): FaultHandle;
  clearFaults(): void;
  resetLog(): void;
  /** Sets the base latency; the size costs follow the defaults for it unless given. */
  setLatency(ms: number, perRecordMs?: number, perKbMs?: number): void;
  /** Makes a session id (default: the emulator's token) invalid: requests get INVALID_SESSION_ID. */
  expireToken(token?: string): void;
  /** Issues a new valid session id. */
  issueToken(): string;
  stop(): Promise<void>;
};

const MAX_BODY = 64 * 1024 * 1024;

/** Default size costs of the remote-org model (README: "Latency"). */
export const DEFAULT_PER_RECORD_MS = 0.05;
export const DEFAULT_PER_KB_MS = 0.08;

type LatencyModel = { baseMs: number; perRecordMs: number; perKbMs: number };

function latencyModel(baseMs: number, perRecordMs?: number, perKbMs?: number): LatencyModel {
  const remote = baseMs > 0;
  return { baseMs, perRecordMs: perRecordMs ?? (remote ? DEFAULT_PER_RECORD_MS : 0), perKbMs: perKbMs ?? (remote ? DEFAULT_PER_KB_MS : 0) };
}

/** Starts an emulator on 127.0.0.1. */
export async function start(options: StartOptions = {}): Promise<Emulator> {
  const loaded = loadScenario(options.scenario ?? 'demo', options.scenarioDir ?? SCENARIO_DIR);
  const org = new OrgState(loaded, options);
  const server = new EmulatorServer(org, options);
  await server.listen(options.port ?? 0);
  return server.api();
}

class EmulatorServer {
  private readonly server: Server;
  private readonly rest: RestApi;
  private readonly metadata: MetadataApi;
  private readonly faults = new FaultSet();
  private readonly tokens = new Set<string>();
  private readonly timers = new Set<{ timer: NodeJS.Timeout; resolve: () => void }>();
  private readonly requests: RequestLogEntry[] = [];
  private latency: LatencyModel;
  private seq = 0;
  private port = 0;
  private stopped = false;
  private readonly accessToken: string;

  public constructor(private readonly org: OrgState, options: StartOptions) {
    this.rest = new RestApi(org, { batchSize: options.queryBatchSize ?? 2000 });
    this.metadata = new MetadataApi(org);
    this.latency = latencyModel(options.latencyMs ?? 0, options.latencyPerRecordMs, options.latencyPerKbMs);
    this.accessToken = options.accessToken ?? this.newToken();
    this.tokens.add(this.accessToken);
    for (const f of options.faults ?? []) this.faults.add(f);
    this.server = createServer((req, res) => {
      // A client that goes away mid-response must not take the emulator down.
      res.on('error', () => undefined);
      this.handle(req, res).catch(() => {
        res.destroy();
      });
    });
    this.server.keepAliveTimeout = 5000;
  }

  private newToken(): string {
    return `${this.org.orgId}!AQ4AQ${randomBytes(48).toString('base64url').replace(/-/g, '.')}`;
  }

  public listen(port: number): Promise<void> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, '127.0.0.1', () => {
        this.port = (this.server.address() as AddressInfo).port;
        resolve();
      });
    });
  }

  public api(): Emulator {
    const url = `http://127.0.0.1:${this.port}`;
    return {
      url,
      port: this.port,
      accessToken: this.accessToken,
      requests: this.requests,
      org: this.org,
      addFault: (rule) => this.faults.add(rule),
      clearFaults: () => {
        this.faults.clear();
      },
      resetLog: () => {
        this.requests.length = 0;
      },
      setLatency: (ms, perRecordMs, perKbMs) => {
        this.latency = latencyModel(ms, perRecordMs, perKbMs);
      },
      expireToken: (token = this.accessToken) => {
        this.tokens.delete(token);
      },
      issueToken: () => {
        const t = this.newToken();
        this.tokens.add(t);
        return t;
      },
      stop: () => this.stop(),
    };
  }

  private async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    // Held requests go on, and are cut off below with every connection.
    this.faults.clear();
    for (const t of this.timers) {
      clearTimeout(t.timer);
      t.resolve();
    }
    this.timers.clear();
    await new Promise<void>((resolve) => {
      this.server.close(() => {
        resolve();
      });
      this.server.closeAllConnections();
    });
  }

  private sleep(ms: number): Promise<void> {
    if (ms <= 0 || this.stopped) return Promise.resolve();
    return new Promise((resolve) => {
      const entry = {
        timer: setTimeout(() => {
          this.timers.delete(entry);
          resolve();
        }, ms),
        resolve,
      };
      this.timers.add(entry);
    });
  }

  // ---- Request handling -------------------------------------------------------------------------

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = performance.now();
    const method = (req.method ?? 'GET').toUpperCase();
    // The stored instance URL ends in "/", so paths arrive as "//services/...": collapse leading slashes first
    // (new URL() would read "//services" as a host).
    const url = new URL((req.url ?? '/').replace(/^\/+/, '/'), 'http://127.0.0.1');
    const path = url.pathname;
    const entry: RequestLogEntry = { seq: ++this.seq, method, path, status: 0, bytes: 0, requestBytes: 0, ms: 0, startedAt: performance.timeOrigin + started, endedAt: 0 };
    let logged = false;
    const log = (): void => {
      if (logged) return;
      logged = true;
      const ended = performance.now();
      entry.ms = Math.round((ended - started) * 10) / 10;
      entry.endedAt = performance.timeOrigin + ended;
      this.requests.push(entry);
    };
    res.on('finish', log);
    res.on('close', log);

    let body: Buffer;
    try {
      body = await readBody(req);
    } catch {
      req.socket.destroy();
      return;
    }
    entry.requestBytes = body.length;

    // What the request is, for fault matching and the log.
    let soap: SoapRequest | undefined;
    const restMatch = /^\/services\/data\/v(\d+\.\d+)(?:\/(.*))?$/.exec(path);
    const restTail = restMatch ? ((restMatch[2] as string | undefined) ?? '') : undefined;
    if (restTail !== undefined && /^(query|queryAll)\/?$/.test(restTail)) entry.soql = url.searchParams.get('q') ?? undefined;
    const more = restTail === undefined ? null : /^(?:query|queryAll)\/([^/]+)$/.exec(restTail);
    if (more) {
      entry.locator = more[1];
      entry.soql = this.rest.soqlOfLocator(more[1]);
    }
    const soapMatch = /^\/services\/Soap\/m\/(\d+\.\d+)(?:\/.*)?$/.exec(path);
    if (soapMatch && method === 'POST') {
      soap = parseSoapRequest(body.toString('utf8'));
      entry.soapOperation = soapOperationName(soap);
    }

    const faults = this.faults.select({ method, path, soql: entry.soql, soapOperation: entry.soapOperation });
    if (faults.length > 0) entry.fault = faults.map((f) => f.label).join(',');
    const delay = faults.filter((f) => f.kind === 'delay').reduce((n, f) => n + (f.rule.delayMs ?? 0), 0);
    // The remote-org model charges for the upload too: a large composite POST or updateMetadata is not free.
    await this.sleep(this.latency.baseMs + delay + (body.length / 1024) * this.latency.perKbMs);
    await Promise.all(faults.filter((f) => f.kind === 'hold').map((f) => f.handle.released));
    if (this.stopped) {
      req.socket.destroy();
      return;
    }
    const breaking = faults.find((f) => f.kind !== 'delay' && f.kind !== 'hold');
    if (breaking?.kind === 'drop-before') {
      log();
      req.socket.destroy();
      return;
    }

    const routed = (): Reply => {
      try {
        return this.route(method, path, url, body, req, soap);
      } catch (e) {
        entry.error = (e as Error).stack ?? String(e);
        return restError(500, 'UNKNOWN_EXCEPTION', `An unexpected error occurred in the org emulator: ${(e as Error).message}`);
      }
    };
    let reply: Reply;
    if (breaking?.kind === 'error' || breaking?.kind === 'error-after') {
      // error-after: the request is carried out first (a write commits), then the answer is lost.
      if (breaking.kind === 'error-after') routed();
      const e = faultError(breaking.rule);
      entry.status = e.status;
      reply = soap ? soapFault(e.errorCode, e.soapMessage) : restError(e.status, e.errorCode, e.message);
    } else {
      reply = routed();
    }
    if (restMatch && reply.status !== 404) {
      reply.headers = { ...reply.headers, 'Sforce-Limit-Info': `api-usage=${this.org.apiUsed}/${this.org.apiMax}` };
    }
    entry.status = reply.status;
    if (reply.records !== undefined) entry.records = reply.records;
    // The remote-org model charges for what the answer carries: its records now, its bytes as they are sent.
    await this.sleep((reply.records ?? 0) * this.latency.perRecordMs);
    // The REST API gzips query answers and event log files for a client that asks (Accept-Encoding: gzip).
    const gzip = reply.compressible === true && /\bgzip\b/i.test(req.headers['accept-encoding'] ?? '');
    if (gzip) await this.sendGzip(res, reply, entry, breaking, log);
    else await this.send(res, reply, entry, breaking, log);
  }

  /** The client went away or the emulator stopped (re-read after every await). */
  private gone(res: ServerResponse): boolean {
    return res.destroyed || this.stopped;
  }

  private isValid(token: string | undefined): boolean {
    return token !== undefined && this.tokens.has(token);
  }

  private bearer(req: IncomingMessage): string | undefined {
    const auth = req.headers.authorization ?? '';
    const m = /^(?:Bearer|OAuth)\s+(.+)$/i.exec(auth.trim());
    return m ? m[1].trim() : undefined;
  }

  private route(method: string, path: string, url: URL, body: Buffer, req: IncomingMessage, soap: SoapRequest | undefined): Reply {
    const baseUrl = `http://127.0.0.1:${this.port}`;
    if (path === '/__emulator/stats') {
      const usage = process.resourceUsage();
      return json(200, { rssBytes: process.memoryUsage().rss, maxRssBytes: usage.maxRSS * 1024, requests: this.requests.length });
    }
    if (path === '/__emulator/clock') {
      // Control API (no auth, like stats): GET reads the org's clock, POST {"now": ISO} pins it there.
      if (method === 'POST') {
        try {
          this.org.setNow((JSON.parse(body.toString('utf8')) as { now?: string }).now ?? '');
        } catch (e) {
          return json(400, { error: (e as Error).message });
        }
      }
      return json(200, { now: this.org.now.toISOString() });
    }
    if ((path === '/services/data' || path === '/services/data/') && method === 'GET') return this.rest.versions();
    if (path === '/services/oauth2/revoke') return this.revoke(url, body);
    const soapMatch = /^\/services\/Soap\/m\/(\d+\.\d+)(?:\/.*)?$/.exec(path);
    if (soapMatch) {
      if (method !== 'POST') return { status: 405, headers: { 'Content-Type': XML_TYPE }, body: '' };
      const reply = this.metadata.handle(soap ?? {}, soapMatch[1], (id) => this.isValid(id));
      if (reply.status === 200) this.org.apiUsed++;
      return reply;
    }
    if (!this.isValid(this.bearer(req))) {
      // guess: userinfo answers a bad token like the REST API (the real endpoint's body may differ).
      return sessionInvalid();
    }
    if (path === '/services/oauth2/userinfo') return this.rest.userinfo(baseUrl);
    if (/^\/id\/[^/]+\/[^/]+$/.test(path)) return json(200, this.rest.identity(baseUrl, false));
    const m = /^\/services\/data\/v(\d+\.\d+)(?:\/(.*))?$/.exec(path);
    if (m) {
      this.org.apiUsed++;
      return this.rest.handle({ method, path, url, body, headers: req.headers, baseUrl }, m[1], ((m[2] as string | undefined) ?? '').replace(/\/$/, ''));
    }
    return notFound();
  }

  /** POST/GET /services/oauth2/revoke with token=<DeleteToken | access token | refresh token>. */
  private revoke(url: URL, body: Buffer): Reply {
    const form = new URLSearchParams(body.toString('utf8'));
    const token = form.get('token') ?? url.searchParams.get('token');
    if (token === null || token === '') return json(400, { error: 'invalid_request', error_description: 'missing token parameter' });
    if (this.tokens.delete(token)) return { status: 200 };
    if (this.org.revokeToken(token)) return { status: 200 };
    // guess: a token the org does not know (revoked already, expired) is 400 invalid_token; RFC 7009 §2.2 answers 200
    // ("invalid tokens do not cause an error response"), which `revokeUnknownToken: 'ok'` plays.
    if (this.org.revokeUnknownToken === 'ok') return { status: 200 };
    return json(400, { error: 'invalid_token', error_description: 'invalid token' });
  }

  // ---- Sending ----------------------------------------------------------------------------------

  /**
   * A gzip-compressed answer (Content-Encoding: gzip). A body is compressed whole and sent with its Content-Length; a
   * stream (an event log file) is compressed on the fly and sent chunked. Cutting faults count compressed bytes
   * (`afterBytes`, default half a body, 32 KB of a stream) and end the connection without the final chunk.
   */
  private async sendGzip(res: ServerResponse, reply: Reply, entry: RequestLogEntry, fault: ActiveFault | undefined, log: () => void): Promise<void> {
    const headers = { ...reply.headers, 'Content-Encoding': 'gzip', Vary: 'Accept-Encoding' };
    if (!reply.stream) {
      const raw = reply.body === undefined ? Buffer.alloc(0) : Buffer.isBuffer(reply.body) ? reply.body : Buffer.from(reply.body, 'utf8');
      await this.send(res, { status: reply.status, headers, body: gzipSync(raw) }, entry, fault, log);
      return;
    }
    const cutting = fault?.kind === 'drop-mid' || fault?.kind === 'truncate' || fault?.kind === 'stall';
    const cut = cutting ? fault.rule.afterBytes ?? 32 * 1024 : Infinity;
    res.writeHead(reply.status, headers);
    const source = Readable.from(reply.stream.chunks());
    const gz = createGzip();
    let sent = 0;
    await new Promise<void>((resolve) => {
      let done = false;
      const finish = (): void => {
        if (done) return;
        done = true;
        source.destroy();
        gz.destroy();
        resolve();
      };
      // A paused compressor may still report 'end' while the last piece waits for its latency: end the response
      // only once nothing is pending.
      let pending = 0;
      let ended = false;
      const endIfIdle = (): void => {
        if (!ended || pending > 0) return;
        if (!done && !res.destroyed) res.end();
        finish();
      };
      gz.on('data', (chunk: Buffer) => {
        if (done || res.destroyed || this.stopped) {
          finish();
          return;
        }
        const piece = sent + chunk.length > cut ? chunk.subarray(0, cut - sent) : chunk;
        sent += piece.length;
        pending++;
        // Paid before the bytes go out (see send); the compressor waits meanwhile.
        gz.pause();
        void this.sleep((piece.length / 1024) * this.latency.perKbMs).then(async () => {
          if (done || res.destroyed) {
            finish();
            return;
          }
          entry.bytes = sent;
          const more = res.write(piece);
          if (sent >= cut) {
            res.write(Buffer.alloc(0), () => {
              log();
              if (fault?.kind === 'truncate') res.socket?.end();
              else if (fault?.kind !== 'stall') res.socket?.destroy();
              finish();
            });
            return;
          }
          if (!more) await drained(res);
          pending--;
          if (ended) endIfIdle();
          else gz.resume();
        });
      });
      gz.on('end', () => {
        ended = true;
        endIfIdle();
      });
      gz.on('error', () => {
        res.destroy();
        finish();
      });
      source.on('error', () => {
        res.destroy();
        finish();
      });
      res.on('close', finish);
      source.pipe(gz);
    });
  }

  private async send(res: ServerResponse, reply: Reply, entry: RequestLogEntry, fault: ActiveFault | undefined, log: () => void): Promise<void> {
    const body = reply.body === undefined ? undefined : Buffer.isBuffer(reply.body) ? reply.body : Buffer.from(reply.body, 'utf8');
    const length = body ? body.length : reply.stream ? reply.stream.length : 0;
    const cutting = fault?.kind === 'drop-mid' || fault?.kind === 'truncate' || fault?.kind === 'stall';
    const cut = cutting ? Math.min(length, fault.rule.afterBytes ?? Math.floor(length / 2)) : length;
    // Bodies pay for their bytes before they are sent; streams as they go (below).
    if (!reply.stream) await this.sleep(((body?.length ?? 0) / 1024) * this.latency.perKbMs);
    res.writeHead(reply.status, { ...reply.headers, 'Content-Length': String(length) });
    const finishCut = (): void => {
      log();
      if (fault?.kind === 'truncate') res.socket?.end();
      else if (fault?.kind !== 'stall') res.socket?.destroy();
    };
    if (!reply.stream) {
      const piece = body ?? Buffer.alloc(0);
      if (!cutting) {
        entry.bytes = piece.length;
        res.end(piece);
        return;
      }
      entry.bytes = cut;
      res.write(piece.subarray(0, cut), () => {
        finishCut();
      });
      return;
    }
    let sent = 0;
    for (const chunk of reply.stream.chunks()) {
      if (res.destroyed || this.stopped) return;
      const piece = sent + chunk.length > cut ? chunk.subarray(0, cut - sent) : chunk;
      sent += piece.length;
      entry.bytes = sent;
      // The transfer is paid before the bytes arrive, so a client never sees them early.
      await this.sleep((piece.length / 1024) * this.latency.perKbMs);
      if (this.gone(res)) return;
      const more = res.write(piece);
      if (cutting && sent >= cut) {
        await new Promise<void>((resolve) => {
          res.write(Buffer.alloc(0), () => {
            resolve();
          });
        });
        finishCut();
        return;
      }
      if (!more) await drained(res);
    }
    if (!res.destroyed) res.end();
  }
}

function drained(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) {
        reject(new Error('request body too large'));
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => {
      resolve(Buffer.concat(chunks));
    });
    req.on('error', reject);
  });
}
