import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { readRegisterFile, RegisterFileError, writeRegisterDraft } from '../../../src/adapters/register-file.js';
import { runAudit } from '../../../src/domain/audit/engine.js';
import { evaluateBenchmark } from '../../../src/domain/audit/benchmark.js';
import { parseRegisterData, RegisterError, registerEntryFor, withRegister, type AppRegister } from '../../../src/domain/audit/register.js';
import { REPO_ROOT } from '../../e2e/harness.js';
import { app, inventory, NOW } from '../audit/factory.js';

const dir = mkdtempSync(join(tmpdir(), 'ca-register-'));
const file = (name: string, text: string): string => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};
const problems = (fn: () => unknown): string[] => {
  try {
    fn();
  } catch (error) {
    if (error instanceof RegisterError) return error.problems.map((p) => `${p.path}: ${p.problem}`);
    throw error;
  }
  return [];
};

describe('register', () => {
  it('reads a complete entry and matches apps by Id, then by API name or label', () => {
    const register = parseRegisterData({
      version: 1,
      apps: [
        { app: 'Jenkins_CI', owner: 'Platform team', criticality: 'High', justification: 'CI deploys', nextReview: '2026-06-01', dueDiligence: { reviewed: '2026-01-10', documents: ['SOC 2'], missing: [] } },
        { app: 'Renamed label', id: '0H4000000000001', owner: 'Ops', criticality: 'low' },
      ],
    });
    expect(register.apps[0]).to.deep.include({ criticality: 'high', nextReview: '2026-06-01' });
    expect(registerEntryFor(register, { id: null, key: 'Jenkins_CI', apiName: 'Jenkins_CI', label: 'Jenkins CI' })?.app).to.equal('Jenkins_CI');
    expect(registerEntryFor(register, { id: '0H4000000000001AAA', key: 'X', apiName: 'X', label: 'Y' })?.app).to.equal('Renamed label');
    expect(registerEntryFor(register, { id: null, key: 'jenkins ci', apiName: null, label: 'jenkins ci' })?.app).to.equal('Jenkins_CI');
    expect(registerEntryFor(register, { id: null, key: 'Other', apiName: 'Other', label: 'Other' })).to.equal(undefined);
  });

  it('lists every problem with its path and changes nothing', () => {
    expect(problems(() => parseRegisterData([]))).to.deep.equal(['$: not-object']);
    expect(problems(() => parseRegisterData({ apps: 'x' }))).to.deep.equal(['$.apps: missing']);
    expect(
      problems(() =>
        parseRegisterData({
          version: 2,
          extra: 1,
          apps: [{ owner: 'x' }, { app: 'A', criticality: 'urgent', nextReview: '2026-02-30', dueDiligence: { documents: 'SOC 2', when: 1 } }, { app: 'a', owner: 3 }],
        })
      )
    ).to.deep.equal([
      '$.extra: unknown-key',
      '$.version: bad-value',
      '$.apps[0].app: missing',
      '$.apps[1].criticality: bad-value',
      '$.apps[1].dueDiligence.when: unknown-key',
      '$.apps[1].dueDiligence.documents: not-string-array',
      '$.apps[1].nextReview: bad-date',
      '$.apps[2].app: duplicate',
      '$.apps[2].owner: not-string',
    ]);
  });

  it('reads YAML in the core schema: no custom tags, no alias bombs, no duplicate keys', async () => {
    const ok = await readRegisterFile(file('ok.yaml', 'version: 1\napps:\n  - app: Jenkins_CI\n    owner: Platform\n    criticality: medium\n    nextReview: 2026-06-01\n'));
    expect(ok.apps[0]).to.deep.include({ app: 'Jenkins_CI', nextReview: '2026-06-01' });
    const tag = file('tag.yaml', 'apps:\n  - app: !!js/function "function () { return 1 }"\n');
    await readRegisterFile(tag).then(
      () => expect.fail('a custom tag was accepted'),
      (e: unknown) => expect(e).to.be.instanceOf(RegisterError)
    );
    const bomb = ['a: &a ["x","x","x","x","x","x","x","x","x","x"]'];
    for (let i = 0; i < 8; i++) bomb.push(`${'bcdefghi'[i]}: &${'bcdefghi'[i]} [${Array(10).fill(`*${i === 0 ? 'a' : 'bcdefghi'[i - 1]}`).join(',')}]`);
    bomb.push('apps: []');
    await readRegisterFile(file('bomb.yaml', bomb.join('\n'))).then(
      () => expect.fail('an alias bomb was expanded'),
      (e: unknown) => expect(String(e)).to.match(/alias|resource/i)
    );
    await readRegisterFile(file('dup.yaml', 'apps: []\napps: []\n')).then(
      () => expect.fail('duplicate keys were accepted'),
      (e: unknown) => expect((e as RegisterError).problems[0].detail).to.match(/line 2/)
    );
    await readRegisterFile(file('bad.json', '{ "apps": [ }')).then(
      () => expect.fail('bad JSON was accepted'),
      (e: unknown) => expect((e as RegisterError).problems[0].problem).to.equal('not-parsable')
    );
    await readRegisterFile(join(dir, 'missing.yaml')).then(
      () => expect.fail('a missing file was read'),
      (e: unknown) => expect(e).to.be.instanceOf(RegisterFileError)
    );
  });

  it('writes a draft (YAML with what to fill in, or JSON) that reads back, and never overwrites without force', async () => {
    const apps = [{ app: 'Jenkins_CI', label: 'Jenkins CI', id: '0H4000000000001AAA' }];
    const yamlPath = join(dir, 'draft.yaml');
    expect(await writeRegisterDraft(yamlPath, apps, 'Fill in owner.', false)).to.equal('yaml');
    const yamlText = readFileSync(yamlPath, 'utf8');
    expect(yamlText).to.match(/^# Fill in owner\./);
    expect((await readRegisterFile(yamlPath)).apps[0]).to.deep.include({ app: 'Jenkins_CI', id: '0H4000000000001AAA', owner: null, criticality: null });
    await writeRegisterDraft(yamlPath, [], 'x', false).then(
      () => expect.fail('overwrote'),
      (e: unknown) => expect((e as RegisterFileError).reason).to.match(/EEXIST/)
    );
    expect(readFileSync(yamlPath, 'utf8')).to.equal(yamlText);
    const jsonPath = join(dir, 'draft.json');
    expect(await writeRegisterDraft(jsonPath, apps, 'x', false)).to.equal('json');
    expect((await readRegisterFile(jsonPath)).apps).to.have.length(1);
  });

  it('agrees with its JSON schema on the keys an entry may have', () => {
    const schema = JSON.parse(readFileSync(join(REPO_ROOT, 'schemas', 'file-connectedapp-register.json'), 'utf8')) as {
      properties: { apps: { items: { properties: Record<string, { properties?: Record<string, unknown> }> } } };
    };
    const entryKeys = Object.keys(schema.properties.apps.items.properties);
    const entry = Object.fromEntries(entryKeys.map((k) => [k, k === 'app' ? 'A' : k === 'dueDiligence' ? { reviewed: null, documents: [], missing: [] } : null]));
    expect(() => parseRegisterData({ apps: [entry] })).to.not.throw();
    expect(Object.keys(schema.properties.apps.items.properties.dueDiligence.properties ?? {})).to.deep.equal(['reviewed', 'documents', 'missing']);
  });

  describe('rules', () => {
    const register: AppRegister = parseRegisterData({
      apps: [
        { app: 'Registered', owner: 'Ops', criticality: 'critical', nextReview: '2026-01-15' },
        { app: 'Half', criticality: 'low', nextReview: '2027-01-01' },
        { app: 'Gone_App', owner: 'Ops', criticality: 'low', nextReview: '2027-01-01' },
        { app: 'Vendor', owner: 'Ops', criticality: 'high', nextReview: '2027-01-01', dueDiligence: { reviewed: '2026-01-01', documents: ['Trust center'], missing: ['SOC 2'] } },
      ],
    });
    const inv = inventory([app({ key: 'Registered' }), app({ key: 'Half' }), app({ key: 'Unlisted' }), app({ key: 'Vendor' }), app({ key: 'Ghost_Tool', installed: false, id: null, policy: null })]);

    it('finds unregistered and incomplete apps, entries the org lacks, overdue reviews and missing due diligence', () => {
      const result = runAudit(withRegister(inv, register), { rules: ['register'] });
      const found = result.findings.map((f) => `${f.ruleId.slice(0, 5)} ${f.app ?? ''} ${String(f.evidence.condition ?? '')}`.trim()).sort();
      expect(found).to.deep.equal(['CA601 Half incomplete', 'CA601 Unlisted missing', 'CA602 Gone_App', 'CA603 Registered overdue', 'CA604 Registered']);
      expect(result.notEvaluated).to.deep.equal([]);
      expect(NOW.startsWith('2026-03-01')).to.be.true;
      const overdue = result.findings.find((f) => f.ruleId.startsWith('CA603'));
      expect(overdue?.evidence.daysOverdue).to.equal(45);
      const controls = evaluateBenchmark(result);
      expect(controls.find((c) => c.control === 'SBS-OAUTH-003')?.status).to.equal('fail');
      expect(controls.find((c) => c.control === 'SBS-OAUTH-004')?.status).to.equal('fail');
    });

    it('is not evaluated without a register, so SBS-OAUTH-003 is not called passed', () => {
      const result = runAudit(inv, { rules: ['register'] });
      expect(result.findings).to.deep.equal([]);
      expect(result.notEvaluated.map((n) => [n.ruleId.slice(0, 5), n.missing])).to.deep.equal([
        ['CA601', ['register']],
        ['CA602', ['register']],
        ['CA603', ['register']],
        ['CA604', ['register']],
      ]);
      expect(evaluateBenchmark(result).find((c) => c.control === 'SBS-OAUTH-003')?.status).to.equal('not-evaluated');
    });

    it('passes SBS-OAUTH-003 when every app is registered and reviewed', () => {
      const clean = parseRegisterData({ apps: [{ app: 'Only', owner: 'Ops', criticality: 'low', nextReview: '2027-01-01' }] });
      const result = runAudit(withRegister(inventory([app({ key: 'Only' })]), clean), { rules: ['register'] });
      expect(result.findings).to.deep.equal([]);
      expect(evaluateBenchmark(result).find((c) => c.control === 'SBS-OAUTH-003')?.status).to.equal('pass');
    });
  });
});
