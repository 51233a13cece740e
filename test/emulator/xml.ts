/*
 * The emulator's XML: parsed with fast-xml-parser (the library Salesforce's own source-deploy-retrieve uses)
 * and written with its sibling fast-xml-builder, never with the plugin's reader in src/domain/xml.ts. A test double that ran the
 * product's own parser would agree with it by construction.
 *
 * The tree is the emulator's own: elements with ordered attributes and children, text nodes; comments,
 * processing instructions and the declaration are dropped, whitespace between elements too.
 */
import XMLBuilder from 'fast-xml-builder';
import { XMLParser, XMLValidator } from 'fast-xml-parser';

export type XmlText = { kind: 'text'; text: string };
export type XmlElement = { kind: 'element'; name: string; attributes: Array<[string, string]>; children: XmlNode[] };
export type XmlNode = XmlElement | XmlText;

export class XmlError extends Error {
  public constructor(message: string) {
    super(message);
    this.name = 'XmlError';
  }
}

const PARSER = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '',
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: false,
  processEntities: true,
  ignoreDeclaration: true,
  ignorePiTags: true,
  removeNSPrefix: false,
});

const BUILDER_OPTIONS = {
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '',
  suppressEmptyNode: false,
  processEntities: true,
};
const COMPACT = new XMLBuilder({ ...BUILDER_OPTIONS, format: false });
const INDENTED = new XMLBuilder({ ...BUILDER_OPTIONS, format: true, indentBy: '    ' });

/** fast-xml-parser's preserveOrder shape: `{ [name]: children, ':@': attributes }` or `{ '#text': text }`. */
type Ordered = Record<string, unknown>;

/** Parses a whole document and returns its root element. DTDs are refused (no entity expansion). */
export function parseXml(source: string): { root: XmlElement } {
  if (/<!DOCTYPE/i.test(source)) throw new XmlError('DOCTYPE is disallowed');
  // eslint-disable-next-line @typescript-eslint/no-deprecated -- its successor (fast-xml-validator) is not in the registry the project uses; 5.x still ships it
  const valid = XMLValidator.validate(source);
  if (valid !== true) throw new XmlError(`${valid.err.msg} (line ${valid.err.line}, column ${valid.err.col})`);
  const roots = (PARSER.parse(source) as Ordered[]).map(fromOrdered).filter((n): n is XmlElement => n?.kind === 'element');
  if (roots.length !== 1) throw new XmlError(roots.length === 0 ? 'Premature end of file.' : 'The markup following the root element must be well-formed.');
  return { root: roots[0] };
}

function fromOrdered(node: Ordered): XmlNode | undefined {
  if ('#text' in node) return { kind: 'text', text: String(node['#text']) };
  const name = Object.keys(node).find((k) => k !== ':@');
  if (name === undefined) return undefined;
  const attrs = (node[':@'] ?? {}) as Record<string, unknown>;
  const children = (node[name] as Ordered[]).map(fromOrdered).filter((n): n is XmlNode => n !== undefined);
  const hasElements = children.some((c) => c.kind === 'element');
  return {
    kind: 'element',
    name,
    attributes: Object.entries(attrs).map(([k, v]) => [k, String(v)]),
    // Whitespace between elements is layout, not content.
    children: hasElements ? children.filter((c) => c.kind === 'element' || c.text.trim() !== '') : children,
  };
}

function toOrdered(el: XmlElement): Ordered {
  const children = el.children.map((c) => (c.kind === 'text' ? { '#text': c.text } : toOrdered(c)));
  const node: Ordered = { [el.name]: children };
  if (el.attributes.length > 0) node[':@'] = Object.fromEntries(el.attributes);
  return node;
}

/** Writes an element (with an XML declaration unless `declaration: false`; indented unless `indent: ''`). */
export function serializeXml(root: XmlElement, options: { declaration?: boolean; indent?: '' | '    ' } = {}): string {
  const builder = options.indent === '' ? COMPACT : INDENTED;
  const body = builder.build([toOrdered(root)]).trim();
  return `${options.declaration === false ? '' : '<?xml version="1.0" encoding="UTF-8"?>\n'}${body}${options.indent === '' ? '' : '\n'}`;
}

// ---- Tree helpers -----------------------------------------------------------------------------

/** The name without its namespace prefix (`soapenv:Body` → `Body`). */
export function localName(name: string): string {
  return name.slice(name.indexOf(':') + 1);
}

/** Child elements, all or those with this local name. */
export function elements(parent: XmlElement | undefined, name?: string): XmlElement[] {
  if (!parent) return [];
  return parent.children.filter((c): c is XmlElement => c.kind === 'element' && (name === undefined || localName(c.name) === name));
}

export function firstElement(parent: XmlElement | undefined, name: string): XmlElement | undefined {
  return elements(parent, name)[0];
}

/** The element's own text (undefined when the element is absent). */
export function textOf(el: XmlElement | undefined): string | undefined {
  if (!el) return undefined;
  return el.children.map((c) => (c.kind === 'text' ? c.text : '')).join('');
}

export function childText(parent: XmlElement | undefined, name: string): string | undefined {
  return textOf(firstElement(parent, name));
}

export function childTexts(parent: XmlElement | undefined, name: string): string[] {
  return elements(parent, name).map((e) => textOf(e) ?? '');
}

/** The first element with this local name, breadth-first under `root` (an explicit queue, no recursion). */
export function findDescendant(root: XmlElement | undefined, name: string): XmlElement | undefined {
  const queue = elements(root);
  for (let i = 0; i < queue.length; i++) {
    if (localName(queue[i].name) === name) return queue[i];
    queue.push(...elements(queue[i]));
  }
  return undefined;
}

export function element(name: string, children: XmlNode[] = [], attributes: Array<[string, string]> = []): XmlElement {
  return { kind: 'element', name, attributes, children };
}

export function textElement(name: string, text: string): XmlElement {
  return element(name, [{ kind: 'text', text }]);
}

/** The value of an attribute by local name (`xsi:type` → `type`). */
export function attribute(el: XmlElement, name: string): string | undefined {
  return el.attributes.find(([k]) => localName(k) === name)?.[1];
}
