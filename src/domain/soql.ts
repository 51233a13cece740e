/*
 * SOQL literal escaping. Every value placed in a query goes through here: app, user and permission set
 * names can hold quotes, backslashes and any Unicode.
 */

/** Quotes a string as a SOQL literal: backslash and single quote escaped, control characters spelled out. */
export function soqlString(value: string): string {
  const escaped = value
    .replace(/\\/g, '\\\\')
    .replace(/'/g, "\\'")
    .replace(/\n/g, '\\n')
    .replace(/\r/g, '\\r')
    .replace(/\t/g, '\\t');
  return `'${escaped}'`;
}

/** `('a', 'b')` for an IN clause. Callers split long lists so the query stays under the URL limit. */
export function soqlInList(values: Iterable<string>): string {
  return `(${[...values].map(soqlString).join(', ')})`;
}

/** A SOQL datetime literal (UTC, whole seconds; `up` rounds up, for an exclusive upper bound). */
export function soqlDateTime(date: Date, up = false): string {
  const ms = date.getTime();
  const seconds = up ? Math.ceil(ms / 1000) : Math.floor(ms / 1000);
  return new Date(seconds * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
}
