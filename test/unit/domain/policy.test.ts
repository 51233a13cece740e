import { expect } from 'chai';
import {
  CONNECTED_APP_METADATA_PATHS,
  POLICY_FIELDS,
  fullNameFromFileName,
  isDefaulted,
  parseEcaPermittedUsers,
  parsePermittedUsersFlag,
  policyFieldValue,
  readConnectedAppPolicy,
  splitCallbackUrls,
  toEcaPermittedUsers,
  type AppPolicy,
  type PolicyField,
} from '../../../src/domain/policy/policy.js';
import { PolicyError } from '../../../src/domain/policy/policy-error.js';
import { parseXml } from '../../../src/domain/xml.js';
import { forEachDataSet, type DataSet } from '../../data-sets.js';
import { readXml } from './xml-files.js';

const NS = 'xmlns="http://soap.sforce.com/2006/04/metadata"';
const read = (xml: string, fullName?: string): AppPolicy => readConnectedAppPolicy(parseXml(xml).root, fullName ? { fullName } : {});

function rejects(fn: () => unknown): PolicyError {
  try {
    fn();
  } catch (error) {
    expect(error).to.be.instanceOf(PolicyError);
    return error as PolicyError;
  }
  expect.fail('expected a PolicyError');
}

/** Every OAuth-policy field a rule may rely on; all defaulted when the source says nothing. */
const OAUTH_DEFAULTED: PolicyField[] = [
  'clientCredentials',
  'tokenExchange',
  'codeCredential',
  'namedUserJwt',
  'permittedUsers',
  'ipRelaxation',
  'refreshTokenPolicy',
  'sessionTimeout',
  'highAssurance',
  'sessionPolicyAction',
  'pkceRequired',
  'refreshTokenRotation',
  'consumerSecretOptional',
  'secretRequiredForRefreshToken',
  'secretRequiredForTokenExchange',
  'introspectAllTokens',
];

