import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { loadScenario, SCENARIO_DIR, start, type Emulator } from '../emulator/index.js';
import { ensureBuilt, runCli, type CliRun } from './harness.js';
import type { PairResult } from '../../src/domain/access/assignments.js';

type AccessResult = { results: PairResult[] };

const results = (run: CliRun): PairResult[] => (run.json?.result as AccessResult).results;
/** Requests that change the org: sObject writes and Metadata API updates (SOAP reads are POSTs too). */
const writes = (run: CliRun): string[] =>
  run.requests
    .filter((r) => (r.method === 'POST' || r.method === 'DELETE') && !['listMetadata', 'readMetadata'].includes(r.soapOperation ?? ''))
    .map((r) => `${r.method} ${r.soapOperation ?? r.path}`);
const seaCount = (emulator: Emulator, app: string): number => emulator.org.setupEntityAccessFor(app).length;

describe('connectedapp assign / unassign (e2e through the org emulator)', function () {
  this.timeout(120_000);
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

  it('creates missing pairs, then a re-run changes nothing and exits 0 with a warning', async () => {
    const before = seaCount(emulator, 'Jenkins_CI');
    const args = ['connectedapp', 'assign', '--name', 'Jenkins_CI', '--permission-set', 'API_Access', '--profile', 'Integration User'];
    const first = await runCli(args, { emulator });
    expect(first.exitCode, first.stderr).to.equal(0);
    expect(results(first).map((r) => [r.target, r.targetType, r.status, r.path])).to.deep.equal([
      ['API_Access', 'permission-set', 'created', 'setup-entity-access'],
      ['Integration User', 'profile', 'created', 'setup-entity-access'],
    ]);
    expect(results(first).every((r) => /^0J0/.test(r.recordId ?? ''))).to.be.true;
    expect(seaCount(emulator, 'Jenkins_CI')).to.equal(before + 2);
    expect(results(first).every((r) => r.verified === true)).to.be.true;
    // 3 resolve requests (apps, permission sets + profiles, listMetadata), 3 for the demo's 5 External Client Apps
    // (listMetadata, readMetadata of headers and OAuth policies), 1 existing-rows query, 1 write, 1 read-back.
    expect(first.requests.filter((r) => !/FROM Organization|^\/services\/data$/.test(r.soql ?? r.path))).to.have.length(9);

    const second = await runCli(args, { emulator });
    expect(second.exitCode, second.stderr).to.equal(0);
    expect(results(second).map((r) => r.status)).to.deep.equal(['unchanged', 'unchanged']);
    expect(second.json?.warnings?.join(' ')).to.match(/already assigned/);
    expect(writes(second)).to.deep.equal([]);
    expect(seaCount(emulator, 'Jenkins_CI')).to.equal(before + 2);
  });

  it('writes nothing under --dry-run', async () => {
    const before = seaCount(emulator, 'Jenkins_CI');
    const run = await runCli(['connectedapp', 'assign', '--name', 'Jenkins CI', '--permission-set', 'API Access', '--dry-run'], { emulator });
    expect(run.exitCode, run.stderr).to.equal(0);
    expect(results(run).map((r) => r.status)).to.deep.equal(['would-create']);
    expect(writes(run)).to.deep.equal([]);
    expect(seaCount(emulator, 'Jenkins_CI')).to.equal(before);
  });

  it('stops on unknown names with close matches, before writing anything', async () => {
    const run = await runCli(['connectedapp', 'assign', '--name', 'Jenkins_CI', '--permission-set', 'API_Acess', '--profile', 'Integration User'], { emulator });
    expect(run.exitCode).to.equal(1);
    expect(run.json?.name).to.equal('UnknownPermissionSetError');
    expect(run.json?.actions?.[0]).to.include('API_Access');
    expect(writes(run)).to.deep.equal([]);

    const app = await runCli(['connectedapp', 'assign', '--name', 'Jenkins_C', '--permission-set', 'API_Access'], { emulator });
    expect(app.json?.name).to.equal('UnknownAppError');
    expect(app.json?.actions?.join(' ')).to.include('Jenkins_CI');
    expect(writes(app)).to.deep.equal([]);
  });

  it('reports every unknown app, permission set and profile of a file at once, each with close matches', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ca-file-'));
    const file = join(dir, 'access.json');
    writeFileSync(file, JSON.stringify({ apps: [{ app: 'Jenkns_CI', permissionSets: ['API_Acess'] }, { app: 'Workato', profiles: ['Integration Usr'] }, { app: 'Wrkato' }] }));
    const run = await runCli(['connectedapp', 'assign', '--file', file], { emulator });
    expect(run.exitCode).to.equal(1);
    expect(run.json?.name).to.equal('UnknownAppError');
    expect(run.json?.message).to.include('"Jenkns_CI", "Wrkato"').and.include('"API_Acess"').and.include('"Integration Usr"');
    expect(run.json?.actions?.slice(0, 4)).to.deep.equal([
      'For "Jenkns_CI", did you mean: Jenkins_CI?',
      'For "Wrkato", did you mean: Workato?',
      'For "API_Acess", did you mean: API_Access?',
      'For "Integration Usr", did you mean: Integration User?',
    ]);
    expect(writes(run)).to.deep.equal([]);
  });

  it('refuses names longer than Salesforce allows before reading anything that needs them', async () => {
    const long = 'J'.repeat(100_000);
    const run = await runCli(['connectedapp', 'assign', '--name', 'Jenkins_CI', '--permission-set', long, '--profile', 'P'.repeat(256)], { emulator });
    expect(run.exitCode).to.equal(1);
    expect(run.json?.name).to.equal('NameTooLongError');
    expect(run.json?.message).to.include('permission set "JJJJ').and.include('(100000 characters)').and.include('profile "PPPP').and.not.include(long);
    expect(run.requests.filter((r) => !/FROM Organization|^\/services\/data$/.test(r.soql ?? r.path))).to.deep.equal([]);
  });

  it('refuses permission set groups (naming their components) and managed permission sets', async () => {
    const group = await runCli(['connectedapp', 'assign', '--name', 'Jenkins_CI', '--permission-set', 'Integration_Bundle'], { emulator });
    expect(group.json?.name).to.equal('PermissionSetGroupError');
    expect(group.json?.actions?.[0]).to.include('MuleSoft_Integration');
    const managed = await runCli(['connectedapp', 'assign', '--name', 'Jenkins_CI', '--permission-set', 'dsfs__DocuSign_User'], { emulator });
    expect(managed.json?.name).to.equal('ManagedPermissionSetError');
    expect(writes(group).concat(writes(managed))).to.deep.equal([]);
  });

  it('handles names with quotes and backslashes safely', async () => {
    const run = await runCli(['connectedapp', 'assign', '--name', "O'Brien\\App", '--permission-set', "It's \\ odd"], { emulator });
    expect(run.exitCode).to.equal(1);
    expect(run.json?.name).to.equal('UnknownAppError');
    expect(run.requests.filter((r) => r.status === 400)).to.deep.equal([]);
  });

  it('falls back to the metadata path when the org refuses profile rows, and says so per pair', async () => {
    await emulator.stop();
    emulator = await start({ scenario: 'demo', profileSetupEntityAccess: 'refuse' });
    const run = await runCli(['connectedapp', 'assign', '--name', 'Jenkins_CI', '--profile', 'Integration User', '--permission-set', 'API_Access'], { emulator });
    expect(run.exitCode, run.stderr).to.equal(0);
    expect(results(run).map((r) => [r.target, r.status, r.path])).to.deep.equal([
      ['API_Access', 'created', 'setup-entity-access'],
      ['Integration User', 'created', 'metadata'],
    ]);
    expect(writes(run)).to.include('POST updateMetadata');
  });

  it('exits 68 when some pairs fail and others succeed', async () => {
    await emulator.stop();
    emulator = await start({ scenario: 'demo', profileSetupEntityAccess: 'refuse' });
    // Postman is self-authorize: the profile row is refused and the metadata path does not apply.
    const run = await runCli(['connectedapp', 'assign', '--name', 'Postman', '--profile', 'Integration User', '--permission-set', 'API_Access'], { emulator });
    expect(run.exitCode).to.equal(68);
    expect(results(run).map((r) => r.status).sort()).to.deep.equal(['created', 'failed']);
    expect(run.json?.warnings?.join(' ')).to.match(/self-authorize/);
  });

  it('returns the per-pair results with exit code 1 when every pair fails', async () => {
    emulator.addFault({ method: 'POST', path: /composite\/sobjects/, kind: 'error', status: 403, errorCode: 'INSUFFICIENT_ACCESS', times: -1 });
    const run = await runCli(['connectedapp', 'assign', '--name', 'Jenkins_CI', '--permission-set', 'API_Access'], { emulator });
    expect(run.exitCode).to.equal(1);
    expect(run.json?.status).to.equal(1);
    expect(run.json?.warnings?.join(' ')).to.match(/INSUFFICIENT_ACCESS/);
    expect(results(run).map((r) => [r.status, r.errorCode])).to.deep.equal([['failed', 'INSUFFICIENT_ACCESS']]);
  });

  it('re-reads after a lost write response and does not create duplicates', async () => {
    const before = seaCount(emulator, 'Jenkins_CI');
    // The org commits the write, but the answer is a 503 (a gateway timing out after the commit).
    emulator.addFault({ method: 'POST', path: /composite\/sobjects/, kind: 'error-after', status: 503 });
    const run = await runCli(['connectedapp', 'assign', '--name', 'Jenkins_CI', '--permission-set', 'API_Access', '--profile', 'Integration User'], { emulator });
    expect(run.exitCode, run.stderr).to.equal(0);
    expect(results(run).map((r) => r.status)).to.deep.equal(['created', 'created']);
    expect(seaCount(emulator, 'Jenkins_CI')).to.equal(before + 2);
    expect(writes(run).filter((w) => w.includes('composite'))).to.have.length(1);
    expect(run.json?.warnings?.join(' ')).to.match(/did not answer/);
  });

  it('survives a connection dropped in the middle of the answer to a committed write', async () => {
    const before = seaCount(emulator, 'Jenkins_CI');
    emulator.addFault({ method: 'POST', path: /composite\/sobjects/, kind: 'drop-mid' });
    const run = await runCli(['connectedapp', 'assign', '--name', 'Jenkins_CI', '--permission-set', 'API_Access'], { emulator });
    expect(run.exitCode, run.stderr).to.equal(0);
    expect(results(run).map((r) => r.status)).to.deep.equal(['created']);
    expect(seaCount(emulator, 'Jenkins_CI')).to.equal(before + 1);
    expect(writes(run).filter((w) => w.includes('composite'))).to.have.length(1);
  });

  it('retries once when the connection drops before the answer', async () => {
    const before = seaCount(emulator, 'Jenkins_CI');
    emulator.addFault({ method: 'POST', path: /composite\/sobjects/, kind: 'drop-before' });
    const run = await runCli(['connectedapp', 'assign', '--name', 'Jenkins_CI', '--permission-set', 'API_Access'], { emulator });
    expect(run.exitCode, run.stderr).to.equal(0);
    expect(results(run).map((r) => r.status)).to.deep.equal(['created']);
    expect(seaCount(emulator, 'Jenkins_CI')).to.equal(before + 1);
  });

  it('retries once after a 503 that wrote nothing', async () => {
    const before = seaCount(emulator, 'Jenkins_CI');
    emulator.addFault({ method: 'POST', path: /composite\/sobjects/, kind: 'error', status: 503 });
    const run = await runCli(['connectedapp', 'assign', '--name', 'Jenkins_CI', '--permission-set', 'API_Access'], { emulator });
    expect(run.exitCode, run.stderr).to.equal(0);
    expect(results(run).map((r) => r.status)).to.deep.equal(['created']);
    expect(writes(run).filter((w) => w.includes('composite'))).to.have.length(2);
    expect(seaCount(emulator, 'Jenkins_CI')).to.equal(before + 1);
  });

  it('--file applies a desired state and --check reports drift with exit code 3', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ca-file-'));
    const file = join(dir, 'access.json');
    writeFileSync(file, JSON.stringify({ apps: [{ app: 'Jenkins_CI', permissionSets: ['API_Access'] }, { app: 'Workato', profiles: ['Integration User'] }] }));
    const drift = await runCli(['connectedapp', 'assign', '--file', file, '--check'], { emulator });
    expect(drift.exitCode).to.equal(3);
    expect(drift.json?.status).to.equal(3);
    expect(results(drift).filter((r) => r.status === 'would-create')).to.have.length(2);
    expect(writes(drift)).to.deep.equal([]);

    const apply = await runCli(['connectedapp', 'assign', '--file', file], { emulator });
    expect(apply.exitCode, apply.stderr).to.equal(0);
    const clean = await runCli(['connectedapp', 'assign', '--file', file, '--check'], { emulator });
    expect(clean.exitCode, clean.stderr).to.equal(0);
    expect(results(clean).every((r) => r.status === 'unchanged')).to.be.true;

    writeFileSync(file, '{"apps": [{"app": 7}]}');
    const invalid = await runCli(['connectedapp', 'assign', '--file', file], { emulator });
    expect(invalid.json?.name).to.equal('FileInvalidError');
    expect(invalid.json?.message).to.include('$.apps[0].app');
    expect(invalid.requests.filter((r) => !/FROM Organization|^\/services\/data$/.test(r.soql ?? r.path))).to.deep.equal([]);
  });

  it('unassign removes only the named pairs and reports absent ones as unchanged', async () => {
    await runCli(['connectedapp', 'assign', '--name', 'Jenkins_CI', '--permission-set', 'API_Access'], { emulator });
    const before = seaCount(emulator, 'Jenkins_CI');
    const run = await runCli(['connectedapp', 'unassign', '--name', 'Jenkins_CI', '--permission-set', 'API_Access', '--profile', 'Read Only'], { emulator });
    expect(run.exitCode, run.stderr).to.equal(0);
    expect(results(run).map((r) => [r.target, r.status]).sort()).to.deep.equal([
      ['API_Access', 'deleted'],
      ['Read Only', 'unchanged'],
    ]);
    expect(seaCount(emulator, 'Jenkins_CI')).to.equal(before - 1);
    expect(run.json?.warnings?.join(' ')).to.match(/not assigned/);
  });

  it('unassign refuses to remove the last assignment of a pre-authorized app unless --allow-lockout', async () => {
    const rows = emulator.org.setupEntityAccessFor('Jenkins_CI');
    const holders = emulator.org.table('PermissionSet').filter((p) => rows.some((r) => r.ParentId === p.Id));
    const profileNames = new Map(emulator.org.table('Profile').map((p) => [p.Id, p.Name as string]));
    const args = holders.flatMap((h) => (h.IsOwnedByProfile ? ['--profile', profileNames.get(h.ProfileId as string) ?? ''] : ['--permission-set', h.Name as string]));
    expect(args.length).to.be.greaterThan(0);

    const refused = await runCli(['connectedapp', 'unassign', '--name', 'Jenkins_CI', ...args], { emulator });
    expect(refused.exitCode).to.equal(1);
    expect(refused.json?.name).to.equal('LockoutError');
    expect(writes(refused)).to.deep.equal([]);
    expect(seaCount(emulator, 'Jenkins_CI')).to.equal(rows.length);

    const dry = await runCli(['connectedapp', 'unassign', '--name', 'Jenkins_CI', ...args, '--allow-lockout', '--dry-run'], { emulator });
    expect(dry.exitCode, dry.stderr).to.equal(0);
    expect(results(dry).every((r) => r.status === 'would-delete')).to.be.true;
    expect(writes(dry)).to.deep.equal([]);

    const allowed = await runCli(['connectedapp', 'unassign', '--name', 'Jenkins_CI', ...args, '--allow-lockout'], { emulator });
    expect(allowed.exitCode, allowed.stderr).to.equal(0);
    expect(seaCount(emulator, 'Jenkins_CI')).to.equal(0);
  });

  it('checks the metadata before trusting the object when the app looks self-authorize (lockout guard)', async () => {
    await emulator.stop();
    const { scenario } = loadScenario('demo');
    const jenkins = scenario.connectedApps?.find((a) => a.name === 'Jenkins_CI');
    // The reference: OptionsAllowAdminApprovedUsersOnly has been seen false for admin-approved apps.
    if (jenkins) jenkins.sobject = { OptionsAllowAdminApprovedUsersOnly: false };
    emulator = await start({ scenario, scenarioDir: SCENARIO_DIR });
    const rows = emulator.org.setupEntityAccessFor('Jenkins_CI');
    const holders = emulator.org.table('PermissionSet').filter((p) => rows.some((r) => r.ParentId === p.Id));
    const profileNames = new Map(emulator.org.table('Profile').map((p) => [p.Id, p.Name as string]));
    const args = holders.flatMap((h) => (h.IsOwnedByProfile ? ['--profile', profileNames.get(h.ProfileId as string) ?? ''] : ['--permission-set', h.Name as string]));
    const refused = await runCli(['connectedapp', 'unassign', '--name', 'Jenkins_CI', ...args], { emulator });
    expect(refused.json?.name).to.equal('LockoutError');
    expect(refused.requests.some((r) => r.soapOperation === 'readMetadata')).to.be.true;
    expect(writes(refused)).to.deep.equal([]);
  });

  it('rejects flag combinations with a clear error', async () => {
    const none = await runCli(['connectedapp', 'assign', '--name', 'Jenkins_CI'], { emulator });
    expect(none.json?.name).to.equal('NothingToAssignError');
    const check = await runCli(['connectedapp', 'assign', '--name', 'Jenkins_CI', '--permission-set', 'X', '--check'], { emulator });
    expect(check.exitCode).to.equal(2);
  });
});
