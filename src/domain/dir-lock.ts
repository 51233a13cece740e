/*
 * A directory lock, pure: what the lock file holds (who took it and when) and whether a lock found in the directory
 * is still held or was left behind by a run that is gone. src/adapters/dir-lock.ts creates, reads and removes it.
 */

export type LockHolder = {
  pid: number;
  hostname: string;
  /** When the run took the lock (ISO 8601, the holder's clock). */
  startedAt: string;
  /** Random per lock: tells this lock from a later one by the same pid (a release removes only its own). */
  token: string;
};

/**
 * A lock from another machine (whose process cannot be checked from here) is taken over once it is this old. Runs
 * are scheduled every 12 or 24 hours and take minutes, so a lock this old is left by a killed run.
 */
export const STALE_AFTER_MS = 24 * 3_600_000;

/** A lock older than the machine's boot by more than this was left before a restart (uptime is counted in seconds). */
const BOOT_MARGIN_MS = 60_000;

export const lockText = (holder: LockHolder): string => `${JSON.stringify(holder)}\n`;

/** The holder written in a lock file, or null when the text is not one (being written this instant, or damaged). */
export function parseLockHolder(text: string): LockHolder | null {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return null;
  }
  if (typeof value !== 'object' || value === null) return null;
  const { pid, hostname, startedAt, token } = value as Partial<Record<keyof LockHolder, unknown>>;
  if (typeof pid !== 'number' || !Number.isInteger(pid) || pid <= 0) return null;
  if (typeof hostname !== 'string' || typeof startedAt !== 'string' || Number.isNaN(Date.parse(startedAt))) return null;
  if (typeof token !== 'string' || token === '') return null;
  return { pid, hostname, startedAt, token };
}

/** held: leave it alone; the others say why it is stale and may be taken over. */
export type LockVerdict = 'held' | 'dead-process' | 'restarted' | 'too-old';

export type LockContext = {
  hostname: string;
  now: number;
  /** When this machine booted (ms). */
  bootedAt: number;
  staleAfterMs: number;
  /** Whether the holder's process runs on this machine (only asked for a holder on this host). */
  isRunning: (holder: LockHolder) => boolean;
};

/** When the lock was taken: as the holder wrote it, or the file's modification time when it cannot be read. */
export const lockSince = (holder: LockHolder | null, modifiedMs: number): number => (holder ? Date.parse(holder.startedAt) : modifiedMs);

/**
 * Whether a lock found in the directory is still held. On this host the process is checked (and a lock from before the
 * machine restarted is stale whatever its pid is now); from another host, or unreadable, only its age tells.
 */
export function judgeLock(holder: LockHolder | null, modifiedMs: number, context: LockContext): LockVerdict {
  const since = lockSince(holder, modifiedMs);
  if (holder && holder.hostname === context.hostname) {
    if (since < context.bootedAt - BOOT_MARGIN_MS) return 'restarted';
    return context.isRunning(holder) ? 'held' : 'dead-process';
  }
  return context.now - since > context.staleAfterMs ? 'too-old' : 'held';
}
