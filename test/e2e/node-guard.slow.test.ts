/*
 * On an sf that runs an older Node, every command stops with the plugin's own words (NodeVersionError, what to do)
 * instead of undici's load-time TypeError. Runs the compiled commands under the system's Node 20 when the machine
 * has one (/usr/bin/node, or OLD_NODE=<path>); pending otherwise.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { expect } from 'chai';
import { nodeIsSupported } from '../../src/node-guard.js';
import { ensureBuilt, REPO_ROOT } from './harness.js';

const OLD_NODE = process.env.OLD_NODE ?? '/usr/bin/node';

async function run(node: string, args: string[]): Promise<{ code: number; out: string; version: string }> {
  // The plugin's own oclif, run by the old Node (bin/run.js would re-run itself under the project's Node 22).
  const code = `const { execute } = await import(${JSON.stringify(pathToFileURL(join(REPO_ROOT, 'node_modules', '@oclif', 'core', 'lib', 'index.js')).href)});
await execute({ dir: ${JSON.stringify(pathToFileURL(join(REPO_ROOT, 'bin', 'run.js')).href)}, args: ${JSON.stringify(args)} });`;
  return new Promise((resolve, reject) => {
    const child = spawn(node, ['--input-type=module', '-e', `console.error('NODE ' + process.versions.node);\n${code}`], { cwd: REPO_ROOT, env: { ...process.env, NO_COLOR: '1', SF_DISABLE_TELEMETRY: 'true' } });
    let out = '';
    child.stdout.on('data', (b: Buffer) => (out += b.toString()));
    child.stderr.on('data', (b: Buffer) => (out += b.toString()));
    child.on('error', reject);
    child.on('close', (c) => { resolve({ code: c ?? -1, out, version: /NODE (\S+)/.exec(out)?.[1] ?? '?' }); });
  });
}

describe('node version guard', () => {
  it('knows which versions are supported', () => {
    expect(['22.19.0', 'v22.23.3', '23.0.0', '24.1.0'].map(nodeIsSupported)).to.deep.equal([true, true, true, true]);
    expect(['22.18.9', 'v20.20.2', '18.0.0', '21.99.0'].map(nodeIsSupported)).to.deep.equal([false, false, false, false]);
  });

  it('every command stops with the plain message on an old Node', async function () {
    const version = existsSync(OLD_NODE) ? (await run(OLD_NODE, ['--version'])).version : undefined;
    if (version === undefined || nodeIsSupported(version)) this.skip(); // no old Node on this machine
    this.timeout(300_000);
    await ensureBuilt();
    const manifest = JSON.parse(readFileSync(join(REPO_ROOT, 'oclif.manifest.json'), 'utf8')) as { commands: Record<string, unknown> };
    const ids = Object.keys(manifest.commands);
    expect(ids.length).to.be.greaterThan(5);
    for (const id of ids) {
      const result = await run(OLD_NODE, [...id.split(':'), '--target-org', 'nobody@example.com']);
      expect(result.code, `${id} exit code\n${result.out}`).to.equal(1);
      expect(result.out, id).to.include(`plugin-connectedapp needs Node ≥ 22.19`).and.include(`you have Node ${version}`);
      expect(result.out, id).to.include('sf update');
      expect(result.out, id).not.to.match(/TypeError|at Object\.<anonymous>|\.js:\d+/);
    }
  });
});
