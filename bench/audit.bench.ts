/*
 * Benchmark: `connectedapp audit` against generated orgs (100, 1,000 and 5,000 apps; 2,000 permission sets;
 * 20,000 OAuth tokens; a week of ApiTotalUsage event logs, which audit reads by default) under the emulator's
 * size-aware latency model (a fixed cost per request plus a cost per record returned and per KB sent), beside a
 * baseline measured in the same run: a careful sequential reader that lists the apps, reads their metadata with
 * readMetadata 10 names a call (the API's maximum) one call after another, and reads every OAuth token in one
 * paged query. Then source mode over 1,000 metadata files. Prints HTTP requests, wall time, peak RSS and ratios, and
 * exits 1 when the plugin misses a goal: its request budget, or its peak RSS goal (at 5,000 apps under 250 MB).
 *
 * A second baseline is a retrieve-based tool (`sf project retrieve start -m ConnectedApp`): one Metadata API retrieve,
 * polled once a second until done, plus the same token query.
 *
 * --through-sf: the plugin's org audit is also run inside the real sf CLI (bench/sf-plugin.ts: packed, installed from
 * the tarball into the pinned sf under a temporary HOME, logged in to the emulator as a loopback org), with sf's own
 * floor beside it (`sf org display` and `sf --version` against the same org), so the plugin's share shows. The RSS
 * goal holds there too. --runs N runs every measured command N times (alternating) and reports the median.
 * Peak RSS is that of the command's whole process tree (test/e2e/peak-rss.ts).
 *
 *   npm run bench:audit [-- --latency 50 --per-record 0.05 --per-kb 0.08 --sizes 100,1000,5000]
 *   npm run bench:audit -- --sizes 5000 --plugin-only --through-sf --runs 3
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateScenario, start, type Emulator } from '../test/emulator/index.js';
import { ensureBuilt, ownRequests, runCli, type CliRun } from '../test/e2e/harness.js';
import { samplePeakRss } from '../test/e2e/peak-rss.js';
import { runSf, SfProcessTracker } from '../test/smoke/sf-cli.js';
import { serializeXml } from '../test/emulator/xml.js';
import { writeLatestRun } from './results-file.js';
import { installPackedPlugin, type InstalledPlugin } from './sf-plugin.js';

const arg = (name: string, fallback: string): string => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : fallback;
};
const LATENCY_MS = Number(arg('latency', '50'));
const PER_RECORD_MS = Number(arg('per-record', '0.05'));
const PER_KB_MS = Number(arg('per-kb', '0.08'));
const SIZES = arg('sizes', '100,1000,5000').split(',').map(Number);
const RUNS = Number(arg('runs', '1'));
const MB = 1024 * 1024;

/** `floor`: sf's own memory floor, not an audit (no ratio against it). `rssRunsMb`/`secondsRuns`: every run's figure when the row is a median of several. */
type Row = { label: string; apps: number; requests: number; budget: number | null; seconds: number; rssMb: number | null; rssGoalMb?: number; floor?: boolean; rssRunsMb?: Array<number | null>; secondsRuns?: number[] };

/** Peak RSS goals of the plugin's org audit (issue #18): at 5,000 apps under 250 MB. */
const RSS_GOAL_MB: Readonly<Record<number, number>> = { 5000: 250 };

