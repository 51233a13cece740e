import { expect } from 'chai';
import { CappedCounter, FileAggregate, UsageTotals, type RowFilter } from '../../../src/domain/usage/aggregate.js';
import { AppMatcher, type KnownApp } from '../../../src/domain/usage/app-matcher.js';
import { canonicalEventType, selectLogFiles, type LogFileRecord } from '../../../src/domain/usage/log-files.js';
import { elfStamp, isoOfStamp } from '../../../src/domain/usage/stamps.js';
import { joinUsage } from '../../../src/domain/usage/join.js';
import { loginHistoryDays, resolveWindow } from '../../../src/domain/usage/window.js';
import { parseDateFlag, parseLast } from '../../../src/flags.js';
import type { FileProblem } from '../../../src/domain/usage/result.js';

const APPS: KnownApp[] = [
  { id: '0H4000000000001AAA', label: 'Jenkins CI', apiName: 'Jenkins_CI', kind: 'connected-app' },
  { id: '0H4000000000002AAB', label: 'MuleSoft Anypoint', apiName: 'MuleSoft', kind: 'connected-app' },
];

const window = (start: string, end: string): RowFilter['window'] => ({ start: new Date(start), end: new Date(end) });
const everyone = (interval: 'daily' | 'hourly' = 'daily'): RowFilter => ({ window: window('2026-11-01T00:00:00Z', '2026-12-01T00:00:00Z'), interval, users: null });

const HEADER = ['EVENT_TYPE', 'TIMESTAMP', 'USER_ID', 'USER_NAME', 'CLIENT_IP', 'API_FAMILY', 'API_RESOURCE', 'HTTP_METHOD', 'STATUS_CODE', 'CONNECTED_APP_ID', 'CONNECTED_APP_NAME'];
function row(values: Partial<Record<string, string>>): string[] {
  return HEADER.map((h) => values[h] ?? '');
}

function aggregate(rows: string[][], filter: RowFilter = everyone(), matcher = new AppMatcher(APPS), header: string[] = HEADER): FileAggregate {
  const file = new FileAggregate({ id: '0AT1', eventType: 'ApiTotalUsage', logDate: '2026-11-13T00:00:00.000+0000' }, matcher, filter);
  file.record(header);
  for (const r of rows) file.record(r);
  file.end();
  return file;
}

