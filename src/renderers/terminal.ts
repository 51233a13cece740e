/*
 * Text from the org (app names from token records an outside publisher controls, usernames, file paths) is
 * printed to terminals and put into reports: control characters (ANSI/OSC escape sequences start with ESC),
 * bidirectional overrides and isolates, and non-characters are shown as \u{XXXX} instead of acting.
 */
const INVISIBLE = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\u200E\u200F\u202A-\u202E\u2066-\u2069\uFFFE\uFFFF]/g;

export function showInvisible(text: string): string {
  return text.replace(INVISIBLE, (c) => `\\u{${(c.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}}`);
}

/** Text for a terminal: invisible characters shown; tabs become spaces; line breaks stay. */
export function terminalSafe(text: string): string {
  return showInvisible(text.replace(/\r\n?/g, '\n')).replace(/\t/g, ' ');
}

/** One value on a line of ours: as terminalSafe, and line breaks become spaces (a value never starts a line). */
export function terminalValue(text: string): string {
  return terminalSafe(text.replace(/[\r\n]+/g, ' '));
}

/** One value from the org on a line of ours (names, usernames): as terminalValue. */
export function printable(text: string): string {
  return terminalValue(text);
}
