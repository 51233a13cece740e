/*
 * Text from an org or a file, made safe for a terminal. Names of uninstalled apps come from OAuth token
 * records an outside publisher controls: an ESC sequence in one could recolour, hide, retitle or rewrite
 * what the terminal shows (ANSI/CSI, OSC hyperlinks and titles), and bidi overrides or invisible characters
 * could make one name read as another. Every such character is shown escaped (`\x1b`, `\u202e`), never
 * dropped, so what the org holds stays visible. JSON output is not passed through here: it stays exact.
 */

/**
 * Control characters (C0, DEL, C1), format characters (bidi embeddings, overrides and isolates, zero-width
 * characters, the soft hyphen, tag characters), line and paragraph separators, and lone surrogates.
 */
const UNSAFE = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}]/gu;

/** XML 1.0 forbids these noncharacters outright (they are neither controls nor format characters). */
const NONCHARACTER = /[\uFFFE\uFFFF]/g;

/** `\x1b` below U+0080, `\u202e` in the BMP, `\u{e0041}` above. */
export function escapeCodePoint(char: string): string {
  const code = char.codePointAt(0) ?? 0;
  if (code < 0x80) return `\\x${code.toString(16).padStart(2, '0')}`;
  if (code <= 0xffff) return `\\u${code.toString(16).padStart(4, '0')}`;
  return `\\u{${code.toString(16)}}`;
}

/**
 * Text for a terminal, line by line: newlines, tabs and CRLF line ends are kept, every other control or
 * invisible character is escaped.
 */
export function forTerminal(text: string): string {
  return text.replace(UNSAFE, (char: string, offset: number, whole: string) =>
    char === '\n' || char === '\t' || (char === '\r' && whole[offset + 1] === '\n') ? char : escapeCodePoint(char)
  );
}

/** Text for one cell or one line (a table cell, a header): newlines and tabs are escaped too. */
export function forTerminalCell(text: string): string {
  return text.replace(UNSAFE, escapeCodePoint);
}

/** Text for XML 1.0 (JUnit): as for a terminal, plus the noncharacters XML cannot hold. */
export function forXmlText(text: string): string {
  return forTerminal(text).replace(NONCHARACTER, escapeCodePoint);
}

/**
 * JSON text for a terminal that parses to exactly the same value: JSON.stringify already escapes C0 controls;
 * the other unsafe characters become `\uXXXX` escapes (surrogate pairs above the BMP), which JSON reads back
 * as the same characters. Raw newlines only appear as layout between tokens.
 */
export function jsonForTerminal(value: unknown, space?: number): string {
  const text = JSON.stringify(value, null, space) as string | undefined;
  return (text ?? 'null').replace(UNSAFE, (char: string) => (char === '\n' ? char : utf16Escapes(char)));
}

/** `\uXXXX` for each UTF-16 unit (a character above the BMP is two). */
function utf16Escapes(char: string): string {
  let out = '';
  for (let i = 0; i < char.length; i++) out += `\\u${char.charCodeAt(i).toString(16).padStart(4, '0')}`;
  return out;
}
