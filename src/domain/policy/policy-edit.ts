/*
 * Lossless edits of a ConnectedApp tree, and policy diffs.
 *
 * `applyPolicyChange` changes only the elements a change names. Everything else — elements this code
 * does not model (newer API fields, samlConfig, canvasConfig, mobileAppConfig, attributes, unknown
 * elements), comments, attributes, order — is carried over untouched. Elements that must be created go
 * to their schema position.
 *
 * Element order. The Metadata API WSDL declares each complex type as an `xsd:sequence` whose fields are
 * in alphabetical order (the inherited `fullName` first). The lists below were written from the v67
 * ConnectedApp reference field tables (alphabetical) and checked against the collected corpus: all 75
 * well-formed files in shared/corpus/connected-apps follow them, including `isTokenExchangeFlowEnabled`,
 * which real files place between `ipRelaxation` and `refreshTokenPolicy` although the doc's
 * ConnectedAppOauthPolicy table omits it. An element missing from a list (a field newer than this code)
 * is placed by the same rule: alphabetically.
 */
import { ECA_METADATA_PATHS } from './eca.js';
import { isIpRelaxation, parseIpRelaxation, type IpRelaxation } from './ip-relaxation.js';
import {
  CONNECTED_APP_DEFAULTS,
  CONNECTED_APP_METADATA_PATHS,
  PERMITTED_USERS_VALUES,
  POLICY_FIELDS,
  SESSION_TIMEOUT_CHOICES,
  assertConnectedAppRoot,
  isNil,
  parseXmlBoolean,
  policyFieldValue,
  present,
  presentText,
  type AppPolicy,
  type PermittedUsers,
  type PolicyField,
} from './policy.js';
import { MAX_INT, PolicyError } from './policy-error.js';
import {
  formatRefreshTokenPolicy,
  parseRefreshTokenPolicy,
  validateRefreshTokenPolicy,
  type RefreshTokenPolicy,
} from './refresh-token.js';
import { cloneElement, elements, localName, textElement, element as makeElement, type XmlElement } from '../xml.js';

// ---- Schema order -----------------------------------------------------------------------------

