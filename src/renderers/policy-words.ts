// Policy values in the words Setup uses, from the connectedapp.policy bundle (PolicyError → SfError: operations/policy-sf-error.ts).
import { Messages } from '@salesforce/core';
import { ECA_METADATA_PATHS } from '../domain/policy/eca.js';
import { toEcaIpRelaxation } from '../domain/policy/ip-relaxation.js';
import { CONNECTED_APP_METADATA_PATHS, toEcaPermittedUsers, type AppPolicy, type PolicyField } from '../domain/policy/policy.js';
import { toEcaRefreshToken, type RefreshTokenPolicy } from '../domain/policy/refresh-token.js';

Messages.importMessagesDirectoryFromMetaUrl(import.meta.url);
const messages = Messages.loadMessages('plugin-connectedapp', 'connectedapp.policy');

export function settingLabel(field: PolicyField): string {
  return messages.getMessage(`setting.${field}`);
}

export function refreshTokenWords(policy: RefreshTokenPolicy): string {
  if (policy.kind === 'infinite' || policy.kind === 'zero') return messages.getMessage(`value.refreshToken.${policy.kind}`);
  return messages.getMessage(`value.refreshToken.${policy.kind}`, [policy.value, messages.getMessage(`value.unit.${policy.unit}`)]);
}

const yesNo = (value: boolean): string => messages.getMessage(`value.${String(value)}`);
const list = (values: readonly string[]): string => (values.length ? values.join(', ') : messages.getMessage('value.none'));

/** The value of one field as an admin reads it in Setup. */
export function fieldWords(policy: AppPolicy, field: PolicyField): string {
  switch (field) {
    case 'permittedUsers':
      return messages.getMessage(`value.permittedUsers.${policy.permittedUsers}`);
    case 'ipRelaxation':
      return messages.getMessage(`value.ipRelaxation.${policy.ipRelaxation}`);
    case 'refreshTokenPolicy':
      return refreshTokenWords(policy.refreshTokenPolicy);
    case 'sessionTimeout':
      return policy.session.timeoutMinutes === null ? messages.getMessage('value.sessionTimeout.none') : messages.getMessage('value.sessionTimeout.minutes', [policy.session.timeoutMinutes]);
    case 'highAssurance':
      return yesNo(policy.session.highAssurance);
    case 'pkceRequired':
    case 'refreshTokenRotation':
    case 'secretRequiredForRefreshToken':
      return yesNo(policy[field]);
    case 'consumerSecretOptional':
      // Setup asks the opposite question: "Require Secret for Web Server Flow".
      return yesNo(!policy.consumerSecretOptional);
    case 'jwtCertificate':
      return yesNo(policy.flows.jwtCertificate);
    case 'clientCredentials':
      return yesNo(policy.flows.clientCredentials.enabled);
    case 'clientCredentialsUser':
      return policy.flows.clientCredentials.runAsUser ?? messages.getMessage('value.none');
    case 'tokenExchange':
      return yesNo(policy.flows.tokenExchange);
    case 'scopes':
    case 'callbackUrls':
    case 'profileNames':
    case 'permissionSetNames':
      return list(policy[field]);
    case 'ipRanges':
      return list(policy.ipRanges.map((r) => `${r.start} – ${r.end}`));
    default:
      return '';
  }
}

/** Fields whose Setup question is the opposite of their metadata element ("Require Secret…" vs isConsumerSecretOptional). */
const INVERTED: ReadonlySet<PolicyField> = new Set(['consumerSecretOptional']);

/**
 * The metadata value beside the Setup words. Where Setup asks the opposite question, the element is named, so
 * "Require Secret for Web Server Flow │ Yes │ false" does not read as a contradiction.
 */
export function metadataWords(field: PolicyField, raw: string | readonly string[] | null | undefined, policy?: AppPolicy): string {
  const value = Array.isArray(raw) ? raw.join(', ') : ((raw as string | null | undefined) ?? '');
  const eca = policy?.kind === 'external-client-app';
  if (eca && value !== '') {
    // An External Client App spells the three controls its own way (reference §7).
    if (field === 'permittedUsers') return toEcaPermittedUsers(policy.permittedUsers);
    if (field === 'ipRelaxation') return toEcaIpRelaxation(policy.ipRelaxation);
    if (field === 'refreshTokenPolicy') return Object.values(toEcaRefreshToken(policy.refreshTokenPolicy)).filter((v) => v !== null).join(' ');
  }
  if (!INVERTED.has(field) || value === '') return value;
  const paths = eca ? ECA_METADATA_PATHS : CONNECTED_APP_METADATA_PATHS;
  return messages.getMessage('value.invertedElement', [paths[field].split('.').pop() ?? field, value]);
}

/** The fields `policy show` lists, in the order Setup shows them. */
export const SHOWN_FIELDS: readonly PolicyField[] = [
  'permittedUsers',
  'ipRelaxation',
  'refreshTokenPolicy',
  'sessionTimeout',
  'highAssurance',
  'pkceRequired',
  'refreshTokenRotation',
  'consumerSecretOptional',
  'secretRequiredForRefreshToken',
  'scopes',
  'callbackUrls',
  'jwtCertificate',
  'clientCredentials',
  'clientCredentialsUser',
  'tokenExchange',
  'ipRanges',
  'profileNames',
  'permissionSetNames',
];

export function wordsWithDefault(policy: AppPolicy, field: PolicyField): string {
  const words = fieldWords(policy, field);
  return policy.defaulted.includes(field) ? messages.getMessage('value.default', [words]) : words;
}
