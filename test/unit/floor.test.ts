import { join } from 'node:path';
import { expect } from 'chai';
import Mocha from 'mocha';
import { REPO_ROOT } from '../data-sets.js';
import { checkFloor, suiteFiles, type SuiteName } from '../floor.js';

const FILES: Record<SuiteName, Set<string>> = { fast: new Set(['test/a.test.ts', 'test/b.test.ts']), slow: new Set(['test/c.slow.test.ts']) };

/** A finished run: `spec` maps a file to its suites' titles and each test's state. */
function run(spec: Array<{ file: string; suite: string; states: Array<'passed' | 'failed' | 'pending' | undefined> }>): Mocha.Suite {
  const root = new Mocha.Suite('');
  for (const { file, suite, states } of spec) {
    const s = new Mocha.Suite(suite);
    root.addSuite(s);
    for (const [i, state] of states.entries()) {
      const t = new Mocha.Test(`t${i}`, () => undefined);
      t.file = join(REPO_ROOT, file);
      if (state === 'pending') t.pending = true;
      else t.state = state;
      s.addTest(t);
    }
  }
  return root;
}

describe('the suite floor (test/floor.ts)', () => {
  const whole = (corpusStates: Array<'passed' | 'pending'>, own = 3): Mocha.Suite =>
    run([
      { file: 'test/a.test.ts', suite: 'a', states: Array<'passed'>(own).fill('passed') },
      { file: 'test/b.test.ts', suite: 'b [corpus]', states: corpusStates },
    ]);

  it('passes a whole fast run at the floor, counting corpus tests apart', () => {
    const verdict = checkFloor(whole(['passed', 'passed']), { fast: 3, slow: 0 }, FILES);
    expect(verdict?.ok).to.equal(true);
    expect(verdict?.message).to.contain('3 tests passed outside the corpus (floor 3').and.contain('2 over the corpus');
  });

  it('does not let corpus tests make up for missing own tests', () => {
    const verdict = checkFloor(whole(['passed', 'passed', 'passed'], 2), { fast: 3, slow: 0 }, FILES);
    expect(verdict?.ok).to.equal(false);
    expect(verdict?.message).to.match(/The fast suite shrank: 2 tests passed outside the corpus \(floor 3/);
  });

  it('passes without the corpus when the own tests reach the floor', () => {
    expect(checkFloor(whole(['pending']), { fast: 3, slow: 0 }, FILES)?.ok).to.equal(true);
  });

  it('says nothing for a part of a suite or a run that failed already, and does not check a filtered run', () => {
    const one = run([{ file: 'test/a.test.ts', suite: 'a', states: ['passed'] }]);
    expect(checkFloor(one, { fast: 100, slow: 0 }, FILES)).to.equal(undefined);
    const grepped = run([
      { file: 'test/a.test.ts', suite: 'a', states: ['passed', undefined] },
      { file: 'test/b.test.ts', suite: 'b', states: ['passed'] },
    ]);
    expect(checkFloor(grepped, { fast: 100, slow: 0 }, FILES)).to.deep.include({ ok: true });
    expect(checkFloor(grepped, { fast: 100, slow: 0 }, FILES)?.message).to.match(/floor is not checked: 1 tests did not run .* "a > t1" in test\/a.test.ts/);
    const failed = run([
      { file: 'test/a.test.ts', suite: 'a', states: ['failed'] },
      { file: 'test/b.test.ts', suite: 'b', states: ['passed'] },
    ]);
    expect(checkFloor(failed, { fast: 100, slow: 0 }, FILES)).to.equal(undefined);
  });

  it('checks the slow suite against its own floor', () => {
    const slow = run([{ file: 'test/c.slow.test.ts', suite: 'c', states: ['passed'] }]);
    expect(checkFloor(slow, { fast: 0, slow: 2 }, FILES)?.message).to.match(/^The slow suite shrank: 1 tests/);
  });

  it('finds this file among the fast suite’s files and none of the slow ones', () => {
    const files = suiteFiles();
    expect(files.fast.has('test/unit/floor.test.ts')).to.equal(true);
    expect(files.slow.has('test/smoke/sf-cli.slow.test.ts')).to.equal(true);
    expect([...files.fast].some((f) => f.endsWith('.slow.test.ts'))).to.equal(false);
  });
});
