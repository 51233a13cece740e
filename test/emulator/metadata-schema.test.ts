import { expect } from 'chai';
import { forEachDataSet } from '../data-sets.js';
import { childText, elements, firstElement, parseXml, type XmlElement } from './xml.js';
import { fieldsOf, missingRequired, readObject, SchemaViolation, writeObject } from './metadata-schema.js';
import { start, type Emulator } from './index.js';
import { soap } from './test-helpers.js';

const update = (components: string[]): string =>
  `<met:updateMetadata xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">${components.map((c) => `<met:metadata xsi:type="met:ConnectedApp">${c}</met:metadata>`).join('')}</met:updateMetadata>`;
const body = (xml: string): XmlElement => elements(firstElement(parseXml(xml).root, 'Body'))[0];
const faultOf = (xml: string): { code?: string; text?: string } => {
  const fault = firstElement(firstElement(parseXml(xml).root, 'Body'), 'Fault');
  return { code: childText(fault, 'faultcode'), text: childText(fault, 'faultstring') };
};
const readRecord = async (e: Emulator, name: string): Promise<XmlElement> => {
  const r = await soap(e, `<met:readMetadata><met:type>ConnectedApp</met:type><met:fullNames>${name}</met:fullNames></met:readMetadata>`);
  return firstElement(firstElement(body(r.body), 'result'), 'records')!;
};

/** A valid Jenkins_CI component in WSDL order, with `extra` elements spliced in where asked. */
const JENKINS = [
  '<fullName>Jenkins_CI</fullName>',
  '<contactEmail>ci@northwind.example.com</contactEmail>',
  '<label>Jenkins CI</label>',
  '<oauthConfig><callbackUrl>https://jenkins.northwind.example.com/cb</callbackUrl><isAdminApproved>true</isAdminApproved><scopes>Api</scopes></oauthConfig>',
  '<oauthPolicy><ipRelaxation>ENFORCE</ipRelaxation><refreshTokenPolicy>infinite</refreshTokenPolicy></oauthPolicy>',
];

