/*
 * The normalised connected-app policy: one shape (`AppPolicy`) for a ConnectedApp metadata file, a
 * ConnectedApp record read from the org (readMetadata), and an External Client App (see eca.ts).
 *
 * Three promises every reader keeps:
 * - Absent elements take the documented default, and the field is listed in `defaulted`, so a rule never
 *   claims evidence it did not see (old files predate most OAuth flags; a file retrieved at API < 49 has
 *   no oauthPolicy even when the org has one).
 * - Every field read from an element records that element's 1-based line in `lines`, for file:line findings.
 * - Secrets never enter the model: the consumer secret and the certificate body become booleans.
 *
 * Values that cannot be read (an unknown ipRelaxation, a malformed refreshTokenPolicy, "yes" for a boolean)
 * do not throw: the field takes its default, is listed in `defaulted`, and the raw text goes to `invalid`.
 */
import { POLICY_FIELDS, type PolicyField } from './policy-field.js';
import { DEFAULT_IP_RELAXATION, parseIpRelaxation, type IpRelaxation } from './ip-relaxation.js';
import { closeMatches } from '../names.js';
import { PolicyError, parsePositiveInteger, type PolicyErrorCode, type PolicyErrorReason } from './policy-error.js';
import { DEFAULT_REFRESH_TOKEN_POLICY, formatRefreshTokenPolicy, parseRefreshTokenPolicy, type RefreshTokenPolicy } from './refresh-token.js';
import { normaliseScopes } from './scopes.js';
import { elements, localName, textOf, type XmlElement } from '../xml.js';

export { POLICY_FIELDS, type PolicyField } from './policy-field.js';

// Who may use an app: admin-approved (only the users given it) or all-self-authorize (anyone who authorizes it).
export type PermittedUsers = 'admin-approved' | 'all-self-authorize';

/** Where each field lives in a ConnectedApp (dotted element path below `<ConnectedApp>`). */
export const CONNECTED_APP_METADATA_PATHS: Readonly<Record<PolicyField, string>> = {
  fullName: 'fullName',
  label: 'label',
  contactEmail: 'contactEmail',
  description: 'description',
  hasOauth: 'oauthConfig',
  callbackUrls: 'oauthConfig.callbackUrl',
  scopes: 'oauthConfig.scopes',
  jwtCertificate: 'oauthConfig.certificate',
  clientCredentials: 'oauthConfig.isClientCredentialEnabled',
  clientCredentialsUser: 'oauthConfig.oauthClientCredentialUser',
  tokenExchange: 'oauthConfig.isTokenExchangeEnabled',
  codeCredential: 'oauthConfig.isCodeCredentialEnabled',
  namedUserJwt: 'oauthConfig.isNamedUserJwtEnabled',
  /** Not expressible in ConnectedApp metadata (Setup-only). */
  deviceFlow: '',
  permittedUsers: 'oauthConfig.isAdminApproved',
  ipRelaxation: 'oauthPolicy.ipRelaxation',
  refreshTokenPolicy: 'oauthPolicy.refreshTokenPolicy',
  sessionTimeout: 'sessionPolicy.sessionTimeout',
  highAssurance: 'sessionPolicy.sessionLevel',
  sessionPolicyAction: 'sessionPolicy.policyAction',
  pkceRequired: 'oauthConfig.isPkceRequired',
  refreshTokenRotation: 'oauthConfig.isRefreshTokenRotationEnabled',
  consumerSecretOptional: 'oauthConfig.isConsumerSecretOptional',
  secretRequiredForRefreshToken: 'oauthConfig.isSecretRequiredForRefreshToken',
  secretRequiredForTokenExchange: 'oauthConfig.isSecretRequiredForTokenExchange',
  introspectAllTokens: 'oauthConfig.isIntrospectAllTokens',
  ipRanges: 'ipRanges',
  profileNames: 'profileName',
  permissionSetNames: 'permissionSetName',
  hasSaml: 'samlConfig',
  hasCanvas: 'canvasConfig',
  hasMobile: 'mobileAppConfig',
  hasPlugin: 'plugin',
  consumerKeyPresent: 'oauthConfig.consumerKey',
  consumerSecretPresent: 'oauthConfig.consumerSecret',
};

// ---- Model ------------------------------------------------------------------------------------

export type AppKind = 'connected-app' | 'external-client-app';

