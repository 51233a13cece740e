/*
 * The suite cannot shrink quietly: when a whole suite ran (every fast test file, or every slow one), the tests
 * that passed outside the corpus suites (`… [corpus]`, which exist only where ../shared/corpus does) must be at
 * least the floor committed in test/floor.json. Deleting tests, or a loop that stops creating them, then fails the
 * run until the floor is lowered in a commit that says why.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { Suite, Test } from 'mocha';
import { REPO_ROOT } from './data-sets.js';

export type SuiteName = 'fast' | 'slow';
export type FloorVerdict = { ok: boolean; message: string };

const TEST_DIR = join(REPO_ROOT, 'test');
const FLOOR_FILE = join(TEST_DIR, 'floor.json');

/** Every test file of each suite, relative to the repository (what `npm test` and `npm run test:slow` glob). */
export function suiteFiles(): Record<SuiteName, Set<string>> {
  const all = readdirSync(TEST_DIR, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.test.ts'))
    .map((f) => relative(REPO_ROOT, join(TEST_DIR, f)));
  return { fast: new Set(all.filter((f) => !f.endsWith('.slow.test.ts'))), slow: new Set(all.filter((f) => f.endsWith('.slow.test.ts'))) };
}

function testsOf(suite: Suite, inCorpus = false): Array<{ test: Test; inCorpus: boolean }> {
  const here = inCorpus || suite.title.endsWith(' [corpus]');
  return [...suite.tests.map((test) => ({ test, inCorpus: here })), ...suite.suites.flatMap((s) => testsOf(s, here))];
}

const sameSet = (a: Set<string>, b: Set<string>): boolean => a.size === b.size && [...a].every((x) => b.has(x));

/**
 * The verdict for a finished run, or undefined when it was not a whole suite (some of its files) or a test failed
 * already (the run fails anyway). A whole suite of which some tests did not run (a --grep) is said, not checked.
 */
export function checkFloor(root: Suite, floors: Record<SuiteName, number> = readFloors(), files = suiteFiles()): FloorVerdict | undefined {
  const tests = testsOf(root);
  const ran = new Set(tests.map(({ test }) => test.file && relative(REPO_ROOT, test.file)).filter((f): f is string => Boolean(f)));
  const suite = (['fast', 'slow'] as const).find((name) => sameSet(ran, files[name]));
  if (!suite || tests.some(({ test }) => test.state === 'failed')) return undefined;
  const notRun = tests.filter(({ test }) => test.state === undefined && !test.isPending());
  if (notRun.length > 0) {
    const first = notRun[0].test;
    return { ok: true, message: `The ${suite} suite's floor is not checked: ${notRun.length} tests did not run (a --grep, or a stop), the first "${first.titlePath().filter(Boolean).join(' > ')}" in ${first.file ? relative(REPO_ROOT, first.file) : '?'}.` };
  }
  const passed = tests.filter(({ test }) => test.state === 'passed');
  const own = passed.filter(({ inCorpus }) => !inCorpus).length;
  const corpus = passed.length - own;
  const floor = floors[suite];
  const counts = `${own} tests passed outside the corpus (floor ${floor}, test/floor.json), ${corpus} over the corpus`;
  if (own >= floor) return { ok: true, message: `The ${suite} suite: ${counts}.` };
  return {
    ok: false,
    message: `The ${suite} suite shrank: ${counts}. If tests were removed on purpose, lower the floor in test/floor.json in the same commit and say why.`,
  };
}

function readFloors(): Record<SuiteName, number> {
  return JSON.parse(readFileSync(FLOOR_FILE, 'utf8')) as Record<SuiteName, number>;
}
