/*
 * The incident snapshot: what `contain` records about an app before it changes anything, and what `restore` puts
 * back. Versioned (`format` + `version`) and pinned by schemas/file-connectedapp-snapshot.json, generated from the
 * IncidentSnapshot type below. It never holds a secret: no token, no consumer secret.
 *
 * Restoring the policy is exact: the policy elements of the app's metadata (who may authorize, IP relaxation,
 * refresh-token policy, session policy, PKCE, refresh-token rotation) are put back element for element as the
 * snapshot has them — an element the snapshot lacks is removed, not set to its default — and every other element
 * is left as it is now.
 *
 * Version 1 holds a connected app (its ConnectedApp metadata). Version 2 adds `app.type` and can hold an External
 * Client App (its ExtlClntAppOauthConfigurablePolicies component, where an ECA keeps those policies except PKCE and
 * rotation). A snapshot is written in the lowest version that can hold it, so a connected app's snapshot stays
 * readable by plugins that know version 1 only, and an older plugin refuses an ECA's snapshot as "newer".
 */
import type { HolderKind } from '../access/assignments.js';
import { ECA_METADATA_PATHS, ecaPartOf, readExternalClientAppPolicy } from '../policy/eca.js';
import { diffPolicies, CONNECTED_APP_ELEMENT_ORDER, insertInSchemaOrder, OAUTH_CONFIG_ELEMENT_ORDER, type PolicyDiff, type PolicyEditResult } from '../policy/policy-edit.js';
import { CONNECTED_APP_METADATA_PATHS, policyFieldValue, readConnectedAppPolicy, type AppKind, type AppPolicy, type PermittedUsers, type PolicyField } from '../policy/policy.js';
import { cloneElement, elements, parseXml, serializeXml, XmlParseError, type XmlElement } from '../xml.js';

export const SNAPSHOT_FORMAT = 'sf-connectedapp-snapshot';
/** The newest version this plugin reads and writes (see above: 1 for a connected app, 2 for an External Client App). */
export const SNAPSHOT_VERSION = 2;
export type SnapshotVersion = 1 | 2;

/** The lowest version that can hold a snapshot of this kind of app. */
export const snapshotVersionFor = (type: AppKind): SnapshotVersion => (type === 'external-client-app' ? 2 : 1);

/** A profile or permission set that held the app. */
export type SnapshotHolder = {
  kind: HolderKind;
  /** Permission set API name (ns__Name when namespaced) or profile name. */
  name: string;
  /** Permission set label, or the profile name. */
  label: string;
  /** The permission set carrying the access (for a profile, the one it owns). */
  permissionSetId: string;
};

/** The policy as it was, in plain values, for people reading the file (restore uses `metadata`). */
export type SnapshotPolicy = {
  permittedUsers: PermittedUsers;
  ipRelaxation: string;
  refreshTokenPolicy: string;
  sessionTimeoutMinutes: number | null;
  /** null for an External Client App: its global OAuth settings keep it, which a snapshot does not hold. */
  pkceRequired: boolean | null;
  /** null for an External Client App, as pkceRequired. */
  refreshTokenRotation: boolean | null;
};

export type IncidentSnapshot = {
  /** Always "sf-connectedapp-snapshot". */
  format: typeof SNAPSHOT_FORMAT;
  /** The format version: 1 (a connected app) or 2 (either kind, named in app.type); this plugin reads both. */
  version: SnapshotVersion;
  /** When the snapshot was taken (ISO 8601, UTC). */
  takenAt: string;
  /** The org the snapshot was taken in: restore refuses any other. */
  orgId: string;
  app: {
    /** The app's label: the name its OAuth tokens carry. */
    name: string;
    /** The ConnectedApp (or External Client App) metadata name; null when the app is not installed or has no metadata. */
    apiName: string | null;
    /** The ConnectedApplication Id (0H4…) or ExternalClientApplication Id; null when the app is not installed. */
    appId: string | null;
    installed: boolean;
    /** Version 2 only: the kind of app. A version 1 snapshot is of a connected app. */
    type?: AppKind;
  };
  /** The policy as it was; null when the app's metadata could not be read (or the app is not installed). */
  policy: SnapshotPolicy | null;
  /**
   * The app's policy metadata as read, as XML — a connected app's ConnectedApp (consumer secret removed), an External
   * Client App's ExtlClntAppOauthConfigurablePolicies; null when not readable.
   */
  metadata: string | null;
  /** Every profile and permission set that held the app. */
  assignments: SnapshotHolder[];
  /** OAuth tokens held when the snapshot was taken: a record only, tokens cannot be restored. */
  tokens: { count: number };
};

