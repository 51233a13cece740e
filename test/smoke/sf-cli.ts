/*
 * The real Salesforce CLI (`@salesforce/cli`) for smoke tests and benchmarks, installed outside the package's
 * dependencies into the ignored folder .sf-cli-cache/ (only the first run pays for the install):
 *
 *   const sf = await ensureSfCli();                  // { runJs, version, installed, ms }
 *   const tracker = new SfProcessTracker();
 *   const env = sfEnv(home, tracker, { SF_ACCESS_TOKEN: token });
 *   const run = await runSf(sf, ['org', 'list', '--json'], { env, cwd: home, tracker });
 *   ...
 *   expect(tracker.leftovers()).to.deep.equal([]);   // no sf/node process left running
 *
 * `sf` always runs under the Node that runs the caller (process.execPath: the project's Node 22 inside npm scripts),
 * whatever `node` is first on the system PATH.
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';
import { parseEnvelope, REPO_ROOT, type CliEnvelope } from '../e2e/harness.js';

/** The pinned @salesforce/cli version (exact: the smoke test must not change under our feet). */
export const SF_CLI_VERSION = '2.150.6';

/** Where the CLI is installed (ignored by git, eslint and the package). */
export const SF_CLI_CACHE_DIR = join(REPO_ROOT, '.sf-cli-cache');

/** Name of the environment variable that marks every process a tracker's runs start (children inherit it). */
export const SF_SMOKE_MARKER_VAR = 'PLUGIN_CONNECTEDAPP_SF_SMOKE_RUN';

export type SfCliInstall = {
  /** .sf-cli-cache/node_modules/@salesforce/cli/bin/run.js — run it with process.execPath. */
  runJs: string;
  version: string;
  cacheDir: string;
  /** True when this call ran `npm install` (false: the cached copy was reused). */
  installed: boolean;
  ms: number;
};

export type EnsureSfCliOptions = {
  version?: string;
  cacheDir?: string;
  /** Kill `npm install` after this long (default 10 minutes). */
  timeoutMs?: number;
  /** Progress lines (default: none). */
  log?: (line: string) => void;
  tracker?: SfProcessTracker;
};

export type SfRun = {
  exitCode: number;
  stdout: string;
  stderr: string;
  /** The parsed --json envelope (undefined when stdout is not JSON). */
  json?: CliEnvelope;
  ms: number;
  /** What ran, for messages: `sf <args>`. */
  command: string;
};

export function sfCliRunJs(cacheDir = SF_CLI_CACHE_DIR): string {
  return join(cacheDir, 'node_modules', '@salesforce', 'cli', 'bin', 'run.js');
}

/** The version of @salesforce/cli in the cache, when a complete install is there. */
export function installedSfCliVersion(cacheDir = SF_CLI_CACHE_DIR): string | undefined {
  const pjson = join(cacheDir, 'node_modules', '@salesforce', 'cli', 'package.json');
  const marker = join(cacheDir, 'installed.json');
  if (!existsSync(pjson) || !existsSync(marker) || !existsSync(sfCliRunJs(cacheDir))) return undefined;
  try {
    const { version } = JSON.parse(readFileSync(pjson, 'utf8')) as { version?: unknown };
    // The marker is written only after `npm install` succeeded, so an interrupted install is redone.
    const done = JSON.parse(readFileSync(marker, 'utf8')) as { version?: unknown };
    return typeof version === 'string' && version === done.version ? version : undefined;
  } catch {
    return undefined;
  }
}

/** npm, run by the current Node: npm_execpath inside npm scripts and npx, else `npm` from PATH. */
function npmCommand(): { file: string; args: string[]; shell: boolean } {
  const execPath = process.env.npm_execpath;
  if (execPath !== undefined && /npm-cli\.c?js$/.test(execPath) && existsSync(execPath)) return { file: process.execPath, args: [execPath], shell: false };
  return { file: 'npm', args: [], shell: process.platform === 'win32' };
}

/**
 * Installs @salesforce/cli@<version> into the cache folder unless that exact version is already there:
 * `npm install --prefix .sf-cli-cache --no-save --no-audit --no-fund @salesforce/cli@<version>`.
 */
