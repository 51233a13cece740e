/*
 * Mocha root hooks (loaded through .mocharc.json `require`): after the run, how many sample files each data set
 * gave and, loudly, which suites were skipped because the optional corpus is absent (see test/data-sets.ts); and,
 * when a whole suite ran (every fast or every slow test file), the floor check of test/floor.json.
 */
import type { Context } from 'mocha';
import { dataSetSummary, dataSetsUsed } from './data-sets.js';
import { checkFloor } from './floor.js';

export const mochaHooks = {
  afterAll(this: Context): void {
    if (dataSetsUsed()) console.log(['', '  Data sets:', ...dataSetSummary().map((l) => `    ${l}`), ''].join('\n'));
    const root = this.test?.parent;
    if (!root) return;
    const verdict = checkFloor(root);
    if (!verdict) return;
    console.log(`\n  ${verdict.message}\n`);
    // A failing root hook fails the run: the suite shrank.
    if (!verdict.ok) throw new Error(verdict.message);
  },
};