async function org(apps: number): Promise<Emulator> {
  return start({
    scenario: generateScenario({ apps, permissionSets: 2000, tokens: 20000, elfBytes: 20 * MB, seed: 5 }),
    latencyMs: LATENCY_MS,
    latencyPerRecordMs: PER_RECORD_MS,
    latencyPerKbMs: PER_KB_MS,
  });
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** One measured run of a command: its own requests, wall time and peak RSS. */
type Measured = { requests: number; seconds: number; rssMb: number | null };

/** The median row of several runs (the most requests any run made, for the budget). */
function medianRow(base: Omit<Row, 'requests' | 'seconds' | 'rssMb'>, runs: Measured[]): Row {
  const rss = runs.map((r) => r.rssMb);
  const measured = rss.filter((r): r is number => r !== null);
  return {
    ...base,
    requests: Math.max(...runs.map((r) => r.requests)),
    seconds: median(runs.map((r) => r.seconds)),
    rssMb: measured.length === rss.length ? median(measured) : null,
    ...(runs.length > 1 ? { rssRunsMb: rss, secondsRuns: runs.map((r) => r.seconds) } : {}),
  };
}

/** The plugin's audit through bin/run.js (the plugin as its own CLI). */
async function pluginAudit(emulator: Emulator): Promise<Measured> {
  const run: CliRun = await runCli(['connectedapp', 'audit'], { emulator, timeoutMs: 600_000 });
  if (run.exitCode !== 0) throw new Error(`audit failed (${run.exitCode}): ${run.stderr.slice(0, 500)}`);
  return { requests: ownRequests(run).length, seconds: run.ms / 1000, rssMb: run.peakRssBytes === null ? null : run.peakRssBytes / MB };
}

const SF_ALIAS = 'bench-audit-org';
const tracker = new SfProcessTracker();

/** Logs the sf of `plugin` in to the emulator as a loopback org (what the smoke test does), under SF_ALIAS. */
async function sfLogin(plugin: InstalledPlugin, emulator: Emulator): Promise<void> {
  const env = { ...plugin.env, SF_ACCESS_TOKEN: emulator.accessToken };
  const login = await runSf(plugin.sf, ['org', 'login', 'access-token', '--instance-url', emulator.url, '--no-prompt', '--alias', SF_ALIAS, '--json'], { env, cwd: plugin.home, tracker });
  if (login.exitCode !== 0) throw new Error(`sf org login access-token failed (${login.exitCode}): ${login.stderr.slice(0, 500)}`);
}

/** `sf <args>` against the logged-in emulator, with its process tree's peak RSS and its requests. */
async function sfRun(plugin: InstalledPlugin, emulator: Emulator, args: string[]): Promise<Measured> {
  const first = emulator.requests.length;
  let sampler: ReturnType<typeof samplePeakRss> | undefined;
  const run = await runSf(plugin.sf, args, { env: plugin.env, cwd: plugin.home, tracker, timeoutMs: 600_000, onSpawn: (pid) => { sampler = samplePeakRss(pid); } });
  sampler?.stop();
  if (run.exitCode !== 0) throw new Error(`${run.command} failed (${run.exitCode}): ${run.stderr.slice(0, 500)}`);
  // Entries are logged when a response finishes; let any last one land.
  await new Promise((r) => setImmediate(r));
  const peak = sampler?.peak() ?? null;
  return { requests: ownRequests({ requests: emulator.requests.slice(first) }).length, seconds: run.ms / 1000, rssMb: peak === null ? null : peak.bytes / MB };
}

/**
 * The plugin's org audit at one size, `RUNS` times: through bin/run.js and, with an installed sf, inside sf beside
 * sf's floor (`sf org display`, `sf --version`), the commands alternating so machine load falls on all alike.
 */
async function pluginRows(apps: number, plugin: InstalledPlugin | undefined): Promise<Row[]> {
  const emulator = await org(apps);
  try {
    if (plugin) await sfLogin(plugin, emulator);
    const bin: Measured[] = [];
    const viaSf: Measured[] = [];
    const display: Measured[] = [];
    const version: Measured[] = [];
    for (let i = 0; i < RUNS; i++) {
      bin.push(await pluginAudit(emulator));
      if (!plugin) continue;
      viaSf.push(await sfRun(plugin, emulator, ['connectedapp', 'audit', '--target-org', SF_ALIAS, '--json']));
      display.push(await sfRun(plugin, emulator, ['org', 'display', '--target-org', SF_ALIAS, '--json']));
      version.push(await sfRun(plugin, emulator, ['--version']));
    }
    const goal = { budget: requestBudget(apps), rssGoalMb: RSS_GOAL_MB[apps] };
    const rows = [medianRow({ label: 'sf connectedapp audit', apps, ...goal }, bin)];
    if (plugin) {
      rows.push(
        medianRow({ label: `sf connectedapp audit, inside sf ${plugin.sf.version}`, apps, ...goal }, viaSf),
        medianRow({ label: `sf's floor: sf org display (sf ${plugin.sf.version})`, apps, budget: null, floor: true }, display),
        medianRow({ label: `sf's floor: sf --version (sf ${plugin.sf.version})`, apps, budget: null, floor: true }, version)
      );
    }
    return rows;
  } finally {
    await emulator.stop();
  }
}

/**
 * What an org audit may spend: its metadata 10 apps a call, plus the paged lists (apps, assignments, token totals per
 * app) at one request per 500 rows each, plus a constant for the rest (describes, permissions, logins, event logs).
 */
function requestBudget(apps: number): number {
  return Math.ceil(apps / 10) + 4 * Math.ceil(apps / 500) + 30;
}

/** A careful sequential reader: list the apps, readMetadata 10 names a call one after another, all tokens in one paged query. */
async function sequentialReader(apps: number): Promise<Row> {
  const emulator = await org(apps);
  try {
    const headers = { Authorization: `Bearer ${emulator.accessToken}` };
    const began = performance.now();
    let requests = 0;
    const queryAll = async (soql: string): Promise<Array<Record<string, unknown>>> => {
      let page = (await (await fetch(`${emulator.url}/services/data/v67.0/query?q=${encodeURIComponent(soql)}`, { headers })).json()) as { records: Array<Record<string, unknown>>; nextRecordsUrl?: string };
      requests++;
      const records = [...page.records];
      while (page.nextRecordsUrl) {
        page = (await (await fetch(`${emulator.url}${page.nextRecordsUrl}`, { headers })).json()) as typeof page;
        requests++;
        records.push(...page.records);
      }
      return records;
    };
    const names = (await queryAll('SELECT Id, Name FROM ConnectedApplication')).map((r) => r.Name as string);
    // The API names (what readMetadata takes) of the listed apps, as a tool would get them from listMetadata.
    const apiNames = names.map((n) => emulator.org.appByAnyName(n)?.name ?? n);
    for (let i = 0; i < apiNames.length; i += 10) {
      const fullNames = apiNames.slice(i, i + 10).map((n) => `<fullNames>${n}</fullNames>`).join('');
      const envelope = `<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns="http://soap.sforce.com/2006/04/metadata"><soapenv:Header><SessionHeader><sessionId>${emulator.accessToken}</sessionId></SessionHeader></soapenv:Header><soapenv:Body><readMetadata><type>ConnectedApp</type>${fullNames}</readMetadata></soapenv:Body></soapenv:Envelope>`;
      const response = await fetch(`${emulator.url}/services/Soap/m/67.0`, { method: 'POST', body: envelope, headers: { 'Content-Type': 'text/xml', SOAPAction: '""' } });
      requests++;
      if (!response.ok) throw new Error(`readMetadata failed: HTTP ${response.status}`);
      await response.text();
    }
    await queryAll('SELECT AppName, UserId, UseCount, LastUsedDate FROM OauthToken');
    return { label: 'baseline: sequential readMetadata ×10 + one token query', apps, requests, budget: null, seconds: (performance.now() - began) / 1000, rssMb: null };
  } finally {
    await emulator.stop();
  }
}

/**
 * What `sf project retrieve start -m ConnectedApp` does on the wire (source-deploy-retrieve): one Metadata API
 * retrieve, then checkRetrieveStatus once a second (its polling interval here is a guess) until done, the zip in the
 * last answer; plus one paged token query, as a script that then reads the files would add. No assignments, logs or
 * logins either.
 */
async function retrieveBaseline(apps: number): Promise<Row> {
  const emulator = await org(apps);
  try {
    const began = performance.now();
    let requests = 0;
    const soapCall = async (operation: string): Promise<string> => {
      const envelope = `<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns="http://soap.sforce.com/2006/04/metadata"><soapenv:Header><SessionHeader><sessionId>${emulator.accessToken}</sessionId></SessionHeader></soapenv:Header><soapenv:Body>${operation}</soapenv:Body></soapenv:Envelope>`;
      const response = await fetch(`${emulator.url}/services/Soap/m/67.0`, { method: 'POST', body: envelope, headers: { 'Content-Type': 'text/xml', SOAPAction: '""' } });
      requests++;
      if (!response.ok) throw new Error(`${operation.slice(0, 30)} failed: HTTP ${response.status}`);
      return response.text();
    };
    const started = await soapCall('<retrieve><retrieveRequest><apiVersion>67.0</apiVersion><unpackaged><types><members>*</members><name>ConnectedApp</name></types></unpackaged></retrieveRequest></retrieve>');
    const id = /<id>([^<]+)<\/id>/.exec(started)?.[1] ?? '';
    let answer = '';
    while (!answer.includes('<done>true</done>')) {
      await new Promise((r) => setTimeout(r, 1000));
      answer = await soapCall(`<checkRetrieveStatus><asyncProcessId>${id}</asyncProcessId><includeZip>true</includeZip></checkRetrieveStatus>`);
    }
    if (!answer.includes('<zipFile>')) throw new Error('the retrieve answered no zip');
    const headers = { Authorization: `Bearer ${emulator.accessToken}` };
    let page = (await (await fetch(`${emulator.url}/services/data/v67.0/query?q=${encodeURIComponent('SELECT AppName, UserId, UseCount, LastUsedDate FROM OauthToken')}`, { headers })).json()) as { nextRecordsUrl?: string };
    requests++;
    while (page.nextRecordsUrl) {
      page = (await (await fetch(`${emulator.url}${page.nextRecordsUrl}`, { headers })).json()) as typeof page;
      requests++;
    }
    return { label: 'baseline: sf project retrieve start -m ConnectedApp (retrieve + polls) + one token query', apps, requests, budget: null, seconds: (performance.now() - began) / 1000, rssMb: null };
  } finally {
    await emulator.stop();
  }
}

/** Source mode over 1,000 metadata files written from a generated org. */
async function sourceAudit(files: number): Promise<Row> {
  const emulator = await start({ scenario: generateScenario({ apps: Math.ceil(files * 1.2), permissionSets: 50, tokens: 0, seed: 9 }) });
  const dir = mkdtempSync(join(tmpdir(), 'bench-source-'));
  try {
    const target = join(dir, 'force-app', 'main', 'default', 'connectedApps');
    mkdirSync(target, { recursive: true });
    let written = 0;
    for (const row of emulator.org.table('ConnectedApplication')) {
      const app = emulator.org.appByAnyName(row.Name as string);
      const component = emulator.org.storedComponent(row.Name as string);
      if (!app || !component) continue;
      if (written === files) break;
      writeFileSync(join(target, `${app.name}.connectedApp-meta.xml`), serializeXml(component));
      written++;
    }
    const run = await runCli(['connectedapp', 'audit', '--source-dir', 'force-app'], { emulator, cwd: dir, targetOrg: false, timeoutMs: 600_000 });
    if (run.exitCode !== 0) throw new Error(`source audit failed: ${run.stderr.slice(0, 500)}`);
    return { label: 'sf connectedapp audit --source-dir', apps: written, requests: run.requests.length, budget: 0, seconds: run.ms / 1000, rssMb: run.peakRssBytes === null ? null : run.peakRssBytes / MB };
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await emulator.stop();
  }
}

await ensureBuilt();
const rows: Row[] = [];
// --plugin-only: the plugin's org audit alone (memory and request figures at a size, without the baselines).
const pluginOnly = process.argv.includes('--plugin-only');
const work = mkdtempSync(join(tmpdir(), 'bench-audit-sf-'));
try {
  const plugin = process.argv.includes('--through-sf') ? await installPackedPlugin(work, tracker, (l) => { console.error(l); }) : undefined;
  for (const size of SIZES) {
    rows.push(...(await pluginRows(size, plugin)));
    if (!pluginOnly) rows.push(await sequentialReader(size), await retrieveBaseline(size));
  }
  if (!pluginOnly) rows.push(await sourceAudit(1000));
} finally {
  tracker.killLeftovers();
  rmSync(work, { recursive: true, force: true });
}

const out = [
  `audit benchmark: latency ${LATENCY_MS} ms per request + ${PER_RECORD_MS} ms per record + ${PER_KB_MS} ms per KB; generated orgs with 2,000 permission sets, 20,000 OAuth tokens and a week of event logs (20 MB)`,
  '| run | apps | HTTP requests | budget | wall (s) | peak RSS (MB) | RSS goal (MB) |',
  '| --- | ---: | ---: | ---: | ---: | ---: | ---: |',
  ...rows.map((r) => `| ${r.label} | ${r.apps} | ${r.requests} | ${r.budget ?? '—'} | ${r.seconds.toFixed(2)} | ${r.rssMb === null ? '—' : r.rssMb.toFixed(0)} | ${r.rssGoalMb ?? '—'} |`),
];
if (RUNS > 1) out.push(`medians of ${RUNS} runs (alternating); every run's peak RSS (MB) and wall time (s):`);
for (const r of rows.filter((row) => row.rssRunsMb)) {
  out.push(`- ${r.label} at ${r.apps} apps: ${r.rssRunsMb!.map((m) => (m === null ? '—' : m.toFixed(0))).join(', ')} MB; ${r.secondsRuns!.map((t) => t.toFixed(2)).join(', ')} s`);
}
for (const size of SIZES) {
  const inside = rows.find((r) => r.apps === size && r.label.startsWith('sf connectedapp audit, inside sf'));
  const floor = rows.find((r) => r.apps === size && r.label.startsWith(`sf's floor: sf org display`));
  if (inside?.rssMb != null && floor?.rssMb != null) {
    out.push(`plugin's share of the peak inside sf at ${size} apps: ${inside.rssMb.toFixed(0)} MB (audit) − ${floor.rssMb.toFixed(0)} MB (sf org display) = ${Math.round(inside.rssMb) - Math.round(floor.rssMb)} MB`);
  }
}
// The goals fail the run (exit 1), so that a change that loses them shows: over the request budget, or over the
// peak RSS goal (or no RSS measured where there is a goal).
const missed = rows.flatMap((r) => [
  ...(r.budget !== null && r.requests > r.budget ? [`${r.label} at ${r.apps} apps: ${r.requests} requests, budget ${r.budget}`] : []),
  ...(r.rssGoalMb !== undefined && (r.rssMb === null || r.rssMb >= r.rssGoalMb) ? [`${r.label} at ${r.apps} apps: peak RSS ${r.rssMb === null ? 'not measured' : `${r.rssMb.toFixed(0)} MB`}, goal under ${r.rssGoalMb} MB`] : []),
]);
for (const size of SIZES) {
  const plugin = rows.find((r) => r.apps === size && r.budget !== null);
  for (const baseline of rows.filter((r) => r.apps === size && r.budget === null && !r.floor)) {
    if (plugin) out.push(`ratio ${baseline.label.replace(/^baseline: /, '')} / plugin at ${size} apps: ${(baseline.requests / plugin.requests).toFixed(1)}× requests, ${(baseline.seconds / plugin.seconds).toFixed(1)}× wall time`);
  }
}
out.push(missed.length ? `GOALS MISSED: ${missed.join('; ')}` : 'goals met: every run within its request budget and peak RSS goal');
out.push('', `command: npm run bench:audit -- ${process.argv.slice(2).join(' ')}`.trimEnd(), `run: ${new Date().toISOString()}`, `load average: ${loadavg().map((n) => n.toFixed(2)).join(', ')}`);
console.log(out.join('\n'));
if (missed.length) process.exitCode = 1;
// Each kind of run (its arguments) keeps its own latest block: the 5,000-app run must not replace the 100/1,000 one.
const runKey = `npm run bench:audit -- ${process.argv.slice(2).filter((a) => a !== '--write').join(' ')}`.trimEnd();
if (process.argv.includes('--write')) writeLatestRun('audit', 'audit benchmark results', out, runKey);