/** Every kind of app, as --type and a desired-state entry's `type` spell them. */
export const APP_KINDS: readonly AppKind[] = ['connected-app', 'external-client-app'];

/** The files an External Client App's policy is spread over (see eca.ts). */
export type EcaPart = 'eca' | 'ecaOauth' | 'ecaGlblOauth' | 'ecaOauthPlcy' | 'ecaPlcy' | 'ecaOauthSecurity';

export type IpRange = { start: string; end: string; description: string | null };

export type SessionPolicyAction = 'Block' | 'RaiseSessionLevel';
export const SESSION_POLICY_ACTIONS: readonly SessionPolicyAction[] = ['Block', 'RaiseSessionLevel'];

/**
 * Session timeouts Setup offers (minutes). The Metadata API types sessionTimeout as a plain int; these are
 * the picklist values of the UI and of ProfileSessionSetting, so other numbers may be refused on deploy.
 */
export const SESSION_TIMEOUT_CHOICES: readonly number[] = [15, 30, 60, 120, 240, 480, 720, 1440];

export type SessionPolicy = {
  /** Minutes; null = not set (the profile's, then the org's timeout applies). */
  timeoutMinutes: number | null;
  /**
   * High-assurance session required: sessionLevel (ECA: requiredSessionLevel) is HIGH_ASSURANCE, or no
   * level is given but a policyAction is (an action only exists for a high-assurance requirement).
   */
  highAssurance: boolean;
  /** The raw session level, upper-cased (HIGH_ASSURANCE, STANDARD, LOW), or null. */
  level: string | null;
  policyAction: SessionPolicyAction | null;
};

export type OauthFlows = {
  /** A certificate is configured (JWT bearer flow). The certificate itself is never exposed. */
  jwtCertificate: boolean;
  clientCredentials: { enabled: boolean; runAsUser: string | null };
  /** oauthConfig.isTokenExchangeEnabled or oauthPolicy.isTokenExchangeFlowEnabled. */
  tokenExchange: boolean;
  /** Authorization Code and Credentials flow (headless identity). */
  codeCredential: boolean;
  namedUserJwt: boolean;
  /** Device flow: ECA `isDeviceFlowEnabled`; null for connected apps, whose metadata cannot express it. */
  deviceFlow: boolean | null;
};

/** A value present in the source that could not be read; the field took its default. */
export type InvalidValue = { field: PolicyField; value: string; code: PolicyErrorCode; reason: PolicyErrorReason | null };

export type AppPolicy = {
  kind: AppKind;
  fullName: string | null;
  label: string | null;
  contactEmail: string | null;
  description: string | null;
  /** The app has OAuth settings (ConnectedApp: an `<oauthConfig>`). */
  hasOauth: boolean;
  callbackUrls: string[];
  /** Metadata values, normalised (aliases folded, deduplicated, canonical order, unknown values kept). */
  scopes: string[];
  flows: OauthFlows;
  permittedUsers: PermittedUsers;
  ipRelaxation: IpRelaxation;
  refreshTokenPolicy: RefreshTokenPolicy;
  session: SessionPolicy;
  pkceRequired: boolean;
  refreshTokenRotation: boolean;
  consumerSecretOptional: boolean;
  secretRequiredForRefreshToken: boolean;
  secretRequiredForTokenExchange: boolean;
  introspectAllTokens: boolean;
  ipRanges: IpRange[];
  /** Profile display names, in source order, duplicates kept. */
  profileNames: string[];
  /** Names listed more than once in profileNames (each once). */
  duplicateProfileNames: string[];
  /** Permission set labels (ECA: whatever commaSeparatedPermissionSet holds; the doc says Ids). */
  permissionSetNames: string[];
  duplicatePermissionSetNames: string[];
  hasSaml: boolean;
  hasCanvas: boolean;
  /** ConnectedApp: mobileAppConfig or mobileStartUrl; ECA: the mobile plugin explicitly enabled. */
  hasMobile: boolean;
  /** ConnectedApp: an Apex `plugin`; ECA: an `apexHandler`. */
  hasPlugin: boolean;
  consumerKeyPresent: boolean;
  consumerSecretPresent: boolean;
  /** Fields whose value is a documented default, not read from the source (sorted by POLICY_FIELDS order). */
  defaulted: PolicyField[];
  /** Unreadable values, in POLICY_FIELDS order. */
  invalid: InvalidValue[];
  /** 1-based line of the element each field was read from (only fields read from an element with a line). */
  lines: Partial<Record<PolicyField, number>>;
  /** For External Client Apps: which file each line in `lines` refers to. Empty for connected apps. */
  lineParts: Partial<Record<PolicyField, EcaPart>>;
};

