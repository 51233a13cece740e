/*
 * Pinned cases from real ConnectedApp files (../shared/corpus/connected-apps), read the way the source
 * inventory reads them. Skipped when the corpus is absent.
 */
import { expect } from 'chai';
import { runAudit, type AuditResult } from '../../../src/domain/audit/engine.js';
import type { AuditApp, AuditInventory } from '../../../src/domain/audit/model.js';
import { fullNameFromFileName, readConnectedAppPolicy } from '../../../src/domain/policy.js';
import { parseXml, XmlParseError } from '../../../src/domain/xml.js';
import { createReport } from '../../../src/renderers/audit/report.js';
import { renderSarif } from '../../../src/renderers/audit/sarif.js';
import { renderJunit } from '../../../src/renderers/audit/junit.js';
import { CONNECTED_APPS_DIR, MALFORMED_FILE, corpusFiles, readCorpusText, skipWithoutCorpus } from '../domain/corpus.js';
import { sourceInventory } from './factory.js';
import { validateSarif } from './sarif-validator.js';

function corpusInventory(files: string[]): AuditInventory {
  const apps: AuditApp[] = [];
  const parseErrors: AuditInventory['parseErrors'] = [];
  for (const file of files) {
    const path = `connected-apps/${file}`;
    const name = fullNameFromFileName(file) ?? file;
    try {
      const policy = readConnectedAppPolicy(parseXml(readCorpusText(CONNECTED_APPS_DIR, file)).root, { fullName: name });
      apps.push({ key: name, apiName: name, label: policy.label ?? name, id: null, installed: true, namespacePrefix: null, policy, file: path, holders: null, tokens: null, logins: null, apiCalls: null, runAsUser: null });
    } catch (error) {
      if (!(error instanceof XmlParseError)) throw error;
      parseErrors.push({ file: path, line: error.line, column: error.column, message: error.message });
    }
  }
  return sourceInventory(apps, { parseErrors });
}

const ruleCodes = (r: AuditResult, app: string): string[] => r.findings.filter((f) => f.app === app).map((f) => f.ruleId.slice(0, 5)).sort();

describe('audit rules on the real corpus', function () {
  before(skipWithoutCorpus);

  it('Azure Data Factory: pre-authorized with no assignment, Full scope, never-expiring refresh tokens', function () {
    const file = 'Ahmed-Elawad__diff__Azure_Data_Factory.connectedApp-meta.xml';
    const result = runAudit(corpusInventory([file]));
    const app = fullNameFromFileName(file) ?? '';
    expect(ruleCodes(result, app)).to.deep.equal(['CA001', 'CA201', 'CA202', 'CA301', 'CA306']);
    const ca001 = result.findings.find((f) => f.ruleId.startsWith('CA001'));
    expect(ca001).to.deep.include({ severity: 'critical', file: `connected-apps/${file}`, line: 10 });
    // The client-credentials run-as user is named but cannot be checked from a file.
    expect(result.notEvaluated).to.deep.include({ ruleId: 'CA305-run-as-user-unusable', reason: 'missing-evidence', missing: ['users'], apps: 1 });
  });

  it('BSI Integration: BYPASS (admin-approved, app IP ranges do not count), public client without PKCE, System Administrator', function () {
    const file = 'AlainHofstetter__nextgen__BSI_Integration.connectedApp-meta.xml';
    const result = runAudit(corpusInventory([file]));
    const app = fullNameFromFileName(file) ?? '';
    expect(ruleCodes(result, app)).to.deep.equal(['CA004', 'CA102', 'CA301', 'CA303', 'CA306']);
    expect(result.findings.find((f) => f.ruleId.startsWith('CA102'))?.severity).to.equal('medium');
    // http://localhost callback is fine.
    expect(result.findings.some((f) => f.ruleId.startsWith('CA302'))).to.equal(false);
  });

  it('CICD: duplicate profileName entries', function () {
    const file = 'AdityaKaushalPwC__tf-test2__CICD.connectedApp-meta.xml';
    const result = runAudit(corpusInventory([file]), { rules: ['CA501'] });
    expect(result.findings).to.have.length(1);
    expect(result.findings[0].evidence.duplicates).to.deep.equal(['System Administrator']);
    expect(result.findings[0].line).to.equal(15);
  });

  it('the malformed file is a parse-error finding with its line', function () {
    const result = runAudit(corpusInventory([MALFORMED_FILE]), { rules: ['CA503'] });
    expect(result.findings).to.have.length(1);
    expect(result.findings[0]).to.deep.include({ line: 29, file: `connected-apps/${MALFORMED_FILE}` });
  });

  it('the whole corpus audits without errors, every app finding has file and line, SARIF and JUnit are valid', function () {
    const inv = corpusInventory(corpusFiles(CONNECTED_APPS_DIR).filter((f) => f.endsWith('.connectedApp-meta.xml')));
    const result = runAudit(inv);
    expect(result.findings.length).to.be.greaterThan(50);
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
