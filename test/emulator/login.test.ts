import { Agent, request as httpRequest } from 'node:http';
import { expect } from 'chai';
import { start, type Emulator } from './index.js';
import { getJson, http, q, type QueryPage } from './test-helpers.js';

describe('org emulator: login and session', () => {
  let e: Emulator;
  before(async () => {
    e = await start({ scenario: 'empty' });
  });
  after(async () => {
    await e.stop();
  });

  it('binds 127.0.0.1 and hands out an access token of the org', () => {
    expect(e.url).to.match(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(e.accessToken).to.match(/^00D\w{15}![.\w]+$/);
    expect(e.accessToken.startsWith(e.org.orgId)).to.be.true;
  });

  it('lists API versions 20.0 .. 67.0 without authentication', async () => {
    const r = await http(e, 'GET', '/services/data', { token: null });
    const versions = JSON.parse(r.body) as Array<{ label: string; url: string; version: string }>;
    expect(r.status).to.equal(200);
    expect(versions[0]).to.deep.equal({ label: "Winter '11", url: '/services/data/v20.0', version: '20.0' });
    expect(versions.at(-1)).to.deep.equal({ label: "Summer '26", url: '/services/data/v67.0', version: '67.0' });
    expect(versions.find((v) => v.version === '64.0')?.label).to.equal("Summer '25");
  });

  it('answers userinfo for the token owner, also on //services paths', async () => {
    for (const path of ['/services/oauth2/userinfo', '//services/oauth2/userinfo']) {
      const r = await getJson<Record<string, unknown>>(e, path);
      expect(r.status).to.equal(200);
      expect(r.json.user_id).to.equal(e.org.currentUserId);
      expect(r.json.organization_id).to.equal(e.org.orgId);
      expect(r.json.preferred_username).to.equal('admin@empty.example.com');
      expect(r.json.sub).to.equal(`${e.url}/id/${e.org.orgId}/${e.org.currentUserId}`);
    }
  });

  it('serves the User record sf org login reads (v51.0) and the identity URL', async () => {
    const u = await getJson<Record<string, unknown>>(e, `//services/data/v51.0/sobjects/User/${e.org.currentUserId}`);
    expect(u.status).to.equal(200);
    expect(u.json.Username).to.equal('admin@empty.example.com');
    expect(u.json.attributes).to.deep.equal({ type: 'User', url: `/services/data/v51.0/sobjects/User/${e.org.currentUserId}` });
    const id = await getJson<Record<string, unknown>>(e, `/id/${e.org.orgId}/${e.org.currentUserId}`);
    expect(id.json.username).to.equal('admin@empty.example.com');
  });

  it('answers the ScratchOrgInfo probe with 400 INVALID_TYPE and the Organization query @salesforce/core sends', async () => {
    const scratch = await getJson<Array<Record<string, unknown>>>(e, '/services/data/v67.0/query?q=SELECT%20Id%20FROM%20ScratchOrgInfo%20limit%201');
    expect(scratch.status).to.equal(400);
    expect(scratch.json[0].errorCode).to.equal('INVALID_TYPE');
    expect(scratch.json[0].message).to.contain("sObject type 'ScratchOrgInfo' is not supported");
    const org = await getJson<QueryPage>(e, q('SELECT Name, InstanceName, IsSandbox, TrialExpirationDate, NamespacePrefix, OrganizationType FROM Organization'));
    expect(org.status).to.equal(200);
    expect(org.json.records[0]).to.deep.include({ Name: 'Empty Org', IsSandbox: false, TrialExpirationDate: null, NamespacePrefix: null, OrganizationType: 'Enterprise Edition' });
  });

  it('reports API usage in Sforce-Limit-Info on REST responses', async () => {
    const a = await getJson(e, q('SELECT Id FROM Organization'));
    const b = await getJson(e, q('SELECT Id FROM Organization'));
    const used = (h: unknown): number => Number(/api-usage=(\d+)\/15000/.exec(String(h))![1]);
    expect(used(b.headers['sforce-limit-info'])).to.equal(used(a.headers['sforce-limit-info']) + 1);
  });

  it('rejects a wrong token with 401 INVALID_SESSION_ID', async () => {
    const r = await http(e, 'GET', q('SELECT Id FROM Organization'), { token: `${e.org.orgId}!wrong` });
    expect(r.status).to.equal(401);
    expect(JSON.parse(r.body)).to.deep.equal([{ message: 'Session expired or invalid', errorCode: 'INVALID_SESSION_ID' }]);
    const none = await http(e, 'GET', '/services/oauth2/userinfo', { token: null });
    expect(none.status).to.equal(401);
  });

  it('expires tokens and issues new ones', async () => {
    const other = await start({ scenario: 'empty' });
    try {
      const fresh = other.issueToken();
      other.expireToken();
      expect((await http(other, 'GET', '/services/oauth2/userinfo')).status).to.equal(401);
      expect((await http(other, 'GET', '/services/oauth2/userinfo', { token: fresh })).status).to.equal(200);
    } finally {
      await other.stop();
    }
  });

  it('revokes the session itself through /services/oauth2/revoke', async () => {
    const other = await start({ scenario: 'empty' });
    try {
      const r = await http(other, 'POST', '/services/oauth2/revoke', {
        token: null,
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        body: `token=${encodeURIComponent(other.accessToken)}`,
      });
      expect(r.status).to.equal(200);
      expect((await http(other, 'GET', '/services/oauth2/userinfo')).status).to.equal(401);
    } finally {
      await other.stop();
    }
  });

  it('runs several emulators at once on free ports', async () => {
    const many = await Promise.all([start({ scenario: 'empty' }), start({ scenario: 'empty' }), start({ scenario: 'demo' })]);
    try {
      expect(new Set(many.map((m) => m.port)).size).to.equal(3);
      const names = await Promise.all(many.map(async (m) => (await getJson<QueryPage>(m, q('SELECT Name FROM Organization'))).json.records[0].Name));
      expect(names).to.deep.equal(['Empty Org', 'Empty Org', 'Northwind Robotics']);
    } finally {
      await Promise.all(many.map((m) => m.stop()));
    }
  });

  it('closes keep-alive connections on stop()', async () => {
    const other = await start({ scenario: 'empty' });
    const agent = new Agent({ keepAlive: true });
    let closed = false;
    await new Promise<void>((resolve, reject) => {
      const req = httpRequest(`${other.url}/services/data`, { agent }, (res) => {
        res.resume();
        res.on('end', () => {
          req.socket?.on('close', () => (closed = true));
          resolve();
        });
      });
      req.on('error', reject);
      req.end();
    });
    await other.stop();
    await new Promise((r) => setTimeout(r, 50));
    expect(closed).to.be.true;
    agent.destroy();
  });
});