/** Documented defaults (ConnectedApp). ECA differs in pkceRequired (true). */
export const CONNECTED_APP_DEFAULTS = {
  permittedUsers: 'all-self-authorize' as PermittedUsers,
  ipRelaxation: DEFAULT_IP_RELAXATION,
  refreshTokenPolicy: DEFAULT_REFRESH_TOKEN_POLICY,
  pkceRequired: false,
  refreshTokenRotation: false,
  consumerSecretOptional: false,
  /** Documented default true (API 51.0+). */
  secretRequiredForRefreshToken: true,
  /** Not documented; false is what Setup pre-selects and what most corpus files show. */
  secretRequiredForTokenExchange: false,
  introspectAllTokens: false,
  clientCredentials: false,
  tokenExchange: false,
  codeCredential: false,
  namedUserJwt: false,
} as const;

export function isDefaulted(policy: AppPolicy, field: PolicyField): boolean {
  return policy.defaulted.includes(field);
}

// ---- Permitted users --------------------------------------------------------------------------

export const PERMITTED_USERS_VALUES: readonly PermittedUsers[] = ['admin-approved', 'all-self-authorize'];
export const ECA_PERMITTED_USERS_VALUES = ['AdminApprovedPreAuthorized', 'AllSelfAuthorized'] as const;
export type EcaPermittedUsers = (typeof ECA_PERMITTED_USERS_VALUES)[number];

/** Reads the flag form `admin-approved` | `all-self-authorize` (case, spaces and underscores tolerated). */
export function parsePermittedUsersFlag(text: string): PermittedUsers {
  const key = text.trim().toLowerCase().replace(/[\s_]+/g, '-');
  const found = PERMITTED_USERS_VALUES.find((v) => v === key);
  if (found) return found;
  const eca = ECA_PERMITTED_USERS_VALUES.find((v) => v.toLowerCase() === key.replace(/-/g, ''));
  throw new PolicyError('InvalidPermittedUsers', {
    reason: key === '' ? 'empty' : 'unknown-value',
    input: text,
    validValues: PERMITTED_USERS_VALUES,
    suggestion: eca ? fromEca(eca) : closeMatches(key, PERMITTED_USERS_VALUES, 1)[0],
    field: 'permittedUsers',
  });
}

export function toEcaPermittedUsers(value: PermittedUsers): EcaPermittedUsers {
  return value === 'admin-approved' ? 'AdminApprovedPreAuthorized' : 'AllSelfAuthorized';
}

/** Reads the ECA `permittedUsersPolicyType`, tolerant of case and spacing. */
export function parseEcaPermittedUsers(text: string): PermittedUsers {
  const key = text.trim().toLowerCase().replace(/[\s_-]+/g, '');
  const found = ECA_PERMITTED_USERS_VALUES.find((v) => v.toLowerCase() === key);
  if (found) return fromEca(found);
  throw new PolicyError('InvalidPermittedUsers', {
    reason: key === '' ? 'empty' : 'unknown-value',
    input: text,
    validValues: ECA_PERMITTED_USERS_VALUES,
    suggestion: closeMatches(text, ECA_PERMITTED_USERS_VALUES, 1)[0],
    field: 'permittedUsers',
  });
}

const fromEca = (value: EcaPermittedUsers): PermittedUsers => (value === 'AdminApprovedPreAuthorized' ? 'admin-approved' : 'all-self-authorize');

// ---- Small value readers (shared with eca.ts) -------------------------------------------------

/** xsd:boolean: true/false/1/0, case-insensitive, trimmed. */
export function parseXmlBoolean(text: string): boolean | undefined {
  const t = text.trim().toLowerCase();
  if (t === 'true' || t === '1') return true;
  if (t === 'false' || t === '0') return false;
  return undefined;
}

export function parseSessionTimeout(text: string): number {
  const value = parsePositiveInteger(text);
  if (typeof value === 'number') return value;
  throw new PolicyError('InvalidSessionTimeout', { reason: value, input: text, field: 'sessionTimeout' });
}

