/*
 * The --name help of every command that takes --type (so names both kinds of app) describes both kinds: an Id
 * prefix given for a connected app (0H4…) comes with an External Client App's (0xI…), and the help never says the
 * name is "of the connected app" alone.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { REPO_ROOT } from '../../data-sets.js';

type Manifest = { commands: Record<string, { flags: Record<string, unknown> }> };

/** The text of one `# heading` section of a message bundle, or undefined. */
function section(bundle: string, heading: string): string | undefined {
  const match = new RegExp(`^# ${heading.replaceAll('.', '\\.')}\\n([\\s\\S]*?)(?=^# |$(?![\\s\\S]))`, 'm').exec(bundle);
  return match?.[1].trim();
}

describe('--name help of the commands that take --type', () => {
  const manifest = JSON.parse(readFileSync(join(REPO_ROOT, 'oclif.manifest.json'), 'utf8')) as Manifest;
  const kindAware = Object.entries(manifest.commands).filter(([, c]) => 'type' in c.flags && 'name' in c.flags);

  it('finds the commands (doctor among them)', () => {
    expect(kindAware.map(([id]) => id)).to.include('connectedapp:doctor');
  });

  for (const [id] of kindAware) {
    it(`${id}: --name and the description word both kinds of app`, () => {
      const bundle = readFileSync(join(REPO_ROOT, 'messages', `${id.replaceAll(':', '.')}.md`), 'utf8');
      const texts = [section(bundle, 'flags.name.summary'), section(bundle, 'flags.name.description'), section(bundle, 'description')].filter((t): t is string => t !== undefined);
      expect(texts.length, 'no --name summary').to.be.greaterThan(0);
      for (const text of texts) {
        if (text.includes('0H4')) expect(text, `${id}: 0H4 without 0xI`).to.include('0xI');
        expect(text, `${id}: "of the connected app" only`).to.not.match(/\bof the connected app\b(?! or External Client App)(?! \(0H4…\) or External Client App)/);
      }
    });
  }
});