/** ConnectedApp's children (fullName: readMetadata records only). */
export const CONNECTED_APP_ELEMENT_ORDER: readonly string[] = [
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

/** ConnectedAppOauthConfig's children. */
export const OAUTH_CONFIG_ELEMENT_ORDER: readonly string[] = [
  'assetTokenConfig',
  'callbackUrl',
  'certificate',
  'consumerKey',
  'consumerSecret',
  'idTokenConfig',
  'isAdminApproved',
  'isClientCredentialEnabled',
  'isCodeCredentialEnabled',
  'isCodeCredentialPostOnly',
  'isConsumerSecretOptional',
  'isIntrospectAllTokens',
  'isNamedUserJwtEnabled',
  'isPkceRequired',
  'isRefreshTokenRotationEnabled',
  'isSecretRequiredForRefreshToken',
  'isSecretRequiredForTokenExchange',
  'isTokenExchangeEnabled',
  'oauthClientCredentialUser',
  'scopes',
  'singleLogoutUrl',
];

/** ConnectedAppOauthPolicy's children (isTokenExchangeFlowEnabled: seen in real files, not in the doc table). */
export const OAUTH_POLICY_ELEMENT_ORDER: readonly string[] = ['ipRelaxation', 'isTokenExchangeFlowEnabled', 'refreshTokenPolicy', 'singleLogoutUrl'];

/** ConnectedAppSessionPolicy's children. */
export const SESSION_POLICY_ELEMENT_ORDER: readonly string[] = ['policyAction', 'sessionLevel', 'sessionTimeout'];

/** Schema comparison of two element local names under one parent: list order, else alphabetical, fullName first. */
export function compareElementNames(order: readonly string[], a: string, b: string): number {
  if (a === b) return 0;
  const ia = order.indexOf(a);
  const ib = order.indexOf(b);
  if (ia >= 0 && ib >= 0) return ia - ib;
  if (a === 'fullName') return -1;
  if (b === 'fullName') return 1;
  return a < b ? -1 : 1;
}

/**
 * Inserts `child` into `parent` at its schema position: after every element that sorts before or with it,
 * before the first element that sorts after it. Comments stay attached to what follows them.
 */
export function insertInSchemaOrder(parent: XmlElement, child: XmlElement, order: readonly string[]): void {
  const name = localName(child.name);
  let index = parent.children.length;
  for (const [i, node] of parent.children.entries()) {
    if (node.kind === 'element' && compareElementNames(order, name, localName(node.name)) < 0) {
      index = i;
      break;
    }
  }
  while (index > 0 && parent.children[index - 1].kind === 'comment') index--;
  parent.children.splice(index, 0, child);
}

// ---- Change and result ------------------------------------------------------------------------

export type PolicyChange = {
  permittedUsers?: PermittedUsers;
  ipRelaxation?: IpRelaxation;
  refreshTokenPolicy?: RefreshTokenPolicy;
  /** Minutes; null removes the timeout (the profile's, then the org's applies). */
  sessionTimeoutMinutes?: number | null;
  pkceRequired?: boolean;
  refreshTokenRotation?: boolean;
  /** The complete desired list of profile names (display names); [] removes all. */
  profileNames?: string[];
  /** The complete desired list of permission set labels; [] removes all. */
  permissionSetNames?: string[];
};

/**
 * One changed value. `before`/`after` are model-level texts (see `policyFieldValue`): canonical enum
 * spellings, 'true'/'false', minutes, or one list item. `null` means absent: an element that did not
 * exist (its documented default applied) or that was removed; for list fields one diff per item, with
 * `before: null` for an added item and `after: null` for a removed one.
 */
export type PolicyDiff = { field: PolicyField; before: string | null; after: string | null; metadataPath: string };

export type PolicyEditWarningCode =
  /** Profiles/permission sets stay listed while the app is not admin-approved; Salesforce uses them only when it is. */
  | 'AssignmentsIgnoredWithoutAdminApproval'
  /** A session timeout outside Setup's picklist (15, 30, 60, 120, 240, 480, 720, 1440 minutes). */
  | 'NonStandardSessionTimeout';

export type PolicyEditWarning = { code: PolicyEditWarningCode; field: PolicyField };

export type PolicyEditResult = {
  /** A new tree; the input is never modified. Identical (deep-equal) to the input when `diffs` is empty. */
  root: XmlElement;
  diffs: PolicyDiff[];
  warnings: PolicyEditWarning[];
};

const OAUTH_FIELDS = ['permittedUsers', 'ipRelaxation', 'refreshTokenPolicy', 'pkceRequired', 'refreshTokenRotation'] as const;

/**
 * Applies a change to a `<ConnectedApp>` (or readMetadata `<records>`) tree. Throws PolicyError:
 * NoOauthConfig (an OAuth setting on an app without `<oauthConfig>`), AssignmentsRequireAdminApproved
 * (a new profile/permission-set list on an app that is not admin-approved after the change), and the
 * Invalid* codes for values that are not valid. Creating `<oauthPolicy>` adds both of its required
 * children, the one not asked for with its default, and reports it.
 */
export function applyPolicyChange(root: XmlElement, change: PolicyChange): PolicyEditResult {
  assertConnectedAppRoot(root);
  const c = validateChange(change);
  const tree = cloneElement(root);
  const diffs: PolicyDiff[] = [];
  const warnings: PolicyEditWarning[] = [];
  const oauth = present(tree, 'oauthConfig');

  const oauthField = OAUTH_FIELDS.find((f) => c[f] !== undefined);
  if (oauthField && !oauth) throw new PolicyError('NoOauthConfig', { field: oauthField });

  const adminApprovedNow = parseXmlBoolean(presentText(present(oauth, 'isAdminApproved')) ?? '') ?? false;
  const adminApprovedAfter = c.permittedUsers ? c.permittedUsers === 'admin-approved' : adminApprovedNow;
  for (const [field, name] of ASSIGNMENT_LISTS) {
    const desired = c[field];
    if (desired && desired.length > 0 && !adminApprovedAfter && !sameNameSet(currentNames(tree, name), desired)) {
      throw new PolicyError('AssignmentsRequireAdminApproved', { field });
    }
  }

  if (oauth && c.permittedUsers !== undefined) {
    setLeaf(oauth, OAUTH_CONFIG_ELEMENT_ORDER, 'isAdminApproved', c.permittedUsers, PERMITTED_USERS_LEAF, diffs);
  }
  if (oauth && (c.ipRelaxation !== undefined || c.refreshTokenPolicy !== undefined)) {
    editOauthPolicy(tree, c.ipRelaxation, c.refreshTokenPolicy, diffs);
  }
  if (c.sessionTimeoutMinutes !== undefined) {
    editSessionTimeout(tree, c.sessionTimeoutMinutes, diffs);
    if (c.sessionTimeoutMinutes !== null && !SESSION_TIMEOUT_CHOICES.includes(c.sessionTimeoutMinutes)) {
      warnings.push({ code: 'NonStandardSessionTimeout', field: 'sessionTimeout' });
    }
  }
  if (oauth && c.pkceRequired !== undefined) {
    setLeaf(oauth, OAUTH_CONFIG_ELEMENT_ORDER, 'isPkceRequired', c.pkceRequired, booleanLeaf('pkceRequired'), diffs);
  }
  if (oauth && c.refreshTokenRotation !== undefined) {
    setLeaf(oauth, OAUTH_CONFIG_ELEMENT_ORDER, 'isRefreshTokenRotationEnabled', c.refreshTokenRotation, booleanLeaf('refreshTokenRotation'), diffs);
  }
  for (const [field, name] of ASSIGNMENT_LISTS) {
    const desired = c[field];
    if (desired) editNameList(tree, field, name, desired, diffs);
  }

  if (c.permittedUsers === 'all-self-authorize' && diffs.some((d) => d.field === 'permittedUsers')) {
    if (ASSIGNMENT_LISTS.some(([, name]) => currentNames(tree, name).length > 0)) {
      warnings.push({ code: 'AssignmentsIgnoredWithoutAdminApproval', field: 'permittedUsers' });
    }
  }
  return { root: tree, diffs, warnings };
}

/** A copy without any `consumerSecret` element (never send a secret back to the org or into a file). */
export function withoutSecrets(root: XmlElement): XmlElement {
  return cloneElement(root, (n) => !(n.kind === 'element' && localName(n.name) === 'consumerSecret'));
}

/**
 * Differences between two policies (e.g. desired file vs org, or two org snapshots), field by field in
 * POLICY_FIELDS order. Lists compare as sets (one diff per added/removed item); `defaulted`, `lines` and
 * `invalid` are evidence, not policy, and are not compared. Paths follow `after`'s kind.
 */
export function diffPolicies(before: AppPolicy, after: AppPolicy): PolicyDiff[] {
  const paths = after.kind === 'external-client-app' ? ECA_METADATA_PATHS : CONNECTED_APP_METADATA_PATHS;
  const diffs: PolicyDiff[] = [];
  for (const field of POLICY_FIELDS) {
    const a = policyFieldValue(before, field);
    const b = policyFieldValue(after, field);
    const metadataPath = paths[field];
    if (Array.isArray(a) || Array.isArray(b)) {
      const was = new Set(Array.isArray(a) ? a : []);
      const now = new Set(Array.isArray(b) ? b : []);
      for (const item of was) if (!now.has(item)) diffs.push({ field, before: item, after: null, metadataPath });
      for (const item of now) if (!was.has(item)) diffs.push({ field, before: null, after: item, metadataPath });
    } else if (a !== b) {
      diffs.push({ field, before: a, after: b, metadataPath });
    }
  }
  return diffs;
}

// ---- Validation -------------------------------------------------------------------------------

/** The change with every value checked (PolicyError for the first bad one); shared by both kinds of app. */
export function validateChange(change: PolicyChange): PolicyChange {
  const out: PolicyChange = {};
  const raw = change as Record<string, unknown>;
  if (raw.permittedUsers !== undefined) {
    if (!PERMITTED_USERS_VALUES.includes(raw.permittedUsers as PermittedUsers)) {
      throw new PolicyError('InvalidPermittedUsers', {
        reason: 'unknown-value',
        input: describe(raw.permittedUsers),
        validValues: PERMITTED_USERS_VALUES,
        field: 'permittedUsers',
      });
    }
    out.permittedUsers = raw.permittedUsers as PermittedUsers;
  }
  if (raw.ipRelaxation !== undefined) {
    out.ipRelaxation = isIpRelaxation(raw.ipRelaxation) ? raw.ipRelaxation : parseIpRelaxation(describe(raw.ipRelaxation));
  }
  if (change.refreshTokenPolicy !== undefined) out.refreshTokenPolicy = validateRefreshTokenPolicy(change.refreshTokenPolicy);
  if (raw.sessionTimeoutMinutes !== undefined) {
    const minutes = raw.sessionTimeoutMinutes;
    if (minutes !== null && (typeof minutes !== 'number' || !Number.isInteger(minutes) || minutes <= 0 || minutes > MAX_INT)) {
      const reason = typeof minutes === 'number' && Number.isInteger(minutes) ? (minutes <= 0 ? 'not-positive' : 'too-large') : 'not-an-integer';
      throw new PolicyError('InvalidSessionTimeout', {
        reason,
        input: describe(minutes),
        validValues: SESSION_TIMEOUT_CHOICES.map(String),
        field: 'sessionTimeout',
      });
    }
    out.sessionTimeoutMinutes = minutes;
  }
  for (const field of ['pkceRequired', 'refreshTokenRotation'] as const) {
    const value = raw[field];
    if (value === undefined) continue;
    if (typeof value !== 'boolean') throw new PolicyError('InvalidBoolean', { input: describe(value), validValues: ['true', 'false'], field });
    out[field] = value;
  }
  for (const [field] of ASSIGNMENT_LISTS) {
    const value = raw[field];
    if (value === undefined) continue;
    if (!Array.isArray(value)) throw new PolicyError('InvalidAssignmentName', { reason: 'unknown-value', input: describe(value), field });
    out[field] = value.map((name: unknown) => {
      const trimmed = typeof name === 'string' ? name.trim() : '';
      if (trimmed === '') throw new PolicyError('InvalidAssignmentName', { reason: 'empty', input: describe(name), field });
      return trimmed;
    });
  }
  return out;
}

/** A rejected input as text for the error's `input` token. */
function describe(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || value === null || value === undefined) return String(value);
  return JSON.stringify(value);
}

