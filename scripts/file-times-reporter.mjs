// Mocha reporter: the spec output, then each test file's wall time (its top-level suites, hooks included) and
// test count, slowest first, and the totals. Used to decide which files belong in the slow suite:
//   npx mocha "test/**/*.test.ts" --reporter ./scripts/file-times-reporter.mjs
// With MOCHA_FILE_TIMES=<path> the same figures are also written there as JSON.
import { writeFileSync } from 'node:fs';
import { relative } from 'node:path';
import Mocha from 'mocha';

const { EVENT_RUN_BEGIN, EVENT_RUN_END, EVENT_SUITE_BEGIN, EVENT_SUITE_END, EVENT_TEST_FAIL, EVENT_TEST_PASS, EVENT_TEST_PENDING } = Mocha.Runner.constants;

export default class FileTimes extends Mocha.reporters.Spec {
  constructor(runner, options) {
    super(runner, options);
    const files = new Map();
    const of = (file) => {
      const key = file ? relative(process.cwd(), file) : '(root)';
      if (!files.has(key)) files.set(key, { file: key, ms: 0, tests: 0, passed: 0, failed: 0, pending: 0 });
      return files.get(key);
    };
    const begun = new Map();
    let runStarted = 0;
    runner.once(EVENT_RUN_BEGIN, () => {
      runStarted = performance.now();
    });
    // A file's time is the sum of its top-level suites (a file may hold several), hooks included.
    runner.on(EVENT_SUITE_BEGIN, (suite) => {
      if (suite.parent?.root) begun.set(suite, performance.now());
    });
    runner.on(EVENT_SUITE_END, (suite) => {
      const start = begun.get(suite);
      if (start !== undefined) of(suite.file).ms += performance.now() - start;
    });
    const count = (kind) => (test) => {
      const entry = of(test.file);
      entry.tests += 1;
      entry[kind] += 1;
    };
    runner.on(EVENT_TEST_PASS, count('passed'));
    runner.on(EVENT_TEST_FAIL, (test) => {
      // A failed hook is reported as a failure too; count only tests.
      if (test.type === 'test') count('failed')(test);
    });
    runner.on(EVENT_TEST_PENDING, count('pending'));
    runner.once(EVENT_RUN_END, () => {
      const rows = [...files.values()].sort((a, b) => b.ms - a.ms);
      const total = rows.reduce((t, r) => ({ ms: t.ms + r.ms, tests: t.tests + r.tests }), { ms: 0, tests: 0 });
      const wall = performance.now() - runStarted;
      const lines = ['', '  Time per file (wall, hooks included), slowest first:'];
      for (const r of rows) lines.push(`  ${(r.ms / 1000).toFixed(1).padStart(7)} s ${String(r.tests).padStart(5)} tests  ${r.file}`);
      lines.push(`  ${(total.ms / 1000).toFixed(1).padStart(7)} s ${String(total.tests).padStart(5)} tests  in ${rows.length} files (run: ${(wall / 1000).toFixed(1)} s)`, '');
      console.log(lines.join('\n'));
      if (process.env.MOCHA_FILE_TIMES) writeFileSync(process.env.MOCHA_FILE_TIMES, `${JSON.stringify({ wallMs: Math.round(wall), files: rows.map((r) => ({ ...r, ms: Math.round(r.ms) })) }, null, 2)}\n`);
    });
  }
}
