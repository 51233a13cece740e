import { expect } from 'chai';
import { STALE_AFTER_MS, judgeLock, lockText, parseLockHolder, type LockContext, type LockHolder } from '../../../src/domain/dir-lock.js';

const HOUR = 3_600_000;
const NOW = Date.parse('2026-11-20T12:00:00.000Z');
const holder = (over: Partial<LockHolder> = {}): LockHolder => ({ pid: 4242, hostname: 'cron-box', startedAt: new Date(NOW - HOUR).toISOString(), token: 't-1', ...over });

const here = (over: Partial<LockContext> = {}): LockContext => ({
  hostname: 'cron-box',
  now: NOW,
  bootedAt: NOW - 30 * 24 * HOUR,
  staleAfterMs: STALE_AFTER_MS,
  isRunning: () => true,
  ...over,
});

describe('directory lock (domain)', () => {
  it('writes the holder as one line of JSON and reads it back; anything else is unreadable', () => {
    const h = holder();
    expect(parseLockHolder(lockText(h))).to.deep.equal(h);
    for (const text of ['', '{"pid":42', 'null', '[]', '{"pid":"42","hostname":"a","startedAt":"2026-11-20T00:00:00Z","token":"x"}', '{"pid":0,"hostname":"a","startedAt":"2026-11-20T00:00:00Z","token":"x"}', '{"pid":42,"hostname":"a","startedAt":"soon","token":"x"}', '{"pid":42,"hostname":"a","startedAt":"2026-11-20T00:00:00Z","token":""}']) {
      expect(parseLockHolder(text), text).to.equal(null);
    }
  });

  it('on this host: held while the process runs, stale once it is gone or the machine restarted', () => {
    const asked: number[] = [];
    const running = (alive: boolean) => (h: LockHolder): boolean => {
      asked.push(h.pid);
      return alive;
    };
    expect(judgeLock(holder(), 0, here({ isRunning: running(true) }))).to.equal('held');
    expect(judgeLock(holder(), 0, here({ isRunning: running(false) }))).to.equal('dead-process');
    expect(asked).to.deep.equal([4242, 4242]);
    // Even a week-old lock is held while its process runs on this machine (a very slow run is still a run) ...
    expect(judgeLock(holder({ startedAt: new Date(NOW - 7 * 24 * HOUR).toISOString() }), 0, here())).to.equal('held');
    // ... unless the machine booted after it was taken: its pid may belong to another process now.
    expect(judgeLock(holder({ startedAt: new Date(NOW - 2 * HOUR).toISOString() }), 0, here({ bootedAt: NOW - HOUR }))).to.equal('restarted');
    // Taken just after boot (uptime has whole seconds): not mistaken for a lock from before the restart.
    expect(judgeLock(holder({ startedAt: new Date(NOW - HOUR - 5000).toISOString() }), 0, here({ bootedAt: NOW - HOUR }))).to.equal('held');
  });

  it('from another host: held until it is older than the stale age, without asking about the pid', () => {
    const isRunning = (): boolean => {
      throw new Error('a pid on another host cannot be checked');
    };
    const other = (ageMs: number): LockHolder => holder({ hostname: 'laptop', startedAt: new Date(NOW - ageMs).toISOString() });
    expect(judgeLock(other(HOUR), 0, here({ isRunning }))).to.equal('held');
    expect(judgeLock(other(STALE_AFTER_MS - 1000), 0, here({ isRunning }))).to.equal('held');
    expect(judgeLock(other(STALE_AFTER_MS + 1000), 0, here({ isRunning }))).to.equal('too-old');
    expect(STALE_AFTER_MS).to.be.at.least(12 * HOUR);
  });

  it('an unreadable lock is judged by the age of the file', () => {
    expect(judgeLock(null, NOW - HOUR, here())).to.equal('held');
    expect(judgeLock(null, NOW - STALE_AFTER_MS - 1000, here())).to.equal('too-old');
  });
});
