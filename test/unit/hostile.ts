import { copyFileSync, mkdirSync, mkdtempSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** A name an outside publisher could give an app: colours, an OSC 8 hyperlink, a window title, an 8-bit CSI, bidi overrides and isolates, invisible characters. */
export const HOSTILE =
  'Evil\u001b[31mRED\u001b[0m \u001b]8;;https://evil.example\u0007link\u001b]8;;\u0007 \u001b]0;title\u001b\\ \u009b2J \u202egnp.exe\u202c \u2066iso\u2069 zero\u200bwidth\u2060 tag\u{e0041} del\u007f nul\u0000 cr\rend';

/** Characters a terminal acts on or does not show. */
export const UNSAFE_FOR_TERMINAL = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}]/u;

const DEMO = resolve(dirname(fileURLToPath(import.meta.url)), '..', 'emulator', 'scenarios', 'demo');
const app = (body: string): string => `<?xml version="1.0" encoding="UTF-8"?>\n<ConnectedApp xmlns="http://soap.sforce.com/2006/04/metadata">\n${body}\n</ConnectedApp>\n`;

/** A project with two good files and one of each kind of hostile file, all in one directory. */
export function hostileProject(): string {
  const root = mkdtempSync(join(tmpdir(), 'ca-hostile-'));
  const dir = join(root, 'force-app', 'connectedApps');
  mkdirSync(dir, { recursive: true });
  copyFileSync(join(DEMO, 'Jenkins_CI.connectedApp-meta.xml'), join(dir, 'Jenkins_CI.connectedApp-meta.xml'));
  copyFileSync(join(DEMO, 'Workato.connectedApp-meta.xml'), join(dir, 'Workato.connectedApp-meta.xml'));
  const depth = 200_000;
  writeFileSync(join(dir, 'Deep.connectedApp-meta.xml'), app(`<label>Deep</label>\n${'<a>'.repeat(depth)}${'</a>'.repeat(depth)}`));
  writeFileSync(join(dir, 'CodePoint.connectedApp-meta.xml'), app('<label>&#x110000;</label>'));
  writeFileSync(join(dir, 'Latin1.connectedApp-meta.xml'), Buffer.concat([Buffer.from(app('<label>Caf').split('\n').slice(0, 2).join('\n') + '\n<label>Caf'), Buffer.from([0xe9]), Buffer.from('</label>\n</ConnectedApp>\n')]));
  writeFileSync(
    join(dir, 'Laughs.connectedApp-meta.xml'),
    `<?xml version="1.0"?>\n<!DOCTYPE lolz [\n<!ENTITY lol "lol">\n${Array.from({ length: 9 }, (_, i) => `<!ENTITY lol${i + 1} "${`&lol${i === 0 ? '' : i};`.repeat(10)}">`).join('\n')}\n]>\n<ConnectedApp><label>&lol9;</label></ConnectedApp>\n`
  );
  // 50 MB, sparse: refused by its size before a byte is read.
  writeFileSync(join(dir, 'Huge.connectedApp-meta.xml'), '');
  truncateSync(join(dir, 'Huge.connectedApp-meta.xml'), 50 * 1024 * 1024);
  symlinkSync(join(DEMO, 'Okta_SSO.connectedApp-meta.xml'), join(dir, 'Linked.connectedApp-meta.xml'));
  symlinkSync(DEMO, join(dir, 'more'));
  return root;
}