/** Why a file is not a snapshot this version can restore. */
export class SnapshotError extends Error {
  public constructor(public readonly reason: 'not-a-snapshot' | 'newer-version' | 'invalid', detail: string) {
    super(detail);
    this.name = 'SnapshotError';
  }
}

/** Checks a parsed JSON value is a snapshot of this version, field by field; throws SnapshotError saying what is wrong. */
export function parseSnapshot(value: unknown): IncidentSnapshot {
  const obj = (v: unknown, path: string): Record<string, unknown> => {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new SnapshotError('invalid', `${path} must be an object`);
    return v as Record<string, unknown>;
  };
  const root = obj(value, 'the file');
  if (root.format !== SNAPSHOT_FORMAT) throw new SnapshotError('not-a-snapshot', `"format" is ${JSON.stringify(root.format)}, not "${SNAPSHOT_FORMAT}"`);
  if (typeof root.version !== 'number' || !Number.isInteger(root.version)) throw new SnapshotError('invalid', '"version" must be an integer');
  if (root.version > SNAPSHOT_VERSION) throw new SnapshotError('newer-version', `version ${root.version} (this plugin reads versions 1 to ${SNAPSHOT_VERSION})`);
  if (root.version !== 1 && root.version !== 2) throw new SnapshotError('invalid', `version ${root.version} is not a known version`);
  const version: SnapshotVersion = root.version;
  const str = (o: Record<string, unknown>, key: string, path: string, nullable = false): string | null => {
    const v = o[key];
    if (nullable && v === null) return null;
    if (typeof v !== 'string' || v === '') throw new SnapshotError('invalid', `${path}.${key} must be a non-empty string${nullable ? ' or null' : ''}`);
    return v;
  };
  const bool = (o: Record<string, unknown>, key: string, path: string): boolean => {
    if (typeof o[key] !== 'boolean') throw new SnapshotError('invalid', `${path}.${key} must be true or false`);
    return o[key];
  };
  const takenAt = str(root, 'takenAt', '') ?? '';
  if (Number.isNaN(Date.parse(takenAt))) throw new SnapshotError('invalid', '.takenAt must be an ISO 8601 date-time');
  const app = obj(root.app, '.app');
  const installed = bool(app, 'installed', '.app');
  let type: AppKind = 'connected-app';
  if (version === 2) {
    if (app.type !== 'connected-app' && app.type !== 'external-client-app') throw new SnapshotError('invalid', '.app.type must be "connected-app" or "external-client-app"');
    type = app.type;
  } else if (app.type !== undefined) throw new SnapshotError('invalid', '.app.type is not part of version 1');
  const metadata = str(root, 'metadata', '', true);
  if (metadata !== null) {
    const what = type === 'external-client-app' ? 'ExtlClntAppOauthConfigurablePolicies' : 'ConnectedApp';
    try {
      const tree = parseXml(metadata).root;
      if (type === 'external-client-app' && ecaPartOf(tree) !== 'ecaOauthPlcy') throw new Error(`the root element is ${tree.name}`);
      if (type === 'connected-app') readConnectedAppPolicy(tree);
    } catch (error) {
      throw new SnapshotError('invalid', `.metadata is not ${what} XML: ${error instanceof XmlParseError || error instanceof Error ? error.message : String(error)}`);
    }
  }
  if (!Array.isArray(root.assignments)) throw new SnapshotError('invalid', '.assignments must be a list');
  const assignments = root.assignments.map((a: unknown, i): SnapshotHolder => {
    const h = obj(a, `.assignments[${i}]`);
    if (h.kind !== 'profile' && h.kind !== 'permission-set') throw new SnapshotError('invalid', `.assignments[${i}].kind must be "profile" or "permission-set"`);
    return { kind: h.kind, name: str(h, 'name', `.assignments[${i}]`) ?? '', label: str(h, 'label', `.assignments[${i}]`) ?? '', permissionSetId: str(h, 'permissionSetId', `.assignments[${i}]`) ?? '' };
  });
  const tokens = obj(root.tokens, '.tokens');
  if (typeof tokens.count !== 'number') throw new SnapshotError('invalid', '.tokens.count must be a number');
  return {
    format: SNAPSHOT_FORMAT,
    version,
    takenAt,
    orgId: str(root, 'orgId', '') ?? '',
    app: { name: str(app, 'name', '.app') ?? '', apiName: str(app, 'apiName', '.app', true), appId: str(app, 'appId', '.app', true), installed, ...(version === 2 ? { type } : {}) },
    policy: root.policy === null || root.policy === undefined ? null : (obj(root.policy, '.policy') as SnapshotPolicy),
    metadata,
    assignments,
    tokens: { count: tokens.count },
  };
}

