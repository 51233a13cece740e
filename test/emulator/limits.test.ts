import { request as httpRequest } from 'node:http';
import { gunzipSync } from 'node:zlib';
import { expect } from 'chai';
import { start, type Emulator, type Scenario } from './index.js';
import { resolveDay, resolveInstant } from './scenario.js';
import { demoScenario, getJson, http, PINNED_NOW, q, type QueryPage } from './test-helpers.js';

const DAY = 86_400_000;
type ElfRow = { Id: string; EventType: string; Interval: string; LogDate: string; CreatedDate: string; LogFile: string; LogFileLength: number };
const ms = (rest: string): number => Date.parse(rest.replace(/\+0000$/, 'Z'));

/** A raw GET (no decompression by the client), with the response's headers and bytes. */
function raw(e: Emulator, path: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: Buffer; complete: boolean }> {
  return new Promise((resolve, reject) => {
    httpRequest(`${e.url}${path}`, { headers: { Authorization: `Bearer ${e.accessToken}`, ...headers }, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => { resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks), complete: res.complete }); });
      res.on('error', () => { resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks), complete: false }); });
    })
      .on('error', reject)
      .end();
  });
}

const files = async (e: Emulator, where = ''): Promise<ElfRow[]> =>
  (await getJson<QueryPage>(e, q(`SELECT Id, EventType, Interval, LogDate, CreatedDate, LogFile, LogFileLength FROM EventLogFile ${where}`))).json.records as unknown as ElfRow[];

describe('org emulator: event-log retention and licences', () => {
  it('a free org serves no hourly files and nothing older than one day after CreatedDate', async () => {
    const e = await start({ scenario: demoScenario({ now: PINNED_NOW }) });
    try {
      const served = await files(e);
      expect(served.length).to.be.greaterThan(0);
      expect(served.every((f) => f.Interval === 'Daily')).to.be.true;
      const now = Date.parse(PINNED_NOW);
      expect(served.every((f) => ms(f.CreatedDate) <= now && ms(f.CreatedDate) > now - DAY)).to.be.true;
      // The org holds the rest (a week of daily files, three hourly ones): they exist but are not served.
      const stored = e.org.table('EventLogFile');
      const hourly = stored.find((f) => f.Interval === 'Hourly')!;
      const old = stored.find((f) => f.EventType === 'ApiTotalUsage' && ms(String(f.CreatedDate)) < now - 2 * DAY)!;
      for (const f of [hourly, old]) {
        expect((await raw(e, `/services/data/v67.0/sobjects/EventLogFile/${String(f.Id)}/LogFile`)).status).to.equal(404);
        expect((await getJson(e, `/services/data/v67.0/sobjects/EventLogFile/${String(f.Id)}`)).status).to.equal(404);
      }
      expect((await files(e, "WHERE Interval = 'Hourly'")).length).to.equal(0);
    } finally {
      await e.stop();
    }
  });

  it('with Event Monitoring serves hourly files and 30 days (or the retention set), and nothing not yet generated', async () => {
    const scenario: Scenario = {
      org: { name: 'Shield', now: PINNED_NOW, features: { eventMonitoring: true } },
      eventLogFiles: [
        { eventType: 'ApiTotalUsage', dates: { from: '-40d', to: '-1d' }, rows: 5 },
        { eventType: 'ApiTotalUsage', interval: 'Hourly', dates: ['-1d', 'now'], hours: [9, 23], rows: 5 },
      ],
    };
    const e = await start({ scenario });
    try {
      const now = Date.parse(PINNED_NOW);
      const daily = await files(e, "WHERE Interval = 'Daily'");
      expect(daily).to.have.length(30);
      expect(daily.every((f) => ms(f.CreatedDate) > now - 30 * DAY)).to.be.true;
      // Today's hourly files are generated about 4 hours after their hour: at 12:00 none is there yet.
      expect((await files(e, "WHERE Interval = 'Hourly'")).map((f) => f.LogDate).sort()).to.deep.equal(['2026-11-19T09:00:00.000+0000', '2026-11-19T23:00:00.000+0000']);
      expect(e.org.table('EventLogFile').filter((f) => f.Interval === 'Hourly')).to.have.length(4);
    } finally {
      await e.stop();
    }
    const week = await start({ scenario: { ...scenario, org: { ...scenario.org, eventLogRetentionDays: 7 } } });
    try {
      expect(await files(week, "WHERE Interval = 'Daily'")).to.have.length(7);
    } finally {
      await week.stop();
    }
    expect(() => demoScenario({ eventLogRetentionDays: 30 })).to.not.throw();
    let refused: unknown;
    try {
      await start({ scenario: demoScenario({ eventLogRetentionDays: 30 }) });
    } catch (error) {
      refused = error;
    }
    expect((refused as Error).message).to.include('without Event Monitoring event log files are kept 1 day');
  });
});

