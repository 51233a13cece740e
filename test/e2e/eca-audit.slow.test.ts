/*
 * The audit of External Client Apps (review of issue 15):
 * - B3: an ECA finding's fixes are External Client App Manager steps, and its commands are ones `policy set` accepts
 *   for an ECA, with --type (no --pkce, no --refresh-token-rotation: those live beside the consumer secret).
 * - B5: in an org where a connected app and an ECA share a label, LoginHistory names an app, and OauthToken rows
 *   without an AppMenuItem carry a name too, so rows under a name two installed apps answer to cannot be told apart.
 *   They are credited to neither app: each one's evidence from that source is unknown (a coverage note names the
 *   shared label) and CA402 "unused" is not evaluated for them.
 */
import { expect } from 'chai';
import { start, type Emulator } from '../emulator/index.js';
import { findingCommands, findingSetup } from '../../src/renderers/audit/rule-docs.js';
import { ensureBuilt, runCli, type CliRun } from './harness.js';
import { ecaOrg, type EcaOrg } from './eca-scenario.js';

type Audit = {
  findings: Array<{ ruleId: string; app: string | null; appId: string | null; appType?: string; nameShared?: boolean; commands: string[] }>;
  notEvaluated: Array<{ ruleId: string; missing?: string[]; apps?: number }>;
  coverage: Array<{ source: string; status: string; detail?: string }>;
};
const auditOf = (run: CliRun): Audit => run.json?.result as Audit;
const code = (ruleId: string): string => ruleId.split('-')[0];

/**
 * Jenkins_CI: a connected app and an ECA, both labelled "Jenkins CI"; the connected app's logins are the only ones.
 * "Shared Label": a connected app and an ECA; the ECA holds tokens (no AppMenuItem, GUESSES.md E10).
 * Quiet_ECA: nobody uses it (CA402 must still fire). Vendor_Sync: an ECA in use, label its own.
 */
function sharedLabelOrg(): EcaOrg {
  const org = ecaOrg(
    [
      { name: 'Jenkins_CI', label: 'Jenkins CI', permissionSets: ['Integration_PS'] },
      { name: 'Twin_ECA', label: 'Shared Label', permissionSets: ['Integration_PS'] },
      { name: 'Quiet_ECA', label: 'Quiet ECA', permissionSets: ['Integration_PS'] },
      { name: 'Vendor_Sync', label: 'Vendor Sync', permissionSets: ['Integration_PS'] },
    ],
    [
      { name: 'Jenkins_CI', label: 'Jenkins CI', permissionSets: ['Integration_PS'] },
      { name: 'Twin_App', label: 'Shared Label', permissionSets: ['Integration_PS'] },
    ]
  );
  org.scenario.loginHistory = [{ count: 30, users: ['ivy@eca.example.com'], application: 'Jenkins CI', loginType: 'Remote Access 2.0', loginSubType: 'OauthRefreshToken', withinDays: 10 }];
  org.scenario.oauthTokens = [
    { app: 'Twin_ECA', user: 'ivy@eca.example.com', lastUsedDaysAgo: 2 },
    { app: 'Vendor_Sync', user: 'rob@eca.example.com', lastUsedDaysAgo: 2 },
  ];
  return org;
}

