/*
 * The fault matrix: every command × every request it makes × every fault the org emulator injects.
 *
 * For each command a clean run lists the requests it makes; then, for each of those requests and each fault
 * kind, a fresh org gets that one request faulted and the command runs again. Every run must end with a known
 * exit code and a result (or a clean error) — never a crash. A read that meets a transient fault must still give
 * the clean run's answer (the transport retries). After a write command, what the org holds must match what the
 * command reported per item (nothing applied and reported failed, nothing half-written unreported), and a re-run
 * without faults must converge, then find nothing left to do.
 *
 * Two more passes for the write commands reach the paths that only exist under a fault:
 * - follow-up: the requests a faulted run makes that the clean run does not (the re-read and re-send after a lost
 *   write, the rollback DELETE, the metadata fallback, a retry) are faulted in turn, each with the first fault
 *   still in place, with error-after and drop-before;
 * - outage: from each request on (from the first write), the org stays down (503, or every connection dropped);
 *   at each write, also "applied, answer lost, then down".
 *
 * Commands run in-process (./in-process.ts) so that thousands of runs fit in a test run; what they print is
 * captured (the --json document must parse and carry the exit code as its status), not shown. The spawned e2e
 * tests cover what only a real process shows (a crash, --json through a pipe). Retries wait 10 ms instead of
 * 250 ms before the first retry (transport's retryBackoff): the runs are about what a fault does, not the wait.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import ConnectedAppAssign from '../../src/commands/connectedapp/assign.js';
import ConnectedAppAudit from '../../src/commands/connectedapp/audit.js';
import ConnectedAppDoctor from '../../src/commands/connectedapp/doctor.js';
import ConnectedAppContain, { type ConnectedAppContainResult } from '../../src/commands/connectedapp/contain.js';
import ConnectedAppRestore, { type ConnectedAppRestoreResult } from '../../src/commands/connectedapp/restore.js';
import ConnectedAppList from '../../src/commands/connectedapp/list.js';
import ConnectedAppLogsArchive from '../../src/commands/connectedapp/logs/archive.js';
import ConnectedAppPolicySet from '../../src/commands/connectedapp/policy/set.js';
import ConnectedAppPolicyShow from '../../src/commands/connectedapp/policy/show.js';
import ConnectedAppRegisterInit from '../../src/commands/connectedapp/register/init.js';
import ConnectedAppRevoke from '../../src/commands/connectedapp/revoke.js';
import ConnectedAppUnassign from '../../src/commands/connectedapp/unassign.js';
import ConnectedAppUsage from '../../src/commands/connectedapp/usage.js';
import { retryBackoff } from '../../src/adapters/transport.js';
import { parseSnapshot } from '../../src/domain/incident/snapshot.js';
import { tokenRef } from '../../src/domain/incident/tokens.js';
import { start, type Emulator, type FaultRule, type RequestLogEntry, type Scenario } from '../emulator/index.js';
import { runInProcess, type CommandClass, type InProcessRun } from './in-process.js';

const NOW = '2026-11-20T12:00:00Z';

const appXml = (label: string, adminApproved: boolean): string =>
  '<?xml version="1.0" encoding="UTF-8"?><ConnectedApp xmlns="http://soap.sforce.com/2006/04/metadata">' +
  `<contactEmail>it@matrix.example.com</contactEmail><label>${label}</label>` +
  `<oauthConfig><callbackUrl>https://matrix.example.com/callback</callbackUrl><consumerKey>KEY_${label}</consumerKey><isAdminApproved>${adminApproved}</isAdminApproved><scopes>Api</scopes><scopes>RefreshToken</scopes></oauthConfig>` +
  '<oauthPolicy><ipRelaxation>BYPASS</ipRelaxation><refreshTokenPolicy>infinite</refreshTokenPolicy></oauthPolicy></ConnectedApp>';

/** A small org with every kind of thing the commands read and write. */
const SCENARIO: Scenario = {
  org: { name: 'Fault Matrix', now: NOW },
  profiles: [{ name: 'Integration User' }],
  permissionSets: [
    { name: 'CI_Access', label: 'CI Access' },
    { name: 'Ops', label: 'Ops' },
  ],
  users: [
    { username: 'ci@matrix.example.com', profile: 'Integration User', permissionSets: ['CI_Access'] },
    { username: 'ops@matrix.example.com', profile: 'System Administrator', permissionSets: ['Ops'] },
  ],
  connectedApps: [
    { name: 'Alpha', label: 'Alpha', metadata: appXml('Alpha', true) },
    { name: 'Beta', label: 'Beta', metadata: appXml('Beta', false) },
    { name: 'Gamma', label: 'Gamma', metadata: appXml('Gamma', true) },
    { name: 'Ghost', label: 'Ghost', installed: false },
  ],
  assignments: [
    { app: 'Alpha', permissionSets: ['CI_Access', 'Ops'] },
    { app: 'Gamma', permissionSets: ['CI_Access'], profiles: ['Integration User'] },
  ],
  oauthTokens: [
    { app: 'Alpha', user: 'ci@matrix.example.com', useCount: 40, lastUsedDaysAgo: 1 },
    { app: 'Beta', user: 'ops@matrix.example.com', useCount: 3, lastUsedDaysAgo: 2 },
    { app: 'Ghost', user: 'ops@matrix.example.com', useCount: 9, lastUsedDaysAgo: 1 },
  ],
  loginHistory: [{ count: 6, users: ['ci@matrix.example.com'], application: 'Alpha', loginType: 'Remote Access 2.0', loginSubType: 'OauthRefreshToken', withinDays: 5 }],
  eventLogFiles: [{ eventType: 'ApiTotalUsage', dates: ['2026-11-18', '2026-11-19'], rows: 40, apps: ['Alpha', 'Beta', 'Ghost'], users: ['ci@matrix.example.com', 'ops@matrix.example.com'] }],
};