describe('org emulator: gzip', () => {
  let e: Emulator;
  before(async () => {
    e = await start({ scenario: demoScenario({ now: PINNED_NOW }) });
  });
  after(async () => {
    await e.stop();
  });

  it('gzips query answers and event log files when asked, and only then', async () => {
    const path = q('SELECT Id, Name FROM ConnectedApplication');
    const plain = await raw(e, path);
    expect(plain.headers['content-encoding']).to.equal(undefined);
    const zipped = await raw(e, path, { 'Accept-Encoding': 'gzip, deflate' });
    expect(zipped.headers['content-encoding']).to.equal('gzip');
    expect(Number(zipped.headers['content-length'])).to.equal(zipped.body.length);
    expect(zipped.body.length).to.be.lessThan(plain.body.length);
    expect(gunzipSync(zipped.body).toString('utf8')).to.equal(plain.body.toString('utf8'));

    const [file] = await files(e, "WHERE EventType = 'ApiTotalUsage'");
    const csv = await raw(e, file.LogFile, { 'Accept-Encoding': 'gzip' });
    expect(csv.headers['content-encoding']).to.equal('gzip');
    expect(csv.headers['content-length']).to.equal(undefined); // streamed, chunked
    expect(gunzipSync(csv.body).length).to.equal(file.LogFileLength);
    // Describe answers are not compressed (only queries and log files are modelled).
    expect((await raw(e, '/services/data/v67.0/sobjects/User/describe', { 'Accept-Encoding': 'gzip' })).headers['content-encoding']).to.equal(undefined);
  });

  it('cuts a gzipped download mid-stream when a fault says so', async () => {
    const [file] = await files(e, "WHERE EventType = 'ApiTotalUsage'");
    const fault = e.addFault({ path: '/LogFile$', kind: 'drop-mid', afterBytes: 1000 });
    const cut = await raw(e, file.LogFile, { 'Accept-Encoding': 'gzip' });
    expect(fault.fired).to.equal(1);
    expect(cut.complete).to.be.false;
    expect(cut.body.length).to.equal(1000);
    e.clearFaults();
  });
});

describe('org emulator: who sees which rows', () => {
  const scenario = (currentUser: string): Scenario => ({
    org: { name: 'Visibility', currentUser },
    profiles: [{ name: 'System Administrator', permissions: ['ModifyAllData', 'ManageUsers', 'CustomizeApplication'] }, { name: 'Standard User', permissions: ['ApiEnabled'] }],
    permissionSets: [{ name: 'Login_Monitor', permissions: ['MonitorLoginHistory'] }],
    users: [
      { username: 'admin@v.example.com', profile: 'System Administrator' },
      { username: 'ana@v.example.com', profile: 'Standard User' },
      { username: 'mo@v.example.com', profile: 'Standard User', permissionSets: ['Login_Monitor'] },
    ],
    connectedApps: [{ name: 'App' }],
    oauthTokens: [{ app: 'App', users: ['admin@v.example.com', 'ana@v.example.com', 'mo@v.example.com'], perUser: 2 }],
    loginHistory: [{ count: 30, users: ['admin@v.example.com', 'ana@v.example.com', 'mo@v.example.com'] }],
  });
  const seen = async (user: string, soql: string): Promise<number> => {
    const e = await start({ scenario: scenario(user) });
    try {
      return (await getJson<QueryPage>(e, q(soql))).json.totalSize;
    } finally {
      await e.stop();
    }
  };

  it('LoginHistory: all rows with Manage Users or Monitor Login History, else only the user’s own', async () => {
    expect(await seen('admin@v.example.com', 'SELECT Id FROM LoginHistory')).to.equal(30);
    expect(await seen('mo@v.example.com', 'SELECT Id FROM LoginHistory')).to.equal(30);
    expect(await seen('ana@v.example.com', 'SELECT Id FROM LoginHistory')).to.equal(10);
  });

  it('OauthToken: all tokens with Customize Application, else only the user’s own', async () => {
    expect(await seen('admin@v.example.com', 'SELECT UserId FROM OauthToken')).to.equal(6);
    expect(await seen('ana@v.example.com', 'SELECT UserId FROM OauthToken')).to.equal(2);
  });

  it('keeps the OauthToken cut-off at 2,500 rows', async () => {
    const many: Scenario = { org: { name: 'Tokens' }, connectedApps: [{ name: 'Busy' }], oauthTokens: [{ app: 'Busy', count: 3000 }] };
    const e = await start({ scenario: many });
    try {
      let page = (await getJson<QueryPage>(e, q('SELECT AppName FROM OauthToken'))).json;
      let rows = page.records.length;
      while (!page.done && page.nextRecordsUrl) {
        page = (await getJson<QueryPage>(e, page.nextRecordsUrl)).json;
        rows += page.records.length;
      }
      expect([rows, page.totalSize]).to.deep.equal([2500, 3000]);
    } finally {
      await e.stop();
    }
  });
});

