/*
 * Mocha root hooks (loaded through .mocharc.json `require`): after the run, how many sample files each data set
 * gave and, loudly, which suites were skipped because the optional corpus is absent (see test/data-sets.ts).
 */
import { dataSetSummary, dataSetsUsed } from './data-sets.js';

export const mochaHooks = {
  afterAll(): void {
    if (!dataSetsUsed()) return;
    console.log(['', '  Data sets:', ...dataSetSummary().map((l) => `    ${l}`), ''].join('\n'));
  },
};