export async function ensureSfCli(options: EnsureSfCliOptions = {}): Promise<SfCliInstall> {
  const version = options.version ?? SF_CLI_VERSION;
  const cacheDir = options.cacheDir ?? SF_CLI_CACHE_DIR;
  const started = performance.now();
  const found = installedSfCliVersion(cacheDir);
  if (found === version) return { runJs: sfCliRunJs(cacheDir), version, cacheDir, installed: false, ms: Math.round(performance.now() - started) };

  options.log?.(
    found === undefined
      ? `installing @salesforce/cli@${version} into ${cacheDir} (first run only; takes a minute or two)`
      : `replacing @salesforce/cli@${found} with @salesforce/cli@${version} in ${cacheDir}`
  );
  mkdirSync(cacheDir, { recursive: true });
  // A package.json of its own keeps npm from looking for a project further up (the plugin's own).
  const pjson = join(cacheDir, 'package.json');
  if (!existsSync(pjson)) writeFileSync(pjson, `${JSON.stringify({ name: 'sf-cli-cache', private: true, description: 'The real sf CLI for smoke tests (not a dependency of the plugin).' }, null, 2)}\n`);
  const npm = npmCommand();
  const args = [...npm.args, 'install', '--prefix', cacheDir, '--no-save', '--no-audit', '--no-fund', '--loglevel', 'error', `@salesforce/cli@${version}`];
  const env: NodeJS.ProcessEnv = { ...process.env, PATH: withNodeFirst(process.env.PATH) };
  // Under c8, npm would dump its own coverage next to the plugin's. Empty, not deleted: Node copies a missing
  // NODE_V8_COVERAGE into every child's environment.
  env.NODE_V8_COVERAGE = '';
  const run = await spawnTracked(npm.file, args, { cwd: cacheDir, env, timeoutMs: options.timeoutMs ?? 600_000, tracker: options.tracker, shell: npm.shell });
  if (run.exitCode !== 0) {
    throw new Error(`npm install @salesforce/cli@${version} failed (exit ${run.exitCode}):\n${tail(run.stderr || run.stdout)}`);
  }
  const pinned = (JSON.parse(readFileSync(join(cacheDir, 'node_modules', '@salesforce', 'cli', 'package.json'), 'utf8')) as { version?: unknown }).version;
  if (pinned !== version) throw new Error(`npm installed @salesforce/cli@${String(pinned)} instead of ${version}`);
  writeFileSync(join(cacheDir, 'installed.json'), `${JSON.stringify({ version, installedAt: new Date().toISOString() }, null, 2)}\n`);
  const ms = Math.round(performance.now() - started);
  options.log?.(`installed @salesforce/cli@${version} in ${(ms / 1000).toFixed(1)} s`);
  return { runJs: sfCliRunJs(cacheDir), version, cacheDir, installed: true, ms };
}

/** PATH with the directory of the running Node first, so any `node` a child starts is this one. */
function withNodeFirst(path: string | undefined): string {
  const nodeDir = dirname(process.execPath);
  return [nodeDir, ...(path ?? '').split(delimiter).filter((p) => p !== '' && p !== nodeDir)].join(delimiter);
}

function tail(text: string, lines = 40): string {
  return text.trimEnd().split('\n').slice(-lines).join('\n');
}

/**
 * An environment that keeps `sf` away from the developer's own sf state and from the network: a temporary HOME
 * (and XDG dirs), no auto-update (SF_DISABLE_AUTOUPDATE — without it a detached `sf update` process is left
 * behind), no telemetry, no new-version check, and no inherited SF_/SFDX_ settings, NODE_OPTIONS or coverage collection.
 */
export function sfEnv(home: string, tracker?: SfProcessTracker, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (/^(SF|SFDX)_/i.test(k) || k === 'NODE_OPTIONS') continue;
    env[k] = v;
  }
  return {
    ...env,
    PATH: withNodeFirst(process.env.PATH),
    HOME: home,
    USERPROFILE: home,
    XDG_CONFIG_HOME: join(home, '.config'),
    XDG_DATA_HOME: join(home, '.local', 'share'),
    XDG_CACHE_HOME: join(home, '.cache'),
    XDG_STATE_HOME: join(home, '.local', 'state'),
    SF_DISABLE_AUTOUPDATE: 'true',
    SF_AUTOUPDATE_DISABLE: 'true',
    SF_DISABLE_TELEMETRY: 'true',
    SF_SKIP_NEW_VERSION_CHECK: 'true',
    SF_USE_PROGRESS_BAR: 'false',
    SF_DISABLE_LOG_FILE: 'true',
    NO_COLOR: '1',
    FORCE_COLOR: '0',
    // No coverage dumps of the whole CLI under c8 (empty: Node copies a missing NODE_V8_COVERAGE into children).
    NODE_V8_COVERAGE: '',
    ...(tracker ? { [SF_SMOKE_MARKER_VAR]: tracker.marker } : {}),
    ...extra,
  };
}

