/*
 * Name matching for apps, permission sets and profiles: Salesforce shows labels, stores API names,
 * and prefixes managed components with a namespace, so "Jenkins CI", "Jenkins_CI" and "ci__Jenkins_CI"
 * must be recognised as the same thing when nothing better (an Id) is available.
 */

/** Lower-case, accents removed, every run of non-alphanumerics folded to one underscore. */
export function normaliseName(name: string): string {
  return name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '');
}

/** Splits `ns__Name` into namespace and local name (API names cannot hold `__` themselves). */
export function splitNamespace(fullName: string): { namespace: string | null; localName: string } {
  const match = /^([A-Za-z][A-Za-z0-9]{0,14})__(.+)$/.exec(fullName);
  return match ? { namespace: match[1], localName: match[2] } : { namespace: null, localName: fullName };
}

/** Edit distance (Levenshtein plus adjacent transpositions, so `Jeknins` is one edit from `Jenkins`), for "did you mean" suggestions. Stops early, returning `cap + 1`, once the distance must exceed `cap`. */
export function editDistance(a: string, b: string, cap = Number.POSITIVE_INFINITY): number {
  if (Math.abs(a.length - b.length) > cap) return cap + 1;
  let beforePrevious = new Array<number>(b.length + 1).fill(0);
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  let current = new Array<number>(b.length + 1).fill(0);
  for (let i = 1; i <= a.length; i++) {
    current[0] = i;
    let rowMin = i;
    for (let j = 1; j <= b.length; j++) {
      let value = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) value = Math.min(value, beforePrevious[j - 2] + 1);
      current[j] = value;
      rowMin = Math.min(rowMin, value);
    }
    if (rowMin > cap) return cap + 1;
    [beforePrevious, previous, current] = [previous, current, beforePrevious];
  }
  return previous[b.length];
}

/** Something that can be suggested, by every name it answers to (an app's API name and label): it is offered once, under its nearest name. */
export type NameCandidate = string | readonly string[];

/** No Salesforce name compared here is longer (profile names); longer input is never a near miss. */
const LONGEST_COMPARED = 255;

/**
 * Up to `limit` candidates close to `wanted`, nearest first, each thing once: within a third of the name's
 * length in edits (at least two, so one-letter typos in short names are caught), or containing it (a name
 * typed in part), typos ranked before partial names.
 */
export function closeMatches(wanted: string, candidates: Iterable<NameCandidate>, limit = 5): string[] {
  // Checked before normalising, so a huge input costs nothing (accents and punctuation only shorten it).
  if (wanted.length > LONGEST_COMPARED * 4) return [];
  const key = normaliseName(wanted);
  if (key === '' || key.length > LONGEST_COMPARED) return [];
  const budget = Math.max(2, Math.floor(key.length / 3));
  const best = new Map<string, number>();
  for (const candidate of candidates) {
    let nearest: { name: string; score: number } | null = null;
    for (const name of typeof candidate === 'string' ? [candidate] : candidate) {
      const score = name.length > LONGEST_COMPARED * 4 ? null : nearness(key, normaliseName(name), budget);
      if (score !== null && (nearest === null || score < nearest.score)) nearest = { name, score };
    }
    if (nearest && nearest.score < (best.get(nearest.name) ?? Number.POSITIVE_INFINITY)) best.set(nearest.name, nearest.score);
  }
  return [...best]
    .sort(([x, a], [y, b]) => a - b || x.localeCompare(y))
    .slice(0, limit)
    .map(([name]) => name);
}

/** Lower is nearer; null when not close. Edits score their count; a name that contains the other scores after every typo. */
function nearness(key: string, other: string, budget: number): number | null {
  if (other === '' || other.length > LONGEST_COMPARED) return null;
  const distance = editDistance(key, other, budget);
  if (distance <= budget) return distance;
  const partial = key.length >= 3 && other.includes(key) ? other.length - key.length : other.length >= 4 && key.includes(other) ? key.length - other.length : null;
  return partial === null ? null : budget + 1 + partial;
}

export type NameKind = 'app' | 'permission-set' | 'profile';

/**
 * The longest name of each kind the platform can hold (object reference field lengths): a connected app's
 * label (ConnectedApplication.Name) and a permission set's API name and label are 80 characters, and an API
 * name may carry a namespace prefix of up to 15 and `__`; a profile's name is 255. Longer input names nothing.
 */
export const LONGEST_NAME: Readonly<Record<NameKind, number>> = { app: 15 + 2 + 80, 'permission-set': 15 + 2 + 80, profile: 255 };

/** The names longer than any of their kind can be (a cheap check, made before any matching). */
export function overLongNames(kind: NameKind, names: Iterable<string>): string[] {
  return [...names].filter((name) => name.length > LONGEST_NAME[kind]);
}

/** A name for a message: whole when short, else its start and its length (an over-long name is never echoed whole). */
export function shownName(name: string, max = 60): string {
  return name.length <= max ? name : `${name.slice(0, max)}… (${name.length} characters)`;
}

/** The case-sensitive 15-character form of a Salesforce Id (an 18-character Id adds a checksum). */
export function id15(id: string): string {
  return id.slice(0, 15);
}

export function sameId(a: string | null | undefined, b: string | null | undefined): boolean {
  return !!a && !!b && id15(a) === id15(b);
}
