/*
 * The last review points of issue 15 (External Client Apps), end to end through the org emulator's demo org, which
 * holds connected apps (Jenkins_CI …) and External Client Apps (Partner_Quoting …).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { start, type Emulator } from '../emulator/index.js';
import { ensureBuilt, runCli } from './harness.js';
import type { ConnectedAppPolicySetResult } from '../../src/commands/connectedapp/policy/set.js';
import type { ConnectedAppAuditResult } from '../../src/commands/connectedapp/audit.js';

const ECA_GLOBAL_REASON = 'of an External Client App is in its global OAuth settings';

describe('External Client Apps: review polish (e2e through the org emulator)', function () {
  this.timeout(180_000);
  let demo: Emulator;
  before(async () => {
    await ensureBuilt();
    demo = await start({ scenario: 'demo' });
  });
  after(async () => demo.stop());

  describe('a name of the other kind under --type', () => {
    const ECA_HINT = '"Partner_Quoting" names no connected app; it is the external client app Partner_Quoting';
    const CA_HINT = '"Jenkins_CI" names no external client app; it is the connected app Jenkins_CI';
    const cases: Array<{ args: string[]; hint: string; exitCode: number }> = [
      // --type connected-app reads no ECA until a name is unknown: then their names are read to say which is one.
      { args: ['policy', 'show', '--name', 'Partner_Quoting', '--type', 'connected-app'], hint: ECA_HINT, exitCode: 1 },
      { args: ['policy', 'show', '--name', 'Jenkins_CI', '--type', 'external-client-app'], hint: CA_HINT, exitCode: 1 },
      { args: ['policy', 'set', '--name', 'Partner_Quoting', '--type', 'connected-app', '--ip-relaxation', 'enforce', '--dry-run'], hint: ECA_HINT, exitCode: 1 },
      { args: ['doctor', '--name', 'Partner_Quoting', '--type', 'connected-app'], hint: ECA_HINT, exitCode: 2 },
      { args: ['list', '--name', 'Partner_Quoting', '--type', 'connected-app'], hint: ECA_HINT, exitCode: 1 },
      { args: ['assign', '--name', 'Jenkins_CI', '--type', 'external-client-app', '--permission-set', 'API_Access', '--dry-run'], hint: CA_HINT, exitCode: 1 },
      { args: ['usage', '--name', 'Partner_Quoting', '--type', 'connected-app', '--source', 'tokens'], hint: ECA_HINT, exitCode: 1 },
      { args: ['audit', '--name', 'Partner_Quoting', '--type', 'connected-app', '--event-log-days', '0'], hint: ECA_HINT, exitCode: 1 },
    ];
    for (const c of cases) {
      it(`${c.args.join(' ')}: says which app of the other kind it is and the --type to use`, async () => {
        const run = await runCli(['connectedapp', ...c.args], { emulator: demo });
        expect(run.exitCode, run.stderr).to.equal(c.exitCode);
        expect(run.json?.name).to.equal('UnknownAppError');
        expect(run.json?.message).to.match(/^No (connected app|external client app) in the org is named "/);
        expect(run.json?.actions?.[0]).to.include(c.hint).and.match(/Use --type (external-client-app|connected-app) .*, or leave the type out\.$/);
      });
    }

    it('revoke warns the same way (an unknown name is a warning there)', async () => {
      const run = await runCli(['connectedapp', 'revoke', '--name', 'Partner_Quoting', '--type', 'connected-app', '--dry-run'], { emulator: demo });
      expect(run.exitCode, run.stderr).to.equal(0);
      expect(run.json?.warnings?.join(' ')).to.include(ECA_HINT).and.not.include('did you mean: Partner_Quoting');
    });
  });

  describe('policy set --pkce / --refresh-token-rotation on an ECA', () => {
    for (const flag of ['--pkce', '--refresh-token-rotation']) {
      it(`${flag}: the table cell stays short and the reason is printed once under the table; --json keeps it whole`, async () => {
        const args = ['connectedapp', 'policy', 'set', '--name', 'Partner_Quoting', flag, '--dry-run'];
        const human = await runCli(args, { emulator: demo, json: false });
        const lines = human.stdout.split('\n');
        const row = lines.find((l) => l.startsWith('Partner_Quoting '));
        expect(row, human.stdout).to.match(/see below\s+failed\s*$/);
        const reasons = lines.filter((l) => l.includes(ECA_GLOBAL_REASON));
        expect(reasons, human.stdout).to.have.length(1);
        expect(lines.indexOf(reasons[0])).to.be.greaterThan(lines.indexOf(row ?? ''));
        expect(reasons[0]).to.match(/^Partner_Quoting: ".+" of an External Client App is in its global OAuth settings \(ExtlClntAppGlobalOauthSettings\)/);

        const json = await runCli(args, { emulator: demo });
        const [result] = (json.json?.result as ConnectedAppPolicySetResult).results;
        expect([result.status, result.errorCode]).to.deep.equal(['failed', 'EcaGlobalSetting']);
        expect(result.message).to.include(ECA_GLOBAL_REASON).and.include('not edited by policy set');
      });
    }
  });

  describe('audit --json', () => {
    it('gives each ECA finding the External Client App Manager steps the other reports show; connected-app findings are as before', async () => {
      const run = await runCli(['connectedapp', 'audit', '--name', 'Partner_Quoting', '--name', 'Jenkins_CI', '--event-log-days', '0'], { emulator: demo });
      const findings = (run.json?.result as ConnectedAppAuditResult).findings;
      const eca = findings.filter((f) => f.appType === 'external-client-app');
      expect(eca.length, run.stderr).to.be.greaterThan(0);
      for (const f of eca) {
        expect(f.setupSteps, f.ruleId).to.be.an('array').that.is.not.empty;
        expect(f.setupSteps?.join(' '), f.ruleId).to.include('External Client App Manager > Partner_Quoting');
      }
      const pkce = eca.find((f) => f.ruleId === 'CA303-public-client-no-pkce');
      expect(pkce?.setupSteps?.[0]).to.include('Settings > Edit > OAuth Settings > Security: Require Proof Key for Code Exchange (PKCE)');
      const connected = findings.filter((f) => f.app === 'Jenkins_CI');
      expect(connected.length).to.be.greaterThan(0);
      for (const f of connected) expect(f, f.ruleId).to.not.have.property('setupSteps');
      // The human report shows the same steps.
      const human = await runCli(['connectedapp', 'audit', '--name', 'Partner_Quoting', '--event-log-days', '0'], { emulator: demo, json: false });
      expect(human.stdout.replace(/\s+/g, ' ')).to.include(pkce?.setupSteps?.[0].split(':')[0]);
    });
  });

  describe('a desired-state entry\'s "type"', () => {
    const file = (apps: unknown[]): string => {
      const path = join(mkdtempSync(join(tmpdir(), 'ca-eca-review-')), 'desired.json');
      writeFileSync(path, JSON.stringify({ apps }));
      return path;
    };

    it('narrows its name as --type does: the wrong kind is refused with the type to use; the right one is applied (--check)', async () => {
      const wrong = await runCli(['connectedapp', 'policy', 'set', '--file', file([{ app: 'Partner_Quoting', type: 'connected-app', policy: { ipRelaxation: 'enforce' } }]), '--check'], { emulator: demo });
      expect(wrong.exitCode, wrong.stderr).to.equal(1);
      expect(wrong.json?.message).to.equal('No connected app in the org is named "Partner_Quoting".');
      expect(wrong.json?.actions?.[0]).to.include('it is the external client app Partner_Quoting').and.include('"type": "external-client-app"');

      const right = await runCli(['connectedapp', 'policy', 'set', '--file', file([{ app: 'Partner_Quoting', type: 'external-client-app', policy: { ipRelaxation: 'enforce' } }]), '--check'], { emulator: demo });
      expect(right.exitCode, right.stderr).to.equal(3);
      const [result] = (right.json?.result as ConnectedAppPolicySetResult).results;
      expect([result.appId.slice(0, 3), result.status]).to.deep.equal(['0xI', 'would-update']);
    });

    it('is refused when unknown (naming the entry and its app) or when --type says the other kind; assign reads it too', async () => {
      const unknown = await runCli(['connectedapp', 'assign', '--file', file([{ app: 'Jenkins_CI', type: 'eca', permissionSets: ['API_Access'] }]), '--dry-run'], { emulator: demo });
      expect(unknown.exitCode).to.equal(1);
      expect(unknown.json?.message).to.include('$.apps[0].type: unknown-type ("eca" for "Jenkins_CI"; use "connected-app" or "external-client-app")');

      const clash = await runCli(['connectedapp', 'assign', '--file', file([{ app: 'Jenkins_CI', type: 'connected-app', permissionSets: ['API_Access'] }]), '--type', 'external-client-app', '--dry-run'], { emulator: demo });
      expect(clash.exitCode).to.equal(2);
      expect(clash.json?.message).to.include('entries name the other kind of app than --type external-client-app: $.apps[0] ("Jenkins_CI") says "type": "connected-app"');

      const wrong = await runCli(['connectedapp', 'assign', '--file', file([{ app: 'Jenkins_CI', type: 'external-client-app', permissionSets: ['API_Access'] }]), '--dry-run'], { emulator: demo });
      expect(wrong.exitCode).to.equal(1);
      expect(wrong.json?.actions?.[0]).to.include('"Jenkins_CI" names no external client app; it is the connected app Jenkins_CI');
    });
  });

  describe('restore of an app whose policy is as in the snapshot', () => {
    const cases = [
      { app: 'Partner_Quoting', compared: /^Compared with the snapshot, all the same: .*permittedUsersPolicyType.*refreshTokenPolicyType.* \(ExtlClntAppOauthConfigurablePolicies\); /m },
      { app: 'Jenkins_CI', compared: /^Compared with the snapshot, all the same: oauthConfig\.isAdminApproved.*oauthPolicy, sessionPolicy \(ConnectedApp\); its 1 grant\(s\) are in the table above/m },
    ];
    for (const c of cases) {
      it(`${c.app}: the unchanged row says "as in the snapshot" and the line under it what was compared`, async () => {
        const org = await start({ scenario: 'demo' });
        try {
          const snapshot = join(mkdtempSync(join(tmpdir(), 'ca-eca-review-')), 'snapshot.json');
          const contained = await runCli(['connectedapp', 'contain', '--name', c.app, '--snapshot-file', snapshot], { emulator: org });
          expect(contained.exitCode, contained.stderr).to.equal(0);
          const first = await runCli(['connectedapp', 'restore', '--snapshot-file', snapshot], { emulator: org });
          expect(first.exitCode, first.stderr).to.equal(0);
          const again = await runCli(['connectedapp', 'restore', '--snapshot-file', snapshot], { emulator: org, json: false });
          expect(again.exitCode, again.stderr).to.equal(0);
          expect(again.stdout).to.match(/^Policy\s+as in the snapshot\s+unchanged\s*$/m);
          expect(again.stdout).to.match(c.compared);
        } finally {
          await org.stop();
        }
      });
    }
  });
});