describe('policy model: ConnectedApp reader', () => {
  it('applies the documented defaults and says which fields were defaulted', () => {
    const p = read(`<ConnectedApp ${NS}><contactEmail>a@b.c</contactEmail><label>L</label><oauthConfig><callbackUrl>https://x</callbackUrl></oauthConfig></ConnectedApp>`);
    expect(p.hasOauth).to.be.true;
    expect(p.permittedUsers).to.equal('all-self-authorize');
    expect(p.ipRelaxation).to.equal('ENFORCE');
    expect(p.refreshTokenPolicy).to.deep.equal({ kind: 'infinite' });
    expect(p.pkceRequired).to.be.false;
    expect(p.secretRequiredForRefreshToken).to.be.true;
    expect(p.secretRequiredForTokenExchange).to.be.false;
    expect(p.refreshTokenRotation).to.be.false;
    expect(p.session).to.deep.equal({ timeoutMinutes: null, highAssurance: false, level: null, policyAction: null });
    expect(p.flows.deviceFlow).to.equal(null);
    expect(p.defaulted).to.deep.equal(OAUTH_DEFAULTED);
    expect(isDefaulted(p, 'ipRelaxation')).to.be.true;
    expect(isDefaulted(p, 'label')).to.be.false;
    expect(p.invalid).to.deep.equal([]);
  });

  it('records evidence and the line of every element it read', () => {
    const xml = [
      `<ConnectedApp ${NS}>`, // 1
      '  <contactEmail>a@b.c</contactEmail>', // 2
      '  <label>L</label>', // 3
      '  <oauthConfig>', // 4
      '    <callbackUrl>https://x</callbackUrl>', // 5
      '    <isAdminApproved>true</isAdminApproved>', // 6
      '    <isPkceRequired>true</isPkceRequired>', // 7
      '  </oauthConfig>', // 8
      '  <oauthPolicy>', // 9
      '    <ipRelaxation>BYPASS</ipRelaxation>', // 10
      '    <refreshTokenPolicy>zero</refreshTokenPolicy>', // 11
      '  </oauthPolicy>', // 12
      '  <profileName>Admin</profileName>', // 13
      '  <sessionPolicy><sessionTimeout>15</sessionTimeout></sessionPolicy>', // 14
      '</ConnectedApp>',
    ].join('\n');
    const p = read(xml);
    expect(p.lines).to.include({
      contactEmail: 2,
      label: 3,
      hasOauth: 4,
      callbackUrls: 5,
      permittedUsers: 6,
      pkceRequired: 7,
      ipRelaxation: 10,
      refreshTokenPolicy: 11,
      profileNames: 13,
      sessionTimeout: 14,
    });
    expect(p.lines.refreshTokenRotation).to.equal(undefined);
    expect(p.defaulted).to.not.include.members(['permittedUsers', 'pkceRequired', 'ipRelaxation', 'refreshTokenPolicy', 'sessionTimeout']);
    expect(p.defaulted).to.include.members(['refreshTokenRotation', 'introspectAllTokens']);
    expect(p.lineParts).to.deep.equal({});
  });

  it('accepts a readMetadata <records> element, with fullName and nil values', () => {
    const xml =
      '<records xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="ConnectedApp">' +
      '<fullName>ns__My_App</fullName><contactEmail>a@b.c</contactEmail><description xsi:nil="true"/><label>My App</label>' +
      '<oauthConfig><callbackUrl>https://x</callbackUrl><isAdminApproved>true</isAdminApproved><isPkceRequired xsi:nil="true"/></oauthConfig>' +
      '</records>';
    const p = read(xml);
    expect(p.fullName).to.equal('ns__My_App');
    expect(p.description).to.equal(null);
    expect(p.permittedUsers).to.equal('admin-approved');
    expect(isDefaulted(p, 'pkceRequired')).to.be.true;
    expect(read(xml, 'Override').fullName).to.equal('Override');
  });

  it('refuses other roots with NotAConnectedApp', () => {
    expect(rejects(() => read(`<CustomApplication ${NS}/>`)).code).to.equal('NotAConnectedApp');
    const error = rejects(() => read('<records xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="tns:Profile"/>'));
    expect(error.code).to.equal('NotAConnectedApp');
    expect(error.input).to.equal('Profile');
  });

  it('keeps unreadable values out of the model but reports them', () => {
    const p = read(
      `<ConnectedApp ${NS}><label>L</label><oauthConfig><callbackUrl>x</callbackUrl><isAdminApproved>yes</isAdminApproved></oauthConfig>` +
        '<oauthPolicy><ipRelaxation>ENFORCE_ACTIVATED_USERS</ipRelaxation><refreshTokenPolicy>specific_lifetime:0:DAYS</refreshTokenPolicy></oauthPolicy>' +
        '<sessionPolicy><sessionTimeout>soon</sessionTimeout><policyAction>Maybe</policyAction></sessionPolicy></ConnectedApp>'
    );
    expect(p.permittedUsers).to.equal('all-self-authorize');
    expect(p.ipRelaxation).to.equal('ENFORCE');
    expect(p.refreshTokenPolicy).to.deep.equal({ kind: 'infinite' });
    expect(p.session.timeoutMinutes).to.equal(null);
    expect(p.defaulted).to.include.members(['permittedUsers', 'ipRelaxation', 'refreshTokenPolicy', 'sessionTimeout', 'sessionPolicyAction']);
    expect(p.invalid).to.deep.equal([
      { field: 'permittedUsers', value: 'yes', code: 'InvalidBoolean', reason: null },
      { field: 'ipRelaxation', value: 'ENFORCE_ACTIVATED_USERS', code: 'InvalidIpRelaxation', reason: 'undocumented-value' },
      { field: 'refreshTokenPolicy', value: 'specific_lifetime:0:DAYS', code: 'InvalidRefreshTokenPolicy', reason: 'not-positive' },
      { field: 'sessionTimeout', value: 'soon', code: 'InvalidSessionTimeout', reason: 'not-an-integer' },
      { field: 'sessionPolicyAction', value: 'Maybe', code: 'InvalidSessionPolicyAction', reason: 'unknown-value' },
    ]);
  });

  it('reads tolerant spellings of enum values', () => {
    const p = read(
      `<ConnectedApp ${NS}><label>L</label><oauthConfig><callbackUrl>x</callbackUrl><isAdminApproved> TRUE </isAdminApproved></oauthConfig>` +
        '<oauthPolicy><ipRelaxation>bypass_2factor</ipRelaxation><refreshTokenPolicy> Specific_Inactivity : 30 : days </refreshTokenPolicy></oauthPolicy></ConnectedApp>'
    );
    expect(p.permittedUsers).to.equal('admin-approved');
    expect(p.ipRelaxation).to.equal('BYPASS_2FACTOR');
    expect(p.refreshTokenPolicy).to.deep.equal({ kind: 'specific_inactivity', value: 30, unit: 'DAYS' });
  });

  it('reads flows, token exchange from either element, session levels and IP ranges', () => {
    const p = read(
      `<ConnectedApp ${NS}><ipRanges><description>office</description><end>10.0.0.255</end><start>10.0.0.0</start></ipRanges><label>L</label>` +
        '<oauthConfig><callbackUrl>x</callbackUrl><isClientCredentialEnabled>true</isClientCredentialEnabled><isCodeCredentialEnabled>true</isCodeCredentialEnabled>' +
        '<isNamedUserJwtEnabled>true</isNamedUserJwtEnabled><isTokenExchangeEnabled>false</isTokenExchangeEnabled><oauthClientCredentialUser>int@x.com</oauthClientCredentialUser></oauthConfig>' +
        '<oauthPolicy><ipRelaxation>ENFORCE</ipRelaxation><isTokenExchangeFlowEnabled>true</isTokenExchangeFlowEnabled><refreshTokenPolicy>infinite</refreshTokenPolicy></oauthPolicy>' +
        '<sessionPolicy><policyAction>RaiseSessionLevel</policyAction><sessionLevel>HIGH_ASSURANCE</sessionLevel><sessionTimeout>120</sessionTimeout></sessionPolicy></ConnectedApp>'
    );
    expect(p.flows).to.deep.equal({
      jwtCertificate: false,
      clientCredentials: { enabled: true, runAsUser: 'int@x.com' },
      tokenExchange: true,
      codeCredential: true,
      namedUserJwt: true,
      deviceFlow: null,
    });
    expect(p.session).to.deep.equal({ timeoutMinutes: 120, highAssurance: true, level: 'HIGH_ASSURANCE', policyAction: 'RaiseSessionLevel' });
    expect(p.ipRanges).to.deep.equal([{ start: '10.0.0.0', end: '10.0.0.255', description: 'office' }]);

    const actionOnly = read(`<ConnectedApp ${NS}><label>L</label><sessionPolicy><policyAction>block</policyAction></sessionPolicy></ConnectedApp>`);
    expect(actionOnly.session).to.deep.equal({ timeoutMinutes: null, highAssurance: true, level: null, policyAction: 'Block' });
    const standard = read(`<ConnectedApp ${NS}><label>L</label><sessionPolicy><sessionLevel>STANDARD</sessionLevel></sessionPolicy></ConnectedApp>`);
    expect(standard.session.highAssurance).to.be.false;
    expect(isDefaulted(standard, 'highAssurance')).to.be.false;
  });

  it('never exposes the consumer secret or the certificate body', () => {
    const p = read(
      `<ConnectedApp ${NS}><label>L</label><oauthConfig><callbackUrl>x</callbackUrl><certificate>MIIDSECRETCERTBODY</certificate>` +
        '<consumerKey>3MVGkey</consumerKey><consumerSecret>TOPSECRET123</consumerSecret></oauthConfig></ConnectedApp>'
    );
    expect(p.flows.jwtCertificate).to.be.true;
    expect(p.consumerKeyPresent).to.be.true;
    expect(p.consumerSecretPresent).to.be.true;
    const json = JSON.stringify(p);
    expect(json).to.not.contain('TOPSECRET123');
    expect(json).to.not.contain('MIIDSECRETCERTBODY');
    expect(json).to.not.contain('3MVGkey');
  });

  it('splits callback URLs on line breaks and commas', () => {
    expect(splitCallbackUrls('https://a/\nhttps://*.b.com\r\nhttps://c, https://d ,\n')).to.deep.equal([
      'https://a/',
      'https://*.b.com',
      'https://c',
      'https://d',
    ]);
    expect(splitCallbackUrls(undefined)).to.deep.equal([]);
  });

  it('keeps duplicate profile names and flags them; ignores empty clear markers', () => {
    const p = read(
      `<ConnectedApp ${NS}><label>L</label><oauthConfig><callbackUrl>x</callbackUrl><isAdminApproved>true</isAdminApproved></oauthConfig>` +
        '<permissionSetName></permissionSetName><profileName>A</profileName><profileName>B</profileName><profileName>A</profileName></ConnectedApp>'
    );
    expect(p.profileNames).to.deep.equal(['A', 'B', 'A']);
    expect(p.duplicateProfileNames).to.deep.equal(['A']);
    expect(p.permissionSetNames).to.deep.equal([]);
  });

  it('derives the API name from a file name', () => {
    expect(fullNameFromFileName('force-app/main/default/connectedApps/Jenkins_CI.connectedApp-meta.xml')).to.equal('Jenkins_CI');
    expect(fullNameFromFileName('connectedApps\\Old.connectedApp')).to.equal('Old');
    expect(fullNameFromFileName('My%28App%29.connectedApp-meta.xml')).to.equal('My(App)');
    expect(fullNameFromFileName('Admin.profile-meta.xml')).to.equal(null);
  });

  it('gives every field a display value and a metadata path', () => {
    const p = read(`<ConnectedApp ${NS}><label>L</label></ConnectedApp>`);
    for (const field of POLICY_FIELDS) {
      expect(CONNECTED_APP_METADATA_PATHS, field).to.have.property(field);
      const value = policyFieldValue(p, field);
      expect(value === null || typeof value === 'string' || Array.isArray(value), field).to.be.true;
    }
    expect(policyFieldValue(p, 'refreshTokenPolicy')).to.equal('infinite');
    expect(policyFieldValue(p, 'pkceRequired')).to.equal('false');
    expect(policyFieldValue(p, 'deviceFlow')).to.equal(null);
  });
});

