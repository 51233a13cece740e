#!/usr/bin/env node
// Before `npm publish` (the prepublishOnly script): the package must say where its code, home page and issue tracker
// are, which npm shows on the package's page and `sf plugins` users follow to report a bug. The repository's public
// URL is not known in the working copy, so publishing stops here until package.json names it.
//   node scripts/check-release.mjs [path/to/package.json]
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** What package.json lacks for a release, one line each (empty when nothing). */
export function releaseProblems(pkg) {
  const problems = [];
  const url = typeof pkg.repository === 'string' ? pkg.repository : pkg.repository?.url;
  if (!url) problems.push('"repository": { "type": "git", "url": "git+https://github.com/<owner>/<repo>.git" } is missing');
  if (!pkg.homepage) problems.push('"homepage" (the repository\'s README page) is missing');
  const bugs = typeof pkg.bugs === 'string' ? pkg.bugs : (pkg.bugs?.url ?? pkg.bugs?.email);
  if (!bugs) problems.push('"bugs": { "url": "https://github.com/<owner>/<repo>/issues" } is missing');
  return problems;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const path = process.argv[2] ?? new URL('../package.json', import.meta.url);
  const problems = releaseProblems(JSON.parse(readFileSync(path, 'utf8')));
  if (problems.length > 0) {
    console.error(`Not published: package.json is not ready for a release.\n${problems.map((p) => `  - ${p}`).join('\n')}\nAdd them, then run npm publish again.`);
    process.exit(1);
  }
}
