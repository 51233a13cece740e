/*
 * External Client Apps read into the same `AppPolicy` as connected apps. An ECA's policy is spread over
 * several metadata types, one file each (reference §7, corpus FINDINGS):
 *
 *   part               root element                             file suffix / folder
 *   eca                ExternalClientApplication                .eca              externalClientApps
 *   ecaOauth           ExtlClntAppOauthSettings                 .ecaOauth         extlClntAppOauthSettings
 *   ecaGlblOauth       ExtlClntAppGlobalOauthSettings           .ecaGlblOauth     extlClntAppGlobalOauthSets
 *   ecaOauthPlcy       ExtlClntAppOauthConfigurablePolicies     .ecaOauthPlcy     extlClntAppOauthPolicies
 *   ecaPlcy            ExtlClntAppConfigurablePolicies          .ecaPlcy          extlClntAppPolicies
 *   ecaOauthSecurity   ExtlClntAppOauthSecuritySettings         .ecaOauthSecurity extlClntAppOauthSecuritySettings
 *
 * Any subset may be present (the global OAuth settings are often kept out of version control). Each
 * field's line is recorded together with the part it came from (`lineParts`).
 */
import { parseEcaIpRelaxation } from './ip-relaxation.js';
import {
  CONNECTED_APP_DEFAULTS,
  PolicyRecorder,
  allTrue,
  anyTrue,
  namesWithDuplicates,
  parseEcaPermittedUsers,
  parseXmlBoolean,
  present,
  presentAll,
  presentText,
  readSession,
  splitCallbackUrls,
  type AppPolicy,
  type EcaPart,
  type PolicyField,
  type ReadOptions,
} from './policy.js';
import { PolicyError } from './policy-error.js';
import { DEFAULT_REFRESH_TOKEN_POLICY, parseEcaRefreshToken, type RefreshTokenPolicy } from './refresh-token.js';
import { normaliseScopes, splitScopeList } from './scopes.js';
import { localName, textOf, type XmlElement } from '../xml.js';

export type { EcaPart } from './policy.js';

export const ECA_PARTS: readonly EcaPart[] = ['eca', 'ecaOauth', 'ecaGlblOauth', 'ecaOauthPlcy', 'ecaPlcy', 'ecaOauthSecurity'];

export const ECA_PART_ROOTS: Readonly<Record<EcaPart, string>> = {
  eca: 'ExternalClientApplication',
  ecaOauth: 'ExtlClntAppOauthSettings',
  ecaGlblOauth: 'ExtlClntAppGlobalOauthSettings',
  ecaOauthPlcy: 'ExtlClntAppOauthConfigurablePolicies',
  ecaPlcy: 'ExtlClntAppConfigurablePolicies',
  ecaOauthSecurity: 'ExtlClntAppOauthSecuritySettings',
};

/** The parsed roots of whichever files exist for one app. */
export type EcaFiles = Partial<Record<EcaPart, XmlElement>>;

