/** A name an outside publisher could give an app: colours, an OSC 8 hyperlink, a window title, an 8-bit CSI, bidi overrides and isolates, invisible characters. */
export const HOSTILE =
  'Evil\u001b[31mRED\u001b[0m \u001b]8;;https://evil.example\u0007link\u001b]8;;\u0007 \u001b]0;title\u001b\\ \u009b2J \u202egnp.exe\u202c \u2066iso\u2069 zero\u200bwidth\u2060 tag\u{e0041} del\u007f nul\u0000 cr\rend';

/** Characters a terminal acts on or does not show. */
export const UNSAFE_FOR_TERMINAL = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}]/u;
