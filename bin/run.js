#!/usr/bin/env node
// Runs the compiled plugin (lib/) as a stand-alone CLI: ./bin/run.js connectedapp list --target-org me
// The plugin needs Node >= 22.19 (undici 8 via @salesforce/core). On an older system Node, re-run under
// the project's own Node 22 (the `node` devDependency) when it is installed, so a fresh clone just works.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { constants } from 'node:os';
import { fileURLToPath } from 'node:url';

const [major, minor] = process.versions.node.split('.').map(Number);
const projectNode = fileURLToPath(new URL('../node_modules/node/bin/node', import.meta.url));
if ((major < 22 || (major === 22 && minor < 19)) && existsSync(projectNode)) {
  const child = spawnSync(projectNode, process.argv.slice(1), { stdio: 'inherit' });
  // A child ended by a signal has no status: exit as a shell would, 128 + the signal's number.
  process.exit(child.status ?? (child.signal ? 128 + (constants.signals[child.signal] ?? 0) : 1));
}

const { execute } = await import('@oclif/core');
await execute({ dir: import.meta.url });
