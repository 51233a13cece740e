import { expect } from 'chai';
import { childText, childTexts, cloneElement, element, findDescendant, MAX_XML_DEPTH, parseXml, serializeXml, textElement, textOf, XmlParseError, type XmlElement } from '../../../src/domain/xml.js';

describe('xml', () => {
  it('keeps element order, text, entities, CDATA and line numbers', () => {
    const doc = parseXml('<?xml version="1.0"?>\n<A x="1&amp;2">\n  <b>one &lt;two&gt;</b>\n  <c><![CDATA[<raw>]]></c>\n  <b>three</b>\n</A>\n');
    expect(doc.root.attributes).to.deep.equal([['x', '1&2']]);
    expect(childTexts(doc.root, 'b')).to.deep.equal(['one <two>', 'three']);
    expect(childText(doc.root, 'c')).to.equal('<raw>');
    expect(doc.root.children.map((c) => (c.kind === 'element' ? `${c.name}@${c.line}` : c.kind))).to.deep.equal(['b@3', 'c@4', 'b@5']);
  });

  it('round-trips through serializeXml', () => {
    const source = '<ConnectedApp xmlns="http://soap.sforce.com/2006/04/metadata">\n    <label>A &amp; B</label>\n    <!-- note -->\n    <oauthConfig>\n        <scopes>Api</scopes>\n    </oauthConfig>\n</ConnectedApp>';
    const text = serializeXml(parseXml(source).root);
    expect(text).to.equal(`<?xml version="1.0" encoding="UTF-8"?>\n${source}\n`);
  });

  it('reports malformed XML with its line', () => {
    expect(() => parseXml('<A>\n<b></c>\n</A>')).to.throw(XmlParseError, /line 2/);
    expect(() => parseXml('<A></A>\n// trailing')).to.throw(XmlParseError, /outside of root node \(line 2/);
    expect(() => parseXml('')).to.throw(XmlParseError, /must contain a root element/);
  });

  it('refuses hostile input with a parse error, never a crash: deep nesting, bad code points, DOCTYPE entities, control characters', () => {
    const deep = `<A>${'<b>'.repeat(200_000)}${'</b>'.repeat(200_000)}</A>`;
    expect(() => parseXml(deep)).to.throw(XmlParseError, new RegExp(`nested deeper than ${MAX_XML_DEPTH} levels`));
    const justDeepEnough = `${'<b>'.repeat(MAX_XML_DEPTH)}x${'</b>'.repeat(MAX_XML_DEPTH)}`;
    expect(textOf(parseXml(justDeepEnough).root)).to.equal('x');
    expect(() => parseXml('<A>&#x110000;</A>')).to.throw(XmlParseError, /character entity/);
    expect(() => parseXml('<A>&#xD800;</A>')).to.throw(XmlParseError, /character entity/);
    expect(() => parseXml('<A>\u0001</A>')).to.throw(XmlParseError, /disallowed character/);
    const laughs = `<!DOCTYPE l [<!ENTITY a "aaaaaaaaaa">${Array.from({ length: 9 }, (_, i) => `<!ENTITY ${'b'.repeat(i + 1)} "${`&${i === 0 ? 'a' : 'b'.repeat(i)};`.repeat(10)}">`).join('')}]><A>&bbbbbbbbb;</A>`;
    expect(() => parseXml(laughs)).to.throw(XmlParseError, /DOCTYPE is not supported/);
    expect(() => parseXml('<A>&nbsp;</A>')).to.throw(XmlParseError, /undefined entity/);
  });

  it('names the element still open when a closing tag does not match', () => {
    expect(() => parseXml('<A>\n<b>\n</c>\n</A>')).to.throw(XmlParseError, /<b> opened on line 2 is still open \(line 3/);
  });

  it('writes, reads, copies and searches trees deeper than any call stack (built in code) without recursion', () => {
    let root: XmlElement = textElement('leaf', 'x');
    for (let i = 0; i < 200_000; i++) root = element('n', [root]);
    expect(textOf(root)).to.equal('x');
    expect(findDescendant(root, 'leaf')?.name).to.equal('leaf');
    expect(textOf(cloneElement(root))).to.equal('x');
    const text = serializeXml(root, { indent: '' });
    expect(text.length).to.be.greaterThan(200_000 * 7);
    expect(text.endsWith('</n>\n')).to.equal(true);
  });
});
