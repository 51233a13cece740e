/*
 * External Client Apps in org mode, end to end through the org emulator (issue 15, part 1): list beside connected
 * apps, names resolved across both kinds, assign / unassign, usage (ECA ids in event logs), audit.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { parse as parseCsv } from 'csv-parse/sync';
import { loadScenario, start, type Emulator } from '../emulator/index.js';
import { ensureBuilt, ownRequests, runCli, type CliRun } from './harness.js';
import { REPO_ROOT } from '../data-sets.js';
import { ecaOrg, type EcaOrg } from './eca-scenario.js';
import type { ConnectedAppListResult } from '../../src/commands/connectedapp/list.js';
import type { ConnectedAppUsageResult } from '../../src/commands/connectedapp/usage.js';

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
      // Inventory (3) + 1 listMetadata + 2 types × ceil(n / 10) readMetadata + who can use the apps (2: groups and
      // assignments; the grants are the inventory's).
      expect(counts).to.deep.equal([3 + 1 + 2 + 2, 3 + 1 + 6 + 2]);
    });
  });

  describe('names across both kinds, assign and unassign', () => {
    let org: EcaOrg;
    let emulator: Emulator;
    before(async () => {
      org = ecaOrg(
        [
          { name: 'Billing_Sync', permissionSets: ['Integration_PS'] },
          { name: 'Ledger_Export' },
          { name: 'Open_Portal', permittedUsers: 'AllSelfAuthorized' },
        ],
        [{ name: 'Billing_Sync', label: 'Billing Sync' }, { name: 'Jenkins_CI', label: 'Jenkins CI' }]
      );
      emulator = await start({ scenario: org.scenario, scenarioDir: org.scenarioDir });
    });
    after(async () => {
      await emulator.stop();
      org.cleanup();
    });
    const ecaId = (name: string): string => emulator.org.ecaByName(name)?.id ?? '';
    const seaOf = (name: string): Array<Record<string, unknown>> => emulator.org.table('SetupEntityAccess').filter((r) => r.SetupEntityId === ecaId(name));
    const writes = (run: CliRun): string[] => run.requests.filter((r) => r.method !== 'GET' && !r.soapOperation).map((r) => `${r.method} ${r.path}`);
    type Pair = { app: string; appId: string; target: string; status: string; verified: boolean | null };
    const pairs = (run: CliRun): Pair[] => (run.json?.result as { results: Pair[] }).results;

    it('refuses a name both kinds answer to, naming both candidates and --type; --type picks one', async () => {
      const run = await runCli(['connectedapp', 'list', '--name', 'Billing_Sync'], { emulator });
      expect(run.exitCode).to.equal(1);
      expect(run.json?.name).to.equal('AmbiguousAppError');
      expect(run.json?.message).to.include('the connected app Billing_Sync (0H4').and.include(`the external client app Billing_Sync (${ecaId('Billing_Sync')})`);
      expect(run.json?.actions?.join(' ')).to.include('--type connected-app or --type external-client-app');
      const eca = await runCli(['connectedapp', 'list', '--name', 'Billing_Sync', '--type', 'external-client-app'], { emulator });
      expect(listResult(eca).apps.map((a) => [a.type, a.id])).to.deep.equal([['external-client-app', ecaId('Billing_Sync')]]);
      const ca = await runCli(['connectedapp', 'list', '--name', 'Billing Sync', '--type', 'connected-app'], { emulator });
      expect(listResult(ca).apps.map((a) => a.type)).to.deep.equal(['connected-app']);
      // An Id is never ambiguous.
      const byId = await runCli(['connectedapp', 'list', '--name', ecaId('Billing_Sync')], { emulator });
      expect(listResult(byId).apps.map((a) => a.apiName)).to.deep.equal(['Billing_Sync']);
    });

    it('keeps the did-you-mean for unknown names, ECAs included', async () => {
      const run = await runCli(['connectedapp', 'list', '--name', 'Ledger_Exprt'], { emulator });
      expect(run.exitCode).to.equal(1);
      expect(run.json?.name).to.equal('UnknownAppError');
      expect(run.json?.actions?.[0]).to.include('Ledger_Export');
    });

    it('assign gives a permission set access to an ECA through SetupEntityAccess with its Id, verified; again is unchanged', async () => {
      const run = await runCli(['connectedapp', 'assign', '--name', 'Ledger_Export', '--permission-set', 'Reporting_PS'], { emulator });
      expect(run.exitCode, run.stderr).to.equal(0);
      expect(pairs(run).map((p) => [p.app, p.appId, p.target, p.status, p.verified])).to.deep.equal([['Ledger_Export', ecaId('Ledger_Export'), 'Reporting_PS', 'created', true]]);
      expect(seaOf('Ledger_Export').map((r) => r.SetupEntityType)).to.deep.equal(['ExternalClientApplication']);
      const again = await runCli(['connectedapp', 'assign', '--name', 'Ledger_Export', '--permission-set', 'Reporting_PS'], { emulator });
      expect(pairs(again).map((p) => p.status)).to.deep.equal(['unchanged']);
      expect(writes(again)).to.deep.equal([]);
      // A self-authorizing ECA: the assignment gates nothing, and the command says so.
      const open = await runCli(['connectedapp', 'assign', '--name', 'Open_Portal', '--permission-set', 'Reporting_PS'], { emulator });
      expect(open.exitCode, open.stderr).to.equal(0);
      expect(open.json?.warnings?.join(' ')).to.include('Open_Portal');
    });

    it('assign refuses an ambiguous name and writes nothing', async () => {
      const run = await runCli(['connectedapp', 'assign', '--name', 'Billing_Sync', '--permission-set', 'Reporting_PS'], { emulator });
      expect(run.exitCode).to.equal(1);
      expect(run.json?.name).to.equal('AmbiguousAppError');
      expect(writes(run)).to.deep.equal([]);
    });

    it("unassign guards the ECA's last grant by its permitted-users policy, and removes it with --allow-lockout", async () => {
      const args = ['connectedapp', 'unassign', '--name', 'Billing_Sync', '--type', 'external-client-app', '--permission-set', 'Integration_PS'];
      const refused = await runCli(args, { emulator });
      expect(refused.exitCode).to.equal(1);
      expect(refused.json?.name).to.equal('LockoutError');
      expect(writes(refused)).to.deep.equal([]);
      expect(seaOf('Billing_Sync')).to.have.length(1);
      const allowed = await runCli([...args, '--allow-lockout'], { emulator });
      expect(allowed.exitCode, allowed.stderr).to.equal(0);
      expect(pairs(allowed).map((p) => [p.status, p.verified])).to.deep.equal([['deleted', true]]);
      expect(seaOf('Billing_Sync')).to.have.length(0);
      // The connected app of the same name was not touched.
      const ca = emulator.org.table('ConnectedApplication').find((r) => r.Name === 'Billing Sync');
      expect(emulator.org.table('SetupEntityAccess').some((r) => r.SetupEntityId === ca?.Id)).to.equal(false);
    });
  });

  describe('policy show / policy set', () => {
    // An org of its own: the writes below must not change what the audit tests read from the shared demo.
    let org: Emulator;
    before(async () => {
      org = await start({ scenario: 'demo' });
    });
    after(async () => org.stop());
    const POLICIES = 'ExtlClntAppOauthConfigurablePolicies';
    const component = (app: string, type = POLICIES): Record<string, unknown> => {
      const eca = org.org.ecaByName(app);
      const found = eca?.components.get(type);
      return structuredClone(found?.body ?? {});
    };
    const updates = (run: CliRun): number => ownRequests(run).filter((r) => r.soapOperation === 'updateMetadata').length;
    type SetResult = { results: Array<{ app: string; status: string; verified: boolean | null; errorCode: string | null; changes: Array<{ field: string; before: string | null; after: string | null; metadataPath: string }> }> };
    const setOf = (run: CliRun): SetResult => run.json?.result as SetResult;

    it('policy show reads an ECA from its metadata parts, typed; --type connected-app does not find it', async () => {
      const run = await runCli(['connectedapp', 'policy', 'show', '--name', 'Partner_Quoting'], { emulator: org });
      expect(run.exitCode, run.stderr).to.equal(0);
      const [app] = (run.json?.result as { apps: Array<{ type: string; id: string; policy: Record<string, unknown> | null }> }).apps;
      expect(app.type).to.equal('external-client-app');
      expect(app.id).to.equal(org.org.ecaByName('Partner_Quoting')?.id);
      expect(app.policy).to.include({ permittedUsers: 'all-self-authorize', ipRelaxation: 'BYPASS', pkceRequired: false });
      expect(app.policy?.scopes).to.include('Full');
      const table = await runCli(['connectedapp', 'policy', 'show', '--name', 'Partner_Quoting'], { emulator: org, json: false });
      // The metadata column speaks the ECA's own spellings.
      expect(table.stdout).to.include('External Client App').and.include('AllSelfAuthorized').and.include('Bypass');
      const other = await runCli(['connectedapp', 'policy', 'show', '--name', 'Partner_Quoting', '--type', 'connected-app'], { emulator: org });
      expect(other.exitCode).to.equal(1);
      expect(other.json?.name).to.equal('UnknownAppError');
    });

    it('policy set edits only the named elements of the ECA\'s OAuth policies, verified by read-back; again is unchanged', async () => {
      const before = component('Partner_Quoting');
      const otherParts = ['ExternalClientApplication', 'ExtlClntAppOauthSettings', 'ExtlClntAppGlobalOauthSettings', 'ExtlClntAppConfigurablePolicies'].map((t) => component('Partner_Quoting', t));
      const args = ['connectedapp', 'policy', 'set', '--name', 'Partner_Quoting', '--ip-relaxation', 'enforce', '--refresh-token', 'expire-if-unused:90d', '--session-timeout', '60'];
      const run = await runCli(args, { emulator: org });
      expect(run.exitCode, run.stderr).to.equal(0);
      const [result] = setOf(run).results;
      expect([result.status, result.verified]).to.deep.equal(['updated', true]);
      expect(result.changes.map((c) => [c.field, c.before, c.after, c.metadataPath])).to.deep.equal([
        ['ipRelaxation', 'BYPASS', 'ENFORCE', 'ecaOauthPlcy.ipRelaxationPolicyType'],
        ['refreshTokenPolicy', 'infinite', 'specific_inactivity:90:DAYS', 'ecaOauthPlcy.refreshTokenPolicyType'],
        ['sessionTimeout', null, '60', 'ecaOauthPlcy.sessionTimeoutInMinutes'],
      ]);
      expect(ownRequests(run).filter((r) => r.soapOperation === 'updateMetadata')).to.have.length(1);
      const after = component('Partner_Quoting');
      expect(after).to.deep.include({
        ipRelaxationPolicyType: ['Enforce'],
        refreshTokenPolicyType: ['SpecificInactivity'],
        refreshTokenValidityPeriod: [90],
        refreshTokenValidityUnit: ['Days'],
        sessionTimeoutInMinutes: [60],
      });
      // Lossless: every other element as it was, and the app's other parts untouched.
      const changed = new Set(['ipRelaxationPolicyType', 'refreshTokenPolicyType', 'refreshTokenValidityPeriod', 'refreshTokenValidityUnit', 'sessionTimeoutInMinutes']);
      const rest = (body: Record<string, unknown>): Record<string, unknown> => Object.fromEntries(Object.entries(body).filter(([k]) => !changed.has(k)));
      expect(rest(after)).to.deep.equal(rest(before));
      expect(['ExternalClientApplication', 'ExtlClntAppOauthSettings', 'ExtlClntAppGlobalOauthSettings', 'ExtlClntAppConfigurablePolicies'].map((t) => component('Partner_Quoting', t))).to.deep.equal(otherParts);

      const again = await runCli(args, { emulator: org });
      expect(setOf(again).results.map((r) => r.status)).to.deep.equal(['unchanged']);
      expect(updates(again)).to.equal(0);
    });

    it('refuses --pkce for an ECA (its global OAuth settings hold the secret) and writes nothing', async () => {
      const run = await runCli(['connectedapp', 'policy', 'set', '--name', 'Partner_Quoting', '--pkce'], { emulator: org });
      expect(run.exitCode).to.equal(1);
      expect(setOf(run).results.map((r) => [r.status, r.errorCode])).to.deep.equal([['failed', 'EcaGlobalSetting']]);
      expect(updates(run)).to.equal(0);
    });

    it('pre-authorizing an ECA nobody is assigned to is refused; with --assign-permission-set it is assigned first, then switched', async () => {
      const base = ['connectedapp', 'policy', 'set', '--name', 'Partner_Quoting', '--permitted-users', 'admin-approved'];
      const refused = await runCli(base, { emulator: org });
      expect(refused.exitCode).to.equal(1);
      expect(refused.json?.name).to.equal('LockoutError');
      expect(updates(refused)).to.equal(0);
      expect(component('Partner_Quoting').permittedUsersPolicyType).to.deep.equal(['AllSelfAuthorized']);

      const run = await runCli([...base, '--assign-permission-set', 'API_Access'], { emulator: org });
      expect(run.exitCode, run.stderr).to.equal(0);
      expect(setOf(run).results.map((r) => [r.status, r.verified])).to.deep.equal([['updated', true]]);
      expect(component('Partner_Quoting').permittedUsersPolicyType).to.deep.equal(['AdminApprovedPreAuthorized']);
      const id = org.org.ecaByName('Partner_Quoting')?.id;
      const rows = org.org.table('SetupEntityAccess').filter((r) => r.SetupEntityId === id);
      expect(rows.map((r) => r.SetupEntityType)).to.deep.equal(['ExternalClientApplication']);
    });
  });

  describe('doctor', () => {
    type Doctor = { app: { type: string; id: string }; verdict: string; checks: Array<{ id: string; status: string; fix: { setup: string; command: string | null } | null }> };
    const doctorOf = (run: CliRun): Doctor => run.json?.result as Doctor;

    it('diagnoses an ECA from its policies and grants, with the External Client App Manager fix', async () => {
      const run = await runCli(['connectedapp', 'doctor', '--name', 'Agent_Gateway', '--username', 'jenkins.ci@northwind.example.com'], { emulator: demo });
      expect(run.exitCode, run.stderr).to.equal(1);
      const result = doctorOf(run);
      expect([result.app.type, result.app.id, result.verdict]).to.deep.equal(['external-client-app', demo.org.ecaByName('Agent_Gateway')?.id, 'cannot-use']);
      const permitted = result.checks.find((c) => c.id === 'permitted-users');
      expect(permitted?.status).to.equal('fail');
      expect(permitted?.fix?.setup).to.include('External Client App Manager > Agent_Gateway');
      expect(permitted?.fix?.command).to.equal('sf connectedapp assign --name Agent_Gateway --permission-set <PERMISSION_SET_OF_USER>');
    });

    it('without --username, passes an ECA its grants reach active users with; --type connected-app does not find it', async () => {
      const app = await runCli(['connectedapp', 'doctor', '--name', 'Agent_Gateway'], { emulator: demo });
      expect(app.exitCode, app.stderr).to.equal(0);
      expect(doctorOf(app).checks.find((c) => c.id === 'permitted-users')?.status).to.equal('pass');
      const wrongType = await runCli(['connectedapp', 'doctor', '--name', 'Agent_Gateway', '--type', 'connected-app'], { emulator: demo });
      expect(wrongType.exitCode).to.equal(2);
      expect(wrongType.json?.name).to.equal('UnknownAppError');
    });
  });

  describe('usage', () => {
    type LogRow = Record<string, string>;
    const usageOf = (run: CliRun): ConnectedAppUsageResult => run.json?.result as ConnectedAppUsageResult;
    const rowsOf = (emulator: Emulator, fileId: string): LogRow[] =>
      parseCsv<LogRow>(Buffer.concat([...(emulator.org.logFiles.get(fileId)?.content.chunks() ?? [])]), { columns: true });
    /** Ground truth: the rows naming each app Id (15 characters) in the files the run read. */
    const rowsByAppId = (emulator: Emulator, run: CliRun): Map<string, number> => {
      const counts = new Map<string, number>();
      for (const f of usageOf(run).eventLog?.files.filter((x) => x.status === 'read') ?? []) {
        for (const r of rowsOf(emulator, f.id)) counts.set(r.CONNECTED_APP_ID, (counts.get(r.CONNECTED_APP_ID) ?? 0) + 1);
      }
      return counts;
    };
    const ecaId = (name: string): string => demo.org.ecaByName(name)?.id ?? '';
    const nonDownloads = (run: CliRun): string[] => ownRequests(run).filter((r) => !r.path.endsWith('/LogFile')).map((r) => r.soapOperation ?? r.soql?.split(' FROM ')[1]?.split(' ')[0] ?? r.path);

    // Every source, no filter: the run the others compare with.
    let baseline: CliRun;
    before(async () => {
      baseline = await runCli(['connectedapp', 'usage'], { emulator: demo });
    });

    it("attributes an ECA's calls to it by Id, typed, not as an unknown app, in two more requests", () => {
      expect(baseline.exitCode, baseline.stderr).to.equal(0);
      const result = usageOf(baseline);
      const truth = rowsByAppId(demo, baseline);
      for (const name of ['Snowflake_Connector', 'Agent_Gateway']) {
        const app = result.apps.find((a) => a.apiName === name);
        expect(app, name).to.include({ type: 'external-client-app', appId: ecaId(name), installed: true });
        expect(app?.eventLog?.events, name).to.be.greaterThan(0).and.equal(truth.get(ecaId(name).slice(0, 15)));
      }
      expect(result.apps.find((a) => a.apiName === 'Snowflake_Connector')).to.include({ name: 'Snowflake Connector' });
      expect(result.apps.find((a) => a.apiName === 'Snowflake_Connector')?.eventLog?.users.map((u) => u.username)).to.deep.equal(['snowflake.sync@northwind.example.com']);
      // Only the uninstalled connected apps are unknown; the ECAs that made no call are unused.
      expect(result.apps.filter((a) => !a.installed).map((a) => [a.name, a.type])).to.have.deep.members([['Zapier', null], ['dataloader.io', null]]);
      expect(baseline.json?.warnings?.join('\n')).not.to.match(/Snowflake Connector|Agent Gateway/);
      expect(result.unusedApps.filter((a) => a.type === 'external-client-app').map((a) => a.apiName).sort()).to.deep.equal(['Partner_Quoting', 'Slack_Workflows', 'Tableau_Next']);
      expect(result.apps.filter((a) => a.installed).every((a) => a.type !== null)).to.equal(true);
      expect(result.appSources?.map((c) => [c.source, c.status])).to.deep.equal([
        ['ConnectedApplication', 'used'],
        ['listMetadata:ConnectedApp', 'used'],
        ['listMetadata:ExternalClientApplication', 'used'],
      ]);
      // Connected apps, their API names, the ECA list and one read of their headers (5 ECAs: one call of 10); the
      // rest as before: files, tokens (aggregate, visibility, holders), logins, usernames. No policy part is read.
      const requests = nonDownloads(baseline);
      expect(requests.filter((r) => r === 'listMetadata')).to.have.length(2);
      expect(requests.filter((r) => r === 'readMetadata')).to.have.length(1);
      expect(requests).to.have.length(10);
      const read = ownRequests(baseline).find((r) => r.soapOperation === 'readMetadata');
      // The five headers: one readMetadata of one type (a policy part would be a call of its own).
      expect(read?.records).to.equal(5);
    });

    it('shows the Type column in the table when an ECA is in it', async () => {
      const run = await runCli(['connectedapp', 'usage', '--source', 'elf'], { emulator: demo, json: false });
      expect(run.exitCode, run.stderr).to.equal(0);
      expect(run.stdout).to.match(/App\s+Type\s+Installed/);
      // The table wraps cells (as in `list`); the detail section's title does not.
      expect(run.stdout).to.include('external').and.include('client').and.include(`Snowflake Connector (${ecaId('Snowflake_Connector')})`);
    });

    it('--type connected-app leaves ECA calls out (not as unknown apps), --type external-client-app keeps only them, --name finds one', async () => {
      const all = usageOf(baseline);
      const cas = await runCli(['connectedapp', 'usage', '--type', 'connected-app'], { emulator: demo });
      expect(cas.exitCode, cas.stderr).to.equal(0);
      const caApps = usageOf(cas).apps;
      expect(caApps.some((a) => a.type === 'external-client-app' || /Snowflake Connector|Agent Gateway/.test(a.name))).to.equal(false);
      expect(caApps.filter((a) => !a.installed).map((a) => a.name).sort()).to.deep.equal(['Zapier', 'dataloader.io']);
      // Every connected app's count is what it was without --type.
      const events = (apps: ConnectedAppUsageResult['apps']): Array<[string, number, number]> =>
        apps.filter((a) => a.type !== 'external-client-app').map((a) => [a.name, a.eventLog?.events ?? 0, a.tokens?.useCount ?? 0]);
      expect(events(caApps)).to.deep.equal(events(all.apps));
      expect(usageOf(cas).unusedApps.every((a) => a.type === 'connected-app')).to.equal(true);
      expect(usageOf(cas).filters.type).to.equal('connected-app');
      // The ECAs are still read (their calls must be recognised to be left out): the same requests as without --type.
      expect(nonDownloads(cas).sort()).to.deep.equal(nonDownloads(baseline).sort());

      const ecas = usageOf(await runCli(['connectedapp', 'usage', '--source', 'elf', '--type', 'external-client-app'], { emulator: demo }));
      expect(ecas.apps.map((a) => [a.apiName, a.type])).to.deep.equal([
        ['Snowflake_Connector', 'external-client-app'],
        ['Agent_Gateway', 'external-client-app'],
      ]);
      const one = usageOf(await runCli(['connectedapp', 'usage', '--source', 'elf', '--name', 'Agent Gateway'], { emulator: demo }));
      expect(one.apps.map((a) => [a.apiName, a.type, a.appId])).to.deep.equal([['Agent_Gateway', 'external-client-app', ecaId('Agent_Gateway')]]);
      expect(one.filters.apps).to.deep.equal(['Agent_Gateway']);
    });

    it('joins by label when a row carries another Id or none (the other answers to GUESSES.md E9), logins by label too', async () => {
      const org = ecaOrg([{ name: 'Ledger_Export', label: 'Ledger Export', permissionSets: ['Integration_PS'] }, { name: 'Billing_Sync' }], [{ name: 'Billing_Sync', label: 'Billing Sync' }]);
      const [ledger] = org.scenario.externalClientApps ?? [];
      ledger.id = '0xI5g0000000L01';
      const row = (id: string, name: string, user: string): Record<string, string> => ({
        EVENT_TYPE: 'ApiTotalUsage',
        TIMESTAMP: '20261119100000.000',
        USER_ID: '',
        USER_NAME: user,
        CLIENT_IP: '198.51.100.9',
        API_FAMILY: 'REST',
        CONNECTED_APP_ID: id,
        CONNECTED_APP_NAME: name,
      });
      org.scenario.eventLogFiles = [
        {
          eventType: 'ApiTotalUsage',
          dates: ['-1d'],
          data: [
            row('0xI5g0000000L01', 'Ledger Export', 'ivy@eca.example.com'), // the emulator's answer: the ECA's Id
            row('0H45g0000000X01', 'Ledger Export', 'ivy@eca.example.com'), // (a) another Id, the label
            row('', 'Ledger Export', 'ivy@eca.example.com'), // (b) the name only
            row('0H45g0000000X02', 'Ledger_Export', 'rob@eca.example.com'), // (c) the API name
            row('0H45g0000000X03', 'Somebody Else', 'rob@eca.example.com'), // neither: an unknown app
          ],
        },
      ];
      org.scenario.loginHistory = [{ count: 3, users: ['ivy@eca.example.com'], application: 'Ledger Export', loginSubType: 'OauthClientCredentials', withinDays: 1 }];
      // The org's clock is pinned (2026-11-20): the window is the day of its file.
      const day = ['--start-date', '2026-11-19', '--end-date', '2026-11-19'];
      const emulator = await start({ scenario: org.scenario, scenarioDir: org.scenarioDir });
      try {
        const run = await runCli(['connectedapp', 'usage', ...day], { emulator });
        expect(run.exitCode, run.stderr).to.equal(0);
        const ledgerUsage = usageOf(run).apps.find((a) => a.apiName === 'Ledger_Export');
        expect(ledgerUsage).to.include({ type: 'external-client-app', appId: emulator.org.ecaByName('Ledger_Export')?.id, installed: true });
        expect(ledgerUsage?.appId?.slice(0, 15)).to.equal('0xI5g0000000L01');
        expect(ledgerUsage?.eventLog?.events).to.equal(4);
        expect(ledgerUsage?.logins.map((l) => [l.loginSubType, l.logins])).to.deep.equal([['OauthClientCredentials', 3]]);
        expect(usageOf(run).apps.filter((a) => !a.installed).map((a) => [a.name, a.appId])).to.deep.equal([['Somebody Else', '0H45g0000000X03']]);
        // A name both kinds answer to is refused, naming both; --type picks one.
        const ambiguous = await runCli(['connectedapp', 'usage', '--name', 'Billing_Sync', ...day], { emulator });
        expect(ambiguous.exitCode).to.equal(1);
        expect(ambiguous.json?.name).to.equal('AmbiguousAppError');
        const picked = await runCli(['connectedapp', 'usage', '--name', 'Billing_Sync', '--type', 'external-client-app', '--source', 'elf', ...day], { emulator });
        expect(picked.exitCode, picked.stderr).to.equal(0);
        expect(usageOf(picked).apps.map((a) => [a.apiName, a.type, a.eventLog])).to.deep.equal([['Billing_Sync', 'external-client-app', null]]);
      } finally {
        await emulator.stop();
        org.cleanup();
      }
    });

    it('reports connected apps and warns when the org refuses to list ECAs: their calls are unknown apps then', async () => {
      // listMetadata refused altogether (the API names of connected apps go too: their rows still come from SOQL).
      const refused = await start({ scenario: 'demo', faults: [{ soapOperation: 'listMetadata', kind: 'error', errorCode: 'INSUFFICIENT_ACCESS', times: -1 }] });
      try {
        const run = await runCli(['connectedapp', 'usage', '--source', 'elf'], { emulator: refused });
        expect(run.exitCode, run.stderr).to.equal(0);
        const result = usageOf(run);
        expect(result.apps.some((a) => a.type === 'external-client-app')).to.equal(false);
        expect(result.apps.filter((a) => !a.installed).map((a) => a.name)).to.include.members(['Snowflake Connector', 'Agent Gateway']);
        expect(result.appSources?.find((c) => c.source === 'listMetadata:ExternalClientApplication')).to.include({ status: 'no-permission', errorCode: 'INSUFFICIENT_ACCESS' });
        expect(run.json?.warnings?.join(' ')).to.include('External Client Apps could not be listed');
        expect(result.apps.find((a) => a.name === 'Jenkins CI')).to.include({ type: 'connected-app', installed: true });
      } finally {
        await refused.stop();
      }
    });
  });

  describe('audit --source-dir', () => {
    it('audits External Client App files beside connected apps: the same rules, and CA506 for global OAuth settings in the project', async () => {
      const run = await runCli(['connectedapp', 'audit', '--source-dir', join(REPO_ROOT, 'test', 'fixtures', 'eca')], { emulator: demo, targetOrg: false, cwd: REPO_ROOT });
      expect(run.exitCode, run.stderr).to.equal(0);
      const findings = (run.json?.result as { findings: Array<{ ruleId: string; app: string | null; file: string | null }> }).findings;
      const byRule = (code: string): string[] => [...new Set(findings.filter((f) => f.ruleId.startsWith(code)).map((f) => f.app ?? ''))].sort();
      expect(byRule('CA506')).to.deep.equal(['Analytics_Agent', 'Order_Bridge', 'Pocket_Client']);
      expect(byRule('CA301')).to.deep.equal(['Order_Bridge']);
      // Located in the app's header file.
      expect(findings.find((f) => f.ruleId.startsWith('CA506') && f.app === 'Order_Bridge')?.file).to.equal('test/fixtures/eca/Order_Bridge.eca-meta.xml');
      // Counted as files, not apps: every part file was read.
      const coverage = (run.json?.result as { coverage: Array<{ detail?: string }> }).coverage;
      expect(coverage[0].detail).to.include(`${readdirSync(join(REPO_ROOT, 'test', 'fixtures', 'eca')).length} file(s)`);
    });
  });

  describe('audit', () => {
    type Audit = { findings: Array<{ ruleId: string; app: string | null; appId: string | null }>; notEvaluated: Array<{ ruleId: string; apps?: number }>; coverage: Array<{ source: string; status: string }> };
    const auditOf = (run: CliRun): Audit => run.json?.result as Audit;
    const rulesFor = (audit: Audit, app: string): string[] => audit.findings.filter((f) => f.app === app).map((f) => f.ruleId.split('-')[0]);

    it('audits ECAs beside connected apps with the same rules, from their metadata', async () => {
      const run = await runCli(['connectedapp', 'audit'], { emulator: demo });
      expect(run.exitCode, run.stderr).to.equal(0);
      const audit = auditOf(run);
      // The misconfigured one: self-authorize with Full, IP bypass, plain-http callback, public client without PKCE,
      // refresh tokens that never expire, no rotation.
      expect(rulesFor(audit, 'Partner_Quoting')).to.include.members(['CA006', 'CA101', 'CA302', 'CA303', 'CA201', 'CA203', 'CA301']);
      expect(audit.findings.find((f) => f.app === 'Partner_Quoting')?.appId).to.equal(demo.org.ecaByName('Partner_Quoting')?.id);
      // A well-configured one: no IP or public-client finding.
      expect(rulesFor(audit, 'Agent_Gateway')).not.to.include.members(['CA101', 'CA303']);
      // Connected apps are still audited.
      const connectedApps = new Set([...demo.org.apps.values()].map((a) => a.fullName));
      expect(audit.findings.filter((f) => f.app !== null && connectedApps.has(f.app)).length).to.be.greaterThan(0);
    });

    it('--type external-client-app audits the ECAs only', async () => {
      const run = await runCli(['connectedapp', 'audit', '--type', 'external-client-app'], { emulator: demo });
      expect(run.exitCode, run.stderr).to.equal(0);
      const apps = new Set(auditOf(run).findings.map((f) => f.app).filter((a) => a !== null));
      expect([...apps].sort()).to.deep.equal(DEMO_ECAS);
    });

    it('leaves the rules that need the OAuth settings unevaluated when the org will not give them', async () => {
      const { scenario, baseDir } = loadScenario('demo');
      const locked = await start({ scenario: { ...scenario, org: { ...scenario.org, ecaOauthSettingsAccess: false } }, scenarioDir: baseDir });
      try {
        const run = await runCli(['connectedapp', 'audit', '--type', 'external-client-app'], { emulator: locked });
        expect(run.exitCode, run.stderr).to.equal(0);
        const audit = auditOf(run);
        // PKCE and the callback URL live in the global OAuth settings: not read, so neither passes nor fires.
        expect(rulesFor(audit, 'Partner_Quoting')).not.to.include.members(['CA302', 'CA303']);
        expect(rulesFor(audit, 'Partner_Quoting')).to.include('CA101');
        expect(audit.notEvaluated.map((n) => n.ruleId.split('-')[0])).to.include('CA303');
        expect(audit.coverage.find((c) => c.source.startsWith('listMetadata:ExtlClntAppOauthSettings'))?.status).to.equal('no-permission');
      } finally {
        await locked.stop();
      }
    });
  });
});
