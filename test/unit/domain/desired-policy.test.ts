import { expect } from 'chai';
import { desiredPolicyFromJson, toPolicyChange } from '../../../src/domain/desired-policy.js';
import { PolicyError } from '../../../src/domain/policy-error.js';

describe('desired policy', () => {
  it('maps flag vocabulary to a PolicyChange', () => {
    expect(
      toPolicyChange({ permittedUsers: 'admin-approved', ipRelaxation: 'relax-with-second-factor', refreshToken: 'expire-if-unused:30d', sessionTimeout: '120', pkce: true, refreshTokenRotation: false })
    ).to.deep.equal({
      permittedUsers: 'admin-approved',
      ipRelaxation: 'BYPASS_2FACTOR',
      refreshTokenPolicy: { kind: 'specific_inactivity', value: 30, unit: 'DAYS' },
      sessionTimeoutMinutes: 120,
      pkceRequired: true,
      refreshTokenRotation: false,
    });
    expect(toPolicyChange({ sessionTimeout: 'none' })).to.deep.equal({ sessionTimeoutMinutes: null });
    expect(toPolicyChange({})).to.deep.equal({});
  });

  it('rejects bad values with the code naming what is wrong', () => {
    const codeOf = (fn: () => unknown): string => {
      try {
        fn();
      } catch (error) {
        expect(error).to.be.instanceOf(PolicyError);
        return (error as PolicyError).code;
      }
      return expect.fail('expected a PolicyError');
    };
    expect(codeOf(() => toPolicyChange({ sessionTimeout: '12.5' }))).to.equal('InvalidSessionTimeout');
    expect(codeOf(() => toPolicyChange({ sessionTimeout: 0 }))).to.equal('InvalidSessionTimeout');
    expect(codeOf(() => toPolicyChange({ ipRelaxation: 'sideways' }))).to.equal('InvalidIpRelaxation');
    expect(codeOf(() => toPolicyChange({ refreshToken: 'expire-after:0d' }))).to.equal('InvalidRefreshTokenFlag');
    expect(codeOf(() => desiredPolicyFromJson({ pkce: 'yes' }))).to.equal('InvalidBoolean');
    expect(codeOf(() => desiredPolicyFromJson({ colour: 'blue' }))).to.equal('InvalidPolicyKey');
    expect(codeOf(() => desiredPolicyFromJson({ ipRelaxation: 3 }))).to.equal('InvalidIpRelaxation');
  });

  it('reads a file policy block', () => {
    expect(desiredPolicyFromJson({ permittedUsers: 'all-self-authorize', sessionTimeout: null, refreshTokenRotation: true })).to.deep.equal({
      permittedUsers: 'all-self-authorize',
      sessionTimeout: null,
      refreshTokenRotation: true,
    });
  });
});