/** Where each field lives in an ECA (`<part>.<element>`). */
export const ECA_METADATA_PATHS: Readonly<Record<PolicyField, string>> = {
  fullName: 'eca.fullName',
  label: 'eca.label',
  contactEmail: 'eca.contactEmail',
  description: 'eca.description',
  hasOauth: 'ecaPlcy.isOauthPluginEnabled',
  callbackUrls: 'ecaGlblOauth.callbackUrl',
  scopes: 'ecaOauth.commaSeparatedOauthScopes',
  jwtCertificate: 'ecaGlblOauth.certificate',
  clientCredentials: 'ecaOauthPlcy.isClientCredentialsFlowEnabled',
  clientCredentialsUser: 'ecaOauthPlcy.clientCredentialsFlowUser',
  tokenExchange: 'ecaOauthPlcy.isTokenExchangeFlowEnabled',
  codeCredential: 'ecaGlblOauth.isCodeCredFlowEnabled',
  namedUserJwt: 'ecaGlblOauth.isNamedUserJwtEnabled',
  deviceFlow: 'ecaGlblOauth.isDeviceFlowEnabled',
  permittedUsers: 'ecaOauthPlcy.permittedUsersPolicyType',
  ipRelaxation: 'ecaOauthPlcy.ipRelaxationPolicyType',
  refreshTokenPolicy: 'ecaOauthPlcy.refreshTokenPolicyType',
  sessionTimeout: 'ecaOauthPlcy.sessionTimeoutInMinutes',
  highAssurance: 'ecaOauthPlcy.requiredSessionLevel',
  sessionPolicyAction: 'ecaOauthPlcy.policyAction',
  pkceRequired: 'ecaGlblOauth.isPkceRequired',
  refreshTokenRotation: 'ecaGlblOauth.isRefreshTokenRotationEnabled',
  consumerSecretOptional: 'ecaGlblOauth.isConsumerSecretOptional',
  secretRequiredForRefreshToken: 'ecaGlblOauth.isSecretRequiredForRefreshToken',
  secretRequiredForTokenExchange: 'ecaGlblOauth.isSecretRequiredForTokenExchange',
  introspectAllTokens: 'ecaGlblOauth.isIntrospectAllTokens',
  ipRanges: 'ecaOauth.trustedIpRanges',
  profileNames: 'ecaOauthPlcy.commaSeparatedProfile',
  permissionSetNames: 'ecaOauthPlcy.commaSeparatedPermissionSet',
  hasSaml: 'ecaPlcy.isSamlPluginEnabled',
  hasCanvas: 'ecaPlcy.isCanvasPluginEnabled',
  hasMobile: 'ecaPlcy.isMobilePluginEnabled',
  hasPlugin: 'ecaOauthPlcy.apexHandler',
  consumerKeyPresent: 'ecaGlblOauth.consumerKey',
  consumerSecretPresent: 'ecaGlblOauth.consumerSecret',
};

/** The credentials an ECA's global OAuth settings ask to rotate on their next deployment. */
export type RotatedCredential = 'consumerKey' | 'consumerSecret';

/**
 * The credentials `shouldRotateConsumerKey` / `shouldRotateConsumerSecret` are true for in an ECA's global OAuth
 * settings (ExtlClntAppGlobalOauthSettings): deploying the file asks the org to rotate them (the field names say so;
 * the guide gives no more). Empty when absent or false.
 */
export function requestedRotations(glbl: XmlElement | undefined): RotatedCredential[] {
  const on = (name: string): boolean => (presentText(present(glbl, name)) ?? '').trim().toLowerCase() === 'true';
  return (['consumerKey', 'consumerSecret'] as const).filter((c) => on(`shouldRotate${c[0].toUpperCase()}${c.slice(1)}`));
}

/** ECA defaults: as for connected apps, except PKCE, which the ECA docs default to required. */
export const ECA_DEFAULTS = { ...CONNECTED_APP_DEFAULTS, pkceRequired: true, deviceFlow: false } as const;

/** Which part a parsed root is: by root element name, or by `xsi:type` on a readMetadata `<records>`. */
export function ecaPartOf(root: XmlElement): EcaPart | undefined {
  let name = localName(root.name);
  if (name === 'records') {
    const type = root.attributes.find(([k]) => localName(k) === 'type')?.[1];
    if (type === undefined) return undefined;
    name = localName(type);
  }
  return ECA_PARTS.find((p) => ECA_PART_ROOTS[p] === name);
}

/** Which part a file is, by suffix (`X.ecaOauthPlcy-meta.xml`, `X.ecaOauthPlcy`). */
export function ecaPartFromFileName(fileName: string): EcaPart | undefined {
  const match = /\.(eca[A-Za-z]*?)(?:-meta\.xml)?$/.exec(fileName);
  return match ? ECA_PARTS.find((p) => p === match[1]) : undefined;
}