describe('usage domain: window and dates', () => {
  const now = new Date('2026-11-20T12:34:56.789Z');

  it('reads days as UTC, an end day as included, and date-times with zones', () => {
    expect(parseDateFlag('2026-11-13', 'start')?.toISOString()).to.equal('2026-11-13T00:00:00.000Z');
    expect(parseDateFlag('2026-11-13', 'end')?.toISOString()).to.equal('2026-11-14T00:00:00.000Z');
    expect(parseDateFlag('2026-11-13T08:30:00Z', 'start')?.toISOString()).to.equal('2026-11-13T08:30:00.000Z');
    expect(parseDateFlag('2026-11-13T08:30+01:00', 'end')?.toISOString()).to.equal('2026-11-13T07:30:00.000Z');
    expect(parseDateFlag('2026-11-13T08:30:00.5-0200', 'start')?.toISOString()).to.equal('2026-11-13T10:30:00.500Z');
  });

  it('refuses dates in other formats or that do not exist', () => {
    for (const bad of ['13/11/2026', '2026-11-31', '2026-02-29', '2026-13-01', '20261113', '2026-11-13T25:00:00Z', '2026-11-13T08:00:00', 'yesterday', '']) {
      expect(parseDateFlag(bad, 'start'), bad).to.equal(null);
    }
    expect(parseDateFlag('2028-02-29', 'start')?.toISOString()).to.equal('2028-02-29T00:00:00.000Z');
  });

  it('reads --last in hours, days and weeks', () => {
    expect(parseLast('36h')).to.equal(36 * 3_600_000);
    expect(parseLast('7d')).to.equal(7 * 86_400_000);
    expect(parseLast('2W')).to.equal(14 * 86_400_000);
    for (const bad of ['7', 'd', '0d', '-1d', '7x', '1.5d']) expect(parseLast(bad), bad).to.equal(null);
  });

  it('resolves the window: default 7 days, --last back from --end-date, explicit bounds, an empty window', () => {
    const w = (flags: Parameters<typeof resolveWindow>[0]): unknown => {
      const r = resolveWindow(flags, now);
      return 'window' in r ? [r.window.start.toISOString(), r.window.end.toISOString()] : r;
    };
    // The flags hand over what parseDateFlag and parseLast read (src/flags.ts).
    const start = (text: string): Date => parseDateFlag(text, 'start')!;
    const end = (text: string): Date => parseDateFlag(text, 'end')!;
    expect(w({})).to.deep.equal(['2026-11-13T12:34:56.789Z', '2026-11-20T12:34:56.789Z']);
    expect(w({ lastMs: parseLast('2d')!, end: end('2026-11-18') })).to.deep.equal(['2026-11-17T00:00:00.000Z', '2026-11-19T00:00:00.000Z']);
    expect(w({ lastMs: parseLast('36h')! })).to.deep.equal(['2026-11-19T00:34:56.789Z', '2026-11-20T12:34:56.789Z']);
    expect(w({ start: start('2026-11-13'), end: end('2026-11-19') })).to.deep.equal(['2026-11-13T00:00:00.000Z', '2026-11-20T00:00:00.000Z']);
    expect(w({ start: start('2026-11-19'), end: end('2026-11-18') })).to.deep.equal({ problem: 'empty-window', start: '2026-11-19T00:00:00.000Z', end: '2026-11-19T00:00:00.000Z' });
    expect(w({ start: start('2026-11-21') })).to.deep.equal({ problem: 'empty-window', start: '2026-11-21T00:00:00.000Z', end: '2026-11-20T12:34:56.789Z' });
  });

  it('covers the window in LoginHistory days, at most six months', () => {
    expect(loginHistoryDays(null, now)).to.deep.equal({ days: 180, clamped: false });
    expect(loginHistoryDays(window('2026-11-13T00:00:00Z', '2026-11-14T00:00:00Z'), now)).to.deep.equal({ days: 8, clamped: false });
    expect(loginHistoryDays(window('2025-01-01T00:00:00Z', '2025-02-01T00:00:00Z'), now)).to.deep.equal({ days: 180, clamped: true });
  });

  it('converts ELF timestamps (3, 2 or no decimals) and bucket prefixes', () => {
    expect(elfStamp(new Date('2026-11-19T05:07:09.013Z'))).to.equal('20261119050709.013');
    expect(isoOfStamp('20211019050707.13')).to.equal('2021-10-19T05:07:07.130Z');
    expect(isoOfStamp('20261119050709')).to.equal('2026-11-19T05:07:09.000Z');
    expect(isoOfStamp('20261119')).to.equal('2026-11-19T00:00:00.000Z');
    expect(isoOfStamp('2026111905')).to.equal('2026-11-19T05:00:00.000Z');
    expect(isoOfStamp('Salesforce.com IP')).to.equal(null);
  });

  it('spells known event types the Salesforce way', () => {
    expect(canonicalEventType('apitotalusage')).to.equal('ApiTotalUsage');
    expect(canonicalEventType(' RESTAPI ')).to.equal('RestApi');
    expect(canonicalEventType('ConnectedApp')).to.equal('ConnectedApp');
  });
});

