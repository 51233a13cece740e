/*
 * createMetadata: checked against the WSDL exactly as updateMetadata is (a soapenv:Client fault for an element out of
 * order, an unknown element or a bad enum value), then per component: a ConnectedApp is refused since Spring '26
 * (reference §7) unless the org may create them; an External Client App is created, readable afterwards, and a name
 * in use is refused.
 */
import { expect } from 'chai';
import { start, type Emulator } from './index.js';
import { childText, childTexts, elements, firstElement, parseXml, type XmlElement } from './xml.js';
import { fieldsOf } from './metadata-schema.js';
import { getJson, http, q, soap, soapEnvelope, type QueryPage } from './test-helpers.js';

const body = (xml: string): XmlElement => elements(firstElement(parseXml(xml).root, 'Body'))[0];
const create = (components: Array<[string, string]>): string =>
  `<met:createMetadata xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">${components.map(([type, inner]) => `<met:metadata xsi:type="met:${type}">${inner}</met:metadata>`).join('')}</met:createMetadata>`;
const faultOf = (xml: string): { code?: string; text?: string } => {
  const fault = firstElement(firstElement(parseXml(xml).root, 'Body'), 'Fault');
  return { code: childText(fault, 'faultcode'), text: childText(fault, 'faultstring') };
};
type Outcome = [fullName: string | undefined, success: string | undefined, statusCode: string | undefined];
const outcomes = (xml: string): Outcome[] =>
  elements(body(xml), 'result').map((r) => [childText(r, 'fullName'), childText(r, 'success'), childText(firstElement(r, 'errors'), 'statusCode')]);
const read = async (e: Emulator, type: string, name: string): Promise<XmlElement> => {
  const r = await soap(e, `<met:readMetadata><met:type>${type}</met:type><met:fullNames>${name}</met:fullNames></met:readMetadata>`);
  return firstElement(firstElement(body(r.body), 'result'), 'records')!;
};
const listed = async (e: Emulator, type: string): Promise<string[]> => {
  const r = await soap(e, `<met:listMetadata><met:queries><met:type>${type}</met:type></met:queries></met:listMetadata>`);
  return elements(body(r.body), 'result').map((x) => childText(x, 'fullName') ?? '');
};
const isNil = (record: XmlElement): boolean => record.attributes.some(([k, v]) => k === 'xsi:nil' && v === 'true');
const NS = '{http://soap.sforce.com/2006/04/metadata}';

/** A new connected app in WSDL order, admin-approved and assigned to a permission set. */
const NEW_APP = [
  '<fullName>Billing_Sync</fullName>',
  '<contactEmail>billing@northwind.example.com</contactEmail>',
  '<label>Billing Sync</label>',
  '<oauthConfig><callbackUrl>https://billing.example.com/cb</callbackUrl><isAdminApproved>true</isAdminApproved><scopes>Api</scopes><scopes>RefreshToken</scopes></oauthConfig>',
  '<oauthPolicy><ipRelaxation>ENFORCE</ipRelaxation><refreshTokenPolicy>specific_lifetime:30:DAYS</refreshTokenPolicy></oauthPolicy>',
  '<permissionSetName>API_Access</permissionSetName>',
];

/** A new External Client App: the header, its OAuth policies and its global OAuth settings (no consumer key: the org makes one). */
const HEADER = '<fullName>Billing_ECA</fullName><contactEmail>billing@northwind.example.com</contactEmail><distributionState>Local</distributionState><label>Billing ECA</label>';
const POLICY = [
  '<fullName>Billing_ECA_oauthPlcy</fullName>',
  '<externalClientApplication>Billing_ECA</externalClientApplication>',
  '<ipRelaxationPolicyType>Enforce</ipRelaxationPolicyType>',
  '<label>Billing_ECA_oauthPlcy</label>',
  '<permittedUsersPolicyType>AdminApprovedPreAuthorized</permittedUsersPolicyType>',
  '<refreshTokenPolicyType>SpecificInactivity</refreshTokenPolicyType>',
  '<refreshTokenValidityPeriod>30</refreshTokenValidityPeriod>',
  '<refreshTokenValidityUnit>Days</refreshTokenValidityUnit>',
];
const GLOBAL =
  '<fullName>Billing_ECA_glbloauth</fullName><callbackUrl>https://billing.example.com/cb</callbackUrl><consumerSecret>S3cr3tNeverReturned</consumerSecret><externalClientApplication>Billing_ECA</externalClientApplication><isPkceRequired>true</isPkceRequired><label>Billing_ECA_glbloauth</label>';

