import { expect } from 'chai';
import { childText, childTexts, elements, findDescendant, firstElement, parseXml, textOf, type XmlElement } from './xml.js';
import { start, type Emulator } from './index.js';
import { connection, soap } from './test-helpers.js';

/** The Body's first element of a SOAP response. */
function bodyOf(xml: string): XmlElement {
  const env = parseXml(xml).root;
  return elements(firstElement(env, 'Body'))[0];
}

const read = (names: string[], type = 'ConnectedApp'): string => `<met:readMetadata><met:type>${type}</met:type>${names.map((n) => `<met:fullNames>${n}</met:fullNames>`).join('')}</met:readMetadata>`;

/** The ConnectedApp record of a readMetadata response, re-wrapped as an update request (a lossless client). */
function asUpdate(record: XmlElement, edit: (children: XmlElement[]) => XmlElement[] = (c) => c): string {
  const inner = edit(elements(record)).map(serialise).join('');
  return `<met:updateMetadata><met:metadata xsi:type="met:ConnectedApp" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">${inner}</met:metadata></met:updateMetadata>`;
}

function serialise(el: XmlElement): string {
  const kids = elements(el);
  const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');
  return kids.length === 0 ? `<${el.name}>${esc(textOf(el) ?? '')}</${el.name}>` : `<${el.name}>${kids.map(serialise).join('')}</${el.name}>`;
}

function saveResults(xml: string): Array<{ fullName: string; success: string; statusCode?: string; message?: string; fields: string[] }> {
  return elements(bodyOf(xml), 'result').map((r) => {
    const err = firstElement(r, 'errors');
    return { fullName: childText(r, 'fullName')!, success: childText(r, 'success')!, statusCode: childText(err, 'statusCode'), message: childText(err, 'message'), fields: childTexts(err, 'fields') };
  });
}

