/*
 * Fidelity: the emulator's responses have the shapes of real ones (keys and value types, not values), checked
 * against the real responses and files in ../shared/corpus. Skipped when the corpus is absent.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { childText, childTexts, elements, firstElement, parseXml, serializeXml, textOf, type XmlElement } from './xml.js';
import { REPO_ROOT } from '../e2e/harness.js';
import { start, type Emulator, type Scenario } from './index.js';
import { demoScenario, getJson, PINNED_NOW, q, soap } from './test-helpers.js';

const CORPUS = join(REPO_ROOT, '..', 'shared', 'corpus');
const corpus = (...p: string[]): string => join(CORPUS, ...p);
const readJson = (...p: string[]): unknown => JSON.parse(readFileSync(corpus(...p), 'utf8'));

/**
 * Known differences between schema.ts (another module of the emulator) and the real EventLogFile describe; each is
 * reported so it can be fixed there, and removed from here when it is.
 */
const KNOWN_SCHEMA_GAPS: Record<string, string | undefined> = {
};

const kind = (v: unknown): string => (v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v);

/**
 * Differences in shape between a real value and the emulator's: keys of real objects missing in the emulator's,
 * and values of different JSON types (a real null matches anything; arrays compare their first elements).
 */
function shapeDiff(real: unknown, ours: unknown, path = '$', ignore: (path: string) => boolean = () => false): string[] {
  if (ignore(path) || real === null) return [];
  if (kind(real) !== kind(ours)) return [`${path}: ${kind(real)} in the real response, ${kind(ours)} in the emulator's`];
  if (Array.isArray(real) && Array.isArray(ours)) return real.length > 0 && ours.length > 0 ? shapeDiff(real[0], ours[0], `${path}[0]`, ignore) : [];
  if (kind(real) === 'object') {
    const r = real as Record<string, unknown>;
    const o = ours as Record<string, unknown>;
    return Object.keys(r).flatMap((k) => (k in o ? shapeDiff(r[k], o[k], `${path}.${k}`, ignore) : ignore(`${path}.${k}`) ? [] : [`${path}.${k}: missing`]));
  }
  return [];
}

