/*
 * Lossless edits of an External Client App's OAuth policies: the ExtlClntAppOauthConfigurablePolicies component,
 * where an ECA keeps every admin policy (permitted users, IP relaxation, refresh token, session timeout, profile
 * and permission set lists; reference §7). The ECA twin of `applyPolicyChange`: the same PolicyChange, the same
 * model-level diffs (with ECA metadata paths), written in the ECA enum spellings. Everything not named by the
 * change is carried over untouched; new elements go to their WSDL position (alphabetical, as every Metadata API
 * sequence).
 *
 * PKCE and refresh-token rotation live in the ECA's global OAuth settings (ExtlClntAppGlobalOauthSettings), a
 * developer-side component that also holds the consumer secret; asking for them here is refused (EcaGlobalSetting).
 */
import { ECA_METADATA_PATHS, ecaPartOf } from './eca.js';
import { parseEcaIpRelaxation, toEcaIpRelaxation, type IpRelaxation } from './ip-relaxation.js';
import { parseEcaPermittedUsers, present, presentText, SESSION_TIMEOUT_CHOICES, toEcaPermittedUsers, type PermittedUsers } from './policy.js';
import {
  attempt,
  childName,
  insertInSchemaOrder,
  sameNameSet,
  SESSION_TIMEOUT_LEAF,
  setLeaf,
  validateChange,
  type LeafCodec,
  type PolicyChange,
  type PolicyDiff,
  type PolicyEditResult,
  type PolicyEditWarning,
} from './policy-edit.js';
import { PolicyError } from './policy-error.js';
import { formatRefreshTokenPolicy, parseEcaRefreshToken, sameRefreshTokenPolicy, toEcaRefreshToken, type RefreshTokenPolicy } from './refresh-token.js';
import { cloneElement, elements, textElement, type XmlElement } from '../xml.js';

/** Every sequence in the Metadata API WSDL is alphabetical (fullName first): no list needed. */
const WSDL_ORDER: readonly string[] = [];

const PERMITTED_USERS: LeafCodec<PermittedUsers> = {
  field: 'permittedUsers',
  encode: toEcaPermittedUsers,
  decode: (text) => attempt(() => parseEcaPermittedUsers(text)),
  display: (v) => v,
};

const IP_RELAXATION: LeafCodec<IpRelaxation> = {
  field: 'ipRelaxation',
  encode: toEcaIpRelaxation,
  decode: (text) => attempt(() => parseEcaIpRelaxation(text)),
  display: (v) => v,
};

const LISTS = [
  ['profileNames', 'commaSeparatedProfile'],
  ['permissionSetNames', 'commaSeparatedPermissionSet'],
] as const;

/**
 * Applies a change to an ExtlClntAppOauthConfigurablePolicies tree (a file root or a readMetadata `<records>`).
 * Throws PolicyError: NotEcaOauthPolicies (another element), EcaGlobalSetting (PKCE or rotation asked for),
 * AssignmentsRequireAdminApproved, and the Invalid* codes for values that are not valid.
 */
export function applyEcaPolicyChange(root: XmlElement, change: PolicyChange): PolicyEditResult {
  if (ecaPartOf(root) !== 'ecaOauthPlcy') throw new PolicyError('NotEcaOauthPolicies', { input: root.name });
  const c = validateChange(change);
  if (c.pkceRequired !== undefined) throw new PolicyError('EcaGlobalSetting', { field: 'pkceRequired' });
  if (c.refreshTokenRotation !== undefined) throw new PolicyError('EcaGlobalSetting', { field: 'refreshTokenRotation' });
  const tree = cloneElement(root);
  const diffs: PolicyDiff[] = [];
  const warnings: PolicyEditWarning[] = [];
  const path = (field: keyof typeof ECA_METADATA_PATHS): string => ECA_METADATA_PATHS[field];

  const adminApprovedNow = PERMITTED_USERS.decode(presentText(present(tree, 'permittedUsersPolicyType')) ?? '') === 'admin-approved';
  const adminApprovedAfter = c.permittedUsers ? c.permittedUsers === 'admin-approved' : adminApprovedNow;
  for (const [field, name] of LISTS) {
    const desired = c[field];
    if (desired && desired.length > 0 && !adminApprovedAfter && !sameNameSet(listedNames(tree, name), desired)) {
      throw new PolicyError('AssignmentsRequireAdminApproved', { field });
    }
  }

  if (c.permittedUsers !== undefined) setLeaf(tree, WSDL_ORDER, 'permittedUsersPolicyType', c.permittedUsers, PERMITTED_USERS, diffs, path('permittedUsers'));
  if (c.ipRelaxation !== undefined) setLeaf(tree, WSDL_ORDER, 'ipRelaxationPolicyType', c.ipRelaxation, IP_RELAXATION, diffs, path('ipRelaxation'));
  if (c.refreshTokenPolicy !== undefined) setRefreshToken(tree, c.refreshTokenPolicy, diffs);
  if (c.sessionTimeoutMinutes !== undefined) {
    if (c.sessionTimeoutMinutes === null) removeLeaf(tree, 'sessionTimeoutInMinutes', SESSION_TIMEOUT_LEAF, diffs);
    else setLeaf(tree, WSDL_ORDER, 'sessionTimeoutInMinutes', c.sessionTimeoutMinutes, SESSION_TIMEOUT_LEAF, diffs, path('sessionTimeout'));
    if (c.sessionTimeoutMinutes !== null && !SESSION_TIMEOUT_CHOICES.includes(c.sessionTimeoutMinutes)) warnings.push({ code: 'NonStandardSessionTimeout', field: 'sessionTimeout' });
  }
  for (const [field, name] of LISTS) {
    const desired = c[field];
    if (desired) editList(tree, field, name, desired, diffs);
  }
  if (c.permittedUsers === 'all-self-authorize' && diffs.some((d) => d.field === 'permittedUsers') && LISTS.some(([, name]) => listedNames(tree, name).length > 0)) {
    warnings.push({ code: 'AssignmentsIgnoredWithoutAdminApproval', field: 'permittedUsers' });
  }
  return { root: tree, diffs, warnings };
}

