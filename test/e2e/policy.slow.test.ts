import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { loadScenario, SCENARIO_DIR, start, type Emulator, type Scenario } from '../emulator/index.js';
import { ensureBuilt, runCli, type CliRun } from './harness.js';
import { childTexts, elements, parseXml, type XmlElement } from '../emulator/xml.js';
import type { AppPolicyResult } from '../../src/operations/policy.js';
import { forEachDataSet } from '../data-sets.js';

type SetResult = { results: AppPolicyResult[] };
const results = (run: CliRun): AppPolicyResult[] => (run.json?.result as SetResult).results;
const updates = (run: CliRun): number => run.requests.filter((r) => r.soapOperation === 'updateMetadata').length;
const reads = (run: CliRun): number => run.requests.filter((r) => r.soapOperation === 'readMetadata').length;
const stored = (emulator: Emulator, app: string): XmlElement => {
  const body = emulator.org.storedComponent(app);
  if (!body) throw new Error(`no stored metadata for ${app}`);
  return body;
};
/** A tree without line numbers and without the named leaf elements anywhere, for "nothing else changed". */
const without = (el: XmlElement, names: string[]): unknown => ({
  name: el.name,
  attributes: el.attributes,
  children: el.children
    .filter((c) => c.kind !== 'element' || !names.includes(c.name))
    .map((c) => (c.kind === 'element' ? without(c, names) : c)),
});
const text = (el: XmlElement, path: string[]): string | undefined => {
  let current: XmlElement | undefined = el;
  for (const step of path.slice(0, -1)) current = current ? elements(current, step)[0] : undefined;
  return current ? childTexts(current, path.at(-1) ?? '')[0] : undefined;
};