describe('org emulator: createMetadata', () => {
  let e: Emulator;
  beforeEach(async () => {
    e = await start({ scenario: 'demo' });
  });
  afterEach(async () => {
    await e.stop();
  });

  it('refuses a payload out of WSDL order, with an unknown element or a bad enum value, with the real fault (ConnectedApp and ECA types)', async () => {
    const cases: Array<[[string, string], string]> = [
      [['ConnectedApp', [NEW_APP[0], NEW_APP[2], NEW_APP[1], ...NEW_APP.slice(3)].join('')], `Element ${NS}contactEmail invalid at this location in type ConnectedApp`],
      [['ConnectedApp', [...NEW_APP.slice(0, 3), '<isIntrospectAllowed>true</isIntrospectAllowed>', ...NEW_APP.slice(3)].join('')], `Element ${NS}isIntrospectAllowed invalid at this location in type ConnectedApp`],
      [['ConnectedApp', NEW_APP.join('').replace('<scopes>Api</scopes>', '<scopes>api</scopes>')], "'api' is not a valid value for the enum 'ConnectedAppOauthAccessScope'"],
      [['ExternalClientApplication', HEADER.replace('<label>Billing ECA</label>', '').replace('<contactEmail>', '<label>Billing ECA</label><contactEmail>')], `Element ${NS}contactEmail invalid at this location in type ExternalClientApplication`],
      [['ExtlClntAppOauthConfigurablePolicies', [...POLICY.slice(0, 3), '<ipRelaxation>ENFORCE</ipRelaxation>', ...POLICY.slice(3)].join('')], `Element ${NS}ipRelaxation invalid at this location in type ExtlClntAppOauthConfigurablePolicies`],
      [['ExtlClntAppOauthConfigurablePolicies', POLICY.join('').replace('AdminApprovedPreAuthorized', 'AdminApproved')], "'AdminApproved' is not a valid value for the enum 'PermittedUsersPolicyType'"],
    ];
    for (const [component, text] of cases) {
      // A valid header alongside: the fault fails the whole call, so it is not created either.
      const r = await soap(e, create([['ExternalClientApplication', HEADER], component]));
      expect(r.status, text).to.equal(500);
      expect(faultOf(r.body), text).to.deep.equal({ code: 'soapenv:Client', text });
    }
    expect(await listed(e, 'ExternalClientApplication')).to.not.include('Billing_ECA');
    expect(await listed(e, 'ConnectedApp')).to.not.include('Billing_Sync');
  });

  it('answers schema problems per component under metadataSchemaErrors: record, creating the valid ones', async () => {
    const lenient = await start({ scenario: 'demo', metadataSchemaErrors: 'record' });
    try {
      const r = await soap(lenient, create([['ExternalClientApplication', HEADER], ['ExtlClntAppOauthConfigurablePolicies', [...POLICY.slice(0, 3), '<ipRelaxation>ENFORCE</ipRelaxation>', ...POLICY.slice(3)].join('')]]));
      expect(r.status).to.equal(200);
      expect(outcomes(r.body)).to.deep.equal([
        ['Billing_ECA', 'true', undefined],
        ['Billing_ECA_oauthPlcy', 'false', 'INVALID_FIELD'],
      ]);
    } finally {
      await lenient.stop();
    }
  });

  it("refuses a valid ConnectedApp: customers cannot create connected apps since Spring '26 (the API included)", async () => {
    const before = e.org.table('ConnectedApplication').length;
    const r = await soap(e, create([['ConnectedApp', NEW_APP.join('')]]));
    expect(r.status).to.equal(200);
    expect(outcomes(r.body)).to.deep.equal([['Billing_Sync', 'false', 'FUNCTIONALITY_NOT_ENABLED']]);
    expect(childText(firstElement(elements(body(r.body), 'result')[0], 'errors'), 'message')).to.match(/External Client App/);
    expect(isNil(await read(e, 'ConnectedApp', 'Billing_Sync'))).to.equal(true);
    expect(e.org.table('ConnectedApplication')).to.have.length(before);
    // Blocked before anything else: an existing name is refused the same way, not as a duplicate.
    const existing = await soap(e, create([['ConnectedApp', NEW_APP.join('').replaceAll('Billing_Sync', 'Jenkins_CI')]]));
    expect(outcomes(existing.body)).to.deep.equal([['Jenkins_CI', 'false', 'FUNCTIONALITY_NOT_ENABLED']]);
  });

  it('creates a ConnectedApp where Support allowed creation: readable in WSDL order, listed, queryable, assigned; a name in use is refused', async () => {
    const allowed = await start({ scenario: 'demo', connectedAppCreation: 'allowed' });
    try {
      const r = await soap(allowed, create([['ConnectedApp', NEW_APP.join('')]]));
      expect(outcomes(r.body)).to.deep.equal([['Billing_Sync', 'true', undefined]]);
      const rec = await read(allowed, 'ConnectedApp', 'Billing_Sync');
      expect(childText(rec, 'label')).to.equal('Billing Sync');
      expect(childText(firstElement(rec, 'oauthConfig'), 'consumerKey'), 'the org makes the consumer key').to.match(/^3MVG9/);
      expect(childTexts(firstElement(rec, 'oauthConfig'), 'scopes')).to.deep.equal(['Api', 'RefreshToken']);
      expect(childTexts(rec, 'permissionSetName')).to.deep.equal(['API Access']);
      const order = fieldsOf('ConnectedApp').map((f) => f.name);
      const at = elements(rec).map((x) => order.indexOf(x.name));
      expect(at).to.deep.equal([...at].sort((a, b) => a - b));
      expect(await listed(allowed, 'ConnectedApp')).to.include('Billing_Sync');
      const rows = (await getJson<QueryPage>(allowed, q("SELECT Id, Name, OptionsAllowAdminApprovedUsersOnly, RefreshTokenValidityPeriod FROM ConnectedApplication WHERE Name = 'Billing Sync'"))).json.records;
      expect(rows.map((x) => [x.Name, x.OptionsAllowAdminApprovedUsersOnly, x.RefreshTokenValidityPeriod])).to.deep.equal([['Billing Sync', true, 30]]);
      expect(allowed.org.setupEntityAccessFor('Billing_Sync')).to.have.length(1);

      const again = await soap(allowed, create([['ConnectedApp', NEW_APP.join('')], ['ConnectedApp', NEW_APP.join('').replaceAll('Billing_Sync', 'Jenkins_CI')]]));
      expect(outcomes(again.body)).to.deep.equal([
        ['Billing_Sync', 'false', 'DUPLICATE_DEVELOPER_NAME'],
        ['Jenkins_CI', 'false', 'DUPLICATE_DEVELOPER_NAME'],
      ]);
      // The save checks of updateMetadata apply: names only for admin-approved apps.
      const selfAuth = NEW_APP.join('').replaceAll('Billing_Sync', 'Other_App').replace('<isAdminApproved>true</isAdminApproved>', '<isAdminApproved>false</isAdminApproved>');
      expect(outcomes((await soap(allowed, create([['ConnectedApp', selfAuth]]))).body)).to.deep.equal([['Other_App', 'false', 'FIELD_INTEGRITY_EXCEPTION']]);
    } finally {
      await allowed.stop();
    }
  });

  it('creates an External Client App part by part; reads, lists and the policy row follow; the secret is never returned', async () => {
    const r = await soap(e, create([['ExternalClientApplication', HEADER], ['ExtlClntAppOauthConfigurablePolicies', POLICY.join('')], ['ExtlClntAppGlobalOauthSettings', GLOBAL]]));
    expect(r.status, r.body).to.equal(200);
    expect(outcomes(r.body)).to.deep.equal([
      ['Billing_ECA', 'true', undefined],
      ['Billing_ECA_oauthPlcy', 'true', undefined],
      ['Billing_ECA_glbloauth', 'true', undefined],
    ]);
    expect(childText(await read(e, 'ExternalClientApplication', 'Billing_ECA'), 'label')).to.equal('Billing ECA');
    const policy = await read(e, 'ExtlClntAppOauthConfigurablePolicies', 'Billing_ECA_oauthPlcy');
    expect(childText(policy, 'permittedUsersPolicyType')).to.equal('AdminApprovedPreAuthorized');
    const glbl = await read(e, 'ExtlClntAppGlobalOauthSettings', 'Billing_ECA_glbloauth');
    expect(childText(glbl, 'consumerKey')).to.match(/^3MVG9/);
    expect(childText(glbl, 'consumerSecret')).to.equal(undefined);
    expect(e.org.ecaByName('Billing_ECA')?.consumerSecret).to.equal('S3cr3tNeverReturned');
    expect(await listed(e, 'ExternalClientApplication')).to.include('Billing_ECA');
    expect(await listed(e, 'ExtlClntAppOauthConfigurablePolicies')).to.include('Billing_ECA_oauthPlcy');
    const id = e.org.ecaByName('Billing_ECA')?.id;
    expect(id).to.match(/^0xI/);
    expect(e.org.table('ExtlClntAppOauthPlcyCnfg').filter((row) => row.ExternalClientApplicationId === id).map((row) => [row.PermittedUsersPolicyType, row.RefreshTokenValidityPeriod])).to.deep.equal([
      ['AdminApprovedPreAuthorized', 30],
    ]);
    // Created components can be updated like any other.
    const updated = await soap(e, create([['ExtlClntAppOauthConfigurablePolicies', POLICY.join('')]]).replaceAll('createMetadata', 'updateMetadata'));
    expect(outcomes(updated.body)).to.deep.equal([['Billing_ECA_oauthPlcy', 'true', undefined]]);
  });

  it('refuses a name in use, a second part of one type, and a part of an app that does not exist', async () => {
    const r = await soap(
      e,
      create([
        ['ExternalClientApplication', HEADER.replaceAll('Billing_ECA', 'Partner_Quoting')],
        ['ExtlClntAppOauthConfigurablePolicies', POLICY.join('').replaceAll('Billing_ECA', 'Partner_Quoting')],
        ['ExtlClntAppOauthConfigurablePolicies', POLICY.join('').replace('<fullName>Billing_ECA_oauthPlcy', '<fullName>Second_oauthPlcy').replaceAll('>Billing_ECA<', '>Partner_Quoting<')],
        ['ExtlClntAppOauthConfigurablePolicies', POLICY.join('').replaceAll('Billing_ECA', 'Nobody')],
      ])
    );
    expect(outcomes(r.body)).to.deep.equal([
      ['Partner_Quoting', 'false', 'DUPLICATE_DEVELOPER_NAME'],
      ['Partner_Quoting_oauthPlcy', 'false', 'DUPLICATE_DEVELOPER_NAME'],
      ['Second_oauthPlcy', 'false', 'DUPLICATE_VALUE'],
      ['Nobody_oauthPlcy', 'false', 'INVALID_CROSS_REFERENCE_KEY'],
    ]);
    // The same name twice in one call: the second is the duplicate.
    const twice = await soap(e, create([['ExternalClientApplication', HEADER], ['ExternalClientApplication', HEADER]]));
    expect(outcomes(twice.body)).to.deep.equal([
      ['Billing_ECA', 'true', undefined],
      ['Billing_ECA', 'false', 'DUPLICATE_DEVELOPER_NAME'],
    ]);
  });

  it('creates nothing under AllOrNoneHeader when one component fails, and everything when none does (a part may follow its header)', async () => {
    const withHeader = async (components: Array<[string, string]>): Promise<string> => {
      const envelope = soapEnvelope(e.accessToken, create(components)).replace('</soapenv:Header>', '<met:AllOrNoneHeader><met:allOrNone>true</met:allOrNone></met:AllOrNoneHeader></soapenv:Header>');
      return (await http(e, 'POST', '/services/Soap/m/67.0', { token: null, headers: { 'Content-Type': 'text/xml', SOAPAction: '""' }, body: envelope })).body;
    };
    const failed = await withHeader([['ExternalClientApplication', HEADER], ['ExtlClntAppOauthConfigurablePolicies', POLICY.join('').replaceAll('>Billing_ECA<', '>Nobody<')]]);
    expect(outcomes(failed)).to.deep.equal([
      ['Billing_ECA', 'false', 'ALL_OR_NONE_OPERATION_ROLLED_BACK'],
      ['Billing_ECA_oauthPlcy', 'false', 'INVALID_CROSS_REFERENCE_KEY'],
    ]);
    expect(e.org.ecaByName('Billing_ECA')).to.equal(undefined);
    const done = await withHeader([['ExternalClientApplication', HEADER], ['ExtlClntAppOauthConfigurablePolicies', POLICY.join('')]]);
    expect(outcomes(done).map((o) => o[1])).to.deep.equal(['true', 'true']);
    expect(e.org.ecaByName('Billing_ECA')?.components.size).to.equal(2);
  });
});
