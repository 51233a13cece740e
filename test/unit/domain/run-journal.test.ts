import { expect } from 'chai';
import { RunJournal } from '../../../src/domain/incident/run-journal.js';
import { tokenResult, type TokenRecord } from '../../../src/domain/incident/tokens.js';

const token = (i: number): TokenRecord => ({
  ref: `ref${i}`,
  app: 'Loader',
  userId: `00500000000000${i}AAA`,
  username: `u${i}@x.com`,
  createdDate: null,
  lastUsedDate: null,
  useCount: 0,
  deleteToken: `SECRET-${i}`,
});

describe('run journal (what an interrupted revoke or contain had done)', () => {
  it('says, per token, revoked / in flight / not sent, and per step done / interrupted / not started; never a DeleteToken', () => {
    const journal = new RunJournal('contain', ['snapshot', 'policy', 'assignments', 'tokens']);
    expect(journal.record('SIGINT', new Date('2026-11-20T12:00:00Z'))).to.deep.include({ during: 'read', tokens: [], snapshot: null });
    const steps = [{ step: 'snapshot', status: 'done', detail: 'f.json' }];
    journal.trackSteps(steps);
    journal.snapshot = { path: 'f.json', status: 'written' };
    journal.during = 'policy';
    expect(journal.record('SIGINT', new Date()).steps.map((s) => s.status)).to.deep.equal(['done', 'interrupted', 'not-started', 'not-started']);
    steps.push({ step: 'policy', status: 'done', detail: '' }, { step: 'assignments', status: 'unchanged', detail: '' });
    journal.during = 'tokens';
    const tokens = [1, 2, 3, 4].map(token);
    journal.listed(tokens);
    journal.sending(tokens[0]);
    journal.sending(tokens[1]);
    journal.ended(tokenResult(tokens[0], 'revoked', { verified: false }));
    journal.sending(tokens[2]);
    journal.ended(tokenResult(tokens[2], 'failed', { errorCode: 'INSUFFICIENT_ACCESS' }));
    const record = journal.record('SIGTERM', new Date('2026-11-20T12:00:00Z'));
    expect(record).to.deep.include({ status: 'interrupted', command: 'contain', signal: 'SIGTERM', during: 'tokens', interruptedAt: '2026-11-20T12:00:00.000Z' });
    expect(record.steps.map((s) => s.status)).to.deep.equal(['done', 'done', 'unchanged', 'interrupted']);
    expect(record.tokens.map((t) => [t.ref, t.status])).to.deep.equal([
      ['ref1', 'revoked'],
      ['ref2', 'in-flight'],
      ['ref3', 'failed'],
      ['ref4', 'not-sent'],
    ]);
    expect(record.counts).to.deep.equal({ revoked: 1, unchanged: 0, failed: 1, unknown: 0, 'in-flight': 1, 'not-sent': 1 });
    expect(JSON.stringify(record)).to.not.include('SECRET');
  });
});
