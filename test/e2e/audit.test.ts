import { cpSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { loadScenario, SCENARIO_DIR, start, type Emulator } from '../emulator/index.js';
import { ensureBuilt, ownRequests, REPO_ROOT, runCli, type CliRun } from './harness.js';
import type { ConnectedAppAuditResult } from '../../src/commands/connectedapp/audit.js';
import { parseXml } from '../../src/domain/xml.js';
import { forEachDataSet } from '../data-sets.js';

const result = (run: CliRun): ConnectedAppAuditResult => (run.json?.result ?? run.json?.data) as ConnectedAppAuditResult;
const ruleApps = (run: CliRun, rule: string): Array<string | null> => result(run).findings.filter((f) => f.ruleId.startsWith(rule)).map((f) => f.app);
/** Per data set: a file listing a profile twice, and a JWT CI app. */
const SOURCE_PINS = {
  corpus: { duplicates: 'AdityaKaushalPwC__tf-test2__CICD.connectedApp-meta.xml', jwtApp: 'Thomas-Raj-SF__salesforce_githubactions__Jenkins.connectedApp-meta.xml' },
  fixtures: { duplicates: 'Deploy_Bot.connectedApp-meta.xml', jwtApp: 'Build_Pipeline.connectedApp-meta.xml' },
};

describe('connectedapp audit against an org (e2e through the org emulator)', function () {
  this.timeout(180_000);
  let demo: Emulator;
  before(async () => {
    await ensureBuilt();
    demo = await start({ scenario: 'demo' });
  });
  after(async () => {
    await demo.stop();
  });

  it('finds the demo org’s misconfigurations in a fixed number of requests', async () => {
    const run = await runCli(['connectedapp', 'audit'], { emulator: demo });
    expect(run.exitCode, run.stderr).to.equal(0);
    const r = result(run);
    expect(r.mode).to.equal('org');
    expect(ruleApps(run, 'CA001')).to.deep.equal(['Partner_Portal']);
    expect(ruleApps(run, 'CA401')).to.have.members(['Zapier', 'dataloader.io']);
    expect(ruleApps(run, 'CA403')).to.deep.equal(['Boomi_Integration']);
    expect(ruleApps(run, 'CA101')).to.include.members(['Outreach', 'Workato']);
    expect(ruleApps(run, 'CA302')).to.include('Legacy_Data_Loader');
    expect(r.summary.total).to.equal(r.findings.length);
    expect(r.findings.every((f) => f.message.length > 0 && f.title.length > 0)).to.be.true;
    // 3 inventory + ceil(apps / 10) metadata reads + about 10 optional sources.
    const apps = demo.org.table('ConnectedApplication').length;
    const own = ownRequests(run);
    expect(own.length).to.be.at.most(3 + Math.ceil(apps / 10) + 12);
  });

  it('counts API calls per app from the ApiTotalUsage event logs in the window', async () => {
    // The demo org's logs are a week up to its own clock (2026-11-20); 30 days from today reaches them.
    const run = await runCli(['connectedapp', 'audit', '--event-log-days', '30', '--rule', 'lifecycle'], { emulator: demo });
    expect(run.exitCode, run.stderr).to.equal(0);
    const elf = result(run).coverage.find((c) => c.source === 'EventLogFile:ApiTotalUsage');
    expect(elf?.status).to.equal('used');
    expect(run.requests.filter((r) => r.path.endsWith('/LogFile')).length).to.be.greaterThan(0);
    const zapier = result(run).findings.find((f) => f.ruleId.startsWith('CA401') && f.app === 'Zapier');
    expect(zapier?.evidence.apiCalls).to.be.a('number').and.greaterThan(0);
    const off = await runCli(['connectedapp', 'audit', '--event-log-days', '0', '--rule', 'lifecycle'], { emulator: demo });
    expect(off.requests.filter((r) => /EventLogFile/.test(r.soql ?? r.path))).to.deep.equal([]);
  });

  it('handles app and user names with quotes, backslashes and non-ASCII characters (SOQL escaping)', async () => {
    const { scenario } = loadScenario('demo');
    const name = `Zoë's "Sync" \\ Tool`;
    scenario.connectedApps?.push({ name: 'Zoe_Sync', label: name, installed: false });
    scenario.users?.push({ username: "o'brien.zoë@northwind.example.com", profile: 'Standard User' });
    scenario.oauthTokens?.push({ app: name, users: ["o'brien.zoë@northwind.example.com"], count: 2, lastUsedDaysAgo: [0, 3] });
    const odd = await start({ scenario, scenarioDir: SCENARIO_DIR });
    try {
      const run = await runCli(['connectedapp', 'audit', '--rule', 'CA401'], { emulator: odd });
      expect(run.exitCode, run.stderr).to.equal(0);
      const finding = result(run).findings.find((f) => f.app === name);
      expect(finding?.evidence.holders).to.deep.equal(["o'brien.zoë@northwind.example.com"]);
      expect(run.requests.filter((r) => r.status === 400)).to.deep.equal([]);
    } finally {
      await odd.stop();
    }
  });

  it('gates CI with --fail-on (exit 3, findings in the error data) and accepts a baseline', async () => {
    const gate = await runCli(['connectedapp', 'audit', '--fail-on', 'high'], { emulator: demo });
    expect(gate.exitCode).to.equal(3);
    expect(gate.json?.name).to.equal('GateError');
    expect(result(gate).gateFailed).to.equal(true);

    const dir = mkdtempSync(join(tmpdir(), 'ca-audit-'));
    const baseline = join(dir, 'baseline.json');
    const write = await runCli(['connectedapp', 'audit', '--write-baseline', baseline], { emulator: demo });
    expect(write.exitCode, write.stderr).to.equal(0);
    const accepted = await runCli(['connectedapp', 'audit', '--baseline', baseline, '--fail-on', 'info'], { emulator: demo });
    expect(accepted.exitCode, accepted.stderr).to.equal(0);
    expect(result(accepted).findings).to.deep.equal([]);
    expect(result(accepted).suppressed).to.equal(result(write).findings.length);
  });

  it('runs only the selected rules and apps, and rejects unknown rule ids', async () => {
    const some = await runCli(['connectedapp', 'audit', '--rule', 'permitted-users', '--name', 'Partner_Portal'], { emulator: demo });
    expect(some.exitCode, some.stderr).to.equal(0);
    expect(new Set(result(some).findings.map((f) => f.app))).to.deep.equal(new Set(['Partner_Portal']));
    expect(result(some).findings.every((f) => f.ruleId.startsWith('CA0'))).to.be.true;
    const bad = await runCli(['connectedapp', 'audit', '--rule', 'CA999'], { emulator: demo });
    expect(bad.exitCode).to.equal(1);
    expect(bad.json?.actions?.join(' ')).to.include('CA001');
    expect(bad.requests.filter((r) => r.soapOperation === 'readMetadata')).to.deep.equal([]);
  });

  it('writes SARIF, JUnit, CSV and Markdown reports without secrets', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ca-audit-out-'));
    for (const format of ['sarif', 'junit', 'csv', 'markdown']) {
      const file = join(dir, `report.${format}`);
      const run = await runCli(['connectedapp', 'audit', '--result-format', format, '--output-file', file], { emulator: demo });
      expect(run.exitCode, run.stderr).to.equal(0);
      const text = readFileSync(file, 'utf8');
      expect(text, format).to.include('Partner_Portal');
      expect(text, format).to.not.include(demo.accessToken);
      if (format === 'sarif') expect((JSON.parse(text) as { version: string }).version).to.equal('2.1.0');
      if (format === 'junit') expect(parseXml(text).root.name).to.equal('testsuites');
    }
  });

  it('completes after transient 503s, and stops with next steps on REQUEST_LIMIT_EXCEEDED', async () => {
    const flaky = await start({ scenario: 'demo', faults: [{ soql: /FROM OauthToken/, kind: 'error', status: 503 }, { soapOperation: 'readMetadata', kind: 'error', status: 503 }] });
    try {
      const run = await runCli(['connectedapp', 'audit'], { emulator: flaky });
      expect(run.exitCode, run.stderr).to.equal(0);
      expect(ruleApps(run, 'CA401')).to.have.members(['Zapier', 'dataloader.io']);
      expect(run.requests.filter((r) => r.status >= 500).length).to.equal(2);
    } finally {
      await flaky.stop();
    }
    const limited = await start({ scenario: 'demo', faults: [{ soql: /FROM SetupEntityAccess/, kind: 'error', errorCode: 'REQUEST_LIMIT_EXCEEDED', times: -1 }] });
    try {
      const run = await runCli(['connectedapp', 'audit'], { emulator: limited });
      expect(run.exitCode).to.equal(1);
      expect(run.json?.name).to.equal('RequestLimitExceededError');
      expect(run.json?.actions?.join(' ')).to.include('24-hour');
    } finally {
      await limited.stop();
    }
  });

  it('turns a refused optional source into a coverage note, never a failure or a false "unused"', async () => {
    const refused = await start({
      scenario: 'demo',
      faults: [
        { soql: /FROM OauthToken/, kind: 'error', errorCode: 'INSUFFICIENT_ACCESS', times: -1 },
        { soql: /FROM LoginHistory/, kind: 'error', errorCode: 'INSUFFICIENT_ACCESS', times: -1 },
      ],
    });
    try {
      const run = await runCli(['connectedapp', 'audit'], { emulator: refused });
      expect(run.exitCode, run.stderr).to.equal(0);
      const coverage = result(run).coverage;
      expect(coverage.find((c) => c.source === 'OauthToken')?.status).to.equal('no-permission');
      expect(coverage.find((c) => c.source === 'LoginHistory')?.status).to.equal('no-permission');
      expect(ruleApps(run, 'CA402')).to.deep.equal([]);
      expect(result(run).notEvaluated.map((n) => n.ruleId)).to.include('CA402-unused-app');
    } finally {
      await refused.stop();
    }
  });
});