/** The kind of app a snapshot holds (version 1: a connected app). */
export const snapshotAppType = (snapshot: Pick<IncidentSnapshot, 'app'>): AppKind => snapshot.app.type ?? 'connected-app';

/** The policy an app's policy metadata holds: a ConnectedApp, or an External Client App's OAuth policies component. */
function policyOf(record: XmlElement, type: AppKind): AppPolicy {
  return type === 'external-client-app' ? readExternalClientAppPolicy({ ecaOauthPlcy: record }) : readConnectedAppPolicy(record);
}

/** The snapshot's plain policy values, from the app's policy metadata. */
export function snapshotPolicy(record: XmlElement, type: AppKind = 'connected-app'): SnapshotPolicy {
  const policy = policyOf(record, type);
  const eca = type === 'external-client-app';
  return {
    permittedUsers: policy.permittedUsers,
    ipRelaxation: String(policyFieldValue(policy, 'ipRelaxation')),
    refreshTokenPolicy: String(policyFieldValue(policy, 'refreshTokenPolicy')),
    sessionTimeoutMinutes: policy.session.timeoutMinutes,
    pkceRequired: eca ? null : policy.pkceRequired,
    refreshTokenRotation: eca ? null : policy.refreshTokenRotation,
  };
}

/** The metadata as the snapshot keeps it (callers remove the consumer secret first). */
export function snapshotMetadata(record: XmlElement): string {
  return serializeXml(record);
}

/** `<oauthConfig>` leaves that are policy, and the model field each one shows as. */
const OAUTH_CONFIG_LEAVES: ReadonlyArray<[string, PolicyField]> = [
  ['isAdminApproved', 'permittedUsers'],
  ['isPkceRequired', 'pkceRequired'],
  ['isRefreshTokenRotationEnabled', 'refreshTokenRotation'],
];
/** Top-level elements that are policy as a whole. */
const POLICY_BLOCKS: ReadonlyArray<[string, PolicyField]> = [
  ['oauthPolicy', 'ipRelaxation'],
  ['sessionPolicy', 'sessionTimeout'],
];

const same = (a: XmlElement, b: XmlElement): boolean => serializeXml(a, { declaration: false }) === serializeXml(b, { declaration: false });

/** Makes `parent`'s `name` elements exactly `wanted` (absent: none). True when something changed. */
function putBack(parent: XmlElement, name: string, wanted: XmlElement | undefined, order: readonly string[]): boolean {
  const existing = elements(parent, name);
  if (wanted === undefined) {
    if (existing.length === 0) return false;
    parent.children = parent.children.filter((c) => !existing.includes(c as XmlElement));
    return true;
  }
  if (existing.length === 1 && same(existing[0], wanted)) return false;
  const copy = cloneElement(wanted);
  if (existing.length > 0) {
    const at = parent.children.indexOf(existing[0]);
    parent.children = parent.children.filter((c, i) => i === at || !existing.includes(c as XmlElement));
    parent.children[parent.children.indexOf(existing[0])] = copy;
  } else insertInSchemaOrder(parent, copy, order);
  return true;
}

/**
 * Puts the policy elements of `current` (an app's metadata now) back as `snapshot` has them. The diffs are model
 * diffs; an element whose text changes without changing the model (an explicit default added or removed) gets a
 * diff with equal before and after, so the update is still sent and checked.
 */
