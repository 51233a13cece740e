/*
 * External Client Apps as the emulator stores them: one component per metadata type (the five types described in
 * schemas/metadata-types.json), each read into the WSDL model like a ConnectedApp, keyed by its own fullName
 * (`App`, `App_oauth`, `App_glbloauth`, `App_oauthPlcy`, `App_plcy` in a retrieve). The consumer secret is never
 * stored in the model (reads never return it).
 */
import { basename } from 'node:path';
import { invalidDocumentedValue, missingRequired, readObject, str, type MdObject } from './metadata-schema.js';
import type { FieldError } from './metadata.js';
import { localName, parseXml } from './xml.js';

/** Metadata type → file suffix (Metadata API guide v67, reference §7). */
export const ECA_TYPES: Readonly<Record<string, string>> = {
  ExternalClientApplication: 'eca',
  ExtlClntAppOauthSettings: 'ecaOauth',
  ExtlClntAppGlobalOauthSettings: 'ecaGlblOauth',
  ExtlClntAppOauthConfigurablePolicies: 'ecaOauthPlcy',
  ExtlClntAppConfigurablePolicies: 'ecaPlcy',
};

/** Folder of each type in a retrieve (listMetadata's fileName). */
export const ECA_FOLDERS: Readonly<Record<string, string>> = {
  ExternalClientApplication: 'externalClientApps',
  ExtlClntAppOauthSettings: 'extlClntAppOauthSettings',
  ExtlClntAppGlobalOauthSettings: 'extlClntAppGlobalOauthSets',
  ExtlClntAppOauthConfigurablePolicies: 'extlClntAppOauthPolicies',
  ExtlClntAppConfigurablePolicies: 'extlClntAppPolicies',
};

export function isEcaType(type: string): boolean {
  return type in ECA_TYPES;
}

export type EcaComponent = { type: string; fullName: string; body: MdObject };

/** Reads one ECA metadata file (throws SchemaViolation when it does not match the WSDL, Error for another root). */
export function parseEcaFile(xml: string, path: string): EcaComponent & { consumerSecret?: string } {
  const { root } = parseXml(xml);
  const type = localName(root.name);
  if (!isEcaType(type)) throw new Error(`${path}: <${root.name}> is not an External Client App type`);
  const body = readObject(root, type);
  const suffix = ECA_TYPES[type];
  const fullName = str(body, 'fullName')?.trim() ?? basename(path).replace(new RegExp(`\\.${suffix}(-meta\\.xml)?$`), '');
  const consumerSecret = str(body, 'consumerSecret');
  delete body.fullName;
  delete body.consumerSecret;
  return { type, fullName, body, consumerSecret };
}

/** The app a component belongs to: externalClientApplication, or the header's own name. */
export function ecaAppOf(c: EcaComponent): string {
  return c.type === 'ExternalClientApplication' ? c.fullName : (str(c.body, 'externalClientApplication')?.trim() ?? c.fullName);
}

/**
 * What the org checks when it saves an ECA component that parsed: required elements and the guide's value sets
 * (ipRelaxationPolicyType, refreshTokenValidityUnit). guess: the same codes as for ConnectedApp; a specific
 * refresh-token type without period and unit is refused like a malformed ConnectedApp refreshTokenPolicy.
 */
export function validateEcaComponent(type: string, body: MdObject): FieldError | undefined {
  const missing = missingRequired(body, type);
  if (missing) return { statusCode: 'REQUIRED_FIELD_MISSING', message: `Required field is missing: ${missing}`, fields: [missing] };
  const bad = invalidDocumentedValue(body, type);
  if (bad) return { statusCode: 'FIELD_INTEGRITY_EXCEPTION', message: `'${bad.value}' is not a valid value for the field ${bad.field}`, fields: [bad.field] };
  if (type === 'ExtlClntAppOauthConfigurablePolicies') {
    const rt = str(body, 'refreshTokenPolicyType');
    if ((rt === 'SpecificLifetime' || rt === 'SpecificInactivity') && (str(body, 'refreshTokenValidityPeriod') === undefined || str(body, 'refreshTokenValidityUnit') === undefined)) {
      return { statusCode: 'FIELD_INTEGRITY_EXCEPTION', message: `Invalid refresh token policy: ${rt} needs refreshTokenValidityPeriod and refreshTokenValidityUnit`, fields: ['refreshTokenValidityPeriod'] };
    }
  }
  return undefined;
}
