import { expect } from 'chai';
import { start, type Emulator, type Scenario } from '../emulator/index.js';
import type { IpUsage, UsageResult } from '../../src/domain/usage/result.js';
import { ensureBuilt, runCli, type CliRun } from './harness.js';
import { COMPROMISED, COMPROMISED_LABEL, incidentScenario, userName } from './incident-scenario.js';

/** One ApiTotalUsage row, with the columns the real file has that matter here. */
const call = (at: string, ip: string, user: string, app: string): Record<string, string> => ({
  EVENT_TYPE: 'ApiTotalUsage',
  TIMESTAMP: at.replace(/[-:T]/g, '').replace('Z', ''),
  USER_NAME: user,
  CLIENT_IP: ip,
  CONNECTED_APP_NAME: app,
  API_FAMILY: 'REST',
  API_RESOURCE: '/v67.0/query',
  HTTP_METHOD: 'GET',
  STATUS_CODE: '200',
});

const NEW_CALLER = '192.0.2.66';
const NEW_LOGIN = '192.0.2.99';
const KNOWN = '203.0.113.10';
const OTHER_APP = '198.51.100.7';

/** Calls and logins whose IPs and times are known exactly: KNOWN before and after 17 Nov, two IPs only after it. */
function scenario(): Scenario {
  const s = incidentScenario({ tokens: 20 });
  // Event Monitoring keeps 30 days of files (a free org keeps one day, and these span a week).
  s.org.features = { eventMonitoring: true };
  const [u0, u1, u2, u3] = [userName(0), userName(1), userName(2), userName(3)];
  s.eventLogFiles = [
    { eventType: 'ApiTotalUsage', dates: ['2026-11-14'], data: [1, 2, 3].map((i) => call(`2026-11-14T0${i}:00:00.000Z`, KNOWN, u0, COMPROMISED_LABEL)).concat(call('2026-11-14T05:00:00.000Z', OTHER_APP, u1, 'Reporting Sync')) },
    { eventType: 'ApiTotalUsage', dates: ['2026-11-16'], data: [1, 2].map((i) => call(`2026-11-16T0${i}:30:00.000Z`, KNOWN, u1, COMPROMISED_LABEL)) },
    {
      eventType: 'ApiTotalUsage',
      dates: ['2026-11-18'],
      data: [...[1, 2, 3, 4].map((i) => call(`2026-11-18T1${i}:00:00.000Z`, NEW_CALLER, u2, COMPROMISED_LABEL)), call('2026-11-18T20:00:00.000Z', KNOWN, u0, COMPROMISED_LABEL)],
    },
  ];
  s.loginHistory = [
    { user: u3, loginTime: '2026-11-18T10:00:00.000Z', sourceIp: NEW_LOGIN, application: COMPROMISED_LABEL, loginType: 'Remote Access 2.0', loginSubType: 'OauthRefreshToken' },
    { user: u0, loginTime: '2026-11-14T09:00:00.000Z', sourceIp: KNOWN, application: COMPROMISED_LABEL, loginType: 'Remote Access 2.0', loginSubType: 'OauthRefreshToken' },
    { user: u1, loginTime: '2026-11-18T09:00:00.000Z', sourceIp: '10.9.9.9', application: 'Browser' },
  ];
  return s;
}

const result = (run: CliRun): UsageResult => run.json?.result as UsageResult;
const WINDOW = ['--start-date', '2026-11-13', '--end-date', '2026-11-19'];