type Fault = { name: string; rule: Omit<FaultRule, 'method' | 'path' | 'soql' | 'soapOperation' | 'nth'> };

/** Every fault kind the emulator injects, plus the HTTP statuses a client meets most. */
const FAULTS: Fault[] = [
  { name: 'error 500', rule: { kind: 'error' } },
  { name: 'error-after', rule: { kind: 'error-after' } },
  { name: 'drop-before', rule: { kind: 'drop-before' } },
  { name: 'drop-mid', rule: { kind: 'drop-mid' } },
  { name: 'truncate', rule: { kind: 'truncate' } },
  { name: 'delay', rule: { kind: 'delay', delayMs: 150 } },
  { name: '401', rule: { kind: 'error', errorCode: 'INVALID_SESSION_ID' } },
  { name: '429', rule: { kind: 'error', status: 429, errorCode: 'REQUEST_LIMIT_EXCEEDED' } },
  { name: '503', rule: { kind: 'error', status: 503 } },
];

const EXIT_CODES = [0, 1, 2, 3, 4, 10, 68];

// ---- What the org holds, read over HTTP with no fault in the way -------------------------------------------------

async function soql<T>(emulator: Emulator, query: string): Promise<T[]> {
  const response = await fetch(new URL(`/services/data/v67.0/query?q=${encodeURIComponent(query)}`, emulator.url), { headers: { Authorization: `Bearer ${emulator.accessToken}` } });
  return ((await response.json()) as { records: T[] }).records;
}

/** app label → holder keys ("permission-set:Ops", "profile:Integration User"). */
async function accessPairs(emulator: Emulator): Promise<Set<string>> {
  type Row = { SetupEntityId: string; Parent: { Name: string; IsOwnedByProfile: boolean; Profile: { Name: string } | null } };
  const apps = new Map((await soql<{ Id: string; Name: string }>(emulator, 'SELECT Id, Name FROM ConnectedApplication')).map((a) => [a.Id, a.Name]));
  const rows = await soql<Row>(emulator, "SELECT SetupEntityId, Parent.Name, Parent.IsOwnedByProfile, Parent.Profile.Name FROM SetupEntityAccess WHERE SetupEntityType = 'ConnectedApplication'");
  return new Set(rows.map((r) => `${apps.get(r.SetupEntityId) ?? r.SetupEntityId}|${r.Parent.IsOwnedByProfile ? `profile:${r.Parent.Profile?.Name ?? ''}` : `permission-set:${r.Parent.Name}`}`));
}

