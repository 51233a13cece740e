/*
 * Benchmark: `connectedapp assign` for 50 apps × 20 permission sets (1,000 pairs) against the org emulator
 * under the emulator's size-aware latency model, beside a baseline measured in the same run: what Data Loader (or
 * `sf data import bulk`-style tooling) does with a CSV of Id pairs someone already prepared — inserts of 200 records a
 * call (Data Loader's batch size), one after another. The baseline is given the Ids for free; the plugin resolves
 * names, reads what is already assigned and verifies what it wrote. Prints requests, wall time and the ratios.
 *
 *   npm run bench:assign [-- --latency 20 --per-record 0.05 --per-kb 0.08] [--write]
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { writeLatestRun } from './results-file.js';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateScenario, start, type Emulator } from '../test/emulator/index.js';
import { ensureBuilt, ownRequests, runCli } from '../test/e2e/harness.js';

const APPS = 50;
const PERMISSION_SETS = 20;
const latencyArg = process.argv.indexOf('--latency');
const LATENCY_MS = latencyArg > 0 ? Number(process.argv[latencyArg + 1]) : 20;
const numberArg = (name: string, fallback: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const PER_RECORD_MS = numberArg('per-record', 0.05);
const PER_KB_MS = numberArg('per-kb', 0.08);
const BATCH = 200;

function pickTargets(emulator: Emulator): { apps: string[]; sets: Array<{ id: string; name: string }>; appIds: string[] } {
  const rows = emulator.org.table('ConnectedApplication').slice(0, APPS);
  const sets = emulator.org
    .table('PermissionSet')
    .filter((p) => !p.IsOwnedByProfile && !p.NamespacePrefix && !p.PermissionSetGroupId)
    .slice(0, PERMISSION_SETS)
    .map((p) => ({ id: p.Id as string, name: p.Name as string }));
  return { apps: rows.map((r) => r.Name as string), appIds: rows.map((r) => r.Id as string), sets };
}

async function freshEmulator(): Promise<Emulator> {
  return start({ scenario: generateScenario({ apps: 200, permissionSets: 100, tokens: 0, seed: 11 }), latencyMs: LATENCY_MS, latencyPerRecordMs: PER_RECORD_MS, latencyPerKbMs: PER_KB_MS });
}

async function pluginRun(): Promise<{ requests: number; writes: number; ms: number; created: number }> {
  const emulator = await freshEmulator();
  try {
    const { apps, sets } = pickTargets(emulator);
    const file = join(mkdtempSync(join(tmpdir(), 'bench-assign-')), 'access.json');
    writeFileSync(file, JSON.stringify({ apps: apps.map((app) => ({ app, permissionSets: sets.map((s) => s.name) })) }));
    const run = await runCli(['connectedapp', 'assign', '--file', file], { emulator, timeoutMs: 600_000 });
    if (run.exitCode !== 0 && run.exitCode !== 68) throw new Error(`assign failed: ${run.stderr.slice(0, 500)}`);
    const results = (run.json?.result as { results: Array<{ status: string }> }).results;
    // Leave out what sf itself asks for (API versions, the Organization query).
    const own = ownRequests(run);
    return { requests: own.length, writes: own.filter((r) => r.method === 'POST' && r.path.includes('composite')).length, ms: run.ms, created: results.filter((r) => r.status === 'created').length };
  } finally {
    await emulator.stop();
  }
}

/** Data Loader's way: the Id pairs (given), inserted 200 records a call, one call after another. */
async function batchedInsertRun(): Promise<{ requests: number; ms: number; created: number }> {
  const emulator = await freshEmulator();
  try {
    const { appIds, sets } = pickTargets(emulator);
    const records = appIds.flatMap((appId) => sets.map((set) => ({ attributes: { type: 'SetupEntityAccess' }, ParentId: set.id, SetupEntityId: appId })));
    const began = performance.now();
    let requests = 0;
    let created = 0;
    for (let i = 0; i < records.length; i += BATCH) {
      const response = await fetch(`${emulator.url}/services/data/v67.0/composite/sobjects`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${emulator.accessToken}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({ allOrNone: false, records: records.slice(i, i + BATCH) }),
      });
      requests++;
      const body = (await response.json()) as Array<{ success: boolean }>;
      created += body.filter((r) => r.success).length;
    }
    return { requests, ms: performance.now() - began, created };
  } finally {
    await emulator.stop();
  }
}

await ensureBuilt();
const plugin = await pluginRun();
const baseline = await batchedInsertRun();
const lines = [
  `assign ${APPS} apps × ${PERMISSION_SETS} permission sets (${APPS * PERMISSION_SETS} pairs); latency ${LATENCY_MS} ms per request + ${PER_RECORD_MS} ms per record + ${PER_KB_MS} ms per KB`,
  `| run | HTTP requests | writes | wall (s) | pairs created |`,
  `| --- | ---: | ---: | ---: | ---: |`,
  `| sf connectedapp assign --file | ${plugin.requests} | ${plugin.writes} | ${(plugin.ms / 1000).toFixed(2)} | ${plugin.created} |`,
  `| baseline: Data Loader-style inserts, ${BATCH} a call, Ids given | ${baseline.requests} | ${baseline.requests} | ${(baseline.ms / 1000).toFixed(2)} | ${baseline.created} |`,
  `| ratio baseline / plugin | ${(baseline.requests / plugin.requests).toFixed(2)}× | | ${(baseline.ms / plugin.ms).toFixed(2)}× | |`,
  '',
  `command: npm run bench:assign -- ${process.argv.slice(2).join(' ')}`.trimEnd(),
  `run: ${new Date().toISOString()}; the plugin's wall time includes the CLI's start-up (a child process), the baseline's does not`,
];
console.log(lines.join('\n'));
if (process.argv.includes('--write')) writeLatestRun('assign', 'assign benchmark results', lines);
