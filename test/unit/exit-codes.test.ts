/*
 * The ERROR CODES help section of every command: from src/exit-codes.ts, one entry per code.
 */
import { readdirSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { expect } from 'chai';
import { EXIT } from '../../src/exit-codes.js';

const COMMANDS = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', 'src', 'commands');

type Section = { header: string; body: Array<{ name: string; description: string }> };

function commandFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? commandFiles(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []));
}

const codesOf = (section: Section): number[] => section.body.map((entry) => Number(/\((\d+)\)$/.exec(entry.name)?.[1]));

describe('exit codes in every command help', () => {
  const commands = commandFiles(COMMANDS);

  it('every command has an ERROR CODES section, each code listed once, in order', async () => {
    expect(commands.length).to.be.greaterThan(10);
    for (const file of commands) {
      const name = relative(COMMANDS, file);
      const command = ((await import(pathToFileURL(file).href)) as { default: { errorCodes?: Section } }).default;
      expect(command.errorCodes?.header, name).to.equal('ERROR CODES');
      const codes = codesOf(command.errorCodes as Section);
      expect(codes, name).to.deep.equal([...new Set(codes)].sort((a, b) => a - b));
      expect(codes.slice(0, 3), name).to.deep.equal([EXIT.ok, EXIT.error, EXIT.usage]);
      for (const code of codes) expect(Object.values(EXIT), `${name}: ${code}`).to.include(code);
    }
  });

  it('doctor lists 1 once, saying both what it means for any command and for doctor', async () => {
    const doctor = (await import('../../src/commands/connectedapp/doctor.js')).default.errorCodes as Section;
    const ones = doctor.body.filter((entry) => entry.name.endsWith('(1)'));
    expect(ones.map((entry) => entry.name)).to.deep.equal(['Failed / Cannot use (1)']);
    expect(ones[0].description).to.match(/command failed/).and.to.match(/cannot use the app/);
    expect(codesOf(doctor)).to.deep.equal([0, 1, 2, 4, 10]);
  });

  it('commands that contact an org list 10; migrate, which works on files only, does not', async () => {
    const migrate = (await import('../../src/commands/connectedapp/migrate.js')).default.errorCodes as Section;
    expect(codesOf(migrate)).to.deep.equal([0, 1, 2, 68]);
    const registerInit = (await import('../../src/commands/connectedapp/register/init.js')).default.errorCodes as Section;
    expect(codesOf(registerInit)).to.deep.equal([0, 1, 2, 10]);
  });
});
