/*
 * Report outputs through the CLI against the org emulator: several formats from one run into an evidence
 * archive, flag combinations refused before the org is read, the register (init, then audit --register) and
 * the benchmark summary.
 */
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { start, type Emulator } from '../emulator/index.js';
import { demoScenario, PINNED_NOW } from '../emulator/test-helpers.js';
import { ensureBuilt, runCli } from './harness.js';
import type { ConnectedAppAuditResult } from '../../src/commands/connectedapp/audit.js';
import type { ConnectedAppRegisterInitResult } from '../../src/commands/connectedapp/register/init.js';

const DEMO_WINDOW = ['--start-date', '2026-11-13', '--end-date', '2026-11-19'];
const DEMO_ECAS = ['Agent_Gateway', 'Partner_Quoting', 'Slack_Workflows', 'Snowflake_Connector', 'Tableau_Next'];

describe('report outputs, register and benchmark (e2e through the org emulator)', function () {
  this.timeout(240_000);
  let demo: Emulator;
  before(async () => {
    await ensureBuilt();
    // The demo's dates are relative to its clock: pinned, with Event Monitoring, so DEMO_WINDOW holds a week of files.
    demo = await start({ scenario: demoScenario({ now: PINNED_NOW, features: { eventMonitoring: true } }) });
  });
  after(async () => {
    await demo.stop();
  });

  it('writes several formats from one audit into --output-dir, named by org Id and one time stamp', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'ca-archive-')), 'evidence');
    const run = await runCli(['connectedapp', 'audit', '-r', 'html', '-r', 'sarif', '-r', 'markdown', '-r', 'html', '--output-dir', dir], { emulator: demo });
    expect(run.exitCode, run.stderr).to.equal(0);
    const files = readdirSync(dir).sort();
    expect(files).to.have.length(3);
    const orgId = demo.accessToken.split('!')[0];
    for (const f of files) expect(f).to.match(new RegExp(`^connectedapp-audit-${orgId}-\\d{8}T\\d{6}Z\\.(html|md|sarif)$`));
    expect(new Set(files.map((f) => f.replace(/\.\w+$/, '')))).to.have.property('size', 1);
    for (const f of files) {
      const text = readFileSync(join(dir, f), 'utf8');
      expect(text, f).to.include('Partner_Portal');
      expect(text, f).to.not.include(demo.accessToken);
    }
    expect(readFileSync(join(dir, files.find((f) => f.endsWith('.sarif')) ?? ''), 'utf8')).to.include('"SBS-OAUTH-001"');
  });

  it('refuses --output-file with several formats, and several formats without a destination, before reading the org', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'ca-out-')), 'x');
    const one = await runCli(['connectedapp', 'audit', '-r', 'html', '-r', 'csv', '--output-file', file], { emulator: demo });
    expect(one.exitCode).to.equal(2);
    expect(one.json?.name).to.equal('OutputFileOneFormatError');
    expect(one.json?.actions?.join(' ')).to.include('--output-dir');
    const none = await runCli(['connectedapp', 'usage', '-r', 'csv', '-r', 'ndjson', ...DEMO_WINDOW], { emulator: demo });
    expect(none.exitCode).to.equal(2);
    expect(none.json?.name).to.equal('FormatsNeedOutputDirError');
    const human = await runCli(['connectedapp', 'list', '--output-file', file], { emulator: demo });
    expect(human.exitCode).to.equal(2);
    expect(human.json?.name).to.equal('OutputNeedsFormatError');
    for (const run of [one, none, human]) expect(run.requests.filter((r) => r.soapOperation === 'readMetadata' || /ConnectedApplication|EventLogFile/.test(r.soql ?? ''))).to.deep.equal([]);
  });

  it('refuses an --output-dir that cannot be created or written before reading the org, as a failed write (exit 1)', async () => {
    const aFile = join(mkdtempSync(join(tmpdir(), 'ca-out-')), 'a-file');
    writeFileSync(aFile, 'not a directory');
    const runs = [
      await runCli(['connectedapp', 'audit', '-r', 'html', '--output-dir', aFile], { emulator: demo }),
      await runCli(['connectedapp', 'usage', '-r', 'csv', '--output-dir', join(aFile, 'below'), ...DEMO_WINDOW], { emulator: demo }),
      await runCli(['connectedapp', 'list', '-r', 'csv', '-r', 'html', '--output-dir', aFile], { emulator: demo }),
    ];
    for (const run of runs) {
      expect(run.exitCode, run.stdout).to.equal(1);
      expect(run.json?.name).to.equal('OutputDirError');
      expect(run.json?.message).to.include(aFile);
      expect(run.requests.filter((r) => r.soapOperation === 'readMetadata' || /ConnectedApplication|EventLogFile|OauthToken/.test(r.soql ?? ''))).to.deep.equal([]);
    }
    expect(readFileSync(aFile, 'utf8')).to.equal('not a directory');
  });

  it('keeps usage reports beside the raw event log files in --output-dir', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ca-usage-archive-'));
    const run = await runCli(['connectedapp', 'usage', '-r', 'csv', '-r', 'ndjson', '-r', 'html', '--output-dir', dir, ...DEMO_WINDOW], { emulator: demo });
    expect(run.exitCode, run.stderr).to.equal(0);
    const files = readdirSync(dir);
    expect(files.filter((f) => f.startsWith('ApiTotalUsage_')).length).to.be.greaterThan(0);
    expect(files.filter((f) => f.startsWith('connectedapp-usage-')).map((f) => f.split('.').pop()).sort()).to.deep.equal(['csv', 'html', 'ndjson']);
    const html = readFileSync(join(dir, files.find((f) => f.endsWith('.html')) ?? ''), 'utf8');
    expect(html).to.include('Zapier');
    expect(html).to.match(/<rect class="bar"/);
  });

  it('prints the human report with why and fix for every finding, --concise one line each, --benchmark the controls', async () => {
    const normal = await runCli(['connectedapp', 'audit', '--benchmark', 'sbs'], { emulator: demo, json: false });
    expect(normal.exitCode, normal.stderr).to.equal(0);
    const out = normal.stdout;
    for (const rule of ['CA203', 'CA301', 'CA302', 'CA303', 'CA401', 'CA403', 'CA404', 'CA405']) {
      if (!out.includes(`${rule}-`)) continue;
      const section = out.slice(out.indexOf(`${rule}-`)).split('\n\n')[0];
      expect(section, rule).to.match(/\n {2}Why: /);
      expect(section, rule).to.match(/\n {2}Fix: /);
    }
    expect(out).to.match(/CA401-uninstalled-app-in-use[^\n]*\[SBS-OAUTH-001\]/);
    expect(out).to.include('Salesforce Security Benchmark');
    expect(out).to.match(/SBS-OAUTH-001\s.*fail/);
    expect(Math.max(...out.split('\n').map((l) => l.length))).to.be.at.most(120);
    const concise = await runCli(['connectedapp', 'audit', '--concise'], { emulator: demo, json: false });
    expect(concise.stdout).to.not.include('Why:');
    expect(concise.stdout.split('\n').length).to.be.lessThan(out.split('\n').length);
    expect(concise.stdout).to.match(/CA401-uninstalled-app-in-use {2}Not installed/);
  });

  it('fits the usage report in 120 columns: per-app details, sources and limits wrap as the tables do', async () => {
    for (const groupBy of ['app', 'user', 'ip']) {
      const run = await runCli(['connectedapp', 'usage', '--group-by', groupBy, ...DEMO_WINDOW], { emulator: demo, json: false });
      expect(run.exitCode, run.stderr).to.equal(0);
      const lines = run.stdout.split('\n');
      expect(lines.filter((l) => l.length > 120), groupBy).to.deep.equal([]);
      if (groupBy === 'app') {
        // Wrapped, not cut: a continuation line is indented, and nothing is lost.
        expect(run.stdout).to.match(/\nAPI resources: [^\n]+\n {2}\S/);
        expect(run.stdout).to.match(/\n {2}LoginHistory: Names the app by its name only/);
      }
    }
  });

  it('register init writes the org’s apps; audit --register reports what the register lacks or gets wrong', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ca-register-'));
    const file = join(dir, 'register.yaml');
    const init = await runCli(['connectedapp', 'register', 'init', '--output-file', file], { emulator: demo });
    expect(init.exitCode, init.stderr).to.equal(0);
    const written = init.json?.result as ConnectedAppRegisterInitResult;
    // Connected apps and External Client Apps alike: the audit checks both against the register.
    expect(written.apps).to.have.length(demo.org.table('ConnectedApplication').length + DEMO_ECAS.length);
    expect(written.apps.map((a) => a.app)).to.include.members(DEMO_ECAS);
    // Straight after init, no app is missing from the register: each entry is only incomplete.
    const fresh = await runCli(['connectedapp', 'audit', '--register', file, '--rule', 'register'], { emulator: demo });
    expect(fresh.exitCode, fresh.stderr).to.equal(0);
    const freshFindings = (fresh.json?.result as ConnectedAppAuditResult).findings.filter((f) => f.ruleId.startsWith('CA601'));
    expect(freshFindings.filter((f) => f.evidence.condition !== 'incomplete').map((f) => f.app)).to.deep.equal([]);
    expect(freshFindings).to.have.length(written.apps.length);
    const again = await runCli(['connectedapp', 'register', 'init', '--output-file', file], { emulator: demo });
    expect(again.exitCode).to.equal(1);
    expect(again.json?.name).to.equal('ExistsError');

    // Complete two entries, drop one app, add one the org does not have.
    const register = {
      version: 1,
      apps: [
        ...written.apps
          .filter((a) => a.app !== 'Jenkins_CI')
          .map((a) => (a.app === 'Partner_Portal' || a.app === 'Workato' ? { app: a.app, id: a.id, owner: 'Integration team', criticality: a.app === 'Workato' ? 'high' : 'low', justification: 'x', nextReview: '2026-01-01' } : { app: a.app, id: a.id })),
        { app: 'Retired_Tool', owner: 'Ops', criticality: 'low', nextReview: '2099-01-01' },
      ],
    };
    const json = join(dir, 'register.json');
    writeFileSync(json, JSON.stringify(register));
    const run = await runCli(['connectedapp', 'audit', '--register', json, '--rule', 'register', '--benchmark', 'sbs'], { emulator: demo });
    expect(run.exitCode, run.stderr).to.equal(0);
    const result = run.json?.result as ConnectedAppAuditResult;
    const by = (code: string): Array<string | null> => result.findings.filter((f) => f.ruleId.startsWith(code)).map((f) => f.app);
    expect(by('CA601')).to.include('Jenkins_CI');
    expect(result.findings.find((f) => f.ruleId.startsWith('CA601') && f.app === 'Boomi_Integration')?.evidence.missingFields).to.deep.equal(['owner', 'criticality']);
    expect(by('CA602')).to.deep.equal(['Retired_Tool']);
    expect(by('CA603')).to.include.members(['Partner_Portal', 'Workato']);
    expect(by('CA604')).to.deep.equal(['Workato']);
    expect(result.findings.find((f) => f.ruleId.startsWith('CA601'))?.controls).to.deep.equal(['SBS-OAUTH-003']);
    expect(result.benchmark?.find((c) => c.control === 'SBS-OAUTH-003')).to.include({ status: 'fail' });

    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, 'apps:\n  - app: A\n    criticality: urgent\n');
    // A register that is not there or not valid is wrong usage (exit 2), found before the org is read.
    const invalid = await runCli(['connectedapp', 'audit', '--register', bad], { emulator: demo });
    expect(invalid.exitCode).to.equal(2);
    expect(invalid.json?.name).to.equal('InvalidRegisterError');
    expect(invalid.json?.message).to.include('$.apps[0].criticality');
    const missing = await runCli(['connectedapp', 'audit', '--register', join(dir, 'no-such-register.yaml')], { emulator: demo });
    expect(missing.exitCode).to.equal(2);
    expect(missing.json?.name).to.equal('RegisterUnreadableError');
    expect(missing.json?.actions?.join(' ')).to.include('register init');
    for (const run of [invalid, missing]) expect(run.requests.filter((r) => r.soapOperation === 'readMetadata' || /ConnectedApplication/.test(r.soql ?? ''))).to.deep.equal([]);
  });
});