// ---- Leaf edits -------------------------------------------------------------------------------

/** How a model value is written to, read from and shown for one element. */
export type LeafCodec<T> = {
  field: PolicyField;
  encode: (value: T) => string;
  /** undefined when the element text is not a readable value. */
  decode: (text: string) => T | undefined;
  display: (value: T) => string;
};

export const booleanLeaf = (field: PolicyField): LeafCodec<boolean> => ({
  field,
  encode: (v) => (v ? 'true' : 'false'),
  decode: parseXmlBoolean,
  display: (v) => (v ? 'true' : 'false'),
});

const PERMITTED_USERS_LEAF: LeafCodec<PermittedUsers> = {
  field: 'permittedUsers',
  encode: (v) => (v === 'admin-approved' ? 'true' : 'false'),
  decode: (text) => {
    const b = parseXmlBoolean(text);
    return b === undefined ? undefined : b ? 'admin-approved' : 'all-self-authorize';
  },
  display: (v) => v,
};

const IP_RELAXATION_LEAF: LeafCodec<IpRelaxation> = {
  field: 'ipRelaxation',
  encode: (v) => v,
  decode: (text) => attempt(() => parseIpRelaxation(text)),
  display: (v) => v,
};

const REFRESH_TOKEN_LEAF: LeafCodec<RefreshTokenPolicy> = {
  field: 'refreshTokenPolicy',
  encode: formatRefreshTokenPolicy,
  decode: (text) => attempt(() => parseRefreshTokenPolicy(text)),
  display: formatRefreshTokenPolicy,
};

