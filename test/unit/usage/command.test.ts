import { expect } from 'chai';
import { MockTestOrgData, TestContext } from '@salesforce/core/testSetup';
import { stubSfCommandUx } from '@salesforce/sf-plugins-core';
import type { SinonStub } from 'sinon';
import ConnectedAppUsage, { type ConnectedAppUsageResult } from '../../../src/commands/connectedapp/usage.js';
import { EXIT } from '../../../src/exit-codes.js';
import { FakeOrg, restError } from '../fake-org.js';

const APPS = [
  { attributes: { type: 'ConnectedApplication' }, Id: '0H4000000000001AAA', Name: 'Jenkins CI', OptionsAllowAdminApprovedUsersOnly: true, RefreshTokenValidityPeriod: null, OptionsRefreshTokenValidityMetric: false, CreatedDate: null, LastModifiedDate: null },
  { attributes: { type: 'ConnectedApplication' }, Id: '0H4000000000002AAA', Name: 'Unused App', OptionsAllowAdminApprovedUsersOnly: false, RefreshTokenValidityPeriod: null, OptionsRefreshTokenValidityMetric: false, CreatedDate: null, LastModifiedDate: null },
];
const LIST_METADATA =
  '<result><fullName>Jenkins_CI</fullName><id>0H4000000000001AAA</id><type>ConnectedApp</type></result>' +
  '<result><fullName>Unused_App</fullName><id>0H4000000000002AAA</id><type>ConnectedApp</type></result>';

const file = (id: string, day: string): Record<string, unknown> => ({
  attributes: { type: 'EventLogFile' },
  Id: id,
  EventType: 'ApiTotalUsage',
  LogDate: `${day}T00:00:00.000+0000`,
  Interval: 'Daily',
  Sequence: 0,
  LogFileLength: 400,
  LogFileFieldNames: 'EVENT_TYPE,TIMESTAMP,USER_ID,USER_NAME,CLIENT_IP,CONNECTED_APP_ID,CONNECTED_APP_NAME',
  CreatedDate: `${day}T23:00:00.000+0000`,
});

const CSV_HEADER = '"EVENT_TYPE","TIMESTAMP","USER_ID","USER_NAME","CLIENT_IP","CONNECTED_APP_ID","CONNECTED_APP_NAME"\n';
const csvOf = (day: string): string =>
  CSV_HEADER +
  `"ApiTotalUsage","${day.replace(/-/g, '')}080000.000","005000000000001","ana@x.com","10.0.0.1","0H4000000000001","Jenkins CI"\n` +
  `"ApiTotalUsage","${day.replace(/-/g, '')}090000.000","005000000000002","","Salesforce.com IP","0H4000000000009","Zapier"\n` +
  `"ApiTotalUsage","${day.replace(/-/g, '')}100000.000","005000000000001","ana@x.com","10.0.0.1","",""\n`;

