/*
 * The register of approved connected apps (the system of record of SBS-OAUTH-003): one entry per app with an
 * owner, a criticality, a justification and the date of its next review, and for high-criticality apps a record
 * of the vendor due diligence (SBS-OAUTH-004). Read from YAML or JSON (schemas/file-connectedapp-register.json),
 * validated strictly with the path of every problem; `sf connectedapp register init` writes one from the org.
 */
import type { AuditApp, AuditInventory } from './model.js';
import { id15, normaliseName } from '../names.js';

export const REGISTER_VERSION = 1;
export const CRITICALITIES = ['low', 'medium', 'high', 'critical'] as const;
export type Criticality = (typeof CRITICALITIES)[number];

export type DueDiligence = {
  /** When the vendor's documents were last reviewed (YYYY-MM-DD). */
  reviewed: string | null;
  /** Documents on file (terms of use, privacy policy, trust center, security guidelines…). */
  documents: string[];
  /** Documents the vendor does not publish, recorded as missing (SBS-OAUTH-004 asks for that explicitly). */
  missing: string[];
};

export type RegisterEntry = {
  /** API name, label or Id of the app. */
  app: string;
  /** The ConnectedApplication Id (0H4…), when known: matches even after a rename. */
  id: string | null;
  owner: string | null;
  criticality: Criticality | null;
  justification: string | null;
  /** The date by which the entry must be reviewed again (YYYY-MM-DD). */
  nextReview: string | null;
  dueDiligence: DueDiligence | null;
};

export type AppRegister = { version: typeof REGISTER_VERSION; apps: RegisterEntry[] };

export type RegisterProblemKind = 'not-parsable' | 'not-object' | 'missing' | 'not-string' | 'not-string-array' | 'unknown-key' | 'bad-value' | 'bad-date' | 'duplicate';
export type RegisterProblem = { path: string; problem: RegisterProblemKind; detail?: string };

export class RegisterError extends Error {
  public constructor(public readonly problems: RegisterProblem[]) {
    super(problems.map((p) => `${p.path}: ${p.problem}${p.detail ? ` (${p.detail})` : ''}`).join('; '));
    this.name = 'RegisterError';
  }
}

const TOP_KEYS = new Set(['$schema', 'version', 'apps']);
const ENTRY_KEYS = new Set(['app', 'label', 'id', 'owner', 'criticality', 'justification', 'nextReview', 'lastReviewed', 'dueDiligence', 'notes']);
const DILIGENCE_KEYS = new Set(['reviewed', 'documents', 'missing']);
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** A YYYY-MM-DD that is a real day. YAML reads unquoted dates as Date objects: those are accepted too. */
function dateValue(value: unknown): string | undefined {
  if (value instanceof Date && !Number.isNaN(value.getTime())) return value.toISOString().slice(0, 10);
  if (typeof value !== 'string') return undefined;
  const m = DATE.exec(value);
  if (!m) return undefined;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return d.getUTCDate() === Number(m[3]) && d.getUTCMonth() === Number(m[2]) - 1 ? value : undefined;
}