export const SESSION_TIMEOUT_LEAF: LeafCodec<number> = {
  field: 'sessionTimeout',
  encode: String,
  decode: (text) => (/^\s*\d+\s*$/.test(text) ? Number(text.trim()) : undefined),
  display: String,
};

export function attempt<T>(fn: () => T): T | undefined {
  try {
    return fn();
  } catch (error) {
    if (error instanceof PolicyError) return undefined;
    throw error;
  }
}

/**
 * Sets one child element to a value. No-op when the element already holds an equivalent value (any
 * accepted spelling); otherwise replaces its text (dropping xsi:nil) or creates it at its schema position.
 * The diff names `metadataPath` (the ConnectedApp path of the codec's field unless given).
 */
export function setLeaf<T>(
  parent: XmlElement,
  order: readonly string[],
  name: string,
  value: T,
  codec: LeafCodec<T>,
  diffs: PolicyDiff[],
  metadataPath = CONNECTED_APP_METADATA_PATHS[codec.field]
): void {
  const existing = elements(parent, name).at(0);
  let before: string | null = null;
  if (existing && !isNil(existing)) {
    const text = presentText(existing);
    const current = text === null ? undefined : codec.decode(text);
    if (current !== undefined && codec.display(current) === codec.display(value)) return;
    before = current !== undefined ? codec.display(current) : text;
  }
  if (existing) {
    existing.children = [{ kind: 'text', text: codec.encode(value) }];
    existing.attributes = existing.attributes.filter(([k]) => localName(k) !== 'nil');
  } else {
    insertInSchemaOrder(parent, textElement(childName(parent, name), codec.encode(value)), order);
  }
  diffs.push({ field: codec.field, before, after: codec.display(value), metadataPath });
}

