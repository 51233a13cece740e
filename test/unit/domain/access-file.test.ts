import { expect } from 'chai';
import { AccessFileError, parseAccessFile } from '../../../src/domain/access/access-file.js';

describe('desired-state file', () => {
  it('reads apps with permission sets, profiles and a policy block', () => {
    const entries = parseAccessFile(
      JSON.stringify({ $schema: './schemas/x.json', apps: [{ app: 'Jenkins_CI', permissionSets: ['CI'], profiles: ['Integration User'], policy: { ipRelaxation: 'enforce' } }, { app: 'Slack' }] })
    );
    expect(entries).to.deep.equal([
      { at: '$.apps[0]', app: 'Jenkins_CI', permissionSets: ['CI'], profiles: ['Integration User'], policy: { ipRelaxation: 'enforce' } },
      { at: '$.apps[1]', app: 'Slack', permissionSets: [], profiles: [] },
    ]);
  });

  const problemsOf = (text: string): string[] => {
    try {
      parseAccessFile(text);
    } catch (error) {
      expect(error).to.be.instanceOf(AccessFileError);
      return (error as AccessFileError).problems.map((p) => `${p.path} ${p.problem}`);
    }
    return expect.fail('expected AccessFileError');
  };

  it('reports every problem with its JSON path', () => {
    expect(problemsOf('{"apps": [{"permissionSets": "CI", "extra": 1}, 7], "other": true}')).to.have.members([
      '$.other unknown-key',
      '$.apps[0].extra unknown-key',
      '$.apps[0].app missing',
      '$.apps[0].permissionSets not-string-array',
      '$.apps[1] not-object',
    ]);
  });

  it('rejects text that is not JSON, a missing apps array and an empty one', () => {
    expect(problemsOf('{ nope')[0]).to.match(/^\$ not-json/);
    expect(problemsOf('[]')).to.deep.equal(['$.apps missing']);
    expect(problemsOf('{"apps": []}')).to.deep.equal(['$.apps empty']);
  });

  it('refuses names longer than the platform allows, by length alone (a 120 MB name is never matched)', () => {
    const huge = 'J'.repeat(120 * 1024 * 1024);
    const text = JSON.stringify({ apps: [{ app: huge, permissionSets: ['P'.repeat(98), 'Fine'], profiles: ['Q'.repeat(256), 'R'.repeat(255)] }, { app: 'A'.repeat(97) }] });
    expect(problemsOf(text)).to.deep.equal(['$.apps[0].app too-long', '$.apps[0].permissionSets[0] too-long', '$.apps[0].profiles[0] too-long']);
  });
});