/** Validates parsed YAML/JSON. Throws RegisterError listing every problem. */
export function parseRegisterData(data: unknown): AppRegister {
  const problems: RegisterProblem[] = [];
  if (!isRecord(data)) throw new RegisterError([{ path: '$', problem: 'not-object' }]);
  for (const key of Object.keys(data)) if (!TOP_KEYS.has(key)) problems.push({ path: `$.${key}`, problem: 'unknown-key' });
  if (data.version !== undefined && data.version !== REGISTER_VERSION) problems.push({ path: '$.version', problem: 'bad-value', detail: `expected ${REGISTER_VERSION}` });
  if (!Array.isArray(data.apps)) {
    problems.push({ path: '$.apps', problem: 'missing' });
    throw new RegisterError(problems);
  }
  const text = (entry: Record<string, unknown>, key: string, path: string): string | null => {
    const value = entry[key];
    if (value === undefined || value === null) return null;
    if (typeof value !== 'string') {
      problems.push({ path: `${path}.${key}`, problem: 'not-string' });
      return null;
    }
    return value.trim() === '' ? null : value.trim();
  };
  const strings = (entry: Record<string, unknown>, key: string, path: string): string[] => {
    const value = entry[key];
    if (value === undefined || value === null) return [];
    if (!Array.isArray(value) || value.some((v) => typeof v !== 'string')) {
      problems.push({ path: `${path}.${key}`, problem: 'not-string-array' });
      return [];
    }
    return value as string[];
  };
  const date = (entry: Record<string, unknown>, key: string, path: string): string | null => {
    const value = entry[key];
    if (value === undefined || value === null || value === '') return null;
    const day = dateValue(value);
    if (day === undefined) problems.push({ path: `${path}.${key}`, problem: 'bad-date', detail: 'YYYY-MM-DD' });
    return day ?? null;
  };
  const seen = new Map<string, number>();
  const apps = data.apps.map((raw: unknown, index): RegisterEntry => {
    const path = `$.apps[${index}]`;
    if (!isRecord(raw)) {
      problems.push({ path, problem: 'not-object' });
      return { app: '', id: null, owner: null, criticality: null, justification: null, nextReview: null, dueDiligence: null };
    }
    for (const key of Object.keys(raw)) if (!ENTRY_KEYS.has(key)) problems.push({ path: `${path}.${key}`, problem: 'unknown-key' });
    const app = text(raw, 'app', path);
    if (app === null && raw.app === undefined) problems.push({ path: `${path}.app`, problem: 'missing' });
    const key = normaliseName(app ?? '');
    if (app !== null && seen.has(key)) problems.push({ path: `${path}.app`, problem: 'duplicate', detail: `same app as $.apps[${seen.get(key) ?? 0}]` });
    seen.set(key, index);
    const criticalityText = text(raw, 'criticality', path);
    const criticality = criticalityText === null ? null : ((CRITICALITIES as readonly string[]).includes(criticalityText.toLowerCase()) ? (criticalityText.toLowerCase() as Criticality) : null);
    if (criticalityText !== null && criticality === null) problems.push({ path: `${path}.criticality`, problem: 'bad-value', detail: CRITICALITIES.join(', ') });
    text(raw, 'label', path);
    text(raw, 'notes', path);
    date(raw, 'lastReviewed', path);
    let dueDiligence: DueDiligence | null = null;
    if (raw.dueDiligence !== undefined && raw.dueDiligence !== null) {
      const dd = raw.dueDiligence;
      if (!isRecord(dd)) problems.push({ path: `${path}.dueDiligence`, problem: 'not-object' });
      else {
        for (const k of Object.keys(dd)) if (!DILIGENCE_KEYS.has(k)) problems.push({ path: `${path}.dueDiligence.${k}`, problem: 'unknown-key' });
        dueDiligence = { reviewed: date(dd, 'reviewed', `${path}.dueDiligence`), documents: strings(dd, 'documents', `${path}.dueDiligence`), missing: strings(dd, 'missing', `${path}.dueDiligence`) };
      }
    }
    return {
      app: app ?? '',
      id: text(raw, 'id', path),
      owner: text(raw, 'owner', path),
      criticality,
      justification: text(raw, 'justification', path),
      nextReview: date(raw, 'nextReview', path),
      dueDiligence,
    };
  });
  if (problems.length > 0) throw new RegisterError(problems);
  return { version: REGISTER_VERSION, apps };
}

/** The register entry of an app: by Id first, then by API name, label or key (names compared normalised). */
export function registerEntryFor(register: AppRegister, app: Pick<AuditApp, 'id' | 'key' | 'apiName' | 'label'>): RegisterEntry | undefined {
  if (app.id) {
    const byId = register.apps.find((e) => e.id !== null && id15(e.id) === id15(app.id ?? ''));
    if (byId) return byId;
  }
  const names = new Set([app.key, app.apiName, app.label].filter((n): n is string => !!n).map(normaliseName));
  return register.apps.find((e) => names.has(normaliseName(e.app)) || (e.id !== null && names.has(normaliseName(e.id))));
}

/** The inventory with the register as evidence (the register rules need it). */
export function withRegister(inventory: AuditInventory, register: AppRegister | undefined): AuditInventory {
  if (!register) return inventory;
  return { ...inventory, register, evidence: [...inventory.evidence, 'register'] };
}

/** A register listing the org's apps, to be completed by a person (owner, criticality, justification, review). */
export function registerFromApps(apps: ReadonlyArray<{ apiName: string | null; label: string; id: string }>): AppRegister {
  return {
    version: REGISTER_VERSION,
    apps: [...apps]
      .sort((a, b) => (a.apiName ?? a.label).localeCompare(b.apiName ?? b.label))
      .map((a) => ({ app: a.apiName ?? a.label, id: a.id, owner: null, criticality: null, justification: null, nextReview: null, dueDiligence: null })),
  };
}
