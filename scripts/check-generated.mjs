// Generated files that are committed must match the code: oclif.manifest.json, command-snapshot.json and
// schemas/*.json (each command's --json result). Default: compare and fail when stale.
// --write: regenerate all three (then review and commit the diff).
// Needs a fresh build (lib/) for the manifest; the snapshot and schema checks run from src via bin/dev.js.
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Plugin } from '@oclif/core';

const root = fileURLToPath(new URL('..', import.meta.url));
const write = process.argv.includes('--write');
const manifestPath = `${root}oclif.manifest.json`;
let stale = [];

async function manifestText() {
  const plugin = new Plugin({ root, type: 'core', ignoreManifest: true, errorOnManifestCreate: true, isRoot: true });
  await plugin.load();
  // The version field would make every release a manifest change; the package version is in package.json.
  return `${JSON.stringify({ ...plugin.manifest, version: 'see package.json' }, null, 2)}\n`;
}

const expected = await manifestText();
if (write || process.argv.includes('--write-manifest')) writeFileSync(manifestPath, expected);
else if (readFileSync(manifestPath, 'utf8') !== expected) stale.push('oclif.manifest.json');

function dev(command, ...args) {
  try {
    return { ok: true, out: execFileSync(process.execPath, [`${root}bin/dev.js`, command, ...args], { cwd: root, encoding: 'utf8', stdio: 'pipe' }) };
  } catch (error) {
    return { ok: false, out: `${error.stdout ?? ''}${error.stderr ?? ''}` };
  }
}

if (!process.argv.includes('--write-manifest')) {
  for (const [what, generate, compare] of [
    ['command-snapshot.json', 'snapshot:generate', 'snapshot:compare'],
    ['schemas/', 'schema:generate', 'schema:compare'],
  ]) {
    const result = write ? dev(generate) : dev(compare);
    if (!result.ok) {
      stale.push(what);
      console.error(result.out.trim());
    }
  }
}

if (stale.length) {
  console.error(`Stale generated files: ${stale.join(', ')}. Run "npm run generate", review the diff and commit it.`);
  process.exit(1);
}
console.log(write ? 'Regenerated oclif.manifest.json, command-snapshot.json and schemas/.' : 'Generated files are up to date.');
