/*
 * `connectedapp migrate` end to end: the compiled CLI over the project's fixtures into a temporary folder, then
 * the written files checked against the emulator's WSDL-derived type descriptions. No org is involved; the
 * emulator is started only because the harness runs every command beside one (and no request may reach it).
 */
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { expect } from 'chai';
import { readSourceApps } from '../../src/adapters/source-files.js';
import { start, type Emulator } from '../emulator/index.js';
import { missingRequired, readObject } from '../emulator/metadata-schema.js';
import { parseXml } from '../emulator/xml.js';
import { FIXTURES } from '../data-sets.js';
import { runCli } from './harness.js';
import type { ConnectedAppMigrateResult } from '../../src/commands/connectedapp/migrate.js';

const TYPE_OF_SUFFIX: Record<string, string> = {
  eca: 'ExternalClientApplication',
  ecaOauth: 'ExtlClntAppOauthSettings',
  ecaGlblOauth: 'ExtlClntAppGlobalOauthSettings',
  ecaOauthPlcy: 'ExtlClntAppOauthConfigurablePolicies',
  ecaPlcy: 'ExtlClntAppConfigurablePolicies',
};

function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  const queue = [dir];
  for (let d = queue.shift(); d !== undefined; d = queue.shift()) {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) queue.push(p);
      else out.push(relative(dir, p).split('\\').join('/'));
    }
  }
  return out.sort();
}

