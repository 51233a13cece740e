import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { DirLockedError, acquireDirLock, type DirLock } from '../../../src/adapters/dir-lock.js';
import { STALE_AFTER_MS, lockText, parseLockHolder, type LockHolder } from '../../../src/domain/dir-lock.js';

const NAME = 'test.lock';
const HOUR = 3_600_000;
const HOLDER_SCRIPT = join(dirname(fileURLToPath(import.meta.url)), 'lock-holder.ts');

/** A pid that was a process a moment ago and is none now. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', '']);
  expect(child.status).to.equal(0);
  return child.pid;
}

const writeLock = (dir: string, holder: Partial<LockHolder>): LockHolder => {
  const full: LockHolder = { pid: 1, hostname: hostname(), startedAt: new Date().toISOString(), token: 'someone-else', ...holder };
  writeFileSync(join(dir, NAME), lockText(full));
  return full;
};

async function refusal(promise: Promise<DirLock>): Promise<DirLockedError> {
  const outcome = await promise.then(
    (lock) => {
      lock.release();
      return new Error('the lock was granted');
    },
    (error: unknown) => error as Error
  );
  if (!(outcome instanceof DirLockedError)) throw outcome;
  return outcome;
}

describe('directory lock (adapter)', () => {
  let dir: string;
  const held: DirLock[] = [];
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'ca-lock-'));
  });
  afterEach(() => {
    for (const lock of held.splice(0)) lock.release();
    rmSync(dir, { recursive: true, force: true });
  });
  const take = async (): Promise<DirLock> => {
    const lock = await acquireDirLock(dir, NAME);
    held.push(lock);
    return lock;
  };

  it('creates the lock file with pid, host and start time, and removes it on release (once)', async () => {
    const before = Date.now();
    const lock = await take();
    const onDisk = parseLockHolder(readFileSync(join(dir, NAME), 'utf8'));
    expect(onDisk).to.deep.equal(lock.holder);
    expect(onDisk).to.include({ pid: process.pid, hostname: hostname() });
    expect(Date.parse(onDisk!.startedAt)).to.be.within(before - 1000, Date.now());
    expect(lock.tookOver).to.equal(null);
    lock.release();
    expect(readdirSync(dir)).to.deep.equal([]);
    lock.release();
    // Free again.
    (await take()).release();
    expect(readdirSync(dir)).to.deep.equal([]);
  });

  it('refuses a second taker while the first holds it, naming the holder and leaving its lock alone', async () => {
    const first = await take();
    const text = readFileSync(join(dir, NAME), 'utf8');
    const error = await refusal(acquireDirLock(dir, NAME));
    expect(error.holder).to.deep.equal(first.holder);
    expect(error.since).to.equal(Date.parse(first.holder.startedAt));
    expect(error.path).to.equal(join(dir, NAME));
    expect(readFileSync(join(dir, NAME), 'utf8')).to.equal(text);
  });

  it('gives the lock to exactly one of several takers starting together', async () => {
    const outcomes = await Promise.allSettled(Array.from({ length: 6 }, () => acquireDirLock(dir, NAME)));
    const granted = outcomes.filter((o): o is PromiseFulfilledResult<DirLock> => o.status === 'fulfilled').map((o) => o.value);
    held.push(...granted);
    expect(granted).to.have.length(1);
    for (const o of outcomes) if (o.status === 'rejected') expect(o.reason).to.be.instanceOf(DirLockedError);
  });

  it('refuses a live lock of another process on this host', async () => {
    const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 30000)'], { stdio: 'ignore' });
    try {
      const theirs = writeLock(dir, { pid: child.pid! });
      const error = await refusal(acquireDirLock(dir, NAME));
      expect(error.holder).to.deep.equal(theirs);
    } finally {
      child.kill();
    }
  });

  it('takes over a lock whose process is gone, and one naming this pid that this process does not hold', async () => {
    const gone = writeLock(dir, { pid: deadPid(), startedAt: new Date(Date.now() - 60_000).toISOString() });
    const lock = await take();
    expect(lock.tookOver).to.deep.equal({ holder: gone, since: Date.parse(gone.startedAt), verdict: 'dead-process' });
    expect(parseLockHolder(readFileSync(join(dir, NAME), 'utf8'))?.token).to.equal(lock.holder.token);
    lock.release();
    // A container restarted with the same pid: the lock was left by the earlier process.
    writeLock(dir, { pid: process.pid, token: 'an-earlier-process' });
    expect((await take()).tookOver?.verdict).to.equal('dead-process');
  });

  it('takes over a lock from another host only once it is older than the stale age', async () => {
    const recent = writeLock(dir, { hostname: 'another-host', pid: process.pid, startedAt: new Date(Date.now() - 2 * HOUR).toISOString() });
    expect((await refusal(acquireDirLock(dir, NAME))).holder).to.deep.equal(recent);
    const old = writeLock(dir, { hostname: 'another-host', startedAt: new Date(Date.now() - STALE_AFTER_MS - HOUR).toISOString() });
    const lock = await take();
    expect(lock.tookOver).to.include({ verdict: 'too-old' });
    expect(lock.tookOver?.holder).to.deep.equal(old);
  });

  it('judges a lock file it cannot read by its age: refused while recent, taken over when old', async () => {
    writeFileSync(join(dir, NAME), '');
    const error = await refusal(acquireDirLock(dir, NAME));
    expect(error.holder).to.equal(null);
    const old = (Date.now() - STALE_AFTER_MS - HOUR) / 1000;
    utimesSync(join(dir, NAME), old, old);
    const lock = await take();
    expect(lock.tookOver).to.include({ holder: null, verdict: 'too-old' });
  });

  it('of several takers of one stale lock, exactly one gets it and the others are refused', async () => {
    writeLock(dir, { pid: deadPid() });
    const outcomes = await Promise.allSettled(Array.from({ length: 6 }, () => acquireDirLock(dir, NAME)));
    const granted = outcomes.filter((o): o is PromiseFulfilledResult<DirLock> => o.status === 'fulfilled').map((o) => o.value);
    held.push(...granted);
    expect(granted).to.have.length(1);
    expect(parseLockHolder(readFileSync(join(dir, NAME), 'utf8'))?.token).to.equal(granted[0].holder.token);
    for (const o of outcomes) if (o.status === 'rejected') expect(o.reason).to.be.instanceOf(DirLockedError);
    // Nothing left beside the lock (no stale lock moved aside and forgotten).
    expect(readdirSync(dir)).to.deep.equal([NAME]);
  });

  it('release leaves alone a lock another run has taken over meanwhile', async () => {
    const lock = await take();
    const theirs = writeLock(dir, { hostname: 'another-host', token: 'took-it-over' });
    lock.release();
    expect(parseLockHolder(readFileSync(join(dir, NAME), 'utf8'))).to.deep.equal(theirs);
  });

  it('reports a directory it cannot create the lock in as an error, not as a held lock', async () => {
    const missing = join(dir, 'missing');
    const error = await acquireDirLock(missing, NAME).then(
      () => null,
      (e: unknown) => e as NodeJS.ErrnoException
    );
    expect(error).to.not.be.instanceOf(DirLockedError);
    expect(error?.code).to.equal('ENOENT');
  });

  describe('in a process that ends without running its finally blocks', function () {
    this.timeout(60_000);

    /** Starts lock-holder.ts, waits until it holds the lock, then does `end` to it; resolves with how it ended. */
    async function holderProcess(mode: string, end: (pid: number) => void): Promise<{ code: number | null; signal: NodeJS.Signals | null; lockedBy: number }> {
      const child = spawn(process.execPath, ['--import', 'tsx', HOLDER_SCRIPT, dir, mode], { stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      let err = '';
      child.stderr.on('data', (b: Buffer) => (err += b.toString('utf8')));
      const lockedBy = await new Promise<number>((resolve, reject) => {
        child.stdout.on('data', (b: Buffer) => {
          out += b.toString('utf8');
          const pid = /locked (\d+)/.exec(out)?.[1];
          if (pid) resolve(Number(pid));
        });
        child.on('close', (code) => { reject(new Error(`lock-holder ended (${code}) before taking the lock: ${err}`)); });
      });
      expect(lockedBy).to.equal(child.pid);
      const closed = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('close', (code, signal) => { resolve({ code, signal }); }));
      end(child.pid!);
      return { ...(await closed), lockedBy };
    }

    for (const signal of ['SIGTERM', 'SIGINT'] as const) {
      it(`releases it on ${signal}, and the process still ends by the signal`, async () => {
        const ended = await holderProcess('wait', (pid) => process.kill(pid, signal));
        expect(ended).to.include({ signal, code: null });
        expect(existsSync(join(dir, NAME))).to.be.false;
      });
    }

    it('releases it on SIGTERM when another listener (as SfCommand has) exits the process', async () => {
      const ended = await holderProcess('sf-like', (pid) => process.kill(pid, 'SIGTERM'));
      expect(ended).to.include({ code: 130 });
      expect(existsSync(join(dir, NAME))).to.be.false;
    });

    it('releases it on process.exit and on an uncaught error', async () => {
      expect(await holderProcess('exit', () => undefined)).to.include({ code: 3 });
      expect(existsSync(join(dir, NAME))).to.be.false;
      expect(await holderProcess('throw', () => undefined)).to.include({ code: 1 });
      expect(existsSync(join(dir, NAME))).to.be.false;
    });
  });
});
