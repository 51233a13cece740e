import { expect } from 'chai';
import {
  ECA_DEFAULTS,
  ECA_METADATA_PATHS,
  ecaAppName,
  ecaHeaderNameFromFileName,
  ecaPartFromFileName,
  ecaPartOf,
  groupEcaFiles,
  readExternalClientAppPolicy,
  type EcaFiles,
} from '../../../src/domain/policy/eca.js';
import { POLICY_FIELDS, type AppPolicy } from '../../../src/domain/policy/policy.js';
import { parseXml } from '../../../src/domain/xml.js';
import { forEachDataSet, type SetName } from '../../data-sets.js';
import { readXml } from './xml-files.js';

const NS = 'xmlns="http://soap.sforce.com/2006/04/metadata"';
const root = (xml: string): ReturnType<typeof parseXml>['root'] => parseXml(xml).root;

describe('External Client App reader', () => {
  it('identifies parts by root element, records xsi:type and file name', () => {
    expect(ecaPartOf(root(`<ExtlClntAppOauthConfigurablePolicies ${NS}/>`))).to.equal('ecaOauthPlcy');
    expect(ecaPartOf(root('<records xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="ExtlClntAppGlobalOauthSettings"/>'))).to.equal(
      'ecaGlblOauth'
    );
    expect(ecaPartOf(root(`<ConnectedApp ${NS}/>`))).to.equal(undefined);
    expect(ecaPartFromFileName('x/extlClntAppOauthPolicies/App_oauthPlcy.ecaOauthPlcy-meta.xml')).to.equal('ecaOauthPlcy');
    expect(ecaPartFromFileName('App.eca-meta.xml')).to.equal('eca');
    expect(ecaPartFromFileName('App_glbl.ecaGlblOauth')).to.equal('ecaGlblOauth');
    expect(ecaPartFromFileName('App.ecaOauthSecurity-meta.xml')).to.equal('ecaOauthSecurity');
    expect(ecaPartFromFileName('App.connectedApp-meta.xml')).to.equal(undefined);
  });

  it('names a header by its file name only when its content names no app', () => {
    expect(ecaHeaderNameFromFileName('force-app/main/default/externalClientApps/Order_Bridge.eca-meta.xml')).to.equal('Order_Bridge');
    expect(ecaHeaderNameFromFileName('Order_Bridge.eca')).to.equal('Order_Bridge');
    expect(ecaHeaderNameFromFileName('Order_Bridge_oauthPlcy.ecaOauthPlcy-meta.xml')).to.equal(null);
    const header = root(`<ExternalClientApplication ${NS}><label>Bridge</label></ExternalClientApplication>`);
    const policies = root(`<ExtlClntAppOauthConfigurablePolicies ${NS}><externalClientApplication>Order_Bridge</externalClientApplication></ExtlClntAppOauthConfigurablePolicies>`);
    expect(groupEcaFiles([header, policies]).map((g) => [g.name, Object.keys(g.files)])).to.deep.equal([['Order_Bridge', ['ecaOauthPlcy']]]);
    expect(groupEcaFiles([header, policies], (r) => (r === header ? 'Order_Bridge' : null)).map((g) => [g.name, Object.keys(g.files).sort()])).to.deep.equal([
      ['Order_Bridge', ['eca', 'ecaOauthPlcy']],
    ]);
  });

  it("has a flow on only when both the developer's global settings and the admin's policies that say anything have it on", () => {
    const flows = (policy: string | null, global: string | null): [boolean, boolean] => {
      const files: EcaFiles = {};
      if (policy !== null) {
        files.ecaOauthPlcy = root(
          `<ExtlClntAppOauthConfigurablePolicies ${NS}><externalClientApplication>A</externalClientApplication><isClientCredentialsFlowEnabled>${policy}</isClientCredentialsFlowEnabled><isTokenExchangeFlowEnabled>${policy}</isTokenExchangeFlowEnabled></ExtlClntAppOauthConfigurablePolicies>`
        );
      }
      if (global !== null) {
        files.ecaGlblOauth = root(
          `<ExtlClntAppGlobalOauthSettings ${NS}><externalClientApplication>A</externalClientApplication><isClientCredentialsFlowEnabled>${global}</isClientCredentialsFlowEnabled><isTokenExchangeEnabled>${global}</isTokenExchangeEnabled></ExtlClntAppGlobalOauthSettings>`
        );
      }
      const p = readExternalClientAppPolicy(files);
      return [p.flows.clientCredentials.enabled, p.flows.tokenExchange];
    };
    expect(flows('false', 'true'), 'the admin turned it off').to.deep.equal([false, false]);
    expect(flows('true', 'false'), 'the developer never turned it on').to.deep.equal([false, false]);
    expect(flows('true', 'true')).to.deep.equal([true, true]);
    expect(flows('true', null), 'global settings not read: the policy decides').to.deep.equal([true, true]);
    expect(flows(null, 'true')).to.deep.equal([true, true]);
    const cited = readExternalClientAppPolicy({
      ecaOauthPlcy: root(`<ExtlClntAppOauthConfigurablePolicies ${NS}><isClientCredentialsFlowEnabled>false</isClientCredentialsFlowEnabled></ExtlClntAppOauthConfigurablePolicies>`),
      ecaGlblOauth: root(`<ExtlClntAppGlobalOauthSettings ${NS}><isClientCredentialsFlowEnabled>true</isClientCredentialsFlowEnabled></ExtlClntAppGlobalOauthSettings>`),
    });
    expect(cited.lineParts.clientCredentials, 'the element that decided is the one cited').to.equal('ecaOauthPlcy');
  });

  it('names the app from externalClientApplication, fullName or orgScopedExternalApp', () => {
    expect(ecaAppName(root(`<ExtlClntAppOauthSettings ${NS}><externalClientApplication>My_App</externalClientApplication></ExtlClntAppOauthSettings>`))).to.equal(
      'My_App'
    );
    expect(ecaAppName(root(`<ExternalClientApplication ${NS}><orgScopedExternalApp>00D000000000001:My_App</orgScopedExternalApp></ExternalClientApplication>`))).to.equal(
      'My_App'
    );
    expect(ecaAppName(root(`<ExternalClientApplication ${NS}><fullName>ns__X</fullName></ExternalClientApplication>`))).to.equal('ns__X');
    expect(ecaAppName(root(`<ExternalClientApplication ${NS}><label>x</label></ExternalClientApplication>`))).to.equal(null);
  });

  it('reads an admin-approved ECA with profiles, permission sets, IP ranges and a high-assurance session', () => {
    const files: EcaFiles = {
      eca: root(`<ExternalClientApplication ${NS}><contactEmail>a@b.c</contactEmail><description>d</description><label>App</label></ExternalClientApplication>`),
      ecaOauth: root(
        `<ExtlClntAppOauthSettings ${NS}><commaSeparatedOauthScopes>Api, refresh_token, MCP</commaSeparatedOauthScopes><externalClientApplication>App</externalClientApplication>` +
          '<trustedIpRanges><description>vpn</description><endIpAddress>10.0.0.9</endIpAddress><startIpAddress>10.0.0.1</startIpAddress></trustedIpRanges></ExtlClntAppOauthSettings>'
      ),
      ecaGlblOauth: root(
        `<ExtlClntAppGlobalOauthSettings ${NS}><callbackUrl>https://a\nhttps://b</callbackUrl><certificate>MIIBODY</certificate><consumerKey>K</consumerKey><consumerSecret>S3CR3T</consumerSecret>` +
          '<externalClientApplication>App</externalClientApplication><isDeviceFlowEnabled>true</isDeviceFlowEnabled><isRefreshTokenRotationEnabled>true</isRefreshTokenRotationEnabled></ExtlClntAppGlobalOauthSettings>'
      ),
      ecaOauthPlcy: root(
        `<ExtlClntAppOauthConfigurablePolicies ${NS}><apexHandler>Handler</apexHandler><commaSeparatedPermissionSet>0PS000000000001, 0PS000000000002</commaSeparatedPermissionSet>` +
          '<commaSeparatedProfile>System Administrator,Integration,System Administrator</commaSeparatedProfile><externalClientApplication>App</externalClientApplication>' +
          '<ipRelaxationPolicyType>Enforce_RelaxRefresh</ipRelaxationPolicyType><permittedUsersPolicyType>AdminApprovedPreAuthorized</permittedUsersPolicyType>' +
          '<policyAction>RaiseSessionLevel</policyAction><refreshTokenPolicyType>SpecificInactivity</refreshTokenPolicyType><refreshTokenValidityPeriod>30</refreshTokenValidityPeriod>' +
          '<refreshTokenValidityUnit>Days</refreshTokenValidityUnit><requiredSessionLevel>HIGH_ASSURANCE</requiredSessionLevel><sessionTimeoutInMinutes>60</sessionTimeoutInMinutes>' +
          '</ExtlClntAppOauthConfigurablePolicies>'
      ),
      ecaPlcy: root(
        `<ExtlClntAppConfigurablePolicies ${NS}><externalClientApplication>App</externalClientApplication><isEnabled>true</isEnabled><isOauthPluginEnabled>true</isOauthPluginEnabled>` +
          '<isSamlPluginEnabled>true</isSamlPluginEnabled><isMobilePluginEnabled>false</isMobilePluginEnabled></ExtlClntAppConfigurablePolicies>'
      ),
    };
    const p = readExternalClientAppPolicy(files);
    expect(p).to.deep.include({
      kind: 'external-client-app',
      fullName: 'App',
      label: 'App',
      description: 'd',
      hasOauth: true,
      callbackUrls: ['https://a', 'https://b'],
      scopes: ['Api', 'RefreshToken', 'MCP'],
      permittedUsers: 'admin-approved',
      ipRelaxation: 'ENFORCE_RELAXREFRESH',
      refreshTokenPolicy: { kind: 'specific_inactivity', value: 30, unit: 'DAYS' },
      session: { timeoutMinutes: 60, highAssurance: true, level: 'HIGH_ASSURANCE', policyAction: 'RaiseSessionLevel' },
      pkceRequired: true,
      refreshTokenRotation: true,
      ipRanges: [{ start: '10.0.0.1', end: '10.0.0.9', description: 'vpn' }],
      profileNames: ['System Administrator', 'Integration', 'System Administrator'],
      duplicateProfileNames: ['System Administrator'],
      permissionSetNames: ['0PS000000000001', '0PS000000000002'],
      hasSaml: true,
      hasMobile: false,
      hasCanvas: false,
      hasPlugin: true,
      consumerKeyPresent: true,
      consumerSecretPresent: true,
    });
    expect(p.flows.jwtCertificate).to.be.true;
    expect(p.flows.deviceFlow).to.be.true;
    expect(p.defaulted).to.include('pkceRequired');
    expect(JSON.stringify(p)).to.not.contain('S3CR3T');
    expect(JSON.stringify(p)).to.not.contain('MIIBODY');
  });

  it('defaults PKCE to required for ECAs, and takes no OAuth from a disabled plugin', () => {
    expect(ECA_DEFAULTS.pkceRequired).to.be.true;
    const only = readExternalClientAppPolicy({ eca: root(`<ExternalClientApplication ${NS}><label>X</label></ExternalClientApplication>`) }, { fullName: 'X' });
    expect(only.hasOauth).to.be.false;
    expect(only.pkceRequired).to.be.true;
    expect(only.fullName).to.equal('X');
    const disabled = readExternalClientAppPolicy({
      ecaGlblOauth: root(`<ExtlClntAppGlobalOauthSettings ${NS}><externalClientApplication>X</externalClientApplication></ExtlClntAppGlobalOauthSettings>`),
      ecaPlcy: root(`<ExtlClntAppConfigurablePolicies ${NS}><externalClientApplication>X</externalClientApplication><isEnabled>false</isEnabled></ExtlClntAppConfigurablePolicies>`),
    });
    expect(disabled.hasOauth).to.be.false;
    expect(disabled.fullName).to.equal('X');
  });

  it('reports unreadable ECA values instead of throwing', () => {
    const p = readExternalClientAppPolicy({
      ecaOauthPlcy: root(
        `<ExtlClntAppOauthConfigurablePolicies ${NS}><externalClientApplication>X</externalClientApplication><ipRelaxationPolicyType>Enforce_Activated_Users</ipRelaxationPolicyType>` +
          '<permittedUsersPolicyType>Everyone</permittedUsersPolicyType><refreshTokenPolicyType>SpecificLifetime</refreshTokenPolicyType></ExtlClntAppOauthConfigurablePolicies>'
      ),
    });
    expect(p.ipRelaxation).to.equal('ENFORCE');
    expect(p.permittedUsers).to.equal('all-self-authorize');
    expect(p.refreshTokenPolicy).to.deep.equal({ kind: 'infinite' });
    expect(p.invalid.map((i) => [i.field, i.code, i.reason])).to.deep.equal([
      ['permittedUsers', 'InvalidPermittedUsers', 'unknown-value'],
      ['ipRelaxation', 'InvalidIpRelaxation', 'undocumented-value'],
      ['refreshTokenPolicy', 'InvalidEcaRefreshTokenPolicy', 'missing-parts'],
    ]);
    expect(p.defaulted).to.include.members(['permittedUsers', 'ipRelaxation', 'refreshTokenPolicy']);
  });

  it('has a metadata path for every field', () => {
    for (const field of POLICY_FIELDS) expect(ECA_METADATA_PATHS[field], field).to.match(/^eca[A-Za-z]*\.[A-Za-z]+$/);
  });
});

