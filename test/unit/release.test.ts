import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { REPO_ROOT } from '../data-sets.js';

/** Runs the prepublishOnly check on a package.json with `fields`. */
function check(fields: Record<string, unknown>): { status: number | null; stderr: string } {
  const file = join(mkdtempSync(join(tmpdir(), 'ca-release-')), 'package.json');
  writeFileSync(file, JSON.stringify({ name: 'plugin-connectedapp', version: '1.0.0', ...fields }));
  const run = spawnSync(process.execPath, [join(REPO_ROOT, 'scripts', 'check-release.mjs'), file], { encoding: 'utf8' });
  return { status: run.status, stderr: run.stderr };
}

describe('the release check (npm publish runs it first)', () => {
  it('stops a publish whose package.json does not say where the code, home page and issues are', () => {
    const run = check({});
    expect(run.status).to.equal(1);
    expect(run.stderr).to.contain('Not published').and.contain('"repository"').and.contain('"homepage"').and.contain('"bugs"');
  });

  it('lets a package with all three through, in either of npm’s forms', () => {
    expect(check({ repository: { type: 'git', url: 'git+https://example.com/o/r.git' }, homepage: 'https://example.com/o/r#readme', bugs: { url: 'https://example.com/o/r/issues' } }).status).to.equal(0);
    expect(check({ repository: 'github:o/r', homepage: 'https://example.com', bugs: 'https://example.com/issues' }).status).to.equal(0);
  });

  it('is what npm runs before publishing', async () => {
    const { readFile } = await import('node:fs/promises');
    const pkg = JSON.parse(await readFile(join(REPO_ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
    expect(pkg.scripts.prepublishOnly).to.equal('node scripts/check-release.mjs');
  });
});
