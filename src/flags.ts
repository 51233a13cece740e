/*
 * Flags whose value is parsed when the command line is read, not in run(): oclif calls `parse` while it reads
 * the flags, before run() and so before any request. A bad value is a flag error ("Parsing --last …") that
 * names the accepted forms and exits 2; run() gets a typed value.
 */
import { Messages } from '@salesforce/core';
import { Flags } from '@salesforce/sf-plugins-core';
import { parseDateFlag, parseLast } from './domain/usage/aggregate.js';
import { parseIp } from './domain/ip-address.js';
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
