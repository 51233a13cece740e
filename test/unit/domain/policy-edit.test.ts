import { expect } from 'chai';
import { readExternalClientAppPolicy } from '../../../src/domain/policy/eca.js';
import {
  CONNECTED_APP_ELEMENT_ORDER,
  OAUTH_CONFIG_ELEMENT_ORDER,
  OAUTH_POLICY_ELEMENT_ORDER,
  SESSION_POLICY_ELEMENT_ORDER,
  applyPolicyChange,
  compareElementNames,
  diffPolicies,
  withoutSecrets,
  type PolicyChange,
} from '../../../src/domain/policy/policy-edit.js';
import { readConnectedAppPolicy } from '../../../src/domain/policy/policy.js';
import { PolicyError } from '../../../src/domain/policy/policy-error.js';
import { childText, childTexts, elements, firstElement, parseXml, serializeXml, type XmlElement } from '../../../src/domain/xml.js';

const NS = 'xmlns="http://soap.sforce.com/2006/04/metadata"';
const parse = (xml: string): XmlElement => parseXml(xml).root;
const names = (el: XmlElement | undefined): string[] => (el ? elements(el).map((e) => e.name) : []);

function rejects(fn: () => unknown): PolicyError {
  try {
    fn();
  } catch (error) {
    expect(error).to.be.instanceOf(PolicyError);
    return error as PolicyError;
  }
  expect.fail('expected a PolicyError');
}

/** A modern file with an unknown element, a comment and elements the model ignores. */
const APP = `<ConnectedApp ${NS}>
    <attributes><formula>$User.Email</formula><key>mail</key></attributes>
    <contactEmail>a@b.c</contactEmail>
    <label>App</label>
    <oauthConfig>
        <callbackUrl>https://x</callbackUrl>
        <consumerKey>KEY</consumerKey>
        <consumerSecret>SECRET</consumerSecret>
        <isAdminApproved>true</isAdminApproved>
        <isNamedUserJwtEnabled>false</isNamedUserJwtEnabled>
        <isRefreshTokenRotationEnabled>false</isRefreshTokenRotationEnabled>
        <isZzzFutureFlag>true</isZzzFutureFlag>
        <scopes>Api</scopes>
    </oauthConfig>
    <oauthPolicy>
        <ipRelaxation>bypass</ipRelaxation>
        <isTokenExchangeFlowEnabled>false</isTokenExchangeFlowEnabled>
        <refreshTokenPolicy>infinite</refreshTokenPolicy>
    </oauthPolicy>
    <!-- keep me -->
    <profileName>System Administrator</profileName>
    <profileName>Integration</profileName>
    <samlConfig><acsUrl>https://sp</acsUrl><entityUrl>e</entityUrl><samlSubjectType>Username</samlSubjectType></samlConfig>
    <futureTopLevel>x</futureTopLevel>
    <startUrl>https://start</startUrl>
</ConnectedApp>`;

/** An old file: no oauthPolicy, no flags, no admin approval. */
const OLD = `<ConnectedApp ${NS}>
    <contactEmail>a@b.c</contactEmail>
    <label>Old</label>
    <oauthConfig>
        <callbackUrl>https://x</callbackUrl>
        <consumerKey>KEY</consumerKey>
        <scopes>Full</scopes>
    </oauthConfig>
    <startUrl>https://start</startUrl>
</ConnectedApp>`;

const SAML_ONLY = `<ConnectedApp ${NS}><contactEmail>a@b.c</contactEmail><label>S</label><samlConfig><acsUrl>a</acsUrl></samlConfig></ConnectedApp>`;

