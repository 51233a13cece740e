/*
 * End-to-end harness: runs the plugin's CLI (bin/run.js → compiled lib/) against an org emulator, the way a user
 * runs `sf connectedapp ... --target-org <access token>` with SF_ORG_INSTANCE_URL pointing at the org.
 *
 *   const emulator = await start({ scenario: 'demo' });
 *   const run = await runCli(['connectedapp', 'list'], { emulator });
 *   expect(run.exitCode).to.equal(0);
 *   expect(run.json?.result).to....;
 *   expect(run.requests.filter((r) => r.soql)).to.have.length(...);
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Emulator, RequestLogEntry } from '../emulator/index.js';
import { samplePeakRss } from './peak-rss.js';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** The `--json` envelope of an sf command. */
export type CliEnvelope = {
  status: number;
  result?: unknown;
  warnings?: unknown[];
  name?: string;
  message?: string;
  actions?: string[];
  data?: unknown;
  exitCode?: number;
  code?: string;
  context?: string;
  stack?: string;
  commandName?: string;
};

export type RunCliOptions = {
  emulator: Emulator;
  /** Extra environment variables (they win over the harness's). */
  env?: Record<string, string | undefined>;
  /** Called with the CLI's process id once it is started (to send it a signal). */
  onSpawn?: (pid: number) => void;
  /** Working directory of the CLI (default: a fresh temporary directory, so no sfdx-project.json is picked up). */
  cwd?: string;
  /** Append `--json` (default true). */
  json?: boolean;
  /** The --target-org value (default: the emulator's access token); false: do not add --target-org. */
  targetOrg?: string | false;
  /** Kill the CLI after this long (default 90 s). */
  timeoutMs?: number;
  /** Text written to the CLI's stdin (stdin is closed either way). */
  stdin?: string;
  /**
   * Run on a terminal: under script(1), which gives the CLI a pseudo-terminal (stdout and stderr both arrive in
   * `stdout`, with CRLF line ends).
   */
  tty?: boolean;
};

export type CliRun = {
  exitCode: number;
  stdout: string;
  stderr: string;
  /** The parsed --json envelope (undefined when stdout is not JSON). */
  json?: CliEnvelope;
  /** The emulator requests made while the CLI ran. */
  requests: RequestLogEntry[];
  ms: number;
  /** Peak resident memory of the CLI's process tree (test/e2e/peak-rss.ts: VmHWM sampled from /proc); null where /proc is absent. */
  peakRssBytes: number | null;
};

/** Environment that keeps the CLI from updating, phoning home or reading the developer's real sf state (exported for benchmarks that spawn the CLI themselves). */
export function cliEnv(home: string, emulator: Emulator, extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (/^(SF|SFDX)_/i.test(k)) continue;
    env[k] = v;
  }
  Object.assign(env, {
    HOME: home,
    USERPROFILE: home,
    XDG_CONFIG_HOME: join(home, '.config'),
    XDG_DATA_HOME: join(home, '.local', 'share'),
    XDG_CACHE_HOME: join(home, '.cache'),
    SF_ORG_INSTANCE_URL: emulator.url,
    SF_DISABLE_AUTOUPDATE: 'true',
    SF_AUTOUPDATE_DISABLE: 'true',
    SF_DISABLE_TELEMETRY: 'true',
    SF_SKIP_NEW_VERSION_CHECK: 'true',
    SF_USE_PROGRESS_BAR: 'false',
    SF_DISABLE_LOG_FILE: 'true',
    NO_COLOR: '1',
    FORCE_COLOR: '0',
  });
  const removed = new Set(Object.entries(extra).filter(([, v]) => v === undefined).map(([k]) => k));
  for (const [k, v] of Object.entries(extra)) if (v !== undefined) env[k] = v;
  return Object.fromEntries(Object.entries(env).filter(([k]) => !removed.has(k)));
}

export function parseEnvelope(stdout: string): CliEnvelope | undefined {
  const text = stdout.trim();
  if (text === '') return undefined;
  const attempt = (s: string): CliEnvelope | undefined => {
    try {
      const v = JSON.parse(s) as unknown;
      return typeof v === 'object' && v !== null && 'status' in v ? (v as CliEnvelope) : undefined;
    } catch {
      return undefined;
    }
  };
  return attempt(text) ?? attempt(text.slice(text.indexOf('\n{') + 1));
}

