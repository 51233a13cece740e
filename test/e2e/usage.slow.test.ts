import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { parse as parseSync } from 'csv-parse/sync';
import { start, type Emulator } from '../emulator/index.js';
import { demoScenario, http, PINNED_NOW } from '../emulator/test-helpers.js';
import { ensureBuilt, ownRequests, runCli, type CliRun } from './harness.js';
import { SMOKE, formatReport, runUsageBenchmark } from '../../bench/usage.bench.js';
import { FIXTURES } from '../data-sets.js';
import type { ConnectedAppUsageResult } from '../../src/commands/connectedapp/usage.js';

/** The demo's week of logs, with its clock pinned (its dates are relative to the clock). */
const DEMO_WINDOW = ['--start-date', '2026-11-13', '--end-date', '2026-11-19'];
const resultOf = (run: CliRun): ConnectedAppUsageResult => (run.json?.result ?? run.json?.data) as ConnectedAppUsageResult;
const logFileRequests = (run: CliRun): CliRun['requests'] => run.requests.filter((r) => r.path.endsWith('/LogFile'));

/** Ground truth: rows naming an app in the newest daily ApiTotalUsage file of each date, counted straight from the served bytes. */
async function appRowsServed(emulator: Emulator): Promise<{ rows: number; withApp: number; files: number }> {
  const newest = new Map<string, Record<string, unknown>>();
  for (const f of emulator.org.table('EventLogFile')) {
    if (f.EventType !== 'ApiTotalUsage' || f.Interval !== 'Daily') continue;
    const seen = newest.get(String(f.LogDate));
    if (!seen || String(f.CreatedDate) > String(seen.CreatedDate)) newest.set(String(f.LogDate), f);
  }
  let rows = 0;
  let withApp = 0;
  for (const f of newest.values()) {
    const body = (await http(emulator, 'GET', `/services/data/v67.0/sobjects/EventLogFile/${String(f.Id)}/LogFile`)).body;
    const records = parseSync<Record<string, string>>(body, { columns: true });
    rows += records.length;
    withApp += records.filter((r) => r.CONNECTED_APP_ID !== '' || r.CONNECTED_APP_NAME !== '').length;
  }
  return { rows, withApp, files: newest.size };
}

