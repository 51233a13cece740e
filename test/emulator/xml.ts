/*
 * The emulator's own small XML reader and writer, for the metadata it stores and the SOAP it serves and
 * reads. Deliberately not the plugin's (src/domain/xml.ts, built on saxes): a test double that ran the
 * product's parser would prove nothing about it. The tree shape (XmlElement) is the same, so tests can
 * compare the two sides. It only ever reads the emulator's scenario files and the plugin's requests.
 */

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

export class XmlParseError extends Error {
  public constructor(message: string, public readonly line: number, public readonly column: number) {
    super(`${message} (line ${line}, column ${column})`);
    this.name = 'XmlParseError';
  }
}

const NAMED_ENTITIES: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

export function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|[a-zA-Z]+);/g, (whole, ref: string) => {
    if (ref.startsWith('#x')) return String.fromCodePoint(parseInt(ref.slice(2), 16));
    if (ref.startsWith('#')) return String.fromCodePoint(parseInt(ref.slice(1), 10));
    return NAMED_ENTITIES[ref] ?? whole;
  });
}

export function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** Parses one XML document. Whitespace-only text between elements is dropped; everything else is kept. */
export function parseXml(source: string): XmlDocument {
  // XML 1.0 §2.11: a parser reads CRLF and lone CR as LF, so a real org never stores a CR from a line end.
  const text = (source.charCodeAt(0) === 0xfeff ? source.slice(1) : source).replace(/\r\n?/g, '\n');
  let pos = 0;
  let line = 1;
  let lineStart = 0;

  const fail = (message: string): never => {
    throw new XmlParseError(message, line, pos - lineStart + 1);
  };
  const advanceTo = (end: number): void => {
    for (let i = pos; i < end; i++) {
      if (text.charCodeAt(i) === 10) {
        line++;
        lineStart = i + 1;
      }
    }
    pos = end;
  };
  const skipUntil = (marker: string, what: string): string => {
    const end = text.indexOf(marker, pos);
    if (end < 0) fail(`unterminated ${what}`);
    const body = text.slice(pos, end);
    advanceTo(end + marker.length);
    return body;
  };
  const skipMisc = (): void => {
    for (;;) {
      const ws = /^\s*/.exec(text.slice(pos, pos + 4096));
      advanceTo(pos + (ws ? ws[0].length : 0));
      if (text.startsWith('<?', pos)) {
        advanceTo(pos + 2);
        skipUntil('?>', 'processing instruction');
      } else if (text.startsWith('<!--', pos)) {
        advanceTo(pos + 4);
        skipUntil('-->', 'comment');
      } else if (text.startsWith('<!DOCTYPE', pos)) {
        fail('DOCTYPE is not supported in metadata XML');
      } else {
        return;
      }
    }
  };

  const nameRe = /[A-Za-z_][\w.:-]*/y;
  const readName = (): string => {
    nameRe.lastIndex = pos;
    const name = nameRe.exec(text)?.[0] ?? fail('expected a name');
    advanceTo(pos + name.length);
    return name;
  };
  const skipSpaces = (): void => {
    while (pos < text.length && /\s/.test(text[pos])) advanceTo(pos + 1);
  };

  const readElement = (): XmlElement => {
    const startLine = line;
    if (text[pos] !== '<') fail('expected "<"');
    advanceTo(pos + 1);
    const name = readName();
    const attributes: Array<[string, string]> = [];
    for (;;) {
      skipSpaces();
      if (text.startsWith('/>', pos)) {
        advanceTo(pos + 2);
        return { kind: 'element', name, attributes, children: [], line: startLine };
      }
      if (text[pos] === '>') {
        advanceTo(pos + 1);
        break;
      }
      if (pos >= text.length) fail(`unterminated start tag <${name}>`);
      const attrName = readName();
      skipSpaces();
      if (text[pos] !== '=') fail(`expected "=" after attribute ${attrName}`);
      advanceTo(pos + 1);
      skipSpaces();
      const quote = text[pos];
      if (quote !== '"' && quote !== "'") fail(`expected a quoted value for attribute ${attrName}`);
      advanceTo(pos + 1);
      attributes.push([attrName, decodeEntities(skipUntil(quote, 'attribute value'))]);
    }
    const children: XmlNode[] = [];
    for (;;) {
      if (pos >= text.length) fail(`element <${name}> (line ${startLine}) is not closed`);
      if (text.startsWith('</', pos)) {
        advanceTo(pos + 2);
        const closing = readName();
        if (closing !== name) fail(`closing tag </${closing}> does not match <${name}> opened on line ${startLine}`);
        skipSpaces();
        if (text[pos] !== '>') fail('expected ">"');
        advanceTo(pos + 1);
        return { kind: 'element', name, attributes, children: dropLayoutWhitespace(children), line: startLine };
      }
      if (text.startsWith('<!--', pos)) {
        advanceTo(pos + 4);
        children.push({ kind: 'comment', text: skipUntil('-->', 'comment') });
      } else if (text.startsWith('<![CDATA[', pos)) {
        advanceTo(pos + 9);
        appendText(children, skipUntil(']]>', 'CDATA section'));
      } else if (text[pos] === '<') {
        children.push(readElement());
      } else {
        const end = text.indexOf('<', pos);
        const raw = text.slice(pos, end < 0 ? text.length : end);
        advanceTo(pos + raw.length);
        appendText(children, decodeEntities(raw));
      }
    }
  };

  skipMisc();
  if (pos >= text.length) fail('the document is empty');
  const root = readElement();
  skipMisc();
  if (pos < text.length) fail('unexpected content after the root element');
  return { root };
}