/**
 * The app a part belongs to: `externalClientApplication` in the settings/policy parts; for the
 * ExternalClientApplication itself its `fullName` (readMetadata) or the name in `orgScopedExternalApp`
 * (`<OrgId>:<Name>`). Null when none is present (then only the file name can tell).
 */
export function ecaAppName(root: XmlElement): string | null {
  const part = ecaPartOf(root);
  if (part === undefined) return null;
  if (part !== 'eca') return presentText(present(root, 'externalClientApplication'));
  const fullName = presentText(present(root, 'fullName'));
  if (fullName !== null) return fullName;
  const scoped = presentText(present(root, 'orgScopedExternalApp'));
  if (scoped === null) return null;
  const colon = scoped.indexOf(':');
  return colon < 0 ? scoped : scoped.slice(colon + 1);
}

/**
 * The app name of a header file (`<App>.eca-meta.xml`), for a header that names no app in its content: a header
 * written by hand or by `migrate` has no `orgScopedExternalApp` (it holds the org Id). Null for any other file.
 */
export function ecaHeaderNameFromFileName(fileName: string): string | null {
  const base = fileName.split(/[\\/]/).pop() ?? fileName;
  const match = /^(.+)\.eca(?:-meta\.xml)?$/.exec(base);
  return match ? decodeURIComponent(match[1]) : null;
}

/**
 * Groups parsed roots by app (roots that are not ECA parts, or carry no app name, are skipped). `nameOf` gives the
 * name of a root whose content names none (a header, by its file name).
 */
export function groupEcaFiles(roots: readonly XmlElement[], nameOf: (root: XmlElement) => string | null = () => null): Array<{ name: string; files: EcaFiles }> {
  const byName = new Map<string, EcaFiles>();
  for (const root of roots) {
    const part = ecaPartOf(root);
    const name = ecaAppName(root) ?? nameOf(root);
    if (part === undefined || name === null) continue;
    const files = byName.get(name) ?? {};
    files[part] ??= root;
    byName.set(name, files);
  }
  return [...byName.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([name, files]) => ({ name, files }));
}