describe('org emulator: the clock', () => {
  it('runs on the machine clock unless the scenario pins one', async () => {
    const live = await start({ scenario: { org: { name: 'Live' } } });
    const pinned = await start({ scenario: { org: { name: 'Pinned', now: PINNED_NOW } } });
    try {
      expect(Math.abs(live.org.now.getTime() - Date.now())).to.be.below(5000);
      expect(pinned.org.now.toISOString()).to.equal('2026-11-20T12:00:00.000Z');
    } finally {
      await live.stop();
      await pinned.stop();
    }
  });

  it('resolves relative dates ("-3d", "-2h", "now") against the clock; absolute dates keep working', () => {
    const base = Date.parse(PINNED_NOW);
    expect(new Date(resolveInstant('-2h', base)).toISOString()).to.equal('2026-11-20T10:00:00.000Z');
    expect(new Date(resolveInstant('-3.5d', base)).toISOString()).to.equal('2026-11-17T00:00:00.000Z');
    expect(resolveInstant('now', base)).to.equal(base);
    expect(resolveDay('-1d', base)).to.equal('2026-11-19');
    expect(resolveDay('2023-12-18', base)).to.equal('2023-12-18');
    expect(new Date(resolveInstant('2026-01-02T03:04:05Z', base)).toISOString()).to.equal('2026-01-02T03:04:05.000Z');
    expect(resolveInstant('yesterday', base)).to.be.NaN;
  });

  it('gives the demo the same story on any day: the last day of API usage, dated relative to today', async () => {
    for (const now of ['2026-11-20T12:00:00Z', '2031-02-28T00:30:00Z']) {
      const e = await start({ scenario: demoScenario({ now }) });
      try {
        const served = await files(e, "WHERE EventType = 'ApiTotalUsage'");
        expect(served.length, now).to.be.greaterThan(0);
        expect(served.every((f) => ms(f.CreatedDate) > Date.parse(now) - DAY), now).to.be.true;
        const dayBefore = new Date(Date.parse(now) - 2 * DAY).toISOString().slice(0, 10);
        expect(served.some((f) => f.LogDate.slice(0, 10) >= dayBefore), now).to.be.true;
        const logins = (await getJson<QueryPage>(e, q('SELECT COUNT() FROM LoginHistory WHERE LoginTime = LAST_N_DAYS:30'))).json.totalSize;
        expect(logins, now).to.be.greaterThan(300);
      } finally {
        await e.stop();
      }
    }
  });
});