function appendText(children: XmlNode[], text: string): void {
  const last = children.at(-1);
  if (last?.kind === 'text') last.text += text;
  else children.push({ kind: 'text', text });
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
  writeElement(root, 0, indent, out);
  out.push('\n');
  return out.join('');
}

function writeElement(el: XmlElement, depth: number, indent: string, out: string[]): void {
  const pad = indent.repeat(depth);
  const attrs = el.attributes.map(([k, v]) => ` ${k}="${escapeXml(v)}"`).join('');
  if (el.children.length === 0) {
    out.push(`${pad}<${el.name}${attrs}/>`);
    return;
  }
  const onlyText = el.children.every((c) => c.kind === 'text');
  if (onlyText) {
    const text = el.children.map((c) => (c as XmlText).text).join('');
    out.push(`${pad}<${el.name}${attrs}>${escapeXml(text)}</${el.name}>`);
    return;
  }
  out.push(`${pad}<${el.name}${attrs}>\n`);
  for (const child of el.children) {
    if (child.kind === 'element') writeElement(child, depth + 1, indent, out);
    else if (child.kind === 'comment') out.push(`${pad}${indent}<!--${child.text}-->`);
    else out.push(`${pad}${indent}${escapeXml(child.text)}`);
    out.push('\n');
  }
  out.push(`${pad}</${el.name}>`);
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

/** Concatenated text content of an element (undefined when the element is absent). */
export function textOf(el: XmlElement | undefined): string | undefined {
  if (!el) return undefined;
  return el.children.map((c) => (c.kind === 'text' ? c.text : c.kind === 'element' ? (textOf(c) ?? '') : '')).join('');
}

export function childText(parent: XmlElement | undefined, name: string): string | undefined {
  return parent ? textOf(firstElement(parent, name)) : undefined;
}

export function childTexts(parent: XmlElement | undefined, name: string): string[] {
  return parent ? elements(parent, name).map((e) => textOf(e) ?? '') : [];
}

/** Finds the first descendant (depth-first) with the given local name. */
export function findDescendant(root: XmlElement, name: string): XmlElement | undefined {
  for (const child of elements(root)) {
    if (localName(child.name) === name) return child;
    const found = findDescendant(child, name);
    if (found) return found;
  }
  return undefined;
}

export function element(name: string, children: XmlNode[] = [], attributes: Array<[string, string]> = []): XmlElement {
  return { kind: 'element', name, attributes, children, line: 0 };
}

export function textElement(name: string, text: string): XmlElement {
  return element(name, [{ kind: 'text', text }]);
}

/** Deep copy, so a change to the copy can never leak into what was read. */
export function cloneElement(el: XmlElement): XmlElement {
  return structuredClone(el);
}