describe('org emulator: Metadata API (SOAP)', () => {
  let e: Emulator;
  beforeEach(async () => {
    e = await start({ scenario: 'demo' });
  });
  afterEach(async () => {
    await e.stop();
  });

  const readOne = async (name: string): Promise<XmlElement> => {
    const r = await soap(e, read([name]));
    expect(r.status).to.equal(200);
    return firstElement(firstElement(bodyOf(r.body), 'result'), 'records')!;
  };

  it('lists ConnectedApp components with FileProperties (ids same / different / absent, managed namespace)', async () => {
    const list = await connection(e).metadata.list([{ type: 'ConnectedApp' }], '67.0');
    const props = Array.isArray(list) ? list : [list];
    expect(props).to.have.length(24); // 26 apps, 2 not installed
    const byName = new Map(props.map((p) => [p.fullName, p]));
    const jenkins = byName.get('Jenkins_CI')!;
    expect(jenkins).to.deep.include({ fileName: 'connectedApps/Jenkins_CI.connectedApp', type: 'ConnectedApp', manageableState: 'unmanaged', id: e.org.appByAnyName('Jenkins CI')!.id });
    expect(jenkins.createdByName).to.equal('Ada Lindqvist');
    expect(byName.get('Snowflake_Sync')!.id).to.not.equal(e.org.appByAnyName('Snowflake Sync')!.id);
    expect(byName.get('Fivetran')!.id).to.equal('');
    expect(byName.get('dsfs__DocuSign_eSignature')).to.deep.include({ namespacePrefix: 'dsfs', manageableState: 'installed' });
    expect(byName.has('Zapier')).to.be.false;
  });

  it('reads components with assignments derived from SetupEntityAccess and never the consumer secret', async () => {
    const rec = await readOne('Field_Sales_Mobile');
    expect(rec.attributes).to.deep.include(['xsi:type', 'ConnectedApp']);
    expect(elements(rec)[0].name).to.equal('fullName');
    expect(childTexts(rec, 'profileName')).to.have.length(42);
    expect(childTexts(rec, 'profileName')).to.include('Sales Rep - UK & Ireland');
    expect(findDescendant(rec, 'consumerSecret')).to.equal(undefined);
    const names = elements(rec).map((c) => c.name);
    expect(names).to.deep.equal([...names].sort((a, b) => (a === 'fullName' ? -1 : b === 'fullName' ? 1 : a.localeCompare(b))));
    const jenkins = await readOne('Jenkins_CI');
    expect(childTexts(jenkins, 'permissionSetName')).to.deep.equal(['Jenkins CI Access']);
  });

  it('returns a nil record for an unknown name and faults on more than 10 names', async () => {
    const r = await soap(e, read(['Jenkins_CI', 'No_Such_App']));
    const records = elements(firstElement(bodyOf(r.body), 'result'), 'records');
    expect(records).to.have.length(2);
    expect(records[1].attributes).to.deep.include(['xsi:nil', 'true']);
    const tooMany = await soap(e, read(Array.from({ length: 11 }, (_, i) => `App${i}`)));
    expect(tooMany.status).to.equal(500);
    expect(childText(findDescendant(parseXml(tooMany.body).root, 'Fault'), 'faultcode')).to.equal('sf:EXCEEDED_ID_LIMIT');
  });

  it('round-trips an update, and an element the client drops is lost', async () => {
    const rec = await readOne('Splunk_Add_on');
    expect(saveResults((await soap(e, asUpdate(rec))).body)).to.deep.equal([{ fullName: 'Splunk_Add_on', success: 'true', statusCode: undefined, message: undefined, fields: [] }]);
    expect(serialise(await readOne('Splunk_Add_on'))).to.equal(serialise(rec));

    // A client that drops oauthPolicy loses it; the sObject row follows.
    const dropped = await soap(e, asUpdate(rec, (c) => c.filter((x) => x.name !== 'oauthPolicy')));
    expect(saveResults(dropped.body)[0].success).to.equal('true');
    const after = await readOne('Splunk_Add_on');
    expect(firstElement(after, 'oauthPolicy')).to.equal(undefined);
    expect(childTexts(after, 'permissionSetName')).to.deep.equal(['Splunk Event Monitoring']); // omitted names: kept
    const row = e.org.appByAnyName('Splunk Add-on for Salesforce')!.row!;
    expect(row.RefreshTokenValidityPeriod).to.equal(null);
  });

  it('keeps the stored consumer secret when an update omits it', async () => {
    const app = e.org.appByAnyName('Postman')!;
    app.consumerSecret = 'S3cr3tValue1234';
    await soap(e, asUpdate(await readOne('Postman')));
    expect(app.consumerSecret).to.equal('S3cr3tValue1234');
  });

  it('replaces assignments from profileName / permissionSetName and keeps the sObject row consistent', async () => {
    const rec = await readOne('Partner_Portal');
    const res = await soap(
      e,
      asUpdate(rec, (c) => [
        ...c.map((x) =>
          x.name === 'oauthPolicy'
            ? parseXml('<oauthPolicy><ipRelaxation>BYPASS</ipRelaxation><refreshTokenPolicy>specific_inactivity:30:DAYS</refreshTokenPolicy></oauthPolicy>').root
            : x
        ),
        parseXml('<permissionSetName>API Access</permissionSetName>').root,
        parseXml('<profileName>Support Agent</profileName>').root,
      ])
    );
    expect(saveResults(res.body)[0].success).to.equal('true');
    const after = await readOne('Partner_Portal');
    expect(childTexts(after, 'permissionSetName')).to.deep.equal(['API Access']);
    expect(childTexts(after, 'profileName')).to.deep.equal(['Support Agent']);
    expect(e.org.setupEntityAccessFor('Partner Portal')).to.have.length(2);
    const row = e.org.appByAnyName('Partner Portal')!.row!;
    expect(row).to.deep.include({ OptionsAllowAdminApprovedUsersOnly: true, RefreshTokenValidityPeriod: 30, OptionsRefreshTokenValidityMetric: true });

    // An empty element removes them all.
    await soap(e, asUpdate(after, (c) => [...c.filter((x) => x.name !== 'profileName' && x.name !== 'permissionSetName'), parseXml('<profileName></profileName>').root]));
    expect(childTexts(await readOne('Partner_Portal'), 'profileName')).to.deep.equal([]);
    expect(childTexts(await readOne('Partner_Portal'), 'permissionSetName')).to.deep.equal(['API Access']);
  });

  it('reports per-record errors: unknown name, bad enum values, self-authorized assignments, managed apps', async () => {
    const workato = await readOne('Workato');
    const jenkins = await readOne('Jenkins_CI');
    const setPolicy = (ip: string, rt: string) => (c: XmlElement[]): XmlElement[] =>
      c.map((x) => (x.name === 'oauthPolicy' ? parseXml(`<oauthPolicy><ipRelaxation>${ip}</ipRelaxation><refreshTokenPolicy>${rt}</refreshTokenPolicy></oauthPolicy>`).root : x));
    const rename = (name: string) => (c: XmlElement[]): XmlElement[] => c.map((x) => (x.name === 'fullName' ? parseXml(`<fullName>${name}</fullName>`).root : x));
    const batch = [
      asUpdate(jenkins, rename('No_Such_App')),
      asUpdate(jenkins, setPolicy('ENFORCE_ACTIVATED_USERS', 'infinite')),
      asUpdate(jenkins, setPolicy('ENFORCE', 'specific_lifetime:0:DAYS')),
      asUpdate(workato, (c) => [...c, parseXml('<profileName>Standard User</profileName>').root]),
      asUpdate(await readOne('dsfs__DocuSign_eSignature')),
    ];
    const metadata = batch.map((b) => b.replace(/^<met:updateMetadata>|<\/met:updateMetadata>$/g, '')).join('');
    const results = saveResults((await soap(e, `<met:updateMetadata>${metadata}</met:updateMetadata>`)).body);
    expect(results.map((r) => r.statusCode)).to.deep.equal([
      'INVALID_CROSS_REFERENCE_KEY',
      'FIELD_INTEGRITY_EXCEPTION',
      'FIELD_INTEGRITY_EXCEPTION',
      'FIELD_INTEGRITY_EXCEPTION',
      'CANNOT_MODIFY_MANAGED_OBJECT',
    ]);
    expect(results.every((r) => r.success === 'false')).to.be.true;
    expect(results[1].fields).to.deep.equal(['ipRelaxation']);
    expect(results[2].fields).to.deep.equal(['refreshTokenPolicy']);
    expect(results[3].fields).to.deep.equal(['profileName']);
  });

  it('updates through jsforce and faults on more than 10 components', async () => {
    const conn = connection(e);
    const current = (await conn.metadata.read('ConnectedApp', 'Okta_SSO')) as unknown as Record<string, unknown>;
    // jsforce writes keys in the object's order: description appended at the end is out of WSDL order.
    let outOfOrder: unknown;
    try {
      await conn.metadata.update('ConnectedApp', { ...current, fullName: 'Okta_SSO', description: 'SSO for the intranet' } as never);
    } catch (err) {
      outOfOrder = err;
    }
    expect((outOfOrder as Error).message).to.include('Element {http://soap.sforce.com/2006/04/metadata}description invalid at this location in type ConnectedApp');
    // ConnectedApp's sequence is alphabetical after fullName: put description where it belongs.
    const entries = Object.entries(current).filter(([k]) => k !== 'description' && k !== 'fullName');
    const at = entries.findIndex(([k]) => k > 'description');
    entries.splice(at < 0 ? entries.length : at, 0, ['description', 'SSO for the intranet']);
    const saved = await conn.metadata.update('ConnectedApp', Object.fromEntries([['fullName', 'Okta_SSO'], ...entries]) as never);
    expect((saved as unknown as { success: boolean }).success).to.be.true;
    const again = (await conn.metadata.read('ConnectedApp', 'Okta_SSO')) as unknown as Record<string, unknown>;
    expect(again.description).to.equal('SSO for the intranet');
    const eleven = Array.from({ length: 11 }, () => ({ ...current, fullName: 'Okta_SSO' }));
    let fault: unknown;
    try {
      await conn.metadata.update('ConnectedApp', eleven as never);
    } catch (err) {
      fault = err;
    }
    expect((fault as { errorCode?: string }).errorCode).to.equal('sf:EXCEEDED_ID_LIMIT');
  });

  it('answers a bad session and a malformed request with SOAP faults', async () => {
    const bad = await soap(e, read(['Jenkins_CI']), `${e.org.orgId}!nope`);
    expect(bad.status).to.equal(500);
    const fault = findDescendant(parseXml(bad.body).root, 'Fault')!;
    expect(childText(fault, 'faultcode')).to.equal('sf:INVALID_SESSION_ID');
    expect(childText(fault, 'faultstring')).to.match(/^INVALID_SESSION_ID: /);
    const junk = await soap(e, '<met:readMetadata><met:type>ConnectedApp</met:type>'); // unclosed
    expect(junk.status).to.equal(500);
    expect(childText(findDescendant(parseXml(junk.body).root, 'Fault'), 'faultcode')).to.equal('soapenv:Client');
  });

  it('reads Profile loginIpRanges', async () => {
    const r = await soap(e, read(['Admin', 'Salesforce API Only System Integrations'], 'Profile'));
    const [admin, api] = elements(firstElement(bodyOf(r.body), 'result'), 'records');
    expect(childText(admin, 'fullName')).to.equal('Admin');
    expect(elements(admin, 'loginIpRanges').map((x) => [childText(x, 'startAddress'), childText(x, 'endAddress')])).to.deep.equal([['203.0.113.0', '203.0.113.255']]);
    expect(elements(api, 'loginIpRanges')).to.have.length(2);
  });
});