describe('connectedapp audit against source (e2e)', function () {
  this.timeout(180_000);
  let emulator: Emulator;
  before(async () => {
    await ensureBuilt();
    emulator = await start({ scenario: 'demo' });
  });
  after(async () => {
    await emulator.stop();
  });

  it('reads sfdx-project.json package directories by default and checks names against a target org', async () => {
    const project = mkdtempSync(join(tmpdir(), 'ca-project-'));
    const apps = join(project, 'force-app', 'main', 'default', 'connectedApps');
    mkdirSync(apps, { recursive: true });
    writeFileSync(join(project, 'sfdx-project.json'), JSON.stringify({ packageDirectories: [{ path: 'force-app', default: true }] }));
    const demoApp = join(REPO_ROOT, 'test', 'emulator', 'scenarios', 'demo');
    cpSync(join(demoApp, 'Jenkins_CI.connectedApp-meta.xml'), join(apps, 'Jenkins_CI.connectedApp-meta.xml'));
    writeFileSync(
      join(apps, 'Ghost.connectedApp-meta.xml'),
      '<?xml version="1.0" encoding="UTF-8"?>\n<ConnectedApp xmlns="http://soap.sforce.com/2006/04/metadata">\n    <contactEmail>a@example.com</contactEmail>\n    <label>Ghost</label>\n    <oauthConfig>\n        <callbackUrl>https://example.com/cb</callbackUrl>\n        <consumerSecret>TopSecretValue123456</consumerSecret>\n        <isAdminApproved>true</isAdminApproved>\n        <scopes>Api</scopes>\n    </oauthConfig>\n    <profileName>No Such Profile</profileName>\n</ConnectedApp>\n'
    );
    const offline = await runCli(['connectedapp', 'audit'], { emulator, targetOrg: false, cwd: project });
    expect(offline.exitCode, offline.stderr).to.equal(0);
    expect(ruleApps(offline, 'CA504')).to.deep.equal(['Ghost']);
    expect(offline.stdout).to.not.include('TopSecretValue123456');
    expect(offline.requests).to.deep.equal([]);

    const checked = await runCli(['connectedapp', 'audit', '--source-dir', 'force-app'], { emulator, cwd: project });
    expect(checked.exitCode, checked.stderr).to.equal(0);
    const missing = result(checked).findings.find((f) => f.ruleId.startsWith('CA505'));
    expect(missing?.evidence.missing).to.deep.equal(['No Such Profile']);
    expect(missing?.file).to.match(/Ghost\.connectedApp-meta\.xml$/);

    const sarif = join(project, 'out.sarif');
    await runCli(['connectedapp', 'audit', '--source-dir', 'force-app', '--result-format', 'sarif', '--output-file', sarif], { emulator, targetOrg: false, cwd: project });
    const sarifText = readFileSync(sarif, 'utf8');
    expect(sarifText).to.not.include('TopSecretValue123456');
    expect(sarifText).to.include('force-app/main/default/connectedApps/Ghost.connectedApp-meta.xml');
  });

  it('says what to do when there is nothing to audit', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'ca-nothing-'));
    const run = await runCli(['connectedapp', 'audit'], { emulator, targetOrg: false, cwd: empty });
    expect(run.exitCode).to.equal(1);
    expect(run.json?.name).to.equal('NoTargetError');
    expect(run.json?.actions?.join(' ')).to.include('--source-dir');
  });
});