export function parseSessionPolicyAction(text: string): SessionPolicyAction {
  const key = text.trim().toLowerCase();
  const found = SESSION_POLICY_ACTIONS.find((a) => a.toLowerCase() === key);
  if (found) return found;
  throw new PolicyError('InvalidSessionPolicyAction', {
    reason: key === '' ? 'empty' : 'unknown-value',
    input: text,
    validValues: SESSION_POLICY_ACTIONS,
    field: 'sessionPolicyAction',
  });
}

/** Callback URLs: Salesforce separates them with line breaks; commas are accepted too. */
export function splitCallbackUrls(text: string | null | undefined): string[] {
  return (text ?? '')
    .split(/[\r\n,]+/)
    .map((u) => u.trim())
    .filter((u) => u !== '');
}

/** Non-empty trimmed names in order, and those that occur more than once. */
export function namesWithDuplicates(names: readonly string[]): { names: string[]; duplicates: string[] } {
  const kept = names.map((n) => n.trim()).filter((n) => n !== '');
  const seen = new Set<string>();
  const duplicates = new Set<string>();
  for (const name of kept) {
    if (seen.has(name)) duplicates.add(name);
    seen.add(name);
  }
  return { names: kept, duplicates: [...duplicates] };
}

/** An element marked `xsi:nil="true"` (SOAP records) stands for an absent value. */
export function isNil(el: XmlElement): boolean {
  return el.attributes.some(([k, v]) => localName(k) === 'nil' && v.trim() === 'true');
}

/** The first child with this local name that is not nil. */
export function present(parent: XmlElement | undefined, name: string): XmlElement | undefined {
  return parent ? elements(parent, name).find((e) => !isNil(e)) : undefined;
}

export function presentAll(parent: XmlElement | undefined, name: string): XmlElement[] {
  return parent ? elements(parent, name).filter((e) => !isNil(e)) : [];
}

/** Trimmed text of an element; null when absent or blank. */
export function presentText(el: XmlElement | undefined): string | null {
  const text = textOf(el)?.trim();
  return text === undefined || text === '' ? null : text;
}

/**
 * Collects the evidence trail (`defaulted`, `invalid`, `lines`, `lineParts`) while a reader fills the model.
 * @internal shared by the ConnectedApp and External Client App readers.
 */
export class PolicyRecorder {
  private readonly defaultedFields = new Set<PolicyField>();
  private readonly invalidValues: InvalidValue[] = [];
  private readonly lineOf: Partial<Record<PolicyField, number>> = {};
  private readonly partOf: Partial<Record<PolicyField, EcaPart>> = {};

  /** Records the line of the element a field was read from (the first one wins). */
  public saw(field: PolicyField, el: XmlElement | undefined, part?: EcaPart): void {
    if (!el || el.line <= 0 || this.lineOf[field] !== undefined) return;
    this.lineOf[field] = el.line;
    if (part) this.partOf[field] = part;
  }

  public defaulted(field: PolicyField): void {
    this.defaultedFields.add(field);
  }

  /** A boolean element, or the fallback when absent/unreadable. */
  public bool(field: PolicyField, el: XmlElement | undefined, fallback: boolean, part?: EcaPart): boolean {
    return this.parsed(field, el, fallback, part, (text) => {
      const value = parseXmlBoolean(text);
      if (value === undefined) throw new PolicyError('InvalidBoolean', { input: text, validValues: ['true', 'false'], field });
      return value;
    });
  }

  /** An element parsed by `parse` (which throws PolicyError when it cannot), or the fallback. */
  public parsed<T>(field: PolicyField, el: XmlElement | undefined, fallback: T, part: EcaPart | undefined, parse: (text: string) => T): T {
    const text = el ? textOf(el) : undefined;
    if (!el || text === undefined || text.trim() === '') {
      this.defaulted(field);
      return fallback;
    }
    try {
      const value = parse(text);
      this.saw(field, el, part);
      return value;
    } catch (error) {
      if (!(error instanceof PolicyError)) throw error;
      this.invalid(field, text, error.code, error.reason ?? null);
      this.defaulted(field);
      return fallback;
    }
  }

  public invalid(field: PolicyField, value: string, code: PolicyErrorCode, reason: PolicyErrorReason | null): void {
    this.invalidValues.push({ field, value, code, reason });
  }

  /** Trimmed text of an element (null when absent or blank), recording its line. */
  public text(field: PolicyField, el: XmlElement | undefined, part?: EcaPart): string | null {
    const value = presentText(el);
    if (value !== null) this.saw(field, el, part);
    return value;
  }