describe('connectedapp usage (e2e through the org emulator)', function () {
  this.timeout(180_000);

  before(async () => {
    await ensureBuilt();
  });

  describe('demo org (with Event Monitoring, so that its week of logs is served)', () => {
    let emulator: Emulator;
    let truth: { rows: number; withApp: number; files: number };

    before(async () => {
      emulator = await start({ scenario: demoScenario({ now: PINNED_NOW, features: { eventMonitoring: true } }) });
      truth = await appRowsServed(emulator);
      emulator.resetLog();
    });
    after(async () => {
      await emulator.stop();
    });
    afterEach(() => {
      emulator.clearFaults();
    });

    it('reports every app from event logs, tokens and logins, with uninstalled apps in use as unknown apps', async () => {
      const run = await runCli(['connectedapp', 'usage', ...DEMO_WINDOW], { emulator });
      expect(run.exitCode, run.stderr).to.equal(0);
      const result = resultOf(run);
      expect(result.eventLog).to.include({ rows: truth.rows, countedRows: truth.withApp, replacedFiles: 1, hourlyFilesCoveredByDaily: 3, retries: 0 });
      expect(result.eventLog?.files.map((f) => f.status)).to.deep.equal(Array<string>(truth.files).fill('read'));
      const unknown = result.apps.filter((a) => !a.installed);
      expect(unknown.map((a) => a.name).sort()).to.deep.equal(['Zapier', 'dataloader.io']);
      expect(unknown.every((a) => /^0H4/.test(a.appId ?? '') && (a.eventLog?.events ?? 0) > 0 && a.tokens !== null)).to.be.true;
      expect(result.sources.map((s) => [s.source, s.status])).to.deep.equal([
        ['EventLogFile', 'used'],
        ['OauthToken', 'used'],
        ['LoginHistory', 'used'],
      ]);
      const jenkins = result.apps.find((a) => a.apiName === 'Jenkins_CI');
      expect(jenkins?.eventLog?.users.map((u) => u.username)).to.deep.equal(['jenkins.ci@northwind.example.com']);
      expect(jenkins?.logins.map((l) => l.loginSubType)).to.include('OauthJwtBearer');
      expect(jenkins?.eventLog?.intervals).to.have.length(7);
      expect(run.json?.warnings?.join('\n')).to.match(/not installed in it.*Zapier/);
      // A fixed number of requests, whatever the number of apps: no request per app or per user (the External Client
      // Apps: one listMetadata, one readMetadata per 10 of their headers).
      const own = ownRequests(run).filter((r) => !r.path.endsWith('/LogFile'));
      expect(own.length).to.be.at.most(10);
      expect(logFileRequests(run)).to.have.length(truth.files);
    });

    for (const kind of ['drop-mid', 'truncate'] as const) {
      it(`retries a download cut off by ${kind} and counts every row once`, async () => {
        // The CLI asks for gzip: afterBytes counts compressed bytes (a demo file is about 30 KB gzipped).
        emulator.addFault({ path: '/LogFile$', nth: 2, times: 2, kind, afterBytes: 10_000 });
        const run = await runCli(['connectedapp', 'usage', '--source', 'elf', ...DEMO_WINDOW], { emulator });
        expect(run.exitCode, run.stderr).to.equal(0);
        const result = resultOf(run);
        expect(logFileRequests(run).filter((r) => r.fault === kind)).to.have.length(2);
        expect(result.eventLog?.retries).to.equal(2);
        expect(result.eventLog).to.include({ rows: truth.rows, countedRows: truth.withApp });
      });
    }

    it('counts the other files and exits 68 when one file cannot be downloaded', async () => {
      const victim = emulator.org.table('EventLogFile').find((f) => f.EventType === 'ApiTotalUsage' && String(f.LogDate).startsWith('2026-11-15'))!;
      emulator.addFault({ path: `${String(victim.Id)}/LogFile$`, times: -1, status: 404, errorCode: 'NOT_FOUND' });
      const run = await runCli(['connectedapp', 'usage', '--source', 'elf', ...DEMO_WINDOW], { emulator });
      expect(run.exitCode, run.stderr).to.equal(68);
      const result = resultOf(run);
      const failed = result.eventLog?.files.filter((f) => f.status === 'failed');
      expect(failed?.map((f) => [f.id, f.errorCode, f.attempts])).to.deep.equal([[victim.Id, 'NOT_FOUND', 1]]);
      expect(result.eventLog?.files.filter((f) => f.status === 'read')).to.have.length(truth.files - 1);
      expect(result.eventLog?.countedRows).to.be.greaterThan(0).and.below(truth.withApp);
      expect(run.json?.warnings?.join('\n')).to.match(/1 of 7 event log file\(s\) could not be read.*NOT_FOUND/);
    });

    it('names the types the org has when a paid type is asked for without Event Monitoring', async () => {
      const free = await start({ scenario: demoScenario({ now: PINNED_NOW }) });
      try {
        const run = await runCli(['connectedapp', 'usage', '--event-type', 'RestApi', ...DEMO_WINDOW], { emulator: free });
        expect(run.exitCode).to.equal(1);
        expect(run.json?.name).to.equal('EventTypeNotInOrgError');
        expect(run.json?.message).to.equal(
          'This org has no event log files of type RestApi. Types with files: ApiTotalUsage, Login. Types that name the connected app: ApiTotalUsage (CONNECTED_APP_ID, CONNECTED_APP_NAME).'
        );
        expect(run.json?.actions?.join(' ')).to.match(/RestApi needs Event Monitoring/);

        const both = await runCli(['connectedapp', 'usage', '--source', 'elf', '--event-type', 'apitotalusage', '--event-type', 'RestApi', ...DEMO_WINDOW], { emulator: free });
        expect(both.exitCode, both.stderr).to.equal(0);
        expect(resultOf(both).eventLog?.eventTypes).to.deep.equal(['ApiTotalUsage', 'RestApi']);
        expect(both.json?.warnings?.join('\n')).to.match(/no event log files of type RestApi; they are left out/);
      } finally {
        await free.stop();
      }
    });

    it('saves the raw CSV files byte for byte with --output-dir', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'usage-raw-'));
      try {
        const run = await runCli(['connectedapp', 'usage', '--source', 'elf', '--start-date', '2026-11-18', '--end-date', '2026-11-19', '--output-dir', join(dir, 'elf')], { emulator });
        expect(run.exitCode, run.stderr).to.equal(0);
        const files = resultOf(run).eventLog?.files ?? [];
        expect(readdirSync(join(dir, 'elf')).sort()).to.deep.equal(files.map((f) => `ApiTotalUsage_${f.logDate.slice(0, 10)}_${f.id}.csv`).sort());
        for (const f of files) {
          const served = (await http(emulator, 'GET', `/services/data/v67.0/sobjects/EventLogFile/${f.id}/LogFile`)).body;
          const sha = (s: string | Buffer): string => createHash('sha256').update(s).digest('hex');
          expect(sha(readFileSync(f.savedTo!))).to.equal(sha(served));
        }
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });

    it('streams one JSON event per line with --result-format ndjson, and CSV with csv', async () => {
      // Progress bars allowed (the harness turns them off), but stderr is a pipe, not a terminal: none in it.
      const run = await runCli(['connectedapp', 'usage', '--result-format', 'ndjson', '--name', 'Jenkins_CI', ...DEMO_WINDOW], { emulator, json: false, env: { SF_USE_PROGRESS_BAR: undefined } });
      expect(run.exitCode, run.stderr).to.equal(0);
      expect(run.stderr).not.to.include('Event log files');
      const events = run.stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as { type: string; app?: string });
      expect(events[0].type).to.equal('usage.window');
      expect(events.filter((e) => e.type === 'usage.app').map((e) => e.app)).to.deep.equal(['Jenkins CI']);
      expect(events.filter((e) => e.type === 'usage.app_interval')).to.have.length(7);

      const csv = await runCli(['connectedapp', 'usage', '--result-format', 'csv', ...DEMO_WINDOW], { emulator, json: false });
      const rows = parseSync<Record<string, string>>(csv.stdout, { columns: true });
      expect(rows.some((r) => r.source === 'EventLogFile' && r.app === 'Zapier' && r.installed === 'false')).to.be.true;
      expect(rows.some((r) => r.source === 'OauthToken')).to.be.true;
      expect(rows.some((r) => r.source === 'LoginHistory')).to.be.true;
    });

    it('keeps only the given users', async () => {
      const run = await runCli(['connectedapp', 'usage', '--username', 'ana.lopez@northwind.example.com', '--source', 'elf', ...DEMO_WINDOW], { emulator });
      const result = resultOf(run);
      expect(result.users.map((u) => u.username)).to.deep.equal(['ana.lopez@northwind.example.com']);
      expect(result.apps.every((a) => a.eventLog?.users.every((u) => u.username === 'ana.lopez@northwind.example.com'))).to.be.true;
      expect(result.eventLog?.rowsFilteredOut).to.be.greaterThan(0);
    });

    it('refuses bad dates, --last with --start-date, and unknown app names (with close matches)', async () => {
      const bad = await runCli(['connectedapp', 'usage', '--start-date', '2026-11-31'], { emulator });
      expect([bad.exitCode, bad.json?.name]).to.deep.equal([2, 'InvalidDateError']);
      expect(bad.json?.message).to.match(/^Parsing --start-date \n\t"2026-11-31" is not a date\./);
      expect(bad.requests, 'a bad flag value is refused before any request').to.deep.equal([]);
      const both = await runCli(['connectedapp', 'usage', '--start-date', '2026-11-13', '--last', '7d'], { emulator });
      expect(both.exitCode).to.equal(2);
      expect(both.json?.message).to.match(/cannot also be provided when using/);
      const unknown = await runCli(['connectedapp', 'usage', '--name', 'Jenkins', ...DEMO_WINDOW], { emulator });
      expect([unknown.exitCode, unknown.json?.name]).to.deep.equal([1, 'UnknownAppError']);
      expect(unknown.json?.actions?.join(' ')).to.match(/did you mean: .*Jenkins/);
    });
  });

  it('reports malformed files with file and line and still counts the good ones', async () => {
    const emulator = await start({ scenario: 'usage-malformed' });
    try {
      const run = await runCli(['connectedapp', 'usage', '--source', 'elf', '--start-date', '2026-11-13', '--end-date', '2026-11-18'], { emulator });
      expect(run.exitCode, run.stderr).to.equal(0);
      const result = resultOf(run);
      const id = (day: string): string => String(emulator.org.table('EventLogFile').find((f) => String(f.LogDate).startsWith(day))?.Id);
      expect(result.eventLog?.problems.map((p) => [p.fileId, p.kind, p.line])).to.deep.equal([
        [id('2026-11-14'), 'bad-row', 4],
        [id('2026-11-15'), 'bad-row', 3],
        [id('2026-11-16'), 'header-only', 1],
        [id('2026-11-17'), 'empty-file', null],
      ]);
      const jenkins = result.apps.find((a) => a.apiName === 'Jenkins_CI');
      const generated = parseSync<Record<string, string>>((await http(emulator, 'GET', `/services/data/v67.0/sobjects/EventLogFile/${id('2026-11-13')}/LogFile`)).body, { columns: true }).filter(
        (r) => r.CONNECTED_APP_ID !== ''
      ).length;
      // The generated file's app rows, plus the good rows of the cut (2), wrongly quoted (2) and two-decimal (2) files.
      expect(jenkins?.eventLog?.events).to.equal(generated + 6);
      expect(jenkins?.eventLog?.sourceIps.map((s) => s.value)).to.include('Salesforce.com IP');
      expect(jenkins?.eventLog?.intervals.find((b) => b.start.startsWith('2026-11-18'))?.events).to.equal(2);
      expect(result.eventLog?.skippedRows).to.equal(2);
      expect(run.json?.warnings?.join('\n')).to.match(/2 row\(s\) in 2 event log file\(s\) could not be parsed/);
      expect(run.json?.warnings?.join('\n')).to.match(/has a header row but no events/);
      expect(run.json?.warnings?.join('\n')).to.match(/is empty/);
    } finally {
      await emulator.stop();
    }
  });

  it('falls back to tokens and logins in an edition without event log files, and refuses --source elf there', async () => {
    const emulator = await start({
      scenario: {
        org: { name: 'Professional Org', edition: 'Professional Edition', now: '2026-11-20T12:00:00Z' },
        users: [{ username: 'sync@pro.example.com', profile: 'System Administrator' }],
        connectedApps: [{ name: 'Sync_App', label: 'Sync App' }],
        oauthTokens: [{ app: 'Sync App', user: 'sync@pro.example.com', useCount: 12, lastUsedDaysAgo: 1 }],
        loginHistory: [{ count: 5, users: ['sync@pro.example.com'], application: 'Sync App', loginSubType: 'OauthRefreshToken', withinDays: 10 }],
      },
    });
    try {
      const run = await runCli(['connectedapp', 'usage', '--last', '30d'], { emulator });
      expect(run.exitCode, run.stderr).to.equal(0);
      const result = resultOf(run);
      expect(result.sources.map((s) => [s.source, s.status, s.errorCode])).to.deep.equal([
        ['EventLogFile', 'not-licensed', 'INVALID_TYPE'],
        ['OauthToken', 'used', undefined],
        ['LoginHistory', 'used', undefined],
      ]);
      expect(result.apps.map((a) => [a.name, a.tokens?.useCount, a.tokens?.holders, a.logins[0]?.logins])).to.deep.equal([['Sync App', 12, ['sync@pro.example.com'], 5]]);
      expect(run.json?.warnings?.join('\n')).to.match(/Event log files cannot be read \(INVALID_TYPE\)/);

      const elf = await runCli(['connectedapp', 'usage', '--source', 'elf'], { emulator });
      expect([elf.exitCode, elf.json?.name]).to.deep.equal([1, 'EventLogsUnavailableError']);
    } finally {
      await emulator.stop();
    }
  });

  it('never calls an app unused on logs that cover one day of the window (an org without Event Monitoring): partial', async () => {
    // The demo (on today's clock) keeps one day of ApiTotalUsage; with tokens and logins refused, only the logs are left.
    const emulator = await start({
      scenario: 'demo',
      faults: ['FROM OauthToken', 'FROM LoginHistory'].map((soql) => ({ soql, kind: 'error' as const, errorCode: 'INSUFFICIENT_ACCESS', times: -1 })),
    });
    try {
      const run = await runCli(['connectedapp', 'usage', '--last', '7d'], { emulator });
      expect(run.exitCode, run.stderr).to.equal(0);
      const result = resultOf(run);
      const elf = result.sources.find((s) => s.source === 'EventLogFile');
      expect(elf?.status).to.equal('partial');
      expect(elf?.detail).to.match(/^covers 1 of the 7 day\(s\) asked/);
      // Apps with calls on the day covered are still shown as used; none is called unused.
      expect(result.apps.some((a) => a.installed && a.eventLog !== null)).to.equal(true);
      expect(result.unusedApps).to.deep.equal([]);
    } finally {
      await emulator.stop();
    }
  });

  it('downloads a week of hourly files a few at a time and counts per hour', async () => {
    const emulator = await start({ scenario: 'usage-hourly-week', latencyMs: 15 });
    try {
      const run = await runCli(['connectedapp', 'usage', '--source', 'elf', '--interval', 'hourly', '--start-date', '2026-11-13', '--end-date', '2026-11-19'], { emulator });
      expect(run.exitCode, run.stderr).to.equal(0);
      const result = resultOf(run);
      const downloads = logFileRequests(run);
      expect(downloads).to.have.length(168);
      const edges = downloads.flatMap((r) => [
        [r.startedAt, 1],
        [r.endedAt, -1],
      ]);
      edges.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
      let inFlight = 0;
      let max = 0;
      for (const [, d] of edges) max = Math.max(max, (inFlight += d));
      expect(max).to.be.within(2, 4);
      const all = result.apps.flatMap((a) => a.eventLog?.intervals ?? []);
      expect(new Set(all.map((b) => b.start)).size).to.be.at.most(168).and.above(100);
      expect(all.every((b) => /T\d{2}:00:00\.000Z$/.test(b.start))).to.be.true;
      expect(result.apps.find((a) => a.name === 'Legacy Export')?.installed).to.equal(false);
    } finally {
      await emulator.stop();
    }
  });

  it('smoke: the benchmark path on a 5 MB log (rows match the bare parse, bounded concurrency)', async () => {
    const report = await runUsageBenchmark(SMOKE);
    const text = formatReport(report);
    const { large, small, hourly, archive } = report;
    expect(large?.rows, text).to.equal((large?.baselineRecords ?? 0) - 1);
    expect(small?.rows, text).to.equal((small?.baselineRecords ?? 0) - 1);
    expect(hourly?.maxConcurrent, text).to.be.within(2, 4);
    expect(hourly?.maxSequential, text).to.equal(1);
    expect(hourly?.countedConcurrent, text).to.equal(hourly?.countedSequential);
    // The archive path: every file archived, then read back from the archive alone, the same rows with 1 or N workers.
    expect(archive.files, text).to.equal(SMOKE.archiveFiles);
    expect(archive.fromArchive, text).to.equal(SMOKE.archiveFiles);
    expect(archive.countedMulti, text).to.be.greaterThan(0);
    expect(archive.countedMulti, text).to.equal(archive.countedSingle);
  });

  it('reads a log in memory that does not grow with the log (1 MB vs 32 MB, peak RSS of the CLI)', async function () {
    if (process.platform !== 'linux') this.skip(); // peak RSS is read from /proc
    // Two ApiTotalUsage logs made by repeating the rows of the fixture file (cheap to build); the emulator serves
    // them from its own memory, which is not what is measured.
    const fixture = FIXTURES.read('event-log-files', 'ApiTotalUsage.csv');
    const [header, ...rows] = fixture.trimEnd().split('\n');
    const dir = mkdtempSync(join(tmpdir(), 'usage-memory-'));
    const log = (day: string, mb: number): { file: string; rows: number } => {
      const body = `${rows.join('\n').replaceAll('20261113', day.replaceAll('-', '')).replaceAll('2026-11-13', day)}\n`;
      const copies = Math.ceil((mb * 1024 * 1024) / Buffer.byteLength(body));
      const file = join(dir, `${day}.csv`);
      writeFileSync(file, `${header}\n${body.repeat(copies)}`);
      return { file, rows: copies * rows.length };
    };
    const small = log('2026-11-18', 1);
    const large = log('2026-11-19', 32);
    const emulator = await start({
      scenario: {
        // Event Monitoring keeps both days' files (a free org keeps one day).
        org: { name: 'Memory Org', now: '2026-11-20T12:00:00Z', features: { eventMonitoring: true } },
        eventLogFiles: [
          { eventType: 'ApiTotalUsage', dates: ['2026-11-18'], csvFile: small.file },
          { eventType: 'ApiTotalUsage', dates: ['2026-11-19'], csvFile: large.file },
        ],
      },
    });
    try {
      // Coverage collection (c8) is turned off in the child: it is not what is measured, and it made the 32 MB run
      // take 35 s instead of 9. (Node re-adds NODE_V8_COVERAGE to a child's env unless the key is there: set it empty.)
      const peak = async (day: string, expected: number): Promise<number> => {
        const run = await runCli(['connectedapp', 'usage', '--source', 'elf', '--start-date', day, '--end-date', day], { emulator, env: { NODE_V8_COVERAGE: '' } });
        expect(run.exitCode, run.stderr).to.equal(0);
        expect(resultOf(run).eventLog?.rows, day).to.equal(expected);
        expect(run.peakRssBytes, 'peak RSS sampled').to.be.a('number');
        return (run.peakRssBytes ?? 0) / 1024 / 1024;
      };
      const smallMb = await peak('2026-11-18', small.rows);
      const largeMb = await peak('2026-11-19', large.rows);
      // Holding a file in memory takes at least one byte per byte of it, so a reader that buffers peaks at least
      // 31 MB higher on the large log (55-108 MB higher when tried, buffering with arrayBuffer() or text()); a
      // streaming reader's two peaks differ by the noise of two readings (-4 to +7 MB seen). Growth, not a ratio:
      // the start-up (~170 MB) hid the 5 MB log in the ratio the smoke test used to check (1.02 with the buffering
      // reader, under its 1.25 bound).
      const growth = largeMb - smallMb;
      expect(growth, `peak RSS ${smallMb.toFixed(1)} MB on 1 MB, ${largeMb.toFixed(1)} MB on 32 MB`).to.be.below(0.5 * (32 - 1));
    } finally {
      await emulator.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
