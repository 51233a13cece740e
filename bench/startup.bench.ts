/*
 * Benchmark: start-up of the plugin inside the real sf CLI, installed the way a user installs it — from the packed
 * tarball (`npm pack` → `sf plugins install file://…tgz`), not linked to the working tree.
 *
 * Measures, in one run and on the same machine, alternating so both see the same load:
 *   sf connectedapp list --help   (the plugin's command)
 *   sf org display --help         (an official command that sf ships, same target-org flag)
 *   sf --version                  (sf's own floor: no command at all)
 * and prints each median and the ratio list/display (target <= 1.3).
 *
 *   npm run bench:startup                      # 9 runs of each
 *   npm run bench:startup -- --runs 15 --write # and rewrite bench/results/startup.md
 *
 * The sf CLI is the pinned one the smoke test uses (.sf-cli-cache/, installed on first use). Everything runs in a
 * temporary HOME, so the developer's own sf state is neither read nor changed.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir, loadavg, cpus } from 'node:os';
import { join } from 'node:path';
import { writeLatestRun } from './results-file.js';
import { runSf, SfProcessTracker } from '../test/smoke/sf-cli.js';
import { installPackedPlugin } from './sf-plugin.js';

/** `fails`: the run is expected to fail with this text (the command loaded, parsed its flags, stopped). */
type Case = { name: string; args: string[]; fails?: RegExp };

const NO_ORG = 'nobody@example.invalid';
const CASES: Case[] = [
  { name: 'sf connectedapp list --help', args: ['connectedapp', 'list', '--help'] },
  { name: 'sf org display --help', args: ['org', 'display', '--help'] },
  { name: 'sf --version', args: ['--version'] },
  // A real run's start: the command module and its dependencies load, flags parse, the unknown org stops it.
  { name: `sf connectedapp list -o ${NO_ORG}`, args: ['connectedapp', 'list', '-o', NO_ORG], fails: /NoAuthInfoFound|No authorization information/ },
  { name: `sf org display -o ${NO_ORG}`, args: ['org', 'display', '-o', NO_ORG], fails: /NoAuthInfoFound|No authorization information/ },
];

const TARGET_RATIO = 1.3;

function option(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

async function main(): Promise<void> {
  const runs = option('runs', 9);
  const tracker = new SfProcessTracker();
  const work = mkdtempSync(join(tmpdir(), 'bench-startup-'));
  try {
    const { sf, home, env } = await installPackedPlugin(work, tracker, (l) => { console.log(l); });

    const times = new Map<string, number[]>(CASES.map((c) => [c.name, []]));
    // One warm-up of each (file-system cache), then alternate the cases so machine load hits them alike.
    for (let round = -1; round < runs; round++) {
      for (const c of CASES) {
        const run = await runSf(sf, c.args, { env, cwd: home, tracker });
        const ok = c.fails ? run.exitCode > 0 && c.fails.test(run.stderr + run.stdout) : run.exitCode === 0 && run.stdout.length > 0;
        if (!ok) throw new Error(`${c.name}: unexpected exit ${run.exitCode}:\n${run.stderr}`);
        if (round >= 0) times.get(c.name)!.push(run.ms);
      }
    }
    const med = new Map([...times].map(([k, v]) => [k, median(v)]));
    const list = med.get(CASES[0].name)!;
    const display = med.get(CASES[1].name)!;
    const ratio = list / display;
    const runRatio = med.get(CASES[3].name)! / med.get(CASES[4].name)!;
    const lines = [
      `| command | median ms | runs (ms) |`,
      `|---|---|---|`,
      ...CASES.map((c) => `| \`${c.name}\` | ${med.get(c.name)!.toFixed(0)} | ${times.get(c.name)!.join(', ')} |`),
      '',
      `**ratio connectedapp list --help / org display --help: ${ratio.toFixed(2)}** (target <= ${TARGET_RATIO}: ${ratio <= TARGET_RATIO ? 'PASS' : 'FAIL'})`,
      '',
      `ratio of a real run's start (module load + flag parsing), connectedapp list / org display: ${runRatio.toFixed(2)}`,
    ];
    const load = loadavg().map((l) => l.toFixed(1)).join(' ');
    console.log(['', ...lines, '', `load average ${load}, ${cpus().length} CPUs`].join('\n'));
    if (process.argv.includes('--write')) {
      // Between markers (results-file.ts): the breakdown sections appended below, and the earlier runs, stay.
      const doc = [
        `Command: \`npm run bench:startup -- --runs ${runs} --write\` (= \`node --import tsx bench/startup.bench.ts\`). The plugin is packed`,
        `(\`npm pack\`) and installed from the tarball into the pinned real sf ${sf.version} (\`sf plugins install file://…tgz\`) in a`,
        `temporary HOME; each command runs ${runs} times after one warm-up, alternating, under Node ${process.versions.node}.`,
        '',
        `Run ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC, load average ${load}, ${cpus().length} CPUs (shared with other engineers' work).`,
        '',
        ...lines,
      ];
      writeLatestRun('startup', 'Start-up benchmark results', doc);
    }
    if (ratio > TARGET_RATIO) process.exitCode = 1;
  } finally {
    tracker.killLeftovers();
    rmSync(work, { recursive: true, force: true });
  }
}

await main();