/** An app's policy values as stored: ipRelaxation, refreshTokenPolicy, isAdminApproved. */
async function policies(emulator: Emulator, names: string[]): Promise<Map<string, Record<string, string>>> {
  const body =
    '<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns="http://soap.sforce.com/2006/04/metadata">' +
    `<soapenv:Header><SessionHeader><sessionId>${emulator.accessToken}</sessionId></SessionHeader></soapenv:Header>` +
    `<soapenv:Body><readMetadata><type>ConnectedApp</type>${names.map((n) => `<fullNames>${n}</fullNames>`).join('')}</readMetadata></soapenv:Body></soapenv:Envelope>`;
  const response = await fetch(new URL('/services/Soap/m/67.0', emulator.url), { method: 'POST', body, headers: { 'Content-Type': 'text/xml', SOAPAction: '""' } });
  const text = await response.text();
  const out = new Map<string, Record<string, string>>();
  for (const record of text.split(/<records[ >]/).slice(1)) {
    const value = (tag: string): string => new RegExp(`<${tag}>([^<]*)</${tag}>`).exec(record)?.[1] ?? '';
    out.set(value('fullName'), { ipRelaxation: value('ipRelaxation'), refreshTokenPolicy: value('refreshTokenPolicy'), isAdminApproved: value('isAdminApproved') });
  }
  return out;
}

// ---- The commands ---------------------------------------------------------------------------------------------

/** One item a write command reports on, and whether the org now holds it as asked. */
type Item = { key: string; status: string };

type WriteCheck = {
  /** The items the command's result reports. */
  items(result: unknown): Item[];
  /** For each item key: is it as asked in the org now? */
  applied(emulator: Emulator): Promise<Map<string, boolean>>;
};

type Case = {
  name: string;
  command: CommandClass;
  args: string[];
  write?: WriteCheck;
  /** Brings a fresh org to the state the command starts from (restore: a contained app), before the request log starts. */
  prepare?: (emulator: Emulator) => Promise<void>;
  /** Runs before each clean or faulted run: removes files a previous run left (contain's snapshot). */
  fresh?: () => void;
};

const pairItems = (result: unknown): Item[] =>
  ((result as { results?: Array<{ app: string; targetType: string; target: string; status: string }> } | undefined)?.results ?? []).map((r) => ({
    key: `${r.app}|${r.targetType}:${r.target}`,
    status: r.status,
  }));

const pairCheck = (keys: string[], present: boolean): WriteCheck => ({
  items: pairItems,
  applied: async (emulator) => {
    const pairs = await accessPairs(emulator);
    return new Map(keys.map((k) => [k, pairs.has(k) === present]));
  },
});

const policyCheck = (apps: string[], wanted: Record<string, string>): WriteCheck => ({
  items: (result) => ((result as { results?: Array<{ app: string; status: string }> } | undefined)?.results ?? []).map((r) => ({ key: r.app, status: r.status })),
  applied: async (emulator) => {
    const stored = await policies(emulator, apps);
    return new Map(apps.map((app) => [app, Object.entries(wanted).every(([field, value]) => stored.get(app)?.[field] === value)]));
  },
});

/** policy set --assign-*: the apps' policies and the pairs assigned for them, each an item. */
const policyWithAssignCheck = (apps: string[], wanted: Record<string, string>, pairs: string[]): WriteCheck => {
  const policy = policyCheck(apps, wanted);
  const access = pairCheck(pairs, true);
  return {
    items: (result) => [...policy.items(result), ...pairItems({ results: (result as { assignments?: unknown[] } | undefined)?.assignments ?? [] })],
    applied: async (emulator) => new Map([...(await policy.applied(emulator)), ...(await access.applied(emulator))]),
  };
};

/** Token statuses in the words the judge knows: revoked is a deletion, already gone is unchanged. */
const TOKEN_STATUS: Record<string, string> = { revoked: 'deleted', unchanged: 'unchanged', failed: 'failed', unknown: 'unknown', 'would-revoke': 'would-delete' };

const tokenItems = (tokens: Array<{ ref: string; status: string }> | undefined): Item[] => (tokens ?? []).map((t) => ({ key: `token:${t.ref}`, status: TOKEN_STATUS[t.status] ?? t.status }));

/** Every token of these apps (by AppName) is gone from the org. Keys are the tokens' refs in a fresh org (the scenario is deterministic). */
const tokensGone = (appNames: string[]): WriteCheck['applied'] => {
  let refs: string[] | undefined;
  return async (emulator) => {
    refs ??= await withEmulator((fresh) => Promise.resolve(fresh.org.table('OauthToken').filter((t) => appNames.includes(t.AppName as string)).map((t) => tokenRef(t.DeleteToken as string))));
    const held = new Set(emulator.org.table('OauthToken').map((t) => tokenRef(t.DeleteToken as string)));
    return new Map(refs.map((ref) => [`token:${ref}`, !held.has(ref)]));
  };
};

