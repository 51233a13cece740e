/*
 * Access to the shared real-world corpus (../shared/corpus from the repo root). The repo must work
 * without it: suites call `skipWithoutCorpus` in a `before` hook.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseXml, type XmlElement, type XmlNode } from '../../../src/domain/xml.js';

export const CORPUS_DIR = fileURLToPath(new URL('../../../../shared/corpus/', import.meta.url));
export const CONNECTED_APPS_DIR = join(CORPUS_DIR, 'connected-apps');
export const ECA_DIR = join(CORPUS_DIR, 'eca');

/** The deliberately malformed file (text after the root element on line 29). */
export const MALFORMED_FILE = 'bathiniarun__Salesforces_CICD__Dev_CICD.connectedApp-meta.xml';

export const corpusAvailable = (): boolean => existsSync(CONNECTED_APPS_DIR) && existsSync(ECA_DIR);

export function skipWithoutCorpus(this: Mocha.Context): void {
  if (!corpusAvailable()) this.skip();
}

/** File names in a corpus folder (empty when the corpus is absent), sorted. */
export function corpusFiles(dir: string): string[] {
  return existsSync(dir) ? readdirSync(dir).sort() : [];
}

export function readCorpusXml(dir: string, file: string): XmlElement {
  return parseXml(readFileSync(join(dir, file), 'utf8')).root;
}

export function readCorpusText(dir: string, file: string): string {
  return readFileSync(join(dir, file), 'utf8');
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
