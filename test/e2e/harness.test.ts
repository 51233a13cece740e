import { expect } from 'chai';
import { start, type Emulator } from '../emulator/index.js';
import { ensureBuilt, parseEnvelope, runCli } from './harness.js';

const ORG_QUERY = 'SELECT Name, InstanceName, IsSandbox, TrialExpirationDate, NamespacePrefix, OrganizationType FROM Organization';

describe('e2e harness', function () {
  this.timeout(180_000);
  let empty: Emulator;
  let demo: Emulator;
  before(async () => {
    await ensureBuilt();
    [empty, demo] = await Promise.all([start({ scenario: 'empty' }), start({ scenario: 'demo' })]);
  });
  after(async () => {
    await Promise.all([empty.stop(), demo.stop()]);
  });

  it('runs connectedapp list against an org with no apps', async () => {
    const run = await runCli(['connectedapp', 'list'], { emulator: empty });
    expect(run.exitCode, run.stderr).to.equal(0);
    expect(run.json?.status).to.equal(0);
    expect((run.json?.result as { apps: unknown[] }).apps).to.deep.equal([]);
    // What @salesforce/core does for --target-org <access token> with SF_ORG_INSTANCE_URL: no login, just the
    // max API version and the Organization query, before the command's own requests.
    expect(run.requests[0]).to.deep.include({ method: 'GET', path: '/services/data', status: 200 });
    expect(run.requests[1]).to.deep.include({ soql: ORG_QUERY, status: 200 });
    expect(run.requests.filter((r) => r.status >= 500)).to.deep.equal([]);
  });

  it('runs connectedapp list against the demo org and reports the requests it made', async () => {
    const run = await runCli(['connectedapp', 'list'], { emulator: demo });
    expect(run.exitCode, run.stderr).to.equal(0);
    const apps = (run.json?.result as { apps: Array<{ label: string }> }).apps;
    // Connected apps and External Client Apps.
    expect(apps.length).to.equal(demo.org.table('ConnectedApplication').length + demo.org.ecas.size);
    expect(apps.map((a) => a.label)).to.include('Field Sales Mobile');
    expect(run.requests.some((r) => r.soapOperation === 'listMetadata')).to.be.true;
    expect(run.requests.every((r) => r.path.startsWith('/services/'))).to.be.true;
  });

  it('returns the error envelope and exit code when the session is invalid', async () => {
    const e = await start({ scenario: 'empty' });
    try {
      e.expireToken();
      const run = await runCli(['connectedapp', 'list'], { emulator: e });
      expect(run.exitCode).to.not.equal(0);
      expect(run.json?.status).to.equal(run.exitCode);
      expect(run.json?.name).to.be.a('string');
      expect(run.requests.some((r) => r.status === 401)).to.be.true;
    } finally {
      await e.stop();
    }
  });

  it('can leave out --json and --target-org', async () => {
    const run = await runCli(['connectedapp', 'list', '--help'], { emulator: empty, json: false, targetOrg: false });
    expect(run.exitCode).to.equal(0);
    expect(run.json).to.equal(undefined);
    expect(run.stdout).to.contain('connectedapp list');
    expect(run.requests).to.deep.equal([]);
  });

  it('parses envelopes preceded by other output', () => {
    expect(parseEnvelope('warning: something\n{"status":0,"result":[]}')).to.deep.equal({ status: 0, result: [] });
    expect(parseEnvelope('not json')).to.equal(undefined);
  });
});
