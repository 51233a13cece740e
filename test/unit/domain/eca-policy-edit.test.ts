import { expect } from 'chai';
import { readExternalClientAppPolicy } from '../../../src/domain/policy/eca.js';
import { applyEcaPolicyChange } from '../../../src/domain/policy/eca-policy-edit.js';
import { PolicyError } from '../../../src/domain/policy/policy-error.js';
import { elements, localName, parseXml, serializeXml, type XmlElement } from '../../../src/domain/xml.js';
import { forEachDataSet } from '../../data-sets.js';
import { readXml } from './xml-files.js';

const NS = 'xmlns="http://soap.sforce.com/2006/04/metadata"';
const policies = (body: string): XmlElement => parseXml(`<ExtlClntAppOauthConfigurablePolicies ${NS}>${body}</ExtlClntAppOauthConfigurablePolicies>`).root;
const BASE =
  '<externalClientApplication>Orders</externalClientApplication><ipRelaxationPolicyType>Bypass</ipRelaxationPolicyType><label>Orders_oauthPlcy</label>' +
  '<permittedUsersPolicyType>AllSelfAuthorized</permittedUsersPolicyType><refreshTokenPolicyType>Infinite</refreshTokenPolicyType><requiredSessionLevel>STANDARD</requiredSessionLevel>';
const names = (root: XmlElement): string[] => elements(root).map((e) => localName(e.name));
const text = (root: XmlElement, name: string): string | undefined => {
  const el = elements(root, name)[0] as XmlElement | undefined;
  const node = el?.children[0];
  return node?.kind === 'text' ? node.text : undefined;
};
const policyOf = (root: XmlElement) => readExternalClientAppPolicy({ ecaOauthPlcy: root });
const isSorted = (list: readonly string[]): boolean => list.every((n, i) => i === 0 || list[i - 1] <= n);

