/*
 * The desired-state file for deployments: which permission sets and profiles must have access to
 * which apps (and, for `policy set --file`, each app's policy). Validated strictly, with the JSON path
 * of every problem, before anything else runs. Its JSON schema: schemas/file-connectedapp-desired-state.json.
 */
import { LONGEST_NAME, type NameKind } from '../names.js';
import { APP_KINDS, type AppKind } from '../policy/policy.js';

export type AppEntry = {
  /** Where the entry is in the file (`$.apps[3]`), to name it in messages. */
  at: string;
  app: string;
  /** The kind of app `app` names (as --type on the command line); both kinds when absent. */
  type?: AppKind;
  permissionSets: string[];
  profiles: string[];
  /** Desired policy controls, read by `policy set --file`; carried through untouched here. */
  policy?: Record<string, unknown>;
};

export type FileProblem = {
  path: string;
  problem: 'not-json' | 'not-object' | 'missing' | 'not-string' | 'not-string-array' | 'unknown-key' | 'empty' | 'too-long' | 'unknown-type';
  detail?: string;
};

export class AccessFileError extends Error {
  public constructor(public readonly problems: FileProblem[]) {
    super(problems.map((p) => `${p.path}: ${p.problem}${p.detail ? ` (${p.detail})` : ''}`).join('; '));
    this.name = 'AccessFileError';
  }
}

const ENTRY_KEYS = new Set(['app', 'type', 'permissionSets', 'profiles', 'policy']);

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** Parses the file's text. Throws AccessFileError listing every problem found. */
export function parseAccessFile(text: string): AppEntry[] {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new AccessFileError([{ path: '$', problem: 'not-json', detail: error instanceof Error ? error.message : String(error) }]);
  }
  const problems: FileProblem[] = [];
  if (!isRecord(data) || !Array.isArray(data.apps)) throw new AccessFileError([{ path: '$.apps', problem: 'missing' }]);
  for (const key of Object.keys(data)) if (key !== 'apps' && key !== '$schema') problems.push({ path: `$.${key}`, problem: 'unknown-key' });
  if (data.apps.length === 0) problems.push({ path: '$.apps', problem: 'empty' });

  const entries: AppEntry[] = [];
  (data.apps as unknown[]).forEach((raw, i) => {
    const at = `$.apps[${i}]`;
    if (!isRecord(raw)) {
      problems.push({ path: at, problem: 'not-object' });
      return;
    }
    for (const key of Object.keys(raw)) if (!ENTRY_KEYS.has(key)) problems.push({ path: `${at}.${key}`, problem: 'unknown-key' });
    if (typeof raw.app !== 'string' || raw.app.trim() === '') problems.push({ path: `${at}.app`, problem: raw.app === undefined ? 'missing' : 'not-string' });
    const list = (key: 'permissionSets' | 'profiles'): string[] => {
      const value = raw[key];
      if (value === undefined) return [];
      if (!Array.isArray(value) || !value.every((v) => typeof v === 'string' && v.trim() !== '')) {
        problems.push({ path: `${at}.${key}`, problem: 'not-string-array' });
        return [];
      }
      return value as string[];
    };
    const entry: AppEntry = { at, app: String(raw.app), permissionSets: list('permissionSets'), profiles: list('profiles') };
    if (raw.type !== undefined) {
      if (typeof raw.type === 'string' && (APP_KINDS as readonly string[]).includes(raw.type)) entry.type = raw.type as AppKind;
      else problems.push({ path: `${at}.type`, problem: 'unknown-type', detail: `${JSON.stringify(raw.type)} for "${String(raw.app)}"; use ${APP_KINDS.map((k) => `"${k}"`).join(' or ')}` });
    }
    // A name longer than the platform allows names nothing: refused here, before any matching.
    const tooLong = (path: string, name: string, kind: NameKind): void => {
      if (name.length > LONGEST_NAME[kind]) problems.push({ path, problem: 'too-long', detail: `${name.length} characters; at most ${LONGEST_NAME[kind]}` });
    };
    tooLong(`${at}.app`, entry.app, 'app');
    entry.permissionSets.forEach((name, j) => {
      tooLong(`${at}.permissionSets[${j}]`, name, 'permission-set');
    });
    entry.profiles.forEach((name, j) => {
      tooLong(`${at}.profiles[${j}]`, name, 'profile');
    });
    if (raw.policy !== undefined) {
      if (isRecord(raw.policy)) entry.policy = raw.policy;
      else problems.push({ path: `${at}.policy`, problem: 'not-object' });
    }
    entries.push(entry);
  });
  if (problems.length) throw new AccessFileError(problems);
  return entries;
}
