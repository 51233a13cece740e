// Generated files that are committed must match the code: oclif.manifest.json, command-snapshot.json
// (command ids and flags), schemas/connectedapp-<command>.json (each command's --json result type) and the
// schemas of files the plugin writes (schemas/file-connectedapp-snapshot.json), and docs/audit-rules.md (the evidence
// each audit rule declares).
// Default: compare and fail when stale. --write: regenerate all (then review and commit the diff).
// --write-manifest: only the manifest (used by prepack). The manifest is built from lib/ (run the build first).
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Plugin } from '@oclif/core';
import { createGenerator } from 'ts-json-schema-generator';

const root = fileURLToPath(new URL('..', import.meta.url));
const write = process.argv.includes('--write');
const manifestOnly = process.argv.includes('--write-manifest');
const stale = [];

function check(file, expected) {
  const path = `${root}${file}`;
  if (write || (manifestOnly && file === 'oclif.manifest.json')) writeFileSync(path, expected);
  else if (!existsSync(path) || readFileSync(path, 'utf8') !== expected) stale.push(file);
}

// 1. oclif.manifest.json, from the compiled commands.
const plugin = new Plugin({ root, type: 'core', ignoreManifest: true, errorOnManifestCreate: true, isRoot: true });
await plugin.load();
// Commands sorted by id: oclif lists them in the order it finds the files, which a clean build can change.
const manifest = { ...plugin.manifest, commands: Object.fromEntries(Object.entries(plugin.manifest.commands).sort(([a], [b]) => a.localeCompare(b))) };
check('oclif.manifest.json', `${JSON.stringify(manifest, null, 2)}\n`);

if (!manifestOnly) {
  // 2. command-snapshot.json, through @oclif/plugin-command-snapshot (a dev plugin loaded by bin/dev.js).
  try {
    execFileSync(process.execPath, [`${root}bin/dev.js`, write ? 'snapshot:generate' : 'snapshot:compare'], { cwd: root, stdio: 'pipe' });
  } catch (error) {
    stale.push('command-snapshot.json');
    console.error(`${error.stdout ?? ''}`.trim());
  }

  // 3. schemas/connectedapp-<command>.json from the type each command's run() promises. One generator (one
  // TypeScript program) for every command file: a program per file took 40 s, this takes 2 s, with the same output.
  const commandsDir = `${root}src/commands/connectedapp`;
  const commandFiles = readdirSync(commandsDir, { recursive: true }).filter((f) => f.endsWith('.ts'));
  const generator = createGenerator({ path: `${commandsDir}/**/*.ts`, tsconfig: `${root}tsconfig.json`, skipTypeCheck: true, additionalProperties: false });
  const expectedSchemas = new Set();
  const fileOfType = new Map();
  for (const file of commandFiles) {
    const source = readFileSync(`${commandsDir}/${file}`, 'utf8');
    const type = /public async run\(\): Promise<(\w+)>/.exec(source)?.[1];
    if (!type) throw new Error(`src/commands/connectedapp/${file}: run() must be declared as "public async run(): Promise<ResultType>"`);
    // The shared program finds a type by its name: two commands must not name their result types alike.
    if (fileOfType.has(type)) throw new Error(`src/commands/connectedapp/${file}: result type ${type} is also the result type of ${fileOfType.get(type)}; give it its own name`);
    fileOfType.set(type, file);
    const name = `schemas/connectedapp-${file.replace(/\.ts$/, '').replaceAll('/', '-')}.json`;
    expectedSchemas.add(name);
    check(name, `${JSON.stringify(generator.createSchema(type), null, 2)}\n`);
  }
  // 4. Schemas of files the plugin writes, from their types (the desired-state file's schema is written by hand),
  // and of the --json result of a revoke or contain stopped by a signal. The commands' program holds them (the
  // commands that write these import their types).
  const fileSchemas = [
    { name: 'schemas/file-connectedapp-snapshot.json', type: 'IncidentSnapshot' },
    { name: 'schemas/interrupted-connectedapp-run.json', type: 'InterruptedRun' },
  ];
  for (const { name, type } of fileSchemas) check(name, `${JSON.stringify(generator.createSchema(type), null, 2)}\n`);
  // 5. docs/audit-rules.md: the evidence each audit rule declares, from the compiled rule definitions.
  const { formatEvidenceDocs } = await import(`${root}lib/renderers/audit/rule-docs.js`);
  check('docs/audit-rules.md', formatEvidenceDocs());
  for (const existing of readdirSync(`${root}schemas`).filter((f) => /^connectedapp-.*\.json$/.test(f))) {
    if (!expectedSchemas.has(`schemas/${existing}`)) stale.push(`schemas/${existing} (no such command)`);
  }
}

if (stale.length) {
  console.error(`Stale generated files: ${stale.join(', ')}.\nRun "npm run generate", review the diff and commit it.`);
  process.exit(1);
}
console.log(write ? 'Regenerated oclif.manifest.json, command-snapshot.json, schemas/ and docs/audit-rules.md.' : 'Generated files are up to date.');
