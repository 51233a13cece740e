import { expect } from 'chai';
import { runAudit } from '../../../src/domain/audit/engine.js';
import type { AuditInventory } from '../../../src/domain/audit/model.js';
import { CSV_COLUMNS, csvField, renderCsv } from '../../../src/renderers/audit/csv.js';
import { renderJunit } from '../../../src/renderers/audit/junit.js';
import { codeSpan, escapeMarkdown, renderMarkdown } from '../../../src/renderers/audit/markdown.js';
import { createReport, type AuditReport } from '../../../src/renderers/audit/report.js';
import { findingMessage } from '../../../src/renderers/audit/rule-docs.js';
import { FINGERPRINT_KEY, pathToUri, renderSarif, sarifUri } from '../../../src/renderers/audit/sarif.js';
import { elements, parseXml, type XmlElement } from '../../../src/domain/xml.js';
import { app, fileApp, inventory, policy, sourceInventory } from './factory.js';
import { validateSarif } from './sarif-validator.js';
import { HOSTILE, UNSAFE_FOR_TERMINAL } from '../hostile.js';

const TRICKY = 'Zürich, "Ops"\nTeam <&> =1';
const FORMULA = '=HYPERLINK("http://evil.example")';

function orgInventory(): AuditInventory {
  return inventory(
    [
      app({ key: TRICKY, holders: [], policy: policy({ scopes: ['Full', 'RefreshToken'], refreshTokenPolicy: 'infinite' }) }),
      app({ key: 'Plain_App', policy: policy({ callbacks: ['http://plain.example.com/cb'] }), tokens: null }),
      app({ key: FORMULA, installed: false, policy: null, id: null, holders: null }),
      app({ key: 'No_Policy', policy: null }),
    ],
    {
      adminProfiles: [{ name: 'Custom Admin', approveUninstalledConnectedApps: false }],
      privilegedUsers: [
        { username: 'ops@example.com', grantedBy: 'Bypass', viaProfile: false, profileName: 'Standard User', approveUninstalledConnectedApps: true, useAnyApiClient: false, administrator: false },
      ],
      coverage: [
        { source: 'OauthToken', status: 'used' },
        { source: 'EventLogFile:ApiTotalUsage', status: 'not-licensed', errorCode: 'INVALID_TYPE' },
      ],
      profileIpRanges: null,
      evidence: ['metadata', 'assignments', 'activeUsers', 'tokens', 'logins', 'apiCalls', 'users', 'installState', 'permissions'],
    }
  );
}

function orgReport(): AuditReport {
  const inv = orgInventory();
  return createReport(runAudit(inv), inv, { target: 'prod', toolVersion: '0.1.0' });
}

function sourceReport(): AuditReport {
  const a = fileApp({ fullName: 'Web_App', scopes: ['Full'], callbacks: ['http://x.example.com/cb'] }, 'force-app\\main\\default\\connectedApps\\Web App %28v2%29.connectedApp-meta.xml');
  const inv = sourceInventory([a], { parseErrors: [{ file: './force-app/main/default/connectedApps/Broken.connectedApp-meta.xml', line: 29, column: 5, message: 'text after root' }] });
  return createReport(runAudit(inv), inv, { target: 'force-app', toolVersion: '0.1.0' });
}

