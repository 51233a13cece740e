// Removes build output (lib/, coverage/) — or, with --manifest, only oclif.manifest.json after `npm pack`.
import { rmSync } from 'node:fs';

const targets = process.argv.includes('--manifest') ? [] : ['lib', 'coverage', 'tsconfig.tsbuildinfo'];
for (const target of targets) rmSync(new URL(`../${target}`, import.meta.url), { recursive: true, force: true });
