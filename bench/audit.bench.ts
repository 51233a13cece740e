/*
 * Benchmark: `connectedapp audit` against generated orgs (100, 1,000 and 5,000 apps; 2,000 permission sets;
 * 20,000 OAuth tokens) with 50 ms latency injected per request, beside a naive baseline measured in the same
 * run: one metadata read and one token query per app, as existing tools do. Then source mode over 1,000
 * metadata files. Prints HTTP requests, wall time, peak RSS and ratios.
 *
 *   npm run bench:audit [-- --latency 50 --sizes 100,1000,5000]
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateScenario, start, type Emulator } from '../test/emulator/index.js';
import { ensureBuilt, ownRequests, runCli } from '../test/e2e/harness.js';
import { serializeXml } from '../test/emulator/xml.js';

const arg = (name: string, fallback: string): string => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : fallback;
};
const LATENCY_MS = Number(arg('latency', '50'));
const SIZES = arg('sizes', '100,1000,5000').split(',').map(Number);
const MB = 1024 * 1024;

type Row = { label: string; apps: number; requests: number; budget: number | null; seconds: number; rssMb: number | null };

async function org(apps: number): Promise<Emulator> {
  return start({ scenario: generateScenario({ apps, permissionSets: 2000, tokens: 20000, seed: 5 }), latencyMs: LATENCY_MS });
}

async function pluginAudit(apps: number): Promise<Row> {
  const emulator = await org(apps);
  try {
    const run = await runCli(['connectedapp', 'audit'], { emulator, timeoutMs: 600_000 });
    if (run.exitCode !== 0) throw new Error(`audit failed (${run.exitCode}): ${run.stderr.slice(0, 500)}`);
    const own = ownRequests(run);
    return { label: 'sf connectedapp audit', apps, requests: own.length, budget: Math.ceil(apps / 10) + 20, seconds: run.ms / 1000, rssMb: run.peakRssBytes === null ? null : run.peakRssBytes / MB };
  } finally {
    await emulator.stop();
  }
}

/** What existing tools do: per app, one readMetadata and one OauthToken query (4 at a time, to be fair). */
async function naiveAudit(apps: number): Promise<Row> {
  const emulator = await org(apps);
  try {
    const headers = { Authorization: `Bearer ${emulator.accessToken}` };
    const began = performance.now();
    let requests = 0;
    const list = await fetch(`${emulator.url}/services/data/v67.0/query?q=${encodeURIComponent('SELECT Id, Name FROM ConnectedApplication')}`, { headers });
    requests++;
    let page = (await list.json()) as { records: Array<{ Name: string }>; nextRecordsUrl?: string };
    const names = page.records.map((r) => r.Name);
    while (page.nextRecordsUrl) {
      page = (await (await fetch(`${emulator.url}${page.nextRecordsUrl}`, { headers })).json()) as typeof page;
      requests++;
      names.push(...page.records.map((r) => r.Name));
    }
    const apiNames = emulator.org.table('ConnectedApplication').map((r) => emulator.org.appByAnyName(r.Name as string)?.name ?? '');
    let next = 0;
    const lane = async (): Promise<void> => {
      while (next < names.length) {
        const i = next++;
        const envelope = `<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns="http://soap.sforce.com/2006/04/metadata"><soapenv:Header><SessionHeader><sessionId>${emulator.accessToken}</sessionId></SessionHeader></soapenv:Header><soapenv:Body><readMetadata><type>ConnectedApp</type><fullNames>${apiNames[i]}</fullNames></readMetadata></soapenv:Body></soapenv:Envelope>`;
        await (await fetch(`${emulator.url}/services/Soap/m/67.0`, { method: 'POST', body: envelope, headers: { 'Content-Type': 'text/xml', SOAPAction: '""' } })).text();
        const soql = `SELECT UserId, UseCount, LastUsedDate FROM OauthToken WHERE AppName = '${names[i].replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
        await (await fetch(`${emulator.url}/services/data/v67.0/query?q=${encodeURIComponent(soql)}`, { headers })).text();
        requests += 2;
      }
    };
    await Promise.all([lane(), lane(), lane(), lane()]);
    return { label: 'naive: per-app metadata read + token query', apps, requests, budget: null, seconds: (performance.now() - began) / 1000, rssMb: null };
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
for (const size of SIZES) {
  rows.push(await pluginAudit(size));
  rows.push(await naiveAudit(size));
}
rows.push(await sourceAudit(1000));

const out = [
  `audit benchmark: ${LATENCY_MS} ms latency per request; generated orgs with 2,000 permission sets and 20,000 OAuth tokens`,
  '| run | apps | HTTP requests | budget | wall (s) | peak RSS (MB) |',
  '| --- | ---: | ---: | ---: | ---: | ---: |',
  ...rows.map((r) => `| ${r.label} | ${r.apps} | ${r.requests} | ${r.budget ?? '—'} | ${r.seconds.toFixed(2)} | ${r.rssMb === null ? '—' : r.rssMb.toFixed(0)} |`),
];
for (const size of SIZES) {
  const plugin = rows.find((r) => r.apps === size && r.budget !== null);
  const naive = rows.find((r) => r.apps === size && r.budget === null);
  if (plugin && naive) out.push(`ratio naive / plugin at ${size} apps: ${(naive.requests / plugin.requests).toFixed(1)}× requests, ${(naive.seconds / plugin.seconds).toFixed(1)}× wall time`);
}
console.log(out.join('\n'));
