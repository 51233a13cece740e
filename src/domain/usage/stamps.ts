/*
 * Event-log timestamps: ELF TIMESTAMP (yyyyMMddHHmmss.SSS, UTC) compares as text, so rows are filtered and bucketed
 * without Date objects; these convert to and from it, and read Salesforce datetimes.
 */

const pad = (n: number, width = 2): string => String(n).padStart(width, '0');

/** An instant in ELF TIMESTAMP form (yyyyMMddHHmmss.SSS, UTC), comparable as text with the files' values. */
export function elfStamp(date: Date): string {
  return (
    `${date.getUTCFullYear()}${pad(date.getUTCMonth() + 1)}${pad(date.getUTCDate())}` +
    `${pad(date.getUTCHours())}${pad(date.getUTCMinutes())}${pad(date.getUTCSeconds())}.${pad(date.getUTCMilliseconds(), 3)}`
  );
}

/** ELF TIMESTAMP (any number of decimals, or none; also a bucket prefix yyyyMMdd[HH]) → ISO 8601. */
export function isoOfStamp(stamp: string): string | null {
  const m = /^(\d{4})(\d{2})(\d{2})(\d{2})?(\d{2})?(\d{2})?(?:\.(\d+))?$/.exec(stamp);
  if (!m) return null;
  // Optional groups are undefined when they did not match.
  const part = (i: number, fallback: string): string => (i < m.length && typeof m[i] === 'string' ? m[i] : fallback);
  return `${m[1]}-${m[2]}-${m[3]}T${part(4, '00')}:${part(5, '00')}:${part(6, '00')}.${part(7, '').slice(0, 3).padEnd(3, '0')}Z`;
}

/** TIMESTAMP_DERIVED (ISO, 2026-11-19T00:00:00.233Z) → ELF TIMESTAMP form. */
export function stampOfIso(iso: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?/.exec(iso);
  return m ? `${m[1]}${m[2]}${m[3]}${m[4]}${m[5]}${m[6]}.${((m[7] as string | undefined) ?? '000').slice(0, 3)}` : '';
}

/** Salesforce datetimes come as 2026-11-13T00:00:00.000+0000. */
export function parseSfDate(value: string): number {
  return Date.parse(value.replace(/([+-]\d{2})(\d{2})$/, '$1:$2'));
}

/** A first/last-seen stamp ('' when none was seen) as ISO 8601, or null. */
export const seenIso = (stamp: string): string | null => (stamp === '' ? null : isoOfStamp(stamp));
