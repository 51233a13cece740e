#!/usr/bin/env node
// Runs the compiled plugin (lib/) as a stand-alone CLI: ./bin/run.js connectedapp list --target-org me
// The plugin needs Node >= 22.19 (undici 8 via @salesforce/core). On an older system Node, re-run under
// the project's own Node 22 (the `node` devDependency) when it is installed, so a fresh clone just works.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const [major, minor] = process.versions.node.split('.').map(Number);
const projectNode = fileURLToPath(new URL('../node_modules/node/bin/node', import.meta.url));
if ((major < 22 || (major === 22 && minor < 19)) && existsSync(projectNode)) {
  const child = spawnSync(projectNode, process.argv.slice(1), { stdio: 'inherit' });
  process.exit(child.status ?? 1);
}

const { execute } = await import('@oclif/core');
await execute({ dir: import.meta.url });
