/*
 * What the evidence really shows, end to end through the org emulator (issue: honest "unused" and "uninstalled"):
 * OauthToken refused, LoginHistory refused, a free org whose ApiTotalUsage covers one day of a 7-day window, and a
 * SAML-only app.
 */
import { expect } from 'chai';
import { start } from '../emulator/index.js';
import { ensureBuilt, runCli, type CliRun } from './harness.js';
import { GROUP_SCENARIO } from './access-scenario.js';
import type { ConnectedAppAuditResult } from '../../src/commands/connectedapp/audit.js';

const auditOf = (run: CliRun): ConnectedAppAuditResult => run.json?.result as ConnectedAppAuditResult;
const appsOf = (run: CliRun, rule: string): Array<string | null> => auditOf(run).findings.filter((f) => f.ruleId.startsWith(rule)).map((f) => f.app);
const refusing = (object: string): { scenario: typeof GROUP_SCENARIO; faults: Array<{ soql: RegExp; kind: 'error'; errorCode: string; times: number }> } => ({
  scenario: GROUP_SCENARIO,
  faults: [{ soql: new RegExp(`FROM ${object}\\b`), kind: 'error', errorCode: 'INSUFFICIENT_ACCESS', times: -1 }],
});

describe('audit evidence: refused, partial and inapplicable sources (e2e through the org emulator)', function () {
  this.timeout(240_000);
  before(async () => {
    await ensureBuilt();
  });

  it('OauthToken refused: no app is called unused on LoginHistory alone; an uninstalled app seen in OAuth logins is still reported', async () => {
    // Baseline: with every source read, the unused OAuth apps of this org are found.
    const whole = await start({ scenario: GROUP_SCENARIO });
    try {
      const run = await runCli(['connectedapp', 'audit', '--rule', 'lifecycle'], { emulator: whole });
      expect(appsOf(run, 'CA402')).to.include('Group_Only');
      expect(appsOf(run, 'CA401')).to.deep.equal(['Shadow Tool']);
    } finally {
      await whole.stop();
    }
    const emulator = await start(refusing('OauthToken'));
    try {
      const run = await runCli(['connectedapp', 'audit', '--rule', 'lifecycle'], { emulator });
      expect(run.exitCode, run.stderr).to.equal(0);
      const r = auditOf(run);
      expect(r.coverage.find((c) => c.source === 'OauthToken')?.status).to.equal('no-permission');
      expect(appsOf(run, 'CA402')).to.deep.equal([]);
      const ca402 = r.notEvaluated.filter((n) => n.ruleId === 'CA402-unused-app' && n.missing.includes('tokens'));
      expect(ca402.reduce((sum, n) => sum + (n.apps ?? 0), 0)).to.be.greaterThan(0);
      expect(appsOf(run, 'CA401')).to.deep.equal(['Shadow Tool']);
      // Uninstalled apps that only their tokens would show were never seen: the rule says so rather than passing them.
      expect(r.notEvaluated).to.deep.include({ ruleId: 'CA401-uninstalled-app-in-use', reason: 'unseen-apps', missing: ['tokens'] });
      const human = await runCli(['connectedapp', 'audit', '--rule', 'CA401'], { emulator, json: false });
      expect(human.stdout.replace(/\s+/g, ' ')).to.match(/CA401-uninstalled-app-in-use: not evaluated, for apps not installed that only these sources would reveal, which were not read whole \(OAuth tokens\)/);
    } finally {
      await emulator.stop();
    }
  });

  it('an OauthToken aggregate that stops at 2,500 rows is caught by COUNT() and the tokens are read by user instead', async () => {
    const emulator = await start({
      scenario: {
        org: { name: 'Tokens', oauthTokenAggregates: 'capped', now: '2026-11-20T12:00:00Z' },
        users: Array.from({ length: 40 }, (_, i) => ({ username: `u${i}@tokens.example.com`, profile: 'System Administrator' })),
        connectedApps: [{ name: 'Busy' }, { name: 'Quiet' }],
        oauthTokens: [
          { app: 'Busy', count: 2800, users: Array.from({ length: 40 }, (_, i) => `u${i}@tokens.example.com`) },
          { app: 'Quiet', count: 300, users: ['u0@tokens.example.com'] },
        ],
      },
    });
    try {
      const run = await runCli(['connectedapp', 'usage', '--source', 'tokens'], { emulator });
      expect(run.exitCode, run.stderr).to.equal(0);
      const apps = (run.json?.result as { apps: Array<{ name: string; tokens?: { tokens: number } }> }).apps;
      // The capped aggregate alone says Busy 2,500 and no Quiet at all.
      expect(apps.map((a) => [a.name, a.tokens?.tokens])).to.deep.equal([
        ['Busy', 2800],
        ['Quiet', 300],
      ]);
      expect(run.requests.filter((r) => r.soql === 'SELECT COUNT() FROM OauthToken').length).to.be.greaterThan(0);
    } finally {
      await emulator.stop();
    }
  });

  it('OauthToken read without Customize Application: users not visible, so the tokens show use but never absence', async () => {
    const scenario = { ...GROUP_SCENARIO, org: { ...GROUP_SCENARIO.org, currentUser: 'alice@access.example.com' } };
    const emulator = await start({ scenario });
    try {
      const run = await runCli(['connectedapp', 'audit', '--rule', 'lifecycle'], { emulator });
      expect(run.exitCode, run.stderr).to.equal(0);
      const r = auditOf(run);
      const tokens = r.coverage.find((c) => c.source === 'OauthToken');
      expect([tokens?.status, tokens?.detail]).to.deep.equal(['partial', 'users not visible: without Customize Application only your own tokens can be read']);
      expect(appsOf(run, 'CA402')).to.deep.equal([]);
      expect(r.notEvaluated).to.deep.include({ ruleId: 'CA401-uninstalled-app-in-use', reason: 'unseen-apps', missing: ['tokens'] });
      const usage = await runCli(['connectedapp', 'usage', '--source', 'tokens'], { emulator });
      const source = (usage.json?.result as { sources: Array<{ source: string; status: string }> }).sources.find((s) => s.source === 'OauthToken');
      expect(source?.status).to.equal('partial');
    } finally {
      await emulator.stop();
    }
  });

  it('LoginHistory refused: CA402 is not evaluated (it needs the logins), never passed or fired', async () => {
    const emulator = await start(refusing('LoginHistory'));
    try {
      const run = await runCli(['connectedapp', 'audit', '--rule', 'CA402'], { emulator });
      expect(run.exitCode, run.stderr).to.equal(0);
      expect(appsOf(run, 'CA402')).to.deep.equal([]);
      const missing = auditOf(run).notEvaluated.filter((n) => n.ruleId === 'CA402-unused-app').flatMap((n) => n.missing);
      expect(missing).to.include('logins');
    } finally {
      await emulator.stop();
    }
  });

  it('a free org keeping ApiTotalUsage one day: a 7-day window is reported partial, with the days covered, above the findings', async () => {
    const emulator = await start({ scenario: 'demo' });
    try {
      const run = await runCli(['connectedapp', 'audit', '--event-log-days', '7', '--rule', 'lifecycle'], { emulator });
      expect(run.exitCode, run.stderr).to.equal(0);
      const elf = auditOf(run).coverage.find((c) => c.source === 'EventLogFile:ApiTotalUsage');
      expect(elf?.status).to.equal('partial');
      expect(elf?.detail).to.match(/covers [12] of the 7 day\(s\)/);
      const human = await runCli(['connectedapp', 'audit', '--event-log-days', '7', '--rule', 'lifecycle'], { emulator, json: false });
      const coverageAt = human.stdout.indexOf('EventLogFile:ApiTotalUsage: partly covered');
      expect(coverageAt, human.stdout).to.be.greaterThan(-1);
      expect(coverageAt).to.be.lessThan(human.stdout.indexOf('CA401'));
    } finally {
      await emulator.stop();
    }
  });

  it('a SAML-only app gets no OAuth finding, and CA402 says nothing read can show its use', async () => {
    const emulator = await start({ scenario: GROUP_SCENARIO });
    try {
      const run = await runCli(['connectedapp', 'audit'], { emulator });
      expect(run.exitCode, run.stderr).to.be.oneOf([0]);
      const r = auditOf(run);
      expect(r.findings.filter((f) => f.app === 'Saml_Only').map((f) => f.ruleId)).to.deep.equal([]);
      expect(r.notEvaluated.some((n) => n.ruleId === 'CA402-unused-app' && n.missing.includes('samlUse'))).to.be.true;
      // The OAuth apps of the same org are still audited (CA001: admin-approved, nobody assigned).
      expect(appsOf(run, 'CA001')).to.include('Nobody');
    } finally {
      await emulator.stop();
    }
  });
});