describe('usage domain: which files to read', () => {
  const file = (id: string, type: string, logDate: string, created: string, interval = 'Daily'): LogFileRecord => ({
    Id: id,
    EventType: type,
    LogDate: logDate,
    Interval: interval,
    CreatedDate: created,
    LogFileLength: 10,
  });
  const w = window('2026-11-13T00:00:00Z', '2026-11-20T00:00:00Z');

  it('keeps the newest version of a re-generated daily file', () => {
    const s = selectLogFiles(
      [
        file('0AT3', 'ApiTotalUsage', '2026-11-17T00:00:00.000+0000', '2026-11-19T02:00:00.000+0000'),
        file('0AT2', 'ApiTotalUsage', '2026-11-17T00:00:00.000+0000', '2026-11-18T02:00:00.000+0000'),
        file('0AT1', 'ApiTotalUsage', '2026-11-16T00:00:00.000+0000', '2026-11-17T02:00:00.000+0000'),
      ],
      w
    );
    expect(s.files.map((f) => f.Id)).to.deep.equal(['0AT1', '0AT3']);
    expect(s.replaced).to.equal(1);
  });

  it('reads hourly files only for dates without a daily file, and only the hours in the window', () => {
    const s = selectLogFiles(
      [
        file('0ATd', 'ApiTotalUsage', '2026-11-18T00:00:00.000+0000', '2026-11-19T02:00:00.000+0000'),
        file('0ATh1', 'ApiTotalUsage', '2026-11-18T09:00:00.000+0000', '2026-11-18T13:00:00.000+0000', 'Hourly'),
        file('0ATh2', 'ApiTotalUsage', '2026-11-19T09:00:00.000+0000', '2026-11-19T13:00:00.000+0000', 'Hourly'),
        file('0ATh3', 'ApiTotalUsage', '2026-11-19T10:00:00.000+0000', '2026-11-19T14:00:00.000+0000', 'Hourly'),
        file('0ATh3b', 'ApiTotalUsage', '2026-11-19T10:00:00.000+0000', '2026-11-19T15:00:00.000+0000', 'Hourly'),
        file('0ATr', 'RestApi', '2026-11-18T09:00:00.000+0000', '2026-11-18T13:00:00.000+0000', 'Hourly'),
      ],
      window('2026-11-18T00:00:00Z', '2026-11-19T10:30:00Z')
    );
    expect(s.files.map((f) => f.Id)).to.deep.equal(['0ATd', '0ATr', '0ATh2', '0ATh3b']);
    expect(s.coveredByDaily).to.equal(1);
    expect(s.replaced).to.equal(1);
  });

  it('drops files whose day misses the window', () => {
    const s = selectLogFiles([file('0ATa', 'Login', '2026-11-12T00:00:00.000+0000', ''), file('0ATb', 'Login', '2026-11-20T00:00:00.000+0000', '')], w);
    expect(s.files).to.deep.equal([]);
  });
});

describe('usage domain: matching apps', () => {
  it('matches 18- and 15-character Ids, then labels and API names; the rest are unknown apps', () => {
    const m = new AppMatcher(APPS);
    expect(m.resolve('0H4000000000001AAA', '')?.key).to.equal('0H4000000000001AAA');
    expect(m.resolve('0H4000000000001', 'whatever')?.key).to.equal('0H4000000000001AAA');
    expect(m.resolve('', 'jenkins ci')?.name).to.equal('Jenkins CI');
    expect(m.resolve('', 'MuleSoft')?.appId).to.equal('0H4000000000002AAB');
    const zapier = m.resolve('0H4000000000009', 'Zapier');
    expect(zapier).to.include({ installed: false, name: 'Zapier', appId: '0H4000000000009' });
    // Tokens and logins name the app only: they join the unknown app the logs named.
    expect(m.resolveName('zapier')).to.equal(zapier);
    expect(m.resolve('0H4000000000009AAA', '')).to.equal(zapier);
  });

  it('keeps only the selected apps with --name', () => {
    const m = new AppMatcher(APPS, new Set(['0H4000000000002AAB']));
    expect(m.resolve('0H4000000000001', 'Jenkins CI')).to.equal(null);
    expect(m.resolve('0H4000000000002', '')?.name).to.equal('MuleSoft Anypoint');
    expect(m.resolve('0H4000000000009', 'Zapier')).to.equal(null);
  });
});

