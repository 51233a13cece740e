/*
 * Benchmark: where a command's start-up goes. In fresh Node 22 processes, the import time of
 *   - the three third-party cores on their own: @oclif/core, @salesforce/core, @salesforce/sf-plugins-core;
 *   - each compiled command module (lib/commands/**), cold: what sf pays to load it, since sf loads the plugin's
 *     own copies of those packages from the plugin's node_modules (it never shares its own);
 *   - each command module again with the three cores imported first (untimed): the plugin's own part, plus any
 *     other third-party package it pulls in (csv-parse, yaml, saxes, jsforce through @salesforce/core, ...);
 * and, from one untimed pass per command with a module hook, how many of the plugin's own files and of
 * node_modules files each command module loads.
 *
 *   npm run build && npm run bench:startup-breakdown                   # 7 runs of each, medians
 *   npm run bench:startup-breakdown -- --runs 11 --only list,usage     # command names containing these
 *   npm run bench:startup-breakdown -- --write --label "after X"       # and append a section to bench/results/startup.md
 *
 * Cases alternate inside each round, so machine load hits them alike. Times are import() durations measured
 * inside the child (performance.now() around `await import(...)`), so Node's own boot is not in them.
 */
import { spawn } from 'node:child_process';
import { appendFileSync, existsSync, readdirSync, statSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url));
const LIB_COMMANDS = join(REPO_ROOT, 'lib', 'commands');
const CORES = ['@oclif/core', '@salesforce/core', '@salesforce/sf-plugins-core'] as const;

type Case = { name: string; group: 'core' | 'cold' | 'own'; preload: string[]; target: string };
type Sample = { pre: number; target: number };

function option(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

function commandFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? commandFiles(join(dir, e.name)) : e.name.endsWith('.js') ? [join(dir, e.name)] : []))
    .sort();
}

/** `connectedapp/policy/show` from lib/commands/connectedapp/policy/show.js. */
function commandName(file: string): string {
  return relative(LIB_COMMANDS, file).replace(/\.js$/, '');
}

/** Imports `preload` (untimed), then times the import of `target`; prints {pre, target} in ms as JSON. */
const TIMER = `
const preload = JSON.parse(process.env.BENCH_PRELOAD);
const t0 = performance.now();
for (const p of preload) await import(p);
const t1 = performance.now();
await import(process.env.BENCH_TARGET);
const t2 = performance.now();
process.stdout.write(JSON.stringify({ pre: t1 - t0, target: t2 - t1 }));
`;

/** Counts the files the import of `target` loads (after `preload`): the plugin's own lib/ and node_modules. */
const COUNTER = `
import { registerHooks } from 'node:module';
const preload = JSON.parse(process.env.BENCH_PRELOAD);
for (const p of preload) await import(p);
const seen = new Set();
registerHooks({ load(url, context, next) { seen.add(url); return next(url, context); } });
await import(process.env.BENCH_TARGET);
const urls = [...seen].filter((u) => u.startsWith('file:'));
const third = urls.filter((u) => u.includes('/node_modules/'));
const packages = new Set(third.map((u) => { const m = /\\/node_modules\\/((?:@[^/]+\\/)?[^/]+)\\/(?!.*\\/node_modules\\/)/.exec(u); return m ? m[1] : '?'; }));
process.stdout.write(JSON.stringify({ own: urls.length - third.length, third: third.length, packages: [...packages].sort() }));
`;

function runChild<T>(code: string, c: Case): Promise<T> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', code], {
      cwd: REPO_ROOT,
      env: { ...process.env, BENCH_PRELOAD: JSON.stringify(c.preload), BENCH_TARGET: c.target, NODE_OPTIONS: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) reject(new Error(`${c.name}: exit ${String(code)}\n${err}`));
      else resolve(JSON.parse(out) as T);
    });
  });
}

function resolveCore(name: string): string {
  return import.meta.resolve(name);
}

