import { expect } from 'chai';
import type { SinonStub } from 'sinon';
import { MockTestOrgData, TestContext } from '@salesforce/core/testSetup';
import { stubSfCommandUx } from '@salesforce/sf-plugins-core';
import ConnectedAppList, { type ConnectedAppListResult } from '../../../src/commands/connectedapp/list.js';
import { FakeOrg, restError, soapFault } from '../fake-org.js';

const APPS_SOQL = /FROM ConnectedApplication/;
const ACCESS_SOQL = /FROM SetupEntityAccess/;

function app(id: string, name: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    attributes: { type: 'ConnectedApplication' },
    Id: id,
    Name: name,
    OptionsAllowAdminApprovedUsersOnly: false,
    RefreshTokenValidityPeriod: null,
    OptionsRefreshTokenValidityMetric: false,
    CreatedDate: '2025-01-02T03:04:05.000+0000',
    LastModifiedDate: '2026-02-03T04:05:06.000+0000',
    ...extra,
  };
}

function access(id: string, appId: string, parent: Record<string, unknown>): Record<string, unknown> {
  return {
    attributes: { type: 'SetupEntityAccess' },
    Id: id,
    ParentId: parent.Id,
    SetupEntityId: appId,
    Parent: { attributes: { type: 'PermissionSet' }, Label: null, ProfileId: null, Profile: null, PermissionSetGroupId: null, NamespacePrefix: null, IsOwnedByProfile: false, ...parent },
  };
}

const profileSet = (id: string, profile: string): Record<string, unknown> => ({ Id: id, Name: `X${id}`, IsOwnedByProfile: true, ProfileId: `00e${id}`, Profile: { Name: profile } });
const permSet = (id: string, name: string, label: string): Record<string, unknown> => ({ Id: id, Name: name, Label: label });

function component(fullName: string, id: string | null, namespacePrefix?: string): string {
  return (
    `<result><createdById>005A</createdById><createdDate>2025-01-02T03:04:05.000Z</createdDate><fileName>connectedApps/${fullName}.connectedApp</fileName>` +
    `<fullName>${fullName}</fullName>${id ? `<id>${id}</id>` : '<id></id>'}<manageableState>${namespacePrefix ? 'installed' : 'unmanaged'}</manageableState>` +
    `${namespacePrefix ? `<namespacePrefix>${namespacePrefix}</namespacePrefix>` : ''}<type>ConnectedApp</type></result>`
  );
}

