/*
 * `migrate`: one ConnectedApp metadata file → the External Client App files that express the same settings,
 * with a report of every element the file holds: maps exactly, maps with a change of meaning, or has no ECA
 * equivalent (and what to do). Pure: the caller reads and writes the files.
 *
 * Grounded in reference §1 (ConnectedApp fields) and §7 (ECA types, enum spellings) and the v67 Metadata API
 * pages of the ECA types. Where a pairing of fields is not documented (the names and the descriptions match,
 * but no Salesforce page says "this is that"), the item is marked `inferred`.
 *
 * Never written: the consumer secret (nor the consumer key: a new ECA gets its own pair), and
 * ExtlClntAppGlobalOauthSettings unless asked for (it holds the callback URL and the OAuth flags, is not
 * packageable and is meant to stay out of version control, reference §7).
 */
import { parseIpRelaxation, toEcaIpRelaxation } from './ip-relaxation.js';
import { parseXmlBoolean, present, presentText, splitCallbackUrls, type EcaPart } from './policy.js';
import { PolicyError } from './policy-error.js';
import { parseRefreshTokenPolicy, toEcaRefreshToken } from './refresh-token.js';
import { metadataScope, normaliseScopes } from './scopes.js';
import { element, elements, localName, textElement, textOf, type XmlElement } from '../xml.js';

export const MIGRATION_STATUSES = ['exact', 'changed', 'none'] as const;
export type MigrationStatus = (typeof MIGRATION_STATUSES)[number];

/** Why an item is what it is; each code has a sentence in messages/connectedapp.migrate.md (`reason.<code>`). */
export type MigrationReason =
  | 'same-meaning'
  | 'enum-respelled'
  | 'documented-default'
  | 'pkce-default'
  | 'global-not-written'
  | 'scope-renamed'
  | 'permission-set-ids'
  | 'consumer-key'
  | 'consumer-secret'
  | 'saml'
  | 'canvas'
  | 'mobile'
  | 'plugin'
  | 'custom-attributes'
  | 'no-oauth'
  | 'invalid-value'
  | 'unknown-element';

export type MigrationItem = {
  /** Where the setting is in the ConnectedApp (dotted path below `<ConnectedApp>`). */
  source: string;
  /** Where it goes: `<part>.<element>` (several joined by ', '), or null when nothing expresses it. */
  target: string | null;
  status: MigrationStatus;
  /** The target was written to a file (false when there is none, or its part was not asked for). */
  written: boolean;
  /** The pairing of fields (or of values) is not documented; read from names, descriptions or real retrieves. */
  inferred: boolean;
  reason: MigrationReason;
  /** The ConnectedApp value when it says something useful (never a secret or a certificate body). */
  value: string | null;
};

export type EcaFileOut = { part: EcaPart; type: string; path: string; root: XmlElement };

export type EcaMigration = { name: string; files: EcaFileOut[]; items: MigrationItem[] };

export type MigrateOptions = {
  /** Write ExtlClntAppGlobalOauthSettings (callback URL, PKCE and the other OAuth flags). */
  globalOauthSettings?: boolean;
};

export type MigrationCounts = Record<MigrationStatus, number> & { inferred: number; notWritten: number };

// ---- Files ----------------------------------------------------------------------------------------

/** Folder, file-name suffix and extension per part, as Salesforce retrieves them (reference §7, corpus). */
export const ECA_FILE_LAYOUT: Readonly<Record<Exclude<EcaPart, 'ecaOauthSecurity'>, { type: string; folder: string; nameSuffix: string }>> = {
  eca: { type: 'ExternalClientApplication', folder: 'externalClientApps', nameSuffix: '' },
  ecaOauth: { type: 'ExtlClntAppOauthSettings', folder: 'extlClntAppOauthSettings', nameSuffix: '_oauth' },
  ecaGlblOauth: { type: 'ExtlClntAppGlobalOauthSettings', folder: 'extlClntAppGlobalOauthSets', nameSuffix: '_glbloauth' },
  ecaOauthPlcy: { type: 'ExtlClntAppOauthConfigurablePolicies', folder: 'extlClntAppOauthPolicies', nameSuffix: '_oauthPlcy' },
  ecaPlcy: { type: 'ExtlClntAppConfigurablePolicies', folder: 'extlClntAppPolicies', nameSuffix: '_plcy' },
};
type WrittenPart = keyof typeof ECA_FILE_LAYOUT;

