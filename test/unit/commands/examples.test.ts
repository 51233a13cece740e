/*
 * The `--help` examples (the `# examples` sections of messages/*.md) name only apps, permission sets, profiles and
 * users the demo org has (test/emulator/scenarios/demo.json, what `npm run emulator` serves), and only flags their
 * command has (oclif.manifest.json). Each example line is split as a shell would; the value of each flag that
 * names something is looked up in the demo scenario.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { REPO_ROOT } from '../../data-sets.js';
import { exampleArgs } from '../../example-args.js';

type Kind = 'app' | 'permission-set' | 'profile' | 'user';

/** The flags whose value names something in the org, and what it may name. */
const NAMING_FLAGS: Readonly<Record<string, readonly Kind[]>> = {
  name: ['app'],
  'permission-set': ['permission-set'],
  'assign-permission-set': ['permission-set'],
  profile: ['profile'],
  'assign-profile': ['profile'],
  // A holder of the app: a permission set (API name or label) or a profile.
  'keep-assignment': ['permission-set', 'profile'],
  username: ['user'],
};

type ManifestFlag = { name: string; char?: string; type: 'boolean' | 'option'; allowNo?: boolean };
type Manifest = { commands: Record<string, { flags: Record<string, ManifestFlag> }> };

type DemoScenario = {
  connectedApps: Array<{ name: string; label?: string }>;
  externalClientApps?: Array<{ name: string; label?: string }>;
  permissionSets: Array<{ name: string; label?: string }>;
  profiles: Array<{ name: string }>;
  users: Array<{ username: string }>;
};

/** The names the demo org answers to, per kind (API names and labels: the commands take either). */
function demoNames(demo: DemoScenario): Record<Kind, Set<string>> {
  const both = (items: ReadonlyArray<{ name: string; label?: string }>): string[] => items.flatMap((i) => (i.label ? [i.name, i.label] : [i.name]));
  return {
    app: new Set(both([...demo.connectedApps, ...(demo.externalClientApps ?? [])])),
    'permission-set': new Set(both(demo.permissionSets)),
    profile: new Set(demo.profiles.map((p) => p.name)),
    user: new Set(demo.users.map((u) => u.username)),
  };
}

type Example = { bundle: string; line: string };

/** Example command lines of every bundle: the lines of a `# examples` section that start with the bin. */
function helpExamples(dir: string): Example[] {
  const examples: Example[] = [];
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.md')).sort()) {
    const section = /^# examples\n([\s\S]*?)(?=^# )/m.exec(readFileSync(join(dir, file), 'utf8'))?.[1] ?? '';
    for (const raw of section.split('\n')) {
      const line = raw.trim();
      if (line.startsWith('<%= config.bin %>')) examples.push({ bundle: file.replace(/\.md$/, ''), line });
    }
  }
  return examples;
}

/** What is wrong with one example: flags its command lacks, names the demo org lacks. Empty when nothing is. */
function exampleProblems(example: Example, manifest: Manifest, names: Record<Kind, Set<string>>): string[] {
  const words = exampleArgs(example.line.replace('<%= config.bin %>', 'sf').replace('<%= command.id %>', example.bundle.replace(/\./g, ' ')));
  const firstFlag = words.findIndex((w) => w.startsWith('-'));
  const idWords = words.slice(1, firstFlag === -1 ? words.length : firstFlag);
  const id = idWords.join(':');
  const command = manifest.commands[id] as Manifest['commands'][string] | undefined;
  if (!command) return [`no command ${id}`];
  const flags = Object.values(command.flags);
  const problems: string[] = [];
  for (let i = 1 + idWords.length; i < words.length; i++) {
    const word = words[i];
    const [written, inline] = word.startsWith('--') ? word.slice(2).split(/=(.*)/s) : [word.slice(1), undefined];
    const flag = word.startsWith('--')
      ? flags.find((f) => f.name === written || (f.allowNo === true && `no-${f.name}` === written))
      : word.startsWith('-')
        ? flags.find((f) => f.char === written)
        : undefined;
    if (!flag) {
      problems.push(word.startsWith('-') ? `${id} has no flag ${word}` : `stray word "${word}"`);
      continue;
    }
    if (flag.type === 'boolean') continue;
    const value = inline ?? words[++i];
    const kinds = NAMING_FLAGS[flag.name] as readonly Kind[] | undefined;
    if (kinds && !kinds.some((kind) => names[kind].has(value))) problems.push(`--${flag.name} "${value}": the demo org has no ${kinds.join(' or ')} of that name`);
  }
  return problems;
}

describe('help examples name what the demo org has', () => {
  const manifest = JSON.parse(readFileSync(join(REPO_ROOT, 'oclif.manifest.json'), 'utf8')) as Manifest;
  const demo = JSON.parse(readFileSync(join(REPO_ROOT, 'test', 'emulator', 'scenarios', 'demo.json'), 'utf8')) as DemoScenario;
  const names = demoNames(demo);
  const examples = helpExamples(join(REPO_ROOT, 'messages'));

  it('finds an example for every command', () => {
    const withExamples = new Set(examples.map((e) => e.bundle.replace(/\./g, ':')));
    expect(Object.keys(manifest.commands).filter((id) => !withExamples.has(id))).to.deep.equal([]);
  });

  it('catches a name the demo org lacks, a flag the command lacks and a stray word (the checker itself)', () => {
    const bad = (line: string, bundle = 'connectedapp.assign'): string[] => exampleProblems({ bundle, line }, manifest, names);
    expect(bad('<%= config.bin %> <%= command.id %> --name Jenkins_CI --permission-set CI_Integration')).to.deep.equal([
      '--permission-set "CI_Integration": the demo org has no permission-set of that name',
    ]);
    expect(bad('<%= config.bin %> <%= command.id %> -n Mobile_App --profile "Integration User"')).to.deep.equal(['--name "Mobile_App": the demo org has no app of that name']);
    expect(bad('<%= config.bin %> <%= command.id %> --name Legacy_Data_Loader --snapshot-file x.json --keep-assignment Incident_Team', 'connectedapp.contain')).to.deep.equal([
      '--keep-assignment "Incident_Team": the demo org has no permission-set or profile of that name',
    ]);
    expect(bad('<%= config.bin %> <%= command.id %> --username ana@example.com', 'connectedapp.usage')).to.have.length(1);
    expect(bad('<%= config.bin %> <%= command.id %> --name Jenkins_CI --permset Jenkins_CI_Access')).to.deep.include('connectedapp:assign has no flag --permset');
    expect(bad('<%= config.bin %> <%= command.id %> --name Jenkins_CI --dry-run yes')).to.deep.equal(['stray word "yes"']);
    // API names and labels both count, and a boolean flag takes no value.
    expect(bad('<%= config.bin %> <%= command.id %> --name "Jenkins CI" --permission-set "Jenkins CI Access" --dry-run --profile "Standard User"')).to.deep.equal([]);
  });

  for (const example of examples) {
    it(`${example.bundle}: ${example.line.replace('<%= config.bin %> <%= command.id %>', '…')}`, () => {
      const problems = exampleProblems(example, manifest, names);
      expect(problems, problems.join('; ')).to.deep.equal([]);
    });
  }
});