  /** Presence of an element, recording its line when present. */
  public has(field: PolicyField, el: XmlElement | undefined, part?: EcaPart): boolean {
    this.saw(field, el, part);
    return el !== undefined;
  }

  public evidence(): Pick<AppPolicy, 'defaulted' | 'invalid' | 'lines' | 'lineParts'> {
    return {
      defaulted: POLICY_FIELDS.filter((f) => this.defaultedFields.has(f)),
      invalid: [...this.invalidValues].sort((a, b) => POLICY_FIELDS.indexOf(a.field) - POLICY_FIELDS.indexOf(b.field)),
      lines: { ...this.lineOf },
      lineParts: { ...this.partOf },
    };
  }
}

// ---- ConnectedApp reader ----------------------------------------------------------------------

export type ReadOptions = {
  /** The component's API name, when the source does not carry it (a file: its name; see fullNameFromFileName). */
  fullName?: string;
};

/** `Jenkins_CI.connectedApp-meta.xml` / `Jenkins_CI.connectedApp` → `Jenkins_CI` (null for other files). */
export function fullNameFromFileName(fileName: string): string | null {
  const base = fileName.split(/[\\/]/).pop() ?? fileName;
  const match = /^(.+)\.connectedApp(?:-meta\.xml)?$/.exec(base);
  return match ? decodeURIComponent(match[1]) : null;
}

/** Accepts `<ConnectedApp>` and a readMetadata `<records xsi:type="ConnectedApp">`. */
export function assertConnectedAppRoot(root: XmlElement): void {
  const name = localName(root.name);
  if (name === 'ConnectedApp') return;
  if (name === 'records') {
    const type = root.attributes.find(([k]) => localName(k) === 'type')?.[1];
    if (type === undefined || localName(type) === 'ConnectedApp') return;
    throw new PolicyError('NotAConnectedApp', { input: localName(type), validValues: ['ConnectedApp'] });
  }
  throw new PolicyError('NotAConnectedApp', { input: name, validValues: ['ConnectedApp'] });
}

/**
 * Reads a `<ConnectedApp>` root (a source or mdapi file) or a readMetadata `<records>` element into the
 * model. Never throws for content problems (see `invalid`); throws `NotAConnectedApp` for another root.
 */