describe('connectedapp migrate (e2e)', function () {
  this.timeout(180_000);
  let emulator: Emulator;
  before(async () => {
    emulator = await start({ scenario: 'empty' });
  });
  after(async () => {
    await emulator.stop();
  });

  it('writes ECA files for every readable fixture, all valid by the WSDL, reports the unreadable ones with exit 68, and sends nothing to an org', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'ca-migrate-')), 'eca');
    const run = await runCli(['connectedapp', 'migrate', '--source-dir', FIXTURES.dir('connected-apps'), '--output-dir', out], { emulator, targetOrg: false });
    expect(run.exitCode, run.stderr).to.equal(68);
    expect(run.requests).to.deep.equal([]);
    const result = run.json?.result as ConnectedAppMigrateResult;
    expect(result.skipped.map((s) => s.file.split('/').pop())).to.have.members(Object.keys(FIXTURES.malformedConnectedApps));
    const written = filesUnder(out);
    expect(written).to.deep.equal([...result.apps.flatMap((a) => a.files)].sort());
    expect(result.totals.files).to.equal(written.length);
    for (const file of written) {
      const suffix = /\.(\w+)-meta\.xml$/.exec(file)?.[1] ?? '';
      const type = TYPE_OF_SUFFIX[suffix];
      expect(type, file).to.be.a('string');
      const root = parseXml(readFileSync(join(out, file), 'utf8')).root;
      expect(missingRequired(readObject(root, type), type), file).to.equal(undefined);
    }
    // Without --global-oauth-settings no global settings file, and no key or secret anywhere.
    expect(written.filter((f) => f.includes('ecaGlblOauth'))).to.deep.equal([]);
    expect(written.map((f) => readFileSync(join(out, f), 'utf8')).join('')).to.not.match(/consumerSecret|consumerKey/);
    const t = result.totals;
    expect(t.exact + t.changed + t.none).to.equal(result.apps.reduce((n, a) => n + a.items.length, 0));
  });

  it("passes the plugin's own source audit: every written app is read back whole, by its name, with no file it cannot read", async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'ca-migrate-')), 'eca');
    const migrated = await runCli(['connectedapp', 'migrate', '--source-dir', FIXTURES.dir('connected-apps'), '--output-dir', out, '--global-oauth-settings'], { emulator, targetOrg: false });
    const names = (migrated.json?.result as ConnectedAppMigrateResult).apps.map((a) => a.name).sort();
    expect(names.length).to.be.greaterThan(10);
    const audit = await runCli(['connectedapp', 'audit', '--source-dir', out], { emulator, targetOrg: false });
    const findings = (audit.json?.result as { findings: Array<{ ruleId: string; app: string | null; file: string | null }> }).findings;
    expect(findings.filter((f) => f.ruleId.startsWith('CA503')).map((f) => f.file)).to.deep.equal([]);
    // Every app the migration wrote reads back as one app under its own name, its header (named by its file name) with it.
    const read = await readSourceApps([out], process.cwd());
    expect(read.parseErrors).to.deep.equal([]);
    expect(read.apps.map((a) => a.fullName).sort()).to.deep.equal(names);
    expect(read.apps.filter((a) => a.partFiles?.eca === undefined).map((a) => a.fullName)).to.deep.equal([]);
    expect(read.apps.find((a) => a.fullName === names[0])?.policy.label).to.be.a('string').and.not.equal('');
    expect(findings.some((f) => f.ruleId.startsWith('CA506')), 'the global OAuth settings written with --global-oauth-settings').to.equal(true);
  });

  it("warns that a managed package's app (namespaced) cannot become an ECA of this org, and refuses a name with a trailing underscore", async () => {
    const src = mkdtempSync(join(tmpdir(), 'ca-migrate-src-'));
    const app = readFileSync(join(FIXTURES.dir('connected-apps'), readdirSync(FIXTURES.dir('connected-apps')).find((f) => f.startsWith('Build_Pipeline'))!), 'utf8');
    writeFileSync(join(src, 'dsfs__DocuSign_eSignature.connectedApp-meta.xml'), app);
    writeFileSync(join(src, 'Trailing_.connectedApp-meta.xml'), app);
    const run = await runCli(['connectedapp', 'migrate', '--source-dir', src, '--output-dir', join(src, 'out'), '--dry-run'], { emulator, targetOrg: false });
    expect(run.exitCode, run.stderr).to.equal(68);
    const warnings = (run.json?.warnings ?? []).map(String).join(' ');
    expect(warnings).to.include('dsfs__DocuSign_eSignature belongs to the namespace dsfs');
    expect(warnings).to.include('"Trailing_" cannot be an External Client App name');
  });

  it('refuses to overwrite: a second run into the same folder fails with the file names and changes nothing', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'ca-migrate-')), 'eca');
    const args = ['connectedapp', 'migrate', '--source-dir', FIXTURES.dir('connected-apps'), '--output-dir', out, '--name', 'Build_Pipeline', '--global-oauth-settings'];
    const first = await runCli(args, { emulator, targetOrg: false });
    expect(first.exitCode, first.stderr).to.equal(0);
    const files = filesUnder(out);
    expect(files).to.include('extlClntAppGlobalOauthSets/Build_Pipeline_glbloauth.ecaGlblOauth-meta.xml');
    const policyFile = join(out, 'extlClntAppOauthPolicies/Build_Pipeline_oauthPlcy.ecaOauthPlcy-meta.xml');
    writeFileSync(policyFile, 'edited by hand');
    const second = await runCli(args, { emulator, targetOrg: false });
    expect(second.exitCode).to.equal(1);
    expect(second.json?.name).to.equal('OutputExistsError');
    expect(second.json?.message).to.include('Build_Pipeline_oauthPlcy.ecaOauthPlcy-meta.xml');
    expect(readFileSync(policyFile, 'utf8')).to.equal('edited by hand');
    expect(filesUnder(out)).to.deep.equal(files);
  });

  it('--dry-run writes nothing; an unknown --name is a usage error with close matches', async () => {
    const src = mkdtempSync(join(tmpdir(), 'ca-migrate-src-'));
    cpSync(join(FIXTURES.dir('connected-apps'), 'Build_Pipeline.connectedApp-meta.xml'), join(src, 'Build_Pipeline.connectedApp-meta.xml'));
    const out = join(mkdtempSync(join(tmpdir(), 'ca-migrate-')), 'eca');
    const dry = await runCli(['connectedapp', 'migrate', '--source-dir', src, '--output-dir', out, '--dry-run'], { emulator, targetOrg: false });
    expect(dry.exitCode, dry.stderr).to.equal(0);
    expect((dry.json?.result as ConnectedAppMigrateResult).apps[0].files).to.have.length(4);
    expect(existsSync(out)).to.equal(false);
    const unknown = await runCli(['connectedapp', 'migrate', '--source-dir', src, '--output-dir', out, '--name', 'Build_Pipelin'], { emulator, targetOrg: false });
    expect(unknown.exitCode).to.equal(2);
    expect(unknown.json?.message).to.include('Build_Pipeline');
    expect(existsSync(out)).to.equal(false);
  });
});