describe('org emulator: Metadata API types by the WSDL', () => {
  let e: Emulator;
  beforeEach(async () => {
    e = await start({ scenario: 'demo' });
  });
  afterEach(async () => {
    await e.stop();
  });

  it('describes ConnectedApp in WSDL order, fullName first (from the base type Metadata)', () => {
    const names = fieldsOf('ConnectedApp').map((f) => f.name);
    expect(names.slice(0, 2)).to.deep.equal(['fullName', 'module']);
    expect(names.indexOf('oauthPolicy')).to.be.lessThan(names.indexOf('permissionSetName'));
    expect(names.indexOf('permissionSetName')).to.be.lessThan(names.indexOf('profileName'));
    expect(fieldsOf('ConnectedAppOauthPolicy').map((f) => f.name)).to.deep.equal(['ipRelaxation', 'isTokenExchangeFlowEnabled', 'refreshTokenPolicy', 'singleLogoutUrl']);
    expect(fieldsOf('ExtlClntAppOauthConfigurablePolicies').map((f) => f.name)).to.include.members(['permittedUsersPolicyType', 'ipRelaxationPolicyType', 'refreshTokenPolicyType']);
  });

  it('refuses an out-of-order ConnectedApp updateMetadata with the real fault, and changes nothing', async () => {
    const before = await readRecord(e, 'Jenkins_CI');
    // label before contactEmail.
    const swapped = [JENKINS[0], JENKINS[2], JENKINS[1], JENKINS[3], JENKINS[4]];
    const r = await soap(e, update([swapped.join('')]));
    expect(r.status).to.equal(500);
    expect(faultOf(r.body)).to.deep.equal({ code: 'soapenv:Client', text: 'Element {http://soap.sforce.com/2006/04/metadata}contactEmail invalid at this location in type ConnectedApp' });
    expect(await readRecord(e, 'Jenkins_CI')).to.deep.equal(before);
  });

  it('refuses out-of-order children of nested types, unknown and repeated elements, bad enums, booleans and ints', async () => {
    const cases: Array<[string[], string]> = [
      [[JENKINS[0], JENKINS[1], JENKINS[2], JENKINS[3], '<oauthPolicy><refreshTokenPolicy>zero</refreshTokenPolicy><ipRelaxation>ENFORCE</ipRelaxation></oauthPolicy>'], 'Element {http://soap.sforce.com/2006/04/metadata}ipRelaxation invalid at this location in type ConnectedAppOauthPolicy'],
      [[...JENKINS.slice(0, 3), '<isIntrospectAllowed>true</isIntrospectAllowed>', ...JENKINS.slice(3)], 'Element {http://soap.sforce.com/2006/04/metadata}isIntrospectAllowed invalid at this location in type ConnectedApp'],
      [[...JENKINS.slice(0, 3), JENKINS[2], ...JENKINS.slice(3)], 'Element {http://soap.sforce.com/2006/04/metadata}label invalid at this location in type ConnectedApp'],
      [[...JENKINS.slice(0, 3), JENKINS[3].replace('<scopes>Api</scopes>', '<scopes>api</scopes>'), JENKINS[4]], "'api' is not a valid value for the enum 'ConnectedAppOauthAccessScope'"],
      [[...JENKINS.slice(0, 3), JENKINS[3].replace('>true<', '>yes<'), JENKINS[4]], "Unable to parse 'yes' as a boolean value of isAdminApproved in type ConnectedAppOauthConfig"],
      [[...JENKINS, '<sessionPolicy><sessionTimeout>15m</sessionTimeout></sessionPolicy>'], "Unable to parse '15m' as an int value of sessionTimeout in type ConnectedAppSessionPolicy"],
    ];
    for (const [parts, text] of cases) {
      const r = await soap(e, update([parts.join('')]));
      expect(faultOf(r.body), text).to.deep.equal({ code: 'soapenv:Client', text });
    }
  });

  it('answers schema problems per component when the org is set to (metadataSchemaErrors: record)', async () => {
    const strict = await start({ scenario: 'demo', metadataSchemaErrors: 'record' });
    try {
      const swapped = [JENKINS[0], JENKINS[2], JENKINS[1], JENKINS[3], JENKINS[4]].join('');
      const r = await soap(strict, update([swapped, JENKINS.join('')]));
      expect(r.status).to.equal(200);
      const results = elements(body(r.body), 'result').map((x) => [childText(x, 'success'), childText(firstElement(x, 'errors'), 'statusCode')]);
      expect(results).to.deep.equal([
        ['false', 'INVALID_FIELD'],
        ['true', undefined],
      ]);
    } finally {
      await strict.stop();
    }
  });

  it('re-serialises reads from its own model in WSDL order, not from the bytes it was sent', async () => {
    const sent = [...JENKINS.slice(0, 3), JENKINS[3].replace('<isAdminApproved>true</isAdminApproved>', '<isAdminApproved> 1 </isAdminApproved>'), JENKINS[4]];
    const r = await soap(e, update([sent.join('')]));
    expect(childText(elements(body(r.body), 'result')[0], 'success'), r.body).to.equal('true');
    const rec = await readRecord(e, 'Jenkins_CI');
    expect(childText(firstElement(rec, 'oauthConfig'), 'isAdminApproved')).to.equal('true');
    const names = elements(rec).map((x) => x.name);
    const order = fieldsOf('ConnectedApp').map((f) => f.name);
    expect(names.map((n) => order.indexOf(n))).to.deep.equal([...names.map((n) => order.indexOf(n))].sort((a, b) => a - b));
  });

  forEachDataSet(
    'the corpus files',
    (set) => {
      it('reads and writes back every well-formed corpus ConnectedApp file (they are all in WSDL order)', () => {
        let read = 0;
        for (const f of set.files('connected-apps', (n) => n.endsWith('.connectedApp-meta.xml'))) {
          let root: XmlElement;
          try {
            root = parseXml(set.read('connected-apps', f)).root;
          } catch {
            continue; // the corpus's deliberately malformed file
          }
          const model = readObject(root, 'ConnectedApp');
          expect(missingRequired(model, 'ConnectedApp'), f).to.equal(undefined);
          expect(writeObject(model, 'ConnectedApp').map((x) => x.name), f).to.deep.equal(elements(root).map((x) => x.name));
          read++;
        }
        expect(read).to.be.greaterThan(70);
      });

      it('reads every corpus External Client App file of the described types', () => {
        const typeOf: Record<string, string> = {
          eca: 'ExternalClientApplication',
          ecaOauth: 'ExtlClntAppOauthSettings',
          ecaGlblOauth: 'ExtlClntAppGlobalOauthSettings',
          ecaOauthPlcy: 'ExtlClntAppOauthConfigurablePolicies',
          ecaPlcy: 'ExtlClntAppConfigurablePolicies',
        };
        let read = 0;
        for (const f of set.files('eca')) {
          const type = typeOf[/\.(\w+)-meta\.xml$/.exec(f)?.[1] ?? ''];
          if (!type) continue; // e.g. ExtlClntAppOauthSecuritySettings, not described
          const root = parseXml(set.read('eca', f)).root;
          expect(root.name, f).to.equal(type);
          expect(() => readObject(root, type), f).to.not.throw();
          read++;
        }
        expect(read).to.be.greaterThan(10);
      });
    },
    ['corpus'],
  );

  it('keeps the consumer key when it is left out, and refuses a different one', async () => {
    const key = childText(firstElement(await readRecord(e, 'Jenkins_CI'), 'oauthConfig'), 'consumerKey');
    expect(key).to.match(/^3MVG/);
    const saved = await soap(e, update([JENKINS.join('')]));
    expect(childText(elements(body(saved.body), 'result')[0], 'success')).to.equal('true');
    expect(childText(firstElement(await readRecord(e, 'Jenkins_CI'), 'oauthConfig'), 'consumerKey')).to.equal(key);
    const changed = JENKINS.map((p) => p.replace('</callbackUrl>', '</callbackUrl><consumerKey>3MVGother</consumerKey>'));
    const refused = await soap(e, update([changed.join('')]));
    expect(childText(firstElement(elements(body(refused.body), 'result')[0], 'errors'), 'statusCode')).to.equal('FIELD_INTEGRITY_EXCEPTION');
  });

  it('throws SchemaViolation (not a crash) for text where an element is expected', () => {
    expect(() => readObject(parseXml('<ConnectedApp>text</ConnectedApp>').root, 'ConnectedApp')).to.throw(SchemaViolation);
  });
});