const SNAPSHOTS = mkdtempSync(join(tmpdir(), 'ca-matrix-snapshots-'));
/** logs archive writes only to disk: each run starts from an empty archive, so every run must give the clean run's answer. */
const ARCHIVE = join(SNAPSHOTS, 'elf-archive');
/** register init writes a draft register: each run starts without one (the same path, so the same result). */
const REGISTER = join(SNAPSHOTS, 'register.yaml');

/** The snapshot file holds the state before containment: these holders and this permitted-users policy. */
function snapshotHolds(file: string, holders: string[], permittedUsers: string): boolean {
  if (!existsSync(file)) return false;
  try {
    const snapshot = parseSnapshot(JSON.parse(readFileSync(file, 'utf8')));
    return JSON.stringify(snapshot.assignments.map((h) => `${h.kind}:${h.name}`).sort()) === JSON.stringify([...holders].sort()) && snapshot.policy?.permittedUsers === permittedUsers;
  } catch {
    return false;
  }
}

type Original = { app: string; holders: string[]; permittedUsers: string; adminApproved: string };

/** contain: the snapshot, the switch to admin-approved, each assignment removed and each token revoked are items. */
const containCheck = (file: string, o: Original): WriteCheck => ({
  items: (result) => {
    const r = result as ConnectedAppContainResult | undefined;
    if (!r) return [];
    return [
      // Written by this run or kept from an earlier one: either way the file must hold the state before.
      { key: 'snapshot', status: r.snapshot.status === 'would-write' ? 'would-create' : r.snapshot.status === 'kept' ? 'unchanged' : 'created' },
      ...(r.policy ? [{ key: r.policy.app, status: r.policy.status }] : []),
      ...pairItems({ results: r.assignments }),
      ...tokenItems(r.tokens),
    ];
  },
  applied: async (emulator) =>
    new Map([
      ['snapshot', snapshotHolds(file, o.holders, o.permittedUsers)],
      ...(await policyCheck([o.app], { isAdminApproved: 'true' }).applied(emulator)),
      ...(await pairCheck(o.holders.map((h) => `${o.app}|${h}`), false).applied(emulator)),
      ...(await tokensGone([o.app])(emulator)),
    ]),
});

/** restore: the policy and each assignment, back as before containment. */
const restoreCheck = (o: Original): WriteCheck => ({
  items: (result) => {
    const r = result as ConnectedAppRestoreResult | undefined;
    return r ? [...(r.policy ? [{ key: r.policy.app, status: r.policy.status }] : []), ...pairItems({ results: r.assignments })] : [];
  },
  applied: async (emulator) =>
    new Map([...(await policyCheck([o.app], { isAdminApproved: o.adminApproved }).applied(emulator)), ...(await pairCheck(o.holders.map((h) => `${o.app}|${h}`), true).applied(emulator))]),
});

const ALPHA: Original = { app: 'Alpha', holders: ['permission-set:CI_Access', 'permission-set:Ops'], permittedUsers: 'admin-approved', adminApproved: 'true' };
const BETA: Original = { app: 'Beta', holders: [], permittedUsers: 'all-self-authorize', adminApproved: 'false' };

/** A contain case: the snapshot file is removed before each run, so every run starts from a clean slate. */
function containCase(o: Original): Case {
  const file = join(SNAPSHOTS, `contain-${o.app}.json`);
  return {
    name: `contain ${o.app}`,
    command: ConnectedAppContain,
    args: ['--name', o.app, '--snapshot-file', file],
    fresh: () => {
      rmSync(file, { force: true });
    },
    write: containCheck(file, o),
  };
}

/** A restore case: each fresh org is contained first (clean, in-process) into a snapshot that every run shares. */
function restoreCase(o: Original): Case {
  const file = join(SNAPSHOTS, `restore-${o.app}.json`);
  return {
    name: `restore ${o.app}`,
    command: ConnectedAppRestore,
    args: ['--snapshot-file', file],
    prepare: async (emulator) => {
      const run = await runInProcess(ConnectedAppContain, ['--name', o.app, '--snapshot-file', file], emulator);
      if (run.exitCode !== 0) throw new Error(`contain before restore: exit ${run.exitCode} ${run.error?.message ?? ''}`);
    },
    write: restoreCheck(o),
  };
}

