/*
 * The source layout's rules, read from the import statements (type-only imports included): the domain core imports
 * nothing from the layers above it, operations import nothing from renderers, and the domain's files do not import
 * each other in a circle.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';

const SRC = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', 'src');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? sourceFiles(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []));
}

/** Each file (relative to src, `/`-separated) and the src files it imports. */
function importGraph(): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of sourceFiles(SRC)) {
    const text = readFileSync(file, 'utf8');
    const targets = [...text.matchAll(/(?:\bfrom\s*|\bimport\s*\(?\s*)['"](\.{1,2}\/[^'"]+)['"]/g)].map((m) =>
      relative(SRC, resolve(dirname(file), m[1].replace(/\.js$/, '.ts'))).replaceAll('\\', '/')
    );
    graph.set(relative(SRC, file).replaceAll('\\', '/'), targets);
  }
  return graph;
}

/** Circles of two or more files (strongly connected components), each sorted. */
function circles(graph: Map<string, string[]>): string[][] {
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (v: string): void => {
    index.set(v, counter);
    low.set(v, counter++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!graph.has(w)) continue;
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) !== index.get(v)) return;
    const circle: string[] = [];
    let w: string;
    do {
      w = stack.pop()!;
      onStack.delete(w);
      circle.push(w);
    } while (w !== v);
    if (circle.length > 1) found.push(circle.sort());
  };
  for (const v of graph.keys()) if (!index.has(v)) visit(v);
  return found;
}

describe('source layout', () => {
  const graph = importGraph();

  it('reads the imports', () => {
    expect(graph.get('domain/policy/policy.ts')).to.include('domain/policy/policy-error.ts');
  });

  it('the domain imports nothing from adapters, operations, renderers or commands', () => {
    const outward = [...graph].flatMap(([file, targets]) => (file.startsWith('domain/') ? targets.filter((t) => !t.startsWith('domain/')).map((t) => `${file} -> ${t}`) : []));
    expect(outward).to.deep.equal([]);
  });

  it('operations import nothing from renderers', () => {
    const up = [...graph].flatMap(([file, targets]) => (file.startsWith('operations/') ? targets.filter((t) => t.startsWith('renderers/')).map((t) => `${file} -> ${t}`) : []));
    expect(up).to.deep.equal([]);
  });

  it('no import circle among the domain files', () => {
    const domain = new Map([...graph].filter(([file]) => file.startsWith('domain/')));
    // Known, type-only: the audit model names the register's type and the register reads the model's apps.
    const known = ['domain/audit/model.ts,domain/audit/register.ts'];
    expect(circles(domain).map((c) => c.join(',')).filter((c) => !known.includes(c))).to.deep.equal([]);
  });
});
