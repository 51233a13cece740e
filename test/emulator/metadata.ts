/*
 * ConnectedApp metadata as the emulator stores it: the component read into the WSDL model (metadata-schema.ts),
 * without fullName / profileName / permissionSetName / consumerSecret, which live elsewhere; the checks the org
 * makes when it saves a component (per-record errors); and the ConnectedApplication sObject fields derived from it.
 */
import {
  bool,
  copyObject,
  invalidDocumentedValue,
  missingRequired,
  readObject,
  str,
  strs,
  sub,
  writeObject,
  type MdObject,
} from './metadata-schema.js';
import { localName, parseXml, type XmlElement } from './xml.js';

/** Deploy-only scope values and what they are stored as (guide: "stored as Basic", OfflineAccess = RefreshToken). */
const SCOPE_ALIASES: Record<string, string> = { Profile: 'Basic', Email: 'Basic', Address: 'Basic', Phone: 'Basic', OfflineAccess: 'RefreshToken' };

export type SplitComponent = {
  body: MdObject;
  fullName?: string;
  /** undefined: no element sent; [] : the empty element (remove all). */
  profileNames?: string[];
  permissionSetNames?: string[];
  consumerSecret?: string;
};

/** Reads a ConnectedApp element (throws SchemaViolation) and splits off the parts the org keeps elsewhere. */
export function splitComponent(el: XmlElement): SplitComponent {
  const model = readObject(el, 'ConnectedApp');
  const namesOf = (field: string): string[] | undefined => (model[field] === undefined ? undefined : strs(model, field).map((n) => n.trim()).filter((n) => n !== ''));
  const split: SplitComponent = {
    body: model,
    fullName: str(model, 'fullName')?.trim(),
    profileNames: namesOf('profileName'),
    permissionSetNames: namesOf('permissionSetName'),
    consumerSecret: str(sub(model, 'oauthConfig'), 'consumerSecret'),
  };
  delete model.fullName;
  delete model.module;
  delete model.profileName;
  delete model.permissionSetName;
  const oauth = sub(model, 'oauthConfig');
  if (oauth) {
    delete oauth.consumerSecret;
    if (oauth.scopes) oauth.scopes = [...new Set(strs(oauth, 'scopes').map((s) => SCOPE_ALIASES[s] ?? s))];
  }
  return split;
}

/** Parses a ConnectedApp document (a scenario's file or inline XML). */
export function parseConnectedApp(xml: string): SplitComponent {
  const { root } = parseXml(xml);
  if (localName(root.name) !== 'ConnectedApp') throw new Error(`expected a <ConnectedApp> document, got <${root.name}>`);
  return splitComponent(root);
}

/** The component as readMetadata returns it: written from the model, every element in WSDL order. */
export function renderComponent(fullName: string, body: MdObject, profileNames: string[], permissionSetNames: string[]): XmlElement[] {
  const model: MdObject = { ...copyObject(body), fullName: [fullName] };
  if (profileNames.length > 0) model.profileName = profileNames;
  if (permissionSetNames.length > 0) model.permissionSetName = permissionSetNames;
  return writeObject(model, 'ConnectedApp');
}

/** The stored component as a `<ConnectedApp>` tree (for tests and benchmarks that inspect the org). */
export function componentXml(body: MdObject): XmlElement {
  return { kind: 'element', name: 'ConnectedApp', attributes: [['xmlns', 'http://soap.sforce.com/2006/04/metadata']], children: writeObject(body, 'ConnectedApp') };
}

export type FieldError = { statusCode: string; message: string; fields: string[] };

/**
 * What the org checks when it saves a component that parsed: required elements, and the value sets the guide
 * documents for string-typed fields (ipRelaxation, refreshTokenPolicy, policyAction). The first problem, per record.
 * guess: REQUIRED_FIELD_MISSING for a missing required element and FIELD_INTEGRITY_EXCEPTION for a bad documented
 * value, as for sObjects.
 */
export function validateComponent(c: SplitComponent): FieldError | undefined {
  const missing = missingRequired(c.body, 'ConnectedApp');
  if (missing) {
    const field = missing.split('.').at(-1) ?? missing;
    return { statusCode: 'REQUIRED_FIELD_MISSING', message: `Required field is missing: ${field}`, fields: [field] };
  }
  for (const required of ['label', 'contactEmail']) {
    if ((str(c.body, required) ?? '').trim() === '') return { statusCode: 'REQUIRED_FIELD_MISSING', message: `Required field is missing: ${required}`, fields: [required] };
  }
  const bad = invalidDocumentedValue(c.body, 'ConnectedApp');
  if (bad) {
    const message = bad.field === 'refreshTokenPolicy' ? `Invalid refresh token policy: ${bad.value}` : `'${bad.value}' is not a valid value for the field ${bad.field}`;
    return { statusCode: 'FIELD_INTEGRITY_EXCEPTION', message, fields: [bad.field] };
  }
  for (const range of (c.body.ipRanges ?? []) as MdObject[]) {
    for (const f of ['start', 'end']) {
      const v = str(range, f) ?? '';
      if (!/^\d{1,3}(\.\d{1,3}){3}$/.test(v.trim())) return { statusCode: 'FIELD_INTEGRITY_EXCEPTION', message: `Invalid IP address: ${v}`, fields: [f] };
    }
  }
  return undefined;
}

export function isAdminApproved(body: MdObject): boolean {
  return bool(sub(body, 'oauthConfig'), 'isAdminApproved') === true;
}

export function labelOf(body: MdObject | undefined): string | undefined {
  return str(body, 'label');
}

/**
 * ConnectedApplication fields that follow from the metadata.
 * guess: `infinite` → RefreshTokenValidityPeriod null; `zero` → 0; `specific_lifetime:N:U` → N with metric false
 * (from issue); `specific_inactivity:N:U` → N with metric true (from last use). The unit is not exposed.
 */
export function derivedSObjectFields(body: MdObject): Record<string, unknown> {
  const policy = sub(body, 'oauthPolicy');
  const rt = str(policy, 'refreshTokenPolicy')?.trim();
  let period: number | null = null;
  let metric = false;
  if (rt === 'zero') period = 0;
  const m = rt ? /^specific_(lifetime|inactivity):(\d+):/.exec(rt) : null;
  if (m) {
    period = Number(m[2]);
    metric = m[1] === 'inactivity';
  }
  const session = sub(body, 'sessionPolicy');
  return {
    OptionsAllowAdminApprovedUsersOnly: isAdminApproved(body),
    OptionsRefreshTokenValidityMetric: metric,
    RefreshTokenValidityPeriod: period,
    OptionsHasSessionLevelPolicy: str(session, 'policyAction') === 'RaiseSessionLevel' || str(session, 'sessionLevel') !== undefined,
    OptionsTokenExchangeManageBitEnabled: bool(policy, 'isTokenExchangeFlowEnabled') === true,
    StartUrl: str(body, 'startUrl') ?? null,
    MobileStartUrl: str(body, 'mobileStartUrl') ?? null,
  };
}

/** A minimal stored component for an app the scenario gives no metadata. */
export function minimalComponent(label: string): MdObject {
  return { contactEmail: ['admin@example.com'], label: [label] };
}

