/*
 * Refresh-token policy: one structured value and its four spellings.
 *
 * - ConnectedApp metadata (`oauthPolicy.refreshTokenPolicy`), a string: `infinite`, `zero`,
 *   `specific_lifetime:<n>:<UNIT>`, `specific_inactivity:<n>:<UNIT>`, UNIT ∈ HOURS | DAYS | MONTHS
 *   (Metadata API, ConnectedAppOauthPolicy). `infinite` is the documented default.
 * - The CLI flag form: `never-expire | expire-immediately | expire-after:<N><h|d|m> | expire-if-unused:<N><h|d|m>`.
 * - External Client Apps: `refreshTokenPolicyType` (Infinite | SpecificInactivity | SpecificLifetime | Zero)
 *   plus `refreshTokenValidityPeriod` and `refreshTokenValidityUnit` (Days | Hours | Months).
 * - The ConnectedApplication sObject: only `RefreshTokenValidityPeriod` (the number) and
 *   `OptionsRefreshTokenValidityMetric` (true = measured from last use, i.e. inactivity); the unit is not exposed.
 */
import { closeMatches } from '../names.js';
import { PolicyError, parsePositiveInteger, type PolicyErrorReason } from './policy-error.js';

export const REFRESH_TOKEN_UNITS = ['HOURS', 'DAYS', 'MONTHS'] as const;
export type RefreshTokenUnit = (typeof REFRESH_TOKEN_UNITS)[number];

export type RefreshTokenPolicy =
  | { kind: 'infinite' }
  | { kind: 'zero' }
  | { kind: 'specific_lifetime' | 'specific_inactivity'; value: number; unit: RefreshTokenUnit };

export type RefreshTokenPolicyKind = RefreshTokenPolicy['kind'];

/** The documented default ("refresh token is valid until revoked"). */
export const DEFAULT_REFRESH_TOKEN_POLICY: RefreshTokenPolicy = Object.freeze({ kind: 'infinite' });

/** The accepted metadata forms, as tokens for error messages. */
export const REFRESH_TOKEN_POLICY_FORMS: readonly string[] = [
  'infinite',
  'zero',
  'specific_lifetime:<n>:HOURS|DAYS|MONTHS',
  'specific_inactivity:<n>:HOURS|DAYS|MONTHS',
];

/** The accepted flag forms, as tokens for error messages and flag help. */
export const REFRESH_TOKEN_FLAG_FORMS: readonly string[] = [
  'never-expire',
  'expire-immediately',
  'expire-after:<N><h|d|m>',
  'expire-if-unused:<N><h|d|m>',
];

const KINDS = ['infinite', 'zero', 'specific_lifetime', 'specific_inactivity'] as const;

// ---- Metadata string --------------------------------------------------------------------------

/**
 * Parses the ConnectedApp metadata string. Tolerates case and spacing (`Infinite`,
 * ` specific_lifetime : 90 : days `, `SPECIFIC_INACTIVITY:30:Days`) and `-`/space for `_` in the kind;
 * rejects anything else with `PolicyError('InvalidRefreshTokenPolicy')`.
 */
export function parseRefreshTokenPolicy(text: string): RefreshTokenPolicy {
  const fail = (reason: PolicyErrorReason, suggestion?: string): never => {
    throw new PolicyError('InvalidRefreshTokenPolicy', {
      reason,
      input: text,
      validValues: REFRESH_TOKEN_POLICY_FORMS,
      suggestion,
      field: 'refreshTokenPolicy',
    });
  };
  if (text.trim() === '') fail('empty');
  const parts = text.split(':').map((p) => p.trim());
  const kind = parts[0].toLowerCase().replace(/[\s-]+/g, '_');
  if (kind === 'infinite' || kind === 'zero') {
    if (parts.length > 1) fail('extra-parts');
    return { kind };
  }
  if (kind !== 'specific_lifetime' && kind !== 'specific_inactivity') {
    return fail('unknown-value', closeMatches(kind, KINDS, 1)[0]);
  }
  if (parts.length < 3) fail('missing-parts');
  if (parts.length > 3) fail('extra-parts');
  const value = parsePositiveInteger(parts[1]);
  if (typeof value !== 'number') return fail(value === 'empty' ? 'missing-parts' : value);
  const unit = parts[2].toUpperCase();
  if (unit === '') fail('missing-unit');
  if (!isUnit(unit)) return fail('unknown-unit', closeMatches(unit, REFRESH_TOKEN_UNITS, 1)[0]);
  return { kind, value, unit };
}