describe('connectedapp policy show / set (e2e through the org emulator)', function () {
  this.timeout(180_000);
  let emulator: Emulator;
  before(async () => {
    await ensureBuilt();
  });
  beforeEach(async () => {
    emulator = await start({ scenario: 'demo' });
  });
  afterEach(async () => {
    await emulator.stop();
  });

  it('shows every control in Setup words and metadata values, without secrets', async () => {
    // The demo org with a consumer secret stored on Jenkins_CI, to prove it never comes out.
    await emulator.stop();
    const { scenario } = loadScenario('demo');
    const secret = 'Zx9Q2mN7vB4kL8pR3tY6wE1uI5oA0sDf';
    const jenkins = scenario.connectedApps?.find((a) => a.name === 'Jenkins_CI');
    if (jenkins) jenkins.consumerSecret = secret;
    emulator = await start({ scenario, scenarioDir: SCENARIO_DIR });
    const run = await runCli(['connectedapp', 'policy', 'show', '--name', 'Jenkins_CI', '--name', 'Okta SSO'], { emulator });
    expect(run.exitCode, run.stderr).to.equal(0);
    const apps = (run.json?.result as { apps: Array<{ apiName: string; policy: Record<string, unknown> | null; assignedProfiles: string[] }> }).apps;
    expect(apps.map((a) => a.apiName)).to.deep.equal(['Jenkins_CI', 'Okta_SSO']);
    expect(apps[0].policy).to.include({ permittedUsers: 'admin-approved', ipRelaxation: 'ENFORCE' });
    expect(emulator.org.appByAnyName('Jenkins_CI')?.consumerSecret).to.equal(secret);
    expect(run.stdout + run.stderr).to.not.include(secret);
    expect(run.stdout).to.not.match(/BEGIN CERTIFICATE|MII[A-Za-z0-9+/]{20}/);
    const human = await runCli(['connectedapp', 'policy', 'show', '--name', 'Jenkins_CI'], { emulator, json: false });
    expect(human.stdout).to.include('Admin approved users are pre-authorized').and.to.include('Refresh Token Policy');
  });

  it('sets each control alone, changing only that element', async () => {
    const cases: Array<{ args: string[]; path: string[]; value: string }> = [
      { args: ['--ip-relaxation', 'relax'], path: ['oauthPolicy', 'ipRelaxation'], value: 'BYPASS' },
      { args: ['--refresh-token', 'expire-if-unused:90d'], path: ['oauthPolicy', 'refreshTokenPolicy'], value: 'specific_inactivity:90:DAYS' },
      { args: ['--session-timeout', '120'], path: ['sessionPolicy', 'sessionTimeout'], value: '120' },
      { args: ['--pkce'], path: ['oauthConfig', 'isPkceRequired'], value: 'true' },
      { args: ['--refresh-token-rotation'], path: ['oauthConfig', 'isRefreshTokenRotationEnabled'], value: 'true' },
      { args: ['--permitted-users', 'all-self-authorize'], path: ['oauthConfig', 'isAdminApproved'], value: 'false' },
    ];
    for (const c of cases) {
      const before = stored(emulator, 'Jenkins_CI');
      const run = await runCli(['connectedapp', 'policy', 'set', '--name', 'Jenkins_CI', ...c.args], { emulator });
      expect(run.exitCode, `${c.args.join(' ')}: ${run.stderr}`).to.equal(0);
      expect(results(run)[0].status).to.equal('updated');
      const after = stored(emulator, 'Jenkins_CI');
      expect(text(after, c.path), c.args.join(' ')).to.equal(c.value);
      const leaf = c.path.at(-1) ?? '';
      // Everything but the changed element is as it was (a new parent element may have been created).
      expect(without(after, [leaf, 'sessionPolicy']), c.args.join(' ')).to.deep.equal(without(before, [leaf, 'sessionPolicy']));
      // The ConnectedApp read and its verification, plus the ECA header and OAuth policies read to resolve the name
      // across both kinds of app (the demo has 5 ECAs: one call each).
      expect(reads(run)).to.equal(4);
      expect(updates(run)).to.equal(1);
    }
  });

  it('sets several controls together and reports before → after per field', async () => {
    const run = await runCli(['connectedapp', 'policy', 'set', '--name', 'Jenkins_CI', '--ip-relaxation', 'relax', '--refresh-token', 'expire-after:12m', '--no-pkce'], { emulator });
    expect(run.exitCode, run.stderr).to.equal(0);
    const changes = results(run)[0].changes.map((c) => [c.field, c.before, c.after]);
    expect(changes).to.deep.include.members([
      ['ipRelaxation', 'ENFORCE', 'BYPASS'],
      ['refreshTokenPolicy', 'infinite', 'specific_lifetime:12:MONTHS'],
    ]);
  });

  it('writes nothing under --dry-run and reports "unchanged" when already as asked', async () => {
    const before = stored(emulator, 'Jenkins_CI');
    const dry = await runCli(['connectedapp', 'policy', 'set', '--name', 'Jenkins_CI', '--ip-relaxation', 'relax', '--dry-run'], { emulator });
    expect(dry.exitCode, dry.stderr).to.equal(0);
    expect(results(dry)[0].status).to.equal('would-update');
    expect(updates(dry)).to.equal(0);
    expect(stored(emulator, 'Jenkins_CI')).to.deep.equal(before);
    const same = await runCli(['connectedapp', 'policy', 'set', '--name', 'Jenkins_CI', '--ip-relaxation', 'enforce'], { emulator });
    expect(results(same)[0].status).to.equal('unchanged');
    expect(updates(same)).to.equal(0);
  });

  it('refuses to pre-authorize an app nobody is assigned to, unless assigning in the same run', async () => {
    // Postman is self-authorize with no assignment in the demo org.
    expect(emulator.org.setupEntityAccessFor('Postman')).to.have.length(0);
    const refused = await runCli(['connectedapp', 'policy', 'set', '--name', 'Postman', '--permitted-users', 'admin-approved'], { emulator });
    expect(refused.exitCode).to.equal(1);
    expect(refused.json?.name).to.equal('LockoutError');
    expect(refused.json?.actions?.join(' ')).to.include('--assign-permission-set');
    expect(updates(refused)).to.equal(0);

    const both = await runCli(['connectedapp', 'policy', 'set', '--name', 'Postman', '--permitted-users', 'admin-approved', '--assign-permission-set', 'API_Access'], { emulator });
    expect(both.exitCode, both.stderr).to.equal(0);
    expect(emulator.org.setupEntityAccessFor('Postman')).to.have.length(1);
    expect(text(stored(emulator, 'Postman'), ['oauthConfig', 'isAdminApproved'])).to.equal('true');
  });

  it('says so when the org drops assignments left out of an update (undocumented behaviour, checked)', async () => {
    await emulator.stop();
    emulator = await start({ scenario: 'demo', omittedAssignmentsOnUpdate: 'remove' });
    const before = emulator.org.setupEntityAccessFor('Copado_DevOps').length;
    expect(before).to.be.greaterThan(0);
    const run = await runCli(['connectedapp', 'policy', 'set', '--name', 'Copado_DevOps', '--permitted-users', 'all-self-authorize'], { emulator });
    expect(run.exitCode, run.stderr).to.equal(0);
    expect(run.json?.warnings?.join(' ')).to.match(/removed these assignments of Copado_DevOps/);

    await emulator.stop();
    emulator = await start({ scenario: 'demo' });
    const kept = await runCli(['connectedapp', 'policy', 'set', '--name', 'Copado_DevOps', '--permitted-users', 'all-self-authorize'], { emulator });
    expect(kept.json?.warnings?.join(' ')).to.not.match(/removed these assignments/);
    expect(kept.json?.warnings?.join(' ')).to.match(/do not limit who can use it/);
    expect(emulator.org.setupEntityAccessFor('Copado_DevOps')).to.have.length(before);
  });

  it('stops on an unknown app name and on invalid values, writing nothing', async () => {
    const unknown = await runCli(['connectedapp', 'policy', 'set', '--name', 'Jenkins', '--ip-relaxation', 'relax'], { emulator });
    expect(unknown.json?.name).to.equal('UnknownAppError');
    expect(unknown.json?.actions?.join(' ')).to.include('Jenkins_CI');
    const invalid = await runCli(['connectedapp', 'policy', 'set', '--name', 'Jenkins_CI', '--refresh-token', 'expire-after:90x'], { emulator });
    expect(invalid.json?.name).to.equal('InvalidRefreshTokenFlagError');
    expect(invalid.exitCode).to.equal(2);
    expect(invalid.json?.actions?.join(' ')).to.include('expire-if-unused');
    expect(updates(unknown) + updates(invalid)).to.equal(0);
    expect(invalid.requests, 'a bad flag value is refused before any request').to.deep.equal([]);
  });

  it('reports a SOAP fault on update clearly and changes nothing', async () => {
    const before = stored(emulator, 'Jenkins_CI');
    emulator.addFault({ soapOperation: 'updateMetadata', kind: 'error', errorCode: 'INSUFFICIENT_ACCESS' });
    const run = await runCli(['connectedapp', 'policy', 'set', '--name', 'Jenkins_CI', '--ip-relaxation', 'relax'], { emulator });
    expect(run.exitCode).to.equal(1);
    expect(run.json?.status).to.equal(1);
    expect(results(run)[0]).to.include({ status: 'failed', errorCode: 'INSUFFICIENT_ACCESS' });
    expect(stored(emulator, 'Jenkins_CI')).to.deep.equal(before);
  });

  it('reads back after an update whose answer was lost, and reports what the org shows', async () => {
    emulator.addFault({ soapOperation: 'updateMetadata', kind: 'drop-mid' });
    const run = await runCli(['connectedapp', 'policy', 'set', '--name', 'Jenkins_CI', '--ip-relaxation', 'relax'], { emulator });
    expect(run.exitCode, run.stderr).to.equal(0);
    expect(results(run)[0]).to.include({ status: 'updated' });
    expect(text(stored(emulator, 'Jenkins_CI'), ['oauthPolicy', 'ipRelaxation'])).to.equal('BYPASS');
    // A lost answer to a write that was not applied: the read-back says so.
    emulator.addFault({ soapOperation: 'updateMetadata', kind: 'drop-before' });
    const lost = await runCli(['connectedapp', 'policy', 'set', '--name', 'Jenkins_CI', '--ip-relaxation', 'enforce'], { emulator });
    expect(lost.exitCode).to.equal(1);
    expect(results(lost)[0]).to.include({ status: 'failed' });
    expect(text(stored(emulator, 'Jenkins_CI'), ['oauthPolicy', 'ipRelaxation'])).to.equal('BYPASS');
  });

  it('names the managed package when Salesforce refuses to change a packaged app', async () => {
    const managed = emulator.org.table('ConnectedApplication').find((r) => emulator.org.appByAnyName(r.Name as string)?.namespace);
    expect(managed, 'the demo org has a managed app').to.not.equal(undefined);
    const run = await runCli(['connectedapp', 'policy', 'set', '--name', managed?.Name as string, '--ip-relaxation', 'enforce-relax-refresh'], { emulator });
    expect(results(run)[0]).to.include({ status: 'failed', errorCode: 'CANNOT_MODIFY_MANAGED_OBJECT' });
    expect(results(run)[0].message).to.match(/managed package/);
  });

  it('applies and checks a desired-state file (drift exits 3)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ca-policy-'));
    const file = join(dir, 'apps.json');
    writeFileSync(file, JSON.stringify({ apps: [{ app: 'Jenkins_CI', policy: { ipRelaxation: 'enforce', refreshToken: 'expire-if-unused:30d' } }, { app: 'Workato', permissionSets: ['API_Access'] }] }));
    const drift = await runCli(['connectedapp', 'policy', 'set', '--file', file, '--check'], { emulator });
    expect(drift.exitCode).to.equal(3);
    expect(results(drift).map((r) => [r.app, r.status])).to.deep.equal([['Jenkins_CI', 'would-update']]);
    expect(updates(drift)).to.equal(0);
    expect((await runCli(['connectedapp', 'policy', 'set', '--file', file], { emulator })).exitCode).to.equal(0);
    const clean = await runCli(['connectedapp', 'policy', 'set', '--file', file, '--check'], { emulator });
    expect(clean.exitCode, clean.stderr).to.equal(0);
  });

  it('refuses a desired-state file that names one app twice (API name, label or Id) with different values, naming both entries', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ca-policy-'));
    const file = join(dir, 'apps.json');
    const id = emulator.org.appByAnyName('Jenkins_CI')?.id ?? '';
    for (const [first, second] of [['Jenkins_CI', 'Jenkins CI'], ['jenkins ci', id]]) {
      writeFileSync(file, JSON.stringify({ apps: [{ app: first, policy: { pkce: true } }, { app: 'Workato', policy: { pkce: true } }, { app: second, policy: { pkce: false } }] }));
      const run = await runCli(['connectedapp', 'policy', 'set', '--file', file], { emulator });
      expect(run.exitCode, run.stderr).to.equal(1);
      expect(run.json?.name).to.equal('DesiredStateConflictError');
      expect(run.json?.message).to.include('Jenkins_CI: pkce is true in $.apps[0]').and.include('false in $.apps[2]').and.include(second);
      expect(updates(run)).to.equal(0);
    }
  });

  it('merges entries that name one app twice with different settings into one update, and the next run changes nothing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ca-policy-'));
    const file = join(dir, 'apps.json');
    writeFileSync(file, JSON.stringify({ apps: [{ app: 'Jenkins_CI', policy: { ipRelaxation: 'relax' } }, { app: 'Jenkins CI', policy: { refreshToken: 'expire-if-unused:30d', ipRelaxation: 'relax' } }] }));
    const run = await runCli(['connectedapp', 'policy', 'set', '--file', file], { emulator });
    expect(run.exitCode, run.stderr).to.equal(0);
    expect(results(run).map((r) => [r.app, r.status, r.changes.length])).to.deep.equal([['Jenkins_CI', 'updated', 2]]);
    expect(text(stored(emulator, 'Jenkins_CI'), ['oauthPolicy', 'ipRelaxation'])).to.equal('BYPASS');
    expect(text(stored(emulator, 'Jenkins_CI'), ['oauthPolicy', 'refreshTokenPolicy'])).to.equal('specific_inactivity:30:DAYS');
    const again = await runCli(['connectedapp', 'policy', 'set', '--file', file, '--check'], { emulator });
    expect(again.exitCode, again.stderr).to.equal(0);
    expect(results(again).map((r) => r.status)).to.deep.equal(['unchanged']);
  });

  it('reports every unknown app of a desired-state file at once, each with its close match (once)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ca-policy-'));
    const file = join(dir, 'apps.json');
    writeFileSync(file, JSON.stringify({ apps: [{ app: 'Jenkns_CI', policy: { pkce: true } }, { app: 'Workato', policy: { pkce: true } }, { app: 'Wokrato_X', policy: { pkce: true } }] }));
    const run = await runCli(['connectedapp', 'policy', 'set', '--file', file], { emulator });
    expect(run.json?.name).to.equal('UnknownAppError');
    expect(run.json?.message).to.include('"Jenkns_CI"').and.include('"Wokrato_X"');
    expect(run.json?.actions).to.include('For "Jenkns_CI", did you mean: Jenkins_CI?');
    expect(run.json?.actions?.join(' ')).to.match(/For "Wokrato_X", did you mean: Workato/);
    expect(updates(run)).to.equal(0);
  });

  it('changes 20 apps with 2 reads + 2 updates + 2 verification reads', async () => {
    const generated = await start({ scenario: (await import('../emulator/index.js')).generateScenario({ apps: 40, permissionSets: 5, tokens: 0, seed: 7 }) });
    try {
      // Unmanaged apps with OAuth settings (the generator also makes SAML-only and managed apps).
      const apps = generated.org
        .table('ConnectedApplication')
        .filter((r) => {
          const app = generated.org.appByAnyName(r.Name as string);
          return !app?.namespace && app?.body?.oauthConfig !== undefined;
        })
        .slice(0, 20)
        .map((r) => r.Id as string);
      expect(apps).to.have.length(20);
      const run = await runCli(['connectedapp', 'policy', 'set', ...apps.flatMap((id) => ['--name', id]), '--refresh-token', 'expire-after:90d'], { emulator: generated });
      expect(run.exitCode, run.stderr).to.equal(0);
      expect(results(run).map((r) => r.status).filter((s) => s !== 'updated' && s !== 'unchanged')).to.deep.equal([]);
      expect(results(run)).to.have.length(20);
      expect(reads(run)).to.equal(4);
      expect(updates(run)).to.equal(2);
    } finally {
      await generated.stop();
    }
  });
});

