/*
 * The HTML reports in a real browser: each command writes its report through bin/run.js against the org
 * emulator, and Debian's Chromium (driven by playwright-core, never a downloaded browser) opens the file from
 * disk. Checks: the page renders (the usage chart has bars), the filters work, no request leaves the page
 * (every request is routed and any other than the report file fails the test), no script from org data runs
 * (apps named with markup and script end tags stay text), no CSP violation or console error. A screenshot of
 * each report is taken; UPDATE_SCREENSHOTS=1 writes them to docs/ for the README.
 *
 * Without /usr/bin/chromium the tests are skipped and say so loudly (.ci/run installs it).
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { expect } from 'chai';
import type { BrowserContext, Page } from 'playwright-core';
import { SCENARIO_DIR, start, type Emulator } from '../emulator/index.js';
import { demoScenario, PINNED_NOW } from '../emulator/test-helpers.js';
import { ensureBuilt, REPO_ROOT, runCli } from './harness.js';

const CHROMIUM = '/usr/bin/chromium';
const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const DEMO_WINDOW = ['--start-date', '2026-11-13', '--end-date', '2026-11-19'];

/** App names that would run as script if any report let them through. */
const HOSTILE = {
  img: '<img src=x onerror="window.__pwned=1">',
  script: '</script><script>window.__pwned=2</script>',
  svg: '"><svg onload="window.__pwned=3">',
};

type Opened = { page: Page; requests: string[]; problems: string[] };

