/*
 * Benchmark: `connectedapp assign` for 50 apps × 20 permission sets (1,000 pairs) against the org emulator
 * with per-request latency, beside a naive baseline that inserts one pair per request — what a loop over
 * `sf data create record` or most scripts do. Prints requests, wall time and the ratios.
 *
 *   npm run bench:assign [-- --latency 20]
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateScenario, start, type Emulator } from '../test/emulator/index.js';
import { ensureBuilt, ownRequests, runCli } from '../test/e2e/harness.js';

const APPS = 50;
const PERMISSION_SETS = 20;
const latencyArg = process.argv.indexOf('--latency');
const LATENCY_MS = latencyArg > 0 ? Number(process.argv[latencyArg + 1]) : 20;

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
  return start({ scenario: generateScenario({ apps: 200, permissionSets: 100, tokens: 0, seed: 11 }), latencyMs: LATENCY_MS });
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

/** The naive way: one insert per pair, sequentially, straight over HTTP. */
async function naiveRun(): Promise<{ requests: number; ms: number; created: number }> {
  const emulator = await freshEmulator();
  try {
    const { appIds, sets } = pickTargets(emulator);
    const began = performance.now();
    let requests = 0;
    let created = 0;
    for (const appId of appIds) {
      for (const set of sets) {
        const response = await fetch(`${emulator.url}/services/data/v67.0/composite/sobjects`, {
          method: 'POST',
          headers: { Authorization: `Bearer ${emulator.accessToken}`, 'Content-Type': 'application/json' },
          body: JSON.stringify({ allOrNone: false, records: [{ attributes: { type: 'SetupEntityAccess' }, ParentId: set.id, SetupEntityId: appId }] }),
        });
        requests++;
        const body = (await response.json()) as Array<{ success: boolean }>;
        if (body[0]?.success) created++;
      }
    }
    return { requests, ms: performance.now() - began, created };
  } finally {
    await emulator.stop();
  }
}

await ensureBuilt();
const plugin = await pluginRun();
const naive = await naiveRun();
const lines = [
  `assign ${APPS} apps × ${PERMISSION_SETS} permission sets (${APPS * PERMISSION_SETS} pairs), ${LATENCY_MS} ms latency per request`,
  `| run | HTTP requests | writes | wall (s) | pairs created |`,
  `| --- | ---: | ---: | ---: | ---: |`,
  `| sf connectedapp assign --file | ${plugin.requests} | ${plugin.writes} | ${(plugin.ms / 1000).toFixed(2)} | ${plugin.created} |`,
  `| naive: one insert per pair | ${naive.requests} | ${naive.requests} | ${(naive.ms / 1000).toFixed(2)} | ${naive.created} |`,
  `| ratio naive / plugin | ${(naive.requests / plugin.requests).toFixed(1)}× | | ${(naive.ms / plugin.ms).toFixed(1)}× | |`,
];
console.log(lines.join('\n'));