/** The canonical metadata string: `infinite`, `zero`, `specific_lifetime:90:DAYS`. */
export function formatRefreshTokenPolicy(policy: RefreshTokenPolicy): string {
  if (policy.kind === 'infinite' || policy.kind === 'zero') return policy.kind;
  return `${policy.kind}:${policy.value}:${policy.unit}`;
}

/**
 * Checks a structured value built in code (e.g. from JSON) and returns a clean copy: known kind,
 * positive integer value, known unit.
 */
export function validateRefreshTokenPolicy(policy: RefreshTokenPolicy): RefreshTokenPolicy {
  const raw = policy as { kind: unknown; value?: unknown; unit?: unknown };
  if (raw.kind === 'infinite' || raw.kind === 'zero') return { kind: raw.kind };
  if (raw.kind !== 'specific_lifetime' && raw.kind !== 'specific_inactivity') {
    throw new PolicyError('InvalidRefreshTokenPolicy', {
      reason: 'unknown-value',
      input: String(raw.kind),
      validValues: REFRESH_TOKEN_POLICY_FORMS,
      field: 'refreshTokenPolicy',
    });
  }
  return parseRefreshTokenPolicy(`${raw.kind}:${String(raw.value)}:${String(raw.unit)}`);
}

// ---- Flag form --------------------------------------------------------------------------------

const FLAG_KINDS: Partial<Record<string, 'specific_lifetime' | 'specific_inactivity'>> = {
  'expire-after': 'specific_lifetime',
  'expire-if-unused': 'specific_inactivity',
};

/**
 * Unit spellings accepted after the number. `m` is months, as the flag form defines it; minutes are not
 * a refresh-token unit and `min`/`minutes` are rejected rather than guessed.
 */
const FLAG_UNITS: Partial<Record<string, RefreshTokenUnit>> = {
  h: 'HOURS',
  hour: 'HOURS',
  hours: 'HOURS',
  d: 'DAYS',
  day: 'DAYS',
  days: 'DAYS',
  m: 'MONTHS',
  mo: 'MONTHS',
  month: 'MONTHS',
  months: 'MONTHS',
};

const UNIT_LETTER: Record<RefreshTokenUnit, string> = { HOURS: 'h', DAYS: 'd', MONTHS: 'm' };

/**
 * Parses the flag form: `never-expire`, `expire-immediately`, `expire-after:90d`, `expire-if-unused:30d`.
 * Case-insensitive; spaces around `:` and between number and unit are allowed; long units
 * (`90days`, `12 months`, `1hour`) are accepted because they cannot be misread.
 */
export function parseRefreshTokenFlag(text: string): RefreshTokenPolicy {
  const fail = (reason: PolicyErrorReason, suggestion?: string): never => {
    throw new PolicyError('InvalidRefreshTokenFlag', {
      reason,
      input: text,
      validValues: REFRESH_TOKEN_FLAG_FORMS,
      suggestion,
      field: 'refreshTokenPolicy',
    });
  };
  const trimmed = text.trim();
  if (trimmed === '') fail('empty');
  const colon = trimmed.indexOf(':');
  const head = (colon < 0 ? trimmed : trimmed.slice(0, colon)).trim().toLowerCase().replace(/[\s_]+/g, '-');
  if (head === 'never-expire' || head === 'expire-immediately') {
    if (colon >= 0) fail('extra-parts');
    return head === 'never-expire' ? { kind: 'infinite' } : { kind: 'zero' };
  }
  const kind = FLAG_KINDS[head];
  if (!kind) {
    // A metadata spelling given to the flag gets the flag spelling as its suggestion.
    let suggestion: string | undefined;
    try {
      suggestion = formatRefreshTokenFlag(parseRefreshTokenPolicy(trimmed));
    } catch {
      suggestion = closeMatches(head, ['never-expire', 'expire-immediately', ...Object.keys(FLAG_KINDS)], 1)[0];
    }
    return fail('unknown-value', suggestion);
  }
  if (colon < 0) fail('missing-parts');
  const amount = trimmed.slice(colon + 1).trim();
  if (amount === '') fail('missing-parts');
  const match = /^([+-]?[\d.]+(?:e\d+)?)\s*([a-z]*)$/i.exec(amount);
  if (!match) return fail(/^[+-]?\d/.test(amount) ? 'unknown-unit' : 'not-an-integer');
  const value = parsePositiveInteger(match[1]);
  if (typeof value !== 'number') return fail(value);
  if (match[2] === '') fail('missing-unit');
  const unit = FLAG_UNITS[match[2].toLowerCase()];
  if (!unit) return fail('unknown-unit');
  return { kind, value, unit };
}