describe('permitted users codec', () => {
  it('maps flag ⇄ ECA', () => {
    expect(parsePermittedUsersFlag('admin-approved')).to.equal('admin-approved');
    expect(parsePermittedUsersFlag(' All_Self_Authorize ')).to.equal('all-self-authorize');
    expect(toEcaPermittedUsers('admin-approved')).to.equal('AdminApprovedPreAuthorized');
    expect(toEcaPermittedUsers('all-self-authorize')).to.equal('AllSelfAuthorized');
    expect(parseEcaPermittedUsers('AdminApprovedPreAuthorized')).to.equal('admin-approved');
    expect(parseEcaPermittedUsers('allselfauthorized')).to.equal('all-self-authorize');
  });

  it('rejects unknown values with suggestions', () => {
    const flag = rejects(() => parsePermittedUsersFlag('AdminApprovedPreAuthorized'));
    expect(flag.code).to.equal('InvalidPermittedUsers');
    expect(flag.suggestion).to.equal('admin-approved');
    expect(rejects(() => parsePermittedUsersFlag('admin-aproved')).suggestion).to.equal('admin-approved');
    expect(rejects(() => parsePermittedUsersFlag('')).reason).to.equal('empty');
    expect(rejects(() => parseEcaPermittedUsers('Everyone')).validValues).to.deep.equal(['AdminApprovedPreAuthorized', 'AllSelfAuthorized']);
  });
});

