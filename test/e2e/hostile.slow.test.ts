/*
 * Hostile data, end to end: an uninstalled app whose name (from OAuth token records, which an outside
 * publisher controls) holds terminal escape sequences, bidi overrides and invisible characters.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { loadScenario, SCENARIO_DIR, start, type Emulator, type Scenario } from '../emulator/index.js';
import { ensureBuilt, runCli } from './harness.js';
import { HOSTILE, UNSAFE_FOR_TERMINAL, hostileProject } from '../unit/hostile.js';
import type { ConnectedAppAuditResult } from '../../src/commands/connectedapp/audit.js';

const DEMO_WINDOW = ['--start-date', '2026-11-13', '--end-date', '2026-11-19'];

/** The demo org plus an uninstalled app named HOSTILE that holds live tokens. */
function hostileScenario(): Scenario {
  const demo = structuredClone(loadScenario('demo', SCENARIO_DIR).scenario);
  demo.connectedApps = [...(demo.connectedApps ?? []), { name: 'Evil_App', label: HOSTILE, installed: false }];
  demo.oauthTokens = [...(demo.oauthTokens ?? []), { app: 'Evil_App', user: 'admin@northwind.example.com', createdDaysAgo: 30, lastUsedDaysAgo: 1, useCount: 7 }];
  return demo;
}

/** Output a terminal would act on: anything unsafe other than line ends. */
const rawControls = (text: string): boolean => UNSAFE_FOR_TERMINAL.test(text.replace(/\r?\n/g, ''));

describe('hostile org data (e2e through the org emulator)', function () {
  this.timeout(180_000);
  let emulator: Emulator;
  before(async () => {
    await ensureBuilt();
    emulator = await start({ scenario: hostileScenario() });
  });
  after(async () => {
    await emulator.stop();
  });

  for (const [command, args] of [
    ['usage', ['connectedapp', 'usage', '--source', 'tokens', ...DEMO_WINDOW]],
    ['audit', ['connectedapp', 'audit']],
  ] as const) {
    it(`${command}: the name is shown escaped to a human, and is exact under --json`, async () => {
      const human = await runCli([...args], { emulator, json: false });
      expect(human.exitCode, human.stderr).to.equal(0);
      expect(rawControls(human.stdout), human.stdout).to.equal(false);
      expect(rawControls(human.stderr), human.stderr).to.equal(false);
      expect(human.stdout).to.include('Evil\\x1b[31mRED\\x1b[0m \\x1b]8;;https://evil.example\\x07link');
      expect(human.stdout).to.include('\\u202egnp.exe\\u202c');

      const json = await runCli([...args], { emulator });
      expect(json.exitCode, json.stderr).to.equal(0);
      expect(JSON.stringify(json.json?.result)).to.include(JSON.stringify(HOSTILE));
    });
  }

  it('--json on a terminal: bidi, C1 and zero-width characters are written as \\u escapes, and the JSON parses to the exact name', async () => {
    const run = await runCli(['connectedapp', 'usage', '--source', 'tokens', ...DEMO_WINDOW], { emulator, tty: true });
    expect(run.exitCode, run.stdout).to.equal(0);
    const text = run.stdout.replace(/\r\n/g, '\n');
    expect(rawControls(text), text).to.equal(false);
    expect(text).to.include('\\u202egnp.exe\\u202c').and.to.include('\\u009b2J').and.to.include('zero\\u200bwidth');
    const envelope = JSON.parse(text.slice(text.indexOf('{'), text.lastIndexOf('}') + 1)) as { result: unknown };
    expect(JSON.stringify(envelope.result)).to.include(JSON.stringify(HOSTILE));
  });

  it('an error naming what the user typed (and its close matches from the org) is escaped on stderr, exact under --json', async () => {
    const typed = 'Evil\u001b[31mRED\u001b[0m \u202egnp';
    const human = await runCli(['connectedapp', 'list', '--name', typed], { emulator, json: false });
    expect(human.exitCode).to.equal(1);
    expect(rawControls(human.stderr), human.stderr).to.equal(false);
    expect(human.stderr).to.include('Evil\\x1b[31mRED\\x1b[0m \\u202egnp');
    const json = await runCli(['connectedapp', 'list', '--name', typed], { emulator });
    expect(json.json?.message).to.include(typed);
  });

  it('usage --result-format csv and ndjson: escaped for the terminal, formulas neutralised; ndjson parses back exactly', async () => {
    const csv = await runCli(['connectedapp', 'usage', '--source', 'tokens', '--result-format', 'csv', ...DEMO_WINDOW], { emulator, json: false });
    expect(csv.exitCode, csv.stderr).to.equal(0);
    expect(rawControls(csv.stdout)).to.equal(false);
    expect(csv.stdout).to.include('"Evil\\x1b[31mRED');
    const ndjson = await runCli(['connectedapp', 'usage', '--source', 'tokens', '--result-format', 'ndjson', ...DEMO_WINDOW], { emulator, json: false });
    expect(ndjson.exitCode, ndjson.stderr).to.equal(0);
    expect(rawControls(ndjson.stdout)).to.equal(false);
    const events = ndjson.stdout.trim().split('\n').map((line) => JSON.parse(line) as { app?: string });
    expect(events.some((e) => e.app === HOSTILE)).to.equal(true);
  });
});

describe('hostile source files (e2e)', function () {
  this.timeout(180_000);
  let emulator: Emulator;
  let project: string;
  before(async () => {
    await ensureBuilt();
    emulator = await start({ scenario: 'empty' });
    project = hostileProject();
  });
  after(async () => {
    await emulator.stop();
    rmSync(project, { recursive: true, force: true });
  });

  it('audits the good files and reports each file that cannot be read or parsed (depth, code point, encoding, size, DOCTYPE, links) as a finding naming it', async () => {
    const run = await runCli(['connectedapp', 'audit', '--source-dir', join(project, 'force-app')], { emulator, targetOrg: false });
    expect(run.exitCode, run.stderr).to.equal(0);
    const r = (run.json?.result ?? run.json?.data) as ConnectedAppAuditResult;
    expect(r.findings.filter((f) => f.app === 'Jenkins_CI' || f.app === 'Workato').length).to.be.greaterThan(0);
    const broken = r.findings.filter((f) => f.ruleId === 'CA503-file-parse-error').map((f) => [f.file?.split('/').pop(), f.line]);
    expect(broken).to.have.deep.members([
      ['CodePoint.connectedApp-meta.xml', 3],
      ['Deep.connectedApp-meta.xml', 4],
      ['Huge.connectedApp-meta.xml', null],
      ['Latin1.connectedApp-meta.xml', null],
      ['Laughs.connectedApp-meta.xml', 13],
      ['Linked.connectedApp-meta.xml', null],
      ['more', null],
    ]);
    const human = await runCli(['connectedapp', 'audit', '--source-dir', join(project, 'force-app')], { emulator, targetOrg: false, json: false });
    expect(human.exitCode, human.stderr).to.equal(0);
    expect(human.stdout).to.include('Not audited: A symbolic link to a directory');
  });
});