describe('policy edits', () => {
  describe('schema order', () => {
    it('documents alphabetical orders (the WSDL sequence), fullName first', () => {
      for (const order of [OAUTH_CONFIG_ELEMENT_ORDER, OAUTH_POLICY_ELEMENT_ORDER, SESSION_POLICY_ELEMENT_ORDER, CONNECTED_APP_ELEMENT_ORDER.slice(1)]) {
        expect([...order].sort()).to.deep.equal([...order]);
      }
      expect(CONNECTED_APP_ELEMENT_ORDER[0]).to.equal('fullName');
    });

    it('places unknown names alphabetically and fullName first', () => {
      expect(compareElementNames(OAUTH_CONFIG_ELEMENT_ORDER, 'isPkceRequired', 'isZzzFutureFlag')).to.be.lessThan(0);
      expect(compareElementNames(OAUTH_CONFIG_ELEMENT_ORDER, 'scopes', 'isZzzFutureFlag')).to.be.greaterThan(0);
      expect(compareElementNames(CONNECTED_APP_ELEMENT_ORDER, 'fullName', 'aaa')).to.be.lessThan(0);
      expect(compareElementNames(CONNECTED_APP_ELEMENT_ORDER, 'zzz', 'fullName')).to.be.greaterThan(0);
      expect(compareElementNames(CONNECTED_APP_ELEMENT_ORDER, 'label', 'label')).to.equal(0);
    });
  });

  it('leaves the input untouched and returns an identical tree for a no-op', () => {
    const root = parse(APP);
    const snapshot = structuredClone(root);
    const change: PolicyChange = {
      permittedUsers: 'admin-approved',
      ipRelaxation: 'BYPASS',
      refreshTokenPolicy: { kind: 'infinite' },
      refreshTokenRotation: false,
      profileNames: ['Integration', 'System Administrator'],
      sessionTimeoutMinutes: null,
    };
    const result = applyPolicyChange(root, change);
    expect(result.diffs).to.deep.equal([]);
    expect(result.warnings).to.deep.equal([]);
    expect(result.root).to.deep.equal(root);
    expect(result.root).to.not.equal(root);
    expect(root).to.deep.equal(snapshot);
    expect(applyPolicyChange(root, {}).root).to.deep.equal(root);
  });

  it('changes one element in place and keeps everything else, unknown elements and comments included', () => {
    const root = parse(APP);
    const snapshot = structuredClone(root);
    const result = applyPolicyChange(root, { refreshTokenPolicy: { kind: 'specific_lifetime', value: 90, unit: 'DAYS' } });
    expect(result.diffs).to.deep.equal([
      { field: 'refreshTokenPolicy', before: 'infinite', after: 'specific_lifetime:90:DAYS', metadataPath: 'oauthPolicy.refreshTokenPolicy' },
    ]);
    expect(root).to.deep.equal(snapshot);
    const policy = firstElement(result.root, 'oauthPolicy')!;
    expect(names(policy)).to.deep.equal(['ipRelaxation', 'isTokenExchangeFlowEnabled', 'refreshTokenPolicy']);
    expect(childText(policy, 'refreshTokenPolicy')).to.equal('specific_lifetime:90:DAYS');
    expect(childText(policy, 'ipRelaxation')).to.equal('bypass');
    // Everything except the changed text is identical, line numbers included.
    const expected = structuredClone(root);
    firstElement(firstElement(expected, 'oauthPolicy')!, 'refreshTokenPolicy')!.children = [{ kind: 'text', text: 'specific_lifetime:90:DAYS' }];
    expect(result.root).to.deep.equal(expected);
    expect(serializeXml(result.root)).to.contain('<!-- keep me -->').and.contain('<futureTopLevel>x</futureTopLevel>').and.contain('<isZzzFutureFlag>true</isZzzFutureFlag>');
  });

  it('creates oauthPolicy at its schema position with both required children, reporting the default it added', () => {
    const result = applyPolicyChange(parse(OLD), { ipRelaxation: 'ENFORCE_RELAXREFRESH' });
    expect(names(result.root)).to.deep.equal(['contactEmail', 'label', 'oauthConfig', 'oauthPolicy', 'startUrl']);
    expect(names(firstElement(result.root, 'oauthPolicy'))).to.deep.equal(['ipRelaxation', 'refreshTokenPolicy']);
    expect(result.diffs).to.deep.equal([
      { field: 'ipRelaxation', before: null, after: 'ENFORCE_RELAXREFRESH', metadataPath: 'oauthPolicy.ipRelaxation' },
      { field: 'refreshTokenPolicy', before: null, after: 'infinite', metadataPath: 'oauthPolicy.refreshTokenPolicy' },
    ]);
    const refresh = applyPolicyChange(parse(OLD), { refreshTokenPolicy: { kind: 'zero' } });
    expect(refresh.diffs.map((d) => [d.field, d.after])).to.deep.equal([
      ['refreshTokenPolicy', 'zero'],
      ['ipRelaxation', 'ENFORCE'],
    ]);
    expect(names(firstElement(refresh.root, 'oauthPolicy'))).to.deep.equal(['ipRelaxation', 'refreshTokenPolicy']);
  });

  it('writes an explicit default when the element is absent (the deployed value becomes certain)', () => {
    const result = applyPolicyChange(parse(OLD), { ipRelaxation: 'ENFORCE', refreshTokenPolicy: { kind: 'infinite' } });
    expect(result.diffs.map((d) => [d.field, d.before, d.after])).to.deep.equal([
      ['ipRelaxation', null, 'ENFORCE'],
      ['refreshTokenPolicy', null, 'infinite'],
    ]);
  });

  it('completes an oauthPolicy that lacks a required child', () => {
    const xml = `<ConnectedApp ${NS}><label>L</label><oauthConfig><callbackUrl>x</callbackUrl></oauthConfig><oauthPolicy><ipRelaxation>BYPASS</ipRelaxation></oauthPolicy></ConnectedApp>`;
    const result = applyPolicyChange(parse(xml), { ipRelaxation: 'ENFORCE' });
    expect(result.diffs.map((d) => [d.field, d.before, d.after])).to.deep.equal([
      ['ipRelaxation', 'BYPASS', 'ENFORCE'],
      ['refreshTokenPolicy', null, 'infinite'],
    ]);
  });

  it('inserts OAuth flags at their schema position', () => {
    const result = applyPolicyChange(parse(APP), { pkceRequired: true });
    expect(names(firstElement(result.root, 'oauthConfig'))).to.deep.equal([
      'callbackUrl',
      'consumerKey',
      'consumerSecret',
      'isAdminApproved',
      'isNamedUserJwtEnabled',
      'isPkceRequired',
      'isRefreshTokenRotationEnabled',
      'isZzzFutureFlag',
      'scopes',
    ]);
    expect(result.diffs).to.deep.equal([{ field: 'pkceRequired', before: null, after: 'true', metadataPath: 'oauthConfig.isPkceRequired' }]);
    const rotation = applyPolicyChange(parse(OLD), { refreshTokenRotation: true, permittedUsers: 'admin-approved' });
    expect(names(firstElement(rotation.root, 'oauthConfig'))).to.deep.equal(['callbackUrl', 'consumerKey', 'isAdminApproved', 'isRefreshTokenRotationEnabled', 'scopes']);
    expect(rotation.diffs.map((d) => [d.field, d.before, d.after])).to.deep.equal([
      ['permittedUsers', null, 'admin-approved'],
      ['refreshTokenRotation', null, 'true'],
    ]);
  });

  it('sets, replaces and removes the session timeout', () => {
    const set = applyPolicyChange(parse(APP), { sessionTimeoutMinutes: 120 });
    expect(names(set.root).slice(-4)).to.deep.equal(['samlConfig', 'futureTopLevel', 'sessionPolicy', 'startUrl']);
    expect(set.diffs).to.deep.equal([{ field: 'sessionTimeout', before: null, after: '120', metadataPath: 'sessionPolicy.sessionTimeout' }]);
    const replaced = applyPolicyChange(set.root, { sessionTimeoutMinutes: 15 });
    expect(replaced.diffs.map((d) => [d.before, d.after])).to.deep.equal([['120', '15']]);
    const removed = applyPolicyChange(replaced.root, { sessionTimeoutMinutes: null });
    expect(removed.diffs).to.deep.equal([{ field: 'sessionTimeout', before: '15', after: null, metadataPath: 'sessionPolicy.sessionTimeout' }]);
    expect(firstElement(removed.root, 'sessionPolicy')).to.equal(undefined);
    const keepsOthers = applyPolicyChange(
      parse(`<ConnectedApp ${NS}><label>L</label><sessionPolicy><sessionLevel>HIGH_ASSURANCE</sessionLevel><sessionTimeout>15</sessionTimeout></sessionPolicy></ConnectedApp>`),
      { sessionTimeoutMinutes: null }
    );
    expect(names(firstElement(keepsOthers.root, 'sessionPolicy'))).to.deep.equal(['sessionLevel']);
    const odd = applyPolicyChange(parse(APP), { sessionTimeoutMinutes: 45 });
    expect(odd.warnings).to.deep.equal([{ code: 'NonStandardSessionTimeout', field: 'sessionTimeout' }]);
  });

  it('refuses OAuth settings on an app without oauthConfig, but allows a session timeout', () => {
    for (const change of [
      { permittedUsers: 'admin-approved' },
      { ipRelaxation: 'BYPASS' },
      { refreshTokenPolicy: { kind: 'zero' } },
      { pkceRequired: true },
      { refreshTokenRotation: true },
    ] as PolicyChange[]) {
      const error = rejects(() => applyPolicyChange(parse(SAML_ONLY), change));
      expect(error.code).to.equal('NoOauthConfig');
      expect(error.field).to.equal(Object.keys(change)[0]);
    }
    const result = applyPolicyChange(parse(SAML_ONLY), { sessionTimeoutMinutes: 60 });
    expect(names(result.root)).to.deep.equal(['contactEmail', 'label', 'samlConfig', 'sessionPolicy']);
  });

  it('refuses a root that is not a ConnectedApp', () => {
    expect(rejects(() => applyPolicyChange(parse(`<Profile ${NS}/>`), {})).code).to.equal('NotAConnectedApp');
  });

  describe('profile and permission set lists', () => {
    it('adds after the kept names and removes dropped ones, reporting each', () => {
      const result = applyPolicyChange(parse(APP), { profileNames: ['Integration', 'Analyst', 'Auditor'] });
      expect(childTexts(result.root, 'profileName')).to.deep.equal(['Integration', 'Analyst', 'Auditor']);
      expect(result.diffs).to.deep.equal([
        { field: 'profileNames', before: 'System Administrator', after: null, metadataPath: 'profileName' },
        { field: 'profileNames', before: null, after: 'Analyst', metadataPath: 'profileName' },
        { field: 'profileNames', before: null, after: 'Auditor', metadataPath: 'profileName' },
      ]);
      expect(serializeXml(result.root)).to.match(/<!-- keep me -->\s*<profileName>Integration/);
    });

    it('creates permission sets at their schema position (after oauthPolicy, before profileName)', () => {
      const result = applyPolicyChange(parse(APP), { permissionSetNames: [' API Access '] });
      expect(names(result.root).slice(3, 8)).to.deep.equal(['oauthConfig', 'oauthPolicy', 'permissionSetName', 'profileName', 'profileName']);
      expect(childTexts(result.root, 'permissionSetName')).to.deep.equal(['API Access']);
    });

    it('writes one empty element to remove every assignment, and treats a set-equal list as a no-op', () => {
      const cleared = applyPolicyChange(parse(APP), { profileNames: [] });
      expect(childTexts(cleared.root, 'profileName')).to.deep.equal(['']);
      expect(serializeXml(cleared.root)).to.contain('<profileName/>');
      expect(cleared.diffs.map((d) => d.before)).to.deep.equal(['System Administrator', 'Integration']);
      expect(readConnectedAppPolicy(cleared.root).profileNames).to.deep.equal([]);
      expect(applyPolicyChange(cleared.root, { profileNames: [] }).diffs).to.deep.equal([]);
      const dupes = parse(APP.replace('<profileName>Integration</profileName>', '<profileName>System Administrator</profileName>'));
      expect(applyPolicyChange(dupes, { profileNames: ['System Administrator'] }).diffs).to.deep.equal([]);
      const refilled = applyPolicyChange(cleared.root, { profileNames: ['A'] });
      expect(childTexts(refilled.root, 'profileName')).to.deep.equal(['A']);
      expect(refilled.diffs).to.deep.equal([{ field: 'profileNames', before: null, after: 'A', metadataPath: 'profileName' }]);
    });

    it('requires admin approval for a new list, unless the same change grants it', () => {
      const error = rejects(() => applyPolicyChange(parse(OLD), { profileNames: ['Admin'] }));
      expect(error.code).to.equal('AssignmentsRequireAdminApproved');
      expect(error.field).to.equal('profileNames');
      expect(rejects(() => applyPolicyChange(parse(SAML_ONLY), { permissionSetNames: ['PS'] })).code).to.equal('AssignmentsRequireAdminApproved');
      const ok = applyPolicyChange(parse(OLD), { permittedUsers: 'admin-approved', profileNames: ['Admin'] });
      expect(names(ok.root)).to.deep.equal(['contactEmail', 'label', 'oauthConfig', 'profileName', 'startUrl']);
      expect(applyPolicyChange(parse(OLD), { profileNames: [] }).diffs).to.deep.equal([]);
    });

    it('warns when self-authorisation leaves assignments behind', () => {
      const result = applyPolicyChange(parse(APP), { permittedUsers: 'all-self-authorize' });
      expect(result.diffs).to.deep.equal([
        { field: 'permittedUsers', before: 'admin-approved', after: 'all-self-authorize', metadataPath: 'oauthConfig.isAdminApproved' },
      ]);
      expect(result.warnings).to.deep.equal([{ code: 'AssignmentsIgnoredWithoutAdminApproval', field: 'permittedUsers' }]);
      expect(applyPolicyChange(parse(APP), { permittedUsers: 'all-self-authorize', profileNames: [] }).warnings).to.deep.equal([]);
    });
  });

  describe('validation', () => {
    const invalid: Array<[PolicyChange, string, string | undefined]> = [
      [{ ipRelaxation: 'ENFORCE_ACTIVATED_USERS' as 'ENFORCE' }, 'InvalidIpRelaxation', 'undocumented-value'],
      [{ ipRelaxation: 'LOOSE' as 'ENFORCE' }, 'InvalidIpRelaxation', 'unknown-value'],
      [{ permittedUsers: 'everyone' as 'admin-approved' }, 'InvalidPermittedUsers', 'unknown-value'],
      [{ refreshTokenPolicy: { kind: 'specific_lifetime', value: 0, unit: 'DAYS' } }, 'InvalidRefreshTokenPolicy', 'not-positive'],
      [{ refreshTokenPolicy: { kind: 'specific_inactivity', value: 3, unit: 'WEEKS' as 'DAYS' } }, 'InvalidRefreshTokenPolicy', 'unknown-unit'],
      [{ sessionTimeoutMinutes: 0 }, 'InvalidSessionTimeout', 'not-positive'],
      [{ sessionTimeoutMinutes: -15 }, 'InvalidSessionTimeout', 'not-positive'],
      [{ sessionTimeoutMinutes: 1.5 }, 'InvalidSessionTimeout', 'not-an-integer'],
      [{ sessionTimeoutMinutes: '15' as unknown as number }, 'InvalidSessionTimeout', 'not-an-integer'],
      [{ pkceRequired: 'true' as unknown as boolean }, 'InvalidBoolean', undefined],
      [{ profileNames: ['ok', '  '] }, 'InvalidAssignmentName', 'empty'],
      [{ permissionSetNames: 'PS' as unknown as string[] }, 'InvalidAssignmentName', 'unknown-value'],
    ];
    for (const [change, code, reason] of invalid) {
      it(`rejects ${JSON.stringify(change)} with ${code}`, () => {
        const error = rejects(() => applyPolicyChange(parse(APP), change));
        expect(error.code).to.equal(code);
        expect(error.reason).to.equal(reason);
      });
    }

    it('normalises tolerant spellings built in code', () => {
      const result = applyPolicyChange(parse(APP), { ipRelaxation: ' enforce ' as 'ENFORCE' });
      expect(childText(firstElement(result.root, 'oauthPolicy'), 'ipRelaxation')).to.equal('ENFORCE');
    });
  });

  it('reuses a nil placeholder and follows the namespace prefix of a SOAP record', () => {
    const record = parse(
      '<met:records xmlns:met="http://soap.sforce.com/2006/04/metadata" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="met:ConnectedApp">' +
        '<met:fullName>App</met:fullName><met:label>App</met:label><met:oauthConfig><met:callbackUrl>x</met:callbackUrl></met:oauthConfig>' +
        '<met:oauthPolicy xsi:nil="true"/></met:records>'
    );
    const result = applyPolicyChange(record, { ipRelaxation: 'BYPASS', pkceRequired: true });
    expect(names(result.root)).to.deep.equal(['met:fullName', 'met:label', 'met:oauthConfig', 'met:oauthPolicy']);
    expect(names(firstElement(result.root, 'oauthPolicy'))).to.deep.equal(['met:ipRelaxation', 'met:refreshTokenPolicy']);
    expect(firstElement(result.root, 'oauthPolicy')!.attributes).to.deep.equal([]);
    expect(names(firstElement(result.root, 'oauthConfig'))).to.deep.equal(['met:callbackUrl', 'met:isPkceRequired']);
    expect(readConnectedAppPolicy(result.root)).to.deep.include({ ipRelaxation: 'BYPASS', pkceRequired: true, fullName: 'App' });
  });

  it('strips the consumer secret from a copy', () => {
    const root = parse(APP);
    const clean = withoutSecrets(root);
    expect(serializeXml(clean)).to.not.contain('SECRET</consumerSecret>');
    expect(serializeXml(clean)).to.contain('<consumerKey>KEY</consumerKey>');
    expect(childText(firstElement(root, 'oauthConfig'), 'consumerSecret')).to.equal('SECRET');
    expect(readConnectedAppPolicy(clean).consumerSecretPresent).to.be.false;
  });

  describe('diffPolicies', () => {
    it('reports scalar changes and list items added/removed, in field order', () => {
      const before = readConnectedAppPolicy(parse(APP));
      const after = readConnectedAppPolicy(
        applyPolicyChange(parse(APP), {
          ipRelaxation: 'ENFORCE',
          refreshTokenPolicy: { kind: 'specific_inactivity', value: 30, unit: 'DAYS' },
          profileNames: ['Integration', 'Auditor'],
          sessionTimeoutMinutes: 60,
        }).root
      );
      expect(diffPolicies(before, after)).to.deep.equal([
        { field: 'ipRelaxation', before: 'BYPASS', after: 'ENFORCE', metadataPath: 'oauthPolicy.ipRelaxation' },
        { field: 'refreshTokenPolicy', before: 'infinite', after: 'specific_inactivity:30:DAYS', metadataPath: 'oauthPolicy.refreshTokenPolicy' },
        { field: 'sessionTimeout', before: null, after: '60', metadataPath: 'sessionPolicy.sessionTimeout' },
        { field: 'profileNames', before: 'System Administrator', after: null, metadataPath: 'profileName' },
        { field: 'profileNames', before: null, after: 'Auditor', metadataPath: 'profileName' },
      ]);
      expect(diffPolicies(before, before)).to.deep.equal([]);
    });

    it('uses the ECA paths when the desired side is an External Client App', () => {
      const ca = readConnectedAppPolicy(parse(OLD));
      const eca = readExternalClientAppPolicy({
        ecaOauthPlcy: parse(
          `<ExtlClntAppOauthConfigurablePolicies ${NS}><externalClientApplication>Old</externalClientApplication><ipRelaxationPolicyType>Bypass</ipRelaxationPolicyType></ExtlClntAppOauthConfigurablePolicies>`
        ),
      });
      const diff = diffPolicies(ca, eca).find((d) => d.field === 'ipRelaxation');
      expect(diff).to.deep.equal({ field: 'ipRelaxation', before: 'ENFORCE', after: 'BYPASS', metadataPath: 'ecaOauthPlcy.ipRelaxationPolicyType' });
      expect(diffPolicies(ca, eca).find((d) => d.field === 'deviceFlow')).to.deep.equal({
        field: 'deviceFlow',
        before: null,
        after: 'false',
        metadataPath: 'ecaGlblOauth.isDeviceFlowEnabled',
      });
    });
  });
});
