/*
 * Reading the XML sample files of a data set (test/data-sets.ts) into trees, and comparing trees.
 */
import { parseXml, type XmlElement, type XmlNode } from '../../../src/domain/xml.js';
import type { DataSet, Kind } from '../../data-sets.js';

export function readXml(set: DataSet, kind: Kind, file: string): XmlElement {
  return parseXml(set.read(kind, file)).root;
}

/** A deep copy with every line number set to 0, for comparing trees across a serialise/parse. */
export function withoutLines(el: XmlElement): XmlElement {
  return {
    kind: 'element',
    name: el.name,
    attributes: el.attributes.map(([k, v]): [string, string] => [k, v]),
    children: el.children.map((c): XmlNode => (c.kind === 'element' ? withoutLines(c) : { ...c })),
    line: 0,
  };
}