export function readConnectedAppPolicy(root: XmlElement, options: ReadOptions = {}): AppPolicy {
  assertConnectedAppRoot(root);
  const r = new PolicyRecorder();
  const d = CONNECTED_APP_DEFAULTS;
  const oauth = present(root, 'oauthConfig');
  const oauthPolicy = present(root, 'oauthPolicy');
  const sessionPolicy = present(root, 'sessionPolicy');

  const fullNameFromSource = r.text('fullName', present(root, 'fullName'));
  const fullName = options.fullName ?? fullNameFromSource;

  const callbackEl = present(oauth, 'callbackUrl');
  const scopeEls = presentAll(oauth, 'scopes');
  r.saw('callbackUrls', callbackEl);
  r.saw('scopes', scopeEls[0]);

  const tokenExchange = anyTrue(
    r,
    'tokenExchange',
    [{ el: present(oauth, 'isTokenExchangeEnabled') }, { el: present(oauthPolicy, 'isTokenExchangeFlowEnabled') }],
    d.tokenExchange
  );

  const runAsUser = r.text('clientCredentialsUser', present(oauth, 'oauthClientCredentialUser'));
  const session = readSession(r, present(sessionPolicy, 'sessionTimeout'), present(sessionPolicy, 'sessionLevel'), present(sessionPolicy, 'policyAction'));

  const profiles = namesWithDuplicates(presentAll(root, 'profileName').map((e) => textOf(e) ?? ''));
  const permissionSets = namesWithDuplicates(presentAll(root, 'permissionSetName').map((e) => textOf(e) ?? ''));
  r.saw('profileNames', presentAll(root, 'profileName').find((e) => presentText(e) !== null));
  r.saw('permissionSetNames', presentAll(root, 'permissionSetName').find((e) => presentText(e) !== null));

  const ipRangeEls = presentAll(root, 'ipRanges');
  r.saw('ipRanges', ipRangeEls[0]);

  const mobileEl = present(root, 'mobileAppConfig') ?? present(root, 'mobileStartUrl');
  const pluginEl = present(root, 'plugin');

  return {
    kind: 'connected-app',
    fullName,
    label: r.text('label', present(root, 'label')),
    contactEmail: r.text('contactEmail', present(root, 'contactEmail')),
    description: r.text('description', present(root, 'description')),
    hasOauth: r.has('hasOauth', oauth),
    callbackUrls: splitCallbackUrls(textOf(callbackEl)),
    scopes: normaliseScopes(scopeEls.map((e) => textOf(e) ?? '')),
    flows: {
      jwtCertificate: r.has('jwtCertificate', nonBlank(present(oauth, 'certificate'))),
      clientCredentials: { enabled: r.bool('clientCredentials', present(oauth, 'isClientCredentialEnabled'), d.clientCredentials), runAsUser },
      tokenExchange,
      codeCredential: r.bool('codeCredential', present(oauth, 'isCodeCredentialEnabled'), d.codeCredential),
      namedUserJwt: r.bool('namedUserJwt', present(oauth, 'isNamedUserJwtEnabled'), d.namedUserJwt),
      deviceFlow: null,
    },
    permittedUsers: r.bool('permittedUsers', present(oauth, 'isAdminApproved'), false) ? 'admin-approved' : 'all-self-authorize',
    ipRelaxation: r.parsed('ipRelaxation', present(oauthPolicy, 'ipRelaxation'), d.ipRelaxation, undefined, parseIpRelaxation),
    refreshTokenPolicy: r.parsed('refreshTokenPolicy', present(oauthPolicy, 'refreshTokenPolicy'), d.refreshTokenPolicy, undefined, parseRefreshTokenPolicy),
    session,
    pkceRequired: r.bool('pkceRequired', present(oauth, 'isPkceRequired'), d.pkceRequired),
    refreshTokenRotation: r.bool('refreshTokenRotation', present(oauth, 'isRefreshTokenRotationEnabled'), d.refreshTokenRotation),
    consumerSecretOptional: r.bool('consumerSecretOptional', present(oauth, 'isConsumerSecretOptional'), d.consumerSecretOptional),
    secretRequiredForRefreshToken: r.bool(
      'secretRequiredForRefreshToken',
      present(oauth, 'isSecretRequiredForRefreshToken'),
      d.secretRequiredForRefreshToken
    ),
    secretRequiredForTokenExchange: r.bool(
      'secretRequiredForTokenExchange',
      present(oauth, 'isSecretRequiredForTokenExchange'),
      d.secretRequiredForTokenExchange
    ),
    introspectAllTokens: r.bool('introspectAllTokens', present(oauth, 'isIntrospectAllTokens'), d.introspectAllTokens),
    ipRanges: ipRangeEls.map((el) => ({
      start: presentText(present(el, 'start')) ?? '',
      end: presentText(present(el, 'end')) ?? '',
      description: presentText(present(el, 'description')),
    })),
    profileNames: profiles.names,
    duplicateProfileNames: profiles.duplicates,
    permissionSetNames: permissionSets.names,
    duplicatePermissionSetNames: permissionSets.duplicates,
    hasSaml: r.has('hasSaml', present(root, 'samlConfig')),
    hasCanvas: r.has('hasCanvas', present(root, 'canvasConfig') ?? present(root, 'canvas')),
    hasMobile: r.has('hasMobile', mobileEl),
    hasPlugin: r.has('hasPlugin', nonBlank(pluginEl)),
    consumerKeyPresent: r.has('consumerKeyPresent', nonBlank(present(oauth, 'consumerKey'))),
    consumerSecretPresent: r.has('consumerSecretPresent', nonBlank(present(oauth, 'consumerSecret'))),
    ...r.evidence(),
  };
}

/** Session policy from its three elements (ConnectedApp: sessionPolicy.*; ECA: oauthPlcy.*). */
export function readSession(
  r: PolicyRecorder,
  timeoutEl: XmlElement | undefined,
  levelEl: XmlElement | undefined,
  actionEl: XmlElement | undefined,
  part?: EcaPart
): SessionPolicy {
  const timeoutMinutes = r.parsed<number | null>('sessionTimeout', timeoutEl, null, part, parseSessionTimeout);
  const policyAction = r.parsed<SessionPolicyAction | null>('sessionPolicyAction', actionEl, null, part, parseSessionPolicyAction);
  const level = presentText(levelEl)?.toUpperCase() ?? null;
  const highAssurance = level === 'HIGH_ASSURANCE' || (level === null && policyAction !== null);
  if (level !== null) r.saw('highAssurance', levelEl, part);
  else if (policyAction !== null) r.saw('highAssurance', actionEl, part);
  else r.defaulted('highAssurance');
  return { timeoutMinutes, highAssurance, level, policyAction };
}

