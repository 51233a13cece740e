/*
 * Salesforce record ids for the emulator: 15-character ids with the 3-character case-safe suffix (18 chars),
 * allocated deterministically per key prefix so the same scenario always yields the same ids.
 */

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const SUFFIX_CHARS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ012345';

/** The 3-character case-safe suffix of a 15-character id. */
export function idSuffix(id15: string): string {
  let suffix = '';
  for (let chunk = 0; chunk < 3; chunk++) {
    let bits = 0;
    for (let i = 0; i < 5; i++) {
      const c = id15.charCodeAt(chunk * 5 + i);
      if (c >= 65 && c <= 90) bits |= 1 << i;
    }
    suffix += SUFFIX_CHARS[bits];
  }
  return suffix;
}

/** Normalises a 15- or 18-character id to 18 characters (other strings are returned unchanged). */
export function to18(id: string): string {
  if (id.length === 15 && /^[a-zA-Z0-9]{15}$/.test(id)) return id + idSuffix(id);
  return id;
}

export function to15(id: string): string {
  return id.length === 18 ? id.slice(0, 15) : id;
}

export function isSalesforceId(value: string): boolean {
  if (/^[a-zA-Z0-9]{15}$/.test(value)) return true;
  return /^[a-zA-Z0-9]{18}$/.test(value) && idSuffix(value.slice(0, 15)) === value.slice(15).toUpperCase();
}

export function base62(n: number, width: number): string {
  let out = '';
  let v = Math.floor(n);
  while (v > 0) {
    out = BASE62[v % 62] + out;
    v = Math.floor(v / 62);
  }
  return out.padStart(width, '0');
}

/**
 * Hands out ids per key prefix: `<prefix><pod><counter>` + suffix. The pod ("5g" by default) only makes the ids
 * look like a real org's; `start` lets two allocators (e.g. listMetadata ids that differ from record ids) not collide.
 */
export class IdAllocator {
  private readonly counters = new Map<string, number>();

  public constructor(private readonly pod = '5g', private readonly start = 1) {}

  public next(prefix: string): string {
    const n = this.counters.get(prefix) ?? this.start;
    this.counters.set(prefix, n + 1);
    const id15 = `${prefix}${this.pod}${base62(n, 15 - prefix.length - this.pod.length)}`;
    return id15 + idSuffix(id15);
  }
}
