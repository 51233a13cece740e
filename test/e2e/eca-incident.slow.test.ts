/*
 * Incident response on External Client Apps (issue 15): revoke, contain and restore, end to end through the org
 * emulator, in an org holding both kinds of app. What an ECA's tokens carry in OauthToken.AppName is a guess
 * (GUESSES.md E10): the tests run under both answers (label, API name).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { start, type Emulator } from '../emulator/index.js';
import type { ConnectedAppContainResult } from '../../src/commands/connectedapp/contain.js';
import type { ConnectedAppRestoreResult } from '../../src/commands/connectedapp/restore.js';
import type { ConnectedAppRevokeResult } from '../../src/commands/connectedapp/revoke.js';
import { parseSnapshot } from '../../src/domain/incident/snapshot.js';
import { ensureBuilt, runCli, type CliRun } from './harness.js';
import { ecaOrg, type EcaOrg } from './eca-scenario.js';

const POLICIES = 'ExtlClntAppOauthConfigurablePolicies';
const revoked = (run: CliRun): ConnectedAppRevokeResult => run.json?.result as ConnectedAppRevokeResult;
const contained = (run: CliRun): ConnectedAppContainResult => run.json?.result as ConnectedAppContainResult;
const restored = (run: CliRun): ConnectedAppRestoreResult => run.json?.result as ConnectedAppRestoreResult;
const steps = (run: CliRun): Array<[string, string]> => contained(run).steps.map((s) => [s.step, s.status]);
/** Requests that change the org. */
const writes = (run: CliRun): string[] =>
  run.requests
    .filter((r) => r.path === '/services/oauth2/revoke' || r.method === 'DELETE' || (r.method === 'POST' && /composite|sobjects/.test(r.path)) || r.soapOperation === 'updateMetadata')
    .map((r) => `${r.method} ${r.soapOperation ?? r.path}`);

/** An org with two ECAs holding tokens, a quiet ECA, and connected apps (one shares an ECA's label, one its API name). */
function incidentOrg(tokenAppName: 'label' | 'apiName'): EcaOrg {
  const org = ecaOrg(
    [
      { name: 'Vendor_Sync', label: 'Vendor Sync', permittedUsers: 'AllSelfAuthorized', permissionSets: ['Integration_PS', 'Reporting_PS'] },
      { name: 'Quiet_ECA', label: 'Quiet ECA' },
      { name: 'Twin_ECA', label: 'Shared Label', permissionSets: ['Integration_PS'] },
      { name: 'Jenkins_CI', label: 'Jenkins via ECA' },
    ],
    [
      { name: 'Jenkins_CI', label: 'Jenkins CI' },
      { name: 'Twin_App', label: 'Shared Label' },
    ]
  );
  org.scenario.org.ecaTokenAppName = tokenAppName;
  org.scenario.oauthTokens = [
    { app: 'Vendor_Sync', users: ['ivy@eca.example.com', 'rob@eca.example.com'], perUser: 2 },
    { app: 'Jenkins_CI', user: 'admin@eca.example.com' }, // the connected app: a scenario name is a connected app's first
    { app: 'Twin_ECA', user: 'ivy@eca.example.com' },
  ];
  return org;
}

