/*
 * JUnit XML for CI test reports: one <testsuite> per rule, one <testcase> per app × rule (classname = app,
 * name = rule id). A testcase fails when the rule found something for that app, and is <skipped> when the
 * rule could not be evaluated for it. Org-wide rules have one testcase per app (or file) they found
 * something for, else one passing testcase for the org.
 */
import type { Finding } from '../../domain/audit/model.js';
import { forXmlText } from '../../domain/terminal-text.js';
import type { RuleRun, RuleTarget } from '../../domain/audit/engine.js';
import type { AuditReport } from './report.js';
import { evidenceLabel, findingMessage, rulesText, ruleTitle, severityLabel } from './rule-docs.js';

/** Characters XML 1.0 does not allow at all (they cannot even be escaped as references) are shown escaped (`\x1b`), as in a terminal. */
export function xmlText(text: string): string {
  return forXmlText(text).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

export function xmlAttr(text: string): string {
  return xmlText(text).replace(/"/g, '&quot;').replace(/\n/g, '&#10;').replace(/\r/g, '&#13;').replace(/\t/g, '&#9;');
}

type Case = { classname: string; name: string; failures: Finding[]; skipped: RuleTarget | null };

function casesOf(run: RuleRun, findings: readonly Finding[], orgClass: string): Case[] {
  const mine = findings.filter((f) => f.ruleId === run.ruleId);
  const byApp = new Map<string | null, Finding[]>();
  for (const f of mine) byApp.set(f.app, [...(byApp.get(f.app) ?? []), f]);
  const cases: Case[] = [];
  if (run.scope === 'org') {
    const target = run.targets[0] as RuleTarget | undefined;
    if (target?.status === 'not-evaluated') return [{ classname: orgClass, name: run.ruleId, failures: [], skipped: target }];
    for (const [app, list] of byApp) cases.push({ classname: app ?? orgClass, name: run.ruleId, failures: list, skipped: null });
    if (cases.length === 0) cases.push({ classname: orgClass, name: run.ruleId, failures: [], skipped: null });
    return cases;
  }
  for (const target of run.targets) {
    const app = target.app ?? orgClass;
    const failures = byApp.get(target.app) ?? [];
    byApp.delete(target.app);
    cases.push({ classname: app, name: run.ruleId, failures, skipped: target.status === 'not-evaluated' ? target : null });
  }
  // Findings for apps outside the run's targets (not expected) still fail a testcase.
  for (const [app, list] of byApp) cases.push({ classname: app ?? orgClass, name: run.ruleId, failures: list, skipped: null });
  return cases;
}

function failureText(f: Finding): string {
  const location = f.file === null ? null : f.line === null ? f.file : rulesText('report.location', [f.file, f.line]);
  return [`[${severityLabel(f.severity)}] ${findingMessage(f)}`, ...(location ? [location] : []), f.fingerprint].join('\n');
}

function caseXml(c: Case): string {
  const open = `    <testcase classname="${xmlAttr(c.classname)}" name="${xmlAttr(c.name)}"`;
  if (c.failures.length > 0) {
    const worst = c.failures[0];
    const message = c.failures.map((f) => findingMessage(f)).join(' | ');
    const body = c.failures.map(failureText).join('\n\n');
    return `${open}>\n      <failure message="${xmlAttr(message)}" type="${xmlAttr(worst.severity)}">${xmlText(body)}</failure>\n    </testcase>`;
  }
  if (c.skipped) {
    const missing = c.skipped.missing.map(evidenceLabel).join(', ');
    const fields = c.skipped.fields ?? [];
    const message = fields.length > 0 ? rulesText('junit.skipped.fields', [missing, fields.join(', ')]) : rulesText('junit.skipped', [missing]);
    return `${open}>\n      <skipped message="${xmlAttr(message)}"/>\n    </testcase>`;
  }
  return `${open}/>`;
}

export function renderJunit(report: AuditReport): string {
  const orgClass = rulesText('junit.orgClassname');
  const suites: string[] = [];
  let tests = 0;
  let failures = 0;
  let skipped = 0;
  for (const run of report.runs) {
    const cases = casesOf(run, report.findings, orgClass);
    const f = cases.filter((c) => c.failures.length > 0).length;
    const s = cases.filter((c) => c.failures.length === 0 && c.skipped).length;
    tests += cases.length;
    failures += f;
    skipped += s;
    suites.push(
      `  <testsuite name="${xmlAttr(run.ruleId)}" tests="${cases.length}" failures="${f}" errors="0" skipped="${s}">\n` +
        `    <properties>\n      <property name="title" value="${xmlAttr(ruleTitle(run.ruleId))}"/>\n    </properties>\n` +
        cases.map(caseXml).join('\n') +
        (cases.length > 0 ? '\n' : '') +
        '  </testsuite>'
    );
  }
  return (
    '<?xml version="1.0" encoding="UTF-8"?>\n' +
    `<testsuites name="${xmlAttr(rulesText('junit.suites'))}" tests="${tests}" failures="${failures}" errors="0" skipped="${skipped}">\n` +
    suites.join('\n') +
    (suites.length > 0 ? '\n' : '') +
    '</testsuites>\n'
  );
}
