import { expect } from 'chai';
import { childText, childTexts, parseXml, serializeXml, XmlParseError } from '../../../src/domain/xml.js';

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
    expect(() => parseXml('<A></A>\n// trailing')).to.throw(XmlParseError, /after the root element \(line 2/);
    expect(() => parseXml('')).to.throw(XmlParseError, /empty/);
  });
});
