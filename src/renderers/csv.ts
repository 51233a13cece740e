/*
 * CSV cells shared by the audit and usage renderers. App names can come from other orgs' apps (OAuth usage),
 * so a text cell is made safe twice: for a spreadsheet (OWASP CSV injection: a cell starting with = + - @,
 * tab or CR gets a leading apostrophe, so it is not run as a formula) and for a terminal (control and
 * invisible characters shown escaped, as everywhere else: CSV is often read with `cat`).
 */
import { forTerminal } from '../domain/terminal-text.js';

/** Neutralises spreadsheet formulas in a text cell and escapes what a terminal would act on. */
export function csvText(value: string): string {
  return forTerminal(/^[=+\-@\t\r]/.test(value) ? `'${value}` : value);
}

/** RFC 4180: quoted when the field holds a comma, a quote, CR or LF; quotes doubled. */
export function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}
