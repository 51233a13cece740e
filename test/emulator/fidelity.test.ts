/*
 * Fidelity: the emulator's responses have the shapes of real ones (keys and value types, not values), checked
 * against sample responses and files: the project's fixtures (written from the documentation) always, and the
 * real responses in ../shared/corpus as well when present.
 */
import { readFileSync, statSync } from 'node:fs';
import { expect } from 'chai';
import { childText, childTexts, elements, firstElement, parseXml, serializeXml, textOf, type XmlElement } from './xml.js';
import { forEachDataSet, type SetName } from '../data-sets.js';
import { start, type Emulator, type Scenario } from './index.js';
import { demoScenario, getJson, PINNED_NOW, q, soap } from './test-helpers.js';

/** A Login event log file in each set, served byte for byte. */
const LOGIN_CSV: Record<SetName, { file: string; date: string; now: string }> = {
  corpus: { file: 'elastic__beats__input_test__Login.csv', date: '2023-12-18', now: '2023-12-19T12:00:00Z' },
  fixtures: { file: 'Login.csv', date: '2026-11-14', now: '2026-11-15T12:00:00Z' },
};

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

forEachDataSet('org emulator: fidelity to sample responses', (set) => {
  const readJson = (file: string): unknown => JSON.parse(set.read('api-responses', file));
  let e: Emulator;
  before(async function () {
    e = await start({ scenario: demoScenario({ now: PINNED_NOW, features: { eventMonitoring: true } }) });
  });
  after(async () => {
    await e.stop();
  });

  it('answers EventLogFile queries in the shape of real ones, fields in SELECT order', async () => {
    const cases: Array<{ file: string; soql: string }> = [
      { file: set.apiResponse('elf-query-login'), soql: "SELECT Id, CreatedDate, LogDate, LogFile FROM EventLogFile WHERE EventType = 'Login'" },
      { file: set.apiResponse('elf-list'), soql: 'SELECT Id, LogFile, LogDate, LogFileLength, EventType FROM EventLogFile' },
      { file: set.apiResponse('elf-list-field-types'), soql: 'SELECT Id, LogFile, LogDate, LogFileFieldTypes, LogFileLength, EventType FROM EventLogFile' },
      { file: set.apiResponse('org-query'), soql: 'SELECT Id FROM Organization' },
    ];
    for (const c of cases) {
      const real = readJson(c.file) as { records: Array<Record<string, unknown>> };
      const ours = (await getJson<{ records: Array<Record<string, unknown>> }>(e, q(c.soql))).json;
      expect(shapeDiff(real, ours), c.file).to.deep.equal([]);
      expect(Object.keys(ours), c.file).to.deep.equal(Object.keys(real));
      expect(Object.keys(ours.records[0]), c.file).to.deep.equal(Object.keys(real.records[0]));
      expect(Object.keys(ours.records[0].attributes as object)).to.deep.equal(['type', 'url']);
    }
  });

  it('has hourly EventLogFile records like real ones', async () => {
    const real = readJson(set.apiResponse('elf-hourly-records')) as Array<Record<string, unknown>>;
    const ours = (await getJson<{ records: unknown[] }>(e, q("SELECT Id, EventType, CreatedDate, LogDate, Interval, LogFile, Sequence FROM EventLogFile WHERE Interval = 'Hourly'"))).json;
    expect(shapeDiff(real, ours.records)).to.deep.equal([]);
    const rec = ours.records[0] as Record<string, unknown>;
    expect(rec.LogFile).to.equal(`/services/data/v67.0/sobjects/EventLogFile/${rec.Id as string}/LogFile`);
    expect(rec.LogDate).to.match(/^\d{4}-\d{2}-\d{2}T\d{2}:00:00\.000\+0000$/);
  });

  it('describes EventLogFile in the shape of the real describe', async () => {
    const real = readJson(set.apiResponse('elf-describe')) as { fields: Array<Record<string, unknown>> };
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

  it('serves an event log file given as CSV byte for byte', async () => {
    const file = set.path('event-log-files', LOGIN_CSV[set.name].file);
    const text = readFileSync(file, 'utf8');
    const scenario: Scenario = { org: { name: 'Samples', now: LOGIN_CSV[set.name].now }, eventLogFiles: [{ eventType: 'Login', dates: [LOGIN_CSV[set.name].date], csvFile: file }] };
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

  it('serves the loginIpRanges of each Profile file, and the label of each PermissionSet file, as the files have them', async () => {
    const ranges = (root: XmlElement): string[][] => elements(root, 'loginIpRanges').map((r) => elements(r).map((x) => `${x.name}=${textOf(x) ?? ''}`));
    const profiles = set.files('profiles').map((f) => {
      const root = parseXml(set.read('profiles', f)).root;
      const fullName = decodeURIComponent(f.replace(/\.profile-meta\.xml$/, ''));
      const spec = elements(root, 'loginIpRanges').map((r) => ({ start: childText(r, 'startAddress') ?? '', end: childText(r, 'endAddress') ?? '', ...(childText(r, 'description') ? { description: childText(r, 'description') } : {}) }));
      return { fullName, root, spec };
    });
    const withRanges = profiles.filter((p) => p.spec.length > 0);
    expect(withRanges, 'profile files with loginIpRanges').to.not.be.empty;
    const sets = set.files('permission-sets').map((f) => ({ name: f.replace(/\.permissionset-meta\.xml$/, ''), label: childText(parseXml(set.read('permission-sets', f)).root, 'label') ?? '' }));
    const c = await start({
      scenario: {
        org: { name: 'Samples' },
        profiles: withRanges.map((p) => ({ name: p.fullName, fullName: p.fullName, loginIpRanges: p.spec })),
        permissionSets: sets.map((ps) => ({ name: ps.name.replace(/^[a-z]+__/, ''), label: ps.label })),
      },
    });
    try {
      const r = await soap(c, `<met:readMetadata><met:type>Profile</met:type>${withRanges.map((p) => `<met:fullNames>${p.fullName}</met:fullNames>`).join('')}</met:readMetadata>`);
      const records = elements(firstElement(elements(firstElement(parseXml(r.body).root, 'Body'))[0], 'result'), 'records');
      expect(records.map((rec) => ranges(rec))).to.deep.equal(withRanges.map((p) => ranges(p.root)));
      const labels = (await getJson<{ records: Array<{ Label: string }> }>(c, q('SELECT Label FROM PermissionSet WHERE IsOwnedByProfile = false'))).json.records.map((x) => x.Label);
      expect(labels).to.include.members(sets.map((ps) => ps.label));
    } finally {
      await c.stop();
    }
  });

  it('reads back every parseable ConnectedApp file as it was, and survives an update of it', async function () {
    this.timeout(30_000);
    const files = set.files('connected-apps', (f) => f.endsWith('.connectedApp-meta.xml'));
    const apps: Array<{ name: string; file: string; root: XmlElement }> = [];
    const profiles = new Set<string>();
    const permissionSets = new Set<string>();
    const runAs = new Set<string>();
    for (const f of files) {
      if (f in set.malformedConnectedApps) continue;
      const root = parseXml(set.read('connected-apps', f)).root;
      childTexts(root, 'profileName').forEach((p) => profiles.add(p.trim()));
      childTexts(root, 'permissionSetName').forEach((p) => permissionSets.add(p.trim()));
      childTexts(firstElement(root, 'oauthConfig'), 'oauthClientCredentialUser').forEach((u) => runAs.add(u.trim()));
      apps.push({ name: `App_${String(apps.length).padStart(3, '0')}`, file: set.path('connected-apps', f), root });
    }
    expect(apps).to.have.length(files.length - Object.keys(set.malformedConnectedApps).length);
    profiles.delete('');
    permissionSets.delete('');
    const scenario: Scenario = {
      org: { name: 'Samples Org' },
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
