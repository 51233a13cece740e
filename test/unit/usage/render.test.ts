import { expect } from 'chai';
import type { AppUsage, UsageResult } from '../../../src/domain/usage/result.js';
import { csvCell, csvLines, humanReport, ndjsonLines } from '../../../src/renderers/usage.js';

const jenkins: AppUsage = {
  name: 'Jenkins CI',
  type: 'connected-app',
  appId: '0H4000000000001AAA',
  apiName: 'Jenkins_CI',
  installed: true,
  eventLog: {
    events: 3,
    firstSeen: '2026-11-13T08:00:00.000Z',
    lastSeen: '2026-11-14T09:00:00.000Z',
    users: [{ username: 'ana@x.com', userId: '005000000000001AAA', events: 3, firstSeen: '2026-11-13T08:00:00.000Z', lastSeen: '2026-11-14T09:00:00.000Z' }],
    sourceIps: [
      { value: 'Salesforce.com IP', events: 2 },
      { value: '10.0.0.1', events: 1 },
    ],
    apiFamilies: [{ value: 'REST', events: 3 }],
    apiResources: [],
    httpMethods: [],
    statusCodes: [{ value: '200', events: 3 }],
    clientNames: [],
    loginTypes: [],
    eventTypes: [{ value: 'ApiTotalUsage', events: 3 }],
    intervals: [
      { start: '2026-11-13T00:00:00.000Z', events: 2 },
      { start: '2026-11-14T00:00:00.000Z', events: 1 },
    ],
    truncated: [],
  },
  tokens: { tokens: 1, users: 1, useCount: 7, lastUsedDate: '2026-11-14T00:00:00.000+0000', holders: ['ana@x.com'] },
  logins: [{ loginSubType: 'OauthJwtBearer', logins: 4, users: 1, lastLogin: '2026-11-14T01:00:00.000+0000' }],
};

const evil: AppUsage = { name: '=HYPERLINK("http://x")', type: null, appId: null, apiName: null, installed: false, eventLog: null, tokens: { tokens: 1, users: 1, useCount: 1, lastUsedDate: null, holders: null }, logins: [] };

const result: UsageResult = {
  window: { start: '2026-11-13T00:00:00.000Z', end: '2026-11-15T00:00:00.000Z', interval: 'daily' },
  filters: { apps: [], usernames: [], eventTypes: ['ApiTotalUsage'], source: 'all' },
  sources: [
    { source: 'EventLogFile', status: 'used', detail: 'ApiTotalUsage: 1 of 1 file(s) read', cannotShow: ['a limit'] },
    { source: 'OauthToken', status: 'no-permission', errorCode: 'INSUFFICIENT_ACCESS', cannotShow: ['another limit'] },
  ],
  apps: [jenkins, evil],
  users: [{ username: 'ana@x.com', userId: '005000000000001AAA', events: 3, apps: [{ name: 'Jenkins CI', appId: '0H4000000000001AAA', installed: true, events: 3, firstSeen: null, lastSeen: null }], grants: ['Jenkins CI'] }],
  unusedApps: [{ name: 'Unused', type: 'connected-app', appId: '0H4000000000002AAA', apiName: 'Unused_App' }],
  eventLog: {
    eventTypes: ['ApiTotalUsage'],
    files: [{ id: '0AT1', eventType: 'ApiTotalUsage', logDate: '2026-11-13T00:00:00.000+0000', interval: 'Daily', bytes: 100, rows: 4, attempts: 2, status: 'read' }],
    replacedFiles: 0,
    hourlyFilesCoveredByDaily: 0,
    bytes: 100,
    rows: 4,
    countedRows: 3,
    rowsOutsideWindow: 0,
    rowsWithoutApp: 1,
    rowsFilteredOut: 0,
    skippedRows: 0,
    retries: 1,
    problems: [{ fileId: '0AT1', eventType: 'ApiTotalUsage', logDate: '2026-11-13T00:00:00.000+0000', kind: 'bad-row', line: 3, message: 'Invalid Closing Quote' }],
    availableEventTypes: null,
  },
};