/** A strict RFC 4180 reader for the tests. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let i = 0;
  let quoted = false;
  while (i < text.length) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i += 2;
        continue;
      }
      if (c === '"') quoted = false;
      else field += c;
      i++;
      continue;
    }
    if (c === '"') {
      expect(field, 'quote only at the start of a field').to.equal('');
      quoted = true;
    } else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\r' && text[i + 1] === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      i++;
    } else {
      expect(c, 'bare CR/LF outside quotes').to.not.be.oneOf(['\r', '\n']);
      field += c;
    }
    i++;
  }
  expect(field).to.equal('');
  expect(row).to.deep.equal([]);
  return rows;
}

describe('audit renderers', () => {
  describe('CSV', () => {
    it('quotes commas, quotes and newlines (RFC 4180) and keeps non-ASCII', () => {
      expect(csvField('a,b')).to.equal('"a,b"');
      expect(csvField('say "hi"')).to.equal('"say ""hi"""');
      expect(csvField('x\ny')).to.equal('"x\ny"');
      expect(csvField('Zürich')).to.equal('Zürich');
      const report = orgReport();
      const rows = parseCsv(renderCsv(report));
      expect(rows[0]).to.deep.equal([...CSV_COLUMNS]);
      expect(rows).to.have.length(report.findings.length + 1);
      for (const r of rows) expect(r).to.have.length(CSV_COLUMNS.length);
      const tricky = rows.filter((r) => r[2] === TRICKY);
      expect(tricky.length).to.be.greaterThan(0);
      const first = report.findings[0];
      expect(rows[1]).to.deep.equal([first.severity, first.ruleId, first.app ?? '', '', '', findingMessage(first), JSON.stringify(first.evidence), first.fingerprint]);
      expect(JSON.parse(rows[1][6])).to.deep.equal(first.evidence);
    });
    it('neutralises spreadsheet formulas in text cells', () => {
      const rows = parseCsv(renderCsv(orgReport()));
      const formula = rows.find((r) => r[2].includes('HYPERLINK'));
      expect(formula?.[2]).to.equal(`'${FORMULA}`);
    });
    it('writes file and line in source mode; header only without findings', () => {
      const rows = parseCsv(renderCsv(sourceReport()));
      expect(rows.some((r) => r[3].endsWith('Web App %28v2%29.connectedApp-meta.xml') && Number(r[4]) > 0)).to.equal(true);
      const empty = createReport(runAudit(inventory([app()])), inventory([]));
      expect(renderCsv(empty)).to.equal(`${CSV_COLUMNS.join(',')}\r\n`);
    });
  });

  describe('Markdown', () => {
    it('has a summary table by severity, findings grouped by app (org-wide last) and coverage notes', () => {
      const report = orgReport();
      const md = renderMarkdown(report);
      expect(md).to.match(/^# Connected app audit\n/);
      expect(md).to.include('| critical | 1 |');
      expect(md).to.include(`| **Total** | **${report.summary.total}** |`);
      const headings = md.split('\n').filter((l) => l.startsWith('### '));
      expect(headings[headings.length - 2]).to.equal('### Org-wide');
      expect(headings).to.include(`### ${escapeMarkdown(TRICKY)}`);
      expect(md).to.include('## Coverage');
      expect(md).to.include('EventLogFile:ApiTotalUsage: not available in this org');
      expect(md).to.include('CA103-ip-enforce-no-profile-ranges: not evaluated, missing evidence (profile login IP ranges).');
      expect(md).to.include('CA001-preauth-no-assignment: not evaluated for 1 app(s), missing connected app metadata.');
      expect(md).to.include('`sf connectedapp assign --name "Zürich, \\"Ops\\"');
      expect(md).to.include('Generated by plugin-connectedapp 0.1.0.');
    });
    it('escapes values so an app name cannot inject Markdown or HTML', () => {
      const md = renderMarkdown(orgReport());
      const outsideCode = md.replace(/`[^`]*`/g, '');
      expect(outsideCode).to.not.match(/[^\\][<&>]/);
      expect(md).to.include('\\<\\&\\>');
      expect(escapeMarkdown('a|b*c_[x](y)')).to.equal('a\\|b\\*c\\_\\[x\\](y)');
      expect(escapeMarkdown('<img src=x onerror=alert(1)>')).to.equal('\\<img src=x onerror=alert(1)\\>');
      expect(codeSpan('a`b')).to.equal('``a`b``');
      expect(codeSpan('`x')).to.equal('`` `x ``');
    });
    it('shows the location in source mode and says when there are no findings', () => {
      expect(renderMarkdown(sourceReport())).to.match(/Web App %28v2%29\.connectedApp-meta\.xml`, line \d+/);
      const empty = renderMarkdown(createReport(runAudit(inventory([app()]), { rules: ['CA301'] }), inventory([])));
      expect(empty).to.include('No findings.');
      expect(empty).to.include('Every selected rule was evaluated.');
    });
  });

  describe('JUnit', () => {
    const attr = (el: XmlElement, name: string): string | undefined => el.attributes.find(([k]) => k === name)?.[1];
    it('is well-formed XML with one testcase per app × rule', () => {
      const report = orgReport();
      const xml = renderJunit(report);
      const root = parseXml(xml).root;
      expect(root.name).to.equal('testsuites');
      const suites = elements(root, 'testsuite');
      expect(suites.map((s) => attr(s, 'name'))).to.deep.equal(report.rules.map((r) => r.id));
      const cases = suites.flatMap((s) => elements(s, 'testcase'));
      expect(attr(root, 'tests')).to.equal(String(cases.length));
      const failing = cases.filter((c) => elements(c, 'failure').length > 0);
      const skipped = cases.filter((c) => elements(c, 'skipped').length > 0);
      expect(attr(root, 'failures')).to.equal(String(failing.length));
      expect(attr(root, 'skipped')).to.equal(String(skipped.length));
      // CA001 evaluates the three installed apps: TRICKY fails, Plain_App passes, No_Policy is skipped.
      const ca001 = suites.find((s) => attr(s, 'name') === 'CA001-preauth-no-assignment');
      const ca001Cases = elements(ca001 as XmlElement, 'testcase');
      expect(ca001Cases.map((c) => attr(c, 'classname'))).to.deep.equal([TRICKY, 'Plain_App', 'No_Policy']);
      expect(elements(ca001Cases[0], 'failure')).to.have.length(1);
      expect(attr(elements(ca001Cases[0], 'failure')[0], 'type')).to.equal('critical');
      expect(elements(ca001Cases[1], 'failure')).to.have.length(0);
      expect(attr(elements(ca001Cases[2], 'skipped')[0], 'message')).to.equal('Not evaluated, missing: connected app metadata.');
      // Org-wide: one failing case per subject-less finding group, classname (org).
      const ca405 = suites.find((s) => attr(s, 'name') === 'CA405-admin-profile-no-uninstalled-approval') as XmlElement;
      expect(elements(ca405, 'testcase').map((c) => attr(c, 'classname'))).to.deep.equal(['(org)']);
      // A rule not evaluated at all: every app skipped.
      const ca103 = suites.find((s) => attr(s, 'name') === 'CA103-ip-enforce-no-profile-ranges') as XmlElement;
      expect(elements(ca103, 'testcase').every((c) => elements(c, 'skipped').length === 1)).to.equal(true);
    });
    it('fails testcases of files that do not parse, by app name', () => {
      const root = parseXml(renderJunit(sourceReport())).root;
      const ca503 = elements(root, 'testsuite').find((s) => attr(s, 'name') === 'CA503-file-parse-error') as XmlElement;
      const cases = elements(ca503, 'testcase');
      expect(cases.map((c) => attr(c, 'classname'))).to.deep.equal(['Broken']);
      expect(elements(cases[0], 'failure')).to.have.length(1);
    });
    it('shows characters XML cannot carry escaped, not dropped', () => {
      const inv = inventory([app({ key: 'Bad\u0001Name', holders: [] })]);
      const xml = renderJunit(createReport(runAudit(inv, { rules: ['CA001'] }), inv));
      expect(() => parseXml(xml)).to.not.throw();
      expect(xml).to.include('classname="Bad\\x01Name"');
    });
  });

  describe('hostile app names', () => {
    it('reach no text format raw (CSV, Markdown, JUnit show them escaped); SARIF keeps them exact as JSON \\u escapes', () => {
      const inv = inventory([app({ key: HOSTILE, installed: false, policy: null, id: null, holders: null })]);
      const report = createReport(runAudit(inv), inv);
      expect(report.findings.some((f) => f.app === HOSTILE)).to.equal(true);
      const texts = { csv: renderCsv(report).replace(/\r\n/g, ''), markdown: renderMarkdown(report).replace(/\n/g, ''), junit: renderJunit(report).replace(/\n/g, '') };
      for (const text of Object.values(texts)) expect(UNSAFE_FOR_TERMINAL.test(text), text).to.equal(false);
      expect(texts.csv).to.include('Evil\\x1b[31mRED');
      expect(texts.junit).to.include('Evil\\x1b[31mRED');
      // Markdown escapes the backslash and the bracket of the shown escape.
      expect(texts.markdown).to.include('Evil\\\\x1b\\[31mRED');
      const sarif = renderSarif(report);
      expect(UNSAFE_FOR_TERMINAL.test(sarif.replace(/\n/g, ''))).to.equal(false);
      expect(JSON.stringify(JSON.parse(sarif))).to.include(JSON.stringify(HOSTILE));
    });
  });

  describe('SARIF', () => {
    it('is valid SARIF 2.1.0 for GitHub code scanning (org mode)', () => {
      const report = orgReport();
      const log = JSON.parse(renderSarif(report)) as unknown;
      expect(validateSarif(log)).to.deep.equal([]);
      const run = (log as { runs: Array<{ results: Array<Record<string, unknown>>; tool: { driver: Record<string, unknown> } }> }).runs[0];
      expect(run.results).to.have.length(report.findings.length);
      expect(run.tool.driver.version).to.equal('0.1.0');
    });
    it('is valid in source mode and points at the file and line', () => {
      const log = JSON.parse(renderSarif(sourceReport(), { sourceRoot: 'force-app' })) as { runs: Array<{ results: Array<{ locations: Array<{ physicalLocation: { artifactLocation: { uri: string }; region: { startLine: number } } }> }> }> };
      expect(validateSarif(log)).to.deep.equal([]);
      const uris = log.runs[0].results.map((r) => r.locations[0].physicalLocation.artifactLocation.uri);
      expect(uris).to.include('main/default/connectedApps/Web%20App%20%2528v2%2529.connectedApp-meta.xml');
      expect(uris).to.include('main/default/connectedApps/Broken.connectedApp-meta.xml');
      const broken = log.runs[0].results.find((r) => r.locations[0].physicalLocation.artifactLocation.uri.endsWith('Broken.connectedApp-meta.xml'));
      expect(broken?.locations[0].physicalLocation.region.startLine).to.equal(29);
    });
    it('maps org findings to pseudo paths and keeps fingerprints', () => {
      const report = orgReport();
      const byRule = new Map(report.findings.map((f) => [f.ruleId, f]));
      expect(sarifUri(byRule.get('CA301-full-scope') ?? report.findings[0])).to.equal(`org/connectedApps/${encodeURIComponent(TRICKY)}.connectedApp`);
      const user = byRule.get('CA404-bypass-permission-non-admin');
      expect(user && sarifUri(user)).to.equal('org/users/ops%40example.com');
      const profile = byRule.get('CA405-admin-profile-no-uninstalled-approval');
      expect(profile && sarifUri(profile)).to.equal('org/profiles/Custom%20Admin.profile');
      const log = JSON.parse(renderSarif(report)) as { runs: Array<{ results: Array<{ partialFingerprints: Record<string, string> }> }> };
      expect(log.runs[0].results.map((r) => r.partialFingerprints[FINGERPRINT_KEY])).to.deep.equal(report.findings.map((f) => f.fingerprint));
      expect(pathToUri('/abs/p q.xml')).to.equal('file:///abs/p%20q.xml');
      expect(pathToUri('C:/x/y.xml')).to.equal('file:///C:/x/y.xml');
    });
    it('is valid with no findings', () => {
      const inv = inventory([app()]);
      expect(validateSarif(JSON.parse(renderSarif(createReport(runAudit(inv), inv))))).to.deep.equal([]);
    });
  });
});