type EcaPins = {
  files: number;
  /** App names, sorted; the app with all six files, the one with its policies file only, the one with the app file alone. */
  apps: string[];
  allSix: string;
  withPolicies: string;
  alone: string;
  /** The apps with OAuth policies, tallied. */
  ipRelaxation: Record<string, number>;
  refreshTokenPolicies: Record<string, number>;
  /** Client credentials with a run-as user, a long scope list (28, the last one unknown to the canonical order). */
  clientCredentials: { name: string; include: Partial<AppPolicy>; runAs: string };
  /** A public client: PKCE, secret optional, two scopes. */
  publicClient: string;
  /** Code credential flow, never-expiring tokens, BYPASS, client credentials. */
  codeCredential: { name: string; label: string; runAs: string };
};

const ECA_PINS: Record<SetName, EcaPins> = {
  corpus: {
    files: 19,
    apps: ['Copilot_Studio_Portfolio_Analysis', 'DevOps_Center', 'Hamilton_Workato_Integrations', 'Kraken_DevOps', 'MuleSoftIntegrationConnApp'],
    allSix: 'Copilot_Studio_Portfolio_Analysis',
    withPolicies: 'DevOps_Center',
    alone: 'Hamilton_Workato_Integrations',
    ipRelaxation: { BYPASS: 2, ENFORCE: 1 },
    refreshTokenPolicies: { [JSON.stringify({ kind: 'specific_lifetime', value: 365, unit: 'DAYS' })]: 2, [JSON.stringify({ kind: 'infinite' })]: 1 },
    clientCredentials: {
      name: 'MuleSoftIntegrationConnApp',
      include: { label: 'MuleSoftIntegrationConnApp', contactEmail: 'venkata@nwbiofuel.com', callbackUrls: ['http://localhost:8082/callback'] },
      runAs: 'mulesoft.integrationuser@nwbiofuel.com',
    },
    publicClient: 'Kraken_DevOps',
    codeCredential: { name: 'Copilot_Studio_Portfolio_Analysis', label: 'Copilot Studio Portfolio Analysis', runAs: 'vignesh.prabhudoss@intapp.com.uat' },
  },
  fixtures: {
    files: 19,
    apps: ['Analytics_Agent', 'Order_Bridge', 'Pocket_Client', 'Release_Hub', 'Reporting_Feed'],
    allSix: 'Analytics_Agent',
    withPolicies: 'Release_Hub',
    alone: 'Reporting_Feed',
    ipRelaxation: { BYPASS: 2, ENFORCE: 1 },
    refreshTokenPolicies: { [JSON.stringify({ kind: 'specific_lifetime', value: 365, unit: 'DAYS' })]: 2, [JSON.stringify({ kind: 'infinite' })]: 1 },
    clientCredentials: {
      name: 'Order_Bridge',
      include: { label: 'Order_Bridge', contactEmail: 'integration@tidewater.example.com', callbackUrls: ['http://localhost:8082/callback'] },
      runAs: 'bridge.user@tidewater.example.com',
    },
    publicClient: 'Pocket_Client',
    codeCredential: { name: 'Analytics_Agent', label: 'Analytics Agent', runAs: 'agent.runner@northwind.example.com' },
  },
};

