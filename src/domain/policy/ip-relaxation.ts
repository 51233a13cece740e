/*
 * IP relaxation: the four documented values in their three spellings.
 *
 *   metadata (ConnectedAppOauthPolicy.ipRelaxation)   flag                        ECA (ipRelaxationPolicyType)
 *   ENFORCE (default)                                  enforce                     Enforce
 *   BYPASS_2FACTOR                                     relax-with-second-factor    Bypass_2factor
 *   BYPASS                                             relax                       Bypass
 *   ENFORCE_RELAXREFRESH                               enforce-relax-refresh       Enforce_RelaxRefresh
 *
 * The ECA spelling is the metadata spelling in another case, so one tolerant parser reads both.
 * `ENFORCE_ACTIVATED_USERS` circulates in generated documentation but exists in no real metadata: it is
 * rejected with the reason `undocumented-value` so a message can say so rather than "typo".
 */
import { closeMatches } from '../names.js';
import { PolicyError } from './policy-error.js';

export const IP_RELAXATION_VALUES = ['ENFORCE', 'BYPASS_2FACTOR', 'BYPASS', 'ENFORCE_RELAXREFRESH'] as const;
export type IpRelaxation = (typeof IP_RELAXATION_VALUES)[number];

export const IP_RELAXATION_FLAGS = ['enforce', 'relax-with-second-factor', 'relax', 'enforce-relax-refresh'] as const;
export type IpRelaxationFlag = (typeof IP_RELAXATION_FLAGS)[number];

export const ECA_IP_RELAXATION_VALUES = ['Enforce', 'Bypass_2factor', 'Bypass', 'Enforce_RelaxRefresh'] as const;
export type EcaIpRelaxation = (typeof ECA_IP_RELAXATION_VALUES)[number];

export const DEFAULT_IP_RELAXATION: IpRelaxation = 'ENFORCE';

/** Values seen only in generated documentation, never in retrieved metadata. */
const UNDOCUMENTED = new Set(['ENFORCE_ACTIVATED_USERS']);

const FLAG_OF: Record<IpRelaxation, IpRelaxationFlag> = {
  ENFORCE: 'enforce',
  BYPASS_2FACTOR: 'relax-with-second-factor',
  BYPASS: 'relax',
  ENFORCE_RELAXREFRESH: 'enforce-relax-refresh',
};
const ECA_OF: Record<IpRelaxation, EcaIpRelaxation> = {
  ENFORCE: 'Enforce',
  BYPASS_2FACTOR: 'Bypass_2factor',
  BYPASS: 'Bypass',
  ENFORCE_RELAXREFRESH: 'Enforce_RelaxRefresh',
};

const metadataKey = (text: string): string => text.trim().toUpperCase().replace(/[\s-]+/g, '_');
const flagKey = (text: string): string => text.trim().toLowerCase().replace(/[\s_]+/g, '-');

export function isIpRelaxation(value: unknown): value is IpRelaxation {
  return typeof value === 'string' && (IP_RELAXATION_VALUES as readonly string[]).includes(value);
}

/**
 * Reads the metadata value or the ECA value (`BYPASS`, `bypass_2factor`, `Enforce_RelaxRefresh`,
 * ` enforce relaxrefresh `). Throws `PolicyError('InvalidIpRelaxation')` listing the metadata values.
 */
export function parseIpRelaxation(text: string): IpRelaxation {
  const key = metadataKey(text);
  if (isIpRelaxation(key)) return key;
  throw invalid(text, key, IP_RELAXATION_VALUES, () => {
    const asFlag = flagKey(text);
    const fromFlag = IP_RELAXATION_VALUES.find((v) => FLAG_OF[v] === asFlag);
    return fromFlag ?? closeMatches(key, IP_RELAXATION_VALUES, 1)[0];
  });
}

/** Reads the ECA `ipRelaxationPolicyType` (same tolerance as the metadata value). */
export function parseEcaIpRelaxation(text: string): IpRelaxation {
  try {
    return parseIpRelaxation(text);
  } catch (error) {
    if (error instanceof PolicyError) {
      throw new PolicyError('InvalidIpRelaxation', {
        reason: error.reason,
        input: text,
        validValues: ECA_IP_RELAXATION_VALUES,
        suggestion: error.suggestion && isIpRelaxation(error.suggestion) ? ECA_OF[error.suggestion] : undefined,
        field: 'ipRelaxation',
      });
    }
    throw error;
  }
}

/**
 * Reads the flag form (`enforce`, `relax-with-second-factor`, `relax`, `enforce-relax-refresh`), tolerant
 * of case, spaces and underscores. A metadata value given instead (`BYPASS`) is rejected, with the flag
 * name it corresponds to as the suggestion.
 */
export function parseIpRelaxationFlag(text: string): IpRelaxation {
  const key = flagKey(text);
  const found = IP_RELAXATION_VALUES.find((v) => FLAG_OF[v] === key);
  if (found) return found;
  throw invalid(text, metadataKey(text), IP_RELAXATION_FLAGS, () => {
    const meta = metadataKey(text);
    if (isIpRelaxation(meta)) return FLAG_OF[meta];
    return closeMatches(key, IP_RELAXATION_FLAGS, 1)[0];
  });
}

export function formatIpRelaxationFlag(value: IpRelaxation): IpRelaxationFlag {
  return FLAG_OF[value];
}

export function toEcaIpRelaxation(value: IpRelaxation): EcaIpRelaxation {
  return ECA_OF[value];
}

function invalid(input: string, metadataSpelling: string, validValues: readonly string[], suggest: () => string | undefined): PolicyError {
  if (input.trim() === '') return new PolicyError('InvalidIpRelaxation', { reason: 'empty', input, validValues, field: 'ipRelaxation' });
  if (UNDOCUMENTED.has(metadataSpelling)) {
    return new PolicyError('InvalidIpRelaxation', { reason: 'undocumented-value', input, validValues, field: 'ipRelaxation' });
  }
  return new PolicyError('InvalidIpRelaxation', { reason: 'unknown-value', input, validValues, suggestion: suggest(), field: 'ipRelaxation' });
}
