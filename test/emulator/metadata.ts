/*
 * ConnectedApp metadata as the emulator stores it: an element tree (the component's children in order, without
 * fullName / profileName / permissionSetName / consumerSecret, which live elsewhere), plus validation of what
 * updateMetadata sends and the ConnectedApplication sObject fields derived from it.
 */
import {
  childText,
  element,
  elements,
  firstElement,
  localName,
  parseXml,
  textElement,
  textOf,
  type XmlElement,
  type XmlNode,
} from '../../src/domain/xml.js';

/**
 * Top-level ConnectedApp elements in WSDL order (alphabetical, as retrieves show them). Kept apart from the
 * plugin's own list (src/domain/policy-edit.ts) on purpose: the emulator plays the org, so it must not share
 * the client's assumptions.
 */
export const CONNECTED_APP_ORDER = [
  'fullName',
  'attributes',
  'canvas',
  'canvasConfig',
  'contactEmail',
  'contactPhone',
  'description',
  'iconUrl',
  'infoUrl',
  'ipRanges',
  'label',
  'logoUrl',
  'mobileAppConfig',
  'mobileStartUrl',
  'oauthConfig',
  'oauthPolicy',
  'permissionSetName',
  'plugin',
  'pluginExecutionUser',
  'profileName',
  'samlConfig',
  'sessionPolicy',
  'startUrl',
];

export const IP_RELAXATION = ['ENFORCE', 'BYPASS_2FACTOR', 'BYPASS', 'ENFORCE_RELAXREFRESH'];
export const REFRESH_TOKEN_POLICY = /^(infinite|zero|specific_(lifetime|inactivity):[1-9]\d*:(HOURS|DAYS|MONTHS))$/;

/** Scope values returned on retrieve, plus values seen in real files (CDP*, SFAP, EinsteinGPT ...). */
const SCOPES = new Set([
  'Api', 'Basic', 'Chatter', 'CustomApplications', 'Full', 'OpenID', 'RefreshToken', 'Web', 'Wave', 'Eclair', 'Pardot',
  'Lightning', 'Content', 'CDPIngest', 'Chatbot', 'ForgotPassword', 'UserRegistration', 'PwdlessLogin', 'CustomPermissions',
  'CDP', 'CDPProfile', 'CDPQuery', 'CDPSegment', 'CDPCalculatedInsight', 'CDPIdentityResolution', 'SFAP', 'EinsteinGPT',
  'Interaction', 'MCP', 'SFApiPlatform',
]);
/** Deploy-only scope values and what they are stored as. */
const SCOPE_ALIASES: Record<string, string> = { Profile: 'Basic', Email: 'Basic', Address: 'Basic', Phone: 'Basic', OfflineAccess: 'RefreshToken' };

const OAUTH_BOOLEANS = [
  'isAdminApproved', 'isClientCredentialEnabled', 'isCodeCredentialEnabled', 'isCodeCredentialPostOnly', 'isConsumerSecretOptional',
  'isIntrospectAllTokens', 'isNamedUserJwtEnabled', 'isPkceRequired', 'isRefreshTokenRotationEnabled', 'isSecretRequiredForRefreshToken',
  'isSecretRequiredForTokenExchange', 'isTokenExchangeEnabled',
];

/** Deep copy with namespace prefixes dropped from element names (`met:label` → `label`) and xsi attributes removed. */
export function stripPrefixes(el: XmlElement): XmlElement {
  return {
    kind: 'element',
    name: localName(el.name),
    attributes: el.attributes.filter(([k]) => !k.startsWith('xmlns') && !k.startsWith('xsi:')),
    children: el.children.map((c): XmlNode => (c.kind === 'element' ? stripPrefixes(c) : { ...c })),
    line: 0,
  };
}

export type SplitComponent = {
  body: XmlElement;
  fullName?: string;
  /** undefined: no element sent; [] : the empty element (remove all). */
  profileNames?: string[];
  permissionSetNames?: string[];
  consumerSecret?: string;
};

const namesOf = (els: XmlElement[]): string[] | undefined =>
  els.length === 0 ? undefined : els.map((e) => (textOf(e) ?? '').trim()).filter((n) => n !== '');