const CASES: Case[] = [
  { name: 'list', command: ConnectedAppList, args: [] },
  { name: 'policy show', command: ConnectedAppPolicyShow, args: ['--name', 'Alpha', '--name', 'Beta'] },
  { name: 'audit', command: ConnectedAppAudit, args: ['--event-log-days', '30'] },
  { name: 'usage', command: ConnectedAppUsage, args: ['--start-date', '2026-11-18', '--end-date', '2026-11-19'] },
  { name: 'doctor', command: ConnectedAppDoctor, args: ['--name', 'Alpha', '--username', 'ops@matrix.example.com', '--flow', 'refresh-token'] },
  { name: 'doctor, app alone, uninstalled', command: ConnectedAppDoctor, args: ['--name', 'Ghost'] },
  {
    name: 'logs archive',
    command: ConnectedAppLogsArchive,
    args: ['--output-dir', ARCHIVE],
    fresh: () => {
      rmSync(ARCHIVE, { recursive: true, force: true });
    },
  },
  {
    name: 'register init',
    command: ConnectedAppRegisterInit,
    args: ['--output-file', REGISTER],
    fresh: () => {
      rmSync(REGISTER, { force: true });
    },
  },
  { name: 'usage --new-ips-since', command: ConnectedAppUsage, args: ['--start-date', '2026-11-18', '--end-date', '2026-11-19', '--new-ips-since', '2026-11-19'] },
  {
    name: 'assign',
    command: ConnectedAppAssign,
    args: ['--name', 'Beta', '--name', 'Gamma', '--permission-set', 'Ops', '--profile', 'Integration User'],
    write: pairCheck(['Beta|permission-set:Ops', 'Beta|profile:Integration User', 'Gamma|permission-set:Ops', 'Gamma|profile:Integration User'], true),
  },
  {
    name: 'unassign',
    command: ConnectedAppUnassign,
    args: ['--name', 'Alpha', '--name', 'Gamma', '--permission-set', 'Ops'],
    write: pairCheck(['Alpha|permission-set:Ops', 'Gamma|permission-set:Ops'], false),
  },
  {
    name: 'policy set',
    command: ConnectedAppPolicySet,
    args: ['--name', 'Alpha', '--name', 'Beta', '--ip-relaxation', 'enforce', '--refresh-token', 'expire-if-unused:30d'],
    write: policyCheck(['Alpha', 'Beta'], { ipRelaxation: 'ENFORCE', refreshTokenPolicy: 'specific_inactivity:30:DAYS' }),
  },
  {
    name: 'policy set --assign-permission-set',
    command: ConnectedAppPolicySet,
    args: ['--name', 'Beta', '--permitted-users', 'admin-approved', '--assign-permission-set', 'Ops'],
    write: policyWithAssignCheck(['Beta'], { isAdminApproved: 'true' }, ['Beta|permission-set:Ops']),
  },
  {
    name: 'revoke',
    command: ConnectedAppRevoke,
    args: ['--name', 'Alpha', '--name', 'Beta'],
    write: { items: (result) => tokenItems((result as { tokens?: Array<{ ref: string; status: string }> } | undefined)?.tokens), applied: tokensGone(['Alpha', 'Beta']) },
  },
  containCase(ALPHA),
  containCase(BETA),
  restoreCase(ALPHA),
  restoreCase(BETA),
];

// ---- The matrix -----------------------------------------------------------------------------------------------

/** Exact, except for datetime literals: a window computed from the clock moves between runs. */
const exact = (s: string): RegExp => new RegExp(`^${s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ/g, '[0-9T:Z-]+')}$`);

/** What identifies a request across runs: method, path, SOQL (datetimes aside) and SOAP operation. */
const signature = (r: RequestLogEntry): string =>
  [r.method, r.path, (r.soql ?? '').replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ/g, 'T'), r.soapOperation ?? ''].join('\u0000');

/** A fault rule that hits exactly this request of the run (its n-th occurrence among identical requests). */
function ruleFor(requests: RequestLogEntry[], index: number, fault: Fault): FaultRule {
  const target = requests[index];
  const nth = requests.slice(0, index + 1).filter((r) => signature(r) === signature(target)).length;
  return {
    ...fault.rule,
    method: target.method,
    path: exact(target.path),
    ...(target.soql === undefined ? {} : { soql: exact(target.soql) }),
    ...(target.soapOperation === undefined ? {} : { soapOperation: target.soapOperation }),
    nth,
  };
}

