import { expect } from 'chai';
import { PolicyError } from '../../../src/domain/policy/policy-error.js';
import {
  DEFAULT_REFRESH_TOKEN_POLICY,
  ECA_REFRESH_TOKEN_POLICY_TYPES,
  HOURS_PER_UNIT,
  REFRESH_TOKEN_FLAG_FORMS,
  REFRESH_TOKEN_POLICY_FORMS,
  REFRESH_TOKEN_UNITS,
  checkSObjectRefreshToken,
  expectedSObjectRefreshToken,
  formatRefreshTokenFlag,
  formatRefreshTokenPolicy,
  parseEcaRefreshToken,
  parseRefreshTokenFlag,
  parseRefreshTokenPolicy,
  refreshTokenMaxLifetimeHours,
  refreshTokenWindowHours,
  sameRefreshTokenPolicy,
  toEcaRefreshToken,
  validateRefreshTokenPolicy,
  type RefreshTokenPolicy,
} from '../../../src/domain/policy/refresh-token.js';

function rejects(fn: () => unknown): PolicyError {
  try {
    fn();
  } catch (error) {
    expect(error).to.be.instanceOf(PolicyError);
    return error as PolicyError;
  }
  expect.fail('expected a PolicyError');
}

/** Every canonical policy: the two constants and both specific kinds × units × a few values. */
const CANONICAL: Array<[string, RefreshTokenPolicy]> = [
  ['infinite', { kind: 'infinite' }],
  ['zero', { kind: 'zero' }],
];
for (const kind of ['specific_lifetime', 'specific_inactivity'] as const) {
  for (const unit of REFRESH_TOKEN_UNITS) {
    for (const value of [1, 7, 30, 90, 365, 2_147_483_647]) CANONICAL.push([`${kind}:${value}:${unit}`, { kind, value, unit }]);
  }
}

