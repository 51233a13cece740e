import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { expect } from 'chai';
import { parse as parseSync } from 'csv-parse/sync';
import { start, type Emulator, type Scenario } from '../emulator/index.js';
import { demoScenario } from '../emulator/test-helpers.js';
import { ensureBuilt, ownRequests, runCli, type CliRun } from './harness.js';
import type { ConnectedAppLogsArchiveResult } from '../../src/commands/connectedapp/logs/archive.js';
import type { ConnectedAppUsageResult } from '../../src/commands/connectedapp/usage.js';
import type { Manifest } from '../../src/domain/usage/archive.js';

const DAY = 86_400_000;
/**
 * Ten days of ApiTotalUsage ending 2 days before the machine's today (the commands count --prune-older-than and the
 * audit's window back from the machine's clock), the fourth day generated twice; Login files beside them that are
 * not archived. The org's clock is pinned and moved by the tests.
 */
const FIRST_DAY = Math.floor(Date.now() / DAY) * DAY - 11 * DAY;
const day = (n: number): string => new Date(FIRST_DAY + n * DAY).toISOString().slice(0, 10);
const DAYS = Array.from({ length: 10 }, (_, n) => day(n));
const DATES = { from: day(0), to: day(9) };
/** The first daily run: the first day's file was generated at 02:00 the next day. */
const FIRST_RUN = FIRST_DAY + DAY + 12 * 3_600_000;

function scenario(org: Partial<Scenario['org']>): Scenario {
  const base = demoScenario({ now: new Date(FIRST_RUN).toISOString(), ...org });
  return {
    ...base,
    eventLogFiles: [
      { eventType: 'ApiTotalUsage', interval: 'Daily', dates: DATES, rows: 300, duplicateDates: [day(3)], apps: ['*'] },
      { eventType: 'Login', interval: 'Daily', dates: DATES, rows: 40 },
    ],
  };
}

type Truth = { id: string; eventType: string; logDate: string; bytes: Buffer; rows: number };

/** What the emulator generated: the newest version of each day's file of the type (ApiTotalUsage), its exact bytes. */
function generated(emulator: Emulator, eventType = 'ApiTotalUsage'): Map<string, Truth> {
  const newest = new Map<string, { createdMs: number; truth: Truth }>();
  for (const f of emulator.org.logFiles.values()) {
    if (f.eventType !== eventType || f.interval !== 'Daily') continue;
    const day = String(f.row.LogDate).slice(0, 10);
    const seen = newest.get(day);
    if (seen && seen.createdMs >= f.createdMs) continue;
    newest.set(day, { createdMs: f.createdMs, truth: { id: String(f.row.Id), eventType, logDate: day, bytes: Buffer.concat([...f.content.chunks()]), rows: f.content.rowCount } });
  }
  return new Map([...newest].map(([day, v]) => [day, v.truth]));
}

/** Ground truth per day: the rows of the newest file of that day that name a connected app. */
function appRowsPerDay(truth: Map<string, Truth>): Map<string, number> {
  const out = new Map<string, number>();
  for (const [day, t] of truth) {
    const rows = parseSync<Record<string, string>>(t.bytes, { columns: true });
    out.set(day, rows.filter((r) => r.CONNECTED_APP_ID !== '' || r.CONNECTED_APP_NAME !== '').length);
  }
  return out;
}

const resultOf = (run: CliRun): ConnectedAppLogsArchiveResult => (run.json?.result ?? run.json?.data) as ConnectedAppLogsArchiveResult;
/** Every file under dir with its size and modification time. */
const filesIn = (dir: string): Record<string, string> =>
  Object.fromEntries(
    readdirSync(dir, { recursive: true, withFileTypes: true })
      .filter((e) => e.isFile())
      .map((e) => {
        const path = join(e.parentPath, e.name);
        const info = statSync(path);
        return [path.slice(dir.length + 1), `${info.size}@${info.mtimeMs}`];
      })
  );