describe('usage renderers', () => {
  it('human: window, sources, an apps table, per-app details, users, unused apps and what each source cannot show', () => {
    const blocks = humanReport(result);
    const text = blocks.map((b) => (b.kind === 'table' ? `[table ${b.columns.map((c) => c.name).join('|')}]` : b.text)).join('\n');
    expect(text).to.contain('Usage from 2026-11-13 00:00 to 2026-11-15 00:00 (UTC), counted per day.');
    expect(text).to.contain('Sources: EventLogFile (used; ApiTotalUsage: 1 of 1 file(s) read) · OauthToken (no permission: INSUFFICIENT_ACCESS)');
    expect(text).to.contain('[table App|Installed|Events|Users|Last Seen|Source IPs|API Families|OAuth Grants|Logins]');
    expect(text).to.contain('Jenkins CI (0H4000000000001AAA)');
    expect(text).to.contain('Source IPs: Salesforce.com IP (2), 10.0.0.1 (1)');
    expect(text).to.contain('Per day: 2026-11-13: 2, 2026-11-14: 1');
    expect(text).to.contain('OAuth grants: 1 token(s) held by 1 user(s), used 7 time(s), last used 2026-11-14');
    expect(text).to.contain('Logins (LoginHistory): OauthJwtBearer: 4 login(s) by 1 user(s), last 2026-11-14');
    expect(text).to.contain('=HYPERLINK("http://x") — not installed in this org');
    expect(text).to.contain('1 installed app(s) have no usage in these sources: Unused_App.');
    // Lines over 120 columns wrap, continued two spaces in.
    expect(text).to.contain('1 of 1 event log file(s) read: 100 bytes, 4 rows (3 counted for apps, 1 without an app, 0 outside the window), 1 retried\n  download(s).');
    expect(Math.max(...text.split('\n').map((l) => l.length))).to.be.at.most(120);
    expect(text).to.contain('  OauthToken: another limit');
    const apps = blocks.find((b) => b.kind === 'table');
    expect(apps?.kind === 'table' && apps.data[1].installed).to.equal('NOT INSTALLED');
  });

  it('human: a Type column only when an External Client App is in the table', () => {
    const eca: AppUsage = { ...jenkins, name: 'Snowflake Connector', type: 'external-client-app', appId: '0xI5g0000000001EAA', apiName: 'Snowflake_Connector' };
    const blocks = humanReport({ ...result, apps: [eca, jenkins, evil] });
    const table = blocks.find((b) => b.kind === 'table');
    expect(table?.kind === 'table' && table.columns.map((c) => c.name).slice(0, 3)).to.deep.equal(['App', 'Type', 'Installed']);
    expect(table?.kind === 'table' && table.data.map((r) => r.type)).to.deep.equal(['external client app', 'connected app', '']);
    const ndjson = [...ndjsonLines({ ...result, apps: [eca] })].map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(ndjson.find((e) => e.type === 'usage.app')).to.include({ app: 'Snowflake Connector', appType: 'external-client-app' });
  });

  it('csv: quoted cells, formulas neutralised, one row per user / holder / login flow', () => {
    expect(csvCell('a "b"')).to.equal('"a ""b"""');
    expect(csvCell('=1+1')).to.equal(`"'=1+1"`);
    expect(csvCell(-3)).to.equal('-3');
    expect(csvCell(null)).to.equal('');
    const lines = [...csvLines(result)];
    expect(lines).to.deep.equal([
      'source,app,appId,apiName,installed,username,userId,events,firstSeen,lastSeen,detail',
      '"EventLogFile","Jenkins CI","0H4000000000001AAA","Jenkins_CI",true,"ana@x.com","005000000000001AAA",3,"2026-11-13T08:00:00.000Z","2026-11-14T09:00:00.000Z",',
      '"OauthToken","Jenkins CI","0H4000000000001AAA","Jenkins_CI",true,"ana@x.com",,,,"2026-11-14T00:00:00.000+0000","1 token(s), 7 use(s)"',
      '"LoginHistory","Jenkins CI","0H4000000000001AAA","Jenkins_CI",true,,,4,,"2026-11-14T01:00:00.000+0000","OauthJwtBearer"',
      `"OauthToken","'=HYPERLINK(""http://x"")",,,false,,,,,,"1 token(s), 1 use(s)"`,
    ]);
  });

  it('ndjson: one JSON object per line, typed, with @timestamp', () => {
    const events = [...ndjsonLines(result)].map((l) => {
      expect(l).to.not.contain('\n');
      return JSON.parse(l) as Record<string, unknown>;
    });
    expect(events.map((e) => e.type)).to.deep.equal([
      'usage.window',
      'usage.app',
      'usage.app_user',
      'usage.app_interval',
      'usage.app_interval',
      'usage.app_ip',
      'usage.app_ip',
      'usage.app_tokens',
      'usage.app_login',
      'usage.app',
      'usage.app_tokens',
      'usage.user',
      'usage.file_problem',
      'usage.source',
      'usage.source',
    ]);
    expect(events[3]).to.deep.equal({ type: 'usage.app_interval', '@timestamp': '2026-11-13T00:00:00.000Z', app: 'Jenkins CI', appType: 'connected-app', appId: '0H4000000000001AAA', apiName: 'Jenkins_CI', installed: true, interval: 'daily', events: 2 });
    expect(events[12]).to.include({ fileId: '0AT1', line: 3, kind: 'bad-row' });
  });
});
