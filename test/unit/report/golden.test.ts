/*
 * Golden files: every report format of the three commands, rendered from fixed inputs (times pinned through
 * the renderers' parameters), compared byte for byte with test/golden/. A change to a report shows up as a diff
 * to review; regenerate with UPDATE_GOLDEN=1 npx mocha test/unit/report/golden.test.ts.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { REPO_ROOT } from '../../e2e/harness.js';
import { renderAuditFormat } from '../../../src/renderers/audit/output.js';
import { humanAudit } from '../../../src/renderers/audit/human.js';
import { listTable } from '../../../src/renderers/list.js';
import { renderListFormat } from '../../../src/renderers/list-output.js';
import { textTable, type HumanBlock, type Rendered } from '../../../src/renderers/output.js';
import { humanReport } from '../../../src/renderers/usage.js';
import { renderUsageFormat } from '../../../src/renderers/usage-output.js';
import { auditReport, HTML_CONTEXT, listResult, usageResult } from './fixtures.js';

const GOLDEN = join(REPO_ROOT, 'test', 'golden');
const update = process.env.UPDATE_GOLDEN === '1';

const text = (rendered: Rendered): string => (typeof rendered === 'string' ? rendered : [...rendered].map((l) => `${l}\n`).join(''));
// Our own colours only (values are made terminal-safe before colouring, so no other escape can be there).
const SGR = /\u001b\[[0-9;]*m/g;

/** Human blocks as the terminal shows them (without colours). */
function humanText(blocks: HumanBlock[]): string {
  const lines: string[] = [];
  for (const b of blocks) {
    if (b.kind === 'header') lines.push(`=== ${b.text}`);
    else if (b.kind === 'table') lines.push(...textTable(b.columns, b.data));
    else lines.push(b.text.replace(SGR, ''));
  }
  return `${lines.join('\n')}\n`;
}

function golden(name: string, actual: string): void {
  const path = join(GOLDEN, name);
  if (update || !existsSync(path)) {
    mkdirSync(GOLDEN, { recursive: true });
    writeFileSync(path, actual);
    if (!update) expect.fail(`${name} had no golden file: written now, review and commit it`);
    return;
  }
  expect(actual, `${name} differs from test/golden/${name} (UPDATE_GOLDEN=1 to accept)`).to.equal(readFileSync(path, 'utf8'));
}

describe('report golden files', () => {
  for (const format of ['html', 'csv', 'markdown', 'junit', 'sarif'] as const) {
    it(`audit ${format}`, async () => {
      golden(`audit.${format}`, text(await renderAuditFormat(auditReport(), format, HTML_CONTEXT)));
    });
  }
  for (const verbosity of ['concise', 'normal', 'verbose'] as const) {
    it(`audit human (${verbosity})`, () => {
      const blocks = humanAudit(auditReport(), { verbosity, benchmark: verbosity === 'normal' });
      const out = humanText(blocks);
      expect(out.replace(/\n/g, '')).to.not.match(/\u001b/);
      golden(`audit.human-${verbosity}.txt`, out);
    });
  }
  for (const format of ['html', 'csv', 'ndjson', 'json'] as const) {
    it(`usage ${format}`, async () => {
      golden(`usage.${format}`, text(await renderUsageFormat(usageResult(), format, HTML_CONTEXT)));
    });
  }
  it('usage human', () => {
    golden('usage.human.txt', humanText(humanReport(usageResult())));
  });
  for (const format of ['html', 'csv'] as const) {
    it(`list ${format}`, async () => {
      golden(`list.${format}`, text(await renderListFormat(listResult(), format, HTML_CONTEXT)));
    });
  }
  it('list human', () => {
    golden('list.human.txt', humanText([{ kind: 'table', ...listTable(listResult()) }]));
  });

  it('renders the same bytes twice (no clock, no randomness)', async () => {
    const a = text(await renderAuditFormat(auditReport(), 'html', HTML_CONTEXT));
    const b = text(await renderAuditFormat(auditReport(), 'html', HTML_CONTEXT));
    expect(a).to.equal(b);
    const other = text(await renderAuditFormat(auditReport(), 'html', { ...HTML_CONTEXT, generatedAt: '2027-01-01T00:00:00.000Z' }));
    expect(other).to.not.equal(a);
    expect(other).to.include('2027-01-01 00:00 UTC');
  });
});