describe('audit when a connected app and an External Client App share a label (e2e through the org emulator)', function () {
  this.timeout(180_000);
  let org: EcaOrg;
  let emulator: Emulator;
  before(async () => {
    await ensureBuilt();
    org = sharedLabelOrg();
    emulator = await start({ scenario: org.scenario, scenarioDir: org.scenarioDir });
  });
  after(async () => {
    await emulator.stop();
    org.cleanup();
  });
  const ecaId = (name: string): string => emulator.org.ecaByName(name)?.id ?? '';
  const ca402Ids = (audit: Audit): string[] => audit.findings.filter((f) => code(f.ruleId) === 'CA402').map((f) => f.appId ?? '');
  const ca402NotEvaluated = (audit: Audit, evidence: string): number =>
    audit.notEvaluated.filter((n) => code(n.ruleId) === 'CA402' && (n.missing ?? []).includes(evidence)).reduce((sum, n) => sum + (n.apps ?? 0), 0);

  it("credits neither app with logins or tokens under the shared label: their use is unknown, not someone else's", async () => {
    const run = await runCli(['connectedapp', 'audit', '--rule', 'CA402'], { emulator });
    expect(run.exitCode, run.stderr).to.equal(0);
    const audit = auditOf(run);
    // The quiet ECA is still called unused; the twins are neither passed nor called unused.
    expect(ca402Ids(audit)).to.include(ecaId('Quiet_ECA'));
    expect(ca402Ids(audit)).not.to.include.members([ecaId('Jenkins_CI'), ecaId('Twin_ECA')]);
    // Both Jenkins_CI apps lack login evidence; both "Shared Label" apps lack token evidence.
    expect(ca402NotEvaluated(audit, 'logins')).to.equal(2);
    expect(ca402NotEvaluated(audit, 'tokens')).to.equal(2);
    const logins = audit.coverage.find((c) => c.source === 'LoginHistory:shared-name');
    expect(logins?.status).to.equal('partial');
    expect(logins?.detail).to.include('"Jenkins CI"').and.include('Jenkins_CI (connected app)').and.include('Jenkins_CI (External Client App)');
    const tokens = audit.coverage.find((c) => c.source === 'OauthToken:shared-name');
    expect(tokens?.status).to.equal('partial');
    expect(tokens?.detail).to.include('"Shared Label"').and.include('Twin_App (connected app)').and.include('Twin_ECA (External Client App)');
    // The plain LoginHistory and OauthToken reads are whole: other apps are judged as before.
    expect(audit.coverage.find((c) => c.source === 'LoginHistory')?.status).to.equal('used');
  });

  it('--name of the ECA: its logins are unknown, so CA402 is not evaluated for it (and says why in the coverage)', async () => {
    const run = await runCli(['connectedapp', 'audit', '--rule', 'CA402', '--name', 'Jenkins_CI', '--type', 'external-client-app'], { emulator });
    expect(run.exitCode, run.stderr).to.equal(0);
    const audit = auditOf(run);
    expect(ca402Ids(audit)).to.deep.equal([]);
    expect(ca402NotEvaluated(audit, 'logins')).to.equal(1);
    expect(audit.coverage.find((c) => c.source === 'LoginHistory:shared-name')?.detail).to.include('"Jenkins CI"');
    expect(audit.coverage.find((c) => c.source === 'OauthToken:shared-name')).to.equal(undefined);
  });

  it('names the kind in the commands of both apps that answer to one name (else they would be refused as ambiguous)', async () => {
    const run = await runCli(['connectedapp', 'audit', '--name', 'Jenkins_CI', '--type', 'connected-app'], { emulator });
    expect(run.exitCode, run.stderr).to.equal(0);
    const findings = auditOf(run).findings.filter((f) => f.commands.length > 0);
    expect(findings.length).to.be.greaterThan(0);
    for (const f of findings) {
      expect(f.nameShared).to.equal(true);
      for (const command of f.commands) expect(command).to.include('--name Jenkins_CI --type connected-app');
    }
    const ecaRun = await runCli(['connectedapp', 'audit', '--name', 'Jenkins_CI', '--type', 'external-client-app'], { emulator });
    for (const command of auditOf(ecaRun).findings.flatMap((f) => f.commands)) expect(command).to.include('--name Jenkins_CI --type external-client-app');
  });

  it('--type connected-app still knows the ECAs by name: no ECA credited to a connected app, none reported as an uninstalled app', async () => {
    const run = await runCli(['connectedapp', 'audit', '--type', 'connected-app', '--rule', 'CA401', '--rule', 'CA402'], { emulator });
    expect(run.exitCode, run.stderr).to.equal(0);
    const audit = auditOf(run);
    expect(audit.findings.filter((f) => code(f.ruleId) === 'CA401').map((f) => f.app)).to.deep.equal([]);
    expect(audit.findings.every((f) => !f.appId || !f.appId.startsWith('0xI'))).to.equal(true);
    // Jenkins_CI (connected app) and Twin_App: not passed on the ECAs' use.
    expect(ca402NotEvaluated(audit, 'logins')).to.equal(1);
    expect(ca402NotEvaluated(audit, 'tokens')).to.equal(1);
  });
});