export function restorePolicyElements(current: XmlElement, snapshot: XmlElement): PolicyEditResult {
  const before = readConnectedAppPolicy(current);
  readConnectedAppPolicy(snapshot);
  const tree = cloneElement(current);
  const touched: PolicyField[] = [];
  const oauth = elements(tree, 'oauthConfig')[0] as XmlElement | undefined;
  const wantedOauth = elements(snapshot, 'oauthConfig')[0] as XmlElement | undefined;
  if (oauth && wantedOauth) {
    for (const [leaf, field] of OAUTH_CONFIG_LEAVES) if (putBack(oauth, leaf, elements(wantedOauth, leaf)[0], OAUTH_CONFIG_ELEMENT_ORDER)) touched.push(field);
  }
  for (const [block, field] of POLICY_BLOCKS) if (putBack(tree, block, elements(snapshot, block)[0], CONNECTED_APP_ELEMENT_ORDER)) touched.push(field);
  return { root: tree, diffs: withTouched(before, readConnectedAppPolicy(tree), touched, CONNECTED_APP_METADATA_PATHS), warnings: [] };
}

/** The leaves of an External Client App's OAuth policies that are policy (the twins of the blocks above), and their model field. */
const ECA_POLICY_LEAVES: ReadonlyArray<[string, PolicyField]> = [
  ['ipRelaxationPolicyType', 'ipRelaxation'],
  ['permittedUsersPolicyType', 'permittedUsers'],
  ['policyAction', 'sessionPolicyAction'],
  ['refreshTokenPolicyType', 'refreshTokenPolicy'],
  ['refreshTokenValidityPeriod', 'refreshTokenPolicy'],
  ['refreshTokenValidityUnit', 'refreshTokenPolicy'],
  ['requiredSessionLevel', 'highAssurance'],
  ['sessionTimeoutInMinutes', 'sessionTimeout'],
];

/** The metadata elements a restore compares with the snapshot (and puts back when they differ), for each kind of app. */
export function restoredElements(kind: AppKind): string[] {
  if (kind === 'external-client-app') return [...new Set(ECA_POLICY_LEAVES.map(([leaf]) => leaf))];
  return [...OAUTH_CONFIG_LEAVES.map(([leaf]) => `oauthConfig.${leaf}`), ...POLICY_BLOCKS.map(([block]) => block)];
}

/** Every sequence in the Metadata API WSDL is alphabetical: no element list needed. */
const WSDL_ORDER: readonly string[] = [];

/**
 * `restorePolicyElements` for an External Client App: puts the policy leaves of its OAuth policies component
 * (`current`, as read now) back as `snapshot` has them; everything else (the profile and permission set lists, flows,
 * custom attributes) is left as it is now.
 */
export function restoreEcaPolicyElements(current: XmlElement, snapshot: XmlElement): PolicyEditResult {
  for (const [what, tree] of [['the app', current], ['the snapshot', snapshot]] as const) {
    if (ecaPartOf(tree) !== 'ecaOauthPlcy') throw new SnapshotError('invalid', `${what} holds ${tree.name}, not ExtlClntAppOauthConfigurablePolicies`);
  }
  const before = policyOf(current, 'external-client-app');
  const tree = cloneElement(current);
  const touched = new Set<PolicyField>();
  for (const [leaf, field] of ECA_POLICY_LEAVES) if (putBack(tree, leaf, elements(snapshot, leaf)[0], WSDL_ORDER)) touched.add(field);
  return { root: tree, diffs: withTouched(before, policyOf(tree, 'external-client-app'), touched, ECA_METADATA_PATHS), warnings: [] };
}

/** Model diffs, plus an equal before/after diff for each touched field the model does not see change (so it is still sent and checked). */
function withTouched(before: AppPolicy, after: AppPolicy, touched: Iterable<PolicyField>, paths: Readonly<Record<PolicyField, string>>): PolicyDiff[] {
  const diffs = diffPolicies(before, after);
  for (const field of touched) {
    if (diffs.some((d) => d.field === field)) continue;
    const value = policyFieldValue(after, field);
    const text = Array.isArray(value) ? value.join(', ') : value;
    diffs.push({ field, before: text, after: text, metadataPath: paths[field] });
  }
  return diffs;
}

/** The snapshot's metadata as a tree. */
export function snapshotRecord(snapshot: Pick<IncidentSnapshot, 'metadata'>): XmlElement | null {
  return snapshot.metadata === null ? null : parseXml(snapshot.metadata).root;
}

