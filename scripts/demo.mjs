// npm run demo — see the plugin work without an org: builds lib/ when it is missing or stale, starts the org
// emulator with the `demo` scenario (Northwind Robotics), runs `connectedapp audit` against it (or `connectedapp
// list` when this build has no audit command yet), prints the command's own output and stops the emulator.
// Exit code: the command's, except that audit's exit code 3 ("findings") counts as success here.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const EMULATOR_START_TIMEOUT_MS = 60_000;

/** Node >= 22.19 (the plugin's floor): this one, or the project's own (the `node` devDependency). */
function pickNode() {
  const [major, minor] = process.versions.node.split('.').map(Number);
  if (major > 22 || (major === 22 && minor >= 19)) return process.execPath;
  const projectNode = join(root, 'node_modules', 'node', 'bin', process.platform === 'win32' ? 'node.exe' : 'node');
  if (existsSync(projectNode)) return projectNode;
  console.error(`Node ${process.versions.node} is too old for the plugin (needs 22.19+). Run "npm ci" first, then "npm run demo".`);
  process.exit(1);
}

function newestMtime(dir, ext) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestMtime(path, ext));
    else if (entry.name.endsWith(ext)) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

function libIsStale() {
  const lib = join(root, 'lib');
  if (!existsSync(join(lib, 'commands'))) return true;
  return newestMtime(join(root, 'src'), '.ts') > newestMtime(lib, '.js');
}

/** Children still running, stopped when the demo is interrupted. */
const running = new Set();

function run(file, args, options) {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, options);
    running.add(child);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      running.delete(child);
      resolve(code ?? (signal ? 128 : 1));
    });
  });
}

/** Starts `test/emulator/cli.ts --json` and resolves with { child, url, accessToken } once it printed its line. */
function startEmulator(node) {
  const child = spawn(node, ['--import', 'tsx', join(root, 'test', 'emulator', 'cli.ts'), '--scenario', 'demo', '--port', '0', '--json'], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const stderr = [];
  child.stderr.on('data', (b) => stderr.push(b));
  return new Promise((resolve, reject) => {
    const fail = (why) => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(new Error(`the org emulator did not start: ${why}\n${Buffer.concat(stderr).toString('utf8').trim()}`));
    };
    const timer = setTimeout(() => fail(`no URL within ${EMULATOR_START_TIMEOUT_MS / 1000} s`), EMULATOR_START_TIMEOUT_MS);
    child.on('error', (error) => fail(error.message));
    child.on('exit', (code) => fail(`it exited with code ${code}`));
    const lines = createInterface({ input: child.stdout });
    lines.on('line', (line) => {
      let info;
      try {
        info = JSON.parse(line);
      } catch {
        return;
      }
      if (typeof info?.url !== 'string' || typeof info?.accessToken !== 'string') return;
      clearTimeout(timer);
      child.removeAllListeners('exit');
      resolve({ child, url: info.url, accessToken: info.accessToken });
    });
  });
}

async function stopEmulator(child) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
  await exited;
  clearTimeout(timer);
}

/** The environment of the plugin CLI: a throw-away HOME, no auto-update or telemetry, no inherited sf settings. */
function cliEnv(home, url) {
  const env = {};
  for (const [key, value] of Object.entries(process.env)) if (!/^(SF|SFDX)_/i.test(key)) env[key] = value;
  return {
    ...env,
    HOME: home,
    USERPROFILE: home,
    XDG_CONFIG_HOME: join(home, '.config'),
    XDG_DATA_HOME: join(home, '.local', 'share'),
    XDG_CACHE_HOME: join(home, '.cache'),
    SF_ORG_INSTANCE_URL: url,
    SF_DISABLE_AUTOUPDATE: 'true',
    SF_AUTOUPDATE_DISABLE: 'true',
    SF_DISABLE_TELEMETRY: 'true',
    SF_SKIP_NEW_VERSION_CHECK: 'true',
    SF_DISABLE_LOG_FILE: 'true',
  };
}

const node = pickNode();

if (libIsStale()) {
  console.log('Building the plugin (npm run build)…');
  const code = await run(node, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', root, '--pretty'], { cwd: root, stdio: 'inherit' });
  if (code !== 0) {
    console.error('The build failed (see above); fix it and run "npm run demo" again.');
    process.exit(code);
  }
}

const hasAudit = existsSync(join(root, 'lib', 'commands', 'connectedapp', 'audit.js'));
const command = hasAudit ? 'audit' : 'list';

let emulator;
const home = mkdtempSync(join(tmpdir(), 'connectedapp-demo-'));
let exitCode = 1;
const interrupt = (signal) => {
  const children = [...running].map((child) => new Promise((resolve) => child.once('close', resolve)));
  for (const child of running) child.kill('SIGTERM');
  void Promise.all([...children, emulator ? stopEmulator(emulator.child) : Promise.resolve()]).finally(() => {
    rmSync(home, { recursive: true, force: true });
    process.exit(signal === 'SIGINT' ? 130 : 143);
  });
};
process.once('SIGINT', interrupt);
process.once('SIGTERM', interrupt);

try {
  emulator = await startEmulator(node);
  console.log(`Org emulator running the "demo" scenario (Northwind Robotics) at ${emulator.url}`);
  if (!hasAudit) console.log('(This build has no "connectedapp audit" command yet, so the demo runs "connectedapp list".)');
  console.log(`Running: sf connectedapp ${command} --target-org <the emulator's access token>\n`);
  exitCode = await run(node, [join(root, 'bin', 'run.js'), 'connectedapp', command, '--target-org', emulator.accessToken], {
    cwd: home,
    env: cliEnv(home, emulator.url),
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  console.log('');
  if (hasAudit && exitCode === 3) {
    console.log('Exit code 3 means the audit found issues: in the demo org that is the point, so the demo counts it as success.');
    exitCode = 0;
  } else {
    console.log(`sf connectedapp ${command} exited with code ${exitCode}.`);
  }
  console.log('Try it yourself: "npm run emulator -- --scenario demo --port 8787", then in another shell');
  console.log("  SF_ORG_INSTANCE_URL=http://127.0.0.1:8787 ./bin/run.js connectedapp list --target-org '<access token it prints>'");
} catch (error) {
  console.error(error instanceof Error ? error.message : String(error));
  exitCode = 1;
} finally {
  if (emulator) await stopEmulator(emulator.child);
  rmSync(home, { recursive: true, force: true });
}
process.exit(exitCode);
