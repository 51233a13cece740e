/*
 * Salesforce metadata and SOAP as an ordered element tree: metadata must survive a read-modify-write
 * untouched (element order, elements we do not model, comments), and source-mode findings need the line
 * each element starts on.
 *
 * Reading is done by saxes, a kept, strict XML 1.0 parser (character and entity checks, line numbers, no
 * DTD processing and so no entity expansion), fed to a tree builder that keeps its own stack: nothing here
 * recurses as deep as the input nests, and nesting deeper than MAX_XML_DEPTH is a parse error. A DOCTYPE
 * is refused outright (metadata has none). Writing and the tree helpers are iterative too.
 */
import { SaxesParser } from 'saxes';

export type XmlElement = {
  kind: 'element';
  name: string;
  attributes: Array<[string, string]>;
  children: XmlNode[];
  /** 1-based line where the start tag begins (0 for elements built in code). */
  line: number;
};
export type XmlText = { kind: 'text'; text: string };
export type XmlComment = { kind: 'comment'; text: string };
export type XmlNode = XmlElement | XmlText | XmlComment;
export type XmlDocument = { root: XmlElement };

/** Deeper than any metadata file or SOAP answer nests (about ten levels); deeper input is refused. */
export const MAX_XML_DEPTH = 100;

export class XmlParseError extends Error {
  public constructor(message: string, public readonly line: number, public readonly column: number) {
    super(`${message} (line ${line}, column ${column})`);
    this.name = 'XmlParseError';
  }
}

export function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** Parses one XML document. Whitespace-only text between elements is dropped; everything else is kept. Throws XmlParseError. */
export function parseXml(source: string): XmlDocument {
  const parser = new SaxesParser({ position: true });
  const text = source.charCodeAt(0) === 0xfeff ? source.slice(1) : source;
  const open: XmlElement[] = [];
  /** Where the root element's close tag ended, to place an error about what follows it. */
  let rootEnd = -1;
  let root: XmlElement | undefined;
  const fail = (message: string): never => {
    throw new XmlParseError(message, parser.line, Math.max(1, parser.column));
  };
  const current = (): XmlElement | undefined => open.at(-1);

  /** The element saxes closed last: on a close tag that does not match, the one left unclosed. */
  let closed: XmlElement | undefined;
  parser.on('error', (error) => {
    // saxes prefixes "line:column: "; a close tag that does not match is told with the element it should have closed.
    const message = error.message.replace(/^\d+:\d+: /, '').replace(/\.$/, '');
    // saxes tells of text after the root only where that text ends: name the line where it starts.
    if (/outside of root node/.test(message) && rootEnd >= 0) {
      const start = text.slice(rootEnd).search(/\S/);
      if (start >= 0) throw new XmlParseError(message, lineAt(text, rootEnd + start), 1);
    }
    fail(/^unexpected close tag/.test(message) && closed ? `${message}: <${closed.name}> opened on line ${closed.line} is still open` : message);
  });
  parser.on('doctype', () => fail('DOCTYPE is not supported in metadata XML'));
  parser.on('opentagstart', (tag) => {
    if (open.length >= MAX_XML_DEPTH) fail(`elements are nested deeper than ${MAX_XML_DEPTH} levels`);
    const element: XmlElement = { kind: 'element', name: tag.name, attributes: [], children: [], line: parser.line };
    const parent = current();
    if (parent) parent.children.push(element);
    else root = element;
    open.push(element);
  });
  parser.on('opentag', (tag) => {
    const element = current();
    // Without namespace processing every attribute value is a plain string.
    if (element) element.attributes = Object.entries(tag.attributes as Record<string, string>);
  });
  parser.on('closetag', () => {
    closed = open.pop();
    if (open.length === 0) rootEnd = parser.position;
    if (closed) closed.children = dropLayoutWhitespace(closed.children);
  });
  parser.on('text', (text) => {
    const parent = current();
    if (parent) appendText(parent.children, text);
  });
  parser.on('cdata', (text) => {
    const parent = current();
    if (parent) appendText(parent.children, text);
  });
  parser.on('comment', (text) => {
    current()?.children.push({ kind: 'comment', text });
  });

  parser.write(text).close();
  if (!root) return fail('the document is empty');
  return { root };
}

/** The 1-based line of a character offset. */
function lineAt(text: string, offset: number): number {
  let line = 1;
  for (let i = text.indexOf('\n'); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) line++;
  return line;
}

function appendText(children: XmlNode[], text: string): void {
  const last = children.at(-1);
  if (last?.kind === 'text') last.text += text;
  else children.push({ kind: 'text', text: ownCopy(text) });
}

/**
 * A string that does not point into the document. V8 makes a substring of 13 characters or more a view of its
 * parent: one policy value kept from a SOAP answer would keep the whole answer alive (at 5,000 apps, every answer).
 */
function ownCopy(text: string): string {
  return text.length < 13 ? text : Buffer.from(text, 'utf8').toString('utf8');
}

