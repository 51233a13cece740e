import { request as httpRequest } from 'node:http';
import { expect } from 'chai';
import { childText, findDescendant, parseXml } from './xml.js';
import { start, type Emulator } from './index.js';
import { http, q, soap } from './test-helpers.js';

/** Raw request that reports how it ended: a full body, or a connection error after some bytes. */
function rawGet(e: Emulator, path: string): Promise<{ status?: number; contentLength?: number; received: number; error?: string }> {
  return new Promise((resolve) => {
    let received = 0;
    let status: number | undefined;
    let contentLength: number | undefined;
    const req = httpRequest(`${e.url}${path}`, { headers: { Authorization: `Bearer ${e.accessToken}` }, agent: false }, (res) => {
      status = res.statusCode;
      contentLength = Number(res.headers['content-length']);
      res.on('data', (c: Buffer) => (received += c.length));
      res.on('end', () => { resolve({ status, contentLength, received }); });
      res.on('error', (err) => { resolve({ status, contentLength, received, error: err.message }); });
      res.on('aborted', () => { resolve({ status, contentLength, received, error: 'aborted' }); });
    });
    req.on('error', (err) => { resolve({ status, contentLength, received, error: err.message }); });
    req.end();
  });
}

describe('org emulator: faults and latency', () => {
  let e: Emulator;
  beforeEach(async () => {
    e = await start({ scenario: 'demo' });
  });
  afterEach(async () => {
    await e.stop();
  });

  const ORG = q('SELECT Id FROM Organization');

  it('fails the nth matching request with a REST error body', async () => {
    e.addFault({ path: '/query$', nth: 2, status: 503 });
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await http(e, 'GET', ORG)).status);
    expect(statuses).to.deep.equal([200, 503, 200]);
    const entry = e.requests.find((r) => r.status === 503)!;
    expect(entry.fault).to.equal('error:503:SERVER_UNAVAILABLE');
  });

  it('fails `times` requests, or every request from the nth on', async () => {
    e.addFault({ soql: 'FROM Organization', times: 2, status: 500 });
    const handle = e.addFault({ soql: 'FROM User', nth: 2, times: Infinity, errorCode: 'REQUEST_LIMIT_EXCEEDED' });
    const org = [];
    for (let i = 0; i < 3; i++) org.push((await http(e, 'GET', ORG)).status);
    expect(org).to.deep.equal([500, 500, 200]);
    const users = [];
    for (let i = 0; i < 4; i++) users.push(await http(e, 'GET', q('SELECT Id FROM User')));
    expect(users.map((r) => r.status)).to.deep.equal([200, 403, 403, 403]);
    expect(JSON.parse(users[1].body)).to.deep.equal([{ message: 'TotalRequests Limit exceeded.', errorCode: 'REQUEST_LIMIT_EXCEEDED' }]);
    expect(handle.fired).to.equal(3);
    handle.remove();
    expect((await http(e, 'GET', q('SELECT Id FROM User'))).status).to.equal(200);
  });

  it('starts a `then` rule once a rule has fired: an outage from a given request on, that request itself excluded', async () => {
    e.addFault({ soql: 'FROM User', nth: 2, kind: 'error-after', then: { kind: 'error', status: 503, times: -1 } });
    const statuses = [];
    for (const soql of ['SELECT Id FROM Organization', 'SELECT Id FROM User', 'SELECT Id FROM Organization', 'SELECT Id FROM User', 'SELECT Id FROM Organization']) {
      statuses.push((await http(e, 'GET', q(soql))).status);
    }
    expect(statuses).to.deep.equal([200, 200, 200, 500, 503]);
    expect(e.requests.map((r) => r.fault ?? null)).to.deep.equal([null, null, null, 'error-after', 'error:503:SERVER_UNAVAILABLE']);
    e.clearFaults();
    expect((await http(e, 'GET', ORG)).status).to.equal(200);
  });

  it('answers INVALID_SESSION_ID (401) and INSUFFICIENT_ACCESS (403 REST, SOAP fault for SOAP)', async () => {
    e.addFault({ method: 'GET', path: 'userinfo', errorCode: 'INVALID_SESSION_ID' });
    e.addFault({ path: '/sobjects$', errorCode: 'INSUFFICIENT_ACCESS' });
    e.addFault({ soapOperation: 'listMetadata', errorCode: 'INSUFFICIENT_ACCESS' });
    const session = await http(e, 'GET', '/services/oauth2/userinfo');
    expect(session.status).to.equal(401);
    expect(JSON.parse(session.body)).to.deep.equal([{ message: 'Session expired or invalid', errorCode: 'INVALID_SESSION_ID' }]);
    const access = await http(e, 'GET', '/services/data/v67.0/sobjects');
    expect(access.status).to.equal(403);
    expect((JSON.parse(access.body) as Array<{ errorCode: string }>)[0].errorCode).to.equal('INSUFFICIENT_ACCESS');
    const list = await soap(e, '<met:listMetadata><met:queries><met:type>ConnectedApp</met:type></met:queries><met:asOfVersion>67.0</met:asOfVersion></met:listMetadata>');
    expect(list.status).to.equal(500);
    const fault = findDescendant(parseXml(list.body).root, 'Fault')!;
    expect(childText(fault, 'faultcode')).to.equal('sf:INSUFFICIENT_ACCESS');
    expect(e.requests.at(-1)!.soapOperation).to.equal('listMetadata');
  });

  it('drops the connection before responding', async () => {
    e.addFault({ path: '/query$', kind: 'drop-before' });
    const r = await rawGet(e, ORG);
    expect(r.status).to.equal(undefined);
    expect(r.error).to.match(/socket hang up|ECONNRESET/);
    expect(e.requests.at(-1)).to.deep.include({ status: 0, fault: 'drop-before' });
    expect((await http(e, 'GET', ORG)).status).to.equal(200);
  });

  it('drops the connection in the middle of a streamed event log file', async () => {
    const file = (await http(e, 'GET', q("SELECT Id, LogFileLength FROM EventLogFile WHERE EventType = 'ApiTotalUsage' LIMIT 1"))).body;
    const { Id, LogFileLength } = (JSON.parse(file) as { records: Array<{ Id: string; LogFileLength: number }> }).records[0];
    e.addFault({ path: '/LogFile$', kind: 'drop-mid', afterBytes: 1000 });
    const r = await rawGet(e, `/services/data/v67.0/sobjects/EventLogFile/${Id}/LogFile`);
    expect(r.status).to.equal(200);
    expect(r.contentLength).to.equal(LogFileLength);
    expect(r.received).to.be.at.most(1000);
    expect(r.error).to.not.equal(undefined);
  });

  it('truncates a body: Content-Length larger than what is sent', async () => {
    e.addFault({ soql: 'FROM ConnectedApplication', kind: 'truncate' });
    const r = await rawGet(e, q('SELECT Id, Name FROM ConnectedApplication'));
    expect(r.status).to.equal(200);
    expect(r.received).to.equal(Math.floor(r.contentLength! / 2));
    expect(r.error).to.not.equal(undefined);
    expect(e.requests.at(-1)).to.deep.include({ fault: 'truncate', bytes: Math.floor(r.contentLength! / 2) });
  });

  it('adds latency to every response, and delays chosen requests', async () => {
    e.setLatency(120);
    let t = performance.now();
    await http(e, 'GET', ORG);
    expect(performance.now() - t).to.be.at.least(115);
    e.setLatency(0);
    // 300 ms, so that a request the rule does not match (well under it) stays clear of it on a busy machine.
    e.addFault({ soql: 'FROM User', kind: 'delay', delayMs: 300 });
    t = performance.now();
    await http(e, 'GET', ORG);
    expect(performance.now() - t).to.be.below(200);
    t = performance.now();
    await http(e, 'GET', q('SELECT Id FROM User'));
    expect(performance.now() - t).to.be.at.least(295);
    expect(e.requests.at(-1)!.fault).to.equal('delay:300');
  });

  it('holds a request unanswered until the test releases it, then answers it normally', async () => {
    const hold = e.addFault({ soql: 'FROM User', kind: 'hold' });
    let answered = false;
    const pending = http(e, 'GET', q('SELECT Id FROM User')).then((r) => {
      answered = true;
      return r;
    });
    while (hold.fired === 0) await new Promise((r) => setTimeout(r, 10));
    // Other requests pass meanwhile.
    expect((await http(e, 'GET', ORG)).status).to.equal(200);
    await new Promise((r) => setTimeout(r, 100));
    expect(answered).to.be.false;
    hold.release();
    expect((await pending).status).to.equal(200);
    expect(e.requests.at(-1)).to.deep.include({ fault: 'hold', status: 200 });
  });

  it('lets held requests go when the emulator stops', async () => {
    const other = await start({ scenario: 'empty' });
    const hold = other.addFault({ path: '/services/data$', kind: 'hold' });
    const pending = rawGet(other, '/services/data');
    while (hold.fired === 0) await new Promise((r) => setTimeout(r, 10));
    const t = performance.now();
    await other.stop();
    const ended = await pending;
    expect(performance.now() - t).to.be.below(1000);
    expect(ended.status).to.equal(undefined);
  });

  it('takes faults and latency at start', async () => {
    const slow = await start({ scenario: 'empty', latencyMs: 60, faults: [{ path: 'userinfo', status: 500 }] });
    try {
      const t = performance.now();
      expect((await http(slow, 'GET', '/services/oauth2/userinfo')).status).to.equal(500);
      expect(performance.now() - t).to.be.at.least(55);
      expect(slow.requests[0].ms).to.be.at.least(55);
    } finally {
      await slow.stop();
    }
  });

  it('stops promptly while requests are delayed, leaving no timer behind', async () => {
    const settle = async (): Promise<void> => {
      for (let i = 0; i < 3; i++) await new Promise((r) => setImmediate(r));
    };
    const timers = (): number => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
    // The same start, request and stop without a delay, for the timers a server leaves anyway.
    const quick = await start({ scenario: 'empty' });
    await rawGet(quick, '/services/data');
    await quick.stop();
    await settle();
    const before = timers();
    const slow = await start({ scenario: 'empty', latencyMs: 10_000 });
    const pending = rawGet(slow, '/services/data');
    await new Promise((r) => setTimeout(r, 50));
    const t = performance.now();
    await slow.stop();
    await pending;
    expect(performance.now() - t).to.be.below(1000);
    await settle();
    // A delay that stop() does not cut short runs out later (and holds the process open until it does).
    expect(timers(), 'timers left running after stop()').to.be.at.most(before);
  });
});
