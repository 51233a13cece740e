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