forEachDataSet('policy set round trip over ConnectedApp sample files, through the emulator', (set) => {
  it('changes exactly one field in every app with OAuth and keeps everything else', async function () {
    this.timeout(180_000);
    await ensureBuilt();
    const files = set.files('connected-apps', (f) => f.endsWith('.xml'));
    const apps: Scenario['connectedApps'] = [];
    const profiles = new Set<string>();
    const permissionSets = new Set<string>();
    const runAsUsers = new Set<string>();
    files.forEach((file, i) => {
      if (file in set.malformedConnectedApps) return; // source-mode audit covers these
      const xml = set.read('connected-apps', file);
      const root = parseXml(xml).root;
      const oauth = elements(root, 'oauthConfig')[0] as XmlElement | undefined;
      if (!oauth) return;
      for (const p of childTexts(root, 'profileName')) if (p) profiles.add(p);
      for (const p of childTexts(root, 'permissionSetName')) if (p) permissionSets.add(p);
      for (const u of childTexts(oauth, 'oauthClientCredentialUser')) if (u) runAsUsers.add(u);
      apps.push({ name: `Sample_${i}`, label: `Sample app ${i}`, metadata: xml });
    });
    expect(apps.length, 'apps with OAuth in the set').to.be.greaterThan(20);
    const scenario: Scenario = {
      org: { name: 'Samples org' },
      profiles: [...profiles].map((name) => ({ name })),
      permissionSets: [...permissionSets].map((label, i) => ({ name: `Sample_PS_${i}`, label })),
      users: [...runAsUsers].map((username) => ({ username, profile: 'System Administrator' })),
      connectedApps: apps,
    };
    const emulator = await start({ scenario });
    try {
      const names = apps.map((a) => a.name);
      const before = new Map(names.map((n) => [n, stored(emulator, n)]));
      const dir = mkdtempSync(join(tmpdir(), 'ca-samples-'));
      const file = join(dir, 'apps.json');
      writeFileSync(file, JSON.stringify({ apps: names.map((app) => ({ app, policy: { refreshToken: 'expire-if-unused:45d' } })) }));
      const run = await runCli(['connectedapp', 'policy', 'set', '--file', file], { emulator });
      expect(run.exitCode, JSON.stringify(results(run).filter((r) => r.status !== 'updated')).slice(0, 3000)).to.equal(0);
      expect(results(run).filter((r) => r.status !== 'updated')).to.deep.equal([]);
      for (const name of names) {
        const after = stored(emulator, name);
        expect(text(after, ['oauthPolicy', 'refreshTokenPolicy']), name).to.equal('specific_inactivity:45:DAYS');
        // Creating <oauthPolicy> also writes its other required element (ipRelaxation) with its default.
        const hadPolicy = elements(before.get(name), 'oauthPolicy').length > 0;
        const ignore = hadPolicy ? ['refreshTokenPolicy'] : ['oauthPolicy'];
        expect(without(after, ignore), name).to.deep.equal(without(before.get(name) as XmlElement, ignore));
      }
    } finally {
      await emulator.stop();
    }
  });
});
