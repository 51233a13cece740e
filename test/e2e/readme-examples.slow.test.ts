/*
 * Every `sf connectedapp …` line in the README's code blocks runs against the demo org (the emulator's demo
 * scenario) as written: only `--target-org <alias>` is replaced by the emulator, `# comments` and `> file`
 * redirections are dropped, and lines run in README order in one working folder (contain writes the snapshot
 * restore reads). Local files the README assumes: force-app holds the demo org's metadata files, and
 * config/connected-apps.json the README's own desired-state block. Fails on any name the demo org does not have, or any unexpected exit.
 */
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { start, type Emulator } from '../emulator/index.js';
import { exampleArgs } from '../example-args.js';
import { ensureBuilt, REPO_ROOT, runCli } from './harness.js';

/**
 * README example lines, with the line number: a command at the start of a line. An indented one is a transcript's
 * output (doctor's "fix with:" line, with its placeholder), not an example.
 */
function readmeExamples(): Array<{ line: number; text: string }> {
  return readFileSync(join(REPO_ROOT, 'README.md'), 'utf8')
    .split('\n')
    .map((text, i) => ({ line: i + 1, text: text.trimEnd() }))
    .filter((l) => l.text.startsWith('sf connectedapp '));
}

/** Drops `--target-org X` / `-o X` (the harness adds the emulator's). */
function withoutTargetOrg(args: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--target-org' || args[i] === '-o') i++;
    else out.push(args[i]);
  }
  return out;
}

describe('README examples against the demo org', function () {
  this.timeout(900_000);
  let emulator: Emulator;
  const cwd = mkdtempSync(join(tmpdir(), 'ca-readme-'));

  before(async () => {
    await ensureBuilt();
    emulator = await start({ scenario: 'demo', port: 0 });
    mkdirSync(join(cwd, 'incident'), { recursive: true });
    // force-app: the demo org's own metadata files; config/connected-apps.json: the README's desired-state block.
    const apps = join(cwd, 'force-app', 'main', 'default', 'connectedApps');
    mkdirSync(apps, { recursive: true });
    const demo = join(REPO_ROOT, 'test', 'emulator', 'scenarios', 'demo');
    // Only the connected app files: the folder also holds the demo's External Client App files (eca/).
    for (const f of readdirSync(demo).filter((name) => name.endsWith('.connectedApp-meta.xml'))) copyFileSync(join(demo, f), join(apps, f));
    const desired = /Keep the desired state[\s\S]*?```json\n([\s\S]*?)```/.exec(readFileSync(join(REPO_ROOT, 'README.md'), 'utf8'));
    expect(desired, 'the README shows the desired-state file').to.not.equal(null);
    mkdirSync(join(cwd, 'config'));
    writeFileSync(join(cwd, 'config', 'connected-apps.json'), desired![1]);
  });
  after(async () => emulator.stop());

  it('finds the examples', () => {
    expect(readmeExamples().length).to.be.greaterThan(20);
  });

  for (const example of readmeExamples()) {
    it(`line ${example.line}: ${example.text}`, async () => {
      const args = withoutTargetOrg(exampleArgs(example.text).slice(1));
      // migrate reads files only: it has no --target-org to give.
      const run = await runCli(args, { emulator, cwd, ...(args[1] === 'migrate' ? { targetOrg: false as const } : {}) });
      const problem = `${run.json?.name ?? ''}: ${run.json?.message ?? run.stderr}`;
      expect(problem).not.to.match(/^Unknown|not found|No (app|permission set|profile)|does not exist|Did you mean/i);
      // 0 ok, 3 a gate (--fail-on, --check), 68 partial: all are the example working as documented.
      expect([0, 3, 68], `exit ${run.exitCode}: ${problem}`).to.include(run.exitCode);
    });
  }
});
