import { expect } from 'chai';
import { escapeCodePoint, forTerminal, forTerminalCell, forXmlText, jsonForTerminal } from '../../../src/domain/terminal-text.js';
import { HOSTILE, UNSAFE_FOR_TERMINAL } from '../hostile.js';


describe('terminal text', () => {
  it('shows every control, escape sequence, bidi control and invisible character escaped, dropping nothing', () => {
    const shown = forTerminalCell(HOSTILE);
    expect(shown).to.equal(
      'Evil\\x1b[31mRED\\x1b[0m \\x1b]8;;https://evil.example\\x07link\\x1b]8;;\\x07 \\x1b]0;title\\x1b\\ \\u009b2J \\u202egnp.exe\\u202c \\u2066iso\\u2069 zero\\u200bwidth\\u2060 tag\\u{e0041} del\\x7f nul\\x00 cr\\x0dend'
    );
    // Nothing a terminal acts on is left: only printable characters (and the escapes' backslashes).
    expect(shown).to.match(/^[\x20-\x7e]*$/);
  });

  it('keeps line ends, tabs and readable non-ASCII text in multi-line output; a cell escapes them', () => {
    expect(forTerminal('Zürich 東京 🚀\tcol\nnext\r\nlast')).to.equal('Zürich 東京 🚀\tcol\nnext\r\nlast');
    expect(forTerminal('over\rwrite')).to.equal('over\\x0dwrite');
    expect(forTerminalCell('a\nb\tc')).to.equal('a\\x0ab\\x09c');
    expect(escapeCodePoint('\u{1f680}')).to.equal('\\u{1f680}');
  });

  it('escapes lone surrogates and the XML noncharacters', () => {
    expect(forTerminal('a\ud800b')).to.equal('a\\ud800b');
    expect(forXmlText('a\uffffb\u001b')).to.equal('a\\uffffb\\x1b');
  });

  it('writes JSON a terminal cannot act on that parses back to exactly the same value', () => {
    const value = { name: HOSTILE, nested: [HOSTILE, 'plain', 'Zürich'], lone: 'x\udc00y' };
    for (const text of [jsonForTerminal(value), jsonForTerminal(value, 2)]) {
      expect(JSON.parse(text)).to.deep.equal(value);
      expect(UNSAFE_FOR_TERMINAL.test(text.replace(/\n/g, ''))).to.equal(false);
    }
  });
});
