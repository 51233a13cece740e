/*
 * Benchmark: `connectedapp usage` on event log files served by the org emulator, the CLI run as a child process
 * (bin/run.js, compiled lib/), each figure compared with a baseline measured in the same run.
 *
 * 1. Throughput and memory: one generated ApiTotalUsage file of 1 GB (and one of 100 MB). Baseline: a bare
 *    csv-parse pass over the same bytes from a local file. Pass: the end-to-end CLI run (start-up included)
 *    reaches >= 70 % of the baseline's MB/s; the CLI's peak RSS stays < 200 MB and within 20 % of the 100 MB run.
 * 2. Concurrency: a week of hourly files (168) with per-request latency. Baseline: the same CLI run with
 *    SF_CONNECTEDAPP_CONCURRENCY=1 (one download after another). Shows the maximum number of LogFile downloads in
 *    flight at once (from the emulator's request log) and the wall-time ratio.
 * 3. Archive: `logs archive` of N daily files (throughput, peak RSS), then, with the org's clock moved past its
 *    retention, `usage --archive-dir` over them with the default parsing workers (one per core) beside the
 *    single-worker run (SF_CONNECTEDAPP_PARSE_WORKERS=1). Target: >= 1.7x on 2 cores, the same rows counted.
 *
 *   npm run bench:usage                     # 1 GB + 100 MB, 168 hourly files
 *   npm run bench:usage -- --smoke          # 5 MB + 1 MB, 24 hourly files (what the e2e smoke test runs)
 *   npm run bench:usage -- --large-mb 2048 --small-mb 200 --latency 80
 *   npm run bench:usage -- --archive-only --archive-files 8 --archive-mb 128
 *
 * Peak RSS: `/usr/bin/time -v` when present, else VmHWM polled from /proc/<pid>/status.
 */
