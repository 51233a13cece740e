/*
 * Human tables that fit the terminal: at most TABLE_WIDTH (120) columns, fewer on a narrower terminal, 120 through a
 * pipe or into a file. Text columns wrap at word boundaries (spaces; after a hyphen or a slash inside a long word);
 * identifier columns (API names, Ids, usernames, IPs, refs, dates, counts: what people copy) are never wrapped or
 * split, the text columns give way instead; a column with no value in any row is left out. Pure, except humanWidth,
 * which reads the terminal's width (the commands pass it in; renderers and goldens use TABLE_WIDTH).
 */

/** Human output fits this many columns at most, whatever the terminal. */
export const TABLE_WIDTH = 120;

export type TableColumn = {
  key: string;
  name: string;
  /** A fixed width: the column neither grows nor gives way, and its cells wrap inside it. */
  width?: number;
  /** Values copied whole (API names, Ids, usernames, IPs, refs, dates, counts): never wrapped or split. */
  identifier?: boolean;
};

export type TableRow = Readonly<Record<string, unknown>>;

/** Columns between two cells. */
const GAP = 2;
/** A text column gives way to this width (or its header's longest word) before a table overflows. */
const NARROWEST = 6;
/** A "word" longer than this in a text column (a pasted URL, a hostile name) does not hold its column that wide. */
const LONG_WORD = 24;

/** min(terminal width, 120) on a terminal; 120 through a pipe or into a file. */
export function humanWidth(stream: { isTTY?: boolean; columns?: number } = process.stdout): number {
  const columns = stream.isTTY ? stream.columns : undefined;
  return columns !== undefined && columns > 0 ? Math.min(columns, TABLE_WIDTH) : TABLE_WIDTH;
}

/** A word's pieces: it may break after a hyphen or a slash between a letter or digit and a letter ("pre-" "authorized"), not inside a date. */
function pieces(word: string): string[] {
  return word.split(/(?<=[\p{L}\p{N}][-/]+)(?=\p{L})/u);
}

/** The widest piece in a text (the narrowest its column can be without splitting a word). */
function longestPiece(text: string): number {
  let longest = 0;
  for (const word of text.split(/\s+/)) for (const piece of pieces(word)) longest = Math.max(longest, piece.length);
  return longest;
}

function longestLine(text: string): number {
  return Math.max(...text.split('\n').map((l) => l.length));
}

/**
 * Text wrapped to `width` columns at word boundaries: at spaces; a word wider than a whole line after a hyphen or a
 * slash inside it; a piece still wider than the line where it must. Each paragraph (`\n`) starts a new line.
 */
export function wrapWords(text: string, width: number): string[] {
  const lines: string[] = [];
  for (const paragraph of text.split('\n')) {
    let line = '';
    const add = (part: string, glue: string): void => {
      if (line !== '' && line.length + glue.length + part.length <= width) {
        line += glue + part;
        return;
      }
      if (line !== '') lines.push(line);
      let rest = part;
      while (rest.length > width) {
        lines.push(rest.slice(0, width));
        rest = rest.slice(width);
      }
      line = rest;
    };
    for (const word of paragraph.split(' ').filter((w) => w !== '')) {
      // A hyphenated word breaks only when it fits neither on this line nor on a line of its own.
      if (line.length + (line ? 1 : 0) + word.length <= width || word.length <= width) add(word, ' ');
      else
        pieces(word).forEach((part, k) => {
          add(part, k === 0 ? ' ' : '');
        });
    }
    lines.push(line);
  }
  return lines;
}

/**
 * A plain text table that fits `maxWidth` columns. Every column starts at its widest value; while the table is too
 * wide, the widest text column gives way down to its longest word; then, words split, the column where that leaves
 * the fewest words split, down to NARROWEST (or its header's longest word). Identifier columns only let their header wrap.
 * Deterministic for a given width.
 */
export function fitTable(columns: readonly TableColumn[], data: readonly TableRow[], maxWidth = TABLE_WIDTH): string[] {
  const text = (row: TableRow, key: string): string => {
    const value = row[key];
    return typeof value === 'string' ? value : typeof value === 'number' || typeof value === 'boolean' ? String(value) : '';
  };
  const shown = data.length === 0 ? [...columns] : columns.filter((c) => data.some((row) => text(row, c.key) !== ''));
  if (shown.length === 0) return [];
  const cells = data.map((row) => shown.map((c) => text(row, c.key)));
  const natural = shown.map((c, i) => c.width ?? Math.max(c.name.length, ...cells.map((row) => longestLine(row[i]))));
  const header = shown.map((c) => longestPiece(c.name));
  const words = cells.map((row) => row.map(longestPiece));
  const soft = shown.map((c, i) => {
    if (c.width !== undefined) return c.width;
    const longest = c.identifier ? Math.max(...cells.map((row) => longestLine(row[i]))) : Math.min(LONG_WORD, Math.max(...words.map((row) => row[i])));
    return Math.min(natural[i], Math.max(header[i], longest));
  });
  const hard = shown.map((c, i) => (c.identifier || c.width !== undefined ? soft[i] : Math.min(soft[i], Math.max(NARROWEST, header[i]))));
  const widths = [...natural];
  const total = (): number => widths.reduce((a, b) => a + b, 0) + GAP * (shown.length - 1);
  // Down to the longest words: the widest column gives way first.
  while (total() > maxWidth) {
    let widest = -1;
    widths.forEach((w, i) => {
      if (w > soft[i] && (widest < 0 || w > widths[widest])) widest = i;
    });
    if (widest < 0) break;
    widths[widest]--;
  }
  // Below them words split: the column where one column less leaves the fewest words split gives way (then the widest).
  // Identifiers too wide for the terminal overflow it; the text still comes as close as it can.
  while (total() > maxWidth) {
    let best = -1;
    let bestCost = 0;
    widths.forEach((w, i) => {
      if (w <= hard[i]) return;
      const cost = words.reduce((n, row) => n + (row[i] >= w ? 1 : 0), 0);
      if (best < 0 || cost < bestCost || (cost === bestCost && w > widths[best])) [best, bestCost] = [i, cost];
    });
    if (best < 0) break;
    widths[best]--;
  }
  const wrapCell = (value: string, i: number): string[] => (shown[i].identifier ? value.split('\n') : wrapWords(value, widths[i]));
  const line = (block: string[][]): string[] => {
    const height = Math.max(...block.map((c) => c.length));
    return Array.from({ length: height }, (_, k) => block.map((c, i) => (c[k] ?? '').padEnd(widths[i])).join(' '.repeat(GAP)).trimEnd());
  };
  return [
    ...line(shown.map((c, i) => wrapWords(c.name, widths[i]))),
    widths.map((w) => '─'.repeat(w)).join(' '.repeat(GAP)),
    ...cells.flatMap((row) => line(row.map(wrapCell))),
  ];
}
