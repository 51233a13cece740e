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

/** Levenshtein distance, for "did you mean" suggestions. */
export function editDistance(a: string, b: string): number {
  const previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = previous[0];
    previous[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = previous[j];
      previous[j] = Math.min(previous[j] + 1, previous[j - 1] + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return previous[b.length];
}

/** Up to `limit` candidates close to `wanted`: containing it, or within a third of its length in edits. */
export function closeMatches(wanted: string, candidates: Iterable<string>, limit = 5): string[] {
  const key = normaliseName(wanted);
  const scored: Array<{ name: string; score: number }> = [];
  for (const name of new Set(candidates)) {
    const other = normaliseName(name);
    const distance = editDistance(key, other);
    const contains = key.length >= 3 && (other.includes(key) || key.includes(other));
    if (contains || distance <= Math.max(2, Math.floor(key.length / 3))) scored.push({ name, score: contains ? 0 : distance });
  }
  return scored
    .sort((x, y) => x.score - y.score || x.name.localeCompare(y.name))
    .slice(0, limit)
    .map((s) => s.name);
}

/** The case-sensitive 15-character form of a Salesforce Id (an 18-character Id adds a checksum). */
export function id15(id: string): string {
  return id.slice(0, 15);
}

export function sameId(a: string | null | undefined, b: string | null | undefined): boolean {
  return !!a && !!b && id15(a) === id15(b);
}
