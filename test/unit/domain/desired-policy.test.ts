import { expect } from 'chai';
import { desiredPolicyFromJson, settleDesiredChanges, toPolicyChange } from '../../../src/domain/policy/desired-policy.js';
import { PolicyError } from '../../../src/domain/policy/policy-error.js';

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

  describe('settling entries that name the same app', () => {
    const entry = (source: string, appIds: string[], change: ReturnType<typeof toPolicyChange>) => ({ source, named: source, appIds, change });

    it('merges agreeing entries into one change per app, in the order apps were first named', () => {
      const settled = settleDesiredChanges([
        entry('$.apps[0]', ['A'], toPolicyChange({ pkce: true })),
        entry('$.apps[1]', ['B'], toPolicyChange({ pkce: false })),
        entry('$.apps[2]', ['A'], toPolicyChange({ pkce: true, refreshToken: 'expire-if-unused:30d' })),
        // The same policy written another way is the same value.
        entry('$.apps[3]', ['A', 'A'], { refreshTokenPolicy: { kind: 'specific_inactivity', value: 30, unit: 'DAYS' } }),
      ]);
      expect(settled.conflicts).to.deep.equal([]);
      expect(settled.changes).to.deep.equal([
        { appId: 'A', change: { pkceRequired: true, refreshTokenPolicy: { kind: 'specific_inactivity', value: 30, unit: 'DAYS' } } },
        { appId: 'B', change: { pkceRequired: false } },
      ]);
    });

    it('reports a setting given two values for one app, naming both entries with the values as written in flag words', () => {
      const settled = settleDesiredChanges([
        entry('$.apps[0]', ['A'], toPolicyChange({ refreshToken: 'expire-if-unused:30d', sessionTimeout: 'none' })),
        entry('$.apps[1]', ['A'], toPolicyChange({ refreshToken: 'never-expire', sessionTimeout: 60 })),
      ]);
      expect(settled.conflicts).to.deep.equal([
        { appId: 'A', setting: 'refreshToken', first: { source: '$.apps[0]', named: '$.apps[0]', value: 'expire-if-unused:30d' }, second: { source: '$.apps[1]', named: '$.apps[1]', value: 'never-expire' } },
        { appId: 'A', setting: 'sessionTimeout', first: { source: '$.apps[0]', named: '$.apps[0]', value: 'none' }, second: { source: '$.apps[1]', named: '$.apps[1]', value: '60' } },
      ]);
    });
  });
});