describe('usage domain: aggregating rows', () => {
  it('finds columns by header name in any order and aggregates per app and user', () => {
    const header = [...HEADER].reverse();
    const rev = (r: string[]): string[] => [...r].reverse();
    const f = aggregate(
      [
        rev(row({ TIMESTAMP: '20261113080000.000', USER_ID: '005000000000001', USER_NAME: 'ana@x.com', CLIENT_IP: 'Salesforce.com IP', API_FAMILY: 'REST', API_RESOURCE: '/query', HTTP_METHOD: 'GET', STATUS_CODE: '200', CONNECTED_APP_ID: '0H4000000000001', CONNECTED_APP_NAME: 'Jenkins CI' })),
        rev(row({ TIMESTAMP: '20261114090000.13', USER_ID: '005000000000001', USER_NAME: 'ana@x.com', CLIENT_IP: '10.0.0.1', API_FAMILY: 'SOAP', STATUS_CODE: '500', CONNECTED_APP_ID: '0H4000000000001AAA' })),
        rev(row({ TIMESTAMP: '20261113070000.000', USER_ID: '005000000000002', USER_NAME: 'ben@x.com', CLIENT_IP: '10.0.0.1', CONNECTED_APP_NAME: 'Jenkins CI' })),
        rev(row({ TIMESTAMP: '20261113070000.000', USER_ID: '005000000000002', USER_NAME: 'ben@x.com' })),
      ],
      everyone(),
      new AppMatcher(APPS),
      header
    );
    expect(f.rows).to.equal(4);
    expect(f.counted).to.equal(3);
    expect(f.nonApp).to.equal(1);
    expect(f.problems).to.deep.equal([]);
    const totals = new UsageTotals();
    totals.add(f);
    const usage = totals.eventUsage().get('0H4000000000001AAA')!.usage;
    expect(usage.events).to.equal(3);
    expect(usage.firstSeen).to.equal('2026-11-13T07:00:00.000Z');
    expect(usage.lastSeen).to.equal('2026-11-14T09:00:00.130Z');
    expect(usage.users.map((u) => [u.username, u.events, u.firstSeen, u.lastSeen])).to.deep.equal([
      ['ana@x.com', 2, '2026-11-13T08:00:00.000Z', '2026-11-14T09:00:00.130Z'],
      ['ben@x.com', 1, '2026-11-13T07:00:00.000Z', '2026-11-13T07:00:00.000Z'],
    ]);
    expect(usage.sourceIps).to.deep.equal([
      { value: '10.0.0.1', events: 2 },
      { value: 'Salesforce.com IP', events: 1 },
    ]);
    expect(usage.apiFamilies).to.deep.equal([
      { value: 'REST', events: 1 },
      { value: 'SOAP', events: 1 },
    ]);
    expect(usage.statusCodes.map((s) => s.value)).to.deep.equal(['200', '500']);
    expect(usage.eventTypes).to.deep.equal([{ value: 'ApiTotalUsage', events: 3 }]);
    expect(usage.intervals).to.deep.equal([
      { start: '2026-11-13T00:00:00.000Z', events: 2 },
      { start: '2026-11-14T00:00:00.000Z', events: 1 },
    ]);
  });

  it('counts calls only (the audit): the same calls and last call over files, no users, dimensions or intervals', () => {
    const rows = [
      row({ CONNECTED_APP_ID: '0H4000000000001', TIMESTAMP: '20261113080000.000', USER_NAME: 'ana@x.com', CLIENT_IP: '10.0.0.1' }),
      row({ CONNECTED_APP_NAME: 'Jenkins CI', TIMESTAMP: '20261114090000.130', USER_NAME: 'ben@x.com' }),
      row({ CONNECTED_APP_NAME: 'Not Installed', TIMESTAMP: '20261113070000.000' }),
      row({ TIMESTAMP: '20261113070000.000' }),
    ];
    const later = [row({ CONNECTED_APP_ID: '0H4000000000001', TIMESTAMP: '20261115100000.000' })];
    const full = new UsageTotals();
    const light = new UsageTotals();
    for (const file of [rows, later]) {
      full.add(aggregate(file));
      light.add(aggregate(file, { ...everyone(), callsOnly: true }));
    }
    const calls = [...light.calls()].map(([key, c]) => [key, c.ref.name, c.events, c.lastSeen]);
    expect(calls).to.deep.equal([...full.eventUsage()].map(([key, u]) => [key, u.ref.name, u.usage.events, u.usage.lastSeen]));
    expect(calls).to.deep.equal([
      ['0H4000000000001AAA', 'Jenkins CI', 3, '2026-11-15T10:00:00.000Z'],
      ['name:not_installed', 'Not Installed', 1, '2026-11-13T07:00:00.000Z'],
    ]);
    expect([light.rows, light.counted, light.nonApp]).to.deep.equal([full.rows, full.counted, full.nonApp]);
    expect(() => light.eventUsage()).to.throw(/calls only/);
  });

  it('counts per hour with --interval hourly and drops rows outside the window', () => {
    const filter: RowFilter = { window: window('2026-11-13T08:00:00Z', '2026-11-13T10:00:00Z'), interval: 'hourly', users: null };
    const app = { CONNECTED_APP_ID: '0H4000000000002' };
    const f = aggregate(
      [
        row({ ...app, TIMESTAMP: '20261113075959.999' }),
        row({ ...app, TIMESTAMP: '20261113080000.000' }),
        row({ ...app, TIMESTAMP: '20261113085959.99' }),
        row({ ...app, TIMESTAMP: '20261113093000.000' }),
        row({ ...app, TIMESTAMP: '20261113100000.000' }),
      ],
      filter
    );
    expect(f.outsideWindow).to.equal(2);
    const totals = new UsageTotals();
    totals.add(f);
    expect(totals.eventUsage().get('0H4000000000002AAB')!.usage.intervals).to.deep.equal([
      { start: '2026-11-13T08:00:00.000Z', events: 2 },
      { start: '2026-11-13T09:00:00.000Z', events: 1 },
    ]);
  });

  it('keeps only the given users (by username or Id)', () => {
    const filter: RowFilter = { ...everyone(), users: { names: new Set(['ana@x.com']), ids: new Set(['005000000000003']) } };
    const app = { CONNECTED_APP_ID: '0H4000000000002' };
    const f = aggregate(
      [row({ ...app, USER_NAME: 'ANA@x.com' }), row({ ...app, USER_NAME: 'ben@x.com', USER_ID: '005000000000002' }), row({ ...app, USER_ID: '005000000000003AAA' })],
      filter
    );
    expect([f.counted, f.otherUsers]).to.deep.equal([2, 1]);
  });

  it('reports bad rows with their line, header-only and empty files, and types without app columns', () => {
    const f = aggregate([]);
    expect(f.problems.map((p) => [p.kind, p.line])).to.deep.equal([['header-only', 1]]);
    const empty = new FileAggregate({ id: '0AT2', eventType: 'Login', logDate: '' }, new AppMatcher(APPS), everyone());
    empty.end();
    expect(empty.problems.map((p) => p.kind)).to.deep.equal(['empty-file']);
    const bad = aggregate([row({})]);
    bad.badRecord(7, 'Invalid Closing Quote');
    bad.badRecord(7, 'again, same line');
    expect(bad.skippedRows).to.equal(1);
    expect(bad.problems.map((p) => [p.kind, p.line, p.fileId])).to.deep.equal([['bad-row', 7, '0AT1']]);
    const login = aggregate([['Login', '20261113080000.000']], everyone(), new AppMatcher(APPS), ['EVENT_TYPE', 'TIMESTAMP']);
    expect(login.problems.map((p) => p.kind)).to.deep.equal(['no-app-columns']);
    expect(login.nonApp).to.equal(1);
  });

  it('uses LogFileFieldNames when the file has no header row', () => {
    const file = new FileAggregate({ id: '0AT3', eventType: 'RestApi', logDate: '', fieldNames: 'TIMESTAMP,CONNECTED_APP_ID,URI' }, new AppMatcher(APPS), everyone());
    file.record(['20261113080000.000', '0H4000000000001', '/services/data/v67.0/query']);
    file.end();
    const totals = new UsageTotals();
    totals.add(file);
    const usage = totals.eventUsage().get('0H4000000000001AAA')!.usage;
    expect(usage.events).to.equal(1);
    expect(usage.apiFamilies).to.deep.equal([{ value: 'REST', events: 1 }]);
    expect(usage.apiResources).to.deep.equal([{ value: '/services/data/v67.0/query', events: 1 }]);
  });

  it('keeps memory bounded: a dimension keeps at most its cap of distinct values', () => {
    const c = new CappedCounter(3);
    for (const v of ['a', 'b', 'a', 'c', 'd', 'e', 'a', '']) c.add(v);
    expect(c.sorted()).to.deep.equal([
      { value: 'a', events: 3 },
      { value: 'b', events: 1 },
      { value: 'c', events: 1 },
    ]);
    expect(c.other).to.equal(2);
  });

  it('merges files: a restarted file is counted once because only its final aggregate is added', () => {
    const app = { CONNECTED_APP_ID: '0H4000000000002', USER_NAME: 'ana@x.com' };
    const first = aggregate([row({ ...app, TIMESTAMP: '20261113080000.000' })]);
    const second = aggregate([row({ ...app, TIMESTAMP: '20261114080000.000' }), row({ ...app, TIMESTAMP: '20261114090000.000' })]);
    const totals = new UsageTotals();
    totals.add(first);
    totals.add(second);
    const usage = totals.eventUsage().get('0H4000000000002AAB')!.usage;
    expect(usage.events).to.equal(3);
    expect(usage.users).to.have.length(1);
    expect(usage.users[0]).to.include({ events: 3, firstSeen: '2026-11-13T08:00:00.000Z', lastSeen: '2026-11-14T09:00:00.000Z' });
  });

  it('lists file problems in file order, whichever download finished first', () => {
    const problem = (fileId: string, logDate: string, line: number | null): FileProblem => ({ fileId, eventType: 'API', logDate, kind: 'bad-row', line, message: 'x' });
    const totals = new UsageTotals();
    totals.addProblem(problem('0AT3', '2026-11-15T00:00:00.000+0000', 3));
    totals.addProblem(problem('0AT2', '2026-11-14T00:00:00.000+0000', 9));
    totals.addProblem(problem('0AT2', '2026-11-14T00:00:00.000+0000', 4));
    totals.addProblem(problem('0AT1', '2026-11-14T00:00:00.000+0000', null));
    expect(totals.orderedProblems().map((p) => [p.fileId, p.line])).to.deep.equal([
      ['0AT1', null],
      ['0AT2', 4],
      ['0AT2', 9],
      ['0AT3', 3],
    ]);
  });
});