/** Reads an External Client App from the parsed roots of its files. Never throws for content problems. */
export function readExternalClientAppPolicy(files: EcaFiles, options: ReadOptions = {}): AppPolicy {
  const r = new PolicyRecorder();
  const d = ECA_DEFAULTS;
  const { eca, ecaOauth: oauth, ecaGlblOauth: glbl, ecaOauthPlcy: plcy, ecaPlcy: pl } = files;

  const fullName =
    options.fullName ??
    r.text('fullName', present(eca, 'fullName'), 'eca') ??
    ECA_PARTS.map((p) => (files[p] ? ecaAppName(files[p]) : null)).find((n) => n !== null) ??
    null;

  const pluginsOn = readFlag(pl, 'isEnabled', true) && readFlag(pl, 'isOauthPluginEnabled', true);
  const oauthRoot = oauth ? { el: oauth, part: 'ecaOauth' as const } : glbl ? { el: glbl, part: 'ecaGlblOauth' as const } : plcy ? { el: plcy, part: 'ecaOauthPlcy' as const } : undefined;
  const hasOauth = pluginsOn && oauthRoot !== undefined;
  if (hasOauth) r.saw('hasOauth', present(pl, 'isOauthPluginEnabled') ?? oauthRoot.el, present(pl, 'isOauthPluginEnabled') ? 'ecaPlcy' : oauthRoot.part);
  else r.saw('hasOauth', present(pl, 'isOauthPluginEnabled') ?? present(pl, 'isEnabled'), 'ecaPlcy');

  const callbackEl = present(glbl, 'callbackUrl');
  r.saw('callbackUrls', callbackEl, 'ecaGlblOauth');
  const scopesEl = present(oauth, 'commaSeparatedOauthScopes');
  r.saw('scopes', scopesEl, 'ecaOauth');

  const runAsUser = r.text('clientCredentialsUser', present(plcy, 'clientCredentialsFlowUser'), 'ecaOauthPlcy');
  // A flow of an ECA is on only when the developer's settings and the admin's policies both have it on.
  const clientCredentials = allTrue(
    r,
    'clientCredentials',
    [
      { el: present(plcy, 'isClientCredentialsFlowEnabled'), part: 'ecaOauthPlcy' },
      { el: present(glbl, 'isClientCredentialsFlowEnabled'), part: 'ecaGlblOauth' },
    ],
    d.clientCredentials
  );
  const tokenExchange = allTrue(
    r,
    'tokenExchange',
    [
      { el: present(plcy, 'isTokenExchangeFlowEnabled'), part: 'ecaOauthPlcy' },
      { el: present(glbl, 'isTokenExchangeEnabled'), part: 'ecaGlblOauth' },
    ],
    d.tokenExchange
  );
  const codeCredential = anyTrue(
    r,
    'codeCredential',
    [
      { el: present(glbl, 'isCodeCredFlowEnabled'), part: 'ecaGlblOauth' },
      { el: present(glbl, 'isCodeCredentialEnabled'), part: 'ecaGlblOauth' },
    ],
    d.codeCredential
  );

  const refreshTokenPolicy = readEcaRefreshToken(r, plcy);
  const session = readSession(
    r,
    present(plcy, 'sessionTimeoutInMinutes'),
    present(plcy, 'requiredSessionLevel'),
    present(plcy, 'policyAction'),
    'ecaOauthPlcy'
  );

  const profilesEl = present(plcy, 'commaSeparatedProfile');
  const permissionSetsEl = present(plcy, 'commaSeparatedPermissionSet');
  const profiles = namesWithDuplicates(splitCommas(textOf(profilesEl)));
  const permissionSets = namesWithDuplicates(splitCommas(textOf(permissionSetsEl)));
  if (profiles.names.length > 0) r.saw('profileNames', profilesEl, 'ecaOauthPlcy');
  if (permissionSets.names.length > 0) r.saw('permissionSetNames', permissionSetsEl, 'ecaOauthPlcy');

  const ipRangeEls = presentAll(oauth, 'trustedIpRanges');
  r.saw('ipRanges', ipRangeEls[0], 'ecaOauth');

  const G = 'ecaGlblOauth';
  const P = 'ecaOauthPlcy';
  return {
    kind: 'external-client-app',
    fullName,
    label: r.text('label', present(eca, 'label'), 'eca'),
    contactEmail: r.text('contactEmail', present(eca, 'contactEmail'), 'eca'),
    description: r.text('description', present(eca, 'description'), 'eca'),
    hasOauth,
    callbackUrls: splitCallbackUrls(textOf(callbackEl)),
    scopes: normaliseScopes(splitScopeList(textOf(scopesEl))),
    flows: {
      jwtCertificate: r.has('jwtCertificate', nonBlank(present(glbl, 'certificate')), G),
      clientCredentials: { enabled: clientCredentials, runAsUser },
      tokenExchange,
      codeCredential,
      namedUserJwt: r.bool('namedUserJwt', present(glbl, 'isNamedUserJwtEnabled'), d.namedUserJwt, G),
      deviceFlow: r.bool('deviceFlow', present(glbl, 'isDeviceFlowEnabled'), d.deviceFlow, G),
    },
    permittedUsers: r.parsed('permittedUsers', present(plcy, 'permittedUsersPolicyType'), d.permittedUsers, P, parseEcaPermittedUsers),
    ipRelaxation: r.parsed('ipRelaxation', present(plcy, 'ipRelaxationPolicyType'), d.ipRelaxation, P, parseEcaIpRelaxation),
    refreshTokenPolicy,
    session,
    pkceRequired: r.bool('pkceRequired', present(glbl, 'isPkceRequired'), d.pkceRequired, G),
    refreshTokenRotation: r.bool('refreshTokenRotation', present(glbl, 'isRefreshTokenRotationEnabled'), d.refreshTokenRotation, G),
    consumerSecretOptional: r.bool('consumerSecretOptional', present(glbl, 'isConsumerSecretOptional'), d.consumerSecretOptional, G),
    secretRequiredForRefreshToken: r.bool(
      'secretRequiredForRefreshToken',
      present(glbl, 'isSecretRequiredForRefreshToken'),
      d.secretRequiredForRefreshToken,
      G
    ),
    secretRequiredForTokenExchange: r.bool(
      'secretRequiredForTokenExchange',
      present(glbl, 'isSecretRequiredForTokenExchange'),
      d.secretRequiredForTokenExchange,
      G
    ),
    introspectAllTokens: r.bool('introspectAllTokens', present(glbl, 'isIntrospectAllTokens'), d.introspectAllTokens, G),
    ipRanges: ipRangeEls.map((el) => ({
      start: presentText(present(el, 'startIpAddress')) ?? '',
      end: presentText(present(el, 'endIpAddress')) ?? '',
      description: presentText(present(el, 'description')),
    })),
    profileNames: profiles.names,
    duplicateProfileNames: profiles.duplicates,
    permissionSetNames: permissionSets.names,
    duplicatePermissionSetNames: permissionSets.duplicates,
    hasSaml: r.has('hasSaml', explicitlyTrue(present(pl, 'isSamlPluginEnabled')), 'ecaPlcy'),
    hasCanvas: r.has('hasCanvas', explicitlyTrue(present(pl, 'isCanvasPluginEnabled')), 'ecaPlcy'),
    hasMobile: r.has('hasMobile', explicitlyTrue(present(pl, 'isMobilePluginEnabled')), 'ecaPlcy'),
    hasPlugin: r.has('hasPlugin', nonBlank(present(plcy, 'apexHandler')), P),
    consumerKeyPresent: r.has('consumerKeyPresent', nonBlank(present(glbl, 'consumerKey')), G),
    consumerSecretPresent: r.has('consumerSecretPresent', nonBlank(present(glbl, 'consumerSecret')), G),
    ...r.evidence(),
  };
}

