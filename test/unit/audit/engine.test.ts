import { expect } from 'chai';
import {
  AuditError,
  RULES,
  applyBaseline,
  createBaseline,
  failsGate,
  fingerprint,
  parseBaseline,
  resolveRuleSelectors,
  runAudit,
  summarize,
} from '../../../src/domain/audit/engine.js';
import type { Finding } from '../../../src/domain/audit/model.js';
import { app, connectedAppXml, fileApp, holder, inventory, policy, policyFromXml, sourceInventory } from './factory.js';

function auditError(fn: () => unknown): AuditError {
  try {
    fn();
  } catch (error) {
    expect(error).to.be.instanceOf(AuditError);
    return error as AuditError;
  }
  return expect.fail('expected an AuditError');
}

/** Two apps with several findings of different severities. */
function busyInventory() {
  return inventory([
    app({ key: 'Zeta', holders: [], policy: policy({ scopes: ['Full', 'RefreshToken'], refreshTokenPolicy: 'infinite' }) }),
    app({ key: 'Alpha', policy: policy({ ipRelaxation: 'BYPASS', adminApproved: false, callbacks: ['http://a.example.com/cb'] }), holders: [] }),
  ], { adminProfiles: [{ name: 'Custom Admin', approveUninstalledConnectedApps: false }] });
}

