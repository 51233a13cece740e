/*
 * Pinned audit cases from ConnectedApp sample files, read the way the source inventory reads them: the
 * project's fixtures always, the real corpus (../shared/corpus) as well when present. Each set has its own
 * file for each shape; the fixtures mirror the corpus files they stand for, so the expected rules are the same.
 */
import { expect } from 'chai';
import { runAudit, type AuditResult } from '../../../src/domain/audit/engine.js';
import type { AuditApp, AuditInventory } from '../../../src/domain/audit/model.js';
import { fullNameFromFileName, readConnectedAppPolicy } from '../../../src/domain/policy/policy.js';
import { parseXml, XmlParseError } from '../../../src/domain/xml.js';
import { createReport } from '../../../src/renderers/audit/report.js';
import { renderSarif } from '../../../src/renderers/audit/sarif.js';
import { renderJunit } from '../../../src/renderers/audit/junit.js';
import { forEachDataSet, type DataSet, type SetName } from '../../data-sets.js';
import { sourceInventory } from './factory.js';
import { validateSarif } from './sarif-validator.js';

type Pins = {
  /** Pre-authorized with nobody assigned, client credentials with a run-as user, Full, never-expiring tokens; line of isAdminApproved. */
  clientCredentials: { file: string; line: number };
  /** BYPASS for an admin-approved public client without PKCE, app IP ranges, System Administrator, a localhost callback. */
  bypassPublicClient: string;
  /** Duplicate profileName entries; line of the first. */
  duplicates: { file: string; line: number };
  /** The whole set audits into more findings than this. */
  minFindings: number;
};

const PINS: Record<SetName, Pins> = {
  corpus: {
    clientCredentials: { file: 'Ahmed-Elawad__diff__Azure_Data_Factory.connectedApp-meta.xml', line: 10 },
    bypassPublicClient: 'AlainHofstetter__nextgen__BSI_Integration.connectedApp-meta.xml',
    duplicates: { file: 'AdityaKaushalPwC__tf-test2__CICD.connectedApp-meta.xml', line: 15 },
    minFindings: 50,
  },
  fixtures: {
    clientCredentials: { file: 'Warehouse_Sync.connectedApp-meta.xml', line: 9 },
    bypassPublicClient: 'Partner_Feed.connectedApp-meta.xml',
    duplicates: { file: 'Deploy_Bot.connectedApp-meta.xml', line: 15 },
    minFindings: 25,
  },
};

function inventoryOf(set: DataSet, files: string[]): AuditInventory {
  const apps: AuditApp[] = [];
  const parseErrors: AuditInventory['parseErrors'] = [];
  for (const file of files) {
    const path = `connected-apps/${file}`;
    const name = fullNameFromFileName(file) ?? file;
    try {
      const policy = readConnectedAppPolicy(parseXml(set.read('connected-apps', file)).root, { fullName: name });
      apps.push({ key: name, apiName: name, label: policy.label ?? name, id: null, installed: true, namespacePrefix: null, policy, file: path, holders: null, tokens: null, logins: null, apiCalls: null, runAsUser: null });
    } catch (error) {
      if (!(error instanceof XmlParseError)) throw error;
      parseErrors.push({ file: path, line: error.line, column: error.column, message: error.message });
    }
  }
  return sourceInventory(apps, { parseErrors });
}

const ruleCodes = (r: AuditResult, app: string): string[] => r.findings.filter((f) => f.app === app).map((f) => f.ruleId.slice(0, 5)).sort();

forEachDataSet('audit rules on ConnectedApp files', (set) => {
  const pins = PINS[set.name];

  it('pre-authorized with no assignment, client credentials, Full scope, never-expiring refresh tokens', function () {
    const { file, line } = pins.clientCredentials;
    const result = runAudit(inventoryOf(set, [file]));
    const app = fullNameFromFileName(file) ?? '';
    expect(ruleCodes(result, app)).to.deep.equal(['CA001', 'CA201', 'CA202', 'CA301', 'CA306']);
    const ca001 = result.findings.find((f) => f.ruleId.startsWith('CA001'));
    expect(ca001).to.deep.include({ severity: 'critical', file: `connected-apps/${file}`, line });
    // The client-credentials run-as user is named but cannot be checked from a file.
    expect(result.notEvaluated).to.deep.include({ ruleId: 'CA305-run-as-user-unusable', reason: 'missing-evidence', missing: ['users'], apps: 1 });
  });

  it('BYPASS (admin-approved, app IP ranges do not count), public client without PKCE, System Administrator', function () {
    const file = pins.bypassPublicClient;
    const result = runAudit(inventoryOf(set, [file]));
    const app = fullNameFromFileName(file) ?? '';
    expect(ruleCodes(result, app)).to.deep.equal(['CA004', 'CA102', 'CA301', 'CA303', 'CA306']);
    expect(result.findings.find((f) => f.ruleId.startsWith('CA102'))?.severity).to.equal('medium');
    // http://localhost callback is fine.
    expect(result.findings.some((f) => f.ruleId.startsWith('CA302'))).to.equal(false);
  });

  it('duplicate profileName entries', function () {
    const { file, line } = pins.duplicates;
    const result = runAudit(inventoryOf(set, [file]), { rules: ['CA501'] });
    expect(result.findings).to.have.length(1);
    expect(result.findings[0].evidence.duplicates).to.deep.equal(['System Administrator']);
    expect(result.findings[0].line).to.equal(line);
  });

  for (const [file, line] of Object.entries(set.malformedConnectedApps)) {
    it(`the malformed ${file} is a parse-error finding with its line (${line})`, function () {
      const result = runAudit(inventoryOf(set, [file]), { rules: ['CA503'] });
      expect(result.findings).to.have.length(1);
      expect(result.findings[0]).to.deep.include({ line, file: `connected-apps/${file}` });
    });
  }

  it('the whole set audits without errors, every app finding has file and line, SARIF and JUnit are valid', function () {
    const inv = inventoryOf(set, set.files('connected-apps', (f) => f.endsWith('.connectedApp-meta.xml')));
    const result = runAudit(inv);
    expect(result.findings.length).to.be.greaterThan(pins.minFindings);
    for (const f of result.findings) {
      expect(f.file, f.ruleId).to.be.a('string');
      expect(f.line, `${f.ruleId} ${f.app ?? ''}`).to.be.a('number').and.greaterThan(0);
    }
    const report = createReport(result, inv, { toolVersion: '0.1.0' });
    expect(validateSarif(JSON.parse(renderSarif(report)))).to.deep.equal([]);
    expect(() => parseXml(renderJunit(report))).to.not.throw();
    expect(new Set(result.findings.map((f) => f.fingerprint)).size).to.equal(result.findings.length);
  });
});