describe('HTML reports in a real browser (Chromium, from disk)', function () {
  this.timeout(240_000);
  let context: BrowserContext | undefined;
  let demo: Emulator;
  let hostile: Emulator;
  const started: Emulator[] = [];
  let dir: string;

  before(async function () {
    if (!existsSync(CHROMIUM)) {
      console.warn(`\n  !!! SKIPPED: no browser at ${CHROMIUM}. The HTML reports were NOT opened in a browser. Install it: apt-get install -y chromium\n`);
      this.skip();
    }
    await ensureBuilt();
    dir = mkdtempSync(join(tmpdir(), 'ca-html-'));
    // The demo's dates are relative to its clock: pinned, with Event Monitoring, so DEMO_WINDOW holds a week of files.
    demo = await start({ scenario: demoScenario({ now: PINNED_NOW, features: { eventMonitoring: true } }) });
    started.push(demo);
    const scenario = demoScenario({ now: PINNED_NOW });
    scenario.connectedApps?.push({ name: 'Evil_Installed', label: HOSTILE.img }, { name: 'Evil_Uninstalled', label: HOSTILE.script, installed: false });
    scenario.oauthTokens?.push({ app: HOSTILE.script, users: ['marketing.ops@northwind.example.com'], count: 2, lastUsedDaysAgo: [0, 2] });
    hostile = await start({ scenario, scenarioDir: SCENARIO_DIR });
    started.push(hostile);
    const { chromium } = await import('playwright-core');
    context = await chromium.launchPersistentContext(join(dir, 'profile'), { executablePath: CHROMIUM, headless: true, args: FLAGS, viewport: { width: 1280, height: 900 } });
  });

  after(async () => {
    await context?.close();
    for (const emulator of started) await emulator.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** Opens a report file with every request routed: only the file itself may load. */
  async function open(file: string): Promise<Opened> {
    const page = await (context as BrowserContext).newPage();
    const url = pathToFileURL(file).href;
    const requests: string[] = [];
    const problems: string[] = [];
    await page.route('**/*', async (route) => {
      if (route.request().url() === url) return route.continue();
      requests.push(route.request().url());
      return route.abort();
    });
    page.on('request', (r) => {
      if (r.url() !== url) requests.push(r.url());
    });
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning') problems.push(m.text());
    });
    page.on('pageerror', (e) => problems.push(e.message));
    await page.goto(url);
    await page.waitForLoadState('load');
    return { page, requests, problems };
  }

  async function screenshot(page: Page, name: string): Promise<void> {
    const target = process.env.UPDATE_SCREENSHOTS === '1' ? join(REPO_ROOT, 'docs', name) : join(dir, name);
    // From the top of the page (the filters scrolled it): the header and the summary are what a reader sees first.
    await page.evaluate('window.scrollTo(0, 0)');
    expect(await page.evaluate('window.scrollY')).to.equal(0);
    await page.screenshot({ path: target });
    const png = readFileSync(target);
    expect(png.subarray(1, 4).toString('latin1')).to.equal('PNG');
    expect(png.length).to.be.greaterThan(10_000);
  }

  async function report(emulator: Emulator, args: string[], name: string): Promise<string> {
    const file = join(dir, name);
    const run = await runCli([...args, '--output-file', file], { emulator });
    expect(run.exitCode, run.stderr).to.equal(0);
    return file;
  }

  // Expressions run in the page (the test project has no DOM types).
  const pwned = (page: Page): Promise<unknown> => page.evaluate('window.__pwned');
  const shownCount = async (page: Page): Promise<number> => Number(await page.locator('[data-count]').first().textContent());

  it('audit: summary, benchmark, findings filtered by severity and text, switched to by-rule', async () => {
    const file = await report(demo, ['connectedapp', 'audit', '--result-format', 'html', '--event-log-days', '30'], 'audit.html');
    const { page, requests, problems } = await open(file);
    expect(await page.locator('h1').textContent()).to.equal('Connected app audit');
    expect(await page.locator('table tbody tr td.id').count()).to.equal(8);
    const all = await shownCount(page);
    expect(all).to.be.greaterThan(10);
    expect(await page.locator('[data-view="app"] [data-item]:visible').count()).to.equal(all);

    // Severity: only critical.
    for (const sev of ['high', 'medium', 'low', 'info']) await page.locator(`[data-filter=severity][value=${sev}]`).uncheck();
    const critical = await shownCount(page);
    expect(critical).to.be.within(1, all - 1);
    expect(await page.locator('[data-view="app"] [data-item]:visible .sev').allTextContents()).to.satisfy((t: string[]) => t.every((s) => s === 'critical'));
    for (const sev of ['high', 'medium', 'low', 'info']) await page.locator(`[data-filter=severity][value=${sev}]`).check();

    // Text: an app name narrows to that app's group.
    await page.locator('[data-filter=text]').fill('zapier');
    const zapier = await shownCount(page);
    expect(zapier).to.be.within(1, all - 1);
    expect(await page.locator('[data-view="app"] [data-group]:visible h3').allTextContents()).to.deep.equal(['Zapier']);
    await page.locator('[data-filter=text]').fill('');

    // By rule: the other view, the same number of findings.
    await page.locator('[data-filter=view][value=rule]').check();
    expect(await page.locator('[data-view="rule"]').isVisible()).to.be.true;
    expect(await page.locator('[data-view="app"]').isVisible()).to.be.false;
    expect(await shownCount(page)).to.equal(all);
    await page.locator('[data-filter=view][value=app]').check();

    // A Setup link for an installed app (its 0H4 Id) and one for an app that is not installed.
    const hrefs = await Promise.all((await page.locator('a[href*="/lightning/setup/"]').all()).map(async (a) => (await a.getAttribute('href')) ?? ''));
    expect(hrefs.some((h) => h.includes('ConnectedApplication/page?address=%2Fapp%2Fmgmt%2Fforceconnectedapps%2FforceAppDetail.apexp%3FconnectedAppId%3D0H4'))).to.be.true;
    expect(hrefs.some((h) => h.endsWith('/lightning/setup/ConnectedAppsUsage/home'))).to.be.true;
    await screenshot(page, 'audit-report.png');
    expect(requests).to.deep.equal([]);
    expect(problems).to.deep.equal([]);
  });

  it('usage: the chart renders, not-installed apps are highlighted and filterable', async () => {
    const file = await report(demo, ['connectedapp', 'usage', '--result-format', 'html', ...DEMO_WINDOW], 'usage.html');
    const { page, requests, problems } = await open(file);
    const bars = page.locator('#chart > svg rect.bar');
    expect(await bars.count()).to.be.greaterThan(7);
    const box = await page.locator('#chart > svg').boundingBox();
    expect(box?.width).to.be.greaterThan(600);
    expect(box?.height).to.be.greaterThan(150);
    const barBox = await bars.first().boundingBox();
    expect(barBox?.height).to.be.greaterThan(0);
    // Seven days in the window: seven x labels.
    expect(await page.locator('#chart > svg text[text-anchor=middle]').allTextContents()).to.deep.equal(['11-13', '11-14', '11-15', '11-16', '11-17', '11-18', '11-19']);

    const all = await shownCount(page);
    await page.locator('[data-filter=flag][value=unknown]').check();
    const unknown = await shownCount(page);
    expect(unknown).to.be.within(1, all - 1);
    expect(await page.locator('#apps tbody tr:visible .badge.unknown').count()).to.equal(unknown);
    const bg = await page.evaluate("getComputedStyle(document.querySelector('#apps tbody tr.unknown td')).backgroundColor");
    expect(bg).to.not.equal('rgba(0, 0, 0, 0)');
    await page.locator('[data-filter=flag][value=unknown]').uncheck();
    await page.locator('[data-filter=text]').fill('jenkins');
    expect(await shownCount(page)).to.equal(1);
    await page.locator('[data-filter=text]').fill('');
    await screenshot(page, 'usage-report.png');
    expect(requests).to.deep.equal([]);
    expect(problems).to.deep.equal([]);
  });

  it('list: every app, filter by Permitted Users', async () => {
    const file = await report(demo, ['connectedapp', 'list', '--result-format', 'html'], 'list.html');
    const { page, requests, problems } = await open(file);
    const all = await shownCount(page);
    expect(all).to.equal(demo.org.table('ConnectedApplication').length + demo.org.ecas.size);
    await page.locator('[data-filter=flag][value=admin-approved]').check();
    const approved = await shownCount(page);
    expect(approved).to.be.within(1, all - 1);
    await page.locator('[data-filter=flag][value=all-self-authorize]').check();
    expect(await shownCount(page)).to.equal(all);
    await page.locator('[data-filter=flag][value=admin-approved]').uncheck();
    await page.locator('[data-filter=flag][value=all-self-authorize]').uncheck();
    // The table fits the 1280 px viewport: long API and permission set names break after their underscores.
    expect(await page.evaluate('document.documentElement.scrollWidth')).to.be.at.most(1280);
    await screenshot(page, 'list-report.png');
    expect(requests).to.deep.equal([]);
    expect(problems).to.deep.equal([]);
  });

  it('keeps app names with markup and script end tags inert in every report', async () => {
    const files = [
      await report(hostile, ['connectedapp', 'audit', '--result-format', 'html'], 'hostile-audit.html'),
      await report(hostile, ['connectedapp', 'usage', '--result-format', 'html', '--source', 'tokens'], 'hostile-usage.html'),
      await report(hostile, ['connectedapp', 'list', '--result-format', 'html'], 'hostile-list.html'),
    ];
    for (const file of files) {
      const source = readFileSync(file, 'utf8');
      // Only our one script element; the names are in the page as escaped text.
      expect(source.match(/<script/g), file).to.have.length(1);
      expect(source, file).to.not.include(HOSTILE.script);
      const { page, requests, problems } = await open(file);
      expect(await pwned(page), file).to.equal(undefined);
      expect(await page.locator('body img, body svg[onload], main script').count(), file).to.equal(0);
      const text = await page.locator('body').innerText();
      // The uninstalled app (found through its tokens) in audit and usage; the installed one's label in list.
      const name = file.includes('list') ? HOSTILE.img : HOSTILE.script;
      expect(text, file).to.include(name);
      // Typing the name into the filter finds it as text.
      await page.locator('[data-filter=text]').fill(name.slice(0, 9));
      expect(await shownCount(page), file).to.be.greaterThan(0);
      expect(await pwned(page), file).to.equal(undefined);
      expect(requests, file).to.deep.equal([]);
      expect(problems, file).to.deep.equal([]);
    }
  });

  it('would block a script that slipped in anyway (the Content-Security-Policy is enforced)', async () => {
    const file = join(dir, 'audit.html');
    const tampered = join(dir, 'tampered.html');
    writeFileSync(tampered, readFileSync(file, 'utf8').replace('</main>', '<script>window.__pwned="csp"</script><img src="https://example.com/x.png"></main>'));
    const { page, requests, problems } = await open(tampered);
    expect(await pwned(page)).to.equal(undefined);
    expect(problems.some((p) => /Content Security Policy/i.test(p))).to.be.true;
    // The image was refused by the policy before any network access; the route saw nothing leave either.
    expect(requests.every((r) => r.startsWith('https://example.com/'))).to.be.true;
  });
});