describe('usage domain: joining sources', () => {
  it('joins event logs, tokens and logins per app, lists unknown apps, and builds per-user views', () => {
    const matcher = new AppMatcher(APPS);
    const f = aggregate([
      row({ CONNECTED_APP_ID: '0H4000000000009', CONNECTED_APP_NAME: 'Zapier', USER_NAME: 'ben@x.com', USER_ID: '005000000000002' }),
      row({ CONNECTED_APP_ID: '0H4000000000001', USER_NAME: 'ana@x.com', USER_ID: '005000000000001' }),
      row({ CONNECTED_APP_ID: '0H4000000000001', USER_NAME: 'ana@x.com', USER_ID: '005000000000001' }),
    ], everyone(), matcher);
    const totals = new UsageTotals();
    totals.add(f);
    const joined = joinUsage({
      matcher,
      events: totals.eventUsage(),
      tokens: [
        { appName: 'Zapier', tokens: 3, users: 2, useCount: 40, lastUsedDate: '2026-11-19T00:00:00.000+0000' },
        { appName: 'Jenkins CI', tokens: 1, users: 1, useCount: 5, lastUsedDate: null },
        { appName: 'Old Thing', tokens: 1, users: 1, useCount: 1, lastUsedDate: null },
      ],
      holders: new Map([
        ['Zapier', ['ben@x.com', 'carl@x.com']],
        ['Jenkins CI', ['ana@x.com']],
      ]),
      logins: [
        { application: 'Browser', loginSubType: null, logins: 99, users: 9, lastLogin: null },
        { application: 'Jenkins CI', loginSubType: 'OauthJwtBearer', logins: 4, users: 1, lastLogin: '2026-11-18T00:00:00.000+0000' },
        { application: 'Salesforce for iOS', loginSubType: null, logins: 2, users: 1, lastLogin: null },
        { application: 'Ghost App', loginSubType: 'OauthRefreshToken', logins: 2, users: 1, lastLogin: null },
      ],
      usernames: null,
      listed: [],
    });
    expect(joined.apps.map((a) => [a.name, a.installed, a.eventLog?.events ?? 0, a.tokens?.useCount ?? null, a.logins.length])).to.deep.equal([
      ['Jenkins CI', true, 2, 5, 1],
      ['Zapier', false, 1, 40, 0],
      ['Ghost App', false, 0, null, 1],
      ['Old Thing', false, 0, 1, 0],
    ]);
    expect(joined.apps[1].appId).to.equal('0H4000000000009');
    expect(joined.users.map((u) => [u.username, u.events, u.apps.map((a) => a.name), u.grants])).to.deep.equal([
      ['ana@x.com', 2, ['Jenkins CI'], ['Jenkins CI']],
      ['ben@x.com', 1, ['Zapier'], ['Zapier']],
      ['carl@x.com', 0, [], ['Zapier']],
    ]);
  });
});

