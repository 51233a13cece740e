import { expect } from 'chai';
import {
  lastUsedBefore,
  packUsers,
  PARTITION_ROWS,
  revocationOrder,
  revokeOutcome,
  splitPartition,
  tokenRef,
  tokenResult,
  USERS_PER_QUERY,
  type TokenRecord,
} from '../../../src/domain/incident/tokens.js';

const token = (userId: string, lastUsedDate: string | null, secret = `secret-${userId}-${lastUsedDate ?? 'never'}`): TokenRecord => ({
  ref: tokenRef(secret),
  app: 'Data Loader Pro',
  userId,
  username: `${userId}@example.com`,
  createdDate: '2026-01-01T00:00:00.000+0000',
  lastUsedDate,
  useCount: 3,
  deleteToken: secret,
});

describe('tokens (domain)', () => {
  it('names a token by a fingerprint that does not contain it and is stable', () => {
    const secret = 'AbCdEfGh0123456789.secretDeleteToken_value';
    const ref = tokenRef(secret);
    expect(ref).to.match(/^[0-9a-f]{16}$/);
    expect(tokenRef(secret)).to.equal(ref);
    expect(tokenRef(`${secret}x`)).not.to.equal(ref);
    expect(secret).not.to.include(ref);
  });

  it('never puts the DeleteToken in a result', () => {
    const t = token('005A', null, 'the-secret-delete-token');
    const result = tokenResult(t, 'revoked', { verified: true });
    expect(JSON.stringify(result)).not.to.include('the-secret-delete-token');
    expect(result).to.include({ ref: t.ref, status: 'revoked', verified: true, username: '005A@example.com' });
  });

  it('keeps tokens not used since a date, never-used ones included', () => {
    const tokens = [token('005A', '2026-08-31T23:59:59.000+0000'), token('005B', '2026-09-01T00:00:00.000+0000'), token('005C', null), token('005D', '2026-10-01T10:00:00.000Z')];
    expect(lastUsedBefore(tokens, new Date('2026-09-01T00:00:00Z')).map((t) => t.userId)).to.deep.equal(['005A', '005C']);
    expect(lastUsedBefore(tokens, null)).to.have.length(4);
  });

  it('packs users into partitions under the row cap and the IN-list size', () => {
    const counts = new Map<string, number>();
    for (let i = 0; i < 400; i++) counts.set(`005${String(i).padStart(4, '0')}`, 7 + (i % 2));
    counts.set('005BIG', 2600);
    const partitions = packUsers(counts);
    expect(partitions[0]).to.deep.equal(['005BIG'], 'a user over the cap alone');
    for (const p of partitions.slice(1)) {
      expect(p.length).to.be.at.most(USERS_PER_QUERY);
      expect(p.reduce((n, u) => n + (counts.get(u) ?? 0), 0)).to.be.at.most(PARTITION_ROWS);
    }
    expect(partitions.flat().sort()).to.deep.equal([...counts.keys()].sort(), 'every user exactly once');
  });

  it('splits a partition in two, and a single user not at all', () => {
    expect(splitPartition(['a', 'b', 'c'])).to.deep.equal([['a', 'b'], ['c']]);
    expect(splitPartition(['a'])).to.equal(null);
  });

  it('revokes the current user’s tokens last', () => {
    const tokens = [token('0055g0000000001AAA', null), token('0055g0000000002AAA', null), token('0055g0000000003AAA', null)];
    expect(revocationOrder(tokens, '0055g0000000001').map((t) => t.userId)).to.deep.equal(['0055g0000000002AAA', '0055g0000000003AAA', '0055g0000000001AAA']);
    expect(revocationOrder(tokens, null).map((t) => t.userId)).to.deep.equal(tokens.map((t) => t.userId));
  });

  it('ends a run as success, partial or failed from its tokens', () => {
    const t = token('005A', null);
    expect(revokeOutcome([tokenResult(t, 'revoked', { verified: true }), tokenResult(t, 'unchanged')])).to.equal('success');
    expect(revokeOutcome([tokenResult(t, 'revoked', { verified: false })])).to.equal('success-unverified');
    expect(revokeOutcome([tokenResult(t, 'revoked', { verified: true }), tokenResult(t, 'unknown')])).to.equal('partial');
    expect(revokeOutcome([tokenResult(t, 'failed'), tokenResult(t, 'unknown')])).to.equal('failed');
  });
});
