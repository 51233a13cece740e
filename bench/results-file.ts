/*
 * Writing a benchmark's latest figures into bench/results/<name>.md without losing what people wrote there: the run
 * replaces only the block between the two markers (created at the top of the file when it has none), so the
 * hand-written history and analysis below it stay.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const BEGIN = '<!-- latest run (written by the benchmark with --write) -->';
const END = '<!-- end of latest run -->';

/** The file's new text: `lines` between the markers, the rest of `existing` as it was. */
export function withLatestRun(existing: string | null, title: string, lines: readonly string[]): string {
  const block = `${BEGIN}\n${lines.join('\n')}\n${END}`;
  if (existing === null) return `# ${title}\n\n${block}\n`;
  const start = existing.indexOf(BEGIN);
  const end = existing.indexOf(END);
  if (start >= 0 && end > start) return `${existing.slice(0, start)}${block}${existing.slice(end + END.length)}`;
  // No block yet: it goes right under the title line, the rest follows as "earlier runs".
  const newline = existing.indexOf('\n');
  const head = newline >= 0 ? existing.slice(0, newline + 1) : `${existing}\n`;
  return `${head}\n${block}\n\n## Earlier runs\n${newline >= 0 ? existing.slice(newline + 1) : ''}`;
}

/** Writes the latest run into bench/results/<name>.md. */
export function writeLatestRun(name: string, title: string, lines: readonly string[]): void {
  const file = join(import.meta.dirname, 'results', `${name}.md`);
  writeFileSync(file, withLatestRun(existsSync(file) ? readFileSync(file, 'utf8') : null, title, lines));
}
