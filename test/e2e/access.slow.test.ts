/*
 * Who can use an app, end to end through the org emulator: an app reached only through a permission set group is
 * counted with its users (list), is not called unusable (audit CA002), and the unassign lockout guard asks whether any
 * remaining grant reaches an active user.
 */
import { expect } from 'chai';
import { start, type Emulator } from '../emulator/index.js';
import { ensureBuilt, ownRequests, runCli, type CliRun } from './harness.js';
import { appXml, GROUP_SCENARIO } from './access-scenario.js';
import type { ConnectedAppListResult } from '../../src/commands/connectedapp/list.js';
import type { ConnectedAppAuditResult } from '../../src/commands/connectedapp/audit.js';

const listOf = (run: CliRun): ConnectedAppListResult => run.json?.result as ConnectedAppListResult;
const auditOf = (run: CliRun): ConnectedAppAuditResult => run.json?.result as ConnectedAppAuditResult;

describe('who can use an app: permission set groups, end to end (org emulator)', function () {
  this.timeout(180_000);
  let emulator: Emulator;
  before(async () => {
    await ensureBuilt();
    emulator = await start({ scenario: GROUP_SCENARIO });
  });
  after(async () => emulator.stop());

  it('list counts the active users of an app reached only through a group, by kind of grant, naming the group', async () => {
    const run = await runCli(['connectedapp', 'list'], { emulator });
    expect(run.exitCode, run.stderr).to.equal(0);
    const byName = new Map(listOf(run).apps.map((a) => [a.apiName, a]));
    expect(byName.get('Group_Only')).to.deep.include({ activeUsers: 2, permissionSetGroups: ['Bundle'], activeUsersByKind: { profile: 0, permissionSet: 0, permissionSetGroup: 2 } });
    // admin and dave through the profile, bob directly: 3 distinct users.
    expect(byName.get('Mixed')).to.deep.include({ activeUsers: 3, activeUsersByKind: { profile: 2, permissionSet: 1, permissionSetGroup: 0 } });
    expect(byName.get('Orphaned')).to.deep.include({ activeUsers: 0 });
    // Inventory (3) + External Client Apps (1 listMetadata; this org has none) + who can use the apps (2: groups and
    // assignments; the grants are the inventory's), whatever the number of apps.
    expect(ownRequests(run)).to.have.length(6);
    const human = await runCli(['connectedapp', 'list'], { emulator, json: false });
    expect(human.stdout).to.match(/Group_Only.*2: group 2/);
  });

  it('audit does not call an app reached through a group unusable, and still finds the one nobody active can use', async () => {
    const run = await runCli(['connectedapp', 'audit', '--rule', 'CA002-preauth-no-active-users'], { emulator });
    expect(run.exitCode, run.stderr).to.equal(0);
    const apps = auditOf(run).findings.filter((f) => f.ruleId.startsWith('CA002')).map((f) => f.app);
    expect(apps).to.deep.equal(['Orphaned']);
  });

  it('list says "unknown", never 0, when assignments cannot be read', async () => {
    const refused = await start({ scenario: GROUP_SCENARIO, faults: [{ soql: /FROM PermissionSetAssignment/, kind: 'error', errorCode: 'INSUFFICIENT_ACCESS', times: -1 }] });
    try {
      const run = await runCli(['connectedapp', 'list'], { emulator: refused });
      expect(run.exitCode, run.stderr).to.equal(0);
      expect(listOf(run).apps.every((a) => a.activeUsers === null && a.activeUsersByKind === null)).to.be.true;
      expect(listOf(run).coverage.find((c) => c.source === 'PermissionSetAssignment')).to.include({ status: 'no-permission' });
      const audit = await runCli(['connectedapp', 'audit', '--rule', 'CA002-preauth-no-active-users'], { emulator: refused });
      expect(auditOf(audit).findings.filter((f) => f.ruleId.startsWith('CA002'))).to.deep.equal([]);
      expect(auditOf(audit).notEvaluated.map((n) => n.ruleId)).to.include('CA002-preauth-no-active-users');
    } finally {
      await refused.stop();
    }
  });

  it('unassign: removing a profile is a lockout when what remains reaches no active user, and not when a group still does', async () => {
    const lockout = await runCli(['connectedapp', 'unassign', '--name', 'Profile_And_Lonely', '--profile', 'Standard User', '--dry-run'], { emulator });
    expect(lockout.exitCode, lockout.stderr).to.not.equal(0);
    expect(lockout.json?.name).to.equal('LockoutError');
    const fine = await runCli(['connectedapp', 'unassign', '--name', 'Mixed', '--profile', 'System Administrator', '--dry-run'], { emulator });
    expect(fine.exitCode, fine.stderr).to.equal(0);
  });
});

describe('policy set lockout guard: assigned is not enough, someone active must be reached (org emulator)', function () {
  this.timeout(180_000);
  let emulator: Emulator;
  const selfAuthorize = '<isAdminApproved>false</isAdminApproved><scopes>Api</scopes>';
  before(async () => {
    await ensureBuilt();
    emulator = await start({
      scenario: {
        ...GROUP_SCENARIO,
        connectedApps: [
          ...(GROUP_SCENARIO.connectedApps ?? []),
          { name: 'Lonely_Self', metadata: appXml('Lonely Self', '<permissionSetName>Lonely PS</permissionSetName>', selfAuthorize) },
          { name: 'Group_Self', metadata: appXml('Group Self', '<permissionSetName>Component PS</permissionSetName>', selfAuthorize) },
        ],
      },
    });
  });
  after(async () => emulator.stop());

  it('refuses to pre-authorize an app whose only permission set nobody active holds, and changes nothing', async () => {
    const before = emulator.org.table('ConnectedApplication').find((a) => a.Name === 'Lonely Self')?.OptionsAllowAdminApprovedUsersOnly;
    for (const extra of [[], ['--dry-run']]) {
      const run = await runCli(['connectedapp', 'policy', 'set', '--name', 'Lonely_Self', '--permitted-users', 'admin-approved', ...extra], { emulator });
      expect(run.exitCode, run.stderr).to.not.equal(0);
      expect(run.json?.name).to.equal('LockoutNoActiveUsersError');
      expect(run.json?.message).to.match(/reach no active user/);
      expect(run.requests.some((r) => r.soapOperation === 'updateMetadata')).to.equal(false);
    }
    expect(emulator.org.table('ConnectedApplication').find((a) => a.Name === 'Lonely Self')?.OptionsAllowAdminApprovedUsersOnly).to.equal(before);
    const forced = await runCli(['connectedapp', 'policy', 'set', '--name', 'Lonely_Self', '--permitted-users', 'admin-approved', '--force'], { emulator });
    expect(forced.exitCode, forced.stderr).to.equal(0);
    expect(forced.json?.warnings?.join('\n')).to.match(/reach no active user/);
  });

  it('pre-authorizes an app reached through a permission set group: its users keep access', async () => {
    const run = await runCli(['connectedapp', 'policy', 'set', '--name', 'Group_Self', '--permitted-users', 'admin-approved'], { emulator });
    expect(run.exitCode, run.stderr).to.equal(0);
    expect(emulator.org.table('ConnectedApplication').find((a) => a.Name === 'Group Self')?.OptionsAllowAdminApprovedUsersOnly).to.equal(true);
  });
});