async function main(): Promise<void> {
  const major = Number(process.versions.node.split('.')[0]);
  if (major < 22) throw new Error(`run under Node 22 (npm run puts node_modules/.bin/node first); this is Node ${process.versions.node}`);
  if (!existsSync(LIB_COMMANDS)) throw new Error('lib/commands is missing: npm run build first');
  if (commandFiles(LIB_COMMANDS).length === 0) throw new Error('lib/commands holds no .js file: npm run build first');
  const srcTime = Math.max(...readdirSync(join(REPO_ROOT, 'src'), { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => statSync(join(e.parentPath, e.name)).mtimeMs));
  const libTime = statSync(join(LIB_COMMANDS, 'connectedapp', 'list.js')).mtimeMs;
  if (srcTime > libTime) console.log('warning: src/ is newer than lib/ — run npm run build for current figures');

  const runs = Number(option('runs') ?? 7);
  const only = option('only')?.split(',');
  const cores = CORES.map(resolveCore);
  const files = commandFiles(LIB_COMMANDS).filter((f) => only === undefined || only.some((o) => commandName(f).includes(o)));

  const cases: Case[] = [
    ...CORES.map((name, i): Case => ({ name, group: 'core', preload: [], target: cores[i] })),
    ...files.map((f): Case => ({ name: commandName(f), group: 'cold', preload: [], target: pathToFileURL(f).href })),
    ...files.map((f): Case => ({ name: commandName(f), group: 'own', preload: cores, target: pathToFileURL(f).href })),
  ];
  const key = (c: Case): string => `${c.group}:${c.name}`;
  const samples = new Map<string, number[]>(cases.map((c) => [key(c), []]));

  console.log(`Node ${process.versions.node}, ${runs} runs of ${cases.length} cases (one warm-up round), load average ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
  for (let round = -1; round < runs; round++) {
    for (const c of cases) {
      const s = await runChild<Sample>(TIMER, c);
      if (round >= 0) samples.get(key(c))!.push(s.target);
    }
    process.stdout.write(round < 0 ? 'warm-up done\n' : `round ${round + 1}/${runs}\n`);
  }
  const counts = new Map<string, { own: number; third: number; packages: string[] }>();
  for (const c of cases.filter((x) => x.group !== 'core')) counts.set(key(c), await runChild(COUNTER, c));
  for (const c of cases.filter((x) => x.group === 'core')) counts.set(key(c), await runChild(COUNTER, c));

  const med = (c: Case): number => median(samples.get(key(c))!);
  const byName = (group: Case['group'], name: string): Case => cases.find((c) => c.group === group && c.name === name)!;
  const sfpc = med(byName('core', '@salesforce/sf-plugins-core'));

  const lines: string[] = [
    '| third-party core | median import ms | node_modules files |',
    '|---|---|---|',
    ...CORES.map((n) => { const c = byName('core', n); return `| \`${n}\` | ${med(c).toFixed(0)} | ${counts.get(key(c))!.third} |`; }),
    '',
    '`cold`: the command module imported alone (as sf imports it: the plugin\'s own copies of the cores load with it).',
    '`own`: the same import after the three cores were imported: the plugin\'s own modules and any other third-party package.',
    '',
    '| command module | cold ms | own ms | own / cold | cold / sf-plugins-core | own files | other node_modules files (packages) |',
    '|---|---|---|---|---|---|---|',
  ];
  const own: number[] = [];
  const cold: number[] = [];
  for (const f of files) {
    const name = commandName(f);
    const cc = byName('cold', name);
    const oc = byName('own', name);
    const n = counts.get(key(oc))!;
    const extra = n.packages.filter((p) => !CORES.includes(p as (typeof CORES)[number]));
    cold.push(med(cc));
    own.push(med(oc));
    lines.push(`| ${name} | ${med(cc).toFixed(0)} | ${med(oc).toFixed(0)} | ${(med(oc) / med(cc)).toFixed(2)} | ${(med(cc) / sfpc).toFixed(2)} | ${n.own} | ${n.third}${extra.length ? ` (${extra.join(', ')})` : ''} |`);
  }
  lines.push('', `Median over the command modules: cold ${median(cold).toFixed(0)} ms, own part ${median(own).toFixed(0)} ms (${((median(own) / median(cold)) * 100).toFixed(0)} % of cold); @salesforce/sf-plugins-core alone ${sfpc.toFixed(0)} ms.`);

  const load = loadavg().map((l) => l.toFixed(1)).join(' ');
  console.log(['', ...lines, '', `load average ${load}, ${cpus().length} CPUs`].join('\n'));
  if (process.argv.includes('--write')) {
    const args = process.argv.slice(2).join(' ');
    appendFileSync(join(REPO_ROOT, 'bench', 'results', 'startup.md'), [
      '',
      `## Start-up breakdown: ${option('label') ?? 'command modules'}`,
      '',
      `Command: \`npm run bench:startup-breakdown -- ${args}\` (= \`node --import tsx bench/startup-breakdown.ts\`), compiled lib/, fresh`,
      `Node ${process.versions.node} processes, ${runs} runs of each case after one warm-up round, alternating; medians of the import() time.`,
      '',
      `Run ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC, load average ${load}, ${cpus().length} CPUs (shared with other engineers' work).`,
      '',
      ...lines,
      '',
    ].join('\n'));
  }
}

await main();