/**
 * Element order per type: the WSDL 66.0 xsd:sequence (alphabetical for these types), restricted to what migrate
 * writes. A deploy refuses elements out of this order.
 */
const SEQUENCE: Readonly<Record<WrittenPart, readonly string[]>> = {
  eca: ['contactEmail', 'contactPhone', 'description', 'distributionState', 'iconUrl', 'infoUrl', 'label', 'logoUrl'],
  ecaOauth: [
    'areAttributesIncludedInAssetToken',
    'areCustomPermsIncludedInAssetToken',
    'assetTokenAudiences',
    'assetTokenSigningCertificate',
    'assetTokenValidity',
    'commaSeparatedOauthScopes',
    'externalClientApplication',
    'label',
    'singleLogoutUrl',
    'trustedIpRanges',
  ],
  ecaGlblOauth: [
    'callbackUrl',
    'certificate',
    'externalClientApplication',
    'idTokenConfig',
    'isClientCredentialsFlowEnabled',
    'isCodeCredFlowEnabled',
    'isCodeCredPostOnly',
    'isConsumerSecretOptional',
    'isIntrospectAllTokens',
    'isNamedUserJwtEnabled',
    'isPkceRequired',
    'isRefreshTokenRotationEnabled',
    'isSecretRequiredForRefreshToken',
    'isSecretRequiredForTokenExchange',
    'isTokenExchangeEnabled',
    'label',
  ],
  ecaOauthPlcy: [
    'clientCredentialsFlowUser',
    'commaSeparatedProfile',
    'customAttributes',
    'externalClientApplication',
    'ipRelaxationPolicyType',
    'isClientCredentialsFlowEnabled',
    'isTokenExchangeFlowEnabled',
    'label',
    'permittedUsersPolicyType',
    'policyAction',
    'refreshTokenPolicyType',
    'refreshTokenValidityPeriod',
    'refreshTokenValidityUnit',
    'requiredSessionLevel',
    'sessionTimeoutInMinutes',
    'singleLogoutUrl',
    'startUrl',
  ],
  ecaPlcy: ['externalClientApplication', 'isEnabled', 'isOauthPluginEnabled', 'label', 'startPage'],
};

/** ExternalAppIdTokenConfig sequence and the ConnectedAppOauthIdToken field each comes from. */
const ID_TOKEN_FIELDS: ReadonlyArray<[string, string]> = [
  ['idTokenAudience', 'idTokenAudience'],
  ['idTokenIncludeAttributes', 'idTokenIncludeAttributes'],
  ['idTokenIncludeCustomPermissions', 'idTokenIncludeCustomPerms'],
  ['idTokenIncludeStandardClaims', 'idTokenIncludeStandardClaims'],
  ['idTokenValidityInMinutes', 'idTokenValidity'],
];

/** ConnectedAppOauthAssetToken field → ExtlClntAppOauthSettings field. */
const ASSET_TOKEN_FIELDS: ReadonlyArray<[string, string]> = [
  ['assetAudiences', 'assetTokenAudiences'],
  ['assetIncludeAttributes', 'areAttributesIncludedInAssetToken'],
  ['assetIncludeCustomPerms', 'areCustomPermsIncludedInAssetToken'],
  ['assetSigningCertId', 'assetTokenSigningCertificate'],
  ['assetValidityPeriod', 'assetTokenValidity'],
];