describe('connectedapp list', () => {
  const $$ = new TestContext();
  const testOrg = new MockTestOrgData();
  let org: FakeOrg;

  beforeEach(async () => {
    await $$.stubAuths(testOrg);
    stubSfCommandUx($$.SANDBOX);
    org = new FakeOrg().installFetch($$.SANDBOX);
    $$.fakeConnectionRequest = org.handler;
    // Who can use the apps (src/adapters/access-resolver.ts): no group, no user; through the emulator in test/e2e/list.slow.test.ts.
    org.query(/FROM PermissionSetGroupComponent/, []).query(/FROM PermissionSetAssignment/, []);
  });

  afterEach(() => {
    $$.restore();
    process.exitCode = undefined;
  });

  const run = async (...args: string[]): Promise<ConnectedAppListResult> => ConnectedAppList.run(['--target-org', testOrg.username, ...args]);

  it('joins apps, metadata names and assignments (profiles counted through their owned permission set)', async () => {
    org
      .query(APPS_SOQL, [
        app('0H4000000000001AAA', 'Jenkins CI', { OptionsAllowAdminApprovedUsersOnly: true, RefreshTokenValidityPeriod: 90, OptionsRefreshTokenValidityMetric: true }),
        app('0H4000000000002AAA', 'MuleSoft'),
      ])
      .query(ACCESS_SOQL, [
        access('0J0000000000001AAA', '0H4000000000001AAA', permSet('0PS000000000001AAA', 'CI_Users', 'CI Users')),
        access('0J0000000000002AAA', '0H4000000000001AAA', profileSet('0PS000000000002AAA', 'System Administrator')),
        access('0J0000000000003AAA', '0H4000000000001', profileSet('0PS000000000003AAA', 'Integration')),
      ])
      .soapOperation('listMetadata', component('Jenkins_CI', '0H4000000000001AAA') + component('MuleSoft_Integration', '0H4000000000002'));

    const result = await run();

    expect(result.apps.map((a) => [a.apiName, a.label, a.joinedBy])).to.deep.equal([
      ['Jenkins_CI', 'Jenkins CI', 'id'],
      ['MuleSoft_Integration', 'MuleSoft', 'id'],
    ]);
    const jenkins = result.apps[0];
    expect(jenkins.permittedUsers).to.equal('admin-approved');
    expect(jenkins.refreshToken).to.deep.equal({ validityPeriod: 90, measuredFrom: 'last-use' });
    expect(jenkins.permissionSetCount).to.equal(1);
    expect(jenkins.profileCount).to.equal(2);
    expect(jenkins.profiles).to.deep.equal(['System Administrator', 'Integration']);
    expect(jenkins.permissionSets).to.deep.equal(['CI_Users']);
    expect(result.apps[1]).to.include({ permittedUsers: 'all-self-authorize', permissionSetCount: 0, profileCount: 0 });
    expect(result.unmatchedComponents).to.deep.equal([]);
    expect(jenkins).to.include({ activeUsers: 0 });
    expect(jenkins.activeUsersByKind).to.deep.equal({ profile: 0, permissionSet: 0, permissionSetGroup: 0 });
    // Inventory: apps, access, names, External Client Apps (listed, none here); who can use them: the inventory's
    // access rows (not read again), groups, assignments.
    expect(org.dataRequests.map((r) => r.soapOperation ?? /FROM (\w+)/.exec(r.soql ?? '')?.[1])).to.have.members([
      'ConnectedApplication',
      'SetupEntityAccess',
      'listMetadata',
      'listMetadata',
      'PermissionSetGroupComponent',
      'PermissionSetAssignment',
    ]);
  });

  it('follows nextRecordsUrl on both queries', async () => {
    org
      .query(APPS_SOQL, [app('0H4000000000001AAA', 'A')], [app('0H4000000000002AAA', 'B')], [app('0H4000000000003AAA', 'C')])
      .query(
        ACCESS_SOQL,
        [access('0J0000000000001AAA', '0H4000000000001AAA', permSet('0PS000000000001AAA', 'P1', 'P1'))],
        [access('0J0000000000002AAA', '0H4000000000003AAA', permSet('0PS000000000001AAA', 'P1', 'P1'))]
      )
      .soapOperation('listMetadata', component('A', '0H4000000000001AAA') + component('B', '0H4000000000002AAA') + component('C', '0H4000000000003AAA'));

    const result = await run();

    expect(result.apps.map((a) => [a.apiName, a.permissionSetCount])).to.deep.equal([
      ['A', 1],
      ['B', 0],
      ['C', 1],
    ]);
    // Apps: 2 more pages; access rows: 1 more page, read once (the access resolver uses the inventory's rows).
    expect(org.dataRequests.filter((r) => /\/query\/01g/.test(r.url))).to.have.length(3);
  });

  it('joins by normalised name when listMetadata has no id, and handles namespaced apps', async () => {
    org
      .query(APPS_SOQL, [app('0H4000000000001AAA', 'Data Loader Bulk'), app('0H4000000000002AAA', 'Conga Composer'), app('0H4000000000003AAA', 'Orphan')])
      .query(ACCESS_SOQL, [])
      .soapOperation('listMetadata', component('Data_Loader_Bulk', null) + component('APXTConga4__Conga_Composer', null, 'APXTConga4') + component('Stale_App', '0H4000000000099AAA'));

    const result = await run();

    const byLabel = new Map(result.apps.map((a) => [a.label, a]));
    expect(byLabel.get('Data Loader Bulk')).to.include({ apiName: 'Data_Loader_Bulk', joinedBy: 'name' });
    expect(byLabel.get('Conga Composer')).to.include({ apiName: 'APXTConga4__Conga_Composer', namespacePrefix: 'APXTConga4', joinedBy: 'name' });
    expect(byLabel.get('Orphan')).to.include({ apiName: null, joinedBy: null });
    expect(result.unmatchedComponents.map((c) => c.fullName)).to.deep.equal(['Stale_App']);
  });

  it('lists the apps without API names when listMetadata is not permitted (warning, not failure)', async () => {
    org
      .query(APPS_SOQL, [app('0H4000000000001AAA', 'Jenkins CI')])
      .query(ACCESS_SOQL, [])
      .soapOperation('listMetadata', () => {
        throw soapFault('INSUFFICIENT_ACCESS', 'INSUFFICIENT_ACCESS: use of the Metadata API requires a user with the ModifyAllData or ModifyMetadata permissions');
      });

    const result = await run();

    expect(result.apps).to.have.length(1);
    expect(result.apps[0].apiName).to.equal(null);
    expect(result.coverage.find((c) => c.source === 'listMetadata:ConnectedApp')).to.include({ status: 'no-permission', errorCode: 'INSUFFICIENT_ACCESS' });
  });

  it('returns an empty list for an org with no connected apps', async () => {
    org.query(APPS_SOQL, []).query(ACCESS_SOQL, []).soapOperation('listMetadata', '');
    const result = await run();
    expect(result.apps).to.deep.equal([]);
    expect(result.coverage.every((c) => c.status === 'used')).to.be.true;
  });

  it('filters by API name, label or Id', async () => {
    org
      .query(APPS_SOQL, [app('0H4000000000001AAA', 'Jenkins CI'), app('0H4000000000002AAA', 'MuleSoft'), app('0H4000000000003AAA', 'Slack')])
      .query(ACCESS_SOQL, [])
      .soapOperation('listMetadata', component('Jenkins_CI', '0H4000000000001AAA') + component('MuleSoft', '0H4000000000002AAA') + component('Slack', '0H4000000000003AAA'));

    const result = await run('--name', 'jenkins_ci', '--name', 'muleSOFT', '--name', '0H4000000000003');
    expect(result.apps.map((a) => a.label)).to.deep.equal(['Jenkins CI', 'MuleSoft', 'Slack']);
  });

  it('rejects an unknown --name with close matches and the next step', async () => {
    org
      .query(APPS_SOQL, [app('0H4000000000001AAA', 'Jenkins CI'), app('0H4000000000002AAA', 'MuleSoft')])
      .query(ACCESS_SOQL, [])
      .soapOperation('listMetadata', component('Jenkins_CI', '0H4000000000001AAA') + component('MuleSoft', '0H4000000000002AAA'));

    try {
      await run('--name', 'Jenkins_C', '--name', 'Nothing Like It');
      expect.fail('expected an error');
    } catch (error) {
      const e = error as { name: string; message: string; actions?: string[]; exitCode?: number };
      expect(e.name).to.equal('UnknownAppError');
      expect(e.message).to.include('"Jenkins_C", "Nothing Like It"');
      expect(e.actions?.[0]).to.include('Jenkins_CI');
      expect(e.actions?.join('\n')).to.include('sf connectedapp list');
      expect(e.exitCode).to.equal(1);
    }
  });

  it('fails with a clear error (exit code 1) when the ConnectedApplication query fails', async () => {
    org
      .queryHandler(APPS_SOQL, () => {
        throw restError('INVALID_SESSION_ID', 'Session expired or invalid');
      })
      .query(ACCESS_SOQL, [])
      .soapOperation('listMetadata', '');
    try {
      await run();
      expect.fail('expected an error');
    } catch (error) {
      const e = error as { message: string; exitCode?: number };
      expect(e.message).to.include('Session expired or invalid');
      expect(e.exitCode ?? 1).to.equal(1);
    }
  });

  it('makes the same number of requests for 3 apps and for 600 apps', async () => {
    const requestsFor = async (count: number): Promise<number> => {
      const apps = Array.from({ length: count }, (_, i) => app(`0H4${String(i).padStart(12, '0')}AAA`, `App ${i}`));
      const rows = apps.map((a, i) => access(`0J0${String(i).padStart(12, '0')}AAA`, a.Id as string, permSet('0PS000000000001AAA', 'P', 'P')));
      const local = new FakeOrg()
        .query(APPS_SOQL, apps)
        .query(ACCESS_SOQL, rows)
        .query(/FROM PermissionSetGroupComponent/, [])
        .query(/FROM PermissionSetAssignment/, [])
        .soapOperation('listMetadata', apps.map((a, i) => component(`App_${i}`, a.Id as string)).join(''));
      $$.fakeConnectionRequest = local.handler;
      (globalThis.fetch as unknown as SinonStub).restore();
      local.installFetch($$.SANDBOX);
      const result = await run();
      expect(result.apps).to.have.length(count);
      return local.dataRequests.length;
    };
    const small = await requestsFor(3);
    const large = await requestsFor(600);
    expect(small).to.equal(6);
    expect(large).to.equal(small);
  });
});