describe('refresh-token policy codec', () => {
  describe('metadata string', () => {
    for (const [text, policy] of CANONICAL) {
      it(`parses and formats ${text}`, () => {
        expect(parseRefreshTokenPolicy(text)).to.deep.equal(policy);
        expect(formatRefreshTokenPolicy(policy)).to.equal(text);
        expect(formatRefreshTokenPolicy(parseRefreshTokenPolicy(text))).to.equal(text);
      });
    }

    const variants: Array<[string, string]> = [
      ['Infinite', 'infinite'],
      ['INFINITE', 'infinite'],
      ['  infinite\n', 'infinite'],
      ['Zero', 'zero'],
      [' specific_lifetime : 90 : days ', 'specific_lifetime:90:DAYS'],
      ['SPECIFIC_INACTIVITY:30:Days', 'specific_inactivity:30:DAYS'],
      ['Specific_Lifetime:12:months', 'specific_lifetime:12:MONTHS'],
      ['specific-lifetime:1:hours', 'specific_lifetime:1:HOURS'],
      ['specific inactivity:7:DAYS', 'specific_inactivity:7:DAYS'],
      ['specific_lifetime:090:DAYS', 'specific_lifetime:90:DAYS'],
      ['specific_lifetime:\t60\t:MONTHS', 'specific_lifetime:60:MONTHS'],
    ];
    for (const [input, canonical] of variants) {
      it(`accepts the variant ${JSON.stringify(input)}`, () => {
        expect(formatRefreshTokenPolicy(parseRefreshTokenPolicy(input))).to.equal(canonical);
      });
    }

    const invalid: Array<[string, string]> = [
      ['', 'empty'],
      ['   ', 'empty'],
      ['specific_lifetime:0:DAYS', 'not-positive'],
      ['specific_lifetime:-5:DAYS', 'not-positive'],
      ['specific_inactivity:1.5:DAYS', 'not-an-integer'],
      ['specific_inactivity:+5:DAYS', 'not-an-integer'],
      ['specific_inactivity:1e2:DAYS', 'not-an-integer'],
      ['specific_inactivity:ten:DAYS', 'not-an-integer'],
      ['specific_lifetime:99999999999:DAYS', 'too-large'],
      ['specific_lifetime:90:WEEKS', 'unknown-unit'],
      ['specific_lifetime:90:MINUTES', 'unknown-unit'],
      ['specific_lifetime:90:DAY', 'unknown-unit'],
      ['specific_lifetime:90:', 'missing-unit'],
      ['specific_lifetime:90', 'missing-parts'],
      ['specific_lifetime', 'missing-parts'],
      ['specific_lifetime::DAYS', 'missing-parts'],
      ['specific_lifetime:90:DAYS:extra', 'extra-parts'],
      ['infinite:90:DAYS', 'extra-parts'],
      ['zero:', 'extra-parts'],
      ['ENFORCE', 'unknown-value'],
      ['never', 'unknown-value'],
      ['expire-after:90d', 'unknown-value'],
      ['specific_lifespan:90:DAYS', 'unknown-value'],
    ];
    for (const [input, reason] of invalid) {
      it(`rejects ${JSON.stringify(input)} (${reason})`, () => {
        const error = rejects(() => parseRefreshTokenPolicy(input));
        expect(error.code).to.equal('InvalidRefreshTokenPolicy');
        expect(error.reason).to.equal(reason);
        expect(error.input).to.equal(input);
        expect(error.validValues).to.deep.equal(REFRESH_TOKEN_POLICY_FORMS);
        expect(error.field).to.equal('refreshTokenPolicy');
        expect(error.message).to.equal(`InvalidRefreshTokenPolicy:${reason}`);
      });
    }

    it('suggests the closest kind or unit', () => {
      expect(rejects(() => parseRefreshTokenPolicy('specific_lifetim:90:DAYS')).suggestion).to.equal('specific_lifetime');
      expect(rejects(() => parseRefreshTokenPolicy('specific_lifetime:90:DAYZ')).suggestion).to.equal('DAYS');
      expect(rejects(() => parseRefreshTokenPolicy('infinit')).suggestion).to.equal('infinite');
    });

    it('validates values built in code', () => {
      expect(validateRefreshTokenPolicy({ kind: 'specific_lifetime', value: 90, unit: 'DAYS' })).to.deep.equal({
        kind: 'specific_lifetime',
        value: 90,
        unit: 'DAYS',
      });
      expect(validateRefreshTokenPolicy({ kind: 'zero' })).to.deep.equal({ kind: 'zero' });
      expect(rejects(() => validateRefreshTokenPolicy({ kind: 'specific_lifetime', value: 0, unit: 'DAYS' })).reason).to.equal('not-positive');
      expect(rejects(() => validateRefreshTokenPolicy({ kind: 'specific_lifetime', value: 2.5, unit: 'DAYS' })).reason).to.equal('not-an-integer');
      expect(rejects(() => validateRefreshTokenPolicy({ kind: 'specific_lifetime', value: 3, unit: 'YEARS' as 'DAYS' })).reason).to.equal('unknown-unit');
      expect(rejects(() => validateRefreshTokenPolicy({ kind: 'forever' } as unknown as RefreshTokenPolicy)).reason).to.equal('unknown-value');
    });

    it('has infinite as the default', () => {
      expect(DEFAULT_REFRESH_TOKEN_POLICY).to.deep.equal({ kind: 'infinite' });
    });
  });

  describe('flag form', () => {
    const canonical: Array<[string, RefreshTokenPolicy]> = [
      ['never-expire', { kind: 'infinite' }],
      ['expire-immediately', { kind: 'zero' }],
      ['expire-after:90d', { kind: 'specific_lifetime', value: 90, unit: 'DAYS' }],
      ['expire-after:12m', { kind: 'specific_lifetime', value: 12, unit: 'MONTHS' }],
      ['expire-after:1h', { kind: 'specific_lifetime', value: 1, unit: 'HOURS' }],
      ['expire-if-unused:30d', { kind: 'specific_inactivity', value: 30, unit: 'DAYS' }],
      ['expire-if-unused:6m', { kind: 'specific_inactivity', value: 6, unit: 'MONTHS' }],
      ['expire-if-unused:24h', { kind: 'specific_inactivity', value: 24, unit: 'HOURS' }],
    ];
    for (const [flag, policy] of canonical) {
      it(`parses and formats ${flag}`, () => {
        expect(parseRefreshTokenFlag(flag)).to.deep.equal(policy);
        expect(formatRefreshTokenFlag(policy)).to.equal(flag);
      });
    }

    it('round-trips every canonical metadata policy through the flag form', () => {
      for (const [, policy] of CANONICAL) expect(parseRefreshTokenFlag(formatRefreshTokenFlag(policy))).to.deep.equal(policy);
    });

    const variants: Array<[string, string]> = [
      ['NEVER-EXPIRE', 'never-expire'],
      [' never_expire ', 'never-expire'],
      ['Expire Immediately', 'expire-immediately'],
      ['expire-after:90days', 'expire-after:90d'],
      ['expire-after:90 days', 'expire-after:90d'],
      ['expire-after : 90 D', 'expire-after:90d'],
      ['expire-after:1day', 'expire-after:1d'],
      ['expire-after:12months', 'expire-after:12m'],
      ['expire-after:1month', 'expire-after:1m'],
      ['expire-after:3mo', 'expire-after:3m'],
      ['expire-if-unused:2hours', 'expire-if-unused:2h'],
      ['EXPIRE_IF_UNUSED:1HOUR', 'expire-if-unused:1h'],
    ];
    for (const [input, canonicalFlag] of variants) {
      it(`accepts the variant ${JSON.stringify(input)}`, () => {
        expect(formatRefreshTokenFlag(parseRefreshTokenFlag(input))).to.equal(canonicalFlag);
      });
    }

    const invalid: Array<[string, string]> = [
      ['', 'empty'],
      ['expire-after', 'missing-parts'],
      ['expire-after:', 'missing-parts'],
      ['expire-after:90', 'missing-unit'],
      ['expire-after:0d', 'not-positive'],
      ['expire-after:-1d', 'not-positive'],
      ['expire-after:1.5d', 'not-an-integer'],
      ['expire-after:d', 'not-an-integer'],
      ['expire-after:90w', 'unknown-unit'],
      ['expire-after:90min', 'unknown-unit'],
      ['expire-after:90 minutes', 'unknown-unit'],
      ['never-expire:1d', 'extra-parts'],
      ['forever', 'unknown-value'],
      ['expire-later:90d', 'unknown-value'],
    ];
    for (const [input, reason] of invalid) {
      it(`rejects ${JSON.stringify(input)} (${reason})`, () => {
        const error = rejects(() => parseRefreshTokenFlag(input));
        expect(error.code).to.equal('InvalidRefreshTokenFlag');
        expect(error.reason).to.equal(reason);
        expect(error.validValues).to.deep.equal(REFRESH_TOKEN_FLAG_FORMS);
      });
    }

    it('suggests the flag spelling when given a metadata string', () => {
      expect(rejects(() => parseRefreshTokenFlag('specific_lifetime:90:DAYS')).suggestion).to.equal('expire-after:90d');
      expect(rejects(() => parseRefreshTokenFlag('infinite')).suggestion).to.equal('never-expire');
      expect(rejects(() => parseRefreshTokenFlag('expire-aftr:90d')).suggestion).to.equal('expire-after');
    });
  });

  describe('External Client App form', () => {
    it('converts every canonical policy both ways', () => {
      for (const [, policy] of CANONICAL) {
        const fields = toEcaRefreshToken(policy);
        expect(ECA_REFRESH_TOKEN_POLICY_TYPES).to.include(fields.refreshTokenPolicyType);
        expect(
          parseEcaRefreshToken({ type: fields.refreshTokenPolicyType, period: fields.refreshTokenValidityPeriod, unit: fields.refreshTokenValidityUnit })
        ).to.deep.equal(policy);
      }
    });

    it('spells types and units as the ECA docs do', () => {
      expect(toEcaRefreshToken({ kind: 'infinite' })).to.deep.equal({
        refreshTokenPolicyType: 'Infinite',
        refreshTokenValidityPeriod: null,
        refreshTokenValidityUnit: null,
      });
      expect(toEcaRefreshToken({ kind: 'zero' }).refreshTokenPolicyType).to.equal('Zero');
      expect(toEcaRefreshToken({ kind: 'specific_lifetime', value: 365, unit: 'DAYS' })).to.deep.equal({
        refreshTokenPolicyType: 'SpecificLifetime',
        refreshTokenValidityPeriod: 365,
        refreshTokenValidityUnit: 'Days',
      });
      expect(toEcaRefreshToken({ kind: 'specific_inactivity', value: 2, unit: 'MONTHS' })).to.deep.equal({
        refreshTokenPolicyType: 'SpecificInactivity',
        refreshTokenValidityPeriod: 2,
        refreshTokenValidityUnit: 'Months',
      });
      expect(toEcaRefreshToken({ kind: 'specific_inactivity', value: 5, unit: 'HOURS' }).refreshTokenValidityUnit).to.equal('Hours');
    });

    it('is tolerant of case and spacing, and ignores period/unit for Infinite and Zero', () => {
      expect(parseEcaRefreshToken({ type: ' specificlifetime ', period: ' 365 ', unit: 'DAYS' })).to.deep.equal({
        kind: 'specific_lifetime',
        value: 365,
        unit: 'DAYS',
      });
      expect(parseEcaRefreshToken({ type: 'Specific_Inactivity', period: '30', unit: 'days' })).to.deep.equal({
        kind: 'specific_inactivity',
        value: 30,
        unit: 'DAYS',
      });
      expect(parseEcaRefreshToken({ type: 'infinite', period: '365', unit: 'Days' })).to.deep.equal({ kind: 'infinite' });
      expect(parseEcaRefreshToken({ type: 'ZERO', period: null, unit: null })).to.deep.equal({ kind: 'zero' });
      expect(parseEcaRefreshToken({ type: undefined, period: undefined, unit: undefined })).to.deep.equal({ kind: 'infinite' });
    });

    const invalid: Array<[Parameters<typeof parseEcaRefreshToken>[0], string]> = [
      [{ type: 'Forever', period: null, unit: null }, 'unknown-value'],
      [{ type: 'SpecificLifetime', period: null, unit: 'Days' }, 'missing-parts'],
      [{ type: 'SpecificLifetime', period: '0', unit: 'Days' }, 'not-positive'],
      [{ type: 'SpecificLifetime', period: '1.5', unit: 'Days' }, 'not-an-integer'],
      [{ type: 'SpecificLifetime', period: '30', unit: null }, 'missing-unit'],
      [{ type: 'SpecificInactivity', period: '30', unit: 'Weeks' }, 'unknown-unit'],
    ];
    for (const [texts, reason] of invalid) {
      it(`rejects ${JSON.stringify(texts)} (${reason})`, () => {
        const error = rejects(() => parseEcaRefreshToken(texts));
        expect(error.code).to.equal('InvalidEcaRefreshTokenPolicy');
        expect(error.reason).to.equal(reason);
      });
    }
  });

  describe('ConnectedApplication sObject', () => {
    it('says what the sObject should show', () => {
      expect(expectedSObjectRefreshToken({ kind: 'specific_lifetime', value: 90, unit: 'DAYS' })).to.deep.equal({
        RefreshTokenValidityPeriod: 90,
        OptionsRefreshTokenValidityMetric: false,
      });
      expect(expectedSObjectRefreshToken({ kind: 'specific_inactivity', value: 30, unit: 'DAYS' })).to.deep.equal({
        RefreshTokenValidityPeriod: 30,
        OptionsRefreshTokenValidityMetric: true,
      });
      expect(expectedSObjectRefreshToken({ kind: 'infinite' })).to.deep.equal({
        RefreshTokenValidityPeriod: null,
        OptionsRefreshTokenValidityMetric: null,
      });
    });

    it('compares number and metric, never the unit', () => {
      const lifetime90: RefreshTokenPolicy = { kind: 'specific_lifetime', value: 90, unit: 'DAYS' };
      const row = (period: number | null, metric: boolean | null): { RefreshTokenValidityPeriod: number | null; OptionsRefreshTokenValidityMetric: boolean | null } => ({
        RefreshTokenValidityPeriod: period,
        OptionsRefreshTokenValidityMetric: metric,
      });
      expect(checkSObjectRefreshToken(row(90, false), lifetime90)).to.deep.equal({ status: 'consistent' });
      expect(checkSObjectRefreshToken(row(90, false), { kind: 'specific_lifetime', value: 90, unit: 'HOURS' })).to.deep.equal({ status: 'consistent' });
      expect(checkSObjectRefreshToken(row(90, null), lifetime90)).to.deep.equal({ status: 'consistent' });
      expect(checkSObjectRefreshToken(row(30, false), lifetime90)).to.deep.equal({ status: 'inconsistent', mismatches: ['period'] });
      expect(checkSObjectRefreshToken(row(90, true), lifetime90)).to.deep.equal({ status: 'inconsistent', mismatches: ['metric'] });
      expect(checkSObjectRefreshToken(row(30, true), lifetime90)).to.deep.equal({ status: 'inconsistent', mismatches: ['period', 'metric'] });
      expect(checkSObjectRefreshToken(row(30, true), { kind: 'specific_inactivity', value: 30, unit: 'DAYS' })).to.deep.equal({ status: 'consistent' });
      expect(checkSObjectRefreshToken(row(null, false), lifetime90)).to.deep.equal({
        status: 'undetermined',
        reason: 'row-without-period',
        rowPeriod: null,
      });
    });

    it('cannot decide for infinite and zero, but passes the row period on (idle-TTL override)', () => {
      expect(checkSObjectRefreshToken({ RefreshTokenValidityPeriod: 30, OptionsRefreshTokenValidityMetric: true }, { kind: 'infinite' })).to.deep.equal({
        status: 'undetermined',
        reason: 'policy-without-period',
        rowPeriod: 30,
      });
      expect(checkSObjectRefreshToken({ RefreshTokenValidityPeriod: null, OptionsRefreshTokenValidityMetric: null }, { kind: 'zero' })).to.deep.equal({
        status: 'undetermined',
        reason: 'policy-without-period',
        rowPeriod: null,
      });
    });
  });

  describe('durations', () => {
    it('counts a month as 30 days', () => {
      expect(HOURS_PER_UNIT).to.deep.equal({ HOURS: 1, DAYS: 24, MONTHS: 720 });
      expect(refreshTokenWindowHours({ kind: 'specific_lifetime', value: 3, unit: 'MONTHS' })).to.equal(
        refreshTokenWindowHours({ kind: 'specific_lifetime', value: 90, unit: 'DAYS' })
      );
    });

    it('gives the window and the maximum lifetime', () => {
      expect(refreshTokenWindowHours({ kind: 'infinite' })).to.equal(Infinity);
      expect(refreshTokenWindowHours({ kind: 'zero' })).to.equal(0);
      expect(refreshTokenWindowHours({ kind: 'specific_lifetime', value: 90, unit: 'DAYS' })).to.equal(2160);
      expect(refreshTokenWindowHours({ kind: 'specific_inactivity', value: 12, unit: 'HOURS' })).to.equal(12);
      expect(refreshTokenMaxLifetimeHours({ kind: 'specific_lifetime', value: 60, unit: 'MONTHS' })).to.equal(43200);
      expect(refreshTokenMaxLifetimeHours({ kind: 'specific_inactivity', value: 30, unit: 'DAYS' })).to.equal(Infinity);
      expect(refreshTokenMaxLifetimeHours({ kind: 'infinite' })).to.equal(Infinity);
      expect(refreshTokenMaxLifetimeHours({ kind: 'zero' })).to.equal(0);
    });

    it('compares policies by value', () => {
      expect(sameRefreshTokenPolicy(parseRefreshTokenPolicy('Specific_Lifetime:90:days'), { kind: 'specific_lifetime', value: 90, unit: 'DAYS' })).to.be.true;
      expect(sameRefreshTokenPolicy({ kind: 'infinite' }, { kind: 'zero' })).to.be.false;
    });
  });
});