describe('usage domain: External Client Apps beside connected apps', () => {
  // An ECA as the org lists it: the ExternalClientApplication Id (18 characters), API name and label.
  const SNOWFLAKE: KnownApp = { id: '0xI5g0000000001EAA', label: 'Snowflake Connector', apiName: 'Snowflake_Connector', kind: 'external-client-app' };
  const BOTH: KnownApp[] = [...APPS, SNOWFLAKE];
  const rows = [
    // Joined by the 15-character Id the logs carry (GUESSES.md E9: the ExternalClientApplication Id).
    row({ CONNECTED_APP_ID: '0xI5g0000000001', CONNECTED_APP_NAME: 'Snowflake Connector', USER_NAME: 'snow@x.com', USER_ID: '005000000000003' }),
    // Another Id (say, of a record behind the ECA) or none: joined by its label, or API name.
    row({ CONNECTED_APP_ID: '0H4000000000077', CONNECTED_APP_NAME: 'Snowflake Connector', USER_NAME: 'snow@x.com', USER_ID: '005000000000003' }),
    row({ CONNECTED_APP_NAME: 'snowflake_connector', USER_NAME: 'snow@x.com', USER_ID: '005000000000003' }),
    row({ CONNECTED_APP_ID: '0H4000000000001', USER_NAME: 'ana@x.com', USER_ID: '005000000000001' }),
    row({ CONNECTED_APP_ID: '0H4000000000009', CONNECTED_APP_NAME: 'Zapier', USER_NAME: 'ben@x.com', USER_ID: '005000000000002' }),
  ];
  const join = (matcher: AppMatcher): ReturnType<typeof joinUsage> => {
    const totals = new UsageTotals();
    totals.add(aggregate(rows, everyone(), matcher));
    return joinUsage({
      matcher,
      events: totals.eventUsage(),
      // OauthToken and LoginHistory name an app by its label.
      tokens: [
        { appName: 'Snowflake Connector', tokens: 2, users: 1, useCount: 30, lastUsedDate: null },
        { appName: 'Zapier', tokens: 1, users: 1, useCount: 1, lastUsedDate: null },
      ],
      holders: new Map([['Snowflake Connector', ['snow@x.com']]]),
      logins: [{ application: 'Snowflake Connector', loginSubType: 'OauthClientCredentials', logins: 6, users: 1, lastLogin: null }],
      usernames: null,
      listed: [],
    });
  };
  const shape = (joined: ReturnType<typeof joinUsage>): Array<[string, string | null, string | null, boolean, number, number | null, number]> =>
    joined.apps.map((a) => [a.name, a.type, a.appId, a.installed, a.eventLog?.events ?? 0, a.tokens?.useCount ?? null, a.logins.length]);

  it("joins an ECA's calls by its Id (or by label / API name), its tokens and logins by label, typed", () => {
    const joined = join(new AppMatcher(BOTH));
    expect(shape(joined)).to.deep.equal([
      ['Snowflake Connector', 'external-client-app', '0xI5g0000000001EAA', true, 3, 30, 1],
      ['Zapier', null, '0H4000000000009', false, 1, 1, 0],
      ['Jenkins CI', 'connected-app', '0H4000000000001AAA', true, 1, null, 0],
    ]);
    expect(joined.users.find((u) => u.username === 'snow@x.com')?.apps.map((a) => [a.name, a.events])).to.deep.equal([['Snowflake Connector', 3]]);
  });

  it('without the ECA (not listed) its calls, tokens and logins are an unknown app, as before', () => {
    const joined = join(new AppMatcher(APPS));
    expect(joined.apps.filter((a) => !a.installed).map((a) => [a.name, a.type])).to.deep.include.members([['Snowflake Connector', null], ['Zapier', null]]);
  });

  it('--type connected-app leaves the ECA out and keeps unknown apps; --type external-client-app keeps the ECA only', () => {
    const ids = (kind: KnownApp['kind']): Set<string> => new Set(BOTH.filter((a) => a.kind === kind).map((a) => a.id));
    expect(shape(join(new AppMatcher(BOTH, ids('connected-app'), true)))).to.deep.equal([
      ['Zapier', null, '0H4000000000009', false, 1, 1, 0],
      ['Jenkins CI', 'connected-app', '0H4000000000001AAA', true, 1, null, 0],
    ]);
    expect(shape(join(new AppMatcher(BOTH, ids('external-client-app'), false)))).to.deep.equal([['Snowflake Connector', 'external-client-app', '0xI5g0000000001EAA', true, 3, 30, 1]]);
  });

  it('hands the kinds and the selection to parsing workers', () => {
    const matcher = new AppMatcher(BOTH, new Set([SNOWFLAKE.id]), false);
    const copy = new AppMatcher(matcher.setup.apps, new Set(matcher.setup.selected), matcher.setup.unknown);
    expect(copy.resolve('0xI5g0000000001', '')?.kind).to.equal('external-client-app');
    expect(copy.resolve('0H4000000000009', 'Zapier')).to.equal(null);
  });

  it('finds an ECA listed without an Id by name only', () => {
    const matcher = new AppMatcher([...APPS, { ...SNOWFLAKE, id: '' }]);
    expect(matcher.resolve('', 'Snowflake Connector')).to.include({ installed: true, kind: 'external-client-app' });
    expect(matcher.resolve('0H4000000000077', '')).to.include({ installed: false });
  });
});