/** oauthConfig booleans that live in ExtlClntAppGlobalOauthSettings under the same or another name. */
const GLOBAL_FLAGS: ReadonlyArray<[string, string]> = [
  ['isCodeCredentialEnabled', 'isCodeCredFlowEnabled'],
  ['isCodeCredentialPostOnly', 'isCodeCredPostOnly'],
  ['isConsumerSecretOptional', 'isConsumerSecretOptional'],
  ['isIntrospectAllTokens', 'isIntrospectAllTokens'],
  ['isNamedUserJwtEnabled', 'isNamedUserJwtEnabled'],
  ['isRefreshTokenRotationEnabled', 'isRefreshTokenRotationEnabled'],
  ['isSecretRequiredForRefreshToken', 'isSecretRequiredForRefreshToken'],
  ['isSecretRequiredForTokenExchange', 'isSecretRequiredForTokenExchange'],
  ['isTokenExchangeEnabled', 'isTokenExchangeEnabled'],
];

/**
 * The one scope whose ECA spelling differs: a real ECA retrieve (corpus, Copilot_Studio_Portfolio_Analysis)
 * lists `SFApiPlatform` where ConnectedApp's enum has `SFAP`, every other value spelled alike (inferred).
 */
/** oauthConfig children the mapping above reads; any other is reported as having no equivalent. */
const OAUTH_CONFIG_MAPPED = new Set([
  'assetTokenConfig',
  'callbackUrl',
  'certificate',
  'consumerKey',
  'consumerSecret',
  'idTokenConfig',
  'isAdminApproved',
  'isClientCredentialEnabled',
  'isPkceRequired',
  'oauthClientCredentialUser',
  'scopes',
  'singleLogoutUrl',
  ...GLOBAL_FLAGS.map(([from]) => from),
]);

const ECA_SCOPE_SPELLING: Readonly<Record<string, string>> = { SFAP: 'SFApiPlatform' };

/**
 * Children the mapping reads, per nested element (WSDL 66.0: ConnectedAppOauthPolicy, ConnectedAppSessionPolicy,
 * ConnectedAppOauthAssetToken, ConnectedAppOauthIdToken). Any other child is reported as having no equivalent.
 */
const OAUTH_POLICY_MAPPED = new Set(['ipRelaxation', 'isTokenExchangeFlowEnabled', 'refreshTokenPolicy', 'singleLogoutUrl']);
const SESSION_POLICY_MAPPED = new Set(['policyAction', 'sessionLevel', 'sessionTimeout']);
const ASSET_TOKEN_MAPPED = new Set(ASSET_TOKEN_FIELDS.map(([from]) => from));
const ID_TOKEN_MAPPED = new Set(ID_TOKEN_FIELDS.map(([, from]) => from));

export function ecaFilePath(part: WrittenPart, name: string): string {
  const { folder, nameSuffix } = ECA_FILE_LAYOUT[part];
  return `${folder}/${name}${nameSuffix}.${part}-meta.xml`;
}

// ---- Mapping --------------------------------------------------------------------------------------

