#!/usr/bin/env node
// Runs the compiled plugin (lib/) as a stand-alone CLI: ./bin/run.js connectedapp list --target-org me
// The plugin needs Node >= 22.19 (undici 8 via @salesforce/core). On an older system Node, re-run under
// the project's own Node 22 (the `node` devDependency) when it is installed, so a fresh clone just works.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { constants } from 'node:os';
import { fileURLToPath } from 'node:url';
import { setFlagsFromString } from 'node:v8';

const [major, minor] = process.versions.node.split('.').map(Number);
const projectNode = fileURLToPath(new URL('../node_modules/node/bin/node', import.meta.url));
if ((major < 22 || (major === 22 && minor < 19)) && existsSync(projectNode)) {
  const child = spawnSync(projectNode, process.argv.slice(1), { stdio: 'inherit' });
  // A child ended by a signal has no status: exit as a shell would, 128 + the signal's number.
  process.exit(child.status ?? (child.signal ? 128 + (constants.signals[child.signal] ?? 0) : 1));
}

// Collect garbage once the heap has grown 30 % past what the last full collection kept, instead of V8's up to 4
// times: the audit at 5,000 apps keeps about 100 MB live and its heap reached 300 MB between collections (peak RSS
// 310 MB; about 240 MB with this, bench/results/audit.md). A hint, not a limit: a larger org only collects more
// often. Set before anything is loaded, since each collection sets the next one's threshold. (Under `sf` the audit
// command sets it when it starts.)
setFlagsFromString('--heap-growing-percent=30');
const { execute } = await import('@oclif/core');
await execute({ dir: import.meta.url });
