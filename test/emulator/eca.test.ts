/*
 * External Client Apps in the emulator: the demo org's ECAs through listMetadata / readMetadata of the five ECA
 * types, updateMetadata of a policy component (checked by the WSDL, saved losslessly, refused where the org would
 * refuse), SetupEntityAccess rows of type ExternalClientApplication, and the "internal use only" sObjects.
 */
import { expect } from 'chai';
import { start, type Emulator } from './index.js';
import { childText, elements, firstElement, parseXml, type XmlElement } from './xml.js';
import { getJson, q, soap, type QueryPage } from './test-helpers.js';
import { loadScenario } from './scenario.js';

const ECA_NAMES = ['Agent_Gateway', 'Partner_Quoting', 'Slack_Workflows', 'Snowflake_Connector', 'Tableau_Next'];
const body = (xml: string): XmlElement => elements(firstElement(parseXml(xml).root, 'Body'))[0];
const read = async (e: Emulator, type: string, names: string[]): Promise<XmlElement[]> => {
  const r = await soap(e, `<met:readMetadata><met:type>${type}</met:type>${names.map((n) => `<met:fullNames>${n}</met:fullNames>`).join('')}</met:readMetadata>`);
  expect(r.status, r.body).to.equal(200);
  return elements(firstElement(body(r.body), 'result'), 'records');
};
const update = (type: string, inner: string): string =>
  `<met:updateMetadata xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><met:metadata xsi:type="met:${type}">${inner}</met:metadata></met:updateMetadata>`;
const policyXml = (over: Record<string, string> = {}): string => {
  const fields: Array<[string, string]> = [
    ['fullName', 'Partner_Quoting_oauthPlcy'],
    ['externalClientApplication', 'Partner_Quoting'],
    ['ipRelaxationPolicyType', 'Enforce'],
    ['isClientCredentialsFlowEnabled', 'false'],
    ['isGuestCodeCredFlowEnabled', 'false'],
    ['isTokenExchangeFlowEnabled', 'false'],
    ['label', 'Partner_Quoting_oauthPlcy'],
    ['permittedUsersPolicyType', 'AdminApprovedPreAuthorized'],
    ['refreshTokenPolicyType', 'SpecificInactivity'],
    ['refreshTokenValidityPeriod', '30'],
    ['refreshTokenValidityUnit', 'Days'],
    ['requiredSessionLevel', 'STANDARD'],
  ];
  return fields.map(([k, v]) => (k in over ? over[k] : `<${k}>${v}</${k}>`)).join('');
};