/** Builds the ECA files for one ConnectedApp root (`name`: the app's API name, from its file name). */
export function migrateConnectedApp(root: XmlElement, name: string, options: MigrateOptions = {}): EcaMigration {
  const writeGlobal = options.globalOauthSettings === true;
  const out: Record<WrittenPart, XmlElement[]> = { eca: [], ecaOauth: [], ecaGlblOauth: [], ecaOauthPlcy: [], ecaPlcy: [] };
  const items: MigrationItem[] = [];
  const handled = new Set<string>();

  const put = (part: WrittenPart, el: XmlElement): boolean => {
    if (part === 'ecaGlblOauth' && !writeGlobal) return false;
    out[part].push(el);
    return true;
  };
  const note = (item: Omit<MigrationItem, 'written' | 'value'> & { written?: boolean; value?: string | null }): void => {
    handled.add(item.source);
    items.push({ written: false, value: null, ...item });
  };
  /** Children of `parent` that no mapping reads: each reported once as having no equivalent, never dropped silently. */
  const reportUnknownChildren = (parent: XmlElement, path: string, mapped: ReadonlySet<string>): void => {
    for (const child of elements(parent)) {
      const field = localName(child.name);
      const source = `${path}.${field}`;
      if (!mapped.has(field) && !handled.has(source)) note({ source, target: null, status: 'none', inferred: false, reason: 'unknown-element', value: null });
    }
  };
  /** A value that goes to one target field as text. */
  const copy = (source: string, el: XmlElement | undefined, part: WrittenPart, field: string, extra: { inferred?: boolean; status?: MigrationStatus; reason?: MigrationReason } = {}): void => {
    const text = presentText(el);
    if (text === null) return;
    const written = put(part, textElement(field, text));
    note({
      source,
      target: `${part}.${field}`,
      status: extra.status ?? 'exact',
      written,
      inferred: extra.inferred ?? false,
      reason: written ? extra.reason ?? 'same-meaning' : 'global-not-written',
      value: text,
    });
  };
  const copyBoolean = (source: string, el: XmlElement | undefined, part: WrittenPart, field: string, inferred = false): void => {
    const text = presentText(el);
    if (text === null) return;
    const value = parseXmlBoolean(text);
    if (value === undefined) {
      note({ source, target: `${part}.${field}`, status: 'none', inferred: false, reason: 'invalid-value', value: text });
      return;
    }
    const written = put(part, textElement(field, String(value)));
    note({ source, target: `${part}.${field}`, status: 'exact', written, inferred, reason: written ? 'same-meaning' : 'global-not-written', value: String(value) });
  };

  // -- Header: ExternalClientApplication
  for (const field of ['contactEmail', 'contactPhone', 'description', 'iconUrl', 'infoUrl', 'logoUrl']) copy(field, present(root, field), 'eca', field);
  out.eca.push(textElement('distributionState', 'Local'));
  copy('label', present(root, 'label'), 'eca', 'label');
  if (!out.eca.some((e) => e.name === 'label')) out.eca.push(textElement('label', name));

  const oauth = present(root, 'oauthConfig');
  const hasOauth = oauth !== undefined;

  // -- OAuth settings (developer side) and global settings
  if (oauth) {
    const callback = presentText(present(oauth, 'callbackUrl'));
    handled.add('oauthConfig');
    if (callback !== null) {
      const urls = splitCallbackUrls(callback);
      const written = put('ecaGlblOauth', textElement('callbackUrl', urls.join('\n')));
      // Several URLs: ConnectedApp separates them with line breaks; the ECA page does not say how (inferred).
      note({ source: 'oauthConfig.callbackUrl', target: 'ecaGlblOauth.callbackUrl', status: 'exact', written, inferred: urls.length > 1, reason: written ? 'same-meaning' : 'global-not-written', value: urls.join(' ') });
    }
    const certificate = presentText(present(oauth, 'certificate'));
    if (certificate !== null) {
      const written = put('ecaGlblOauth', textElement('certificate', certificate));
      note({ source: 'oauthConfig.certificate', target: 'ecaGlblOauth.certificate', status: 'exact', written, inferred: false, reason: written ? 'same-meaning' : 'global-not-written', value: null });
    }
    if (present(oauth, 'consumerKey')) note({ source: 'oauthConfig.consumerKey', target: null, status: 'none', inferred: false, reason: 'consumer-key' });
    if (present(oauth, 'consumerSecret')) note({ source: 'oauthConfig.consumerSecret', target: null, status: 'none', inferred: false, reason: 'consumer-secret' });

    const idToken = present(oauth, 'idTokenConfig');
    if (idToken) {
      const children = ID_TOKEN_FIELDS.flatMap(([to, from]) => {
        const text = presentText(present(idToken, from));
        return text === null ? [] : [textElement(to, from.startsWith('idTokenInclude') ? String(parseXmlBoolean(text) ?? text) : text)];
      });
      const written = put('ecaGlblOauth', element('idTokenConfig', children));
      note({ source: 'oauthConfig.idTokenConfig', target: 'ecaGlblOauth.idTokenConfig', status: 'exact', written, inferred: true, reason: written ? 'same-meaning' : 'global-not-written' });
      reportUnknownChildren(idToken, 'oauthConfig.idTokenConfig', ID_TOKEN_MAPPED);
    }
    const asset = present(oauth, 'assetTokenConfig');
    if (asset) {
      for (const [from, to] of ASSET_TOKEN_FIELDS) {
        const el = present(asset, from);
        if (from === 'assetIncludeAttributes' || from === 'assetIncludeCustomPerms') copyBoolean(`oauthConfig.assetTokenConfig.${from}`, el, 'ecaOauth', to, true);
        else copy(`oauthConfig.assetTokenConfig.${from}`, el, 'ecaOauth', to, { inferred: true });
      }
      handled.add('oauthConfig.assetTokenConfig');
      reportUnknownChildren(asset, 'oauthConfig.assetTokenConfig', ASSET_TOKEN_MAPPED);
    }

    // Permitted users: isAdminApproved (default false) → permittedUsersPolicyType, written explicitly.
    const adminText = presentText(present(oauth, 'isAdminApproved'));
    const admin = adminText === null ? false : parseXmlBoolean(adminText);
    if (admin === undefined) {
      note({ source: 'oauthConfig.isAdminApproved', target: 'ecaOauthPlcy.permittedUsersPolicyType', status: 'none', inferred: false, reason: 'invalid-value', value: adminText });
    } else {
      out.ecaOauthPlcy.push(textElement('permittedUsersPolicyType', admin ? 'AdminApprovedPreAuthorized' : 'AllSelfAuthorized'));
      note({
        source: 'oauthConfig.isAdminApproved',
        target: 'ecaOauthPlcy.permittedUsersPolicyType',
        status: 'exact',
        written: true,
        inferred: false,
        reason: adminText === null ? 'documented-default' : 'enum-respelled',
        value: String(admin),
      });
    }

    // Client credentials: enabled on both sides for an ECA (the developer's global settings and the admin's policy).
    const ccText = presentText(present(oauth, 'isClientCredentialEnabled'));
    if (ccText !== null) {
      const cc = parseXmlBoolean(ccText);
      if (cc === undefined) note({ source: 'oauthConfig.isClientCredentialEnabled', target: null, status: 'none', inferred: false, reason: 'invalid-value', value: ccText });
      else {
        out.ecaOauthPlcy.push(textElement('isClientCredentialsFlowEnabled', String(cc)));
        const globalWritten = put('ecaGlblOauth', textElement('isClientCredentialsFlowEnabled', String(cc)));
        note({
          source: 'oauthConfig.isClientCredentialEnabled',
          target: 'ecaOauthPlcy.isClientCredentialsFlowEnabled, ecaGlblOauth.isClientCredentialsFlowEnabled',
          status: 'exact',
          written: true,
          inferred: false,
          reason: globalWritten || !cc ? 'same-meaning' : 'global-not-written',
          value: String(cc),
        });
      }
    }
    copy('oauthConfig.oauthClientCredentialUser', present(oauth, 'oauthClientCredentialUser'), 'ecaOauthPlcy', 'clientCredentialsFlowUser');
    for (const [from, to] of GLOBAL_FLAGS) copyBoolean(`oauthConfig.${from}`, present(oauth, from), 'ecaGlblOauth', to);

    // PKCE: ConnectedApp default false, ECA default true (reference §7), so the value is always written out.
    const pkceText = presentText(present(oauth, 'isPkceRequired'));
    const pkce = pkceText === null ? false : parseXmlBoolean(pkceText);
    if (pkce === undefined) note({ source: 'oauthConfig.isPkceRequired', target: 'ecaGlblOauth.isPkceRequired', status: 'none', inferred: false, reason: 'invalid-value', value: pkceText });
    else {
      const written = put('ecaGlblOauth', textElement('isPkceRequired', String(pkce)));
      const meaningChanges = !written && !pkce;
      note({
        source: 'oauthConfig.isPkceRequired',
        target: 'ecaGlblOauth.isPkceRequired',
        status: meaningChanges ? 'changed' : 'exact',
        written,
        inferred: false,
        reason: meaningChanges ? 'pkce-default' : written ? (pkceText === null ? 'documented-default' : 'same-meaning') : 'global-not-written',
        value: String(pkce),
      });
    }

    // Scopes: the same enum names, comma-separated (`Api, RefreshToken`), deploy aliases folded.
    const scopeEls = elements(oauth, 'scopes');
    if (scopeEls.length > 0) {
      const scopes = normaliseScopes(scopeEls.map((e) => metadataScope(textOf(e) ?? ''))).filter((s) => s !== '');
      const renamed = scopes.filter((s) => s in ECA_SCOPE_SPELLING);
      const ecaScopes = scopes.map((s) => ECA_SCOPE_SPELLING[s] ?? s);
      out.ecaOauth.push(textElement('commaSeparatedOauthScopes', ecaScopes.join(', ')));
      note({
        source: 'oauthConfig.scopes',
        target: 'ecaOauth.commaSeparatedOauthScopes',
        status: 'exact',
        written: true,
        inferred: renamed.length > 0,
        reason: renamed.length > 0 ? 'scope-renamed' : 'same-meaning',
        value: ecaScopes.join(', '),
      });
    }
    copy('oauthConfig.singleLogoutUrl', present(oauth, 'singleLogoutUrl'), 'ecaOauth', 'singleLogoutUrl', { inferred: true });
    reportUnknownChildren(oauth, 'oauthConfig', OAUTH_CONFIG_MAPPED);
  }

  // -- Trusted IP ranges: ipRanges → ecaOauth.trustedIpRanges (the documented twin, reference §7).
  const ranges = elements(root, 'ipRanges');
  if (ranges.length > 0) {
    for (const range of ranges) {
      const children = [
        ...(presentText(present(range, 'description')) !== null ? [textElement('description', presentText(present(range, 'description')) ?? '')] : []),
        textElement('endIpAddress', presentText(present(range, 'end')) ?? ''),
        textElement('startIpAddress', presentText(present(range, 'start')) ?? ''),
      ];
      out.ecaOauth.push(element('trustedIpRanges', children));
    }
    const value = ranges.map((r) => `${presentText(present(r, 'start')) ?? ''}-${presentText(present(r, 'end')) ?? ''}`).join(', ');
    note({ source: 'ipRanges', target: 'ecaOauth.trustedIpRanges', status: 'exact', written: true, inferred: false, reason: 'same-meaning', value });
  }

  // -- Admin policies: oauthPolicy, sessionPolicy, assignments → ExtlClntAppOauthConfigurablePolicies.
  const policy = present(root, 'oauthPolicy');
  if (hasOauth) mapOauthPolicy(policy, out.ecaOauthPlcy, note);
  else if (policy) note({ source: 'oauthPolicy', target: null, status: 'none', inferred: false, reason: 'no-oauth', value: null });
  if (policy && hasOauth) {
    copyBoolean('oauthPolicy.isTokenExchangeFlowEnabled', present(policy, 'isTokenExchangeFlowEnabled'), 'ecaOauthPlcy', 'isTokenExchangeFlowEnabled', true);
    copy('oauthPolicy.singleLogoutUrl', present(policy, 'singleLogoutUrl'), 'ecaOauthPlcy', 'singleLogoutUrl', { inferred: true });
    reportUnknownChildren(policy, 'oauthPolicy', OAUTH_POLICY_MAPPED);
  }
  const session = present(root, 'sessionPolicy');
  if (session && !hasOauth) note({ source: 'sessionPolicy', target: null, status: 'none', inferred: false, reason: 'no-oauth', value: null });
  else if (session) {
    handled.add('sessionPolicy');
    copy('sessionPolicy.sessionTimeout', present(session, 'sessionTimeout'), 'ecaOauthPlcy', 'sessionTimeoutInMinutes', { inferred: true });
    const level = presentText(present(session, 'sessionLevel'));
    if (level !== null) {
      const upper = level.toUpperCase();
      const ok = ['LOW', 'STANDARD', 'HIGH_ASSURANCE'].includes(upper);
      if (ok) out.ecaOauthPlcy.push(textElement('requiredSessionLevel', upper));
      note({ source: 'sessionPolicy.sessionLevel', target: 'ecaOauthPlcy.requiredSessionLevel', status: ok ? 'exact' : 'none', written: ok, inferred: false, reason: ok ? 'same-meaning' : 'invalid-value', value: level });
    }
    const action = presentText(present(session, 'policyAction'));
    if (action !== null) {
      const found = ['Block', 'RaiseSessionLevel'].find((a) => a.toLowerCase() === action.toLowerCase());
      if (found) out.ecaOauthPlcy.push(textElement('policyAction', found));
      note({ source: 'sessionPolicy.policyAction', target: 'ecaOauthPlcy.policyAction', status: found ? 'exact' : 'none', written: found !== undefined, inferred: false, reason: found ? 'same-meaning' : 'invalid-value', value: action });
    }
    reportUnknownChildren(session, 'sessionPolicy', SESSION_POLICY_MAPPED);
  }
  const profiles = elements(root, 'profileName').map((e) => presentText(e)).filter((n): n is string => n !== null);
  if (profiles.length > 0) {
    if (hasOauth) out.ecaOauthPlcy.push(textElement('commaSeparatedProfile', [...new Set(profiles)].join(',')));
    // The page says "Profiles in a comma-separated list" without saying names or Ids (inferred: names).
    note({ source: 'profileName', target: 'ecaOauthPlcy.commaSeparatedProfile', status: hasOauth ? 'exact' : 'none', written: hasOauth, inferred: true, reason: hasOauth ? 'same-meaning' : 'no-oauth', value: profiles.join(', ') });
  }
  const permissionSets = elements(root, 'permissionSetName').map((e) => presentText(e)).filter((n): n is string => n !== null);
  if (permissionSets.length > 0) {
    // The page says commaSeparatedPermissionSet holds permission set Ids; the file holds names: not written.
    note({ source: 'permissionSetName', target: 'ecaOauthPlcy.commaSeparatedPermissionSet', status: 'changed', inferred: false, reason: 'permission-set-ids', value: permissionSets.join(', ') });
  }
  if (hasOauth) copy('startUrl', present(root, 'startUrl'), 'ecaOauthPlcy', 'startUrl', { inferred: true });
  else if (presentText(present(root, 'startUrl')) !== null) note({ source: 'startUrl', target: null, status: 'none', inferred: false, reason: 'no-oauth', value: presentText(present(root, 'startUrl')) });

  // -- No ECA equivalent written by migrate.
  const noEquivalent: Array<[string, MigrationReason]> = [
    ['samlConfig', 'saml'],
    ['canvasConfig', 'canvas'],
    ['canvas', 'canvas'],
    ['mobileAppConfig', 'mobile'],
    ['mobileStartUrl', 'mobile'],
    ['plugin', 'plugin'],
    ['pluginExecutionUser', 'plugin'],
    ['attributes', 'custom-attributes'],
  ];
  for (const [field, reason] of noEquivalent) {
    if (present(root, field)) note({ source: field, target: null, status: 'none', inferred: false, reason, value: null });
  }
  for (const field of ['fullName', 'contactEmail', 'contactPhone', 'description', 'iconUrl', 'infoUrl', 'logoUrl', 'label', 'ipRanges', 'oauthPolicy', 'profileName', 'permissionSetName', 'startUrl']) handled.add(field);
  for (const child of elements(root)) {
    const field = localName(child.name);
    if (!handled.has(field)) note({ source: field, target: null, status: 'none', inferred: false, reason: 'unknown-element', value: null });
  }

  // -- Plugin switches: ExtlClntAppConfigurablePolicies.
  out.ecaPlcy.push(textElement('isEnabled', 'true'), textElement('isOauthPluginEnabled', String(hasOauth)), textElement('startPage', 'None'));

  return { name, files: buildFiles(name, out, hasOauth, writeGlobal), items };
}