const loader =
  (set: DataSet) =>
  (file: string, fullName: string): AppPolicy =>
    readConnectedAppPolicy(readXml(set, 'connected-apps', file), { fullName });

// Real files pin what the platform writes; the fixture pins below cover the same shapes without them.
forEachDataSet('policy model: pinned real files', (set) => {
  const load = loader(set);

  it('a JWT CI app (Jenkins): certificate, admin-approved, PKCE, one profile', () => {
    const p = load('Thomas-Raj-SF__salesforce_githubactions__Jenkins.connectedApp-meta.xml', 'Jenkins');
    expect(p).to.deep.include({
      kind: 'connected-app',
      fullName: 'Jenkins',
      label: 'Jenkins',
      contactEmail: 'thomas.raj@wipro.com',
      description: null,
      hasOauth: true,
      callbackUrls: ['http://localhost:1717/OauthRedirect'],
      scopes: ['Api', 'Web', 'Full', 'RefreshToken'],
      permittedUsers: 'admin-approved',
      ipRelaxation: 'ENFORCE',
      refreshTokenPolicy: { kind: 'infinite' },
      pkceRequired: true,
      refreshTokenRotation: false,
      consumerSecretOptional: false,
      secretRequiredForRefreshToken: true,
      secretRequiredForTokenExchange: false,
      introspectAllTokens: false,
      ipRanges: [],
      profileNames: ['System Administrator'],
      duplicateProfileNames: [],
      permissionSetNames: [],
      hasSaml: false,
      hasCanvas: false,
      hasMobile: false,
      hasPlugin: false,
      consumerKeyPresent: true,
      consumerSecretPresent: false,
      invalid: [],
    });
    expect(p.flows).to.deep.equal({
      jwtCertificate: true,
      clientCredentials: { enabled: false, runAsUser: null },
      tokenExchange: false,
      codeCredential: false,
      namedUserJwt: false,
      deviceFlow: null,
    });
    expect(p.session).to.deep.equal({ timeoutMinutes: null, highAssurance: false, level: null, policyAction: null });
    expect(p.defaulted).to.deep.equal(['sessionTimeout', 'highAssurance', 'sessionPolicyAction']);
    expect(p.lines).to.deep.include({
      contactEmail: 3,
      label: 4,
      hasOauth: 5,
      callbackUrls: 6,
      jwtCertificate: 7,
      consumerKeyPresent: 8,
      permittedUsers: 9,
      clientCredentials: 10,
      codeCredential: 11,
      consumerSecretOptional: 13,
      introspectAllTokens: 14,
      namedUserJwt: 15,
      pkceRequired: 16,
      refreshTokenRotation: 17,
      secretRequiredForRefreshToken: 18,
      secretRequiredForTokenExchange: 19,
      tokenExchange: 20,
      scopes: 21,
      ipRelaxation: 27,
      refreshTokenPolicy: 29,
      profileNames: 31,
    });
  });

  it('a SAML-only app (Slack): no OAuth, every OAuth field defaulted', () => {
    const p = load('AlainHofstetter__nextgen__Slack.connectedApp-meta.xml', 'Slack');
    expect(p).to.deep.include({
      label: 'Slack',
      contactEmail: 'itsupport@brandleadership.ch',
      hasOauth: false,
      hasSaml: true,
      hasCanvas: false,
      hasMobile: false,
      callbackUrls: [],
      scopes: [],
      permittedUsers: 'all-self-authorize',
      ipRelaxation: 'ENFORCE',
      refreshTokenPolicy: { kind: 'infinite' },
      profileNames: [],
      consumerKeyPresent: false,
      consumerSecretPresent: false,
    });
    expect(p.defaulted).to.deep.equal(OAUTH_DEFAULTED);
    expect(p.lines).to.deep.equal({ contactEmail: 3, label: 4, hasSaml: 6 });
  });

  it('an admin-approved app with 43 profiles (OracleCPQ): canvas, introspection, one permission set', () => {
    const p = load('Ahmed-Elawad__diff__OracleCPQ.connectedApp-meta.xml', 'OracleCPQ');
    expect(p.permittedUsers).to.equal('admin-approved');
    expect(p.profileNames).to.have.length(43);
    expect(p.profileNames.slice(0, 3)).to.deep.equal(['Core Virtual Sales Rep', 'HRS PEO Centric Sales - SB', 'System Administrator API-OracleCPQ']);
    expect(p.profileNames).to.include('Field Ops Manager/Supervisor');
    expect(p.profileNames.at(-1)).to.equal('MMS Manager - SB');
    expect(p.duplicateProfileNames).to.deep.equal([]);
    expect(p.permissionSetNames).to.deep.equal(['API Connected Apps']);
    expect(p).to.deep.include({
      hasCanvas: true,
      hasSaml: false,
      introspectAllTokens: true,
      secretRequiredForRefreshToken: false,
      pkceRequired: false,
      scopes: ['Full', 'RefreshToken'],
      ipRelaxation: 'ENFORCE',
      refreshTokenPolicy: { kind: 'infinite' },
      callbackUrls: ['https://paychexinc.bigmachines.com/admin/oauth2/salesforce/oauth_callback.jsp'],
    });
    expect(p.flows.jwtCertificate).to.be.false;
    expect(p.lines).to.deep.include({ hasCanvas: 3, permittedUsers: 24, introspectAllTokens: 29, ipRelaxation: 40, permissionSetNames: 44, profileNames: 45 });
    expect(p.defaulted).to.deep.equal(['sessionTimeout', 'highAssurance', 'sessionPolicyAction']);
  });

  it('an old mdapi file without oauthPolicy (API 43, idTokenConfig): everything but scopes defaulted', () => {
    const p = load('DmytroKovalchuk__SF_Sales__Test.connectedApp-meta.xml', 'Test');
    expect(p).to.deep.include({
      label: 'Test',
      hasOauth: true,
      callbackUrls: ['https://test.salesforce.com/services/apexrest/testmock'],
      scopes: ['Basic', 'Api', 'Web', 'Full', 'Chatter', 'CustomApplications', 'RefreshToken', 'OpenID', 'CustomPermissions', 'Wave', 'Eclair'],
      permittedUsers: 'all-self-authorize',
      ipRelaxation: 'ENFORCE',
      refreshTokenPolicy: { kind: 'infinite' },
      consumerKeyPresent: true,
      profileNames: [],
    });
    expect(p.defaulted).to.deep.equal(OAUTH_DEFAULTED);
    expect(p.lines).to.deep.equal({ contactEmail: 3, label: 4, hasOauth: 5, callbackUrls: 6, scopes: 14, consumerKeyPresent: 7 });
  });

  it('an app listing the same profile twice, admin-approved without oauthPolicy (CICD)', () => {
    const p = load('AdityaKaushalPwC__tf-test2__CICD.connectedApp-meta.xml', 'CICD');
    expect(p.profileNames).to.deep.equal(['System Administrator', 'System Administrator']);
    expect(p.duplicateProfileNames).to.deep.equal(['System Administrator']);
    expect(p.permittedUsers).to.equal('admin-approved');
    expect(isDefaulted(p, 'permittedUsers')).to.be.false;
    expect(isDefaulted(p, 'ipRelaxation')).to.be.true;
    expect(isDefaulted(p, 'refreshTokenPolicy')).to.be.true;
  });

  it('a multi-line callback URL and client credentials with a run-as user (Azure Data Factory)', () => {
    const p = load('Ahmed-Elawad__diff__Azure_Data_Factory.connectedApp-meta.xml', 'Azure_Data_Factory');
    expect(p.callbackUrls).to.deep.equal(['https://adf.azure.com/', 'https://*.azure.com']);
    expect(p.flows.clientCredentials).to.deep.equal({ enabled: true, runAsUser: 'alteryx@paychex.com' });
    expect(p.description).to.equal('app used for connecting to internal azure data factory');
  });
}, ['corpus']);

