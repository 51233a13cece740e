/*
 * The emulator plays the org, so it must not run the plugin's code: a test double built on the product's own
 * parser or constants agrees with it by construction. No file under test/emulator may import from src/, except
 * that tests may import plugin types (never the plugin's XML reader).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';

const HERE = dirname(fileURLToPath(import.meta.url));
const SRC = resolve(HERE, '..', '..', 'src');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(path);
    return /\.(ts|mts|js|mjs)$/.test(e.name) ? [path] : [];
  });
}

/** Every module specifier of static imports/exports, dynamic imports and require calls. */
export function specifiers(code: string): string[] {
  const found: string[] = [];
  const patterns = [/\b(?:import|export)\s[^'"`;]*?from\s*['"]([^'"]+)['"]/g, /\bimport\s*['"]([^'"]+)['"]/g, /\bimport\s*\(\s*['"`]([^'"`]+)['"`]\s*\)/g, /\brequire\s*\(\s*['"]([^'"]+)['"]\s*\)/g];
  for (const re of patterns) for (const m of code.matchAll(re)) found.push(m[1]);
  return found;
}

const intoSrc = (file: string, spec: string): boolean => spec.startsWith('.') && `${resolve(dirname(file), spec)}${sep}`.startsWith(`${SRC}${sep}`);

describe('emulator independence from the plugin', () => {
  it('finds every kind of import (the check can fail)', () => {
    const code = "import { a } from '../../src/x.js';\nexport * from \"../../src/y.js\";\nconst z = await import('../../src/z.js');\nimport '../../src/side.js';";
    expect(specifiers(code)).to.have.members(['../../src/x.js', '../../src/y.js', '../../src/z.js', '../../src/side.js']);
    expect(intoSrc(join(HERE, 'org.ts'), '../../src/domain/xml.js')).to.be.true;
    expect(intoSrc(join(HERE, 'org.ts'), './xml.js')).to.be.false;
  });

  it('no emulator module imports from src/ (tests may import plugin types, never its XML reader)', () => {
    const offenders: string[] = [];
    for (const file of sourceFiles(HERE)) {
      const isTest = file.endsWith('.test.ts');
      for (const spec of specifiers(readFileSync(file, 'utf8'))) {
        if (!intoSrc(file, spec)) continue;
        if (!isTest || /domain\/xml(\.js)?$/.test(spec)) offenders.push(`${relative(HERE, file)} → ${spec}`);
      }
    }
    expect(offenders).to.deep.equal([]);
  });
});

/** The test files a GUESSES.md text names (paths under test/, e.g. `e2e/assign.slow.test.ts`). */
export function namedTestFiles(text: string): string[] {
  return [...new Set([...text.matchAll(/[\w./-]*\.test\.ts\b/g)].map((m) => m[0]))];
}

/** Guess ids (`M1`, `Q13`, …) in the order their table rows give them. */
export function guessIds(text: string): string[] {
  return [...text.matchAll(/^\| ([A-Z]\d+) \|/gm)].map((m) => m[1]);
}

const TEST_ROOT = resolve(HERE, '..');
const missingTestFiles = (names: readonly string[]): string[] => names.filter((n) => !n.includes('/') || !existsSync(join(TEST_ROOT, n)));
const duplicates = (ids: readonly string[]): string[] => [...new Set(ids.filter((id, i) => ids.indexOf(id) !== i))];

describe('emulator guesses', () => {
  it('finds test file names and guess ids, and flags a missing file or a repeated id (the checks can fail)', () => {
    const text = '| Q1 | x | `emulator/limits.test.ts`, `assign.test.ts` |\n| Q1 | y | `e2e/gone.slow.test.ts` |\n| Q2 | z | — |';
    expect(namedTestFiles(text)).to.deep.equal(['emulator/limits.test.ts', 'assign.test.ts', 'e2e/gone.slow.test.ts']);
    expect(missingTestFiles(namedTestFiles(text))).to.deep.equal(['assign.test.ts', 'e2e/gone.slow.test.ts']);
    expect(duplicates(guessIds(text))).to.deep.equal(['Q1']);
  });

  it('every test file GUESSES.md names exists (as a path under test/), and every guess id is used once', () => {
    const guesses = readFileSync(join(HERE, 'GUESSES.md'), 'utf8');
    const named = namedTestFiles(guesses);
    expect(named.length).to.be.greaterThan(15);
    expect(missingTestFiles(named)).to.deep.equal([]);
    const ids = guessIds(guesses);
    expect(ids.length).to.be.greaterThan(50);
    expect(duplicates(ids)).to.deep.equal([]);
  });


  it('GUESSES.md covers every module that makes a guess', () => {
    const guesses = readFileSync(join(HERE, 'GUESSES.md'), 'utf8');
    const modules = sourceFiles(HERE).filter((f) => !f.endsWith('.test.ts') && /\/\/ guess:|\* guess:|— guess:|\(guess:/.test(readFileSync(f, 'utf8')));
    expect(modules.length).to.be.greaterThan(5);
    expect(modules.map((f) => relative(HERE, f)).filter((m) => !guesses.includes(`\`${m}\``))).to.deep.equal([]);
  });
});
