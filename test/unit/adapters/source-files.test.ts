import { cpSync, readFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { MAX_SOURCE_FILE_BYTES, readSourceApps } from '../../../src/adapters/source-files.js';
import { MAX_XML_DEPTH } from '../../../src/domain/xml.js';
import { hostileProject } from '../hostile.js';
import { REPO_ROOT } from '../../data-sets.js';

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

describe('source files: External Client Apps', () => {
  let root: string;
  before(() => {
    root = mkdtempSync(join(tmpdir(), 'eca-source-'));
    const app = join(root, 'force-app', 'main');
    mkdirSync(app, { recursive: true });
    // The project's own ECA fixtures, beside a file named like an ECA part that is not one.
    cpSync(join(REPO_ROOT, 'test', 'fixtures', 'eca'), join(app, 'externalClientApps'), { recursive: true });
    writeFileSync(join(app, 'externalClientApps', 'Stray_oauthPlcy.ecaOauthPlcy-meta.xml'), '<?xml version="1.0"?><ConnectedApp xmlns="http://soap.sforce.com/2006/04/metadata"/>');
    // One app's global OAuth settings ask to rotate the consumer secret on deployment (CA507).
    const orderGlbl = join(app, 'externalClientApps', 'Order_Bridge_glbloauth.ecaGlblOauth-meta.xml');
    writeFileSync(orderGlbl, readFileSync(orderGlbl, 'utf8').replace('<shouldRotateConsumerSecret>false<', '<shouldRotateConsumerSecret>true<'));
    symlinkSync(join(REPO_ROOT, 'test', 'fixtures'), join(app, 'linked'));
  });
  after(() => {
    rmSync(root, { recursive: true, force: true });
  });

  it('groups the part files by the app each names, keeps every part file, and reports a stray file and a link once', async () => {
    const read = await readSourceApps(['force-app'], root);
    const ecas = read.apps.filter((a) => a.policy.kind === 'external-client-app');
    const fixtureFiles = readdirSync(join(REPO_ROOT, 'test', 'fixtures', 'eca'));
    expect(ecas.map((a) => a.fullName)).to.deep.equal(['Analytics_Agent', 'Order_Bridge', 'Pocket_Client', 'Release_Hub', 'Reporting_Feed']);
    const analytics = ecas[0];
    expect(analytics.file).to.equal('force-app/main/externalClientApps/Analytics_Agent.eca-meta.xml');
    expect(Object.keys(analytics.partFiles ?? {}).sort()).to.deep.equal(['eca', 'ecaGlblOauth', 'ecaOauth', 'ecaOauthPlcy', 'ecaOauthSecurity', 'ecaPlcy']);
    expect(analytics.partFiles?.ecaGlblOauth).to.equal('force-app/main/externalClientApps/Analytics_Agent_glbloauth.ecaGlblOauth-meta.xml');
    expect(ecas.map((a) => [a.fullName, a.rotatesOnDeploy ?? null])).to.deep.equal([
      ['Analytics_Agent', []],
      ['Order_Bridge', ['consumerSecret']],
      ['Pocket_Client', []],
      ['Release_Hub', []],
      ['Reporting_Feed', []],
    ]);
    expect(read.parseErrors.map((e) => e.file).sort()).to.deep.equal(['force-app/main/externalClientApps/Stray_oauthPlcy.ecaOauthPlcy-meta.xml', 'force-app/main/linked']);
    expect(read.parseErrors.find((e) => e.file.endsWith('.ecaOauthPlcy-meta.xml'))?.message).to.include('not one of its parts');
    // Every file found counts: each ECA part, the stray file and the link.
    expect(read.fileCount).to.equal(fixtureFiles.length + 2);
  });
});