/** Requests that change the org: anything but a GET, a SOAP read or a query sent as a POST. */
const isWrite = (r: RequestLogEntry): boolean => r.method !== 'GET' && !/^(read|list|describe|retrieve|checkRetrieveStatus)/i.test(r.soapOperation ?? '');

/** The requests of a run as the matrix sees them: in the order they were sent, without sf's own Organization query. */
const ownRequests = (emulator: Emulator): RequestLogEntry[] => emulator.requests.filter((r) => !/FROM Organization/.test(r.soql ?? '')).sort((a, b) => a.seq - b.seq);

/** The requests of `run` beyond what `clean` made (by signature and count): those only the fault led to. */
function extraRequests(clean: RequestLogEntry[], run: RequestLogEntry[]): number[] {
  const budget = new Map<string, number>();
  for (const r of clean) budget.set(signature(r), (budget.get(signature(r)) ?? 0) + 1);
  const extra: number[] = [];
  run.forEach((r, i) => {
    const left = budget.get(signature(r)) ?? 0;
    if (left > 0) budget.set(signature(r), left - 1);
    else extra.push(i);
  });
  return extra;
}

const describeRequest = (r: RequestLogEntry): string => (r.soapOperation ? `SOAP ${r.soapOperation}` : r.soql ? `${r.method} ${r.soql.slice(0, 70)}` : `${r.method} ${r.path.replace(/\/v\d+\.\d+\//, '/vXX/')}`);

/** A run's answer as JSON (what --json prints), without the download attempts and retries a fault adds. */
const stable = (run: InProcessRun): string => JSON.stringify(run.result, (key, value: unknown) => (key === 'attempts' || key === 'retries' ? undefined : value));

type Pass = 'single' | 'follow-up' | 'outage';

type Outcome = { pass: Pass; command: string; request: string; fault: string; exitCode: number; verdict: string };

const tally: Outcome[] = [];

/** A faulted run of the first pass, and the requests it made that the clean run did not: the follow-up pass faults those. */
type FollowUp = {
  first: FaultRule;
  firstName: string;
  requests: RequestLogEntry[];
  extra: number[];
  /** The clean run's request the first fault hit. */
  at: number;
  /** Whether the first fault lets a write through (its answer is lost or cut): the org differs from a refused one. */
  applies: boolean;
};

/** Faults after which the request has been carried out (a write committed). */
const APPLIES = new Set(['error-after', 'drop-mid', 'truncate']);

/** Per write case: the clean run's requests and the faulted runs that took a path of their own. */
const firstPass = new Map<string, { clean: InProcessRun; requests: RequestLogEntry[]; followUps: FollowUp[] }>();

/** The second faults of the follow-up pass. */
const FOLLOW_UP_FAULTS = FAULTS.filter((f) => f.name === 'error-after' || f.name === 'drop-before');

/** Outages: the first fault at a request, then the same (or a 503) on every request after it. */
const OUTAGES: Array<Fault & { writesOnly?: boolean }> = [
  { name: 'outage: 503 from here on', rule: { kind: 'error', status: 503, then: { kind: 'error', status: 503, times: -1 } } },
  { name: 'outage: connections dropped from here on', rule: { kind: 'drop-before', then: { kind: 'drop-before', times: -1 } } },
  { name: 'outage: applied, answer lost, then 503', rule: { kind: 'error-after', then: { kind: 'error', status: 503, times: -1 } }, writesOnly: true },
];

async function withEmulator<T>(body: (emulator: Emulator) => Promise<T>, prepare?: (emulator: Emulator) => Promise<void>): Promise<T> {
  const emulator = await start({ scenario: SCENARIO });
  try {
    if (prepare) {
      await prepare(emulator);
      emulator.resetLog();
    }
    return await body(emulator);
  } finally {
    await emulator.stop();
  }
}

