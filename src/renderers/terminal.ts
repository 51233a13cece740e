/*
 * Renderers' names for the one terminal-safety rule (src/domain/terminal-text.ts): text from the org or a file
 * shows its control, bidi and invisible characters escaped (`\x1b`, `\u202e`) instead of acting on the terminal
 * or the page.
 */
import { forTerminal, forTerminalCell } from '../domain/terminal-text.js';

/** Text for a page or a terminal where line breaks may stay (tabs become spaces). */
export function terminalSafe(text: string): string {
  return forTerminal(text.replace(/\r\n?/g, '\n').replace(/\t/g, ' '));
}

/** Alias kept for HTML, where every character that could act is shown. */
export const showInvisible = terminalSafe;

/** One value on a line of ours (names, usernames): line breaks and tabs become spaces, the rest as terminalSafe. */
export function terminalValue(text: string): string {
  return forTerminalCell(text.replace(/[\r\n]+/g, ' ').replace(/\t/g, ' '));
}

/** One value from the org on a line of ours (used by the incident commands' tables). */
export const printable = terminalValue;
