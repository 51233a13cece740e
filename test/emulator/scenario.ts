/*
 * The scenario format: a JSON description of an org (see scenario.schema.json and README.md).
 * Everything refers to other things by name (username, profile name, permission set API name, app name);
 * the emulator allocates ids deterministically unless an id is given.
 */
import { readFileSync, existsSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { findField, findObject } from './schema.js';

export type IpRangeSpec = { start: string; end: string; description?: string };

export type OrgSpec = {
  /** 18- (or 15-) character org id starting with 00D; default derived. */
  id?: string;
  name: string;
  /** Organization.OrganizationType, e.g. "Enterprise Edition", "Developer Edition", "Professional Edition". */
  edition?: string;
  instanceName?: string;
  isSandbox?: boolean;
  namespacePrefix?: string | null;
  /** ISO-8601 or relative ("+20d"). */
  trialExpirationDate?: string | null;
  country?: string;
  /** Highest API version the org serves (GET /services/data lists 20.0 .. this). Default 67.0. */
  apiVersion?: string;
  /**
   * Pins the org's clock (ISO-8601). Without it the org's clock is the machine's, so relative scenario dates ("-3d") and
   * `*DaysAgo` numbers mean the same story on any day. Everything relative is computed from the clock at start.
   */
  now?: string;
  /**
   * Licensed features. `eventMonitoring` (Shield / Event Monitoring add-on) unlocks all event types and hourly files and
   * keeps event log files 30 days instead of 1.
   */
  features?: { eventMonitoring?: boolean };
  /** Days event log files are kept after their CreatedDate (Event Monitoring only, up to 365; default 30, 1 without it). */
  eventLogRetentionDays?: number;
  /** Serve hourly files without Event Monitoring (default false — guess: undocumented for free orgs; GUESSES.md). */
  hourlyWithoutEventMonitoring?: boolean;
  /**
   * OauthToken aggregates (GROUP BY, COUNT(field)…) over all tokens (default) or over the first 2,500 rows only, as the
   * row cap might apply to them (guess: undocumented, reference open question 14; GUESSES.md).
   */
  oauthTokenAggregates?: 'all' | 'capped';
  /** sObjects that answer INVALID_TYPE (not licensed / not enabled), e.g. ["LoginIpRange"]. */
  unavailableObjects?: string[];
  /** Username of the user the access token belongs to (default: the first active user with ModifyAllData). */
  currentUser?: string;
  apiUsage?: { used?: number; max?: number };
  /** Whether SetupEntityAccess rows may be created under profile-owned permission sets (default accept). */
  profileSetupEntityAccess?: 'accept' | 'refuse';
  /**
   * The org setting "Allow Access to OAuth Consumer Secrets via Metadata API" that the ECA OAuth settings types need
   * (reference §7). Default on; off: listMetadata / readMetadata of ExtlClntAppOauthSettings and
   * ExtlClntAppGlobalOauthSettings are refused.
   */
  ecaOauthSettingsAccess?: boolean;
  /**
   * What updateMetadata does with an app's profile / permission set assignments when the sent component has no
   * profileName / permissionSetName element at all: keep them (default — guess: the docs say an *empty* element
   * removes all, which implies that no element keeps them) or remove them (strict replacement).
   */
  omittedAssignmentsOnUpdate?: 'keep' | 'remove';
  /**
   * How updateMetadata answers a component that does not match the WSDL (element order, unknown element, bad enum /
   * boolean / int): a soapenv:Client fault for the whole call (default — guess: the SOAP deserialiser runs first) or
   * a per-component INVALID_FIELD error.
   */
  metadataSchemaErrors?: 'fault' | 'record';
  /**
   * Whether createMetadata may create a ConnectedApp. Since Spring '26 customers cannot create connected apps, through
   * the UI or any API including the Metadata API (reference §7), so the default is 'blocked'; 'allowed' is an org where
   * Salesforce Support turned creation back on.
   */
  connectedAppCreation?: 'blocked' | 'allowed';
  /**
   * The statusCode of a duplicate SetupEntityAccess insert (default DUPLICATE_VALUE — guess: undocumented, reference
   * open question 4; GUESSES.md S2).
   */
  duplicateInsertCode?: string;
  /**
   * What POST /services/oauth2/revoke answers for a token the org does not know (already revoked or expired):
   * 400 invalid_token (default — guess) or 200, as RFC 7009 §2.2 has it ('ok'; GUESSES.md O2).
   */
  revokeUnknownToken?: 'invalid_token' | 'ok';
  /**
   * The AppName an External Client App's OAuth tokens carry: its label (default — guess: OauthToken.AppName is
   * documented as the app's label) or its API name (GUESSES.md E10).
   */
  ecaTokenAppName?: 'label' | 'apiName';
  /**
   * Optional objects and fields (schemas/sobjects.json) this org has (true) or lacks (false), e.g.
   * { "LoginIpRange": true, "PermissionSet.PermissionsCanApproveUninstalledApps": false, "Profile.PermissionsCanApproveUninstalledApps": false }.
   */
  optionalSchema?: Record<string, boolean>;
};

export type ProfileSpec = {
  /** Display name (Profile.Name), as used in ConnectedApp profileName. */
  name: string;
  /** Metadata API name (fullName); default "Admin" for System Administrator, "Standard" for Standard User, else the name. */
  fullName?: string;
  id?: string;
  userLicense?: string;
  userType?: string;
  description?: string;
  custom?: boolean;
  /** User permissions granted, API names without the "Permissions" prefix (e.g. "ModifyAllData", "ApiUserOnly"). */
  permissions?: string[];
  loginIpRanges?: IpRangeSpec[];
};

export type PermissionSetSpec = {
  /** API name (PermissionSet.Name), without namespace. */
  name: string;
  label?: string;
  id?: string;
  /** Namespace of a managed package: the permission set is then managed (read-only for SetupEntityAccess writes). */
  namespace?: string;
  description?: string;
  permissions?: string[];
  license?: string;
};

export type PermissionSetGroupSpec = {
  /** DeveloperName. */
  name: string;
  label?: string;
  id?: string;
  namespace?: string;
  /** Component permission set API names. */
  permissionSets: string[];
};

export type UserSpec = {
  username: string;
  firstName?: string;
  lastName?: string;
  email?: string;
  /** Profile display name. */
  profile: string;
  active?: boolean;
  id?: string;
  userType?: string;
  /** Permission set API names. */
  permissionSets?: string[];
  permissionSetGroups?: string[];
  lastLoginDaysAgo?: number;
  /** UserLogin.IsFrozen: an administrator froze the user's login (default false). */
  frozen?: boolean;
};

export type ConnectedAppSpec = {
  /** Developer (API) name, without namespace. fullName in the Metadata API is `ns__name` for managed apps. */
  name: string;
  /** Display label; default: the metadata's label, else the name. ConnectedApplication.Name and OauthToken.AppName carry it. */
  label?: string;
  id?: string;
  namespace?: string;
  /** false: not installed — no ConnectedApplication / AppMenuItem row and no metadata, but tokens and events may reference it. */
  installed?: boolean;
  /** FileProperties.id in listMetadata: the ConnectedApplication id (same, default), another id (different) or empty (absent). */
  listMetadataId?: 'same' | 'different' | 'absent';
  /** false: the app is not returned by listMetadata / readMetadata at all (e.g. an app installed from the OAuth usage page). */
  inMetadataApi?: boolean;
  /** ConnectedApp metadata XML (a whole `<ConnectedApp>` document). Its profileName / permissionSetName become SetupEntityAccess rows. */
  metadata?: string;
  /** Path of a ConnectedApp XML file, relative to the scenario file. */
  metadataFile?: string;
  /** The stored consumer secret (never returned by reads). */
  consumerSecret?: string;
  createdBy?: string;
  createdDaysAgo?: number;
  lastModifiedBy?: string;
  lastModifiedDaysAgo?: number;
  /** Field overrides for the ConnectedApplication row (applied after the values derived from the metadata). */
  sobject?: Record<string, unknown>;
};

/**
 * An External Client App: its metadata files (any of the five ECA types in schemas/metadata-types.json), read and
 * checked against the WSDL when the scenario loads, and the SetupEntityAccess rows that give access to it.
 */
export type ExternalClientAppSpec = {
  /** Developer name: the ExternalClientApplication fullName and what each part's externalClientApplication names. */
  name: string;
  /** Default: the header file's label, else the name. */
  label?: string;
  id?: string;
  /** ECA metadata files, relative to the scenario file; each part's fullName is its file name without the suffix. */
  metadataFiles?: string[];
  /** Profile display names / permission set API names (or labels) given access (SetupEntityType ExternalClientApplication). */
  profiles?: string[];
  permissionSets?: string[];
  /** The stored consumer secret (never returned by reads). */
  consumerSecret?: string;
  createdBy?: string;
  createdDaysAgo?: number;
  lastModifiedDaysAgo?: number;
  /**
   * The app makes API calls: every generated ApiTotalUsage and RestApi file that lists all apps ("*" or no `apps`)
   * gets rows for it, CONNECTED_APP_ID its Id and CONNECTED_APP_NAME its label, beside the file's other rows (which
   * stay as they were). `share`: its rows as a share of the file's other rows (default 0.05, at least one row);
   * `users`: who calls (default: the active users its profiles and permission sets give access, else anyone). A file
   * that names the app in its `apps` gets its rows in any case.
   */
  apiCalls?: { share?: number; users?: string[] };
};

export type AssignmentSpec = {
  app: string;
  /** Profile display names. */
  profiles?: string[];
  /** Permission set API names (or labels). */
  permissionSets?: string[];
};

export type DayRange = [number, number];

/** One explicit token, or generated tokens when `count` / `perUser` is given. */
export type OauthTokenSpec = {
  app: string;
  /** Explicit: the token's user. */
  user?: string;
  /** Generated: users to spread the tokens over (default: all active users). */
  users?: string[];
  /** Generated: total tokens for the app. */
  count?: number;
  /** Generated: tokens per user. */
  perUser?: number;
  createdDaysAgo?: number | DayRange;
  /** null: never used. */
  lastUsedDaysAgo?: number | DayRange | null;
  useCount?: number | DayRange;
  deleteToken?: string;
  accessToken?: string;
};

/** One explicit LoginHistory row (user + loginTime), or generated rows when `count` is given. */
export type LoginHistorySpec = {
  user?: string;
  users?: string[];
  count?: number;
  /** LoginHistory.Application: the connected app name for OAuth logins, "Browser" for UI logins. */
  application?: string;
  loginType?: string;
  loginSubType?: string;
  /** ISO-8601 or relative ("-2h"). */
  loginTime?: string;
  withinDays?: number;
  sourceIp?: string;
  sourceIps?: string[];
  status?: string;
  apiType?: string;
  apiVersion?: string;
  browser?: string;
  platform?: string;
  loginUrl?: string;
};

export type EventLogFileSpec = {
  eventType: string;
  interval?: 'Daily' | 'Hourly';
  /** Log dates (YYYY-MM-DD or relative days such as "-1d"), or a range; default: the 7 days before `now`. */
  dates?: string[] | { from: string; to: string };
  /** Hourly: hours of the day that have a file (default 0..23). */
  hours?: number[];
  /** Rows per file. */
  rows?: number;
  /** Target size per file in bytes (rows are added until the file reaches it). */
  bytes?: number;
  /**
   * App names appearing in the rows ("*" = all apps, default all installed and uninstalled apps, and the External
   * Client Apps whose spec has `apiCalls`). An External Client App named here gets rows as with `apiCalls`.
   */
  apps?: string[];
  /** Share of rows not made through a connected app (UI / internal traffic). Default 0.2. */
  nonAppShare?: number;
  users?: string[];
  ipPool?: string[];
  /** Dates (YYYY-MM-DD or relative, as in `dates`) that have two versions of their file, the second one created later. */
  duplicateDates?: string[];
  /** Given rows (column → value) instead of generated ones; the file gets exactly these rows. */
  data?: Array<Record<string, string>>;
  /** Given CSV content (inline) or file (relative to the scenario), header row included. */
  csv?: string;
  csvFile?: string;
  apiVersion?: string;
  seed?: number;
};

export type Scenario = {
  $schema?: string;
  name?: string;
  description?: string;
  seed?: number;
  org: OrgSpec;
  profiles?: ProfileSpec[];
  permissionSets?: PermissionSetSpec[];
  permissionSetGroups?: PermissionSetGroupSpec[];
  users?: UserSpec[];
  connectedApps?: ConnectedAppSpec[];
  externalClientApps?: ExternalClientAppSpec[];
  assignments?: AssignmentSpec[];
  oauthTokens?: OauthTokenSpec[];
  loginHistory?: LoginHistorySpec[];
  eventLogFiles?: EventLogFileSpec[];
};

const RELATIVE = /^(?:now)?\s*(?:([+-]\d+(?:\.\d+)?)\s*([dhm]))?$/i;
const UNIT_MS: Record<string, number> = { d: 86_400_000, h: 3_600_000, m: 60_000 };

/** Whether a scenario date is relative to the org's clock: "now", "-3d", "-2h", "+30m", "now-1.5d". */
export function isRelative(value: string): boolean {
  return value.trim() !== '' && RELATIVE.test(value.trim());
}

/**
 * A scenario instant in epoch ms: relative ("-3d", "-2h", "now") from `baseMs`, or absolute (ISO-8601; a bare
 * YYYY-MM-DD is UTC midnight). NaN when it is neither.
 */
export function resolveInstant(value: string, baseMs: number): number {
  const m = RELATIVE.exec(value.trim());
  if (m && value.trim() !== '') {
    const [, amount, unit] = m as unknown as [string, string | undefined, string | undefined];
    return amount === undefined || unit === undefined ? baseMs : baseMs + Number(amount) * UNIT_MS[unit.toLowerCase()];
  }
  return Date.parse(/^\d{4}-\d{2}-\d{2}$/.test(value.trim()) ? `${value.trim()}T00:00:00Z` : value);
}

/** A scenario day as YYYY-MM-DD (UTC): relative days ("-1d") from `baseMs`, or the date as given. */
export function resolveDay(value: string, baseMs: number): string {
  return new Date(resolveInstant(value, baseMs)).toISOString().slice(0, 10);
}

/** A scenario plus the directory its relative paths are resolved against. */
export type LoadedScenario = { scenario: Scenario; baseDir: string };

export const SCENARIO_DIR = join(dirname(fileURLToPath(import.meta.url)), 'scenarios');

export class ScenarioError extends Error {
  public constructor(message: string) {
    super(message);
    this.name = 'ScenarioError';
  }
}

/**
 * Loads a scenario: a name of a shipped scenario ("demo", "empty"), a path to a JSON file, or an object
 * (relative paths in an object are resolved against `baseDir`, default the shipped scenario directory).
 */
export function loadScenario(source: string | Scenario, baseDir = SCENARIO_DIR): LoadedScenario {
  if (typeof source !== 'string') {
    validateScenario(source);
    return { scenario: source, baseDir };
  }
  const file =
    source.endsWith('.json') || source.includes('/') || source.includes('\\')
      ? resolve(source)
      : join(SCENARIO_DIR, `${source}.json`);
  if (!existsSync(file)) throw new ScenarioError(`scenario not found: ${source} (looked for ${file})`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new ScenarioError(`scenario ${file} is not valid JSON: ${(e as Error).message}`);
  }
  const scenario = parsed as Scenario;
  validateScenario(scenario);
  return { scenario, baseDir: dirname(file) };
}

export function readRelative(baseDir: string, path: string): string {
  return readFileSync(isAbsolute(path) ? path : join(baseDir, path), 'utf8');
}

/** Structural checks with readable messages (the JSON schema documents the same rules for editors). */
export function validateScenario(s: Scenario): void {
  const fail = (msg: string): never => {
    throw new ScenarioError(`invalid scenario${s.name ? ` "${s.name}"` : ''}: ${msg}`);
  };
  if (typeof s !== 'object' || (s as unknown) === null) fail('not an object');
  if (typeof s.org !== 'object' || typeof s.org.name !== 'string') fail('org.name is required');
  if (s.org.id !== undefined && !/^00D[a-zA-Z0-9]{12}([a-zA-Z0-9]{3})?$/.test(s.org.id)) fail(`org.id ${s.org.id} is not an org id`);
  if (s.org.now !== undefined && (isRelative(s.org.now) || Number.isNaN(Date.parse(s.org.now)))) fail(`org.now ${s.org.now} is not an ISO-8601 date`);
  const badDate = (v: string): boolean => Number.isNaN(resolveInstant(v, 0));
  if (typeof s.org.trialExpirationDate === 'string' && badDate(s.org.trialExpirationDate)) fail(`org.trialExpirationDate ${s.org.trialExpirationDate} is not a date`);
  const retention = s.org.eventLogRetentionDays;
  if (retention !== undefined && (!Number.isInteger(retention) || retention < 1 || retention > 365)) fail('org.eventLogRetentionDays must be a whole number of days, 1 to 365');
  if (retention !== undefined && retention !== 1 && s.org.features?.eventMonitoring !== true) fail('org.eventLogRetentionDays: without Event Monitoring event log files are kept 1 day');
  if (s.org.apiVersion !== undefined && !/^\d{2}\.0$/.test(s.org.apiVersion)) fail(`org.apiVersion ${s.org.apiVersion} must look like 67.0`);
  for (const key of Object.keys(s.org.optionalSchema ?? {})) {
    const [objectName, fieldName] = key.split('.') as [string, string | undefined];
    const def = findObject(objectName);
    const f = def && fieldName !== undefined ? findField(def, fieldName) : undefined;
    if (!def || (fieldName !== undefined && !f)) fail(`org.optionalSchema: unknown object or field "${key}"`);
    if (!(fieldName === undefined ? def?.optional : f?.optional)) fail(`org.optionalSchema: "${key}" is not optional in schemas/sobjects.json`);
  }
  const unique = (kind: string, names: string[]): Set<string> => {
    const seen = new Set<string>();
    for (const n of names) {
      if (seen.has(n)) fail(`duplicate ${kind} "${n}"`);
      seen.add(n);
    }
    return seen;
  };
  const profiles = unique('profile', (s.profiles ?? []).map((p) => p.name));
  profiles.add('System Administrator'); // always present (added when the scenario does not define it)
  const permsets = unique('permission set', (s.permissionSets ?? []).map((p) => (p.namespace ? `${p.namespace}__${p.name}` : p.name)));
  const psLabels = new Set((s.permissionSets ?? []).flatMap((p) => [p.label ?? p.name, p.name]));
  const groups = unique('permission set group', (s.permissionSetGroups ?? []).map((g) => g.name));
  const users = unique('user', (s.users ?? []).map((u) => u.username));
  const apps = unique('connected app', (s.connectedApps ?? []).map((a) => (a.namespace ? `${a.namespace}__${a.name}` : a.name)));
  const appNames = new Set([...apps, ...(s.connectedApps ?? []).map((a) => a.name), ...(s.connectedApps ?? []).map((a) => a.label ?? a.name)]);
  const needPs = (where: string, n: string): void => {
    if (!permsets.has(n) && !psLabels.has(n)) fail(`${where}: unknown permission set "${n}"`);
  };
  for (const g of s.permissionSetGroups ?? []) for (const p of g.permissionSets) needPs(`permission set group ${g.name}`, p);
  for (const u of s.users ?? []) {
    if (!profiles.has(u.profile)) fail(`user ${u.username}: unknown profile "${u.profile}"`);
    for (const p of u.permissionSets ?? []) needPs(`user ${u.username}`, p);
    for (const g of u.permissionSetGroups ?? []) if (!groups.has(g)) fail(`user ${u.username}: unknown permission set group "${g}"`);
  }
  if (s.org.currentUser !== undefined && !users.has(s.org.currentUser)) fail(`org.currentUser: unknown user "${s.org.currentUser}"`);
  for (const a of s.connectedApps ?? []) {
    if (a.metadata !== undefined && a.metadataFile !== undefined) fail(`connected app ${a.name}: give metadata or metadataFile, not both`);
    if (a.installed === false && (a.metadata !== undefined || a.metadataFile !== undefined)) fail(`connected app ${a.name}: an uninstalled app has no metadata`);
  }
  unique('external client app', (s.externalClientApps ?? []).map((a) => a.name));
  for (const a of s.externalClientApps ?? []) {
    for (const p of a.profiles ?? []) if (!profiles.has(p)) fail(`external client app ${a.name}: unknown profile "${p}"`);
    for (const p of a.permissionSets ?? []) needPs(`external client app ${a.name}`, p);
    if (a.createdBy !== undefined && !users.has(a.createdBy)) fail(`external client app ${a.name}: unknown user "${a.createdBy}"`);
    const share = a.apiCalls?.share;
    if (share !== undefined && !(share > 0 && share <= 1)) fail(`external client app ${a.name}: apiCalls.share must be more than 0 and at most 1`);
    for (const u of a.apiCalls?.users ?? []) if (!users.has(u)) fail(`external client app ${a.name}: unknown user "${u}"`);
  }
  const ecaNames = new Set((s.externalClientApps ?? []).flatMap((a) => [a.name, a.label ?? a.name]));
  for (const as of s.assignments ?? []) {
    if (!appNames.has(as.app)) fail(`assignment: unknown app "${as.app}"`);
    for (const p of as.profiles ?? []) if (!profiles.has(p)) fail(`assignment of ${as.app}: unknown profile "${p}"`);
    for (const p of as.permissionSets ?? []) needPs(`assignment of ${as.app}`, p);
  }
  const needUser = (where: string, u: string): void => {
    if (!users.has(u)) fail(`${where}: unknown user "${u}"`);
  };
  for (const t of s.oauthTokens ?? []) {
    if (!appNames.has(t.app) && !ecaNames.has(t.app)) fail(`oauth token: unknown app "${t.app}"`);
    const generated = t.count !== undefined || t.perUser !== undefined;
    if (!generated && t.user === undefined) fail(`oauth token for ${t.app}: give user (explicit) or count/perUser (generated)`);
    if (t.user !== undefined) needUser(`oauth token for ${t.app}`, t.user);
    for (const u of t.users ?? []) needUser(`oauth tokens for ${t.app}`, u);
  }
  for (const l of s.loginHistory ?? []) {
    if (l.count === undefined && (l.user === undefined || l.loginTime === undefined)) fail('login history: give user + loginTime (explicit) or count (generated)');
    if (l.user !== undefined) needUser('login history', l.user);
    for (const u of l.users ?? []) needUser('login history', u);
  }
  for (const l of s.loginHistory ?? []) if (l.loginTime !== undefined && badDate(l.loginTime)) fail(`login history: loginTime ${l.loginTime} is not a date`);
  for (const f of s.eventLogFiles ?? []) {
    if (typeof f.eventType !== 'string') fail('event log file: eventType is required');
    const days = f.dates === undefined ? [] : Array.isArray(f.dates) ? f.dates : [f.dates.from, f.dates.to];
    for (const d of [...days, ...(f.duplicateDates ?? [])]) if (badDate(d)) fail(`event log file ${f.eventType}: ${d} is not a date`);
    for (const a of f.apps ?? []) if (a !== '*' && !appNames.has(a) && !ecaNames.has(a)) fail(`event log file ${f.eventType}: unknown app "${a}"`);
    for (const u of f.users ?? []) needUser(`event log file ${f.eventType}`, u);
    const given = [f.data, f.csv, f.csvFile].filter((x) => x !== undefined).length;
    if (given > 1) fail(`event log file ${f.eventType}: give at most one of data, csv, csvFile`);
  }
}