/** Checks one faulted run; returns the problems found (empty when it behaved). */
async function judge(c: Case, run: InProcessRun, clean: InProcessRun, emulator: Emulator): Promise<string[]> {
  const problems: string[] = [];
  if (!EXIT_CODES.includes(run.exitCode)) problems.push(`exit code ${run.exitCode}`);
  if (run.error && !(run.error.name && run.error.message)) problems.push(`unexplained error ${String(run.error)}`);
  // What --json printed: one whole document whose status is the exit code.
  try {
    const printed = JSON.parse(run.stdout) as { status?: unknown };
    if (printed.status !== run.exitCode) problems.push(`--json status ${String(printed.status)}, exit code ${run.exitCode}`);
  } catch {
    problems.push(`--json output does not parse: ${run.stdout.slice(0, 200)}`);
  }
  if (!c.write) {
    // A transient fault on a read is retried away, and a 401 is answered by renewing the session once (here the
    // session can be renewed; the spawned e2e tests cover an access token that cannot).
    if (run.exitCode !== clean.exitCode || stable(run) !== stable(clean)) {
      const [a, b] = [stable(run), stable(clean)];
      let at = 0;
      while (at < a.length && a[at] === b[at]) at++;
      problems.push(`answer differs from the clean run (exit ${run.exitCode}${run.error ? `: ${run.error.message}` : ''}) at …${a.slice(Math.max(0, at - 80), at + 40)}… vs …${b.slice(Math.max(0, at - 80), at + 40)}…`);
    }
    return problems;
  }
  emulator.clearFaults();
  const applied = await c.write.applied(emulator);
  const items = c.write.items(run.result);
  // A result with no items is only honest for a run that failed before writing anything (checked below).
  if (run.result !== undefined && items.length === 0 && run.exitCode === 0) problems.push('no per-item results');
  for (const item of items) {
    const isApplied = applied.get(item.key);
    if (isApplied === undefined) continue;
    if (['created', 'deleted', 'updated', 'unchanged'].includes(item.status) && !isApplied) problems.push(`${item.key} reported ${item.status} but the org does not hold it`);
    if (['failed', 'rolled-back'].includes(item.status) && isApplied) problems.push(`${item.key} reported ${item.status} but the org holds it (applied, reported failed)`);
  }
  // Nothing changed in the org that the result does not account for.
  if (items.length === 0) {
    const before = await withEmulator((fresh) => c.write!.applied(fresh), c.prepare);
    for (const [key, now] of applied) if (now !== before.get(key)) problems.push(`${key} changed, but the command ended with ${run.result === undefined ? 'an error and no result' : 'no per-item result'}`);
  }
  // A re-run without faults converges, and a third run finds nothing to do.
  const again = await runInProcess(c.command, c.args, emulator);
  if (again.exitCode !== 0) problems.push(`re-run exit ${again.exitCode}: ${again.error?.message ?? JSON.stringify(c.write.items(again.result))}`);
  const settled = await c.write.applied(emulator);
  for (const [key, ok] of settled) if (!ok) problems.push(`${key} not as asked after the re-run`);
  const third = await runInProcess(c.command, c.args, emulator);
  const leftover = c.write.items(third.result).filter((i) => i.status !== 'unchanged');
  if (third.exitCode !== 0 || leftover.length) problems.push(`third run not idempotent: exit ${third.exitCode}, ${JSON.stringify(leftover)}`);
  return problems;
}

/** Runs the case on a fresh org with these faults; tallies and judges the run when `judged` (the fault that counts) fired. */
async function faultedRun(
  c: Case,
  clean: InProcessRun,
  rules: FaultRule[],
  label: Omit<Outcome, 'exitCode' | 'verdict'>,
  failures: string[],
  after?: (requests: RequestLogEntry[]) => void
): Promise<void> {
  c.fresh?.();
  await withEmulator(async (emulator) => {
    const handles = rules.map((rule) => emulator.addFault(rule));
    const run = await runInProcess(c.command, c.args, emulator);
    const requests = ownRequests(emulator);
    const fired = handles.every((h) => h.fired > 0);
    const problems = fired ? await judge(c, run, clean, emulator) : [];
    tally.push({ ...label, exitCode: run.exitCode, verdict: !fired ? 'not reached' : problems.length ? 'wrong' : run.exitCode === 0 ? 'ok' : 'reported' });
    for (const p of problems) failures.push(`${label.request} × ${label.fault}: ${p}`);
    // The faulted run's own requests, taken before judge ran the command again.
    if (fired && after) after(requests);
  }, c.prepare);
}