/** The refresh-token policy is three elements: the type, and a period and unit for the specific types only. */
function setRefreshToken(tree: XmlElement, wanted: RefreshTokenPolicy, diffs: PolicyDiff[]): void {
  const texts = {
    type: presentText(present(tree, 'refreshTokenPolicyType')),
    period: presentText(present(tree, 'refreshTokenValidityPeriod')),
    unit: presentText(present(tree, 'refreshTokenValidityUnit')),
  };
  const current = texts.type === null ? undefined : attempt(() => parseEcaRefreshToken(texts));
  if (current !== undefined && sameRefreshTokenPolicy(current, wanted)) return;
  const fields = toEcaRefreshToken(wanted);
  const set = (name: string, value: string | null): void => {
    const existing = elements(tree, name);
    if (value === null) {
      tree.children = tree.children.filter((n) => !existing.includes(n as XmlElement));
      return;
    }
    if (existing[0]) existing[0].children = [{ kind: 'text', text: value }];
    else insertInSchemaOrder(tree, textElement(childName(tree, name), value), WSDL_ORDER);
  };
  set('refreshTokenPolicyType', fields.refreshTokenPolicyType);
  set('refreshTokenValidityPeriod', fields.refreshTokenValidityPeriod === null ? null : String(fields.refreshTokenValidityPeriod));
  set('refreshTokenValidityUnit', fields.refreshTokenValidityUnit);
  const before = texts.type === null ? null : current ? formatRefreshTokenPolicy(current) : [texts.type, texts.period, texts.unit].filter((t) => t !== null).join(':');
  diffs.push({ field: 'refreshTokenPolicy', before, after: formatRefreshTokenPolicy(wanted), metadataPath: ECA_METADATA_PATHS.refreshTokenPolicy });
}

function removeLeaf<T>(tree: XmlElement, name: string, codec: LeafCodec<T>, diffs: PolicyDiff[]): void {
  const existing = elements(tree, name);
  const text = existing.map((e) => presentText(e)).find((t) => t !== null) ?? null;
  if (existing.length === 0) return;
  tree.children = tree.children.filter((n) => !existing.includes(n as XmlElement));
  if (text === null) return;
  const decoded = codec.decode(text);
  diffs.push({ field: codec.field, before: decoded === undefined ? text : codec.display(decoded), after: null, metadataPath: ECA_METADATA_PATHS[codec.field] });
}

function listedNames(tree: XmlElement, name: string): string[] {
  return (presentText(present(tree, name)) ?? '')
    .split(',')
    .map((n) => n.trim())
    .filter((n) => n !== '');
}

/** Makes a comma-separated list hold exactly the desired names: kept names stay in order, new ones follow; [] removes it. */
function editList(tree: XmlElement, field: 'profileNames' | 'permissionSetNames', name: string, desired: readonly string[], diffs: PolicyDiff[]): void {
  const existing = listedNames(tree, name);
  if (sameNameSet(existing, desired)) return;
  const want = new Set(desired);
  const kept = existing.filter((n) => want.has(n));
  const added = [...want].filter((n) => !existing.includes(n));
  const text = [...new Set([...kept, ...added])].join(',');
  const el = present(tree, name);
  if (text === '') tree.children = tree.children.filter((n) => n !== el);
  else if (el) el.children = [{ kind: 'text', text }];
  else insertInSchemaOrder(tree, textElement(childName(tree, name), text), WSDL_ORDER);
  const metadataPath = ECA_METADATA_PATHS[field];
  for (const gone of [...new Set(existing)].filter((n) => !want.has(n))) diffs.push({ field, before: gone, after: null, metadataPath });
  for (const n of added) diffs.push({ field, before: null, after: n, metadataPath });
}
