import { expect } from 'chai';
import { generateScenario, start, type Emulator } from '../emulator/index.js';
import { ensureBuilt, ownRequests, runCli, type CliRun } from './harness.js';
import type { ConnectedAppListResult } from '../../src/commands/connectedapp/list.js';

const result = (run: CliRun): ConnectedAppListResult => run.json?.result as ConnectedAppListResult;

describe('connectedapp list (e2e through the org emulator)', function () {
  this.timeout(120_000);
  let demo: Emulator;
  before(async () => {
    await ensureBuilt();
    demo = await start({ scenario: 'demo' });
  });
  after(async () => {
    await demo.stop();
  });

  it('joins API names to labels, namespaces and assignments', async () => {
    const run = await runCli(['connectedapp', 'list'], { emulator: demo });
    expect(run.exitCode, run.stderr).to.equal(0);
    const apps = result(run).apps;
    const mule = apps.find((a) => a.apiName === 'MuleSoft_Anypoint');
    expect(mule?.label).to.equal('MuleSoft Anypoint Connector');
    const managed = apps.filter((a) => a.namespacePrefix);
    expect(managed.length).to.be.greaterThan(0);
    expect(managed.every((a) => a.apiName?.startsWith(`${a.namespacePrefix ?? ''}__`))).to.be.true;
    // The app assigned to 40+ profiles in the demo org.
    expect(Math.max(...apps.map((a) => a.profileCount))).to.be.greaterThan(40);
    // Sorted by API name.
    const keys = apps.map((a) => (a.apiName ?? a.label).toLowerCase());
    expect(keys).to.deep.equal([...keys].sort());
    // Inventory (3) + External Client Apps (1 listMetadata + 2 types × 1 readMetadata for the demo's 5) + who can use
    // the apps (src/adapters/access-resolver.ts: 2, the groups and the assignments; the grants are the inventory's).
    expect(ownRequests(run)).to.have.length(8);
  });

  it('pages with nextRecordsUrl when the org returns small batches', async () => {
    const small = await start({ scenario: 'demo', queryBatchSize: 5 });
    try {
      const run = await runCli(['connectedapp', 'list'], { emulator: small });
      expect(run.exitCode, run.stderr).to.equal(0);
      expect(result(run).apps.length).to.equal(small.org.table('ConnectedApplication').length + small.org.ecas.size);
      expect(run.requests.filter((r) => r.locator !== undefined).length).to.be.greaterThan(4);
    } finally {
      await small.stop();
    }
  });

  it('lists without API names and warns when listMetadata is refused', async () => {
    const refused = await start({ scenario: 'demo', faults: [{ soapOperation: 'listMetadata', kind: 'error', errorCode: 'INSUFFICIENT_ACCESS', times: -1 }] });
    try {
      const run = await runCli(['connectedapp', 'list'], { emulator: refused });
      expect(run.exitCode, run.stderr).to.equal(0);
      expect(result(run).apps.every((a) => a.apiName === null)).to.be.true;
      expect(run.json?.warnings?.join(' ')).to.include('Modify Metadata Through Metadata API Functions');
    } finally {
      await refused.stop();
    }
  });

  it('retries a SOAP read after a transient 503, but not after a SOAP fault', async () => {
    const flaky = await start({ scenario: 'demo', faults: [{ soapOperation: 'listMetadata', kind: 'error', status: 503 }] });
    try {
      // Connected apps only: one listMetadata call (External Client Apps add their own, see eca.test.ts).
      const run = await runCli(['connectedapp', 'list', '--type', 'connected-app'], { emulator: flaky });
      expect(run.exitCode, run.stderr).to.equal(0);
      expect(result(run).apps.every((a) => a.apiName !== null)).to.be.true;
      expect(run.requests.filter((r) => r.soapOperation === 'listMetadata').map((r) => r.status)).to.deep.equal([500, 200]);
    } finally {
      await flaky.stop();
    }
    const refused = await start({ scenario: 'demo', faults: [{ soapOperation: 'listMetadata', kind: 'error', errorCode: 'INSUFFICIENT_ACCESS', times: -1 }] });
    try {
      const run = await runCli(['connectedapp', 'list', '--type', 'connected-app'], { emulator: refused });
      expect(run.requests.filter((r) => r.soapOperation === 'listMetadata')).to.have.length(1);
    } finally {
      await refused.stop();
    }
  });

  it('rejects an unknown --name with close matches', async () => {
    const run = await runCli(['connectedapp', 'list', '--name', 'mulesoft anypoint connector'], { emulator: demo });
    expect(run.exitCode, run.stderr).to.equal(0);
    const wrong = await runCli(['connectedapp', 'list', '--name', 'Mulesoft_Anypont'], { emulator: demo });
    expect(wrong.exitCode).to.equal(1);
    expect(wrong.json?.actions?.[0]).to.include('MuleSoft_Anypoint');
  });

  it('prints a friendly line for an empty org and a table otherwise', async () => {
    const empty = await start({ scenario: 'empty' });
    try {
      const none = await runCli(['connectedapp', 'list'], { emulator: empty, json: false });
      expect(none.stdout).to.include('No connected apps or External Client Apps are installed in this org.');
      const table = await runCli(['connectedapp', 'list'], { emulator: demo, json: false });
      // Text cells wrap at word boundaries inside their column so that the table fits 120 columns (API names stay whole).
      expect(table.stdout).to.include('approved').and.include('authorized').and.include('API Name').and.include('MuleSoft_Anypoint');
      expect(Math.max(...table.stdout.split('\n').map((l) => l.length))).to.be.at.most(120);
    } finally {
      await empty.stop();
    }
  });

  it('makes the same number of requests for 100 and for 2,000 apps', async () => {
    const counts: number[] = [];
    for (const apps of [100, 2000]) {
      const org = await start({ scenario: generateScenario({ apps, permissionSets: 50, tokens: 0, seed: 3 }) });
      try {
        const run = await runCli(['connectedapp', 'list'], { emulator: org });
        expect(run.exitCode, run.stderr).to.equal(0);
        expect(result(run).apps.length).to.equal(org.org.table('ConnectedApplication').length);
        // Pages beyond the first are the only growth: 2,000 rows a page.
        counts.push(ownRequests(run).filter((r) => r.locator === undefined).length);
      } finally {
        await org.stop();
      }
    }
    // Inventory (3) + External Client Apps (1 listMetadata; none to read) + who can use the apps (2).
    expect(counts[0]).to.equal(6);
    expect(counts[1]).to.equal(counts[0]);
  });
});