const manifestOf = (dir: string): Manifest => JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as Manifest;

/** The archive holds exactly the generated days (of each type given), each the newest version, byte for byte. */
function expectComplete(dir: string, ...truths: Array<Map<string, Truth>>): void {
  const manifest = manifestOf(dir);
  const key = (eventType: string, logDate: string): string => `${eventType} ${logDate.slice(0, 10)}`;
  const truth = new Map(truths.flatMap((t) => [...t.values()]).map((t) => [key(t.eventType, t.logDate), t]));
  expect(manifest.files.map((f) => key(f.eventType, f.logDate)).sort()).to.deep.equal([...truth.keys()].sort());
  for (const entry of manifest.files) {
    const want = truth.get(key(entry.eventType, entry.logDate))!;
    expect(entry.id, entry.logDate).to.equal(want.id);
    const body = gunzipSync(readFileSync(join(dir, entry.file)));
    expect(body.equals(want.bytes), entry.file).to.be.true;
    expect(entry).to.include({ bytes: want.bytes.length, rows: want.rows, sha256: createHash('sha256').update(want.bytes).digest('hex'), eventType: want.eventType, interval: 'Daily' });
  }
  // Nothing but the listed files and the manifest.
  const onDisk = readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name).slice(dir.length + 1));
  expect(onDisk.sort()).to.deep.equal(['manifest.json', ...manifest.files.map((f) => f.file)].sort());
}