/**
 * A boolean spread over several elements, decided by the first readable one that says `decides`, else by the first
 * readable one (which says the opposite), else defaulted. That element is the one cited.
 */
function spreadBoolean(r: PolicyRecorder, field: PolicyField, sources: Array<{ el: XmlElement | undefined; part?: EcaPart }>, fallback: boolean, decides: boolean): boolean {
  let other: { el: XmlElement; part?: EcaPart } | undefined;
  for (const { el, part } of sources) {
    const text = el ? textOf(el) : undefined;
    if (!el || text === undefined || text.trim() === '') continue;
    const value = parseXmlBoolean(text);
    if (value === undefined) {
      r.invalid(field, text, 'InvalidBoolean', null);
    } else if (value === decides) {
      r.saw(field, el, part);
      return decides;
    } else {
      other ??= { el, part };
    }
  }
  if (other) {
    r.saw(field, other.el, other.part);
    return !decides;
  }
  r.defaulted(field);
  return fallback;
}

/**
 * A switch that must be on in every readable element (an External Client App's flow: on in the developer's global
 * OAuth settings and in the admin's OAuth policies): false as soon as a readable one says false.
 */
export function allTrue(r: PolicyRecorder, field: PolicyField, sources: Array<{ el: XmlElement | undefined; part?: EcaPart }>, fallback: boolean): boolean {
  return spreadBoolean(r, field, sources, fallback, false);
}

/**
 * A boolean spread over several elements (e.g. token exchange: oauthConfig.isTokenExchangeEnabled and
 * oauthPolicy.isTokenExchangeFlowEnabled): true when any readable one says true.
 */
export function anyTrue(r: PolicyRecorder, field: PolicyField, sources: Array<{ el: XmlElement | undefined; part?: EcaPart }>, fallback: boolean): boolean {
  return spreadBoolean(r, field, sources, fallback, true);
}

function nonBlank(el: XmlElement | undefined): XmlElement | undefined {
  return presentText(el) === null ? undefined : el;
}

// ---- Display values ---------------------------------------------------------------------------

/**
 * A field's value as text for diffs and reports: canonical metadata spellings for enums and the refresh
 * token policy, 'true'/'false' for booleans, decimal for numbers, one string per item for lists,
 * null for "no value".
 */
export function policyFieldValue(policy: AppPolicy, field: PolicyField): string | string[] | null {
  const bool = (b: boolean): string => (b ? 'true' : 'false');
  switch (field) {
    case 'fullName':
    case 'label':
    case 'contactEmail':
    case 'description':
    case 'permittedUsers':
    case 'ipRelaxation':
      return policy[field];
    case 'callbackUrls':
    case 'scopes':
    case 'profileNames':
    case 'permissionSetNames':
      return [...policy[field]];
    case 'ipRanges':
      return policy.ipRanges.map((r) => `${r.start}-${r.end}`);
    case 'refreshTokenPolicy':
      return formatRefreshTokenPolicy(policy.refreshTokenPolicy);
    case 'jwtCertificate':
      return bool(policy.flows.jwtCertificate);
    case 'clientCredentials':
      return bool(policy.flows.clientCredentials.enabled);
    case 'clientCredentialsUser':
      return policy.flows.clientCredentials.runAsUser;
    case 'tokenExchange':
    case 'codeCredential':
    case 'namedUserJwt':
      return bool(policy.flows[field]);
    case 'deviceFlow':
      return policy.flows.deviceFlow === null ? null : bool(policy.flows.deviceFlow);
    case 'sessionTimeout':
      return policy.session.timeoutMinutes === null ? null : String(policy.session.timeoutMinutes);
    case 'highAssurance':
      return bool(policy.session.highAssurance);
    case 'sessionPolicyAction':
      return policy.session.policyAction;
    case 'hasOauth':
    case 'pkceRequired':
    case 'refreshTokenRotation':
    case 'consumerSecretOptional':
    case 'secretRequiredForRefreshToken':
    case 'secretRequiredForTokenExchange':
    case 'introspectAllTokens':
    case 'hasSaml':
    case 'hasCanvas':
    case 'hasMobile':
    case 'hasPlugin':
    case 'consumerKeyPresent':
    case 'consumerSecretPresent':
      return bool(policy[field]);
  }
}
