/*
 * IPv4 and IPv6 addresses as numbers, to test an address against inclusive ranges (profile login IP ranges,
 * an app's trusted ranges). Pure; no DNS, no zones.
 */

/** The address as a number with its family, or null when the text is not an IP address. */
export type IpNumber = { family: 4 | 6; value: bigint };

export function parseIp(text: string): IpNumber | null {
  const s = text.trim();
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(s)) {
    const parts = s.split('.').map(Number);
    if (parts.some((p) => p > 255)) return null;
    return { family: 4, value: parts.reduce((n, p) => n * 256n + BigInt(p), 0n) };
  }
  return parseIpv6(s);
}

function parseIpv6(s: string): IpNumber | null {
  if (!/^[0-9a-fA-F:.]+$/.test(s) || !s.includes(':')) return null;
  const halves = s.split('::');
  if (halves.length > 2) return null;
  const groups = (part: string): string[] | null => {
    if (part === '') return [];
    const out: string[] = [];
    const pieces = part.split(':');
    for (const [i, piece] of pieces.entries()) {
      // An embedded IPv4 tail (::ffff:192.0.2.1) counts as two groups.
      if (i === pieces.length - 1 && piece.includes('.')) {
        const v4 = parseIp(piece);
        if (v4?.family !== 4) return null;
        out.push(((v4.value >> 16n) & 0xffffn).toString(16), (v4.value & 0xffffn).toString(16));
      } else if (/^[0-9a-fA-F]{1,4}$/.test(piece)) out.push(piece);
      else return null;
    }
    return out;
  };
  const head = groups(halves[0]);
  const tail = halves.length === 2 ? groups(halves[1]) : [];
  if (!head || !tail) return null;
  const missing = 8 - head.length - tail.length;
  if ((halves.length === 2 && missing < 1) || (halves.length === 1 && missing !== 0)) return null;
  const all = [...head, ...Array<string>(missing).fill('0'), ...tail];
  return { family: 6, value: all.reduce((n, g) => n * 65536n + BigInt(parseInt(g, 16)), 0n) };
}

/** Whether the address lies in [start, end] (inclusive, same family). A range that does not parse contains nothing. */
export function inRange(ip: IpNumber, range: { start: string; end: string }): boolean {
  const start = parseIp(range.start);
  const end = parseIp(range.end);
  if (!start || !end || start.family !== ip.family || end.family !== ip.family) return false;
  return ip.value >= start.value && ip.value <= end.value;
}

export function inAnyRange(ip: IpNumber, ranges: ReadonlyArray<{ start: string; end: string }>): boolean {
  return ranges.some((r) => inRange(ip, r));
}
