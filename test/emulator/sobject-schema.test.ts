import { expect } from 'chai';
import { start, type Emulator } from './index.js';
import { OBJECTS } from './schema.js';
import { getJson, q, type QueryPage } from './test-helpers.js';

type ErrorBody = Array<{ errorCode: string; message: string }>;
type Describe = { fields: Array<{ name: string; filterable: boolean; groupable: boolean; sortable: boolean; aggregatable: boolean }> };

/** The plugin's objects, as the issue lists them: each must be described. */
const PLUGIN_OBJECTS = [
  'ConnectedApplication', 'SetupEntityAccess', 'PermissionSet', 'PermissionSetAssignment', 'PermissionSetGroup', 'PermissionSetGroupComponent',
  'Profile', 'User', 'UserLogin', 'OauthToken', 'LoginHistory', 'EventLogFile', 'Organization', 'AppMenuItem', 'LoginIpRange',
  'ExternalClientApplication', 'ExtlClntAppOauthPlcyCnfg',
];

describe('org emulator: sObjects from the object reference (schemas/sobjects.json)', () => {
  let demo: Emulator;
  before(async () => {
    demo = await start({ scenario: 'demo' });
  });
  after(async () => {
    await demo.stop();
  });

  const refused = async (soql: string, e = demo): Promise<{ errorCode: string; message: string }> => {
    const r = await getJson<ErrorBody>(e, q(soql));
    expect(r.status, soql).to.equal(400);
    return r.json[0];
  };

  it('describes every object the plugin queries, each citing its reference page or marked undocumented', () => {
    for (const name of PLUGIN_OBJECTS) {
      const def = OBJECTS[name];
      expect(def, name).to.not.equal(undefined);
      if (def.documented === false) expect(def.optional, name).to.be.true;
      else expect(def.reference, name).to.match(/^https:\/\/developer\.salesforce\.com\/docs\//);
    }
  });

  it('refuses a query naming a field or an object that does not exist', async () => {
    expect(await refused('SELECT Id, PermissionsApproveUninstalledConnectedApps FROM PermissionSet')).to.deep.include({ errorCode: 'INVALID_FIELD' });
    expect((await refused('SELECT Id FROM ConnectedApplicationX')).errorCode).to.equal('INVALID_TYPE');
    expect((await refused('SELECT Id FROM ConnectedApplication WHERE Nope = 1')).message).to.include("No such column 'Nope' on entity 'ConnectedApplication'");
  });

  it('refuses a filter on EventLogFile.LogFile, a GROUP BY on a non-groupable field and an aggregate the field does not allow', async () => {
    expect(await refused("SELECT Id FROM EventLogFile WHERE LogFile = 'x'")).to.deep.include({ errorCode: 'INVALID_FIELD' });
    expect((await refused("SELECT Id FROM EventLogFile WHERE LogFile = 'x'")).message).to.include("field 'LogFile' can not be filtered in query call");
    expect((await refused('SELECT LoginTime, COUNT(Id) FROM LoginHistory GROUP BY LoginTime')).message).to.include("field 'LoginTime' can not be grouped in a query call");
    expect((await refused('SELECT ApiVersion, COUNT(Id) FROM EventLogFile GROUP BY ApiVersion')).message).to.include("field 'ApiVersion' can not be grouped");
    expect((await refused('SELECT COUNT(IsActive) FROM User')).message).to.include('field IsActive does not support aggregate operator COUNT');
    expect((await refused("SELECT Id FROM LoginHistory WHERE Application = 'Workato'")).message).to.include("field 'Application' can not be filtered");
  });

  it('answers the describe flags from the schema', async () => {
    const elf = (await getJson<Describe>(demo, '/services/data/v67.0/sobjects/EventLogFile/describe')).json.fields;
    expect(elf.find((f) => f.name === 'LogFile')).to.deep.include({ filterable: false, groupable: false, sortable: false, aggregatable: false });
    expect(elf.find((f) => f.name === 'LogDate')).to.deep.include({ filterable: true, groupable: false, sortable: true });
    const tokens = (await getJson<Describe>(demo, '/services/data/v67.0/sobjects/OauthToken/describe')).json.fields;
    expect(tokens.find((f) => f.name === 'AppName')).to.deep.include({ filterable: true, groupable: true, sortable: true, aggregatable: true });
  });

  it('has PermissionsCanApproveUninstalledApps by default, and an org can lack it (describe and SOQL agree)', async () => {
    const names = async (e: Emulator): Promise<string[]> => (await getJson<Describe>(e, '/services/data/v67.0/sobjects/PermissionSet/describe')).json.fields.map((f) => f.name);
    expect(await names(demo)).to.include.members(['PermissionsCanApproveUninstalledApps', 'PermissionsUseAnyApiClient', 'PermissionsModifyAllData']);
    expect(await names(demo)).to.not.include('PermissionsApproveUninstalledConnectedApps');
    const ok = await getJson<QueryPage>(demo, q('SELECT Name FROM Profile WHERE PermissionsCanApproveUninstalledApps = true'));
    expect(ok.json.records.map((r) => r.Name)).to.include('System Administrator');

    const lacking = await start({ scenario: 'demo', optionalSchema: { 'PermissionSet.PermissionsCanApproveUninstalledApps': false, 'Profile.PermissionsCanApproveUninstalledApps': false } });
    try {
      expect(await names(lacking)).to.not.include('PermissionsCanApproveUninstalledApps');
      expect((await refused('SELECT Name FROM Profile WHERE PermissionsCanApproveUninstalledApps = true', lacking)).errorCode).to.equal('INVALID_FIELD');
      expect((await refused('SELECT PermissionSet.PermissionsCanApproveUninstalledApps FROM PermissionSetAssignment', lacking)).errorCode).to.equal('INVALID_FIELD');
    } finally {
      await lacking.stop();
    }
  });

  it('has no LoginIpRange object by default; an org option adds it with IpStartAddress / IpEndAddress', async () => {
    expect((await refused('SELECT Id FROM LoginIpRange')).errorCode).to.equal('INVALID_TYPE');
    const withRanges = await start({ scenario: 'demo', optionalSchema: { LoginIpRange: true } });
    try {
      const r = await getJson<QueryPage>(withRanges, q('SELECT IpStartAddress, IpEndAddress, Profile.Name FROM LoginIpRange'));
      expect(r.status).to.equal(200);
      expect(r.json.totalSize).to.be.greaterThan(0);
      expect((await refused('SELECT StartAddress FROM LoginIpRange', withRanges)).errorCode).to.equal('INVALID_FIELD');
    } finally {
      await withRanges.stop();
    }
  });

  it('refuses scenario options naming unknown or non-optional schema parts', async () => {
    let error: unknown;
    try {
      await start({ scenario: { org: { name: 'X', optionalSchema: { 'Profile.Name': false } } } });
    } catch (e) {
      error = e;
    }
    expect((error as Error).message).to.include('is not optional');
  });
});
