/*
 * A lock file in a directory, so two runs never work on it at once. It is created with an exclusive create ('wx':
 * exactly one of several runs starting together gets it) and holds the holder's pid, host name and start time.
 * It is removed when the run ends, on every path: the caller's `finally`, and — for a run stopped by a signal or
 * process.exit, where no `finally` runs — a process 'exit' listener and SIGINT/SIGTERM/SIGHUP listeners. A lock
 * whose holder is gone (see judgeLock) is taken over, by one run at a time.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync, unlinkSync } from 'node:fs';
import { open, readFile, rm, stat } from 'node:fs/promises';
import { hostname, uptime } from 'node:os';
import { join } from 'node:path';
import { STALE_AFTER_MS, judgeLock, lockSince, lockText, parseLockHolder, type LockHolder, type LockVerdict } from '../domain/dir-lock.js';

/** The directory is locked by a run that is (as far as can be told) still going. */
export class DirLockedError extends Error {
  public constructor(public readonly path: string, public readonly holder: LockHolder | null, public readonly since: number) {
    super(`${path} is held by ${holder ? `pid ${holder.pid} on ${holder.hostname}` : 'an unreadable lock'} since ${new Date(since).toISOString()}`);
    this.name = 'DirLockedError';
  }
}

export type StaleLock = { holder: LockHolder | null; since: number; verdict: Exclude<LockVerdict, 'held'> };

export type DirLock = {
  path: string;
  holder: LockHolder;
  /** The stale lock this one replaced. */
  tookOver: StaleLock | null;
  /** Removes the lock file if it is still this lock; safe to call more than once. */
  release(): void;
};

const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

/** Tokens of the locks this process holds: a lock naming this pid with another token was left by an earlier process. */
const heldHere = new Set<string>();

function isRunning(holder: LockHolder): boolean {
  if (holder.pid === process.pid) return heldHere.has(holder.token);
  try {
    process.kill(holder.pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to another user.
    return (error as NodeJS.ErrnoException).code !== 'ESRCH';
  }
}

type Found = { text: string; holder: LockHolder | null; modifiedMs: number };

/** The lock file as it is now, or null when there is none. */
async function readLock(path: string): Promise<Found | null> {
  for (let attempt = 0; ; attempt++) {
    try {
      const [text, info] = await Promise.all([readFile(path, 'utf8'), stat(path)]);
      const holder = parseLockHolder(text);
      // A lock created this instant may not hold its text yet: look once more before calling it unreadable.
      if (holder === null && attempt === 0 && Date.now() - info.mtimeMs < 2000) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        continue;
      }
      return { text, holder, modifiedMs: info.mtimeMs };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw error;
    }
  }
}

/** Creates the lock file; false when one exists. */
async function create(path: string, holder: LockHolder): Promise<boolean> {
  let handle;
  try {
    handle = await open(path, 'wx', 0o644);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
  try {
    await handle.writeFile(lockText(holder), 'utf8');
    await handle.sync();
  } catch (error) {
    await handle.close();
    await rm(path, { force: true });
    throw error;
  }
  await handle.close();
  return true;
}

/** A takeover guard left by a run killed in the instant it held one is cleared after this long. */
const GUARD_STALE_MS = 60_000;

/**
 * Removes a stale lock — only while holding the takeover guard `<lock>.takeover` (exclusive create, so one run at a
 * time), and only if the file still holds the very lock judged stale: no run can remove a lock another has just taken.
 */
async function removeStale(path: string, found: Found): Promise<'removed' | 'changed' | 'busy'> {
  const guard = `${path}.takeover`;
  try {
    await (await open(guard, 'wx')).close();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    const info = await stat(guard).catch(() => null);
    if (info && Date.now() - info.mtimeMs > GUARD_STALE_MS) await rm(guard, { force: true });
    return 'busy';
  }
  try {
    const now = await readFile(path, 'utf8').catch((error: unknown) => {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw error;
    });
    if (now !== found.text) return 'changed';
    await rm(path);
    return 'removed';
  } finally {
    await rm(guard, { force: true });
  }
}

/** Takes the lock `name` in `dir` (which must exist); throws DirLockedError when a live run holds it. */
export async function acquireDirLock(dir: string, name: string): Promise<DirLock> {
  const path = join(dir, name);
  const holder: LockHolder = { pid: process.pid, hostname: hostname(), startedAt: new Date().toISOString(), token: randomUUID() };
  // Counted as held from before the file exists: a taker in this process that reads it then must not judge it stale.
  heldHere.add(holder.token);
  try {
    return await takeLock(path, holder);
  } catch (error) {
    heldHere.delete(holder.token);
    throw error;
  }
}

async function takeLock(path: string, holder: LockHolder): Promise<DirLock> {
  let tookOver: StaleLock | null = null;
  // Each round creates the lock, refuses, or deals with a stale one; the rounds cover runs racing for a stale lock.
  for (let round = 0; round < 40; round++) {
    if (await create(path, holder)) return held(path, holder, tookOver);
    const found = await readLock(path);
    if (found === null) continue;
    const since = lockSince(found.holder, found.modifiedMs);
    const verdict = judgeLock(found.holder, found.modifiedMs, { hostname: holder.hostname, now: Date.now(), bootedAt: Date.now() - uptime() * 1000, staleAfterMs: STALE_AFTER_MS, isRunning });
    if (verdict === 'held') throw new DirLockedError(path, found.holder, since);
    const removed = await removeStale(path, found);
    if (removed === 'removed') tookOver = { holder: found.holder, since, verdict };
    // Another run is taking the stale lock over: look again shortly (it will most likely hold the lock by then).
    else if (removed === 'busy') await new Promise((resolve) => setTimeout(resolve, 25));
  }
  const last = await readLock(path);
  throw new DirLockedError(path, last?.holder ?? null, last ? lockSince(last.holder, last.modifiedMs) : Date.now());
}

function held(path: string, holder: LockHolder, tookOver: StaleLock | null): DirLock {
  const onSignal = (signal: NodeJS.Signals): void => {
    release();
    // Alone, a listener would keep the process alive: without other listeners, end as the signal would have.
    if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
  };
  function release(): void {
    if (!heldHere.delete(holder.token)) return;
    process.removeListener('exit', release);
    for (const signal of SIGNALS) process.removeListener(signal, onSignal);
    // Synchronous, as it also runs in an 'exit' listener. Only our own lock: a run may have taken it over as stale.
    try {
      if (parseLockHolder(readFileSync(path, 'utf8'))?.token === holder.token) unlinkSync(path);
    } catch {
      // Gone already, or the directory is: nothing to release.
    }
  }
  process.on('exit', release);
  // Before other listeners (SfCommand's exits from its own), so the lock is gone whatever they do.
  for (const signal of SIGNALS) process.prependListener(signal, onSignal);
  return { path, holder, tookOver, release };
}