/**
 * Knows every process it started (and, through an environment marker that children inherit, their descendants —
 * even detached ones), so a test can prove that nothing is left running and kill what is.
 */
export class SfProcessTracker {
  public readonly marker = randomUUID();
  public readonly pids = new Set<number>();

  /** Processes still alive that this tracker's runs started: tracked pids plus, on Linux, any process carrying the marker. */
  public leftovers(): Array<{ pid: number; command: string }> {
    const alive = new Map<number, string>();
    for (const pid of this.pids) if (isAlive(pid)) alive.set(pid, commandLine(pid));
    if (existsSync('/proc/self/environ')) {
      for (const entry of readdirSync('/proc')) {
        if (!/^\d+$/.test(entry)) continue;
        const pid = Number(entry);
        if (pid === process.pid || alive.has(pid)) continue;
        try {
          const environ = readFileSync(`/proc/${entry}/environ`, 'latin1');
          if (environ.split('\0').includes(`${SF_SMOKE_MARKER_VAR}=${this.marker}`) && isAlive(pid)) alive.set(pid, commandLine(pid));
        } catch {
          // gone, or not ours to read
        }
      }
    }
    return [...alive].map(([pid, command]) => ({ pid, command }));
  }

  /** SIGKILLs every leftover (only processes this tracker started or their descendants); returns what it killed. */
  public killLeftovers(): Array<{ pid: number; command: string }> {
    const left = this.leftovers();
    for (const { pid } of left) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    return left;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
  // A zombie (exited, not yet reaped) is not running.
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return true;
  }
}

function commandLine(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'latin1').split('\0').join(' ').trim();
  } catch {
    return `pid ${pid}`;
  }
}

type SpawnOptions = { cwd: string; env: NodeJS.ProcessEnv; timeoutMs: number; tracker?: SfProcessTracker; shell?: boolean; onSpawn?: (pid: number) => void };

/** Spawns asynchronously (the emulator may be serving from this same process), records the pid, kills on timeout. */
async function spawnTracked(file: string, args: string[], options: SpawnOptions): Promise<{ exitCode: number; stdout: string; stderr: string; ms: number }> {
  const started = performance.now();
  return new Promise((resolvePromise, reject) => {
    const child = spawn(file, args, { cwd: options.cwd, env: options.env, stdio: ['ignore', 'pipe', 'pipe'], shell: options.shell ?? false });
    if (child.pid !== undefined) {
      options.tracker?.pids.add(child.pid);
      options.onSpawn?.(child.pid);
    }
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      options.tracker?.killLeftovers();
      reject(new Error(`timed out after ${options.timeoutMs} ms: ${[file, ...args].join(' ')}\nstderr:\n${tail(Buffer.concat(err).toString('utf8'))}`));
    }, options.timeoutMs);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolvePromise({
        exitCode: code ?? (signal ? 128 : 1),
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
        ms: Math.round(performance.now() - started),
      });
    });
  });
}

export type RunSfOptions = {
  env: NodeJS.ProcessEnv;
  cwd: string;
  tracker?: SfProcessTracker;
  /** Kill sf after this long (default 2 minutes). */
  timeoutMs?: number;
  /** Called with sf's process id once it is started (e.g. to sample its memory: test/e2e/peak-rss.ts). */
  onSpawn?: (pid: number) => void;
};

/** Runs `sf <args>` (the cached CLI under the current Node) asynchronously. */
export async function runSf(cli: Pick<SfCliInstall, 'runJs'>, args: string[], options: RunSfOptions): Promise<SfRun> {
  const run = await spawnTracked(process.execPath, [cli.runJs, ...args], { cwd: options.cwd, env: options.env, timeoutMs: options.timeoutMs ?? 120_000, tracker: options.tracker, onSpawn: options.onSpawn });
  return { ...run, json: parseEnvelope(run.stdout), command: `sf ${args.join(' ')}` };
}
