import { expect } from 'chai';
import { ECA_POLICY_PARTS, ECA_SUMMARY_PARTS, readExternalClientApps } from '../../../src/adapters/external-client-apps.js';
import { readInventory } from '../../../src/adapters/connected-apps.js';
import { loadScenario, start, type Emulator } from '../../emulator/index.js';
import { ecaOrg } from '../../e2e/eca-scenario.js';
import { connectionTo } from './access-resolver.test.js';

const soapCalls = (e: Emulator): string[] => e.requests.filter((r) => r.soapOperation).map((r) => r.soapOperation ?? '');

describe('External Client Apps adapter (through the org emulator)', () => {
  let demo: Emulator;
  before(async () => {
    demo = await start({ scenario: 'demo' });
  });
  after(async () => demo.stop());
  beforeEach(() => {
    demo.clearFaults();
    demo.resetLog();
  });

  it('reads the demo ECAs into the policy model, with the Id SetupEntityAccess names', async () => {
    const { apps, coverage } = await readExternalClientApps(connectionTo(demo));
    expect(apps.map((a) => a.apiName)).to.deep.equal(['Agent_Gateway', 'Partner_Quoting', 'Slack_Workflows', 'Snowflake_Connector', 'Tableau_Next']);
    const quoting = apps.find((a) => a.apiName === 'Partner_Quoting')!;
    expect(quoting.label).to.equal('Partner Quoting');
    expect(quoting.id).to.equal(demo.org.ecaByName('Partner_Quoting')?.id);
    expect(quoting.componentNames).to.deep.equal({
      eca: 'Partner_Quoting',
      ecaPlcy: 'Partner_Quoting_plcy',
      ecaOauthPlcy: 'Partner_Quoting_oauthPlcy',
      ecaOauth: 'Partner_Quoting_oauth',
      ecaGlblOauth: 'Partner_Quoting_glbloauth',
    });
    // The misconfigured one, as its files say.
    expect(quoting.policy.kind).to.equal('external-client-app');
    expect(quoting.policy.permittedUsers).to.equal('all-self-authorize');
    expect(quoting.policy.ipRelaxation).to.equal('BYPASS');
    expect(quoting.policy.refreshTokenPolicy).to.deep.equal({ kind: 'infinite' });
    expect(quoting.policy.pkceRequired).to.equal(false);
    expect(quoting.policy.consumerSecretOptional).to.equal(true);
    expect(quoting.policy.scopes).to.deep.equal(['Full', 'RefreshToken']);
    // Every part was read: nothing is a default standing in for an unread value.
    expect(quoting.policy.defaulted).to.deep.equal([]);
    expect(coverage).to.deep.equal([{ source: 'listMetadata:ExternalClientApplication', status: 'used' }]);
  });

  it('lists the five types in two calls (three a call; the OAuth settings apart) and reads each type 10 names a call', async () => {
    await readExternalClientApps(connectionTo(demo));
    const calls = soapCalls(demo);
    expect(calls.filter((c) => c === 'listMetadata')).to.have.length(2);
    expect(calls.filter((c) => c === 'readMetadata')).to.have.length(5);
    demo.resetLog();
    await readExternalClientApps(connectionTo(demo), ECA_SUMMARY_PARTS);
    expect(soapCalls(demo)).to.deep.equal(['listMetadata', 'readMetadata', 'readMetadata']);
  });

  it('keeps the apps and their policies when the OAuth settings types are refused, and says so', async () => {
    const { scenario, baseDir } = loadScenario('demo');
    const locked = await start({ scenario: { ...scenario, org: { ...scenario.org, ecaOauthSettingsAccess: false } }, scenarioDir: baseDir });
    try {
      const { apps, coverage } = await readExternalClientApps(connectionTo(locked));
      expect(apps).to.have.length(5);
      const quoting = apps.find((a) => a.apiName === 'Partner_Quoting')!;
      expect(quoting.policy.permittedUsers).to.equal('all-self-authorize');
      // PKCE lives in the global OAuth settings: unread, so the ECA default stands and is marked as one.
      expect(quoting.policy.pkceRequired).to.equal(true);
      expect(quoting.policy.defaulted).to.include('pkceRequired').and.include('refreshTokenRotation');
      expect(quoting.policy.defaulted).not.to.include('permittedUsers');
      expect(coverage.map((c) => [c.source, c.status])).to.deep.equal([
        ['listMetadata:ExternalClientApplication', 'used'],
        ['listMetadata:ExtlClntAppOauthSettings,ExtlClntAppGlobalOauthSettings', 'no-permission'],
      ]);
      // Nothing was read of the refused types.
      expect(locked.requests.filter((r) => r.soapOperation === 'readMetadata')).to.have.length(3);
    } finally {
      await locked.stop();
    }
  });

  it('returns no ECAs and a coverage note when the org refuses to list them', async () => {
    demo.addFault({ soapOperation: 'listMetadata', kind: 'error', errorCode: 'INSUFFICIENT_ACCESS', times: -1 });
    const { apps, coverage } = await readExternalClientApps(connectionTo(demo), ECA_SUMMARY_PARTS);
    expect(apps).to.deep.equal([]);
    expect(coverage.map((c) => [c.source, c.status, c.errorCode])).to.deep.equal([['listMetadata:ExternalClientApplication', 'no-permission', 'INSUFFICIENT_ACCESS']]);
  });

  it('puts ECAs beside connected apps in the inventory, with their SetupEntityAccess holders', async () => {
    const inventory = await readInventory(connectionTo(demo), { externalClientApps: ECA_SUMMARY_PARTS });
    const tableau = inventory.apps.find((a) => a.apiName === 'Tableau_Next')!;
    expect(tableau.kind).to.equal('external-client-app');
    expect(tableau.profiles.map((p) => p.name).sort()).to.deep.equal(['Sales Manager - DACH', 'Sales Manager - Nordics']);
    expect(inventory.apps.filter((a) => a.kind === 'connected-app').length).to.equal(demo.org.table('ConnectedApplication').length);
    const keys = inventory.apps.map((a) => (a.apiName ?? a.label).toLowerCase());
    expect(keys).to.deep.equal([...keys].sort((a, b) => a.localeCompare(b)));
    // Without the option, connected apps only (commands that do not handle ECAs yet).
    const plain = await readInventory(connectionTo(demo));
    expect(plain.apps.every((a) => a.kind === 'connected-app')).to.equal(true);
  });
});

