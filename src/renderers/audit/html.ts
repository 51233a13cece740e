/*
 * The audit as one self-contained HTML page (see ../html/kit.ts for what keeps it self-contained and inert):
 * a summary by severity, the benchmark controls, the findings grouped by app or by rule (each with why it
 * matters, the fix in Setup, the command and a link to the app in Setup), filters by severity and text, and
 * coverage. Every value from the org or a file is escaped by the `html` template.
 */
import { findingControls, type ControlId } from '../../domain/audit/benchmark.js';
import { SEVERITIES, type Finding, type Severity } from '../../domain/audit/model.js';
import { html, page, externalLink, formatTime, type Markup } from '../html/kit.js';
import { reportText } from '../html/words.js';
import { connectedAppSetupUrl, oauthUsageSetupUrl, setupBase } from '../setup-links.js';
import { benchmarkText, controlNotes, controlStatusLabel, controlTitle } from './benchmark-docs.js';
import type { AuditReport } from './report.js';
import { coverageLabel, findingCommands, findingMessage, findingSetup, notEvaluatedText, ruleDoc, ruleFixFor, rulesText, severityLabel } from './rule-docs.js';

export type HtmlContext = {
  /** When the report was made (ISO); a parameter so that golden files stay the same. */
  generatedAt: string;
  /** The org's instance URL, for links into Setup (none without it). */
  instanceUrl?: string | null;
  orgId?: string | null;
};

const rank = (s: Severity): number => SEVERITIES.indexOf(s);

function controlTags(ids: readonly ControlId[]): Markup[] {
  return ids.map((id) => html` <span class="tag" title="${controlTitle(id)}">${id}</span>`);
}

function appLink(report: AuditReport, base: string | null, app: string | null, appId: string | null): Markup | null {
  if (report.mode !== 'org' || app === null) return null;
  const installedUrl = connectedAppSetupUrl(base, appId);
  if (installedUrl) return externalLink(installedUrl, reportText('html.openInSetup'));
  // In org mode only apps that are not installed have no Id.
  const usageUrl = appId === null ? oauthUsageSetupUrl(base) : null;
  return usageUrl ? externalLink(usageUrl, reportText('html.openOAuthUsage')) : null;
}

function location(f: Finding): Markup | null {
  if (f.file === null) return null;
  return html`<p class="loc">${f.line === null ? f.file : rulesText('report.location', [f.file, f.line])}</p>`;
}

function commands(f: Finding): Markup[] {
  const setup = findingSetup(f);
  return [
    ...(setup.length > 0 ? [html`<p><strong>${rulesText('report.fix.eca')}</strong></p><ol class="fix">${setup.map((step) => html`<li>${step}</li>`)}</ol>`] : []),
    ...findingCommands(f).map((c) => html`<pre class="cmd">${c}</pre>`),
  ];
}

/** The rule's why, and its fix steps unless every finding shown has its own (External Client Apps). */
function whyAndFix(ruleId: string, findings: readonly Finding[]): Markup {
  const doc = ruleDoc(ruleId);
  const fix = ruleFixFor(ruleId, findings);
  return html`<p class="why"><strong>${rulesText('report.why')}.</strong> ${doc.why}</p>
${fix.length > 0 ? html`<p><strong>${rulesText('report.fix')}:</strong></p><ol class="fix">${fix.map((step) => html`<li>${step}</li>`)}</ol>` : null}`;
}

function findingCard(f: Finding, withApp: boolean): Markup {
  const doc = ruleDoc(f.ruleId);
  return html`<article class="finding" data-item data-sev="${f.severity}">
<div class="head"><span class="sev ${f.severity}">${severityLabel(f.severity)}</span> <span class="rule" data-search>${f.ruleId}</span> ${
    withApp ? html`<strong data-search>${f.app ?? rulesText('report.orgWide')}</strong>` : html`<strong data-search>${doc.title}</strong>`
  }${controlTags(findingControls(f))}</div>
<p class="msg" data-search>${findingMessage(f)}</p>
${location(f)}${commands(f)}${withApp ? null : html`<details><summary>${reportText('html.whyAndFix')}</summary>${whyAndFix(f.ruleId, [f])}</details>`}
</article>`;
}

function byApp(report: AuditReport, base: string | null): Markup[] {
  const groups = new Map<string | null, Finding[]>();
  for (const f of report.findings) groups.set(f.app, [...(groups.get(f.app) ?? []), f]);
  const worst = (list: Finding[]): number => Math.min(...list.map((f) => rank(f.severity)));
  const keys = [...groups.keys()].sort((a, b) => {
    if (a === null || b === null) return a === null ? (b === null ? 0 : 1) : -1;
    return worst(groups.get(a) ?? []) - worst(groups.get(b) ?? []) || a.localeCompare(b);
  });
  return keys.map((app) => {
    const list = groups.get(app) ?? [];
    const link = appLink(report, base, app, list.find((f) => f.appId !== null)?.appId ?? null);
    return html`<section class="group" data-group>
<header><h3 data-group-name>${app ?? rulesText('report.orgWide')}</h3><span class="sub">${reportText('html.findingCount', [list.length])}</span>${
      link ? html`<span class="sub">${link}</span>` : null
    }</header>
${list.map((f) => findingCard(f, false))}
</section>`;
  });
}