import { spawn } from 'node:child_process';
import { createReadStream, createWriteStream, existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { pathToFileURL } from 'node:url';
import { parse } from 'csv-parse';
import { start, type Emulator, type RequestLogEntry, type Scenario } from '../test/emulator/index.js';
import { REPO_ROOT, cliEnv, ensureBuilt, parseEnvelope } from '../test/e2e/harness.js';
import type { ConnectedAppUsageResult } from '../src/commands/connectedapp/usage.js';

const MB = 1024 * 1024;
const LARGE_DAY = '2026-11-19';
const SMALL_DAY = '2026-11-18';

export type BenchOptions = { largeMb: number; smallMb: number; hourlyDays: number; hourlyRows: number; latencyMs: number; archiveFiles: number; archiveMb: number; archiveOnly?: boolean };
export const FULL: BenchOptions = { largeMb: 1024, smallMb: 100, hourlyDays: 7, hourlyRows: 400, latencyMs: 50, archiveFiles: 8, archiveMb: 128 };
export const SMOKE: BenchOptions = { largeMb: 5, smallMb: 1, hourlyDays: 1, hourlyRows: 100, latencyMs: 20, archiveFiles: 4, archiveMb: 2 };
/** The archived files' days: the N days before this one. */
const ARCHIVE_BEFORE = Date.parse('2026-11-18T00:00:00Z');
const archiveDay = (i: number, n: number): string => new Date(ARCHIVE_BEFORE - (n - i) * 86_400_000).toISOString().slice(0, 10);

type Measured = { exitCode: number; ms: number; peakRssMb: number; rssMethod: string; stdout: string; stderr: string };

const TIME = '/usr/bin/time';

/** Runs bin/run.js with the given args against the emulator, measuring wall time and the process's peak RSS. */
export async function runMeasured(emulator: Emulator, args: string[], extraEnv: Record<string, string> = {}): Promise<Measured> {
  const home = mkdtempSync(join(tmpdir(), 'bench-usage-home-'));
  const cwd = mkdtempSync(join(tmpdir(), 'bench-usage-cwd-'));
  const env = cliEnv(home, emulator, extraEnv);
  const argv = [join(REPO_ROOT, 'bin', 'run.js'), ...args, '--target-org', emulator.accessToken, '--json'];
  const useTime = existsSync(TIME);
  const began = performance.now();
  try {
    const child = useTime ? spawn(TIME, ['-v', process.execPath, ...argv], { cwd, env }) : spawn(process.execPath, argv, { cwd, env });
    let hwmKb = 0;
    const poll = useTime
      ? undefined
      : setInterval(() => {
          try {
            const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid ?? 0}/status`, 'utf8'));
            if (m) hwmKb = Math.max(hwmKb, Number(m[1]));
          } catch {
            // The process has exited.
          }
        }, 25);
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    const exitCode = await new Promise<number>((resolve, reject) => {
      child.on('error', reject);
      child.on('close', (code) => {
        resolve(code ?? 1);
      });
    });
    clearInterval(poll);
    const ms = performance.now() - began;
    const stderr = Buffer.concat(err).toString('utf8');
    if (useTime) hwmKb = Number(/Maximum resident set size \(kbytes\): (\d+)/.exec(stderr)?.[1] ?? 0);
    return { exitCode, ms, peakRssMb: hwmKb / 1024, rssMethod: useTime ? '/usr/bin/time -v' : '/proc VmHWM', stdout: Buffer.concat(out).toString('utf8'), stderr };
  } finally {
    rmSync(home, { recursive: true, force: true });
    rmSync(cwd, { recursive: true, force: true });
  }
}

function scenario(o: BenchOptions): Scenario {
  const apps = ['Jenkins CI', 'MuleSoft Sync', 'Tableau Reporting', 'Data Export'].map((label) => ({ name: label.replace(/ /g, '_'), label }));
  return {
    name: 'usage-bench',
    // Pinned: the files have fixed dates, and the org serves them only within its retention after that clock.
    org: { name: 'Usage Bench', now: '2026-11-20T12:00:00Z', features: { eventMonitoring: true } },
    users: Array.from({ length: 12 }, (_, i) => ({ username: `user${i}@bench.example.com`, profile: 'System Administrator' })),
    connectedApps: [...apps, { name: 'Ghost_App', label: 'Ghost App', installed: false }],
    eventLogFiles: [
      { eventType: 'ApiTotalUsage', dates: [LARGE_DAY], bytes: o.largeMb * MB, apps: [...apps.map((a) => a.name), 'Ghost_App'] },
      { eventType: 'ApiTotalUsage', dates: [SMALL_DAY], bytes: o.smallMb * MB, apps: [...apps.map((a) => a.name), 'Ghost_App'] },
      { eventType: 'ApiTotalUsage', dates: Array.from({ length: o.archiveFiles }, (_, i) => archiveDay(i, o.archiveFiles)), bytes: o.archiveMb * MB, apps: [...apps.map((a) => a.name), 'Ghost_App'] },
      {
        eventType: 'RestApi',
        interval: 'Hourly',
        dates: { from: '2026-11-01', to: `2026-11-${String(o.hourlyDays).padStart(2, '0')}` },
        rows: o.hourlyRows,
        apps: apps.map((a) => a.name),
      },
    ],
  };
}

/** Downloads a file's body from the emulator to disk (for the baseline). */
async function saveLogFile(emulator: Emulator, day: string, to: string): Promise<number> {
  const row = emulator.org.table('EventLogFile').find((r) => r.EventType === 'ApiTotalUsage' && String(r.LogDate).startsWith(day));
  if (!row) throw new Error(`no file for ${day}`);
  const response = await fetch(`${emulator.url}/services/data/v67.0/sobjects/EventLogFile/${String(row.Id)}/LogFile`, { headers: { Authorization: `Bearer ${emulator.accessToken}` } });
  if (!response.ok || !response.body) throw new Error(`download failed: ${response.status}`);
  await pipeline(Readable.fromWeb(response.body as WebReadableStream<Uint8Array>), createWriteStream(to));
  return Number(row.LogFileLength);
}

/** The baseline: a bare csv-parse pass over a local file. */
async function bareParse(file: string): Promise<{ ms: number; records: number }> {
  const began = performance.now();
  let records = 0;
  const parser = parse();
  parser.on('data', () => {
    records++;
  });
  await pipeline(createReadStream(file, { highWaterMark: 256 * 1024 }), parser);
  return { ms: performance.now() - began, records };
}

/** The largest number of requests in flight at the same time. */
export function maxConcurrent(entries: readonly RequestLogEntry[]): number {
  const edges = entries.flatMap((e) => [
    { t: e.startedAt, d: 1 },
    { t: e.endedAt, d: -1 },
  ]);
  edges.sort((a, b) => a.t - b.t || a.d - b.d);
  let now = 0;
  let max = 0;
  for (const e of edges) {
    now += e.d;
    max = Math.max(max, now);
  }
  return max;
}

export type ThroughputRun = { mb: number; bytes: number; baselineMs: number; baselineRecords: number; cliMs: number; transferMs: number; peakRssMb: number; rssMethod: string; rows: number; countedRows: number };
export type ConcurrencyRun = { files: number; concurrentMs: number; sequentialMs: number; maxConcurrent: number; maxSequential: number; countedConcurrent: number; countedSequential: number };
export type ArchiveRun = {
  files: number;
  bytes: number;
  archivedFiles: number;
  archivedBytes: number;
  archiveMs: number;
  archivePeakRssMb: number;
  compressedBytes: number;
  singleMs: number;
  multiMs: number;
  singlePeakRssMb: number;
  multiPeakRssMb: number;
  workers: number;
  countedSingle: number;
  countedMulti: number;
  fromArchive: number;
};
export type BenchReport = { options: BenchOptions; large: ThroughputRun | null; small: ThroughputRun | null; hourly: ConcurrencyRun | null; archive: ArchiveRun };

function usageResult(run: Measured): ConnectedAppUsageResult {
  const envelope = parseEnvelope(run.stdout);
  if (run.exitCode !== 0 || !envelope?.result) throw new Error(`usage failed (${run.exitCode}): ${run.stdout.slice(0, 400)} ${run.stderr.slice(-800)}`);
  return envelope.result as ConnectedAppUsageResult;
}

async function throughput(emulator: Emulator, day: string, mb: number, dir: string): Promise<ThroughputRun> {
  const local = join(dir, `${day}.csv`);
  const bytes = await saveLogFile(emulator, day, local);
  // Baseline: the better of two passes (the first one also warms the page cache).
  const passes = [await bareParse(local), await bareParse(local)];
  const baseline = passes.reduce((a, b) => (a.ms <= b.ms ? a : b));
  rmSync(local, { force: true });
  emulator.resetLog();
  const run = await runMeasured(emulator, ['connectedapp', 'usage', '--source', 'elf', '--start-date', day, '--end-date', day]);
  const result = usageResult(run);
  const transfer = emulator.requests.filter((r) => r.path.endsWith('/LogFile'));
  return {
    mb,
    bytes,
    baselineMs: baseline.ms,
    baselineRecords: baseline.records,
    cliMs: run.ms,
    transferMs: transfer.reduce((n, r) => n + (r.endedAt - r.startedAt), 0),
    peakRssMb: run.peakRssMb,
    rssMethod: run.rssMethod,
    rows: result.eventLog?.rows ?? -1,
    countedRows: result.eventLog?.countedRows ?? -1,
  };
}

async function concurrency(emulator: Emulator, o: BenchOptions): Promise<ConcurrencyRun> {
  const args = ['connectedapp', 'usage', '--source', 'elf', '--event-type', 'RestApi', '--interval', 'hourly', '--start-date', '2026-11-01', '--end-date', `2026-11-${String(o.hourlyDays).padStart(2, '0')}`];
  emulator.setLatency(o.latencyMs);
  try {
    emulator.resetLog();
    const concurrent = await runMeasured(emulator, args);
    const parallelLog = emulator.requests.filter((r) => r.path.endsWith('/LogFile'));
    const parallelResult = usageResult(concurrent);
    emulator.resetLog();
    const sequential = await runMeasured(emulator, args, { SF_CONNECTEDAPP_CONCURRENCY: '1' });
    const sequentialLog = emulator.requests.filter((r) => r.path.endsWith('/LogFile'));
    const sequentialResult = usageResult(sequential);
    return {
      files: parallelLog.length,
      concurrentMs: concurrent.ms,
      sequentialMs: sequential.ms,
      maxConcurrent: maxConcurrent(parallelLog),
      maxSequential: maxConcurrent(sequentialLog),
      countedConcurrent: parallelResult.eventLog?.countedRows ?? -1,
      countedSequential: sequentialResult.eventLog?.countedRows ?? -1,
    };
  } finally {
    emulator.setLatency(0);
  }
}

async function archive(emulator: Emulator, o: BenchOptions, dir: string): Promise<ArchiveRun> {
  const out = join(dir, 'archive');
  const first = archiveDay(0, o.archiveFiles);
  const last = archiveDay(o.archiveFiles - 1, o.archiveFiles);
  emulator.resetLog();
  const archived = await runMeasured(emulator, ['connectedapp', 'logs', 'archive', '--output-dir', out]);
  const envelope = parseEnvelope(archived.stdout);
  if (archived.exitCode !== 0) throw new Error(`archive failed (${archived.exitCode}): ${archived.stdout.slice(0, 400)} ${archived.stderr.slice(-800)}`);
  const archiveResult = envelope?.result as { files: Array<{ logDate: string; status: string; bytes?: number; file?: string }> };
  const mine = archiveResult.files.filter((f) => f.logDate.slice(0, 10) >= first && f.logDate.slice(0, 10) <= last);
  const bytes = mine.reduce((n, f) => n + (f.bytes ?? 0), 0);
  // The archive run downloads every ApiTotalUsage file the org keeps (the throughput runs' logs too).
  const archivedBytes = archiveResult.files.reduce((n, f) => n + (f.bytes ?? 0), 0);
  const compressedBytes = archiveResult.files.reduce((n, f) => n + (f.file ? statSync(join(out, f.file)).size : 0), 0);
  // The org forgets: move its clock past the retention, so usage reads every file from the archive.
  const before = emulator.org.now;
  emulator.org.setNow(new Date(before.getTime() + 60 * 86_400_000));
  try {
    const args = ['connectedapp', 'usage', '--source', 'elf', '--archive-dir', out, '--start-date', first, '--end-date', last];
    const single = await runMeasured(emulator, args, { SF_CONNECTEDAPP_PARSE_WORKERS: '1' });
    const multi = await runMeasured(emulator, args);
    const singleResult = usageResult(single);
    const multiResult = usageResult(multi);
    return {
      files: mine.length,
      bytes,
      archivedFiles: archiveResult.files.length,
      archivedBytes,
      archiveMs: archived.ms,
      archivePeakRssMb: archived.peakRssMb,
      compressedBytes,
      singleMs: single.ms,
      multiMs: multi.ms,
      singlePeakRssMb: single.peakRssMb,
      multiPeakRssMb: multi.peakRssMb,
      workers: Math.min(availableParallelism(), 8, mine.length),
      countedSingle: singleResult.eventLog?.countedRows ?? -1,
      countedMulti: multiResult.eventLog?.countedRows ?? -1,
      fromArchive: multiResult.eventLog?.files.filter((f) => f.source === 'archive' && f.status === 'read').length ?? -1,
    };
  } finally {
    emulator.org.setNow(before);
  }
}

export async function runUsageBenchmark(options: BenchOptions): Promise<BenchReport> {
  await ensureBuilt();
  const emulator = await start({ scenario: scenario(options) });
  const dir = mkdtempSync(join(tmpdir(), 'bench-usage-'));
  try {
    const large = options.archiveOnly ? null : await throughput(emulator, LARGE_DAY, options.largeMb, dir);
    const small = options.archiveOnly ? null : await throughput(emulator, SMALL_DAY, options.smallMb, dir);
    const hourly = options.archiveOnly ? null : await concurrency(emulator, options);
    const archived = await archive(emulator, options, dir);
    return { options, large, small, hourly, archive: archived };
  } finally {
    await emulator.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

const rate = (bytes: number, ms: number): number => bytes / MB / (ms / 1000);
const f1 = (n: number): string => n.toFixed(1);

/** The report as Markdown, with pass/fail against the targets. */
export function formatReport(r: BenchReport): string {
  return [...(r.large && r.small && r.hourly ? [formatUsage(r.large, r.small, r.hourly, r.options)] : []), formatArchive(r.archive)].join('\n');
}

function formatArchive(a: ArchiveRun): string {
  const mark = (ok: boolean): string => (ok ? 'PASS' : 'FAIL');
  const speedUp = a.singleMs / a.multiMs;
  return [
    `## connectedapp logs archive, then usage --archive-dir: ${a.files} daily ApiTotalUsage files, ${f1(a.bytes / MB)} MB`,
    '',
    '| measure | value |',
    '|---|---|',
    `| logs archive of ${a.archivedFiles} files, ${f1(a.archivedBytes / MB)} MB (CLI end to end: download, hash, gzip to disk) | ${f1(a.archiveMs / 1000)} s, ${f1(rate(a.archivedBytes, a.archiveMs))} MB/s, peak RSS ${f1(a.archivePeakRssMb)} MB |`,
    `| archive size on disk (gzip) | ${f1(a.compressedBytes / MB)} MB (${((100 * a.compressedBytes) / Math.max(1, a.archivedBytes)).toFixed(0)}% of the CSV) |`,
    `| usage --archive-dir, single worker (SF_CONNECTEDAPP_PARSE_WORKERS=1) | ${f1(a.singleMs / 1000)} s, ${f1(rate(a.bytes, a.singleMs))} MB/s, peak RSS ${f1(a.singlePeakRssMb)} MB |`,
    `| usage --archive-dir, ${a.workers} workers (default: one per core) | ${f1(a.multiMs / 1000)} s, ${f1(rate(a.bytes, a.multiMs))} MB/s, peak RSS ${f1(a.multiPeakRssMb)} MB |`,
    `| **speed-up, single / ${a.workers} workers** | **${speedUp.toFixed(2)}x** (target >= 1.70 on 2 cores: ${mark(speedUp >= 1.7)}) |`,
    `| files read from the archive; rows counted single / multi | ${a.fromArchive} of ${a.files}; ${a.countedSingle} / ${a.countedMulti} (${mark(a.countedSingle === a.countedMulti && a.fromArchive === a.files)}) |`,
    '',
  ].join('\n');
}

function formatUsage(large: ThroughputRun, small: ThroughputRun, hourly: ConcurrencyRun, options: BenchOptions): string {
  const r = { options };
  const base = rate(large.bytes, large.baselineMs);
  const e2e = rate(large.bytes, large.cliMs);
  const transfer = rate(large.bytes, large.transferMs);
  const ratio = e2e / base;
  const rssRatio = large.peakRssMb / small.peakRssMb;
  const mark = (ok: boolean): string => (ok ? 'PASS' : 'FAIL');
  return [
    `## connectedapp usage: ${large.mb} MB ApiTotalUsage log (${large.bytes} bytes, ${large.baselineRecords - 1} rows)`,
    '',
    '| measure | value |',
    '|---|---|',
    `| baseline: bare csv-parse pass over a local copy | ${f1(large.baselineMs / 1000)} s, ${f1(base)} MB/s |`,
    `| CLI end to end (process start to exit) | ${f1(large.cliMs / 1000)} s, ${f1(e2e)} MB/s |`,
    `| CLI LogFile transfer + parse (emulator log) | ${f1(large.transferMs / 1000)} s, ${f1(transfer)} MB/s |`,
    `| **throughput ratio, end to end / baseline** | **${ratio.toFixed(2)}** (target >= 0.70: ${mark(ratio >= 0.7)}) |`,
    `| throughput ratio, transfer / baseline | ${(transfer / base).toFixed(2)} |`,
    `| CLI peak RSS, ${large.mb} MB log | ${f1(large.peakRssMb)} MB (target < 200: ${mark(large.peakRssMb < 200)}) |`,
    `| CLI peak RSS, ${small.mb} MB log | ${f1(small.peakRssMb)} MB |`,
    `| **RSS ratio ${large.mb} MB / ${small.mb} MB** | **${rssRatio.toFixed(2)}** (target <= 1.20: ${mark(rssRatio <= 1.2)}) |`,
    `| rows read / counted for apps | ${large.rows} / ${large.countedRows} (baseline records ${large.baselineRecords - 1}: ${mark(large.rows === large.baselineRecords - 1)}) |`,
    `| ${small.mb} MB log: baseline / CLI end to end | ${f1(rate(small.bytes, small.baselineMs))} / ${f1(rate(small.bytes, small.cliMs))} MB/s |`,
    `| peak RSS measured with | ${large.rssMethod} |`,
    '',
    `## connectedapp usage: ${hourly.files} hourly RestApi files, ${r.options.latencyMs} ms latency per request`,
    '',
    '| measure | concurrent (default 4) | sequential baseline (SF_CONNECTEDAPP_CONCURRENCY=1) |',
    '|---|---|---|',
    `| wall time (CLI process) | ${f1(hourly.concurrentMs / 1000)} s | ${f1(hourly.sequentialMs / 1000)} s |`,
    `| max LogFile downloads in flight (emulator log) | ${hourly.maxConcurrent} | ${hourly.maxSequential} |`,
    `| rows counted | ${hourly.countedConcurrent} | ${hourly.countedSequential} |`,
    `| **speed-up, sequential / concurrent** | **${(hourly.sequentialMs / hourly.concurrentMs).toFixed(2)}x** (bounded: ${mark(hourly.maxConcurrent > 1 && hourly.maxConcurrent <= 4)}) | |`,
    '',
  ].join('\n');
}

function arg(name: string): number | undefined {
  const i = process.argv.indexOf(name);
  return i > 0 ? Number(process.argv[i + 1]) : undefined;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const base = process.argv.includes('--smoke') ? SMOKE : FULL;
  const archiveOnly = process.argv.includes('--archive-only');
  // --archive-only: the throughput runs' logs are not read, so keep them small (the archive run downloads them too).
  const options: BenchOptions = {
    largeMb: arg('--large-mb') ?? (archiveOnly ? 1 : base.largeMb),
    smallMb: arg('--small-mb') ?? (archiveOnly ? 1 : base.smallMb),
    hourlyDays: arg('--days') ?? base.hourlyDays,
    hourlyRows: arg('--rows') ?? base.hourlyRows,
    latencyMs: arg('--latency') ?? base.latencyMs,
    archiveFiles: arg('--archive-files') ?? base.archiveFiles,
    archiveMb: arg('--archive-mb') ?? base.archiveMb,
    archiveOnly,
  };
  const began = performance.now();
  const report = await runUsageBenchmark(options);
  console.log(formatReport(report));
  console.log(`(node ${process.version}, ${(performance.now() - began) / 1000 | 0} s in all)`);
}