describe('org emulator: External Client Apps', () => {
  let e: Emulator;
  beforeEach(async () => {
    e = await start({ scenario: 'demo' });
  });
  afterEach(async () => {
    await e.stop();
  });

  it('lists the demo ECAs for each of the five types, with retrieve file names', async () => {
    const r = await soap(e, '<met:listMetadata><met:queries><met:type>ExternalClientApplication</met:type></met:queries><met:queries><met:type>ExtlClntAppOauthConfigurablePolicies</met:type></met:queries></met:listMetadata>');
    const results = elements(body(r.body), 'result');
    const byType = (type: string): string[] => results.filter((x) => childText(x, 'type') === type).map((x) => childText(x, 'fullName') ?? '').sort();
    expect(byType('ExternalClientApplication')).to.deep.equal(ECA_NAMES);
    expect(byType('ExtlClntAppOauthConfigurablePolicies')).to.deep.equal(ECA_NAMES.map((n) => `${n}_oauthPlcy`));
    expect(results.map((x) => childText(x, 'fileName'))).to.include('extlClntAppOauthPolicies/Partner_Quoting_oauthPlcy.ecaOauthPlcy');
    expect(results.filter((x) => childText(x, 'type') === 'ExternalClientApplication').every((x) => /^0xI/.test(childText(x, 'id') ?? ''))).to.equal(true);
  });

  it('reads ECA components in WSDL order, 10 names a call; unknown names are nil; the consumer secret is never returned', async () => {
    const [glbl, missing] = await read(e, 'ExtlClntAppGlobalOauthSettings', ['Partner_Quoting_glbloauth', 'Nope_glbloauth']);
    expect(childText(glbl, 'fullName')).to.equal('Partner_Quoting_glbloauth');
    expect(childText(glbl, 'isPkceRequired')).to.equal('false');
    expect(childText(glbl, 'consumerKey')).to.match(/^3MVG/);
    expect(firstElement(glbl, 'consumerSecret')).to.equal(undefined);
    expect(missing.attributes).to.deep.include(['xsi:nil', 'true']);
    const [plcy] = await read(e, 'ExtlClntAppOauthConfigurablePolicies', ['Tableau_Next_oauthPlcy']);
    expect(childText(plcy, 'refreshTokenPolicyType')).to.equal('SpecificInactivity');
    const names = elements(plcy).map((x) => x.name);
    expect(names).to.deep.equal([...names].sort((a, b) => (a === 'fullName' ? -1 : b === 'fullName' ? 1 : a < b ? -1 : 1)));
    const eleven = await soap(e, `<met:readMetadata><met:type>ExternalClientApplication</met:type>${'<met:fullNames>x</met:fullNames>'.repeat(11)}</met:readMetadata>`);
    expect(eleven.status).to.equal(500);
  });

  it('saves an OAuth policy update losslessly and moves the policy row with it', async () => {
    const saved = await soap(e, update('ExtlClntAppOauthConfigurablePolicies', policyXml()));
    expect(childText(firstElement(body(saved.body), 'result'), 'success'), saved.body).to.equal('true');
    const [plcy] = await read(e, 'ExtlClntAppOauthConfigurablePolicies', ['Partner_Quoting_oauthPlcy']);
    expect(childText(plcy, 'permittedUsersPolicyType')).to.equal('AdminApprovedPreAuthorized');
    expect(childText(plcy, 'ipRelaxationPolicyType')).to.equal('Enforce');
    expect(childText(plcy, 'isGuestCodeCredFlowEnabled')).to.equal('false');
    const row = e.org.table('ExtlClntAppOauthPlcyCnfg').find((r) => r.ExternalClientApplicationId === e.org.ecaByName('Partner_Quoting')?.id);
    expect(row).to.include({ PermittedUsersPolicyType: 'AdminApprovedPreAuthorized', RefreshTokenPolicyType: 'SpecificInactivity', RefreshTokenValidityPeriod: 30 });
  });

  it('refuses what the org would refuse, and changes nothing', async () => {
    const before = await read(e, 'ExtlClntAppOauthConfigurablePolicies', ['Partner_Quoting_oauthPlcy']);
    // A ConnectedApp spelling of an ECA enum: the WSDL deserialiser refuses the whole call.
    const badEnum = await soap(e, update('ExtlClntAppOauthConfigurablePolicies', policyXml({ refreshTokenPolicyType: '<refreshTokenPolicyType>infinite</refreshTokenPolicyType>' })));
    expect(badEnum.status).to.equal(500);
    expect(childText(body(badEnum.body), 'faultstring')).to.equal("'infinite' is not a valid value for the enum 'RefreshTokenPolicyType'");
    // A ConnectedApp value in a guide-documented string field, a specific policy without its unit, a missing required element, an unknown component.
    const cases: Array<[string, string]> = [
      [policyXml({ ipRelaxationPolicyType: '<ipRelaxationPolicyType>BYPASS</ipRelaxationPolicyType>' }), 'FIELD_INTEGRITY_EXCEPTION'],
      [policyXml({ refreshTokenValidityUnit: '' }), 'FIELD_INTEGRITY_EXCEPTION'],
      [policyXml({ externalClientApplication: '' }), 'REQUIRED_FIELD_MISSING'],
      [policyXml({ fullName: '<fullName>Nope_oauthPlcy</fullName>' }), 'INVALID_CROSS_REFERENCE_KEY'],
    ];
    for (const [inner, code] of cases) {
      const r = await soap(e, update('ExtlClntAppOauthConfigurablePolicies', inner));
      const result = firstElement(body(r.body), 'result');
      expect(childText(result, 'success'), inner).to.equal('false');
      expect(childText(firstElement(result, 'errors'), 'statusCode'), inner).to.equal(code);
    }
    expect(await read(e, 'ExtlClntAppOauthConfigurablePolicies', ['Partner_Quoting_oauthPlcy'])).to.deep.equal(before);
  });

  it('gives access through SetupEntityAccess rows of type ExternalClientApplication', async () => {
    const eca = e.org.ecaByName('Snowflake_Connector')!;
    const { json } = await getJson<QueryPage>(e, q(`SELECT Parent.Name, SetupEntityType FROM SetupEntityAccess WHERE SetupEntityId = '${eca.id}'`));
    expect(json.records.map((r) => [(r.Parent as { Name: string }).Name, r.SetupEntityType])).to.deep.equal([['Snowflake_Sync', 'ExternalClientApplication']]);
    const connectedOnly = await getJson<QueryPage>(e, q("SELECT Id FROM SetupEntityAccess WHERE SetupEntityType = 'ExternalClientApplication'"));
    expect(connectedOnly.json.totalSize).to.equal(5); // Snowflake 1, Tableau 2, Slack 1, Agent 1
  });

  it('serves the ECA sObjects only to an org whose describe has them ("internal use only")', async () => {
    const absent = await getJson<Array<{ errorCode: string }>>(e, q('SELECT Id, DeveloperName FROM ExternalClientApplication'));
    expect(absent.status).to.equal(400);
    expect(absent.json[0].errorCode).to.equal('INVALID_TYPE');
    const withObjects = await start({ scenario: 'demo', optionalSchema: { ExternalClientApplication: true, ExtlClntAppOauthPlcyCnfg: true } });
    try {
      const { json } = await getJson<QueryPage>(withObjects, q('SELECT DeveloperName, MasterLabel FROM ExternalClientApplication ORDER BY DeveloperName'));
      expect(json.records.map((r) => r.DeveloperName)).to.deep.equal(ECA_NAMES);
      const policies = await getJson<QueryPage>(withObjects, q("SELECT ExternalClientApplication.DeveloperName FROM ExtlClntAppOauthPlcyCnfg WHERE IpRelaxationPolicyType = 'Bypass'"));
      expect(policies.json.records.map((r) => (r.ExternalClientApplication as { DeveloperName: string }).DeveloperName)).to.deep.equal(['Partner_Quoting']);
    } finally {
      await withObjects.stop();
    }
  });

  it('refuses a scenario whose ECA file belongs to another app', async () => {
    const demo = loadScenario('demo');
    const other = structuredClone(demo.scenario);
    other.externalClientApps = [{ name: 'Tableau_Next', metadataFiles: ['demo/eca/Slack_Workflows_plcy.ecaPlcy-meta.xml'] }];
    let refused: unknown;
    try {
      await (await start({ scenario: other, scenarioDir: demo.baseDir })).stop();
    } catch (error) {
      refused = error;
    }
    expect(refused).to.be.instanceOf(Error);
    expect((refused as Error).message).to.include('belongs to "Slack_Workflows"');
  });

  it('loads every file the demo lists for its ECAs', () => {
    expect([...e.org.ecas.values()].map((x) => x.components.size)).to.deep.equal([5, 5, 5, 5, 5]);
  });
});