/** Splits a ConnectedApp element into the stored body and the parts kept elsewhere. */
export function splitComponent(input: XmlElement): SplitComponent {
  const el = withoutComments(stripPrefixes(input));
  const fullName = childText(el, 'fullName');
  const profileNames = namesOf(elements(el, 'profileName'));
  const permissionSetNames = namesOf(elements(el, 'permissionSetName'));
  const oauth = firstElement(el, 'oauthConfig');
  const consumerSecret = childText(oauth, 'consumerSecret');
  const keep = new Set(['fullName', 'profileName', 'permissionSetName']);
  const children = el.children.filter((c) => c.kind === 'element' && !keep.has(c.name));
  const body = element('ConnectedApp', children.map((c) => (c.kind === 'element' && c.name === 'oauthConfig' ? withoutChild(c, 'consumerSecret') : c)));
  normaliseScopes(body);
  return { body, fullName, profileNames, permissionSetNames, consumerSecret };
}

/** XML comments are not metadata: an org keeps none of a deployed file's comments. */
function withoutComments(el: XmlElement): XmlElement {
  return { ...el, children: el.children.filter((c) => c.kind !== 'comment').map((c) => (c.kind === 'element' ? withoutComments(c) : c)) };
}

function withoutChild(el: XmlElement, name: string): XmlElement {
  return { ...el, children: el.children.filter((c) => !(c.kind === 'element' && c.name === name)) };
}

/** Deploy-only scope names are stored as their retrieve names (Profile → Basic, OfflineAccess → RefreshToken), without duplicates. */
function normaliseScopes(body: XmlElement): void {
  const oauth = firstElement(body, 'oauthConfig');
  if (!oauth) return;
  const seen = new Set<string>();
  oauth.children = oauth.children.filter((c) => {
    if (c.kind !== 'element' || c.name !== 'scopes') return true;
    const v = (textOf(c) ?? '').trim();
    const stored = SCOPE_ALIASES[v] ?? v;
    if (seen.has(stored)) return false;
    seen.add(stored);
    c.children = [{ kind: 'text', text: stored }];
    return true;
  });
}

/** Parses a ConnectedApp XML document (file or inline). */
export function parseConnectedApp(xml: string): SplitComponent {
  const { root } = parseXml(xml);
  if (localName(root.name) !== 'ConnectedApp') throw new Error(`expected a <ConnectedApp> document, got <${root.name}>`);
  return splitComponent(root);
}

const orderIndex = (name: string): number => {
  const i = CONNECTED_APP_ORDER.indexOf(name);
  return i < 0 ? CONNECTED_APP_ORDER.length : i;
};

/**
 * The component as readMetadata returns it: fullName first, then the stored elements and the assignment names
 * in WSDL order (a stable sort keeps repeated elements such as scopes and ipRanges in their order).
 */
export function renderComponent(fullName: string, body: XmlElement, profileNames: string[], permissionSetNames: string[]): XmlNode[] {
  const nodes: XmlElement[] = [
    textElement('fullName', fullName),
    ...elements(body).map((e) => (e.name === 'oauthConfig' || e.name === 'oauthPolicy' ? sortChildren(e) : e)),
    ...permissionSetNames.map((n) => textElement('permissionSetName', n)),
    ...profileNames.map((n) => textElement('profileName', n)),
  ];
  return nodes.map((n, i) => ({ n, i })).sort((a, b) => orderIndex(a.n.name) - orderIndex(b.n.name) || a.i - b.i).map(({ n }) => n);
}

function sortChildren(el: XmlElement): XmlElement {
  const kids = elements(el).map((n, i) => ({ n, i }));
  kids.sort((a, b) => (a.n.name < b.n.name ? -1 : a.n.name > b.n.name ? 1 : a.i - b.i));
  return { ...el, children: kids.map(({ n }) => n) };
}

export type FieldError = { statusCode: string; message: string; fields: string[] };

/**
 * Checks a component sent to updateMetadata. Returns the first problem, as a per-record error.
 * guess: the real server rejects a bad *enum* value (ipRelaxation) while deserialising, with a SOAP fault; the
 * emulator reports it per record (FIELD_INTEGRITY_EXCEPTION) like the string-encoded refreshTokenPolicy.
 */
