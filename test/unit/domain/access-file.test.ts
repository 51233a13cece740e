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

  it('reads an entry\'s optional type, and refuses an unknown one naming the entry, its app and the accepted values', () => {
    const entries = parseAccessFile(JSON.stringify({ apps: [{ app: 'Partner_Quoting', type: 'external-client-app' }, { app: 'Jenkins_CI', type: 'connected-app' }, { app: 'Slack' }] }));
    expect(entries.map((e) => e.type)).to.deep.equal(['external-client-app', 'connected-app', undefined]);
    try {
      parseAccessFile(JSON.stringify({ apps: [{ app: 'Slack' }, { app: 'Partner_Quoting', type: 'eca' }, { app: 'X', type: 3 }] }));
      expect.fail('expected an error');
    } catch (error) {
      expect(error).to.be.instanceOf(AccessFileError);
      expect((error as AccessFileError).message).to.equal(
        '$.apps[1].type: unknown-type ("eca" for "Partner_Quoting"; use "connected-app" or "external-client-app"); $.apps[2].type: unknown-type (3 for "X"; use "connected-app" or "external-client-app")'
      );
    }
  });
});