forEachDataSet('connectedapp audit against a folder of ConnectedApp sample files (e2e)', (set) => {
  it('audits every file without crashing, citing file and line', async function () {
    this.timeout(180_000);
    await ensureBuilt();
    const emulator = await start({ scenario: 'empty' });
    try {
      const run = await runCli(['connectedapp', 'audit', '--source-dir', set.dir('connected-apps')], { emulator, targetOrg: false });
      expect(run.exitCode, run.stderr).to.equal(0);
      const r = result(run);
      expect(r.mode).to.equal('source');
      const broken = r.findings.filter((f) => f.ruleId.startsWith('CA503'));
      expect(broken.map((f) => [f.file?.split('/').pop(), f.line])).to.deep.equal(Object.entries(set.malformedConnectedApps));
      expect(r.findings.filter((f) => f.ruleId !== 'CA503-file-parse-error').every((f) => f.file !== null && (f.line ?? 0) >= 1)).to.be.true;
      // Rules that need the org are listed as not evaluated, not passed.
      expect(r.notEvaluated.map((n) => n.ruleId)).to.include.members(['CA401-uninstalled-app-in-use', 'CA402-unused-app']);
      // A few pinned findings.
      const at = (file: string): string[] => r.findings.filter((f) => f.file?.endsWith(file)).map((f) => f.ruleId.slice(0, 5));
      expect(at(SOURCE_PINS[set.name].duplicates)).to.include('CA501');
      expect(at(SOURCE_PINS[set.name].jwtApp).length).to.be.greaterThan(0);
    } finally {
      await emulator.stop();
    }
  });
});
