/*
 * Writing a benchmark's latest figures into bench/results/<name>.md without losing what people wrote there: the run
 * replaces only the block between the two markers (created at the top of the file when it has none), so the
 * hand-written history and analysis below it stay. A benchmark whose runs answer different questions (audit at
 * 100/1,000 apps, audit at 5,000 apps) names each with a key: each key has its own block, so one run never
 * overwrites the other's figures that the README quotes.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const markers = (key?: string): { begin: string; end: string } => ({
  begin: `<!-- latest run${key ? ` of ${key}` : ''} (written by the benchmark with --write) -->`,
  end: `<!-- end of latest run${key ? ` of ${key}` : ''} -->`,
});

/** The file's new text: `lines` between the markers of `key`, the rest of `existing` as it was. */
export function withLatestRun(existing: string | null, title: string, lines: readonly string[], key?: string): string {
  const { begin, end: endMarker } = markers(key);
  const block = `${begin}\n${lines.join('\n')}\n${endMarker}`;
  if (existing === null) return `# ${title}\n\n${block}\n`;
  const start = existing.indexOf(begin);
  const end = existing.indexOf(endMarker);
  if (start >= 0 && end > start) return `${existing.slice(0, start)}${block}${existing.slice(end + endMarker.length)}`;
  // A new key's block goes after the other latest blocks; the first block goes right under the title line, and the
  // rest follows as "earlier runs".
  const earlier = existing.indexOf('\n## Earlier runs');
  if (earlier >= 0) return `${existing.slice(0, earlier).trimEnd()}\n\n${block}\n${existing.slice(earlier)}`;
  const newline = existing.indexOf('\n');
  const head = newline >= 0 ? existing.slice(0, newline + 1) : `${existing}\n`;
  return `${head}\n${block}\n\n## Earlier runs\n${newline >= 0 ? existing.slice(newline + 1) : ''}`;
}

/** Writes the latest run (of `key`, when the benchmark has several kinds of run) into bench/results/<name>.md. */
export function writeLatestRun(name: string, title: string, lines: readonly string[], key?: string): void {
  const file = join(import.meta.dirname, 'results', `${name}.md`);
  writeFileSync(file, withLatestRun(existsSync(file) ? readFileSync(file, 'utf8') : null, title, lines, key));
}