/** The existing (non-nil) child, or a new empty one at its schema position. A nil placeholder is reused. */
function ensureContainer(parent: XmlElement, name: string, order: readonly string[]): XmlElement {
  const existing = elements(parent, name).at(0);
  if (existing) {
    if (isNil(existing)) {
      existing.attributes = existing.attributes.filter(([k]) => localName(k) !== 'nil');
      existing.children = [];
    }
    return existing;
  }
  const created = makeElement(childName(parent, name));
  insertInSchemaOrder(parent, created, order);
  return created;
}

/** A new child's qualified name: the prefix its siblings (or its parent) use, if any. */
export function childName(parent: XmlElement, name: string): string {
  const sibling = elements(parent).at(0);
  const model = sibling?.name ?? parent.name;
  const colon = model.indexOf(':');
  return colon < 0 ? name : `${model.slice(0, colon)}:${name}`;
}

function editOauthPolicy(tree: XmlElement, ip: IpRelaxation | undefined, refresh: RefreshTokenPolicy | undefined, diffs: PolicyDiff[]): void {
  const existing = present(tree, 'oauthPolicy');
  const wants =
    (ip !== undefined && !holds(existing, 'ipRelaxation', ip, IP_RELAXATION_LEAF)) ||
    (refresh !== undefined && !holds(existing, 'refreshTokenPolicy', refresh, REFRESH_TOKEN_LEAF));
  if (!wants) return;
  const oauthPolicy = ensureContainer(tree, 'oauthPolicy', CONNECTED_APP_ELEMENT_ORDER);
  if (ip !== undefined) setLeaf(oauthPolicy, OAUTH_POLICY_ELEMENT_ORDER, 'ipRelaxation', ip, IP_RELAXATION_LEAF, diffs);
  if (refresh !== undefined) setLeaf(oauthPolicy, OAUTH_POLICY_ELEMENT_ORDER, 'refreshTokenPolicy', refresh, REFRESH_TOKEN_LEAF, diffs);
  // Both children are required whenever <oauthPolicy> is present: complete it with the defaults.
  if (presentText(present(oauthPolicy, 'ipRelaxation')) === null) {
    setLeaf(oauthPolicy, OAUTH_POLICY_ELEMENT_ORDER, 'ipRelaxation', CONNECTED_APP_DEFAULTS.ipRelaxation, IP_RELAXATION_LEAF, diffs);
  }
  if (presentText(present(oauthPolicy, 'refreshTokenPolicy')) === null) {
    setLeaf(oauthPolicy, OAUTH_POLICY_ELEMENT_ORDER, 'refreshTokenPolicy', CONNECTED_APP_DEFAULTS.refreshTokenPolicy, REFRESH_TOKEN_LEAF, diffs);
  }
}

export function holds<T>(parent: XmlElement | undefined, name: string, value: T, codec: LeafCodec<T>): boolean {
  const text = presentText(present(parent, name));
  const current = text === null ? undefined : codec.decode(text);
  return current !== undefined && codec.display(current) === codec.display(value);
}