/** The log gets an entry when the server finishes a response, which may be just after the client has it all. */
async function logged(e: Emulator): Promise<void> {
  for (let i = 0; i < 100 && e.requests.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
}

describe('org emulator: latency that charges for size', () => {
  // Lower bounds only: a sleep never ends early, so these cannot flake on a slow machine.
  it('charges the base delay plus a cost per record returned', async () => {
    const e = await start({ scenario: demoScenario({ now: PINNED_NOW }), latencyMs: 5, latencyPerRecordMs: 0.5, latencyPerKbMs: 0 });
    try {
      await getJson(e, q('SELECT Id FROM OauthToken LIMIT 200'));
      await getJson(e, q('SELECT Id FROM Organization'));
      const [many, one] = e.requests.slice(-2);
      expect([many.records, one.records]).to.deep.equal([200, 1]);
      expect(many.ms).to.be.at.least(5 + 200 * 0.5);
      expect(one.ms).to.be.at.least(5);
    } finally {
      await e.stop();
    }
  });

  it('charges per KB received: a large request body is not free', async () => {
    const e = await start({ scenario: demoScenario({ now: PINNED_NOW }), latencyMs: 1, latencyPerRecordMs: 0, latencyPerKbMs: 4 });
    try {
      const app = e.org.appByAnyName('Jenkins_CI')!.id;
      const ps = e.org.table('PermissionSet').filter((p) => p.IsOwnedByProfile === false && p.PermissionSetGroupId === null && p.NamespacePrefix === null);
      const records = Array.from({ length: 200 }, (_, i) => ({ attributes: { type: 'SetupEntityAccess' }, ParentId: ps[i % ps.length].Id, SetupEntityId: app }));
      const body = JSON.stringify({ allOrNone: true, records });
      e.resetLog();
      await http(e, 'POST', '/services/data/v67.0/composite/sobjects', { headers: { 'Content-Type': 'application/json' }, body });
      await logged(e);
      const [upload] = e.requests;
      expect(upload.requestBytes).to.equal(Buffer.byteLength(body));
      expect(upload.requestBytes).to.be.greaterThan(15 * 1024);
      expect(upload.ms).to.be.at.least(1 + (upload.requestBytes / 1024) * 4 * 0.95);
    } finally {
      await e.stop();
    }
  });

  it('charges per KB sent, for bodies and streamed files', async () => {
    const e = await start({ scenario: demoScenario({ now: PINNED_NOW }), latencyMs: 1, latencyPerRecordMs: 0, latencyPerKbMs: 2 });
    try {
      const [file] = await files(e, "WHERE EventType = 'ApiTotalUsage'");
      e.resetLog();
      await raw(e, file.LogFile);
      await logged(e);
      const [download] = e.requests;
      expect(download.bytes).to.equal(file.LogFileLength);
      expect(download.ms).to.be.at.least(1 + (file.LogFileLength / 1024) * 2 * 0.95);
      // A gzipped stream pays for its compressed bytes and still arrives whole, small (one compressed piece) or not.
      const zipped = await raw(e, file.LogFile, { 'Accept-Encoding': 'gzip' });
      expect(gunzipSync(zipped.body).length).to.equal(file.LogFileLength);
      const csv = '"EVENT_TYPE","USER_ID"\n"Login","0055g0000000001"\n';
      const tiny = await start({ scenario: { org: { name: 'Tiny', now: PINNED_NOW }, eventLogFiles: [{ eventType: 'Login', dates: ['-1d'], csv }] }, latencyMs: 1, latencyPerKbMs: 50 });
      try {
        const [small] = await files(tiny);
        expect(gunzipSync((await raw(tiny, small.LogFile, { 'Accept-Encoding': 'gzip' })).body).toString('utf8')).to.equal(csv);
      } finally {
        await tiny.stop();
      }
      e.setLatency(0);
      e.resetLog();
      await raw(e, file.LogFile);
      await logged(e);
      expect(e.requests[0].bytes).to.equal(file.LogFileLength);
    } finally {
      await e.stop();
    }
  });
});

describe('org emulator: guesses it can answer both ways (GUESSES.md)', () => {
  it('hourly files in a free org: none by default, served with hourlyWithoutEventMonitoring', async () => {
    for (const [option, expected] of [[false, 0], [true, 3]] as const) {
      const e = await start({ scenario: demoScenario({ now: PINNED_NOW, hourlyWithoutEventMonitoring: option }) });
      try {
        expect((await files(e, "WHERE Interval = 'Hourly'")).length, String(option)).to.equal(expected);
      } finally {
        await e.stop();
      }
    }
  });

  it('OauthToken aggregates: over every token by default, over the first 2,500 rows with oauthTokenAggregates: capped', async () => {
    const scenario = (mode: 'all' | 'capped'): Scenario => ({
      org: { name: 'Tokens', oauthTokenAggregates: mode },
      connectedApps: [{ name: 'Busy' }, { name: 'Quiet' }],
      oauthTokens: [{ app: 'Busy', count: 2800 }, { app: 'Quiet', count: 300 }],
    });
    for (const [mode, expected] of [['all', [['Busy', 2800], ['Quiet', 300]]], ['capped', [['Busy', 2500]]]] as const) {
      const e = await start({ scenario: scenario(mode) });
      try {
        const r = (await getJson<QueryPage>(e, q('SELECT AppName, COUNT(UserId) n FROM OauthToken GROUP BY AppName ORDER BY AppName'))).json.records;
        expect(r.map((x) => [x.AppName, x.n]), mode).to.deep.equal(expected);
        expect((await getJson<QueryPage>(e, q('SELECT COUNT() FROM OauthToken'))).json.totalSize).to.equal(3100);
      } finally {
        await e.stop();
      }
    }
  });
});
