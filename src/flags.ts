/*
 * Flags whose value is parsed when the command line is read, not in run(): oclif calls `parse` while it reads
 * the flags, before run() and so before any request. A bad value is a flag error ("Parsing --last …") that
 * names the accepted forms and exits 2; run() gets a typed value.
 */
import { statSync } from 'node:fs';
import { Messages } from '@salesforce/core';
import { Flags } from '@salesforce/sf-plugins-core';
import { parseIp } from './domain/ip-address.js';
import { DAY_MS, HOUR_MS } from './domain/usage/window.js';
import { EXIT } from './exit-codes.js';

Messages.importMessagesDirectoryFromMetaUrl(import.meta.url);
const messages = Messages.loadMessages('plugin-connectedapp', 'connectedapp.flags');

/** oclif awaits a flag's `parse`; ours are synchronous (a throw becomes the rejection). */
export function parser<T>(read: (input: string) => T): (input: string) => Promise<T> {
  return (input) =>
    new Promise((resolve) => {
      resolve(read(input));
    });
}

// ---- Values, as the flags read them (pure) ---------------------------------------------------------

const DATE_ONLY = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3}))?)?(Z|[+-]\d{2}:?\d{2})$/;

function validDay(y: number, m: number, d: number): boolean {
  const date = new Date(Date.UTC(y, m - 1, d));
  return date.getUTCFullYear() === y && date.getUTCMonth() === m - 1 && date.getUTCDate() === d;
}

/**
 * A --start-date / --end-date value: YYYY-MM-DD (a UTC day) or an ISO 8601 date-time with a zone
 * (2026-11-13T08:00:00Z, 2026-11-13T08:00+01:00). A day as an end date means the end of that day.
 */
export function parseDateFlag(value: string, as: 'start' | 'end'): Date | null {
  const text = value.trim();
  const day = DATE_ONLY.exec(text);
  if (day) {
    const [y, m, d] = [Number(day[1]), Number(day[2]), Number(day[3])];
    if (!validDay(y, m, d)) return null;
    return new Date(Date.UTC(y, m - 1, d) + (as === 'end' ? DAY_MS : 0));
  }
  const dt = DATE_TIME.exec(text);
  if (!dt) return null;
  const seconds = (dt[6] as string | undefined) ?? '00';
  const fraction = (dt[7] as string | undefined) ?? '0';
  const [y, m, d, hh, mm, ss] = [Number(dt[1]), Number(dt[2]), Number(dt[3]), Number(dt[4]), Number(dt[5]), Number(seconds)];
  if (!validDay(y, m, d) || hh > 23 || mm > 59 || ss > 59) return null;
  const zone = dt[8] === 'Z' ? 'Z' : `${dt[8].slice(0, 3)}:${dt[8].slice(-2)}`;
  const ms = Date.parse(`${dt[1]}-${dt[2]}-${dt[3]}T${dt[4]}:${dt[5]}:${seconds}.${fraction.padEnd(3, '0')}${zone}`);
  return Number.isNaN(ms) ? null : new Date(ms);
}

/** A duration (--last, --prune-older-than): 7d, 36h, 2w, in milliseconds. */
export function parseLast(value: string): number | null {
  const match = /^\s*(\d{1,5})\s*([hdw])\s*$/i.exec(value);
  if (!match) return null;
  const n = Number(match[1]);
  if (n <= 0) return null;
  const unit = match[2].toLowerCase();
  return n * (unit === 'h' ? HOUR_MS : unit === 'd' ? DAY_MS : 7 * DAY_MS);
}

// ---- Flags ------------------------------------------------------------------------------------------

/** A span of time as typed (`36h`, `7d`, `2w`) and in milliseconds; shown as typed (oclif prints flag values in errors). */
export type Duration = { text: string; ms: number; toString(): string };

/** --last, --prune-older-than: a whole number of hours, days or weeks. */
export const durationFlag = Flags.custom<Duration>({
  parse: parser((input) => {
    const ms = parseLast(input);
    if (ms === null) throw messages.createError('error.InvalidDuration', [input], [], EXIT.usage);
    const text = input.trim();
    return { text, ms, toString: () => text };
  }),
});

/**
 * A day (YYYY-MM-DD, UTC) or a date-time with a zone. `as: 'end'` reads a day as its end (the next midnight), for
 * a flag that closes a window.
 */
export const dateFlag = (as: 'start' | 'end' = 'start') =>
  Flags.custom<Date>({
    parse: parser((input) => {
      const date = parseDateFlag(input, as);
      if (date === null) throw messages.createError('error.InvalidDate', [input], [], EXIT.usage);
      return date;
    }),
  });

/** One IPv4 or IPv6 address, trimmed. */
export const ipFlag = Flags.custom({
  parse: parser((input) => {
    const ip = input.trim();
    if (!parseIp(ip)) throw messages.createError('error.InvalidIp', [input], [], EXIT.usage);
    return ip;
  }),
});

/**
 * The `parse` of a path flag that must name an existing directory or file (oclif's `exists: true` exits 1 with its own
 * message): a missing path is wrong usage (exit 2), with the next step, before anything is read. The path is
 * returned as typed.
 */
export function existingPath(kind: 'directory' | 'file'): (input: string) => Promise<string> {
  return parser((input) => {
    const stats = statSync(input, { throwIfNoEntry: false });
    const found = kind === 'directory' ? stats?.isDirectory() : stats?.isFile();
    if (!found) throw messages.createError(kind === 'directory' ? 'error.NoDirectory' : 'error.NoFile', [input], [process.cwd()], EXIT.usage);
    return input;
  });
}