function readEcaRefreshToken(r: PolicyRecorder, plcy: XmlElement | undefined): RefreshTokenPolicy {
  const typeEl = present(plcy, 'refreshTokenPolicyType');
  const texts = {
    type: textOf(typeEl),
    period: textOf(present(plcy, 'refreshTokenValidityPeriod')),
    unit: textOf(present(plcy, 'refreshTokenValidityUnit')),
  };
  if (presentText(typeEl) === null) {
    r.defaulted('refreshTokenPolicy');
    return DEFAULT_REFRESH_TOKEN_POLICY;
  }
  try {
    const policy = parseEcaRefreshToken(texts);
    r.saw('refreshTokenPolicy', typeEl, 'ecaOauthPlcy');
    return policy;
  } catch (error) {
    if (!(error instanceof PolicyError)) throw error;
    r.invalid('refreshTokenPolicy', [texts.type, texts.period, texts.unit].map((t) => t ?? '').join(':'), error.code, error.reason ?? null);
    r.defaulted('refreshTokenPolicy');
    return DEFAULT_REFRESH_TOKEN_POLICY;
  }
}

function readFlag(parent: XmlElement | undefined, name: string, fallback: boolean): boolean {
  return parseXmlBoolean(textOf(present(parent, name)) ?? '') ?? fallback;
}

function explicitlyTrue(el: XmlElement | undefined): XmlElement | undefined {
  return el && parseXmlBoolean(textOf(el) ?? '') === true ? el : undefined;
}

function nonBlank(el: XmlElement | undefined): XmlElement | undefined {
  return presentText(el) === null ? undefined : el;
}

function splitCommas(text: string | undefined): string[] {
  return (text ?? '').split(',');
}