/** The canonical flag form: `never-expire`, `expire-immediately`, `expire-after:90d`, `expire-if-unused:12m`. */
export function formatRefreshTokenFlag(policy: RefreshTokenPolicy): string {
  switch (policy.kind) {
    case 'infinite':
      return 'never-expire';
    case 'zero':
      return 'expire-immediately';
    case 'specific_lifetime':
      return `expire-after:${policy.value}${UNIT_LETTER[policy.unit]}`;
    case 'specific_inactivity':
      return `expire-if-unused:${policy.value}${UNIT_LETTER[policy.unit]}`;
  }
}

// ---- External Client App form -----------------------------------------------------------------

export const ECA_REFRESH_TOKEN_POLICY_TYPES = ['Infinite', 'SpecificInactivity', 'SpecificLifetime', 'Zero'] as const;
export type EcaRefreshTokenPolicyType = (typeof ECA_REFRESH_TOKEN_POLICY_TYPES)[number];
export const ECA_REFRESH_TOKEN_UNITS = ['Days', 'Hours', 'Months'] as const;
export type EcaRefreshTokenUnit = (typeof ECA_REFRESH_TOKEN_UNITS)[number];

/** The three ExtlClntAppOauthConfigurablePolicies fields; period and unit are null for Infinite / Zero. */
export type EcaRefreshTokenFields = {
  refreshTokenPolicyType: EcaRefreshTokenPolicyType;
  refreshTokenValidityPeriod: number | null;
  refreshTokenValidityUnit: EcaRefreshTokenUnit | null;
};

const ECA_TYPE_OF: Record<RefreshTokenPolicyKind, EcaRefreshTokenPolicyType> = {
  infinite: 'Infinite',
  zero: 'Zero',
  specific_lifetime: 'SpecificLifetime',
  specific_inactivity: 'SpecificInactivity',
};
const ECA_UNIT_OF: Record<RefreshTokenUnit, EcaRefreshTokenUnit> = { HOURS: 'Hours', DAYS: 'Days', MONTHS: 'Months' };

export function toEcaRefreshToken(policy: RefreshTokenPolicy): EcaRefreshTokenFields {
  if (policy.kind === 'infinite' || policy.kind === 'zero') {
    return { refreshTokenPolicyType: ECA_TYPE_OF[policy.kind], refreshTokenValidityPeriod: null, refreshTokenValidityUnit: null };
  }
  return {
    refreshTokenPolicyType: ECA_TYPE_OF[policy.kind],
    refreshTokenValidityPeriod: policy.value,
    refreshTokenValidityUnit: ECA_UNIT_OF[policy.unit],
  };
}

/** Raw texts of the three ECA fields (undefined/null when the element is absent). */
export type EcaRefreshTokenTexts = {
  type: string | null | undefined;
  period: string | number | null | undefined;
  unit: string | null | undefined;
};

/**
 * Reads the ECA fields, tolerant of case and spacing. A missing type is the default (Infinite);
 * period and unit are ignored for Infinite / Zero and required for the specific types.
 */
export function parseEcaRefreshToken(texts: EcaRefreshTokenTexts): RefreshTokenPolicy {
  const input = [texts.type, texts.period, texts.unit].map((t) => (t == null ? '' : String(t))).join(':');
  const fail = (reason: PolicyErrorReason, validValues: readonly string[], suggestion?: string): never => {
    throw new PolicyError('InvalidEcaRefreshTokenPolicy', { reason, input, validValues, suggestion, field: 'refreshTokenPolicy' });
  };
  const typeText = (texts.type ?? '').trim();
  if (typeText === '') return DEFAULT_REFRESH_TOKEN_POLICY;
  const key = typeText.toLowerCase().replace(/[\s_-]+/g, '');
  const type = ECA_REFRESH_TOKEN_POLICY_TYPES.find((t) => t.toLowerCase() === key);
  if (!type) return fail('unknown-value', ECA_REFRESH_TOKEN_POLICY_TYPES, closeMatches(typeText, ECA_REFRESH_TOKEN_POLICY_TYPES, 1)[0]);
  if (type === 'Infinite') return { kind: 'infinite' };
  if (type === 'Zero') return { kind: 'zero' };
  const periodText = texts.period == null ? '' : String(texts.period);
  if (periodText.trim() === '') fail('missing-parts', ECA_REFRESH_TOKEN_UNITS);
  const value = parsePositiveInteger(periodText);
  if (typeof value !== 'number') return fail(value, ECA_REFRESH_TOKEN_UNITS);
  const unitText = (texts.unit ?? '').trim();
  if (unitText === '') fail('missing-unit', ECA_REFRESH_TOKEN_UNITS);
  const unit = REFRESH_TOKEN_UNITS.find((u) => u === unitText.toUpperCase());
  if (!unit) return fail('unknown-unit', ECA_REFRESH_TOKEN_UNITS, closeMatches(unitText, ECA_REFRESH_TOKEN_UNITS, 1)[0]);
  return { kind: type === 'SpecificLifetime' ? 'specific_lifetime' : 'specific_inactivity', value, unit };
}

