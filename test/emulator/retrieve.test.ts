import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { childText, childTexts, elements, firstElement, parseXml, type XmlElement } from './xml.js';
import { start, type Emulator } from './index.js';
import { soap } from './test-helpers.js';

const bodyOf = (xml: string): XmlElement => elements(firstElement(parseXml(xml).root, 'Body'))[0];
const retrieve = (members: string[]): string =>
  `<met:retrieve><met:retrieveRequest><met:apiVersion>67.0</met:apiVersion><met:unpackaged><met:types>${members.map((m) => `<met:members>${m}</met:members>`).join('')}<met:name>ConnectedApp</met:name></met:types></met:unpackaged></met:retrieveRequest></met:retrieve>`;
const check = (id: string): string => `<met:checkRetrieveStatus><met:asyncProcessId>${id}</met:asyncProcessId><met:includeZip>true</met:includeZip></met:checkRetrieveStatus>`;

describe('org emulator: Metadata API retrieve (as sf project retrieve start uses it)', function () {
  this.timeout(30_000);
  let e: Emulator;
  before(async () => {
    e = await start({ scenario: 'demo' });
  });
  after(async () => e.stop());

  it('queues a retrieve, answers "in progress" until it is done, then a zip of every connected app and package.xml that unzip reads', async () => {
    const started = firstElement(bodyOf((await soap(e, retrieve(['*']))).body), 'result');
    expect([childText(started, 'done'), childText(started, 'state')]).to.deep.equal(['false', 'Queued']);
    const id = childText(started, 'id') ?? '';
    const first = firstElement(bodyOf((await soap(e, check(id))).body), 'result');
    expect([childText(first, 'done'), childText(first, 'status'), childText(first, 'zipFile')]).to.deep.equal(['false', 'InProgress', undefined]);
    let result: XmlElement | undefined;
    for (let i = 0; i < 40 && childText(result, 'done') !== 'true'; i++) {
      await new Promise((r) => setTimeout(r, 100));
      result = firstElement(bodyOf((await soap(e, check(id))).body), 'result');
    }
    expect([childText(result, 'status'), childText(result, 'success')]).to.deep.equal(['Succeeded', 'true']);
    const dir = mkdtempSync(join(tmpdir(), 'retrieve-'));
    try {
      writeFileSync(join(dir, 'r.zip'), Buffer.from(childText(result, 'zipFile') ?? '', 'base64'));
      execFileSync('unzip', ['-q', join(dir, 'r.zip'), '-d', dir]);
      const apps = e.org.table('ConnectedApplication').map((a) => e.org.appByAnyName(String(a.Name))).filter((a) => a?.body && a.inMetadataApi);
      const manifest = parseXml(readFileSync(join(dir, 'unpackaged', 'package.xml'), 'utf8')).root;
      const members = childTexts(firstElement(manifest, 'types'), 'members');
      expect(members).to.have.length(apps.length);
      const one = apps[0]!;
      const file = parseXml(readFileSync(join(dir, 'unpackaged', 'connectedApps', `${one.fullName}.connectedApp`), 'utf8')).root;
      expect([file.name, childText(file, 'label')]).to.deep.equal(['ConnectedApp', one.label]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses an unknown retrieve id and a type it does not serve', async () => {
    expect((await soap(e, check('09S5g0000009999'))).status).to.equal(500);
    const other = retrieve(['x']).replace('<met:name>ConnectedApp</met:name>', '<met:name>ApexClass</met:name>');
    expect((await soap(e, other)).body).to.match(/INVALID_TYPE/);
  });
});
