import { expect } from 'chai';
import { withLatestRun } from '../../../bench/results-file.js';

describe('bench results file: the latest run between markers', () => {
  const history = '# audit benchmark results\n\nhand-written analysis\n';

  it('puts the first run under the title and keeps what was written as earlier runs', () => {
    const text = withLatestRun(history, 'audit benchmark results', ['| a | 1 |']);
    expect(text).to.match(/^# audit benchmark results\n\n<!-- latest run \(written by the benchmark with --write\) -->\n\| a \| 1 \|\n<!-- end of latest run -->\n\n## Earlier runs\n\nhand-written analysis\n$/);
  });

  it('replaces only its own block: a run of another key adds a block and leaves the first one as it was', () => {
    const first = withLatestRun(history, 't', ['small: 40 requests'], 'bench -- --sizes 100');
    const both = withLatestRun(first, 't', ['large: 535 requests'], 'bench -- --sizes 5000');
    expect(both).to.contain('small: 40 requests').and.contain('large: 535 requests').and.contain('hand-written analysis');
    const again = withLatestRun(both, 't', ['small: 41 requests'], 'bench -- --sizes 100');
    expect(again).to.contain('small: 41 requests').and.not.contain('small: 40 requests');
    expect(again).to.contain('large: 535 requests');
    expect(again.indexOf('small: 41')).to.be.below(again.indexOf('large: 535'));
    expect(again.indexOf('large: 535')).to.be.below(again.indexOf('## Earlier runs'));
  });
});
