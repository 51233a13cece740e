/*
 * The usage report's window: [start, end) from the flags (parsed by src/flags.ts), and how many LoginHistory days
 * cover it.
 */

export type UsageInterval = 'daily' | 'hourly';
export type UsageSourceName = 'elf' | 'tokens' | 'logins' | 'all';

/** [start, end): the instants the report covers (end exclusive). */
export type UsageWindow = { start: Date; end: Date };

export const DAY_MS = 86_400_000;
export const HOUR_MS = 3_600_000;
/** LoginHistory keeps about six months. */
export const LOGIN_HISTORY_MAX_DAYS = 180;

export type WindowProblem = { problem: 'empty-window'; start: string; end: string };

/** The window when no flag gives one: the last 7 days. */
export const DEFAULT_LAST_MS = 7 * DAY_MS;

/**
 * The window from the flags, parsed by them: --last counts back from --end-date (default now); --start-date and
 * --end-date give the bounds; neither: the last 7 days. (--last with --start-date is refused by the flag definitions.)
 */
export function resolveWindow(flags: { start?: Date; end?: Date; lastMs?: number }, now: Date): { window: UsageWindow } | WindowProblem {
  const end = flags.end ?? now;
  const start = flags.start ?? new Date(end.getTime() - (flags.lastMs ?? DEFAULT_LAST_MS));
  if (start.getTime() >= end.getTime()) return { problem: 'empty-window', start: start.toISOString(), end: end.toISOString() };
  return { window: { start, end } };
}

/** LoginHistory days (LAST_N_DAYS:n) that cover the window's start, at most six months. */
export function loginHistoryDays(window: UsageWindow | null, now: Date): { days: number; clamped: boolean } {
  if (window === null) return { days: LOGIN_HISTORY_MAX_DAYS, clamped: false };
  const wanted = Math.max(1, Math.ceil((now.getTime() - window.start.getTime()) / DAY_MS));
  return { days: Math.min(wanted, LOGIN_HISTORY_MAX_DAYS), clamped: wanted > LOGIN_HISTORY_MAX_DAYS };
}
