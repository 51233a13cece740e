import { rmSync } from 'node:fs';
import { expect } from 'chai';
import { MAX_SOURCE_FILE_BYTES, readSourceApps } from '../../../src/adapters/source-files.js';
import { MAX_XML_DEPTH } from '../../../src/domain/xml.js';
import { hostileProject } from '../hostile.js';

describe('source files', () => {
  let root: string;
  before(() => {
    root = hostileProject();
  });
  after(() => {
    rmSync(root, { recursive: true, force: true });
  });

  it('reads the good files and reports each hostile one by name, without following links', async () => {
    const read = await readSourceApps(['force-app'], root);
    expect(read.apps.map((a) => a.fullName)).to.deep.equal(['Jenkins_CI', 'Workato']);
    const problems: Record<string, [number, string]> = Object.fromEntries(read.parseErrors.map((e) => [e.file.split('/').pop() ?? e.file, [e.line, e.message]]));
    expect(Object.keys(problems).sort()).to.deep.equal(
      ['CodePoint', 'Deep', 'Huge', 'Latin1', 'Laughs', 'Linked'].map((n) => `${n}.connectedApp-meta.xml`).concat('more').sort()
    );
    expect(problems['Deep.connectedApp-meta.xml'][1]).to.match(new RegExp(`^elements are nested deeper than ${MAX_XML_DEPTH} levels \\(line 4,`));
    expect(problems['CodePoint.connectedApp-meta.xml'][1]).to.match(/^malformed character entity \(line 3/);
    expect(problems['Latin1.connectedApp-meta.xml']).to.deep.equal([0, 'The file is not valid UTF-8 (the first bad byte is on line 3); metadata files are UTF-8.']);
    expect(problems['Laughs.connectedApp-meta.xml'][1]).to.match(/^DOCTYPE is not supported/);
    expect(problems['Huge.connectedApp-meta.xml']).to.deep.equal([0, `The file is 52428800 bytes, more than the ${MAX_SOURCE_FILE_BYTES} bytes any connected app file needs, so it was not read.`]);
    expect(problems['Linked.connectedApp-meta.xml'][1]).to.match(/^A symbolic link \(to .*Okta_SSO\.connectedApp-meta\.xml\), not followed/);
    expect(problems.more[1]).to.match(/^A symbolic link to a directory \(.*demo\), not followed/);
  });
});