function editSessionTimeout(tree: XmlElement, minutes: number | null, diffs: PolicyDiff[]): void {
  if (minutes !== null) {
    if (holds(present(tree, 'sessionPolicy'), 'sessionTimeout', minutes, SESSION_TIMEOUT_LEAF)) return;
    const sessionPolicy = ensureContainer(tree, 'sessionPolicy', CONNECTED_APP_ELEMENT_ORDER);
    setLeaf(sessionPolicy, SESSION_POLICY_ELEMENT_ORDER, 'sessionTimeout', minutes, SESSION_TIMEOUT_LEAF, diffs);
    return;
  }
  const sessionPolicy = present(tree, 'sessionPolicy');
  if (!sessionPolicy) return;
  const timeouts = elements(sessionPolicy, 'sessionTimeout');
  const current = timeouts.map((e) => presentText(e)).find((t) => t !== null) ?? null;
  if (current === null) return;
  sessionPolicy.children = sessionPolicy.children.filter((n) => !timeouts.includes(n as XmlElement));
  // An empty <sessionPolicy/> says nothing; drop it rather than leave a shell behind.
  if (sessionPolicy.children.every((n) => n.kind === 'text' && n.text.trim() === '')) {
    tree.children = tree.children.filter((n) => n !== sessionPolicy);
  }
  const decoded = SESSION_TIMEOUT_LEAF.decode(current);
  diffs.push({
    field: 'sessionTimeout',
    before: decoded === undefined ? current : String(decoded),
    after: null,
    metadataPath: CONNECTED_APP_METADATA_PATHS.sessionTimeout,
  });
}

// ---- Name lists -------------------------------------------------------------------------------

const ASSIGNMENT_LISTS = [
  ['profileNames', 'profileName'],
  ['permissionSetNames', 'permissionSetName'],
] as const;

function currentNames(tree: XmlElement, name: string): string[] {
  return elements(tree, name)
    .map((e) => presentText(e))
    .filter((t): t is string => t !== null);
}

export function sameNameSet(a: readonly string[], b: readonly string[]): boolean {
  const sa = new Set(a);
  const sb = new Set(b);
  return sa.size === sb.size && [...sa].every((x) => sb.has(x));
}

/**
 * Makes the list of `name` elements hold exactly the desired names (as a set): a no-op when it already
 * does (order and duplicates are left alone); otherwise elements for dropped names go, kept ones stay in
 * place, and new ones follow the last kept one (or take the schema position). An empty list is written as
 * one empty element, the documented way to remove every assignment on deploy.
 */
function editNameList(tree: XmlElement, field: 'profileNames' | 'permissionSetNames', name: string, desired: readonly string[], diffs: PolicyDiff[]): void {
  const existing = currentNames(tree, name);
  if (sameNameSet(existing, desired)) return;
  const metadataPath = CONNECTED_APP_METADATA_PATHS[field];
  const want = new Set(desired);
  const have = new Set(existing);
  const listEls = elements(tree, name);
  const firstIndex = listEls.length > 0 ? tree.children.indexOf(listEls[0]) : -1;

  const removed = listEls.filter((e) => !want.has(presentText(e) ?? ''));
  tree.children = tree.children.filter((n) => !removed.includes(n as XmlElement));
  for (const gone of [...new Set(existing)].filter((n) => !want.has(n))) diffs.push({ field, before: gone, after: null, metadataPath });

  const added = [...want].filter((n) => !have.has(n));
  const newEls = (desired.length === 0 ? [''] : added).map((n) => textElement(childName(tree, name), n));
  if (desired.length === 0) newEls[0].children = [];
  const kept = elements(tree, name);
  if (kept.length > 0) {
    tree.children.splice(tree.children.indexOf(kept[kept.length - 1]) + 1, 0, ...newEls);
  } else if (firstIndex >= 0) {
    tree.children.splice(Math.min(firstIndex, tree.children.length), 0, ...newEls);
  } else {
    for (const el of newEls) insertInSchemaOrder(tree, el, CONNECTED_APP_ELEMENT_ORDER);
  }
  for (const n of added) diffs.push({ field, before: null, after: n, metadataPath });
}
