import { cpSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { loadScenario, SCENARIO_DIR, start, type Emulator } from '../emulator/index.js';
import { ensureBuilt, ownRequests, REPO_ROOT, runCli, type CliRun } from './harness.js';
import type { ConnectedAppAuditResult } from '../../src/commands/connectedapp/audit.js';
import { parseXml } from '../../src/domain/xml.js';
import { forEachDataSet } from '../data-sets.js';

const result = (run: CliRun): ConnectedAppAuditResult => run.json?.result as ConnectedAppAuditResult;
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
    // 3 inventory + ceil(apps / 10) metadata reads + about 12 optional sources + 2 describes (PermissionSet,
    // LoginIpRange) + 2 to know whether every user's tokens are visible (userinfo, Customize Application) + for
    // login IP ranges (the demo org has no LoginIpRange object) one Profile query, one listMetadata and the assigned
    // profiles' metadata, 10 a call.
    const apps = demo.org.table('ConnectedApplication').length;
    const profiles = new Set(demo.org.table('SetupEntityAccess').map((s) => demo.org.byId(String(s.ParentId))?.ProfileId).filter((id) => id)).size;
    // External Client Apps: 2 listMetadata + 5 types × ceil(ECAs / 10) readMetadata.
    const ecas = 2 + 5 * Math.ceil(demo.org.ecas.size / 10);
    const own = ownRequests(run);
    expect(own.length).to.be.at.most(3 + Math.ceil(apps / 10) + 18 + Math.ceil(profiles / 10) + ecas);
  });

  it('counts API calls per app from the ApiTotalUsage event logs in the window', async () => {
    // The demo org's logs are dated relative to today; as a free org it serves the last day's.
    const run = await runCli(['connectedapp', 'audit', '--event-log-days', '30', '--rule', 'lifecycle'], { emulator: demo });
    expect(run.exitCode, run.stderr).to.equal(0);
    const elf = result(run).coverage.find((c) => c.source === 'EventLogFile:ApiTotalUsage');
    // A day or two of a 30-day window: the calls read count as use, the coverage says the window is not covered.
    expect(elf?.status).to.equal('partial');
    expect(elf?.detail).to.match(/covers [12] of the 30 day\(s\)/);
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

  it('gates CI with --fail-on (exit 3, the whole result on stdout) and accepts a baseline', async () => {
    const gate = await runCli(['connectedapp', 'audit', '--fail-on', 'high'], { emulator: demo });
    expect(gate.exitCode).to.equal(3);
    expect(gate.json?.status).to.equal(3);
    expect(gate.json?.warnings?.join(' ')).to.match(/at or above "high"/);
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
    // An unknown rule is a flag error (exit 2), raised while the flags are read: nothing is sent.
    const bad = await runCli(['connectedapp', 'audit', '--rule', 'CA999'], { emulator: demo });
    expect(bad.exitCode).to.equal(2);
    expect(bad.json?.message).to.match(/--rule[\s\S]*CA999/);
    expect(bad.json?.actions?.join(' ')).to.include('CA001');
    expect(bad.requests).to.deep.equal([]);
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

describe('connectedapp audit: permission fields and login IP ranges, in orgs that have them and orgs that do not (e2e)', function () {
  this.timeout(180_000);
  before(async () => {
    await ensureBuilt();
  });
  const lacking = { 'PermissionSet.PermissionsCanApproveUninstalledApps': false, 'Profile.PermissionsCanApproveUninstalledApps': false };
  const audit = async (optionalSchema: Record<string, boolean>, faults: Parameters<typeof start>[0] = {}): Promise<{ run: CliRun; emulator: Emulator }> => {
    const emulator = await start({ scenario: 'demo', optionalSchema, ...faults });
    const run = await runCli(['connectedapp', 'audit'], { emulator });
    await emulator.stop();
    return { run, emulator };
  };
  const bad = (run: CliRun): string[] => run.requests.filter((r) => r.status === 400).map((r) => r.soql ?? r.path);

  it('with PermissionsCanApproveUninstalledApps: describes PermissionSet once and queries only fields it has', async () => {
    const { run } = await audit({});
    expect(run.exitCode, run.stderr).to.equal(0);
    expect(bad(run)).to.deep.equal([]);
    expect(run.requests.filter((r) => r.path.endsWith('/sobjects/PermissionSet/describe'))).to.have.length(1);
    expect(run.requests.some((r) => /ApproveUninstalledConnectedApps/.test(r.soql ?? ''))).to.be.false;
    const f404 = result(run).findings.find((f) => f.ruleId.startsWith('CA404'));
    expect(f404?.evidence).to.deep.include({ user: 'helpdesk.lead@northwind.example.com', permissions: ['CanApproveUninstalledApps'] });
    expect(result(run).findings.filter((f) => f.ruleId.startsWith('CA405')).map((f) => f.evidence.profile)).to.deep.equal(['System Administrator (Clone)']);
  });

  it('without it: reports the two rules as not evaluated, with the reason, and sends no query naming the field', async () => {
    const { run } = await audit(lacking);
    expect(run.exitCode, run.stderr).to.equal(0);
    expect(bad(run)).to.deep.equal([]);
    expect(run.requests.some((r) => /CanApproveUninstalledApps/.test(r.soql ?? ''))).to.be.false;
    const r = result(run);
    expect(r.findings.filter((f) => /^CA40[45]/.test(f.ruleId))).to.deep.equal([]);
    expect(r.notEvaluated.map((n) => n.ruleId)).to.include.members(['CA404-bypass-permission-non-admin', 'CA405-admin-profile-no-uninstalled-approval']);
    const note = r.coverage.find((c) => c.source === 'PermissionSetAssignment:privileged');
    expect(note).to.deep.include({ status: 'not-licensed', errorCode: 'INVALID_FIELD' });
    expect(note?.detail).to.include('PermissionsCanApproveUninstalledApps');
  });

  it('reads login IP ranges from Profile metadata (10 a call) where there is no LoginIpRange object, and from the object where describe shows it', async () => {
    const byMetadata = await audit({});
    const byObject = await audit({ LoginIpRange: true });
    for (const { run } of [byMetadata, byObject]) {
      expect(run.exitCode, run.stderr).to.equal(0);
      expect(bad(run)).to.deep.equal([]);
    }
    const ca103 = (run: CliRun): Array<string | null> => ruleApps(run, 'CA103').sort();
    // Tableau_Next is an External Client App, assigned to two profiles without login IP ranges.
    expect(ca103(byMetadata.run)).to.deep.equal(['Customer_Portal_Auth', 'Field_Sales_Mobile', 'ServiceNow_Connector', 'Tableau_Next']);
    expect(ca103(byObject.run)).to.deep.equal(ca103(byMetadata.run));
    expect(result(byMetadata.run).coverage.find((c) => c.source === 'readMetadata:Profile')?.status).to.equal('used');
    expect(result(byObject.run).coverage.find((c) => c.source === 'LoginIpRange')?.status).to.equal('used');
    // Every readMetadata but the connected apps' (10 a call) and the External Client Apps' (5 types, 10 a call).
    const org = byMetadata.emulator.org;
    const profileReads = (run: CliRun): number =>
      run.requests.filter((r) => r.soapOperation === 'readMetadata').length - Math.ceil(org.table('ConnectedApplication').length / 10) - 5 * Math.ceil(org.ecas.size / 10);
    // 47 assigned profiles in the demo: 5 calls of at most 10; none where the object answers.
    expect(profileReads(byMetadata.run)).to.equal(5);
    expect(profileReads(byObject.run)).to.equal(0);
    expect(byObject.run.requests.filter((r) => /FROM LoginIpRange/.test(r.soql ?? ''))).to.have.length(1);
  });

  it('reports CA103 as not evaluated, never passed, when profile metadata cannot be read', async () => {
    // The inventory's listMetadata (ConnectedApp) comes first; the second is the profiles' (Profile).
    const { run } = await audit({}, { faults: [{ soapOperation: 'listMetadata', nth: 2, times: -1, kind: 'error', errorCode: 'INSUFFICIENT_ACCESS' }] });
    expect(run.exitCode, run.stderr).to.equal(0);
    const r = result(run);
    expect(r.coverage.find((c) => c.source === 'readMetadata:Profile')?.status).to.equal('no-permission');
    expect(ruleApps(run, 'CA103')).to.deep.equal([]);
    expect(r.notEvaluated.map((n) => n.ruleId)).to.include('CA103-ip-enforce-no-profile-ranges');
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
    // Neither an org nor a source directory: wrong usage.
    expect(run.exitCode).to.equal(2);
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