describe('audit engine', () => {
  describe('rule metadata and selection', () => {
    it('exports every rule with a stable id shape, category and needs', () => {
      expect(RULES.length).to.be.greaterThanOrEqual(25);
      for (const r of RULES) {
        expect(r.id).to.match(/^CA\d{3}-[a-z0-9-]+$/);
        expect(r.id).to.equal(`${r.code}-${r.name}`);
        expect(r.needs.length + r.needsAnyOf.length).to.be.greaterThan(0);
      }
      expect(new Set(RULES.map((r) => r.code)).size).to.equal(RULES.length);
      expect(RULES.map((r) => r.id)).to.deep.equal([...RULES.map((r) => r.id)].sort());
    });
    it('selects by id, code, name or category, case-insensitively', () => {
      expect(resolveRuleSelectors(['CA001-preauth-no-assignment', 'ca101', 'FULL-SCOPE'])).to.deep.equal(['CA001-preauth-no-assignment', 'CA101-ip-bypass-self-authorize', 'CA301-full-scope']);
      expect(resolveRuleSelectors(['ip-relaxation'])).to.deep.equal(['CA101-ip-bypass-self-authorize', 'CA102-ip-bypass-uncompensated', 'CA103-ip-enforce-no-profile-ranges']);
    });
    it('rejects unknown rule ids with every unknown one and the valid ids', () => {
      const error = auditError(() => runAudit(busyInventory(), { rules: ['CA001', 'CA999', 'nope'] }));
      expect(error.code).to.equal('UnknownRule');
      expect(error.values).to.deep.equal(['CA999', 'nope']);
      expect(error.validValues).to.deep.equal(RULES.map((r) => r.id));
      expect(auditError(() => runAudit(busyInventory(), { excludeRules: ['CA000'] })).values).to.deep.equal(['CA000']);
    });
    it('runs only the selected rules minus the excluded ones', () => {
      const result = runAudit(busyInventory(), { rules: ['permitted-users', 'CA301'], excludeRules: ['CA004'] });
      expect(result.rules.map((r) => r.code)).to.deep.equal(['CA001', 'CA002', 'CA003', 'CA005', 'CA006', 'CA301']);
      expect(new Set(result.findings.map((f) => f.ruleId.slice(0, 5)))).to.deep.equal(new Set(['CA001', 'CA006', 'CA301']));
      expect(result.runs.map((r) => r.ruleId)).to.deep.equal(result.rules.map((r) => r.id));
    });
    it('filters apps by key, label or Id and drops org-wide findings then', () => {
      const all = runAudit(busyInventory());
      expect(all.findings.some((f) => f.app === null)).to.equal(true);
      const one = runAudit(busyInventory(), { apps: ['zeta'] });
      expect(new Set(one.findings.map((f) => f.app))).to.deep.equal(new Set(['Zeta']));
      expect(auditError(() => runAudit(busyInventory(), { apps: ['Nope'] })).code).to.equal('UnknownApp');
    });
  });

  describe('not evaluated', () => {
    it('lists rules whose evidence is missing, and source-mode rules that need an org', () => {
      const result = runAudit(sourceInventory([fileApp()]));
      const byId = new Map(result.notEvaluated.map((n) => [n.ruleId, n]));
      expect(byId.get('CA401-uninstalled-app-in-use')?.reason).to.equal('source-mode');
      expect(byId.get('CA103-ip-enforce-no-profile-ranges')).to.deep.equal({ ruleId: 'CA103-ip-enforce-no-profile-ranges', reason: 'missing-evidence', missing: ['ipRanges'] });
      expect(byId.has('CA001-preauth-no-assignment')).to.equal(false);
    });
    it('counts the apps a rule could not decide for, with the fields that were not stated', () => {
      const old = connectedAppXml({ adminApproved: null, clientCredentials: null }).replace(/<oauthPolicy>[\s\S]*<\/oauthPolicy>/, '');
      const result = runAudit(sourceInventory([fileApp(), { ...fileApp({ fullName: 'Old' }), policy: policyFromXml(old, 'Old') }]), { rules: ['CA001', 'CA101'] });
      expect(result.notEvaluated).to.deep.equal([
        { ruleId: 'CA001-preauth-no-assignment', reason: 'missing-evidence', missing: ['metadata'], apps: 1, fields: ['permittedUsers'] },
        { ruleId: 'CA101-ip-bypass-self-authorize', reason: 'missing-evidence', missing: ['metadata'], apps: 1, fields: ['ipRelaxation'] },
      ]);
      const run = result.runs[0];
      expect(run.targets.map((t) => [t.app, t.status])).to.deep.equal([['Test_App', 'evaluated'], ['Old', 'not-evaluated']]);
    });
    it('leaves apps known only from usage out of metadata rules', () => {
      const result = runAudit(inventory([app({ key: 'Ghost', installed: false, policy: null, holders: null })]), { rules: ['CA001', 'CA401'] });
      expect(result.runs[0].targets).to.deep.equal([]);
      expect(result.runs[1].targets).to.have.length(1);
      expect(result.notEvaluated).to.deep.equal([]);
    });
  });

  describe('findings', () => {
    it('are sorted by severity, then app (org-wide last), then rule', () => {
      const findings = runAudit(busyInventory()).findings;
      const order = findings.map((f) => [f.severity, f.app, f.ruleId.slice(0, 5)]);
      expect(order).to.deep.equal([
        ['critical', 'Zeta', 'CA001'],
        ['high', 'Alpha', 'CA101'],
        ['high', 'Alpha', 'CA302'],
        ['medium', 'Alpha', 'CA006'],
        ['medium', 'Zeta', 'CA201'],
        ['medium', 'Zeta', 'CA301'],
        ['medium', null, 'CA405'],
      ]);
    });
    it('carry the Id and, in source mode, file and line', () => {
      const f = runAudit(busyInventory()).findings[0];
      expect(f).to.include({ app: 'Zeta', appId: '0H4000000000001AAA', file: null, line: null });
    });
    it('have fingerprints that survive line changes but differ across apps, rules and keys', () => {
      const xml = connectedAppXml({ scopes: ['Full'] });
      const moved = xml.replace('<contactEmail>', '\n\n\n<description>moved</description>\n<contactEmail>');
      const a = runAudit(sourceInventory([{ ...fileApp(), policy: policyFromXml(xml) }]), { rules: ['CA301'] }).findings[0];
      const b = runAudit(sourceInventory([{ ...fileApp(), policy: policyFromXml(moved) }]), { rules: ['CA301'] }).findings[0];
      expect(a.line).to.not.equal(b.line);
      expect(a.fingerprint).to.equal(b.fingerprint).and.to.match(/^[0-9a-f]{32}$/);
      const other = runAudit(sourceInventory([{ ...fileApp({ fullName: 'Other' }), policy: policyFromXml(xml, 'Other') }]), { rules: ['CA301'] }).findings[0];
      expect(other.fingerprint).to.not.equal(a.fingerprint);
      expect(fingerprint('CA301-full-scope', 'X')).to.not.equal(fingerprint('CA302-insecure-callback-url', 'X'));
      expect(fingerprint('CA302-insecure-callback-url', 'X', 'http://a')).to.not.equal(fingerprint('CA302-insecure-callback-url', 'X', 'http://b'));
      expect(fingerprint('CA301-full-scope', 'X')).to.equal(fingerprint('CA301-full-scope', 'X'));
    });
    it('do not change with usage counts', () => {
      const a = runAudit(inventory([app({ holders: [holder('P', 'profile', 0)] })]), { rules: ['CA002'] }).findings[0];
      const b = runAudit(inventory([app({ holders: [holder('P', 'profile', 0)], tokens: null })]), { rules: ['CA002'] }).findings[0];
      expect(a.fingerprint).to.equal(b.fingerprint);
    });
  });

  describe('gate and summary', () => {
    const f = (severity: Finding['severity']): Finding => ({ ruleId: 'CA301-full-scope', severity, app: 'A', appId: null, file: null, line: null, evidence: {}, fingerprint: severity });
    it('fails at or above the threshold', () => {
      expect(failsGate([f('medium')], 'medium')).to.equal(true);
      expect(failsGate([f('medium')], 'high')).to.equal(false);
      expect(failsGate([f('critical')], 'info')).to.equal(true);
      expect(failsGate([f('info')], 'low')).to.equal(false);
      expect(failsGate([], 'info')).to.equal(false);
    });
    it('counts by severity', () => {
      expect(summarize([f('high'), f('high'), f('info')])).to.deep.equal({ total: 3, critical: 0, high: 2, medium: 0, low: 0, info: 1 });
    });
  });

  describe('baseline', () => {
    it('round-trips through JSON and suppresses known findings only', () => {
      const first = runAudit(busyInventory()).findings;
      const baseline = parseBaseline(JSON.stringify(createBaseline(first.slice(0, 3)), null, 2));
      expect(baseline.version).to.equal(1);
      expect(baseline.findings[0]).to.have.keys(['fingerprint', 'ruleId', 'app']);
      const { kept, suppressed, absent } = applyBaseline(first, baseline);
      expect(suppressed).to.deep.equal(first.slice(0, 3));
      expect(kept).to.deep.equal(first.slice(3));
      expect(absent).to.deep.equal([]);
      expect(applyBaseline(first.slice(1), baseline).absent.map((e) => e.fingerprint)).to.deep.equal([first[0].fingerprint]);
    });
    it('is deterministic and deduplicated', () => {
      const findings = runAudit(busyInventory()).findings;
      expect(createBaseline([...findings].reverse())).to.deep.equal(createBaseline([...findings, ...findings]));
    });
    it('rejects bad input with a typed error', () => {
      const reason = (text: string): string | undefined => auditError(() => parseBaseline(text)).reason;
      expect(reason('not json')).to.equal('not-json');
      expect(reason('[]')).to.equal('not-an-object');
      expect(reason('{"version":2,"findings":[]}')).to.equal('unsupported-version');
      expect(reason('{"version":1}')).to.equal('missing-findings');
      expect(reason('{"version":1,"findings":[{"fingerprint":"XYZ"}]}')).to.equal('bad-entry');
      expect(parseBaseline('\uFEFF{"version":1,"findings":[{"fingerprint":"0123456789abcdef"}]}').findings).to.deep.equal([{ fingerprint: '0123456789abcdef', ruleId: '', app: null }]);
    });
  });
});