forEachDataSet('policy model: pinned fixture files', (set) => {
  const load = loader(set);

  it('a JWT CI app (Build Pipeline): certificate, admin-approved, PKCE, one profile', () => {
    const p = load('Build_Pipeline.connectedApp-meta.xml', 'Build_Pipeline');
    expect(p).to.deep.include({
      kind: 'connected-app',
      fullName: 'Build_Pipeline',
      label: 'Build Pipeline',
      contactEmail: 'release.bot@northwind.example.com',
      description: null,
      hasOauth: true,
      callbackUrls: ['http://localhost:1717/OauthRedirect'],
      scopes: ['Api', 'Web', 'RefreshToken'],
      permittedUsers: 'admin-approved',
      ipRelaxation: 'ENFORCE',
      refreshTokenPolicy: { kind: 'infinite' },
      pkceRequired: true,
      refreshTokenRotation: false,
      consumerSecretOptional: false,
      secretRequiredForRefreshToken: true,
      secretRequiredForTokenExchange: false,
      introspectAllTokens: false,
      ipRanges: [],
      profileNames: ['System Administrator'],
      duplicateProfileNames: [],
      permissionSetNames: [],
      hasSaml: false,
      hasCanvas: false,
      hasMobile: false,
      hasPlugin: false,
      consumerKeyPresent: true,
      consumerSecretPresent: false,
      invalid: [],
    });
    expect(p.flows).to.deep.equal({
      jwtCertificate: true,
      clientCredentials: { enabled: false, runAsUser: null },
      tokenExchange: false,
      codeCredential: false,
      namedUserJwt: false,
      deviceFlow: null,
    });
    expect(p.session).to.deep.equal({ timeoutMinutes: null, highAssurance: false, level: null, policyAction: null });
    expect(p.defaulted).to.deep.equal(['sessionTimeout', 'highAssurance', 'sessionPolicyAction']);
    expect(p.lines).to.deep.include({
      contactEmail: 3,
      label: 4,
      hasOauth: 5,
      callbackUrls: 6,
      jwtCertificate: 7,
      consumerKeyPresent: 8,
      permittedUsers: 9,
      clientCredentials: 10,
      codeCredential: 11,
      consumerSecretOptional: 13,
      introspectAllTokens: 14,
      namedUserJwt: 15,
      pkceRequired: 16,
      refreshTokenRotation: 17,
      secretRequiredForRefreshToken: 18,
      secretRequiredForTokenExchange: 19,
      tokenExchange: 20,
      scopes: 21,
      ipRelaxation: 26,
      refreshTokenPolicy: 28,
      profileNames: 30,
    });
  });

  it('a SAML-only app (Help Desk SSO): no OAuth, every OAuth field defaulted', () => {
    const p = load('Help_Desk_SSO.connectedApp-meta.xml', 'Help_Desk_SSO');
    expect(p).to.deep.include({
      label: 'Help Desk SSO',
      contactEmail: 'helpdesk@quarry.example.io',
      description: 'Help desk single sign-on',
      hasOauth: false,
      hasSaml: true,
      hasCanvas: false,
      hasMobile: false,
      callbackUrls: [],
      scopes: [],
      permittedUsers: 'all-self-authorize',
      ipRelaxation: 'ENFORCE',
      refreshTokenPolicy: { kind: 'infinite' },
      profileNames: [],
      consumerKeyPresent: false,
      consumerSecretPresent: false,
    });
    expect(p.defaulted).to.deep.equal(OAUTH_DEFAULTED);
    expect(p.lines).to.deep.include({ contactEmail: 3, label: 5, hasSaml: 6 });
  });

  it('an admin-approved canvas app with 13 profiles (Quote Builder): one permission set, non-ASCII names', () => {
    const p = load('Quote_Builder.connectedApp-meta.xml', 'Quote_Builder');
    expect(p.permittedUsers).to.equal('admin-approved');
    expect(p.profileNames).to.have.length(13);
    expect(p.profileNames.slice(0, 3)).to.deep.equal(['Sales Rep', 'Sales Manager', 'Sales Operations']);
    expect(p.profileNames).to.include('Deal Desk (Insider)');
    expect(p.profileNames.at(-1)).to.equal('Administrateur système');
    expect(p.duplicateProfileNames).to.deep.equal([]);
    expect(p.permissionSetNames).to.deep.equal(['Quote Builder Users']);
    expect(p).to.deep.include({
      hasCanvas: true,
      hasSaml: false,
      introspectAllTokens: false,
      secretRequiredForRefreshToken: true,
      pkceRequired: false,
      scopes: ['Full', 'RefreshToken'],
      ipRelaxation: 'ENFORCE',
      refreshTokenPolicy: { kind: 'infinite' },
      callbackUrls: ['https://quotes.example.com/oauth/salesforce/return'],
    });
    expect(p.flows.jwtCertificate).to.be.false;
    expect(p.lines).to.deep.include({ hasCanvas: 3, permittedUsers: 24, introspectAllTokens: 29, ipRelaxation: 40, permissionSetNames: 44, profileNames: 45 });
    expect(p.defaulted).to.deep.equal(['sessionTimeout', 'highAssurance', 'sessionPolicyAction']);
  });

  it('a legacy file without oauthPolicy (idTokenConfig): everything but scopes defaulted', () => {
    const p = load('Legacy_Id_Token.connectedApp-meta.xml', 'Legacy_Id_Token');
    expect(p).to.deep.include({
      label: 'Legacy Id Token',
      hasOauth: true,
      callbackUrls: ['https://sso.harbor.example.org/return'],
      scopes: ['Basic', 'Web', 'OpenID'],
      permittedUsers: 'all-self-authorize',
      ipRelaxation: 'ENFORCE',
      refreshTokenPolicy: { kind: 'infinite' },
      consumerKeyPresent: true,
      profileNames: [],
    });
    expect(p.defaulted).to.deep.equal(OAUTH_DEFAULTED);
    expect(p.lines).to.deep.equal({ contactEmail: 3, label: 4, hasOauth: 5, callbackUrls: 6, scopes: 14, consumerKeyPresent: 7 });
  });

  it('an app listing the same profile twice, admin-approved without oauthPolicy (Deploy Bot)', () => {
    const p = load('Deploy_Bot.connectedApp-meta.xml', 'Deploy_Bot');
    expect(p.profileNames).to.deep.equal(['System Administrator', 'Release Manager', 'System Administrator']);
    expect(p.duplicateProfileNames).to.deep.equal(['System Administrator']);
    expect(p.permittedUsers).to.equal('admin-approved');
    expect(isDefaulted(p, 'permittedUsers')).to.be.false;
    expect(isDefaulted(p, 'ipRelaxation')).to.be.true;
    expect(isDefaulted(p, 'refreshTokenPolicy')).to.be.true;
  });

  it('a multi-line callback URL with a wildcard, and client credentials with a run-as user (Warehouse Sync)', () => {
    const p = load('Warehouse_Sync.connectedApp-meta.xml', 'Warehouse_Sync');
    expect(p.callbackUrls).to.deep.equal(['https://etl.northwind.example.com/oauth2/callback', 'https://*.etl.northwind.example.com']);
    expect(p.flows.clientCredentials).to.deep.equal({ enabled: true, runAsUser: 'etl.runner@northwind.example.com' });
    expect(p.description).to.equal(null);
  });

  it('comments and a CDATA section (Nightly Jobs): read through, CDATA as text', () => {
    const p = load('Nightly_Jobs.connectedApp-meta.xml', 'Nightly_Jobs');
    expect(p).to.deep.include({ description: 'Nightly <batch> jobs & reports', scopes: ['Api', 'RefreshToken'], profileNames: ['Integration User'], invalid: [] });
    expect(p.refreshTokenPolicy).to.deep.equal({ kind: 'specific_lifetime', value: 90, unit: 'DAYS' });
    expect(p.lines).to.deep.include({ contactEmail: 4, label: 6, permittedUsers: 10, scopes: 12 });
  });
}, ['fixtures']);