/** Drops indentation between child elements; keeps text of leaf elements exactly. */
function dropLayoutWhitespace(children: XmlNode[]): XmlNode[] {
  if (!children.some((c) => c.kind !== 'text')) return children;
  return children.filter((c) => c.kind !== 'text' || c.text.trim() !== '');
}

export type SerializeOptions = { indent?: string; declaration?: boolean };

/** Writes an element tree as indented XML (the layout `sf project retrieve` produces). */
export function serializeXml(root: XmlElement, options: SerializeOptions = {}): string {
  const indent = options.indent ?? '    ';
  const out: string[] = [];
  if (options.declaration ?? true) out.push('<?xml version="1.0" encoding="UTF-8"?>\n');
  // Pending work, last first: an element to write at a depth, or text already written out.
  const pending: Array<{ el: XmlElement; depth: number } | string> = [{ el: root, depth: 0 }];
  for (let item = pending.pop(); item !== undefined; item = pending.pop()) {
    if (typeof item === 'string') {
      out.push(item);
      continue;
    }
    const { el, depth } = item;
    const pad = indent.repeat(depth);
    const attrs = el.attributes.map(([k, v]) => ` ${k}="${escapeXml(v)}"`).join('');
    if (el.children.length === 0) {
      out.push(`${pad}<${el.name}${attrs}/>`);
    } else if (el.children.every((c) => c.kind === 'text')) {
      const text = el.children.map((c) => c.text).join('');
      out.push(`${pad}<${el.name}${attrs}>${escapeXml(text)}</${el.name}>`);
    } else {
      out.push(`${pad}<${el.name}${attrs}>\n`);
      const inside = el.children.flatMap((child) => [
        child.kind === 'element' ? { el: child, depth: depth + 1 } : child.kind === 'comment' ? `${pad}${indent}<!--${child.text}-->` : `${pad}${indent}${escapeXml(child.text)}`,
        '\n',
      ]);
      pending.push(`${pad}</${el.name}>`, ...inside.reverse());
    }
  }
  out.push('\n');
  return out.join('');
}

// ---- Tree helpers -----------------------------------------------------------------------------

/** The element name without a namespace prefix (`soapenv:Body` → `Body`). */
export function localName(name: string): string {
  const i = name.indexOf(':');
  return i < 0 ? name : name.slice(i + 1);
}

export function elements(parent: XmlElement, name?: string): XmlElement[] {
  return parent.children.filter(
    (c): c is XmlElement => c.kind === 'element' && (name === undefined || localName(c.name) === name)
  );
}

export function firstElement(parent: XmlElement, name: string): XmlElement | undefined {
  return elements(parent, name)[0];
}

/** Concatenated text content of an element, descendants included, in document order (undefined when the element is absent). */
export function textOf(el: XmlElement | undefined): string | undefined {
  if (!el) return undefined;
  const parts: string[] = [];
  const pending: XmlNode[] = [...el.children].reverse();
  for (let node = pending.pop(); node !== undefined; node = pending.pop()) {
    if (node.kind === 'text') parts.push(node.text);
    else if (node.kind === 'element') pending.push(...[...node.children].reverse());
  }
  return parts.join('');
}

export function childText(parent: XmlElement | undefined, name: string): string | undefined {
  return parent ? textOf(firstElement(parent, name)) : undefined;
}

export function childTexts(parent: XmlElement | undefined, name: string): string[] {
  return parent ? elements(parent, name).map((e) => textOf(e) ?? '') : [];
}

/** Finds the first descendant in document order (depth-first) with the given local name. */
export function findDescendant(root: XmlElement, name: string): XmlElement | undefined {
  const pending = elements(root).reverse();
  for (let el = pending.pop(); el !== undefined; el = pending.pop()) {
    if (localName(el.name) === name) return el;
    pending.push(...elements(el).reverse());
  }
  return undefined;
}

export function element(name: string, children: XmlNode[] = [], attributes: Array<[string, string]> = []): XmlElement {
  return { kind: 'element', name, attributes, children, line: 0 };
}

export function textElement(name: string, text: string): XmlElement {
  return element(name, [{ kind: 'text', text }]);
}

/** Deep copy, so a change to the copy can never leak into what was read; `keep` leaves nodes (and what they hold) out. */
export function cloneElement(root: XmlElement, keep: (node: XmlNode) => boolean = () => true): XmlElement {
  const shallow = (el: XmlElement): XmlElement => ({ ...el, attributes: el.attributes.map(([k, v]): [string, string] => [k, v]), children: [] });
  const copy = shallow(root);
  const pending: Array<[XmlElement, XmlElement]> = [[root, copy]];
  for (let pair = pending.pop(); pair !== undefined; pair = pending.pop()) {
    const [from, to] = pair;
    for (const child of from.children) {
      if (!keep(child)) continue;
      if (child.kind !== 'element') to.children.push({ ...child });
      else {
        const next = shallow(child);
        to.children.push(next);
        pending.push([child, next]);
      }
    }
  }
  return copy;
}