// ---- ConnectedApplication sObject -------------------------------------------------------------

/** The refresh-token fields of a ConnectedApplication sObject row (access/inventory.ts ConnectedApplicationRecord). */
export type SObjectRefreshTokenFields = { RefreshTokenValidityPeriod: number | null; OptionsRefreshTokenValidityMetric: boolean | null };

/**
 * What the sObject should show for a metadata policy. `null` means "not determined": how the sObject
 * represents `infinite` and `zero` is not documented (reference, open question 3).
 */
export function expectedSObjectRefreshToken(policy: RefreshTokenPolicy): SObjectRefreshTokenFields {
  if (policy.kind === 'infinite' || policy.kind === 'zero') {
    return { RefreshTokenValidityPeriod: null, OptionsRefreshTokenValidityMetric: null };
  }
  return { RefreshTokenValidityPeriod: policy.value, OptionsRefreshTokenValidityMetric: policy.kind === 'specific_inactivity' };
}

export type SObjectRefreshTokenCheck =
  | { status: 'consistent' }
  | { status: 'inconsistent'; mismatches: Array<'period' | 'metric'> }
  | {
      status: 'undetermined';
      /**
       * policy-without-period: the metadata policy is infinite/zero, whose sObject form is undocumented
       * (a positive period on the row may mean the UI's idle-TTL switch overrode it; see `rowPeriod`);
       * row-without-period: the row has no RefreshTokenValidityPeriod to compare.
       */
      reason: 'policy-without-period' | 'row-without-period';
      rowPeriod: number | null;
    };

/**
 * Whether an sObject row agrees with a metadata policy. Only the number and the lifetime/inactivity
 * switch can be compared; the unit is not on the sObject, so `specific_lifetime:90:DAYS` and
 * `specific_lifetime:90:HOURS` are both consistent with period 90.
 */
export function checkSObjectRefreshToken(row: SObjectRefreshTokenFields, policy: RefreshTokenPolicy): SObjectRefreshTokenCheck {
  const rowPeriod = row.RefreshTokenValidityPeriod ?? null;
  if (policy.kind === 'infinite' || policy.kind === 'zero') {
    return { status: 'undetermined', reason: 'policy-without-period', rowPeriod };
  }
  if (rowPeriod === null) return { status: 'undetermined', reason: 'row-without-period', rowPeriod };
  const mismatches: Array<'period' | 'metric'> = [];
  if (rowPeriod !== policy.value) mismatches.push('period');
  const metric = row.OptionsRefreshTokenValidityMetric ?? null;
  if (metric !== null && metric !== (policy.kind === 'specific_inactivity')) mismatches.push('metric');
  return mismatches.length === 0 ? { status: 'consistent' } : { status: 'inconsistent', mismatches };
}

// ---- Durations --------------------------------------------------------------------------------

/**
 * Hours per unit. A month counts as 30 days (720 hours): the platform does not document its month length,
 * and 30 keeps "3 months" equal to "90 days" for rules such as "longer than 90 days".
 */
export const HOURS_PER_UNIT: Readonly<Record<RefreshTokenUnit, number>> = { HOURS: 1, DAYS: 24, MONTHS: 30 * 24 };

/**
 * The configured window in hours: how long a token lives after issue (lifetime) or after its last use
 * (inactivity). `infinite` → Infinity, `zero` → 0.
 */
export function refreshTokenWindowHours(policy: RefreshTokenPolicy): number {
  if (policy.kind === 'infinite') return Number.POSITIVE_INFINITY;
  if (policy.kind === 'zero') return 0;
  return policy.value * HOURS_PER_UNIT[policy.unit];
}

/**
 * The longest a refresh token can stay usable, in hours. An inactivity window is renewed by every use,
 * so it bounds idleness, not lifetime: `specific_inactivity` → Infinity, like `infinite`.
 */
export function refreshTokenMaxLifetimeHours(policy: RefreshTokenPolicy): number {
  if (policy.kind === 'specific_inactivity') return Number.POSITIVE_INFINITY;
  return refreshTokenWindowHours(policy);
}

export function sameRefreshTokenPolicy(a: RefreshTokenPolicy, b: RefreshTokenPolicy): boolean {
  return formatRefreshTokenPolicy(a) === formatRefreshTokenPolicy(b);
}

function isUnit(text: string): text is RefreshTokenUnit {
  return (REFRESH_TOKEN_UNITS as readonly string[]).includes(text);
}
