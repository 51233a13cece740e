import { expect } from 'chai';
import { start, type Emulator, type Scenario } from './index.js';
import { OBJECTS } from './schema.js';
import { connection, getJson, http, q, type QueryPage } from './test-helpers.js';

const tokenOrg = (tokens: number): Scenario => ({
  name: 'tokens',
  org: { name: 'Token Org' },
  users: [
    { username: 'admin@tokens.example.com', profile: 'System Administrator' },
    { username: 'rep@tokens.example.com', profile: 'System Administrator' },
  ],
  connectedApps: [{ name: 'Busy_App', label: 'Busy App' }],
  oauthTokens: [{ app: 'Busy_App', count: tokens }],
});

describe('org emulator: query', () => {
  let demo: Emulator;
  before(async () => {
    demo = await start({ scenario: 'demo' });
  });
  after(async () => {
    await demo.stop();
  });

  it('returns records in the REST shape with attributes', async () => {
    const r = await getJson<QueryPage>(demo, q("SELECT Id, Name FROM ConnectedApplication WHERE Name = 'Jenkins CI'"));
    expect(r.json.totalSize).to.equal(1);
    expect(r.json.done).to.be.true;
    const rec = r.json.records[0];
    expect(Object.keys(rec)).to.deep.equal(['attributes', 'Id', 'Name']);
    expect(rec.attributes).to.deep.equal({ type: 'ConnectedApplication', url: `/services/data/v67.0/sobjects/ConnectedApplication/${rec.Id as string}` });
  });

  it('pages with nextRecordsUrl using the configured batch size', async () => {
    const small = await start({ scenario: 'demo', queryBatchSize: 5 });
    try {
      const first = await getJson<QueryPage>(small, q('SELECT Id, Username FROM User ORDER BY Username'));
      expect(first.json).to.include({ totalSize: 22, done: false });
      expect(first.json.records).to.have.length(5);
      expect(first.json.nextRecordsUrl).to.match(/^\/services\/data\/v67\.0\/query\/01g\w+-5$/);
      const seen = [...first.json.records];
      let next = first.json.nextRecordsUrl;
      let pages = 1;
      while (next) {
        const page = await getJson<QueryPage>(small, next);
        seen.push(...page.json.records);
        next = page.json.nextRecordsUrl;
        pages++;
      }
      expect(pages).to.equal(5);
      expect(new Set(seen.map((r) => r.Id)).size).to.equal(22);
      const log = small.requests.filter((r) => r.locator);
      expect(log).to.have.length(4);
      expect(log[0].soql).to.equal('SELECT Id, Username FROM User ORDER BY Username');
      // A used locator is gone.
      const again = await http(small, 'GET', first.json.nextRecordsUrl!);
      expect(again.status).to.equal(400);
      expect(JSON.parse(again.body)).to.deep.equal([{ message: 'invalid query locator', errorCode: 'INVALID_QUERY_LOCATOR' }]);
    } finally {
      await small.stop();
    }
  });

  it('honours Sforce-Query-Options batchSize within 200..2000', async () => {
    const e = await start({ scenario: tokenOrg(900) });
    try {
      const asked = await getJson<QueryPage>(e, q('SELECT AppName FROM OauthToken'), { 'Sforce-Query-Options': 'batchSize=200' });
      expect(asked.json.records).to.have.length(500); // OauthToken ignores the header: 500 a batch
      const big = await start({ scenario: 'demo' });
      try {
        const h = await getJson<QueryPage>(big, q('SELECT Id FROM OauthToken'));
        expect(h.json.records).to.have.length(404);
        const logins = await getJson<QueryPage>(big, q('SELECT Id FROM LoginHistory'), { 'Sforce-Query-Options': 'batchSize=200' });
        expect(logins.json.totalSize).to.equal(321);
        expect(logins.json.records).to.have.length(200);
        const clamped = await getJson<QueryPage>(big, q('SELECT Id FROM LoginHistory'), { 'Sforce-Query-Options': 'batchSize=10' });
        expect(clamped.json.records).to.have.length(200);
        const whole = await getJson<QueryPage>(big, q('SELECT Id FROM LoginHistory'));
        expect(whole.json.records).to.have.length(321);
        expect(whole.json.done).to.be.true;
      } finally {
        await big.stop();
      }
    } finally {
      await e.stop();
    }
  });

  it('caps OauthToken at 500 rows a batch and 2,500 rows in all', async () => {
    const e = await start({ scenario: tokenOrg(3000) });
    try {
      const conn = connection(e);
      let page = (await conn.query('SELECT AppName, UserId, UseCount, DeleteToken FROM OauthToken')) as unknown as QueryPage;
      const sizes = [page.records.length];
      expect(page.totalSize).to.equal(3000);
      while (!page.done) {
        page = await conn.queryMore(page.nextRecordsUrl!);
        sizes.push(page.records.length);
      }
      expect(sizes).to.deep.equal([500, 500, 500, 500, 500]);
      expect(page.totalSize).to.equal(3000);
      expect(page.records[0].attributes).to.deep.equal({ type: 'OauthToken' });
      const count = await getJson<QueryPage>(e, q('SELECT COUNT() FROM OauthToken'));
      expect(count.json).to.deep.equal({ totalSize: 3000, done: true, records: [] });
    } finally {
      await e.stop();
    }
  });

  it('answers INVALID_TYPE for objects the org does not license, per event type for EventLogFile', async () => {
    // Enterprise Edition without Event Monitoring: the free types only (RestApi files exist but are invisible).
    const types = await getJson<QueryPage>(demo, q('SELECT EventType FROM EventLogFile'));
    expect(new Set(types.json.records.map((r) => r.EventType))).to.deep.equal(new Set(['ApiTotalUsage', 'Login']));
    const hidden = demo.org.table('EventLogFile').find((r) => r.EventType === 'RestApi')!;
    expect((await http(demo, 'GET', `/services/data/v67.0/sobjects/EventLogFile/${hidden.Id as string}/LogFile`)).status).to.equal(404);

    const pro = await start({ scenario: { org: { name: 'Pro', edition: 'Professional Edition' }, eventLogFiles: [{ eventType: 'Login', rows: 3 }] } });
    const shield = await start({ scenario: { org: { name: 'Shield', features: { eventMonitoring: true }, unavailableObjects: ['LoginIpRange'] }, eventLogFiles: [{ eventType: 'RestApi', rows: 3, dates: ['2026-11-19'] }] } });
    try {
      const r = await getJson<Array<{ errorCode: string; message: string }>>(pro, q('SELECT Id FROM EventLogFile'));
      expect(r.status).to.equal(400);
      expect(r.json[0].errorCode).to.equal('INVALID_TYPE');
      expect((await http(pro, 'GET', '/services/data/v67.0/sobjects/EventLogFile/describe')).status).to.equal(404);
      const s = await getJson<QueryPage>(shield, q('SELECT EventType FROM EventLogFile'));
      expect(s.json.records.map((x) => x.EventType)).to.deep.equal(['RestApi']);
      const ip = await getJson<Array<{ errorCode: string }>>(shield, q('SELECT Id FROM LoginIpRange'));
      expect(ip.json[0].errorCode).to.equal('INVALID_TYPE');
    } finally {
      await pro.stop();
      await shield.stop();
    }
  });

  it('reports SOQL errors as 400 with the error code', async () => {
    const bad = await getJson<Array<{ errorCode: string; message: string }>>(demo, q('SELECT Nope FROM ConnectedApplication'));
    expect(bad.status).to.equal(400);
    expect(bad.json[0].errorCode).to.equal('INVALID_FIELD');
    const malformed = await getJson<Array<{ errorCode: string }>>(demo, q('SELECT FROM'));
    expect(malformed.json[0].errorCode).to.equal('MALFORMED_QUERY');
  });

  it('has no Tooling API and rejects unknown API versions', async () => {
    expect((await http(demo, 'GET', '/services/data/v67.0/tooling/query?q=SELECT+Id+FROM+ApexClass')).status).to.equal(404);
    expect((await http(demo, 'GET', q('SELECT Id FROM Organization', '68.0'))).status).to.equal(404);
  });

  it('describes every object the org has and lists them in describeGlobal; optional objects it lacks are absent', async () => {
    const global = await getJson<{ sobjects: Array<{ name: string; urls: Record<string, string> }> }>(demo, '/services/data/v67.0/sobjects');
    const names = global.json.sobjects.map((s) => s.name);
    for (const name of Object.keys(OBJECTS)) {
      if (OBJECTS[name].optional && !OBJECTS[name].defaultPresent) {
        expect(names).to.not.include(name);
        expect((await http(demo, 'GET', `/services/data/v67.0/sobjects/${name}/describe`)).status, name).to.equal(404);
        continue;
      }
      expect(names).to.include(name);
      const d = await getJson<{ name: string; fields: Array<{ name: string }> }>(demo, `/services/data/v67.0/sobjects/${name}/describe`);
      expect(d.status, name).to.equal(200);
      expect(d.json.name).to.equal(name);
      expect(d.json.fields.length).to.be.greaterThan(1);
    }
  });

  it('resolves relationships in queries over the scenario data', async () => {
    const r = await getJson<QueryPage>(
      demo,
      q("SELECT Parent.Label, Parent.IsOwnedByProfile, Parent.Profile.Name FROM SetupEntityAccess WHERE SetupEntityId IN (SELECT Id FROM ConnectedApplication WHERE Name = 'Field Sales Mobile')")
    );
    expect(r.json.totalSize).to.equal(42);
    const profiles = r.json.records.map((x) => ((x.Parent as Record<string, unknown>).Profile as Record<string, unknown>).Name);
    expect(profiles).to.include('Sales Rep - UK & Ireland');
  });
});