describe('External Client App policy edit', () => {
  it('writes the flag values in the ECA spellings, in WSDL (alphabetical) order, with model-level diffs and ECA paths', () => {
    const { root, diffs } = applyEcaPolicyChange(policies(BASE), {
      permittedUsers: 'admin-approved',
      ipRelaxation: 'ENFORCE',
      refreshTokenPolicy: { kind: 'specific_lifetime', value: 12, unit: 'HOURS' },
      sessionTimeoutMinutes: 30,
    });
    expect(text(root, 'permittedUsersPolicyType')).to.equal('AdminApprovedPreAuthorized');
    expect(text(root, 'ipRelaxationPolicyType')).to.equal('Enforce');
    expect([text(root, 'refreshTokenPolicyType'), text(root, 'refreshTokenValidityPeriod'), text(root, 'refreshTokenValidityUnit')]).to.deep.equal(['SpecificLifetime', '12', 'Hours']);
    expect(text(root, 'sessionTimeoutInMinutes')).to.equal('30');
    expect(isSorted(names(root)), names(root).join(',')).to.equal(true);
    expect(diffs.map((d) => [d.field, d.before, d.after, d.metadataPath])).to.deep.equal([
      ['permittedUsers', 'all-self-authorize', 'admin-approved', 'ecaOauthPlcy.permittedUsersPolicyType'],
      ['ipRelaxation', 'BYPASS', 'ENFORCE', 'ecaOauthPlcy.ipRelaxationPolicyType'],
      ['refreshTokenPolicy', 'infinite', 'specific_lifetime:12:HOURS', 'ecaOauthPlcy.refreshTokenPolicyType'],
      ['sessionTimeout', null, '30', 'ecaOauthPlcy.sessionTimeoutInMinutes'],
    ]);
    expect(policyOf(root)).to.include({ permittedUsers: 'admin-approved', ipRelaxation: 'ENFORCE' });
  });

  it('drops the period and unit when the refresh token goes back to a type without them', () => {
    const specific = applyEcaPolicyChange(policies(BASE), { refreshTokenPolicy: { kind: 'specific_inactivity', value: 90, unit: 'DAYS' } }).root;
    const { root, diffs } = applyEcaPolicyChange(specific, { refreshTokenPolicy: { kind: 'zero' } });
    expect(names(root)).to.not.include('refreshTokenValidityPeriod').and.not.include('refreshTokenValidityUnit');
    expect(text(root, 'refreshTokenPolicyType')).to.equal('Zero');
    expect(diffs.map((d) => [d.before, d.after])).to.deep.equal([['specific_inactivity:90:DAYS', 'zero']]);
  });

  it('is a no-op, deep-equal and without diffs, when the values are already there in any accepted spelling', () => {
    const input = policies(BASE.replace('Bypass', 'BYPASS'));
    const { root, diffs } = applyEcaPolicyChange(input, { ipRelaxation: 'BYPASS', permittedUsers: 'all-self-authorize', refreshTokenPolicy: { kind: 'infinite' } });
    expect(diffs).to.deep.equal([]);
    expect(serializeXml(root)).to.equal(serializeXml(input));
  });

  it('edits the comma-separated profile list as a set and removes it when emptied; removes the session timeout on null', () => {
    const admin = policies(`${BASE.replace('AllSelfAuthorized', 'AdminApprovedPreAuthorized')}<commaSeparatedProfile>Sales,Support</commaSeparatedProfile><sessionTimeoutInMinutes>15</sessionTimeoutInMinutes>`);
    const { root, diffs } = applyEcaPolicyChange(admin, { profileNames: ['Support', 'Finance'], sessionTimeoutMinutes: null });
    expect(text(root, 'commaSeparatedProfile')).to.equal('Support,Finance');
    expect(names(root)).to.not.include('sessionTimeoutInMinutes');
    expect(diffs.map((d) => [d.field, d.before, d.after])).to.deep.equal([
      ['sessionTimeout', '15', null],
      ['profileNames', 'Sales', null],
      ['profileNames', null, 'Finance'],
    ]);
    expect(names(applyEcaPolicyChange(root, { profileNames: [] }).root)).to.not.include('commaSeparatedProfile');
  });

  it('refuses PKCE and rotation (global OAuth settings), another root, and lists on an app that stays self-authorized', () => {
    const code = (fn: () => unknown): string | undefined => {
      try {
        fn();
      } catch (error) {
        if (error instanceof PolicyError) return error.code;
        throw error;
      }
      return undefined;
    };
    expect(code(() => applyEcaPolicyChange(policies(BASE), { pkceRequired: true }))).to.equal('EcaGlobalSetting');
    expect(code(() => applyEcaPolicyChange(policies(BASE), { refreshTokenRotation: false }))).to.equal('EcaGlobalSetting');
    expect(code(() => applyEcaPolicyChange(parseXml(`<ConnectedApp ${NS}/>`).root, { ipRelaxation: 'ENFORCE' }))).to.equal('NotEcaOauthPolicies');
    expect(code(() => applyEcaPolicyChange(policies(BASE), { permissionSetNames: ['Ops'] }))).to.equal('AssignmentsRequireAdminApproved');
    expect(code(() => applyEcaPolicyChange(policies(BASE), { permissionSetNames: ['Ops'], permittedUsers: 'admin-approved' }))).to.equal(undefined);
  });
});

forEachDataSet('External Client App policy edit: sample files', (set) => {
  const files = set.files('eca', (f) => f.includes('.ecaOauthPlcy'));

  it('changes only the named elements of every OAuth policies file, and reads the new values back', () => {
    expect(files.length).to.be.greaterThan(0);
    const edited = ['ipRelaxationPolicyType', 'refreshTokenPolicyType', 'refreshTokenValidityPeriod', 'refreshTokenValidityUnit'];
    for (const file of files) {
      const input = readXml(set, 'eca', file);
      const { root } = applyEcaPolicyChange(input, { ipRelaxation: 'ENFORCE_RELAXREFRESH', refreshTokenPolicy: { kind: 'specific_lifetime', value: 3, unit: 'MONTHS' } });
      const policy = policyOf(root);
      expect([policy.ipRelaxation, policy.refreshTokenPolicy], file).to.deep.equal(['ENFORCE_RELAXREFRESH', { kind: 'specific_lifetime', value: 3, unit: 'MONTHS' }]);
      const rest = (r: XmlElement): string[] => elements(r).filter((e) => !edited.includes(localName(e.name))).map((e) => serializeXml(e, { declaration: false }));
      expect(rest(root), file).to.deep.equal(rest(input));
      // A file already in WSDL order stays in it.
      if (isSorted(names(input))) expect(isSorted(names(root)), file).to.equal(true);
      const again = applyEcaPolicyChange(root, { ipRelaxation: 'ENFORCE_RELAXREFRESH', refreshTokenPolicy: { kind: 'specific_lifetime', value: 3, unit: 'MONTHS' } });
      expect(again.diffs, file).to.deep.equal([]);
    }
  });
});
