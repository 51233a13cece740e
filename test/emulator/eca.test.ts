/*
 * External Client Apps in the emulator: the demo org's ECAs through listMetadata / readMetadata of the five ECA
 * types, updateMetadata of a policy component (checked by the WSDL, saved losslessly, refused where the org would
 * refuse), SetupEntityAccess rows of type ExternalClientApplication, the "internal use only" sObjects, and the
 * event-log rows of the ECAs that call the API.
 */
import { expect } from 'chai';
import { parse as parseCsv } from 'csv-parse/sync';
import { start, type Emulator } from './index.js';
import { childText, elements, firstElement, parseXml, type XmlElement } from './xml.js';
import { getJson, http, PINNED_NOW, q, soap, type QueryPage } from './test-helpers.js';
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

describe('org emulator: External Client Apps in event log files', () => {
  type LogRow = Record<string, string>;
  const rowsOf = (e: Emulator, id: string): LogRow[] => {
    const file = e.org.logFiles.get(id);
    expect(file, id).to.not.equal(undefined);
    return parseCsv<LogRow>(Buffer.concat([...(file?.content.chunks() ?? [])]), { columns: true });
  };

  it("adds the calls of the ECAs that make some to ApiTotalUsage and RestApi files, by Id and label, the other rows unchanged", async () => {
    const { scenario, baseDir } = loadScenario('demo');
    const org = { ...scenario.org, now: PINNED_NOW, features: { eventMonitoring: true } };
    const silent = (scenario.externalClientApps ?? []).map(({ apiCalls: _calls, ...eca }) => eca);
    const calling = await start({ scenario: { ...scenario, org }, scenarioDir: baseDir });
    const quiet = await start({ scenario: { ...scenario, org, externalClientApps: silent }, scenarioDir: baseDir });
    try {
      const eca = (name: string): { id15: string; label: string } => {
        const found = calling.org.ecaByName(name);
        return { id15: found?.id.slice(0, 15) ?? '', label: found?.label ?? '' };
      };
      const snowflake = eca('Snowflake_Connector');
      const agent = eca('Agent_Gateway');
      expect(snowflake).to.deep.equal({ id15: snowflake.id15, label: 'Snowflake Connector' });
      expect(snowflake.id15).to.match(/^0xI[A-Za-z0-9]{12}$/);
      const seen = new Map<string, number>();
      for (const f of calling.org.table('EventLogFile')) {
        const id = String(f.Id);
        const type = String(f.EventType);
        const withCalls = rowsOf(calling, id);
        const without = rowsOf(quiet, id);
        // Every row of the file without the ECAs' calls is there, in the same order; the rest are the ECAs'.
        const keyOf = (r: LogRow): string => JSON.stringify(r);
        const kept = new Set(without.map(keyOf));
        expect(withCalls.filter((r) => kept.has(keyOf(r))).map(keyOf), id).to.deep.equal(without.map(keyOf));
        const added = withCalls.filter((r) => !kept.has(keyOf(r)));
        if (type !== 'ApiTotalUsage' && type !== 'RestApi') {
          expect(added, `${type} ${id}`).to.deep.equal([]);
          continue;
        }
        expect(added.map((r) => r.CONNECTED_APP_ID).sort()).to.deep.equal(
          [...Array<string>(Math.max(1, Math.round(without.length * 0.05))).fill(snowflake.id15), ...Array<string>(Math.max(1, Math.round(without.length * 0.03))).fill(agent.id15)].sort()
        );
        if (type === 'ApiTotalUsage') {
          for (const r of added) expect(r.CONNECTED_APP_NAME).to.equal(r.CONNECTED_APP_ID === snowflake.id15 ? snowflake.label : agent.label);
          // The callers: the users the ECA's permission sets reach.
          expect([...new Set(added.filter((r) => r.CONNECTED_APP_ID === snowflake.id15).map((r) => r.USER_NAME))]).to.deep.equal(['snowflake.sync@northwind.example.com']);
        }
        // Still in time order.
        const times = withCalls.map((r) => r.TIMESTAMP);
        expect(times.every((t, i) => i === 0 || times[i - 1] <= t), id).to.equal(true);
        seen.set(type, (seen.get(type) ?? 0) + added.length);
      }
      expect(seen.get('ApiTotalUsage')).to.be.greaterThan(0);
      expect(seen.get('RestApi')).to.be.greaterThan(0);
      // The served length is the file's.
      const file = calling.org.table('EventLogFile').find((f) => f.EventType === 'ApiTotalUsage');
      const served = await http(calling, 'GET', `/services/data/v67.0/sobjects/EventLogFile/${String(file?.Id)}/LogFile`);
      expect(Buffer.byteLength(served.body)).to.equal(file?.LogFileLength);
    } finally {
      await calling.stop();
      await quiet.stop();
    }
  });

  it('gives an ECA named in a file spec its rows, and refuses unknown callers', async () => {
    const { scenario, baseDir } = loadScenario('demo');
    const named = await start({
      scenario: { ...scenario, org: { ...scenario.org, now: PINNED_NOW }, eventLogFiles: [{ eventType: 'ApiTotalUsage', dates: ['-1d'], rows: 50, apps: ['Jenkins_CI', 'Tableau_Next'] }] },
      scenarioDir: baseDir,
    });
    try {
      const [file] = named.org.table('EventLogFile');
      const names = new Set(rowsOf(named, String(file.Id)).map((r) => r.CONNECTED_APP_NAME));
      // Tableau_Next has no apiCalls, but the file names it; Snowflake_Connector has them, but the file lists its apps.
      expect([...names].sort()).to.deep.equal(['', 'Jenkins CI', 'Tableau Next']);
    } finally {
      await named.stop();
    }
    const bad = structuredClone(scenario);
    bad.externalClientApps = [{ ...(bad.externalClientApps?.[0] ?? { name: 'x' }), apiCalls: { users: ['nobody@example.com'] } }];
    expect(() => loadScenario(bad, baseDir)).to.throw('unknown user "nobody@example.com"');
  });
});