describe('fault matrix: every command × every request it makes × every fault', function () {
  this.timeout(60 * 60_000);
  const backoff = retryBackoff.firstMs;

  before(() => {
    retryBackoff.firstMs = 10;
  });

  after(() => {
    retryBackoff.firstMs = backoff;
    const line = (runs: Outcome[]): string => {
      const counts = new Map<string, number>();
      for (const o of runs) counts.set(`${o.verdict} / exit ${o.exitCode}`, (counts.get(`${o.verdict} / exit ${o.exitCode}`) ?? 0) + 1);
      return `${runs.length} runs: ${[...counts].sort(([a], [b]) => a.localeCompare(b)).map(([k, n]) => `${k}: ${n}`).join('; ')}`;
    };
    const commands = new Set(tally.map((o) => o.command)).size;
    const requests = new Set(tally.filter((o) => o.pass === 'single').map((o) => `${o.command} ${o.request}`)).size;
    console.log(`      fault matrix: ${commands} commands, ${requests} requests of clean runs, ${FAULTS.length} faults`);
    for (const pass of ['single', 'follow-up', 'outage'] as const) console.log(`        ${pass}: ${line(tally.filter((o) => o.pass === pass))}`);
    console.log(`        total: ${line(tally)}`);
    const unreached = tally.filter((o) => o.verdict === 'not reached').map((o) => `${o.command}: ${o.request} × ${o.fault}`);
    if (unreached.length) console.log(`      not reached (the fault changed the path before that request): ${unreached.join('; ')}`);
  });

  for (const c of CASES) {
    it(`${c.name}: no crash, an honest result, and convergence under every fault`, async () => {
      c.fresh?.();
      const clean = await withEmulator(async (emulator) => {
        const run = await runInProcess(c.command, c.args, emulator);
        return { run, requests: ownRequests(emulator) };
      }, c.prepare);
      expect(clean.run.exitCode, clean.run.error?.message).to.equal(0);
      expect(clean.requests.length).to.be.greaterThan(0);
      const followUps: FollowUp[] = [];
      const failures: string[] = [];
      for (let i = 0; i < clean.requests.length; i++) {
        for (const fault of FAULTS) {
          const first = ruleFor(clean.requests, i, fault);
          const label = { pass: 'single' as const, command: c.name, request: describeRequest(clean.requests[i]), fault: fault.name };
          await faultedRun(c, clean.run, [first], label, failures, (requests) => {
            if (!c.write || fault.rule.kind === 'delay') return;
            const extra = extraRequests(clean.requests, requests);
            if (extra.length) followUps.push({ first, firstName: `${label.request} × ${fault.name}`, requests, extra, at: i, applies: APPLIES.has(fault.name) });
          });
        }
      }
      if (c.write) firstPass.set(c.name, { clean: clean.run, requests: clean.requests, followUps });
      expect(failures, failures.join('\n')).to.deep.equal([]);
    });
  }

  for (const c of CASES.filter((w) => w.write)) {
    it(`${c.name}: the requests only a faulted run makes, faulted in turn (error-after, drop-before)`, async () => {
      const first = firstPass.get(c.name);
      if (!first) throw new Error(`the first pass of ${c.name} did not run`);
      const failures: string[] = [];
      // First faults on one request that lead to the same requests and leave the org the same (a 500, a 503, a 429
      // and a 401 that is refused; a drop-mid and a truncate) take the same path: each such path is faulted once.
      const seen = new Set<string>();
      for (const followUp of first.followUps) {
        for (const index of followUp.extra) {
          const key = [followUp.at, followUp.applies, index, ...followUp.requests.map(signature)].join('\u0001');
          if (seen.has(key)) continue;
          seen.add(key);
          for (const fault of FOLLOW_UP_FAULTS) {
            const second = ruleFor(followUp.requests, index, fault);
            const label = { pass: 'follow-up' as const, command: c.name, request: `${followUp.firstName}, then ${describeRequest(followUp.requests[index])}`, fault: fault.name };
            await faultedRun(c, first.clean, [followUp.first, second], label, failures);
          }
        }
      }
      expect(failures, failures.join('\n')).to.deep.equal([]);
    });

    it(`${c.name}: an outage from each request on (from the first write)`, async () => {
      const first = firstPass.get(c.name);
      if (!first) throw new Error(`the first pass of ${c.name} did not run`);
      const failures: string[] = [];
      const firstWrite = first.requests.findIndex(isWrite);
      expect(firstWrite, 'the clean run writes').to.be.greaterThan(-1);
      for (let i = firstWrite; i < first.requests.length; i++) {
        for (const outage of OUTAGES) {
          if (outage.writesOnly && !isWrite(first.requests[i])) continue;
          const label = { pass: 'outage' as const, command: c.name, request: describeRequest(first.requests[i]), fault: outage.name };
          await faultedRun(c, first.clean, [ruleFor(first.requests, i, outage)], label, failures);
        }
      }
      expect(failures, failures.join('\n')).to.deep.equal([]);
    });
  }
});
