/*
 * Help and README examples as argument lists, for the tests that check them (messages/*.md examples against the
 * demo org's names, README lines run against the emulator).
 */

/** Shell-like split of one example line: quotes group words; a `#` comment or `>` redirection ends it. */
export function exampleArgs(line: string): string[] {
  const words: string[] = [];
  for (const m of line.matchAll(/"([^"]*)"|'([^']*)'|(\S+)/g)) {
    const [, double, single, bare] = m as unknown as [string, string | undefined, string | undefined, string | undefined];
    const word = double ?? single ?? bare ?? '';
    if (bare !== undefined && (word.startsWith('#') || word === '>')) break;
    words.push(word);
  }
  return words;
}
