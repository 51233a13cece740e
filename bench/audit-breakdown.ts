/*
 * Where an org audit's requests go: runs `connectedapp audit` once against a generated org (2,000 permission sets,
 * 20,000 OAuth tokens, a week of event logs) and prints its requests grouped by kind, with the total and peak RSS.
 * `npx tsx bench/audit-breakdown.ts [apps=5000] [NODE_OPTIONS for the CLI]`
 */
import { start } from '../test/emulator/index.js';
import { generateScenario } from '../test/emulator/generate.js';
import { ensureBuilt, ownRequests, runCli } from '../test/e2e/harness.js';
const apps = Number(process.argv[2] ?? 5000);
if (process.argv[3]) process.env.NODE_OPTIONS = process.argv[3];
await ensureBuilt();
const emulator = await start({ scenario: generateScenario({ apps, permissionSets: 2000, tokens: 20000, elfBytes: 20 * 1024 * 1024, seed: 5 }) });
try {
  const run = await runCli(['connectedapp', 'audit', ...(process.env.AUDIT_ARGS ?? '').split(' ').filter(Boolean)], { emulator, timeoutMs: 600_000 });
  const groups = new Map<string, number>();
  for (const r of ownRequests(run)) {
    const key = r.soql ? r.soql.replace(/\(.*$/s, '(…').slice(0, 90) : `${r.method} ${r.path.replace(/\/[0-9A-Za-z]{15,18}(\/|$)/g, '/ID$1')} ${r.soapOperation ?? ''}`;
    groups.set(key, (groups.get(key) ?? 0) + 1);
  }
  for (const [k, n] of [...groups].sort((a, b) => b[1] - a[1])) console.log(n, k);
  console.log('total', ownRequests(run).length, 'exit', run.exitCode, 'rss', run.peakRssBytes);
} finally {
  await emulator.stop();
}
