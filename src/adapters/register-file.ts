/*
 * Reading and writing the register file. JSON or YAML, told apart by the extension (.json; .yaml/.yml), else by
 * trying JSON first. YAML goes through the `yaml` library (loaded only when a YAML file is read or written), in
 * its core schema: no custom tags, no code, duplicate keys refused, aliases capped (no "billion laughs").
 */
import { readFile, writeFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { parseRegisterData, RegisterError, type AppRegister } from '../domain/audit/register.js';

export class RegisterFileError extends Error {
  public constructor(public readonly path: string, public readonly reason: string) {
    super(`${path}: ${reason}`);
    this.name = 'RegisterFileError';
  }
}

const isYamlPath = (path: string): boolean => ['.yaml', '.yml'].includes(extname(path).toLowerCase());

async function parseYaml(text: string): Promise<unknown> {
  const { parseDocument } = await import('yaml');
  const doc = parseDocument(text, { uniqueKeys: true, prettyErrors: true, schema: 'core' });
  // Warnings too: an unknown tag (e.g. !!js/function) would otherwise be read as a plain string.
  const problems = [...doc.errors, ...doc.warnings];
  if (problems.length > 0) {
    const e = problems[0];
    const where = e.linePos?.[0] ? `line ${e.linePos[0].line}, column ${e.linePos[0].col}: ` : '';
    throw new RegisterError([{ path: '$', problem: 'not-parsable', detail: `${where}${e.message.split('\n')[0]}` }]);
  }
  return doc.toJS({ maxAliasCount: 100 });
}

/** The register in a file. Throws RegisterFileError (unreadable) or RegisterError (invalid content). */
export async function readRegisterFile(path: string): Promise<AppRegister> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new RegisterFileError(path, error instanceof Error ? error.message : String(error));
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  let data: unknown;
  if (isYamlPath(path)) data = await parseYaml(text);
  else {
    try {
      data = JSON.parse(text);
    } catch (error) {
      if (extname(path).toLowerCase() === '.json') throw new RegisterError([{ path: '$', problem: 'not-parsable', detail: error instanceof Error ? error.message : String(error) }]);
      data = await parseYaml(text);
    }
  }
  return parseRegisterData(data);
}

export type RegisterDraftApp = { app: string; label: string; id: string };

/**
 * Writes a register to complete: every app with owner, criticality, justification and nextReview empty. YAML
 * carries a comment saying what to fill in; JSON points at the schema. Refuses to overwrite unless `force`.
 */
export async function writeRegisterDraft(path: string, apps: readonly RegisterDraftApp[], comment: string, force: boolean): Promise<'yaml' | 'json'> {
  const entries = apps.map((a) => ({ app: a.app, label: a.label, id: a.id, owner: null, criticality: null, justification: null, nextReview: null }));
  const yaml = isYamlPath(path) || extname(path) === '';
  let text: string;
  if (yaml) {
    const { Document } = await import('yaml');
    const doc = new Document({ version: 1, apps: entries });
    doc.commentBefore = comment
      .split('\n')
      .map((l) => ` ${l}`)
      .join('\n');
    text = doc.toString({ nullStr: '' });
  } else {
    text = `${JSON.stringify({ $schema: 'https://github.com/plugin-connectedapp/schemas/files/connectedapp-register.json', version: 1, apps: entries }, null, 2)}\n`;
  }
  try {
    await writeFile(path, text, { flag: force ? 'w' : 'wx' });
  } catch (error) {
    throw new RegisterFileError(path, error instanceof Error ? error.message : String(error));
  }
  return yaml ? 'yaml' : 'json';
}