describe('connectedapp logs archive (e2e through the org emulator)', function () {
  this.timeout(600_000);
  let dir: string;

  before(async () => {
    await ensureBuilt();
  });
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'ca-archive-'));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  describe('a free org that keeps one day of files, archived every day for ten days', () => {
    let emulator: Emulator;
    before(async () => {
      emulator = await start({ scenario: scenario({ features: { eventMonitoring: false } }) });
    });
    after(async () => {
      await emulator.stop();
    });

    it('ends with every day, the newer version of a regenerated day, and a second run the same day downloads nothing', async () => {
      const truth = generated(emulator);
      expect(truth.size).to.equal(10);
      const downloadedPerRun: number[] = [];
      for (let day = 0; day < 10; day++) {
        emulator.org.setNow(FIRST_RUN + day * DAY);
        const run = await runCli(['connectedapp', 'logs', 'archive', '--output-dir', dir], { emulator });
        expect(run.exitCode, run.stderr).to.equal(0);
        const result = resultOf(run);
        downloadedPerRun.push(result.downloaded);
        // The org only ever shows this day's file (and, once, the regenerated 11-12): never the Login files.
        expect(result.files.every((f) => f.eventType === 'ApiTotalUsage')).to.be.true;
      }
      // The fifth run sees the fourth day and the second version of the third, which replaces the first.
      expect(downloadedPerRun).to.deep.equal([1, 1, 1, 1, 2, 1, 1, 1, 1, 1]);
      expectComplete(dir, truth);

      const again = await runCli(['connectedapp', 'logs', 'archive', '--output-dir', dir], { emulator, json: false });
      expect(again.exitCode, again.stderr).to.equal(0);
      expect(again.stdout).to.match(/Nothing new/);
      expect(again.requests.filter((r) => r.path.endsWith('/LogFile'))).to.have.length(0);
      expectComplete(dir, truth);

      // Usage over the ten days: nine from the archive, the last one still in the org, per-day totals as generated.
      const usage = await runCli(['connectedapp', 'usage', '--archive-dir', dir, '--start-date', day(0), '--end-date', day(9), '--source', 'elf'], { emulator });
      expect(usage.exitCode, usage.stderr).to.equal(0);
      const result = (usage.json?.result ?? usage.json?.data) as ConnectedAppUsageResult;
      const days = result.eventLog?.days ?? [];
      expect(days.map((d) => d.source)).to.deep.equal([...Array<string>(9).fill('archive'), 'org']);
      expect(result.eventLog?.files.map((f) => f.source)).to.deep.equal([...Array<string>(9).fill('archive'), 'org']);
      const perDay = new Map<string, number>();
      for (const app of result.apps) for (const i of app.eventLog?.intervals ?? []) perDay.set(i.start.slice(0, 10), (perDay.get(i.start.slice(0, 10)) ?? 0) + i.events);
      expect(new Map([...perDay].sort())).to.deep.equal(new Map([...appRowsPerDay(truth)].sort()));
      // Without the archive the org answers for one day only.
      const orgOnly = await runCli(['connectedapp', 'usage', '--start-date', day(0), '--end-date', day(9), '--source', 'elf'], { emulator });
      expect(((orgOnly.json?.result ?? orgOnly.json?.data) as ConnectedAppUsageResult).eventLog?.files).to.have.length(1);

      // The audit reads the same archive for the days the org no longer has (its window counts back from the machine's clock).
      const audit = await runCli(['connectedapp', 'audit', '--archive-dir', dir, '--event-log-days', '30'], { emulator });
      expect(audit.stdout).to.match(/days from the archive: 9, from the org: 1/);
    });
  });

  describe('an org with Event Monitoring keeping all ten days', () => {
    let emulator: Emulator;
    before(async () => {
      emulator = await start({ scenario: scenario({ features: { eventMonitoring: true }, now: new Date(FIRST_DAY + 11 * DAY + 12 * 3_600_000).toISOString() }) });
    });
    after(async () => {
      await emulator.stop();
    });
    afterEach(() => {
      emulator.clearFaults();
    });

    it('a run killed mid-download leaves only complete files listed, and the next run completes the archive without duplicates', async () => {
      const truth = generated(emulator);
      // One file at a time; the fourth download hangs after 1 KB until the run is killed.
      emulator.addFault({ path: '/LogFile$', nth: 4, kind: 'stall', afterBytes: 1024 });
      const env = { SF_CONNECTEDAPP_CONCURRENCY: '1' };
      const killed = await runCli(['connectedapp', 'logs', 'archive', '--output-dir', dir], { emulator, env, timeoutMs: 25_000 }).then(
        () => null,
        (error: unknown) => error as Error
      );
      expect(killed?.message).to.match(/timed out/);
      const half = manifestOf(dir);
      expect(half.files).to.have.length(3);
      const partial = readdirSync(dir, { recursive: true }).map(String).filter((n) => n.endsWith('.partial'));
      expect(partial).to.have.length(1);

      emulator.clearFaults();
      const rerun = await runCli(['connectedapp', 'logs', 'archive', '--output-dir', dir], { emulator, env });
      expect(rerun.exitCode, rerun.stderr).to.equal(0);
      expect(resultOf(rerun)).to.include({ downloaded: 7, failed: 0, leftoversRemoved: 1, archivedFiles: 10 });
      expectComplete(dir, truth);
    });

    it('lists failed files and exits 68, and the next run fetches only those', async () => {
      emulator.addFault({ path: '/LogFile$', nth: 2, times: 5, status: 503 });
      const first = await runCli(['connectedapp', 'logs', 'archive', '--output-dir', dir], { emulator, env: { SF_CONNECTEDAPP_CONCURRENCY: '1' } });
      expect(first.exitCode, first.stderr).to.equal(68);
      const failed = resultOf(first).files.filter((f) => f.status === 'failed');
      expect(failed).to.have.length(1);
      expect(failed[0]).to.include({ errorCode: 'SERVER_UNAVAILABLE', attempts: 5 });
      expect(String(first.json?.warnings)).to.include(failed[0].id);
      emulator.clearFaults();
      const second = await runCli(['connectedapp', 'logs', 'archive', '--output-dir', dir], { emulator });
      expect(second.exitCode, second.stderr).to.equal(0);
      expect(resultOf(second).files.filter((f) => f.status === 'downloaded').map((f) => f.id)).to.deep.equal([failed[0].id]);
      expectComplete(dir, generated(emulator));
    });

    it('--dry-run writes nothing; --prune-older-than removes old days from the manifest and the disk', async () => {
      const dry = await runCli(['connectedapp', 'logs', 'archive', '--output-dir', join(dir, 'new'), '--dry-run'], { emulator });
      expect(dry.exitCode, dry.stderr).to.equal(0);
      expect(resultOf(dry).files.filter((f) => f.status === 'would-download')).to.have.length(10);
      expect(existsSync(join(dir, 'new'))).to.be.false;

      expect((await runCli(['connectedapp', 'logs', 'archive', '--output-dir', dir], { emulator })).exitCode).to.equal(0);
      // The cutoff counts back from the machine's clock: put it at about noon of the seventh day, so the first six go.
      const hours = Math.floor((Date.now() - (FIRST_DAY + 6 * DAY + 12 * 3_600_000)) / 3_600_000);
      const pruned = await runCli(['connectedapp', 'logs', 'archive', '--output-dir', dir, '--prune-older-than', `${hours}h`], { emulator });
      expect(pruned.exitCode, pruned.stderr).to.equal(0);
      expect(resultOf(pruned).pruned.map((p) => p.logDate.slice(0, 10))).to.deep.equal(DAYS.slice(0, 6));
      const truth = new Map([...generated(emulator)].filter(([d]) => d >= DAYS[6]));
      expectComplete(dir, truth);
      // The org still has the pruned days: a scheduled run with the same flag does not fetch them again.
      const again = await runCli(['connectedapp', 'logs', 'archive', '--output-dir', dir, '--prune-older-than', `${hours}h`], { emulator });
      expect(resultOf(again)).to.include({ downloaded: 0, failed: 0, archivedFiles: 4 });
      expect(resultOf(again).pruned).to.have.length(0);
      expectComplete(dir, truth);
    });

    it('two runs on one directory: the second is refused while the first works, readers read meanwhile, and the archive ends complete', async () => {
      const apiTotalUsage = generated(emulator);
      expect((await runCli(['connectedapp', 'logs', 'archive', '--output-dir', dir], { emulator })).exitCode).to.equal(0);
      // The first run is held on its first download, holding the lock, while the second run and a reader start.
      const hold = emulator.addFault({ path: '/LogFile$', kind: 'hold' });
      const first = runCli(['connectedapp', 'logs', 'archive', '--output-dir', dir, '--event-type', 'Login'], { emulator, env: { SF_CONNECTEDAPP_CONCURRENCY: '1' } });
      try {
        const deadline = Date.now() + 60_000;
        while (hold.fired === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
        expect(hold.fired, 'the first run reached its first download').to.equal(1);
        const lock = JSON.parse(readFileSync(join(dir, 'archive.lock'), 'utf8')) as { pid: number; hostname: string; startedAt: string };
        expect(lock.hostname).to.equal(hostname());
        expect(lock.pid).to.not.equal(process.pid);
        const before = filesIn(dir);

        const second = await runCli(['connectedapp', 'logs', 'archive', '--output-dir', dir], { emulator, json: false });
        expect(second.exitCode, second.stderr).to.equal(1);
        expect(second.stderr).to.include(`process ${lock.pid} on ${lock.hostname}, started ${lock.startedAt}`).and.include('without changing anything');
        expect(second.stderr).to.include(join(dir, 'archive.lock'));
        expect(ownRequests(second), 'the refused run asks the org nothing').to.deep.equal([]);
        const secondJson = await runCli(['connectedapp', 'logs', 'archive', '--output-dir', dir], { emulator });
        expect(secondJson.json).to.include({ name: 'ArchiveLockedError', exitCode: 1 });
        expect(filesIn(dir), 'the refused runs changed nothing').to.deep.equal(before);

        // A reader needs no lock: a free org keeping only the last day, the nine before it from the archive.
        const free = await start({ scenario: scenario({ features: { eventMonitoring: false }, now: new Date(FIRST_DAY + 10 * DAY + 12 * 3_600_000).toISOString() }) });
        try {
          const usage = await runCli(['connectedapp', 'usage', '--archive-dir', dir, '--start-date', day(0), '--end-date', day(9), '--source', 'elf'], { emulator: free });
          expect(usage.exitCode, usage.stderr).to.equal(0);
          const result = (usage.json?.result ?? usage.json?.data) as ConnectedAppUsageResult;
          expect(result.eventLog?.days?.map((d) => d.source)).to.deep.equal([...Array<string>(9).fill('archive'), 'org']);
          const perDay = new Map<string, number>();
          for (const app of result.apps) for (const i of app.eventLog?.intervals ?? []) perDay.set(i.start.slice(0, 10), (perDay.get(i.start.slice(0, 10)) ?? 0) + i.events);
          const truth = new Map([...apiTotalUsage].map(([d, t]) => [d, d === day(9) ? generated(free).get(d)! : t]));
          expect(new Map([...perDay].sort())).to.deep.equal(new Map([...appRowsPerDay(truth)].sort()));
        } finally {
          await free.stop();
        }
        expect(hold.fired, 'the first run was still held while the others ran').to.equal(1);
      } finally {
        hold.release();
      }
      const done = await first;
      expect(done.exitCode, done.stderr).to.equal(0);
      expect(resultOf(done)).to.include({ downloaded: 10, failed: 0, archivedFiles: 20 });
      // Both types, byte for byte, and no lock left behind.
      expectComplete(dir, apiTotalUsage, generated(emulator, 'Login'));
    });

    it('a run stopped by SIGTERM releases its lock, and the next run completes the archive', async () => {
      const hold = emulator.addFault({ path: '/LogFile$', nth: 3, kind: 'hold' });
      const stopped = runCli(['connectedapp', 'logs', 'archive', '--output-dir', dir], { emulator, env: { SF_CONNECTEDAPP_CONCURRENCY: '1' } });
      const deadline = Date.now() + 60_000;
      while (hold.fired === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      expect(hold.fired, 'the run reached its third download').to.equal(1);
      const { pid } = JSON.parse(readFileSync(join(dir, 'archive.lock'), 'utf8')) as { pid: number };
      process.kill(pid, 'SIGTERM');
      const ended = await stopped;
      hold.release();
      // Interrupted: 130, without the stack trace sf-plugins-core's own listener used to cause.
      expect(ended.exitCode, ended.stderr).to.equal(130);
      expect(ended.stderr).to.not.match(/\n\s+at /);
      expect(existsSync(join(dir, 'archive.lock'))).to.be.false;
      expect(manifestOf(dir).files).to.have.length(2);

      const next = await runCli(['connectedapp', 'logs', 'archive', '--output-dir', dir], { emulator });
      expect(next.exitCode, next.stderr).to.equal(0);
      expect(String(next.json?.warnings), 'no stale lock to take over').to.not.match(/lock/i);
      expect(resultOf(next)).to.include({ downloaded: 8, failed: 0, archivedFiles: 10 });
      expectComplete(dir, generated(emulator));
    });

    it('refuses a damaged manifest and a bad duration, changing nothing', async () => {
      writeFileSync(join(dir, 'manifest.json'), '{"version":1,"files":[{"id":"x"}]}');
      const damaged = await runCli(['connectedapp', 'logs', 'archive', '--output-dir', dir], { emulator });
      expect(damaged.exitCode).to.equal(1);
      expect(damaged.json?.message).to.match(/manifest.*cannot be used/);
      expect(readdirSync(dir)).to.deep.equal(['manifest.json']);
      const bad = await runCli(['connectedapp', 'logs', 'archive', '--output-dir', join(dir, 'x'), '--prune-older-than', 'soon'], { emulator });
      expect(bad.exitCode).to.equal(2);
      expect(bad.requests).to.deep.equal([]);
      expect(existsSync(join(dir, 'x'))).to.be.false;
    });
  });
});