describe('connectedapp usage --group-by / --new-ips-since (e2e through the org emulator)', function () {
  this.timeout(120_000);
  let emulator: Emulator;

  before(async () => {
    await ensureBuilt();
    emulator = await start({ scenario: scenario() });
  });
  after(async () => {
    await emulator.stop();
  });

  it('lists where an app was used from: calls and logins per IP, first and last seen, users and apps, new IPs first', async () => {
    const run = await runCli(['connectedapp', 'usage', '--name', COMPROMISED, ...WINDOW, '--new-ips-since', '2026-11-17'], { emulator });
    expect(run.exitCode, run.stderr).to.equal(0);
    const r = result(run);
    expect(r.groupBy, '--new-ips-since implies the IP grouping').to.equal('ip');
    const ips = (r.ips ?? []).map((ip): Partial<IpUsage> => ({ ip: ip.ip, new: ip.new, apiCalls: ip.apiCalls, logins: ip.logins, users: ip.users, apps: ip.apps, firstSeen: ip.firstSeen, lastSeen: ip.lastSeen }));
    expect(ips).to.deep.equal([
      { ip: NEW_CALLER, new: true, apiCalls: 4, logins: 0, users: [userName(2)], apps: [COMPROMISED_LABEL], firstSeen: '2026-11-18T11:00:00.000Z', lastSeen: '2026-11-18T14:00:00.000Z' },
      { ip: NEW_LOGIN, new: true, apiCalls: 0, logins: 1, users: [userName(3)], apps: [COMPROMISED_LABEL], firstSeen: '2026-11-18T10:00:00.000Z', lastSeen: '2026-11-18T10:00:00.000Z' },
      { ip: KNOWN, new: false, apiCalls: 6, logins: 1, users: [userName(0), userName(1)], apps: [COMPROMISED_LABEL], firstSeen: '2026-11-14T01:00:00.000Z', lastSeen: '2026-11-18T20:00:00.000Z' },
    ]);
    expect(r.newIps).to.deep.include({ since: '2026-11-17T00:00:00.000Z', baselineStart: '2026-11-13T00:00:00.000Z', baselineDays: 4, newIps: 2, ipsSeen: 3, baselineLogFiles: 2 });
    // Coverage is stated, per source.
    const limits = r.sources.flatMap((s) => s.cannotShow).join(' ');
    expect(limits).to.match(/CLIENT_IP is the address Salesforce saw/);
    expect(limits).to.match(/SourceIp is that of each OAuth login/);
  });

  it('without --name: every app, each IP with its apps; and the human and CSV forms', async () => {
    const run = await runCli(['connectedapp', 'usage', ...WINDOW, '--group-by', 'ip'], { emulator });
    expect(run.exitCode, run.stderr).to.equal(0);
    const other = result(run).ips?.find((ip) => ip.ip === OTHER_APP);
    expect(other).to.deep.include({ apiCalls: 1, apps: ['Reporting Sync'], users: [userName(1)], new: null });
    expect(result(run).ips?.some((ip) => ip.ip === '10.9.9.9'), 'a browser login is not a connected app').to.equal(false);

    const human = await runCli(['connectedapp', 'usage', '--name', COMPROMISED, ...WINDOW, '--new-ips-since', '2026-11-17'], { emulator, json: false });
    expect(human.exitCode, human.stderr).to.equal(0);
    expect(human.stdout).to.match(/New IPs since 2026-11-17: 2 of 3/);
    expect(human.stdout).to.match(new RegExp(`NEW\\W+${NEW_CALLER.replace(/\./g, '\\.')}`));

    const csv = await runCli(['connectedapp', 'usage', '--name', COMPROMISED, ...WINDOW, '--group-by', 'ip', '--result-format', 'csv'], { emulator, json: false });
    expect(csv.exitCode, csv.stderr).to.equal(0);
    const lines = csv.stdout.trim().split('\n');
    expect(lines[0]).to.equal('ip,new,apiCalls,logins,firstSeen,lastSeen,users,apps');
    expect(lines.find((l) => l.startsWith(`"${KNOWN}"`))).to.equal(`"${KNOWN}",,6,1,"2026-11-14T01:00:00.000Z","2026-11-18T20:00:00.000Z","${userName(0)}; ${userName(1)}","${COMPROMISED_LABEL}"`);

    const users = await runCli(['connectedapp', 'usage', '--name', COMPROMISED, ...WINDOW, '--group-by', 'user'], { emulator, json: false });
    expect(users.exitCode, users.stderr).to.equal(0);
    expect(users.stdout.indexOf('Users (')).to.be.lessThan(users.stdout.indexOf('What each source cannot show'));
    expect(users.stdout).to.include(userName(2));
  });

  it('no event log file before --new-ips-since: API-call IPs are not comparable (not new), logins are judged by LoginHistory, and the header says so', async () => {
    // The window starts on 17 Nov: the only file in it is 18 Nov's, which starts on the date itself.
    const args = ['connectedapp', 'usage', '--name', COMPROMISED, '--start-date', '2026-11-17', '--end-date', '2026-11-19', '--new-ips-since', '2026-11-18'];
    const run = await runCli(args, { emulator });
    expect(run.exitCode, run.stderr).to.equal(0);
    const r = result(run);
    expect(Object.fromEntries((r.ips ?? []).map((ip) => [ip.ip, ip.new]))).to.deep.equal({ [NEW_CALLER]: null, [KNOWN]: null, [NEW_LOGIN]: true });
    expect(r.newIps).to.deep.include({ newIps: 1, notComparable: 2, ipsSeen: 3, baselineLogFiles: 0, comparedWith: ['LoginHistory'] });
    expect(run.json?.warnings?.join(' ')).to.match(/No event log file before 2026-11-18 was read: 2 IP\(s\) seen only in API calls are marked not comparable/);
    const human = await runCli(args, { emulator, json: false });
    expect(human.exitCode, human.stderr).to.equal(0);
    expect(human.stdout).to.match(/New IPs since 2026-11-18: 1 of 3, judged by OAuth logins only/);
    expect(human.stdout, 'no claim of days of logs compared').to.not.match(/compared with [\d.]+ day\(s\) of logs/);
    expect(human.stdout).to.match(new RegExp(`\\?\\W+${NEW_CALLER.replace(/\./g, '\\.')}`));
    expect(human.stdout).to.match(new RegExp(`NEW\\W+${NEW_LOGIN.replace(/\./g, '\\.')}`));

    // LoginHistory unreadable too: nothing to compare with, so no IP is called new.
    const refused = emulator.addFault({ soql: /FROM LoginHistory/, errorCode: 'INSUFFICIENT_ACCESS', times: -1 });
    try {
      const blind = await runCli(args, { emulator });
      expect(blind.exitCode, blind.stderr).to.equal(0);
      expect(result(blind).newIps).to.deep.include({ newIps: 0, notComparable: 2, comparedWith: [] });
      expect((result(blind).ips ?? []).every((ip) => ip.new === null)).to.equal(true);
      expect(blind.json?.warnings?.join(' ')).to.match(/nothing to compare with, so no IP is called new/);
      const blindHuman = await runCli(args, { emulator, json: false });
      expect(blindHuman.stdout).to.match(/New IPs since 2026-11-18: not comparable/);
      expect(blindHuman.stdout).to.not.match(/NEW\W+\d/);
    } finally {
      refused.remove();
    }
  });

  it('--new-ips-since with --group-by app or user: the new IPs follow the report in human output', async () => {
    for (const groupBy of ['app', 'user']) {
      const run = await runCli(['connectedapp', 'usage', '--name', COMPROMISED, ...WINDOW, '--group-by', groupBy, '--new-ips-since', '2026-11-17'], { emulator, json: false });
      expect(run.exitCode, run.stderr).to.equal(0);
      const section = run.stdout.slice(run.stdout.indexOf('New IPs since 2026-11-17 (2)'));
      expect(run.stdout.indexOf('New IPs since 2026-11-17 (2)'), `${groupBy}: the section is there`).to.be.greaterThan(0);
      expect(section).to.match(/New IPs since 2026-11-17: 2 of 3 \(compared with 4 day\(s\) of logs/);
      expect(section).to.include(NEW_CALLER).and.to.include(NEW_LOGIN);
      expect(section, 'only the new IPs').to.not.include(KNOWN);
    }
  });

  it('refuses a --new-ips-since that leaves nothing to compare with, before reading anything', async () => {
    const run = await runCli(['connectedapp', 'usage', ...WINDOW, '--new-ips-since', '2026-11-13'], { emulator });
    expect(run.exitCode).to.equal(2);
    expect(run.json?.message).to.match(/leaves nothing to compare with/);
    const late = await runCli(['connectedapp', 'usage', ...WINDOW, '--new-ips-since', '2026-12-01'], { emulator });
    expect(late.exitCode).to.equal(2);
    const bad = await runCli(['connectedapp', 'usage', ...WINDOW, '--new-ips-since', 'last tuesday'], { emulator });
    expect(bad.exitCode).to.equal(2);
    expect(bad.requests, 'a value that is not a date is refused before any request').to.deep.equal([]);
    for (const r of [run, late, bad]) expect(r.requests.filter((q) => /EventLogFile|LoginHistory/.test(q.soql ?? ''))).to.deep.equal([]);
  });
});