type Note = (item: Omit<MigrationItem, 'written' | 'value'> & { written?: boolean; value?: string | null }) => void;

/** ipRelaxation and refreshTokenPolicy; absent ones are written as the documented defaults (ENFORCE, infinite). */
function mapOauthPolicy(policy: XmlElement | undefined, plcy: XmlElement[], note: Note): void {
  const ipText = presentText(present(policy, 'ipRelaxation'));
  try {
    const ip = ipText === null ? 'ENFORCE' : parseIpRelaxation(ipText);
    plcy.push(textElement('ipRelaxationPolicyType', toEcaIpRelaxation(ip)));
    note({ source: 'oauthPolicy.ipRelaxation', target: 'ecaOauthPlcy.ipRelaxationPolicyType', status: 'exact', written: true, inferred: false, reason: ipText === null ? 'documented-default' : 'enum-respelled', value: ip });
  } catch (error) {
    if (!(error instanceof PolicyError)) throw error;
    note({ source: 'oauthPolicy.ipRelaxation', target: 'ecaOauthPlcy.ipRelaxationPolicyType', status: 'none', inferred: false, reason: 'invalid-value', value: ipText });
  }
  const rtText = presentText(present(policy, 'refreshTokenPolicy'));
  try {
    const rt = toEcaRefreshToken(rtText === null ? { kind: 'infinite' } : parseRefreshTokenPolicy(rtText));
    plcy.push(textElement('refreshTokenPolicyType', rt.refreshTokenPolicyType));
    if (rt.refreshTokenValidityPeriod !== null) plcy.push(textElement('refreshTokenValidityPeriod', String(rt.refreshTokenValidityPeriod)));
    if (rt.refreshTokenValidityUnit !== null) plcy.push(textElement('refreshTokenValidityUnit', rt.refreshTokenValidityUnit));
    note({
      source: 'oauthPolicy.refreshTokenPolicy',
      target: 'ecaOauthPlcy.refreshTokenPolicyType',
      status: 'exact',
      written: true,
      inferred: false,
      reason: rtText === null ? 'documented-default' : 'enum-respelled',
      value: rtText ?? 'infinite',
    });
  } catch (error) {
    if (!(error instanceof PolicyError)) throw error;
    note({ source: 'oauthPolicy.refreshTokenPolicy', target: 'ecaOauthPlcy.refreshTokenPolicyType', status: 'none', inferred: false, reason: 'invalid-value', value: rtText });
  }
}