describe('audit fixes for External Client Apps (e2e through the org emulator, demo org)', function () {
  this.timeout(180_000);
  let demo: Emulator;
  before(async () => {
    await ensureBuilt();
    demo = await start({ scenario: 'demo' });
  });
  after(async () => demo.stop());

  it('suggests only commands policy set accepts for an ECA (each runs as a dry run), with --type, and External Client App Manager steps', async () => {
    const run = await runCli(['connectedapp', 'audit', '--type', 'external-client-app'], { emulator: demo });
    expect(run.exitCode, run.stderr).to.equal(0);
    const findings = auditOf(run).findings.filter((f) => f.app === 'Partner_Quoting');
    expect(findings.map((f) => code(f.ruleId))).to.include.members(['CA303', 'CA203']);
    expect(findings.every((f) => f.appType === 'external-client-app')).to.equal(true);
    const commands = findings.flatMap((f) => f.commands);
    expect(commands.length).to.be.greaterThan(0);
    expect(commands.join('\n')).to.not.match(/--pkce|--refresh-token-rotation/);
    for (const command of commands) expect(command, command).to.include('--name Partner_Quoting --type external-client-app');
    // What the audit suggests, the plugin does for an ECA: every policy set command passes as a dry run, or stops at
    // the lockout guard (the finding's assign command comes first) — never refused for the kind, never ambiguous.
    for (const command of commands.filter((c) => c.startsWith('sf connectedapp policy set '))) {
      const args = command.replace(/^sf /, '').split(' ');
      const dry = await runCli([...args, '--dry-run'], { emulator: demo });
      if (dry.exitCode !== 0) expect(dry.json?.name, `${command}: ${String(dry.json?.message)}`).to.equal('LockoutError');
    }
    // PKCE and rotation: where to do it instead.
    for (const rule of ['CA303', 'CA203']) {
      const f = findings.find((x) => code(x.ruleId) === rule);
      expect(f?.commands, rule).to.deep.equal([]);
      expect(findingSetup({ ruleId: f?.ruleId ?? '', app: 'Partner_Quoting', appType: 'external-client-app' }).join(' '), rule).to.include(
        'Setup > External Client App Manager > Partner_Quoting > Settings > Edit > OAuth Settings > Security'
      );
    }

    const human = await runCli(['connectedapp', 'audit', '--type', 'external-client-app'], { emulator: demo, json: false });
    expect(human.exitCode, human.stderr).to.equal(0);
    const text = human.stdout.replace(/\u001b\[[0-9;]*m/g, '').replace(/\s+/g, ' ');
    expect(text).to.include('ECA fix: ');
    expect(text).to.include('Setup > External Client App Manager > Partner_Quoting >');
    // Only ECAs in this report: no connected-app Setup path anywhere in it.
    expect(text).to.not.include('Setup > App Manager');
    expect(text).to.not.match(/--pkce|--refresh-token-rotation/);
  });

  it('a connected app keeps its App Manager steps and commands', async () => {
    const run = await runCli(['connectedapp', 'audit', '--type', 'connected-app', '--name', 'Jenkins_CI'], { emulator: demo });
    expect(run.exitCode, run.stderr).to.equal(0);
    const findings = auditOf(run).findings.filter((f) => f.app !== null);
    expect(findings.length).to.be.greaterThan(0);
    for (const f of findings) {
      expect(f.appType, JSON.stringify(f)).to.equal('connected-app');
      expect(f.commands).to.deep.equal(findingCommands({ ruleId: f.ruleId, app: f.app, appType: 'connected-app' }));
      for (const command of f.commands) expect(command).to.not.include('--type');
    }
  });
});