describe('connectedapp usage (command, fake org)', () => {
  const $$ = new TestContext();
  const testOrg = new MockTestOrgData();
  let org: FakeOrg;
  let fetchStub: SinonStub;
  let ux: ReturnType<typeof stubSfCommandUx>;
  const bodies = new Map<string, { status: number; body: string }>();

  beforeEach(async () => {
    process.env.SF_USE_PROGRESS_BAR = 'false';
    await $$.stubAuths(testOrg);
    ux = stubSfCommandUx($$.SANDBOX);
    org = new FakeOrg();
    $$.fakeConnectionRequest = org.handler;
    bodies.clear();
    org.installFetch($$.SANDBOX).route(/\/LogFile$/, (request) => {
      const id = /EventLogFile\/([^/]+)\/LogFile$/.exec(request.url)?.[1] ?? '';
      const answer = bodies.get(id) ?? { status: 404, body: '[{"errorCode":"NOT_FOUND","message":"no such file"}]' };
      return new Response(answer.body, { status: answer.status, headers: { 'Content-Length': String(Buffer.byteLength(answer.body)) } });
    });
    fetchStub = globalThis.fetch as unknown as SinonStub;
    org.query(/FROM ConnectedApplication/, APPS).soapOperation('listMetadata', LIST_METADATA);
  });

  afterEach(() => {
    $$.restore();
    process.exitCode = undefined;
    delete process.env.SF_USE_PROGRESS_BAR;
  });

  const downloads = (r: { url: string }): boolean => /\/LogFile$/.test(r.url);
  const warnings = (): string => ux.warn.args.map(([w]) => (typeof w === 'string' ? w : w.message)).join('\n');
  const run = async (...args: string[]): Promise<ConnectedAppUsageResult> => ConnectedAppUsage.run(['--target-org', testOrg.username, '--start-date', '2026-11-13', '--end-date', '2026-11-14', ...args]);
  const withTokensAndLogins = (): void => {
    org
      .query(/FROM OauthToken GROUP BY/, [{ AppName: 'Zapier', AppMenuItemId: null, tokens: 2, users: 2, uses: 30, lastUsed: '2026-11-14T00:00:00.000+0000' }, { AppName: 'Jenkins CI', AppMenuItemId: '0Pp1', tokens: 1, users: 1, uses: 3, lastUsed: null }])
      .query(/FROM OauthToken WHERE AppName IN/, [{ AppName: 'Zapier', User: { Username: 'ben@x.com' } }, { AppName: 'Jenkins CI', User: { Username: 'ana@x.com' } }])
      .query(/FROM LoginHistory/, [{ Application: 'Jenkins CI', LoginSubType: 'OauthJwtBearer', logins: 4, users: 1, lastLogin: '2026-11-14T01:00:00.000+0000' }, { Application: 'Browser', LoginSubType: null, logins: 50, users: 5, lastLogin: null }]);
  };

  it('joins event logs, tokens and logins in a fixed number of requests, and names unknown apps', async () => {
    withTokensAndLogins();
    org.query(/FROM EventLogFile WHERE/, [file('0AT000000000001AAA', '2026-11-13'), file('0AT000000000002AAA', '2026-11-14')]).query(/FROM User WHERE Id IN/, [{ Id: '005000000000002AAA', Username: 'ben@x.com' }]);
    bodies.set('0AT000000000001AAA', { status: 200, body: csvOf('2026-11-13') });
    bodies.set('0AT000000000002AAA', { status: 200, body: csvOf('2026-11-14') });

    const result = await run('--json');

    // Most used first: equal events, then token uses and logins.
    expect(result.apps.map((a) => [a.name, a.installed, a.eventLog?.events, a.tokens?.holders, a.logins.map((l) => l.loginSubType)])).to.deep.equal([
      ['Zapier', false, 2, ['ben@x.com'], []],
      ['Jenkins CI', true, 2, ['ana@x.com'], ['OauthJwtBearer']],
    ]);
    expect(result.apps[0].appId).to.equal('0H4000000000009');
    // The logs name the user by Id only: the username comes from one User query.
    expect(result.apps[0].eventLog?.users.map((u) => u.username)).to.deep.equal(['ben@x.com']);
    expect(result.unusedApps.map((a) => a.apiName)).to.deep.equal(['Unused_App']);
    expect(result.eventLog).to.include({ rows: 6, countedRows: 4, rowsWithoutApp: 2, retries: 0 });
    expect(result.sources.map((s) => [s.source, s.status])).to.deep.equal([
      ['EventLogFile', 'used'],
      ['OauthToken', 'used'],
      ['LoginHistory', 'used'],
    ]);
    expect(result.sources.every((s) => s.cannotShow.length > 0)).to.be.true;
    expect(warnings()).to.match(/not installed in it.*Zapier \(0H4000000000009\)/);
    // apps, listMetadata of connected apps and of External Client Apps (none here, so no readMetadata), files, token
    // aggregate, userinfo (whether every user's tokens are visible: this fake org does not answer it, so the check
    // stops there), holders, logins, usernames; downloads through fetch.
    expect(org.dataRequests.filter((r) => !downloads(r))).to.have.length(9);
    expect(org.dataRequests.filter((r) => r.soapOperation === 'listMetadata')).to.have.length(2);
    expect(org.dataRequests.filter((r) => r.url.includes('/services/oauth2/userinfo'))).to.have.length(1);
    const fetched = fetchStub.getCalls().filter((c) => /\/LogFile$/.test(String(c.args[0])));
    expect(fetched).to.have.length(2);
    const [url, init] = fetched[0].args as [URL, RequestInit];
    expect(url.href).to.match(/\/services\/data\/v\d+\.0\/sobjects\/EventLogFile\/0AT000000000001AAA\/LogFile$/);
    expect((init.headers as Record<string, string>).Authorization).to.match(/^Bearer /);
  });

  it('falls back to tokens and logins when event logs are not readable, and says so', async () => {
    withTokensAndLogins();
    org.queryHandler(/FROM EventLogFile/, () => {
      throw restError('INSUFFICIENT_ACCESS', 'insufficient access rights on object id');
    });
    const result = await run('--json');
    expect(result.sources.map((s) => [s.source, s.status])).to.deep.equal([
      ['EventLogFile', 'no-permission'],
      ['OauthToken', 'used'],
      ['LoginHistory', 'used'],
    ]);
    expect(result.eventLog).to.equal(null);
    expect(result.apps.map((a) => [a.name, a.tokens?.useCount])).to.deep.equal([
      ['Zapier', 30],
      ['Jenkins CI', 3],
    ]);
    expect(warnings()).to.match(/Event log files cannot be read \(INSUFFICIENT_ACCESS\)/);
    expect(org.requests.filter(downloads)).to.be.empty;
  });

  it('stops with --source elf when event logs are not readable', async () => {
    org.queryHandler(/FROM EventLogFile/, () => {
      throw restError('INVALID_TYPE', "sObject type 'EventLogFile' is not supported.");
    });
    try {
      await run('--source', 'elf');
      expect.fail('expected an error');
    } catch (error) {
      expect((error as Error).name).to.equal('EventLogsUnavailableError');
      expect((error as Error).message).to.contain('INVALID_TYPE');
    }
  });

  it('names the event types the org has when a requested one has no files at all', async () => {
    org.query(/FROM EventLogFile WHERE/, []).query(/FROM EventLogFile GROUP BY/, [
      { EventType: 'ApiTotalUsage', Interval: 'Daily', n: 7, firstDate: '2026-11-01T00:00:00.000+0000', lastDate: '2026-11-19T00:00:00.000+0000' },
      { EventType: 'Login', Interval: 'Daily', n: 7, firstDate: '2026-11-01T00:00:00.000+0000', lastDate: '2026-11-19T00:00:00.000+0000' },
    ]);
    try {
      await run('--source', 'elf', '--event-type', 'ConnectedAppOAuth');
      expect.fail('expected an error');
    } catch (error) {
      const e = error as Error & { actions?: string[]; exitCode?: number };
      expect(e.name).to.equal('EventTypeNotInOrgError');
      expect(e.message).to.equal(
        'This org has no event log files of type ConnectedAppOAuth. Types with files: ApiTotalUsage, Login. Types that name the connected app: ApiTotalUsage (CONNECTED_APP_ID, CONNECTED_APP_NAME).'
      );
      expect(e.actions?.join(' ')).to.match(/There is no ConnectedApp event type/);
      expect(e.exitCode).to.equal(1);
    }
  });

  it('warns, with the dates that exist, when a type has files but none in the window', async () => {
    org.query(/FROM EventLogFile WHERE/, []).query(/FROM EventLogFile GROUP BY/, [{ EventType: 'ApiTotalUsage', Interval: 'Daily', n: 1, firstDate: '2026-10-01T00:00:00.000+0000', lastDate: '2026-10-01T00:00:00.000+0000' }]);
    const result = await run('--source', 'elf');
    expect(result.eventLog?.files).to.deep.equal([]);
    expect(warnings()).to.contain('There are no ApiTotalUsage event log files in the window; the org has files from 2026-10-01 to 2026-10-01.');
  });

  it('counts the files it could read and exits 68 when another could not be downloaded', async () => {
    org.query(/FROM EventLogFile WHERE/, [file('0AT000000000001AAA', '2026-11-13'), file('0AT000000000002AAA', '2026-11-14')]).query(/FROM User WHERE Id IN/, []);
    bodies.set('0AT000000000001AAA', { status: 200, body: csvOf('2026-11-13') });
    const result = await run('--source', 'elf');
    expect(process.exitCode).to.equal(EXIT.partial);
    expect(result.eventLog?.files.map((f) => [f.id, f.status, f.errorCode])).to.deep.equal([
      ['0AT000000000001AAA', 'read', undefined],
      ['0AT000000000002AAA', 'failed', 'NOT_FOUND'],
    ]);
    expect(result.eventLog?.problems.map((p) => [p.fileId, p.kind])).to.deep.equal([['0AT000000000002AAA', 'download-failed']]);
    expect(result.apps.find((a) => a.name === 'Jenkins CI')?.eventLog?.events).to.equal(1);
    expect(warnings()).to.match(/1 of 2 event log file\(s\) could not be read/);
  });

  it('refuses dates in the wrong format with exit code 2', async () => {
    try {
      await ConnectedAppUsage.run(['--target-org', testOrg.username, '--start-date', '11/13/2026']);
      expect.fail('expected an error');
    } catch (error) {
      const e = error as Error & { exitCode?: number; actions?: string[] };
      expect(e.message).to.match(/^Parsing --start-date \n\t"11\/13\/2026" is not a date\./);
      expect(e.exitCode).to.equal(2);
      expect(e.actions?.[0]).to.match(/YYYY-MM-DD/);
    }
    expect(org.dataRequests).to.deep.equal([]);
  });

  it('refuses --last together with --start-date', async () => {
    try {
      await ConnectedAppUsage.run(['--target-org', testOrg.username, '--start-date', '2026-11-13', '--last', '7d']);
      expect.fail('expected an error');
    } catch (error) {
      expect((error as Error).message).to.match(/--last=7d cannot also be provided when using --start-date/);
    }
  });

  it('prints one JSON event per line with --result-format ndjson, and CSV rows with csv', async () => {
    withTokensAndLogins();
    org.query(/FROM EventLogFile WHERE/, [file('0AT000000000001AAA', '2026-11-13')]).query(/FROM User WHERE Id IN/, []);
    bodies.set('0AT000000000001AAA', { status: 200, body: csvOf('2026-11-13') });
    await run('--result-format', 'ndjson');
    const lines = ux.log.args.map((a) => String(a[0]));
    const events = lines.map((l) => JSON.parse(l) as { type: string });
    expect(events[0].type).to.equal('usage.window');
    expect(new Set(events.map((e) => e.type))).to.include.members(['usage.app', 'usage.app_user', 'usage.app_interval', 'usage.app_tokens', 'usage.app_login', 'usage.user', 'usage.source']);

    ux.log.resetHistory();
    bodies.set('0AT000000000001AAA', { status: 200, body: csvOf('2026-11-13') });
    await run('--result-format', 'csv');
    const csv = ux.log.args.map((a) => String(a[0]));
    expect(csv[0]).to.equal('source,app,appId,apiName,installed,username,userId,events,firstSeen,lastSeen,detail');
    expect(csv).to.include('"EventLogFile","Jenkins CI","0H4000000000001AAA","Jenkins_CI",true,"ana@x.com","005000000000001",1,"2026-11-13T08:00:00.000Z","2026-11-13T08:00:00.000Z",');
    expect(csv.some((l) => l.startsWith('"OauthToken","Zapier",'))).to.be.true;
    expect(csv.some((l) => l.startsWith('"LoginHistory","Jenkins CI",'))).to.be.true;
  });

  it('reports on the apps given by --name only, listing them even without usage', async () => {
    org.query(/FROM EventLogFile WHERE/, [file('0AT000000000001AAA', '2026-11-13')]).query(/FROM User WHERE Id IN/, []);
    bodies.set('0AT000000000001AAA', { status: 200, body: csvOf('2026-11-13') });
    const result = await run('--source', 'elf', '--name', 'Unused_App');
    expect(result.apps.map((a) => [a.name, a.eventLog])).to.deep.equal([['Unused App', null]]);
    expect(result.eventLog?.rowsFilteredOut).to.equal(2);
    expect(result.filters.apps).to.deep.equal(['Unused_App']);
  });
});