function byRule(report: AuditReport): Markup[] {
  const groups = new Map<string, Finding[]>();
  for (const f of report.findings) groups.set(f.ruleId, [...(groups.get(f.ruleId) ?? []), f]);
  const ids = [...groups.keys()].sort((a, b) => Math.min(...(groups.get(a) ?? []).map((f) => rank(f.severity))) - Math.min(...(groups.get(b) ?? []).map((f) => rank(f.severity))) || a.localeCompare(b));
  return ids.map((ruleId) => {
    const doc = ruleDoc(ruleId);
    const list = groups.get(ruleId) ?? [];
    return html`<section class="group" data-group>
<header><span class="sev ${doc.severity}">${severityLabel(doc.severity)}</span><h3 data-group-name><span class="rule">${ruleId}</span> ${doc.title}</h3><span class="sub">${reportText('html.findingCount', [list.length])}</span>${controlTags(
      [...new Set(list.flatMap((f) => findingControls(f)))]
    )}</header>
${whyAndFix(ruleId, list)}
${list.map((f) => findingCard(f, true))}
</section>`;
  });
}

function summary(report: AuditReport): Markup {
  const s = report.summary;
  const unread = report.coverage.filter((c) => c.status !== 'used');
  return html`<section><h2>${rulesText('report.summary')}</h2>
<div class="cards">${SEVERITIES.map((sev) => html`<div class="card ${sev}"><div class="n">${s[sev]}</div><div class="l">${severityLabel(sev)}</div></div>`)}<div class="card"><div class="n">${
    s.total
  }</div><div class="l">${rulesText('report.total')}</div></div></div>
${report.suppressed > 0 ? html`<p class="note">${rulesText('report.suppressed', [report.suppressed])}</p>` : null}
${unread.length > 0 ? html`<p class="note">${reportText('html.unreadSources', [unread.map((c) => c.source).join(', ')])}</p>` : null}
</section>`;
}

function benchmark(report: AuditReport): Markup {
  return html`<section><h2>${benchmarkText('benchmark.sbs')}</h2><p class="muted">${benchmarkText('benchmark.source')}</p>
<table><thead><tr><th>${benchmarkText('column.control')}</th><th>${benchmarkText('column.title')}</th><th>${benchmarkText('column.status')}</th><th>${benchmarkText(
    'column.rules'
  )}</th><th class="num">${benchmarkText('column.findings')}</th><th>${benchmarkText('column.notes')}</th></tr></thead><tbody>
${report.benchmark.map(
  (c) =>
    html`<tr><td class="id">${c.control}</td><td>${controlTitle(c.control)}</td><td><span class="badge ${c.status}">${controlStatusLabel(c.status)}</span></td><td class="rule">${c.rules.join(
      ', '
    )}</td><td class="num">${c.findings}</td><td>${controlNotes(c)}</td></tr>\n`
)}</tbody></table></section>`;
}

function filters(report: AuditReport): Markup {
  return html`<div class="controls">
<input type="search" data-filter="text" placeholder="${reportText('html.searchFindings')}" aria-label="${reportText('html.searchFindings')}">
<span>${reportText('html.severity')} ${SEVERITIES.map(
    (sev) => html`<label><input type="checkbox" data-filter="severity" value="${sev}" checked> ${severityLabel(sev)} (${report.summary[sev]})</label> `
  )}</span>
<span>${reportText('html.groupBy')} <label><input type="radio" name="view" data-filter="view" value="app" checked> ${reportText('html.byApp')}</label> <label><input type="radio" name="view" data-filter="view" value="rule"> ${reportText(
    'html.byRule'
  )}</label></span>
<span class="count"><span data-count>${report.findings.length}</span> ${reportText('html.shown')}</span>
</div>`;
}

function coverage(report: AuditReport): Markup {
  return html`<section><h2>${rulesText('report.coverage')}</h2>
<table><thead><tr><th>${reportText('html.column.source')}</th><th>${reportText('html.column.status')}</th><th>${reportText('html.column.detail')}</th></tr></thead><tbody>
${report.coverage.map(
  (c) => html`<tr><td>${c.source}</td><td>${coverageLabel(c.status)}${c.status !== 'used' && c.errorCode ? ` (${c.errorCode})` : ''}</td><td>${c.detail ?? ''}</td></tr>\n`
)}</tbody></table>
<h3>${rulesText('report.notEvaluated')}</h3>
${report.notEvaluated.length === 0 ? html`<p>${rulesText('report.allEvaluated')}</p>` : html`<ul class="plain">${report.notEvaluated.map((n) => html`<li>${notEvaluatedText(n)}</li>`)}</ul>`}
</section>`;
}

export function renderAuditHtml(report: AuditReport, context: HtmlContext): string {
  const base = setupBase(context.instanceUrl);
  const target = report.target === null ? null : rulesText(report.mode === 'org' ? 'report.target.org' : 'report.target.source', [report.target]);
  const body = html`<header class="top"><h1>${rulesText('report.title')}</h1><div class="meta">${target ? html`<span>${target}</span>` : null}${
    context.orgId && context.orgId !== report.target ? html`<span>${reportText('html.orgId', [context.orgId])}</span>` : null
  }${base ? html`<span>${base}</span>` : null}<span>${reportText('html.generated', [formatTime(context.generatedAt)])}</span></div></header>
<main>
${summary(report)}
${benchmark(report)}
<section><h2>${rulesText('report.findings')}</h2>
${report.findings.length === 0 ? html`<p>${rulesText('report.noFindings')}</p>` : html`${filters(report)}
<div data-view="app">${byApp(report, base)}</div>
<div data-view="rule" hidden>${byRule(report)}</div>`}
</section>
${coverage(report)}
<footer>${report.toolVersion === null ? null : rulesText('report.generatedBy', [report.toolVersion])}</footer>
</main>`;
  return page({ title: target ? `${rulesText('report.title')} — ${target}` : rulesText('report.title'), body });
}
