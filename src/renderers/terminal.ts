/*
 * Terminal safety: names of uninstalled apps (and usernames) come from records an outside publisher or user
 * controls. Before such text is printed for a person, control characters (ANSI/OSC escapes, carriage returns)
 * and bidirectional overrides are shown as \u{…} escapes instead of being interpreted by the terminal.
 */

// C0 and C1 controls, DEL, bidi embeddings/overrides/isolates and marks, line/paragraph separators.
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/gu;

export function printable(text: string): string {
  return text.replace(UNSAFE, (c) => `\\u{${(c.codePointAt(0) ?? 0).toString(16)}}`);
}