function buildFiles(name: string, out: Record<WrittenPart, XmlElement[]>, hasOauth: boolean, writeGlobal: boolean): EcaFileOut[] {
  const parts: WrittenPart[] = ['eca', 'ecaPlcy', ...(hasOauth ? (['ecaOauth', 'ecaOauthPlcy'] as const) : []), ...(hasOauth && writeGlobal ? (['ecaGlblOauth'] as const) : [])];
  return parts.map((part) => {
    const { type, nameSuffix } = ECA_FILE_LAYOUT[part];
    const children = [...out[part]];
    if (part !== 'eca') children.push(textElement('externalClientApplication', name), textElement('label', `${name}${nameSuffix}`));
    const order = SEQUENCE[part];
    const rank = (el: XmlElement): number => order.indexOf(el.name);
    // Stable: repeated elements (trustedIpRanges) keep their source order.
    const sorted = children.map((el, i) => ({ el, i })).sort((a, b) => rank(a.el) - rank(b.el) || a.i - b.i).map((x) => x.el);
    return { part, type, path: ecaFilePath(part, name), root: element(type, sorted, [['xmlns', 'http://soap.sforce.com/2006/04/metadata']]) };
  });
}

export function countMigration(items: readonly MigrationItem[]): MigrationCounts {
  const counts: MigrationCounts = { exact: 0, changed: 0, none: 0, inferred: 0, notWritten: 0 };
  for (const item of items) {
    counts[item.status]++;
    if (item.inferred) counts.inferred++;
    if (item.status !== 'none' && !item.written) counts.notWritten++;
  }
  return counts;
}
