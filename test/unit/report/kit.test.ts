import { expect } from 'chai';
import { evaluateBenchmark, findingControls, ruleControls, SBS_CONTROLS } from '../../../src/domain/audit/benchmark.js';
import { APPROVE_UNINSTALLED } from '../../../src/domain/audit/rules/lifecycle.js';
import { RULES } from '../../../src/domain/audit/engine.js';
import { breakable, contentSecurityPolicy, escapeHtml, html, sha256, trusted } from '../../../src/renderers/html/kit.js';
import { PAGE_CSS, PAGE_SCRIPT } from '../../../src/renderers/html/assets.js';
import { niceCeiling, stackedBarChart } from '../../../src/renderers/html/chart.js';
import { archiveFileName, checkOutputFlags, textTable, wrap, wrapCell, wrappedLog } from '../../../src/renderers/output.js';
import { connectedAppSetupUrl, oauthUsageSetupUrl, setupBase } from '../../../src/renderers/setup-links.js';
import { terminalSafe, terminalValue } from '../../../src/renderers/terminal.js';
import { bucketKeys } from '../../../src/renderers/usage-html.js';

describe('report building blocks', () => {
  it('escapes every interpolated value, and only our own markup passes', () => {
    expect(escapeHtml(`<a href="x" onclick='y'>&`)).to.equal('&lt;a href=&quot;x&quot; onclick=&#39;y&#39;&gt;&amp;');
    expect(html`<p title="${'"><script>'}">${'</p><script>x</script>'}</p>`.text).to.equal('<p title="&quot;&gt;&lt;script&gt;">&lt;/p&gt;&lt;script&gt;x&lt;/script&gt;</p>');
    expect(html`<ul>${['a<b', trusted('<li>ok</li>'), null, false, 3]}</ul>`.text).to.equal('<ul>a&lt;b<li>ok</li>3</ul>');
    expect(escapeHtml('a\u202Eb\u0000c\u001b[31m')).to.equal('a\\u202eb\\x00c\\x1b[31m');
    expect(breakable('dsfs__Docu<Sign>.x').text).to.equal('dsfs_<wbr>_<wbr>Docu&lt;Sign&gt;.<wbr>x');
  });

  it('pins its one style and one script by hash, and allows nothing else', () => {
    const csp = contentSecurityPolicy(PAGE_CSS, PAGE_SCRIPT);
    expect(csp).to.include(`style-src '${sha256(PAGE_CSS)}'`).and.include(`script-src '${sha256(PAGE_SCRIPT)}'`);
    expect(csp).to.include("default-src 'none'").and.include("connect-src 'none'").and.include("img-src 'none'");
    expect(csp).to.not.match(/unsafe|https?:|\*/);
  });

  it('makes terminal text safe: escapes and bidi overrides shown, values on one line', () => {
    expect(terminalSafe('a\u001b]8;;http://x\u0007b\u202Ec\td')).to.equal('a\\x1b]8;;http://x\\x07b\\u202ec d');
    expect(terminalValue('line1\nline2\r\nline3')).to.equal('line1 line2 line3');
  });

  it('links into Setup only from https (or loopback http) instance URLs and 0H4 Ids', () => {
    expect(setupBase('https://acme.my.salesforce.com/')).to.equal('https://acme.my.salesforce.com');
    expect(setupBase('http://127.0.0.1:8787')).to.equal('http://127.0.0.1:8787');
    for (const bad of ['http://acme.my.salesforce.com', 'javascript:alert(1)', 'https://user:pw@acme.example', 'not a url', null]) expect(setupBase(bad), String(bad)).to.equal(null);
    const base = 'https://acme.my.salesforce.com';
    expect(connectedAppSetupUrl(base, '0H4000000000001AAA')).to.equal(
      'https://acme.my.salesforce.com/lightning/setup/ConnectedApplication/page?address=%2Fapp%2Fmgmt%2Fforceconnectedapps%2FforceAppDetail.apexp%3FconnectedAppId%3D0H4000000000001AAA'
    );
    expect(connectedAppSetupUrl(base, '005000000000001AAA')).to.equal(null);
    expect(connectedAppSetupUrl(base, '0H4"><script>')).to.equal(null);
    expect(oauthUsageSetupUrl(base)).to.equal('https://acme.my.salesforce.com/lightning/setup/ConnectedAppsUsage/home');
  });

  it('names archive files by command, org Id and UTC time, and checks format/destination combinations', () => {
    expect(archiveFileName('audit', '00D000000000001AAA', new Date('2026-11-20T09:30:05.123Z'), 'markdown')).to.equal('connectedapp-audit-00D000000000001AAA-20261120T093005Z.md');
    expect(archiveFileName('usage', null, new Date('2026-11-20T09:30:05Z'), 'html')).to.equal('connectedapp-usage-no-org-20261120T093005Z.html');
    expect(archiveFileName('list', '../../x', new Date('2026-11-20T09:30:05Z'), 'csv')).to.equal('connectedapp-list-______x-20261120T093005Z.csv');
    expect(() => { checkOutputFlags({ formats: ['human'] }); }).to.not.throw();
    expect(() => { checkOutputFlags({ formats: ['human', 'html'] }); }).to.not.throw();
    expect(() => { checkOutputFlags({ formats: ['html', 'html'], outputFile: 'x' }); }).to.not.throw();
    expect(() => { checkOutputFlags({ formats: ['human'], outputFile: 'x' }); }).to.throw(/needs a --result-format/);
    expect(() => { checkOutputFlags({ formats: ['html', 'csv'], outputFile: 'x' }); }).to.throw(/one format/);
    expect(() => { checkOutputFlags({ formats: ['html', 'csv'] }); }).to.throw(/only one can go to standard output/);
    expect(() => { checkOutputFlags({ formats: ['html', 'csv'], outputDir: 'd' }); }).to.not.throw();
  });

  it('wraps table cells so that every line fits, long words included', () => {
    expect(wrapCell('Admin approved users are pre-authorized', 16)).to.deep.equal(['Admin approved', 'users are', 'pre-authorized']);
    expect(wrapCell('0H4000000000001AAA', 8)).to.deep.equal(['0H400000', '0000001A', 'AA']);
    const rows = Array.from({ length: 5 }, (_, i) => ({ a: 'x'.repeat(60), b: `word `.repeat(30).trim(), id: `0H400000000000${i}AAA` }));
    const lines = textTable([{ key: 'a', name: 'A' }, { key: 'b', name: 'B' }, { key: 'id', name: 'Id', width: 18 }], rows, 80);
    expect(Math.max(...lines.map((l) => l.length))).to.be.at.most(80);
    expect(lines.filter((l) => l.includes('0H4000000000003AAA'))).to.have.length(1);
  });

  it('wraps long lines with a hanging indent, escaped first so that escapes cannot widen a line', () => {
    expect(wrap('Held by: a@example.com, b@example.com, c@example.com', 28, 2, 0)).to.deep.equal(['Held by: a@example.com,', '  b@example.com,', '  c@example.com']);
    expect(wrap('x '.concat('y'.repeat(25)), 12, 2, 0)).to.deep.equal(['x', '  yyyyyyyyyy', '  yyyyyyyyyy', '  yyyyy']);
    expect(wrap('', 10, 2)).to.deep.equal(['  ']);
    const text = `  Source: ${'word '.repeat(40)}\u001b[31m${'z'.repeat(130)}`;
    const lines = wrappedLog(text).map((b) => (b.kind === 'log' ? b.text : ''));
    expect(Math.max(...lines.map((l) => l.length))).to.be.at.most(120);
    expect(lines[0]).to.match(/^ {2}Source: word/);
    expect(lines.slice(1).every((l) => l.startsWith('    '))).to.equal(true);
    expect(lines.join('')).to.include('\\x1b[31m').and.not.include('\u001b');
  });

  it('draws a bar per app and interval, on a round axis, and the window’s intervals', () => {
    expect([niceCeiling(0), niceCeiling(7), niceCeiling(130), niceCeiling(480), niceCeiling(1000)]).to.deep.equal([1, 10, 200, 500, 1000]);
    const svg = stackedBarChart([{ name: '<b>', values: [1, 0, 3] }, { name: 'b', values: [2, 2, 0] }], ['d1', 'd2', 'd3'], 't').text;
    expect(svg.match(/<rect class="bar"/g)).to.have.length(4);
    expect(svg).to.include('&lt;b&gt; — d3: 3');
    expect(bucketKeys({ start: '2026-11-13T00:00:00.000Z', end: '2026-11-15T00:00:00.000Z', interval: 'daily' })).to.deep.equal(['2026-11-13', '2026-11-14']);
    expect(bucketKeys({ start: '2026-11-13T22:00:00.000Z', end: '2026-11-14T01:00:00.000Z', interval: 'hourly' })).to.deep.equal(['2026-11-13T22', '2026-11-13T23', '2026-11-14T00']);
  });

  describe('benchmark mapping', () => {
    it('maps only rules that exist, to controls that exist', () => {
      const ids = new Set(RULES.map((r) => r.id));
      const controls = new Set(SBS_CONTROLS.map((c) => c.id));
      for (const rule of RULES) for (const c of ruleControls(rule.id)) expect(controls.has(c), `${rule.id} → ${c}`).to.be.true;
      for (const c of SBS_CONTROLS) if (c.checks !== 'none') expect(RULES.some((r) => ruleControls(r.id).includes(c.id)), c.id).to.be.true;
      expect(ids.has('CA401-uninstalled-app-in-use')).to.be.true;
    });

    it('splits CA404 by the permission held', () => {
      const f = (permissions: string[]): ReturnType<typeof findingControls> => findingControls({ ruleId: 'CA404-bypass-permission-non-admin', evidence: { permissions } });
      expect(f(['CanApproveUninstalledApps'])).to.deep.equal(['SBS-ACS-003']);
      expect(f(['UseAnyApiClient'])).to.deep.equal(['SBS-ACS-006']);
      // The name CA404 itself writes (the permission's field): a finding must fail the control.
      expect(f([APPROVE_UNINSTALLED])).to.deep.equal(['SBS-ACS-003']);
      expect(f([APPROVE_UNINSTALLED, 'UseAnyApiClient'])).to.deep.equal(['SBS-ACS-003', 'SBS-ACS-006']);
    });

    it('fails on a finding, is not evaluated when a mapped rule did not run or could not decide, passes otherwise', () => {
      const rules = RULES.map((r) => ({ id: r.id }));
      const finding = { ruleId: 'CA401-uninstalled-app-in-use', severity: 'high' as const, app: 'Zapier', appId: null, file: null, line: null, evidence: {}, fingerprint: 'x' };
      const status = (run: Parameters<typeof evaluateBenchmark>[0], id: string): string | undefined => evaluateBenchmark(run).find((c) => c.control === id)?.status;
      expect(status({ findings: [finding], rules, notEvaluated: [] }, 'SBS-OAUTH-001')).to.equal('fail');
      expect(status({ findings: [], rules, notEvaluated: [] }, 'SBS-OAUTH-001')).to.equal('pass');
      expect(status({ findings: [], rules, notEvaluated: [{ ruleId: 'CA401-uninstalled-app-in-use', reason: 'missing-evidence', missing: ['tokens'] }] }, 'SBS-OAUTH-001')).to.equal('not-evaluated');
      expect(status({ findings: [], rules: rules.filter((r) => !r.id.startsWith('CA401')), notEvaluated: [] }, 'SBS-OAUTH-001')).to.equal('not-evaluated');
      expect(status({ findings: [], rules, notEvaluated: [] }, 'SBS-INT-004')).to.equal('not-evaluated');
    });
  });
});