describe('revoke, contain and restore on External Client Apps (e2e through the org emulator)', function () {
  this.timeout(240_000);
  before(async () => {
    await ensureBuilt();
  });

  for (const tokenAppName of ['label', 'apiName'] as const) {
    describe(`when an ECA's tokens carry its ${tokenAppName === 'label' ? 'label (the guess)' : 'API name (the other answer)'}`, () => {
      let org: EcaOrg;
      let emulator: Emulator;
      let dir: string;
      beforeEach(async () => {
        org = incidentOrg(tokenAppName);
        emulator = await start({ scenario: org.scenario, scenarioDir: org.scenarioDir });
        dir = mkdtempSync(join(tmpdir(), 'ca-eca-incident-'));
      });
      afterEach(async () => {
        await emulator.stop();
        org.cleanup();
        rmSync(dir, { recursive: true, force: true });
      });
      const vendorName = tokenAppName === 'label' ? 'Vendor Sync' : 'Vendor_Sync';
      const tokensOf = (appName: string): number => emulator.org.table('OauthToken').filter((t) => t.AppName === appName).length;
      const ecaId = (name: string): string => emulator.org.ecaByName(name)?.id ?? '';
      const seaOf = (name: string): string[] =>
        emulator.org
          .table('SetupEntityAccess')
          .filter((r) => r.SetupEntityId === ecaId(name))
          .map((r) => r.ParentId as string)
          .sort();
      const policies = (name: string): Record<string, unknown> => structuredClone(emulator.org.ecaByName(name)?.components.get(POLICIES)?.body ?? {});

      it('revoke lists (--dry-run) and revokes every token of an ECA by its API name, verified; the connected apps keep theirs; again is nothing to do', async () => {
        expect(tokensOf(vendorName)).to.equal(4);
        const dry = await runCli(['connectedapp', 'revoke', '--name', 'Vendor_Sync', '--dry-run'], { emulator });
        expect(dry.exitCode, dry.stderr).to.equal(0);
        expect(revoked(dry).apps).to.deep.equal([{ name: 'Vendor Sync', appId: ecaId('Vendor_Sync'), apiName: 'Vendor_Sync', installed: true, type: 'external-client-app' }]);
        expect(revoked(dry).tokens.map((t) => [t.app, t.status])).to.deep.equal(Array.from({ length: 4 }, () => [vendorName, 'would-revoke']));
        expect(writes(dry)).to.deep.equal([]);

        const run = await runCli(['connectedapp', 'revoke', '--name', 'Vendor_Sync'], { emulator });
        expect(run.exitCode, run.stderr).to.equal(0);
        expect(revoked(run).tokens.map((t) => [t.status, t.verified])).to.deep.equal(Array.from({ length: 4 }, () => ['revoked', true]));
        expect(tokensOf(vendorName)).to.equal(0);
        expect(tokensOf('Jenkins CI')).to.equal(1);
        expect(JSON.stringify(run.json)).not.to.match(/DeleteToken|5Aep861/);

        const again = await runCli(['connectedapp', 'revoke', '--name', 'Vendor Sync'], { emulator });
        expect(again.exitCode, again.stderr).to.equal(0);
        expect(revoked(again).nothingToDo).to.equal(true);
        // An ECA without tokens is not an all-clear: what its tokens carry is not documented.
        expect(again.json?.warnings?.join(' ')).to.include('No OAuth token carries the name of the External Client App Vendor_Sync');
      });

      it("audit counts an ECA's tokens as its own, never as an uninstalled app in use", async () => {
        const run = await runCli(['connectedapp', 'audit'], { emulator });
        expect(run.exitCode, run.stderr).to.equal(0);
        const findings = (run.json?.result as { findings: Array<{ ruleId: string; app: string | null }> }).findings;
        expect(findings.filter((f) => f.ruleId.startsWith('CA401')).map((f) => f.app)).to.deep.equal([]);
        expect(findings.some((f) => f.app === 'Vendor_Sync'), 'the ECA itself is audited').to.equal(true);
      });

      it('refuses a name both kinds answer to, revokes nothing, and --type picks the kind', async () => {
        const run = await runCli(['connectedapp', 'revoke', '--name', 'Jenkins_CI'], { emulator });
        expect(run.exitCode).to.equal(1);
        expect(run.json?.name).to.equal('AmbiguousAppError');
        expect(writes(run)).to.deep.equal([]);
        const ca = await runCli(['connectedapp', 'revoke', '--name', 'Jenkins_CI', '--type', 'connected-app'], { emulator });
        expect(ca.exitCode, ca.stderr).to.equal(0);
        expect(revoked(ca).tokens.map((t) => [t.app, t.status])).to.deep.equal([['Jenkins CI', 'revoked']]);
        expect(tokensOf('Jenkins CI')).to.equal(0);
      });

      it('refuses an app whose tokens cannot be told apart from another kind\'s (a shared label), even with --type', async () => {
        for (const args of [
          ['--name', 'Twin_App'],
          ['--name', 'Twin_ECA'],
          ['--name', 'Twin_ECA', '--type', 'external-client-app'],
        ]) {
          const run = await runCli(['connectedapp', 'revoke', ...args], { emulator });
          expect(run.exitCode, args.join(' ')).to.equal(1);
          expect(run.json?.name).to.equal('SameLabelError');
          expect(run.json?.message).to.include('Twin_App').and.include('Twin_ECA');
          expect(writes(run)).to.deep.equal([]);
        }
      });

      it('contain switches the ECA to admin-approved, removes its grants and revokes its tokens, after a version 2 snapshot; restore puts policy and grants back', async () => {
        const file = join(dir, 'vendor.json');
        const grantsBefore = seaOf('Vendor_Sync');
        const policiesBefore = policies('Vendor_Sync');
        expect(grantsBefore).to.have.length(2);

        const run = await runCli(['connectedapp', 'contain', '--name', 'Vendor_Sync', '--snapshot-file', file, '--keep-assignment', 'Reporting_PS'], { emulator });
        expect(run.exitCode, run.stderr).to.equal(0);
        expect(steps(run)).to.deep.equal([['snapshot', 'done'], ['policy', 'done'], ['assignments', 'done'], ['tokens', 'done']]);
        expect(contained(run).policy?.changes.map((c) => [c.field, c.before, c.after, c.metadataPath])).to.deep.equal([
          ['permittedUsers', 'all-self-authorize', 'admin-approved', 'ecaOauthPlcy.permittedUsersPolicyType'],
        ]);
        expect(policies('Vendor_Sync').permittedUsersPolicyType).to.deep.equal(['AdminApprovedPreAuthorized']);
        expect(seaOf('Vendor_Sync')).to.have.length(1, 'the kept permission set only');
        expect(tokensOf(vendorName)).to.equal(0);
        expect(writes(run).filter((w) => w.includes('updateMetadata'))).to.have.length(1);

        const snapshot = parseSnapshot(JSON.parse(readFileSync(file, 'utf8')));
        expect([snapshot.version, snapshot.app.type, snapshot.app.appId]).to.deep.equal([2, 'external-client-app', ecaId('Vendor_Sync')]);
        expect(snapshot.metadata).to.include('<permittedUsersPolicyType>AllSelfAuthorized</permittedUsersPolicyType>');
        expect(snapshot.tokens.count).to.equal(4);
        expect(snapshot.policy?.pkceRequired).to.equal(null);

        const again = await runCli(['connectedapp', 'contain', '--name', 'Vendor_Sync', '--snapshot-file', file, '--keep-assignment', 'Reporting_PS'], { emulator });
        expect(again.exitCode, again.stderr).to.equal(0);
        expect(steps(again)).to.deep.equal([['snapshot', 'unchanged'], ['policy', 'unchanged'], ['assignments', 'unchanged'], ['tokens', 'unchanged']]);
        expect(writes(again)).to.deep.equal([]);

        const back = await runCli(['connectedapp', 'restore', '--snapshot-file', file], { emulator });
        expect(back.exitCode, back.stderr).to.equal(0);
        expect(restored(back).app.type).to.equal('external-client-app');
        expect(restored(back).policy?.status).to.equal('updated');
        expect(policies('Vendor_Sync')).to.deep.equal(policiesBefore);
        expect(seaOf('Vendor_Sync')).to.deep.equal(grantsBefore);

        const twice = await runCli(['connectedapp', 'restore', '--snapshot-file', file], { emulator });
        expect(twice.exitCode, twice.stderr).to.equal(0);
        expect(restored(twice).policy?.status).to.equal('unchanged');
        expect(writes(twice)).to.deep.equal([]);
      });

      it('contain refuses a name both kinds answer to before writing anything, the snapshot included; --type picks the kind', async () => {
        const file = join(dir, 'jenkins.json');
        const run = await runCli(['connectedapp', 'contain', '--name', 'Jenkins_CI', '--snapshot-file', file, '--dry-run'], { emulator });
        expect(run.exitCode).to.equal(1);
        expect(run.json?.name).to.equal('AmbiguousAppError');
        const dry = await runCli(['connectedapp', 'contain', '--name', 'Jenkins_CI', '--type', 'external-client-app', '--snapshot-file', file, '--dry-run'], { emulator });
        expect(dry.exitCode, dry.stderr).to.equal(0);
        expect(contained(dry).app).to.deep.include({ apiName: 'Jenkins_CI', type: 'external-client-app', appId: ecaId('Jenkins_CI') });
        expect(contained(dry).snapshot.content.version).to.equal(2);
        expect(writes(dry)).to.deep.equal([]);
      });
    });
  }

  it('contain says that client credentials stay usable, and where to turn them off (the demo ECA Snowflake_Connector)', async () => {
    const emulator = await start({ scenario: 'demo' });
    const dir = mkdtempSync(join(tmpdir(), 'ca-eca-incident-'));
    try {
      const run = await runCli(['connectedapp', 'contain', '--name', 'Snowflake_Connector', '--snapshot-file', join(dir, 's.json'), '--dry-run'], { emulator });
      expect(run.exitCode, run.stderr).to.equal(0);
      const warning = run.json?.warnings?.find((w) => String(w).includes('client credentials flow on'));
      expect(warning).to.include('Snowflake_Connector').and.include('External Client App Manager');
      expect(writes(run)).to.deep.equal([]);
    } finally {
      await emulator.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
