/*
 * External Client Apps in org mode, end to end through the org emulator (issue 15, part 1): list beside connected
 * apps, names resolved across both kinds, assign / unassign, audit.
 */
import { expect } from 'chai';
import { start, type Emulator } from '../emulator/index.js';
import { ensureBuilt, ownRequests, runCli, type CliRun } from './harness.js';
import { ecaOrg } from './eca-scenario.js';
import type { ConnectedAppListResult } from '../../src/commands/connectedapp/list.js';

const listResult = (run: CliRun): ConnectedAppListResult => run.json?.result as ConnectedAppListResult;
const DEMO_ECAS = ['Agent_Gateway', 'Partner_Quoting', 'Slack_Workflows', 'Snowflake_Connector', 'Tableau_Next'];

describe('External Client Apps in org mode (e2e through the org emulator)', function () {
  this.timeout(180_000);
  let demo: Emulator;
  before(async () => {
    await ensureBuilt();
    demo = await start({ scenario: 'demo' });
  });
  after(async () => demo.stop());

  describe('list', () => {
    it('shows ECAs beside connected apps, typed, with their policy and who can use them', async () => {
      const run = await runCli(['connectedapp', 'list'], { emulator: demo });
      expect(run.exitCode, run.stderr).to.equal(0);
      const apps = listResult(run).apps;
      expect(apps.filter((a) => a.type === 'external-client-app').map((a) => a.apiName)).to.deep.equal(DEMO_ECAS);
      expect(apps.filter((a) => a.type === 'connected-app')).to.have.length(demo.org.table('ConnectedApplication').length);
      const quoting = apps.find((a) => a.apiName === 'Partner_Quoting');
      expect(quoting).to.include({ label: 'Partner Quoting', id: demo.org.ecaByName('Partner_Quoting')?.id, permittedUsers: 'all-self-authorize', refreshTokenPolicy: 'infinite' });
      const tableau = apps.find((a) => a.apiName === 'Tableau_Next');
      expect(tableau?.profiles.sort()).to.deep.equal(['Sales Manager - DACH', 'Sales Manager - Nordics']);
      expect(tableau?.refreshTokenPolicy).to.match(/^specific_/);
      expect(tableau?.activeUsers).to.be.a('number');
      // Connected apps keep the sObject's view (no unit): no metadata policy on their rows.
      expect(apps.filter((a) => a.type === 'connected-app').every((a) => a.refreshTokenPolicy === null)).to.equal(true);
    });

    it('filters with --type; --type connected-app reads no ECA at all', async () => {
      const ecas = await runCli(['connectedapp', 'list', '--type', 'external-client-app'], { emulator: demo });
      expect(ecas.exitCode, ecas.stderr).to.equal(0);
      expect(listResult(ecas).apps.map((a) => [a.type, a.apiName])).to.deep.equal(DEMO_ECAS.map((n) => ['external-client-app', n]));
      const cas = await runCli(['connectedapp', 'list', '--type', 'connected-app'], { emulator: demo });
      expect(listResult(cas).apps.every((a) => a.type === 'connected-app')).to.equal(true);
      expect(ownRequests(cas).filter((r) => r.soapOperation === 'listMetadata')).to.have.length(1);
      expect(ownRequests(cas).filter((r) => r.soapOperation === 'readMetadata')).to.have.length(0);
      const wrong = await runCli(['connectedapp', 'list', '--type', 'eca'], { emulator: demo });
      expect(wrong.exitCode).to.equal(2);
    });

    it('prints the Type column in 120 columns and the type in CSV', async () => {
      const table = await runCli(['connectedapp', 'list'], { emulator: demo, json: false });
      expect(table.stdout).to.include('Type').and.include('external').and.include('client');
      expect(Math.max(...table.stdout.split('\n').map((l) => l.length))).to.be.at.most(120);
      const csv = await runCli(['connectedapp', 'list', '--result-format', 'csv'], { emulator: demo, json: false });
      expect(csv.stdout.split('\n')[0]).to.match(/^type,apiName,/);
      expect(csv.stdout).to.include('"external-client-app","Partner_Quoting"');
    });

    it('lists connected apps and warns when the org refuses to list ECAs', async () => {
      const refused = await start({ scenario: 'demo', faults: [{ soapOperation: 'listMetadata', kind: 'error', errorCode: 'INSUFFICIENT_ACCESS', times: -1 }] });
      try {
        const run = await runCli(['connectedapp', 'list'], { emulator: refused });
        expect(run.exitCode, run.stderr).to.equal(0);
        expect(listResult(run).apps.every((a) => a.type === 'connected-app')).to.equal(true);
        expect(run.json?.warnings?.join(' ')).to.include('External Client Apps could not be listed');
      } finally {
        await refused.stop();
      }
    });

    it('counts a fixed number of list calls and one read per type per 10 ECAs', async () => {
      const counts: number[] = [];
      for (const n of [4, 23]) {
        const org = ecaOrg(Array.from({ length: n }, (_, i) => ({ name: `Eca_${String(i).padStart(2, '0')}`, permissionSets: ['Integration_PS'] })));
        const emulator = await start({ scenario: org.scenario, scenarioDir: org.scenarioDir });
        try {
          const run = await runCli(['connectedapp', 'list'], { emulator });
          expect(run.exitCode, run.stderr).to.equal(0);
          expect(listResult(run).apps).to.have.length(n);
          expect(listResult(run).apps.every((a) => a.permissionSets.join() === 'Integration_PS' && a.activeUsers === 1)).to.equal(true);
          counts.push(ownRequests(run).length);
        } finally {
          await emulator.stop();
          org.cleanup();
        }
      }
      // Inventory (3) + 1 listMetadata + 2 types × ceil(n / 10) readMetadata + who can use the apps (3).
      expect(counts).to.deep.equal([3 + 1 + 2 + 3, 3 + 1 + 6 + 3]);
    });
  });
});