/** The requests the command itself made: without what sf does for every command (API versions, the Organization query). */
export function ownRequests(run: Pick<CliRun, 'requests'>): CliRun['requests'] {
  return run.requests.filter((r) => !/FROM Organization/.test(r.soql ?? '') && r.path !== '/services/data');
}

/** Runs `node bin/run.js <args> --target-org <token> --json` against the emulator. */
export async function runCli(args: string[], options: RunCliOptions): Promise<CliRun> {
  const { emulator } = options;
  const home = mkdtempSync(join(tmpdir(), 'ca-e2e-home-'));
  const cwd = options.cwd ?? mkdtempSync(join(tmpdir(), 'ca-e2e-cwd-'));
  const argv = [join(REPO_ROOT, 'bin', 'run.js'), ...args];
  const targetOrg = options.targetOrg ?? emulator.accessToken;
  if (targetOrg !== false && !args.some((a) => a === '--target-org' || a === '-o' || a.startsWith('--target-org='))) argv.push('--target-org', targetOrg);
  if (options.json !== false && !args.includes('--json')) argv.push('--json');
  const firstRequest = emulator.requests.length;
  let peakRssBytes: number | null = null;
  const started = performance.now();
  try {
    const { exitCode, stdout, stderr } = await new Promise<{ exitCode: number; stdout: string; stderr: string }>((resolvePromise, reject) => {
      const [file, fileArgs] = options.tty ? ['script', ['-qfec', [process.execPath, ...argv].map(shellQuote).join(' '), '/dev/null']] : [process.execPath, argv];
      const child = spawn(file, fileArgs, { cwd, env: cliEnv(home, emulator, options.env), stdio: ['pipe', 'pipe', 'pipe'] });
      // VmHWM is each process's own peak so far, so sampling until it exits catches the true peak (of the whole
      // tree: under script(1) the CLI is a grandchild).
      const sampler = samplePeakRss(child.pid);
      child.on('exit', () => {
        sampler.stop();
        peakRssBytes = sampler.peak()?.bytes ?? null;
      });
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      child.stdout.on('data', (b: Buffer) => out.push(b));
      child.stderr.on('data', (b: Buffer) => err.push(b));
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new Error(`CLI timed out after ${options.timeoutMs ?? 90_000} ms: ${argv.slice(1).join(' ')}\nstderr: ${Buffer.concat(err).toString('utf8')}`));
      }, options.timeoutMs ?? 90_000);
      child.on('error', (e) => {
        clearTimeout(timer);
        reject(e);
      });
      child.on('close', (code, signal) => {
        clearTimeout(timer);
        resolvePromise({ exitCode: code ?? (signal ? 128 : 1), stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') });
      });
      child.stdin.end(options.stdin ?? '');
      if (child.pid !== undefined) options.onSpawn?.(child.pid);
    });
    // Entries are logged when a response finishes; let any last one land.
    await new Promise((r) => setImmediate(r));
    return {
      exitCode,
      stdout,
      stderr,
      json: parseEnvelope(stdout),
      requests: emulator.requests.slice(firstRequest),
      ms: Math.round(performance.now() - started),
      peakRssBytes,
    };
  } finally {
    rmSync(home, { recursive: true, force: true });
    if (options.cwd === undefined) rmSync(cwd, { recursive: true, force: true });
  }
}

const shellQuote = (arg: string): string => `'${arg.replace(/'/g, `'\\''`)}'`;

function newestMtime(dir: string, ext: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestMtime(p, ext));
    else if (entry.name.endsWith(ext)) newest = Math.max(newest, statSync(p).mtimeMs);
  }
  return newest;
}

/** True when lib/ is missing or older than src/ (bin/run.js would run stale code). */
export function libIsStale(): boolean {
  const lib = join(REPO_ROOT, 'lib');
  if (!existsSync(lib)) return true;
  return newestMtime(join(REPO_ROOT, 'src'), '.ts') > newestMtime(lib, '.js');
}

/** Compiles src/ to lib/ (`tsc -p .`, what `npm run build` does) when lib/ is stale. */
export async function ensureBuilt(): Promise<void> {
  if (!libIsStale()) return;
  const tsc = join(REPO_ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
  await new Promise<void>((resolvePromise, reject) => {
    const child = spawn(process.execPath, [tsc, '-p', REPO_ROOT], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => out.push(b));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0) resolvePromise();
      else reject(new Error(`tsc -p . failed (${code ?? 'signal'}):\n${Buffer.concat(out).toString('utf8')}`));
    });
  });
}