describe('External Client Apps adapter: requests for any number of apps', () => {
  it('lists in a fixed number of calls and reads each type 10 names a call', async () => {
    const counts: Array<{ list: number; read: number }> = [];
    for (const n of [3, 25]) {
      const org = ecaOrg(Array.from({ length: n }, (_, i) => ({ name: `App_${String(i).padStart(2, '0')}` })));
      const emulator = await start({ scenario: org.scenario, scenarioDir: org.scenarioDir });
      try {
        const { apps } = await readExternalClientApps(connectionTo(emulator), ECA_POLICY_PARTS);
        expect(apps).to.have.length(n);
        expect(apps.every((a) => a.policy.permittedUsers === 'admin-approved' && a.policy.refreshTokenPolicy.kind === 'specific_inactivity')).to.equal(true);
        const calls = soapCalls(emulator);
        counts.push({ list: calls.filter((c) => c === 'listMetadata').length, read: calls.filter((c) => c === 'readMetadata').length });
      } finally {
        await emulator.stop();
        org.cleanup();
      }
    }
    // 2 listMetadata whatever the number; 5 types × ceil(n / 10) readMetadata.
    expect(counts).to.deep.equal([
      { list: 2, read: 5 },
      { list: 2, read: 15 },
    ]);
  });
});