export function validateComponent(c: SplitComponent): FieldError | undefined {
  const body = c.body;
  const err = (statusCode: string, message: string, field: string): FieldError => ({ statusCode, message, fields: [field] });
  // guess: missing required fields are REQUIRED_FIELD_MISSING, as for sObjects.
  for (const required of ['label', 'contactEmail']) {
    if ((childText(body, required) ?? '').trim() === '') return err('REQUIRED_FIELD_MISSING', `Required field is missing: ${required}`, required);
  }
  const oauth = firstElement(body, 'oauthConfig');
  if (oauth) {
    if ((childText(oauth, 'callbackUrl') ?? '').trim() === '') return err('REQUIRED_FIELD_MISSING', 'Required field is missing: callbackUrl', 'callbackUrl');
    for (const b of OAUTH_BOOLEANS) {
      const v = childText(oauth, b);
      if (v !== undefined && v !== 'true' && v !== 'false') return err('FIELD_INTEGRITY_EXCEPTION', `'${v}' is not a valid value for the field ${b}`, b);
    }
    for (const s of elements(oauth, 'scopes')) {
      const v = (textOf(s) ?? '').trim();
      if (!SCOPES.has(v)) return err('FIELD_INTEGRITY_EXCEPTION', `'${v}' is not a valid value for the enum 'ConnectedAppOauthAccessScope'`, 'scopes');
    }
  }
  const policy = firstElement(body, 'oauthPolicy');
  if (policy) {
    const ip = childText(policy, 'ipRelaxation');
    const rt = childText(policy, 'refreshTokenPolicy');
    if (ip === undefined) return err('REQUIRED_FIELD_MISSING', 'Required field is missing: ipRelaxation', 'ipRelaxation');
    if (rt === undefined) return err('REQUIRED_FIELD_MISSING', 'Required field is missing: refreshTokenPolicy', 'refreshTokenPolicy');
    if (!IP_RELAXATION.includes(ip.trim())) {
      return err('FIELD_INTEGRITY_EXCEPTION', `'${ip}' is not a valid value for the enum 'ConnectedAppOauthIpRelaxation'`, 'ipRelaxation');
    }
    if (!REFRESH_TOKEN_POLICY.test(rt.trim())) {
      return err('FIELD_INTEGRITY_EXCEPTION', `Invalid refresh token policy: ${rt}`, 'refreshTokenPolicy');
    }
  }
  const session = firstElement(body, 'sessionPolicy');
  if (session) {
    const action = childText(session, 'policyAction');
    if (action !== undefined && action !== 'Block' && action !== 'RaiseSessionLevel') {
      return err('FIELD_INTEGRITY_EXCEPTION', `'${action}' is not a valid value for the enum 'ConnectedAppSessionPolicyAction'`, 'policyAction');
    }
    const timeout = childText(session, 'sessionTimeout');
    if (timeout !== undefined && !/^\d+$/.test(timeout.trim())) return err('FIELD_INTEGRITY_EXCEPTION', `'${timeout}' is not a valid integer`, 'sessionTimeout');
  }
  for (const range of elements(body, 'ipRanges')) {
    for (const f of ['start', 'end']) {
      const v = childText(range, f);
      if (v === undefined) return err('REQUIRED_FIELD_MISSING', `Required field is missing: ${f}`, f);
      if (!/^\d{1,3}(\.\d{1,3}){3}$/.test(v.trim())) return err('FIELD_INTEGRITY_EXCEPTION', `Invalid IP address: ${v}`, f);
    }
  }
  return undefined;
}

export function isAdminApproved(body: XmlElement): boolean {
  return childText(firstElement(body, 'oauthConfig'), 'isAdminApproved') === 'true';
}

/**
 * ConnectedApplication fields that follow from the metadata.
 * guess: `infinite` → RefreshTokenValidityPeriod null; `zero` → 0; `specific_lifetime:N:U` → N with metric false
 * (from issue); `specific_inactivity:N:U` → N with metric true (from last use). The unit is not exposed.
 */
export function derivedSObjectFields(body: XmlElement): Record<string, unknown> {
  const policy = firstElement(body, 'oauthPolicy');
  const rt = childText(policy, 'refreshTokenPolicy')?.trim();
  let period: number | null = null;
  let metric = false;
  if (rt === 'zero') period = 0;
  const m = rt ? /^specific_(lifetime|inactivity):(\d+):/.exec(rt) : null;
  if (m) {
    period = Number(m[2]);
    metric = m[1] === 'inactivity';
  }
  const session = firstElement(body, 'sessionPolicy');
  return {
    OptionsAllowAdminApprovedUsersOnly: isAdminApproved(body),
    OptionsRefreshTokenValidityMetric: metric,
    RefreshTokenValidityPeriod: period,
    OptionsHasSessionLevelPolicy: childText(session, 'policyAction') === 'RaiseSessionLevel' || childText(session, 'sessionLevel') !== undefined,
    OptionsTokenExchangeManageBitEnabled: childText(policy, 'isTokenExchangeFlowEnabled') === 'true',
    StartUrl: childText(body, 'startUrl') ?? null,
    MobileStartUrl: childText(body, 'mobileStartUrl') ?? null,
  };
}
