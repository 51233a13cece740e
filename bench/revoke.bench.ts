/*
 * Benchmark: `connectedapp revoke` of 3,000 OAuth tokens held by 400 users, against the org emulator with 50 ms of
 * latency on every request, beside a one-at-a-time baseline measured in the same run: the same CLI with
 * SF_CONNECTEDAPP_CONCURRENCY=1 (one revocation in flight, as a loop over the revoke endpoint or Setup's page does).
 * Each run starts from a fresh org and must leave no token of the app. Prints requests, wall time and the ratio.
 *
 *   npm run bench:revoke [-- --latency 50] [--write]
 */
import { loadavg } from 'node:os';
import { start, type Emulator } from '../test/emulator/index.js';
import { ensureBuilt, ownRequests, runCli } from '../test/e2e/harness.js';
import { COMPROMISED, COMPROMISED_LABEL, COMPROMISED_TOKENS, incidentScenario, USERS } from '../test/e2e/incident-scenario.js';
import { REVOKE_CONCURRENCY } from '../src/operations/revoke.js';
import { writeLatestRun } from './results-file.js';

const latencyArg = process.argv.indexOf('--latency');
const LATENCY_MS = latencyArg > 0 ? Number(process.argv[latencyArg + 1]) : 50;

type Run = { label: string; requests: number; revokes: number; reads: number; ms: number; revoked: number; left: number };

async function measure(label: string, concurrency: number): Promise<Run> {
  const emulator: Emulator = await start({ scenario: incidentScenario(), latencyMs: LATENCY_MS });
  try {
    const run = await runCli(['connectedapp', 'revoke', '--name', COMPROMISED], { emulator, timeoutMs: 900_000, env: { SF_CONNECTEDAPP_CONCURRENCY: String(concurrency) } });
    if (run.exitCode !== 0) throw new Error(`revoke exited ${run.exitCode}: ${run.stderr.slice(0, 500)}`);
    const tokens = (run.json?.result as { tokens: Array<{ status: string }> }).tokens;
    // Leave out what sf itself asks for (API versions, the Organization query).
    const own = ownRequests(run);
    const revokes = own.filter((r) => r.path === '/services/oauth2/revoke').length;
    const left = emulator.org.table('OauthToken').filter((t) => t.AppName === COMPROMISED_LABEL).length;
    return { label, requests: own.length, revokes, reads: own.length - revokes, ms: run.ms, revoked: tokens.filter((t) => t.status === 'revoked').length, left };
  } finally {
    await emulator.stop();
  }
}

await ensureBuilt();
const plugin = await measure(`sf connectedapp revoke (${REVOKE_CONCURRENCY} at a time)`, REVOKE_CONCURRENCY);
const baseline = await measure('baseline: one at a time (SF_CONNECTEDAPP_CONCURRENCY=1)', 1);
for (const r of [plugin, baseline]) if (r.revoked !== COMPROMISED_TOKENS || r.left !== 0) throw new Error(`${r.label}: ${r.revoked} revoked, ${r.left} left`);
const lines = [
  `revoke ${COMPROMISED_TOKENS} OAuth tokens held by ${USERS} users, ${LATENCY_MS} ms latency per request (Node ${process.version})`,
  '| run | HTTP requests | revoke calls | reads | wall (s) | tokens/s |',
  '| --- | ---: | ---: | ---: | ---: | ---: |',
  ...[plugin, baseline].map((r) => `| ${r.label} | ${r.requests} | ${r.revokes} | ${r.reads} | ${(r.ms / 1000).toFixed(1)} | ${(COMPROMISED_TOKENS / (r.ms / 1000)).toFixed(0)} |`),
  `| ratio baseline / plugin | ${(baseline.requests / plugin.requests).toFixed(2)}× | | | ${(baseline.ms / plugin.ms).toFixed(1)}× | |`,
  '',
  `command: npm run bench:revoke -- ${process.argv.slice(2).join(' ')}`.trimEnd(),
  `run: ${new Date().toISOString()}; load average: ${loadavg().map((n) => n.toFixed(2)).join(', ')}; the wall times include the CLI's start-up`,
];
console.log(lines.join('\n'));
if (process.argv.includes('--write')) writeLatestRun('revoke', 'revoke benchmark results', lines);