describe('org emulator: fidelity to real responses (../shared/corpus)', function () {
  let e: Emulator;
  before(async function () {
    if (!existsSync(CORPUS)) this.skip();
    e = await start({ scenario: demoScenario({ now: PINNED_NOW, features: { eventMonitoring: true } }) });
  });
  after(async () => {
    if (existsSync(CORPUS)) await e.stop();
  });

  it('answers EventLogFile queries in the shape of real ones, fields in SELECT order', async () => {
    const cases: Array<{ file: string; soql: string }> = [
      { file: 'elastic__beats__input_test__EventLogFile_query_Login.json', soql: "SELECT Id, CreatedDate, LogDate, LogFile FROM EventLogFile WHERE EventType = 'Login'" },
      { file: 'abisek__logstash-input-sfdc_elf__eventlogfile_list.json', soql: 'SELECT Id, LogFile, LogDate, LogFileLength, EventType FROM EventLogFile' },
      { file: 'abisek__logstash-input-sfdc_elf__create_event_ELF_list1.json', soql: 'SELECT Id, LogFile, LogDate, LogFileFieldTypes, LogFileLength, EventType FROM EventLogFile' },
      { file: 'abisek__logstash-input-sfdc_elf__org_query_response.json', soql: 'SELECT Id FROM Organization' },
    ];
    for (const c of cases) {
      const real = readJson('api-responses', c.file) as { records: Array<Record<string, unknown>> };
      const ours = (await getJson<{ records: Array<Record<string, unknown>> }>(e, q(c.soql))).json;
      expect(shapeDiff(real, ours), c.file).to.deep.equal([]);
      expect(Object.keys(ours), c.file).to.deep.equal(Object.keys(real));
      expect(Object.keys(ours.records[0]), c.file).to.deep.equal(Object.keys(real.records[0]));
      expect(Object.keys(ours.records[0].attributes as object)).to.deep.equal(['type', 'url']);
    }
  });

  it('has hourly EventLogFile records like real ones', async () => {
    const real = readJson('api-responses', 'newrelic__newrelic-salesforce-exporter__sample_log_records_EventLogFile.json') as Array<Record<string, unknown>>;
    const ours = (await getJson<{ records: unknown[] }>(e, q("SELECT Id, EventType, CreatedDate, LogDate, Interval, LogFile, Sequence FROM EventLogFile WHERE Interval = 'Hourly'"))).json;
    expect(shapeDiff(real, ours.records)).to.deep.equal([]);
    const rec = ours.records[0] as Record<string, unknown>;
    expect(rec.LogFile).to.equal(`/services/data/v67.0/sobjects/EventLogFile/${rec.Id as string}/LogFile`);
    expect(rec.LogDate).to.match(/^\d{4}-\d{2}-\d{2}T\d{2}:00:00\.000\+0000$/);
  });

  it('describes EventLogFile in the shape of the real describe', async () => {
    const real = readJson('api-responses', 'abisek__logstash-input-sfdc_elf__eventlogfile_describe.json') as { fields: Array<Record<string, unknown>> };
    const ours = (await getJson<{ fields: Array<Record<string, unknown>> }>(e, '/services/data/v67.0/sobjects/EventLogFile/describe')).json;
    // Top level (fields compared one by one below).
    expect(shapeDiff(real, ours, '$', (p) => p.startsWith('$.fields'))).to.deep.equal([]);
    const byName = new Map(ours.fields.map((f) => [f.name, f]));
    const missing = real.fields.map((f) => f.name as string).filter((n) => !byName.has(n));
    expect(missing.filter((n) => !(n in KNOWN_SCHEMA_GAPS))).to.deep.equal([]);
    for (const f of real.fields) {
      const name = f.name as string;
      const mine = byName.get(name);
      if (!mine) continue;
      expect(shapeDiff(f, mine, `$.fields.${name}`), name).to.deep.equal([]);
      if (KNOWN_SCHEMA_GAPS[name] !== undefined) continue;
      expect(mine.type, name).to.equal(f.type);
      expect(mine.soapType, name).to.equal(f.soapType);
      for (const flag of ['filterable', 'groupable', 'sortable', 'nillable']) expect(mine[flag], `${name}.${flag}`).to.equal(f[flag]);
    }
  });

  it('serves a real event log file given as CSV byte for byte', async () => {
    const file = corpus('event-log-files', 'elastic__beats__input_test__Login.csv');
    const text = readFileSync(file, 'utf8');
    const scenario: Scenario = { org: { name: 'Corpus', now: '2023-12-19T12:00:00Z' }, eventLogFiles: [{ eventType: 'Login', dates: ['2023-12-18'], csvFile: file }] };
    const c = await start({ scenario });
    try {
      const rec = (await getJson<{ records: Array<Record<string, unknown>> }>(c, q('SELECT LogFile, LogFileLength, LogFileFieldNames FROM EventLogFile'))).json.records[0];
      expect(rec.LogFileLength).to.equal(statSync(file).size);
      expect(rec.LogFileFieldNames).to.equal(text.split('\n')[0].replace(/"/g, ''));
      const body = await fetch(`${c.url}${rec.LogFile as string}`, { headers: { Authorization: `Bearer ${c.accessToken}` } });
      expect(await body.text()).to.equal(text);
    } finally {
      await c.stop();
    }
  });

  it('reads back every parseable real ConnectedApp file as it was, and survives an update of it', async function () {
    this.timeout(30_000);
    const dir = corpus('connected-apps');
    const files = readdirSync(dir).filter((f) => f.endsWith('.connectedApp-meta.xml'));
    const apps: Array<{ name: string; file: string; root: XmlElement }> = [];
    const profiles = new Set<string>();
    const permissionSets = new Set<string>();
    const runAs = new Set<string>();
    for (const f of files) {
      let root: XmlElement;
      try {
        root = parseXml(readFileSync(join(dir, f), 'utf8')).root;
      } catch {
        continue; // the corpus has a deliberately malformed file
      }
      childTexts(root, 'profileName').forEach((p) => profiles.add(p.trim()));
      childTexts(root, 'permissionSetName').forEach((p) => permissionSets.add(p.trim()));
      childTexts(firstElement(root, 'oauthConfig'), 'oauthClientCredentialUser').forEach((u) => runAs.add(u.trim()));
      apps.push({ name: `App_${String(apps.length).padStart(3, '0')}`, file: join(dir, f), root });
    }
    expect(apps.length).to.be.greaterThan(60);
    profiles.delete('');
    permissionSets.delete('');
    const scenario: Scenario = {
      org: { name: 'Corpus Org' },
      profiles: [...profiles].filter((p) => p !== 'System Administrator').map((name) => ({ name })),
      permissionSets: [...permissionSets].map((label, i) => ({ name: `PS_${i}`, label })),
      users: ['admin@corpus.example.com', ...runAs].map((username) => ({ username, profile: 'System Administrator' })),
      connectedApps: apps.map((a) => ({ name: a.name, metadataFile: a.file })),
    };
    const c = await start({ scenario });
    try {
      // What a retrieve of the file would give: the file's elements, duplicates of profileName collapsed.
      const expected = (root: XmlElement): string[] => {
        const seen = new Set<string>();
        return elements(root)
          .filter((el) => {
            if (el.name !== 'profileName' && el.name !== 'permissionSetName') return true;
            const key = `${el.name}:${(textOf(el) ?? '').trim()}`;
            if (seen.has(key) || (textOf(el) ?? '').trim() === '') return false;
            seen.add(key);
            return true;
          })
          .map((el) => el.name)
          .sort();
      };
      for (let i = 0; i < apps.length; i += 10) {
        const batch = apps.slice(i, i + 10);
        const r = await soap(c, `<met:readMetadata><met:type>ConnectedApp</met:type>${batch.map((a) => `<met:fullNames>${a.name}</met:fullNames>`).join('')}</met:readMetadata>`);
        const records = elements(firstElement(elements(firstElement(parseXml(r.body).root, 'Body'))[0], 'result'), 'records');
        records.forEach((rec, j) => {
          const names = elements(rec).map((x) => x.name).filter((n) => n !== 'fullName');
          expect(names.sort(), batch[j].file).to.deep.equal(expected(batch[j].root));
        });
        // A lossless client sends back what it read: every update succeeds and changes nothing.
        const metadata = records.map((rec) => `<metadata xsi:type="ConnectedApp">${elements(rec).map((x) => serializeXml(x, { declaration: false, indent: '' })).join('')}</metadata>`);
        const u = await soap(c, `<met:updateMetadata xmlns="http://soap.sforce.com/2006/04/metadata" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">${metadata.join('')}</met:updateMetadata>`);
        const results = elements(elements(firstElement(parseXml(u.body).root, 'Body'))[0], 'result');
        const failed = results.filter((x) => childText(x, 'success') !== 'true').map((x) => `${childText(x, 'fullName') ?? ''}: ${childText(firstElement(x, 'errors'), 'message') ?? ''}`);
        expect(failed).to.deep.equal([]);
        const again = await soap(c, `<met:readMetadata><met:type>ConnectedApp</met:type>${batch.map((a) => `<met:fullNames>${a.name}</met:fullNames>`).join('')}</met:readMetadata>`);
        expect(again.body).to.equal(r.body);
      }
    } finally {
      await c.stop();
    }
  });
});