forEachDataSet('External Client App reader: sample files', (set) => {
  const pins = ECA_PINS[set.name];
  const files = set.files('eca');
  const load = (): Map<string, { files: EcaFiles; policy: AppPolicy }> => {
    const groups = groupEcaFiles(files.map((f) => readXml(set, 'eca', f)));
    return new Map(groups.map((g) => [g.name, { files: g.files, policy: readExternalClientAppPolicy(g.files) }]));
  };

  it(`groups the ${pins.files} files into ${pins.apps.length} apps`, () => {
    expect(files).to.have.length(pins.files);
    const apps = load();
    expect([...apps.keys()]).to.deep.equal(pins.apps);
    expect(Object.keys(apps.get(pins.allSix)!.files).sort()).to.deep.equal(['eca', 'ecaGlblOauth', 'ecaOauth', 'ecaOauthPlcy', 'ecaOauthSecurity', 'ecaPlcy'].sort());
    expect(Object.keys(apps.get(pins.withPolicies)!.files).sort()).to.deep.equal(['eca', 'ecaPlcy']);
    expect(Object.keys(apps.get(pins.alone)!.files)).to.deep.equal(['eca']);
  });

  it('tallies the three apps with OAuth policies', () => {
    const withPolicy = [...load().values()].filter((a) => a.files.ecaOauthPlcy).map((a) => a.policy);
    expect(withPolicy).to.have.length(3);
    const count = (values: string[]): Record<string, number> => values.reduce<Record<string, number>>((m, v) => ({ ...m, [v]: (m[v] ?? 0) + 1 }), {});
    expect(count(withPolicy.map((p) => p.ipRelaxation))).to.deep.equal(pins.ipRelaxation);
    expect(count(withPolicy.map((p) => JSON.stringify(p.refreshTokenPolicy)))).to.deep.equal(pins.refreshTokenPolicies);
    expect(count(withPolicy.map((p) => p.permittedUsers))).to.deep.equal({ 'all-self-authorize': 3 });
    expect(withPolicy.filter((p) => p.flows.clientCredentials.runAsUser !== null)).to.have.length(2);
    for (const p of withPolicy) {
      expect(p.session).to.deep.equal({ timeoutMinutes: null, highAssurance: false, level: 'STANDARD', policyAction: null });
      expect(p.invalid).to.deep.equal([]);
      expect(p.hasOauth).to.be.true;
      for (const field of ['permittedUsers', 'ipRelaxation', 'refreshTokenPolicy', 'pkceRequired', 'highAssurance'] as const) {
        expect(p.defaulted, field).to.not.include(field);
      }
    }
  });

  it('pins the client-credentials app with 28 scopes', () => {
    const { name, include, runAs } = pins.clientCredentials;
    const p = load().get(name)!.policy;
    expect(p).to.deep.include({
      fullName: name,
      ...include,
      ipRelaxation: 'BYPASS',
      refreshTokenPolicy: { kind: 'specific_lifetime', value: 365, unit: 'DAYS' },
      pkceRequired: false,
      secretRequiredForRefreshToken: true,
      secretRequiredForTokenExchange: true,
      consumerSecretOptional: false,
      consumerKeyPresent: true,
      consumerSecretPresent: false,
    });
    expect(p.flows).to.deep.equal({
      jwtCertificate: false,
      clientCredentials: { enabled: true, runAsUser: runAs },
      tokenExchange: false,
      codeCredential: false,
      namedUserJwt: false,
      deviceFlow: false,
    });
    expect(p.scopes).to.have.length(28);
    expect(p.scopes.slice(0, 4)).to.deep.equal(['Basic', 'Api', 'Web', 'Full']);
    expect(p.scopes.at(-1)).to.equal('SFApiPlatform');
    expect(p.lines.ipRelaxation).to.equal(5);
    expect(p.lineParts.ipRelaxation).to.equal('ecaOauthPlcy');
    expect(p.lines.pkceRequired).to.equal(13);
    expect(p.lineParts.pkceRequired).to.equal('ecaGlblOauth');
    expect(p.lineParts.scopes).to.equal('ecaOauth');
    expect(p.lineParts.label).to.equal('eca');
    expect(p.defaulted).to.deep.equal(['sessionTimeout', 'sessionPolicyAction']);
  });

  it('pins the public client (PKCE, secret optional) and the code-credential app (infinite)', () => {
    const apps = load();
    const publicClient = apps.get(pins.publicClient)!.policy;
    expect(publicClient).to.deep.include({ ipRelaxation: 'ENFORCE', pkceRequired: true, consumerSecretOptional: true, scopes: ['Api', 'RefreshToken'] });
    expect(publicClient.flows.clientCredentials).to.deep.equal({ enabled: false, runAsUser: null });
    const code = apps.get(pins.codeCredential.name)!.policy;
    expect(code).to.deep.include({ ipRelaxation: 'BYPASS', refreshTokenPolicy: { kind: 'infinite' }, label: pins.codeCredential.label });
    expect(code.flows.codeCredential).to.be.true;
    expect(code.flows.clientCredentials).to.deep.equal({ enabled: true, runAsUser: pins.codeCredential.runAs });
  });

  it('reads apps without OAuth files as OAuth-less, with defaults flagged', () => {
    const apps = load();
    for (const name of [pins.withPolicies, pins.alone]) {
      const p = apps.get(name)!.policy;
      expect(p.hasOauth, name).to.be.false;
      expect(p.defaulted).to.include.members(['permittedUsers', 'ipRelaxation', 'refreshTokenPolicy', 'pkceRequired']);
    }
    expect(apps.get(pins.withPolicies)!.policy.lines.hasOauth).to.equal(5);
    expect(apps.get(pins.withPolicies)!.policy.lineParts.hasOauth).to.equal('ecaPlcy');
  });
});
