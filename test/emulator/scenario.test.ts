import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { REPO_ROOT } from '../e2e/harness.js';
import { generateScenario, loadScenario, SCENARIO_DIR, start, type Emulator, type Scenario } from './index.js';
import { demoScenario, getJson, PINNED_NOW, q, type QueryPage } from './test-helpers.js';

type JsonSchema = {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
  items?: JsonSchema;
  enum?: unknown[];
  oneOf?: JsonSchema[];
  $ref?: string;
  $defs?: Record<string, JsonSchema>;
  minimum?: number;
  maximum?: number;
  pattern?: string;
  minItems?: number;
  maxItems?: number;
};

/** The JSON-schema subset scenario.schema.json uses. Returns the problems found. */
function validate(schema: JsonSchema, value: unknown, root: JsonSchema, path = '$'): string[] {
  if (schema.$ref) return validate(root.$defs![schema.$ref.replace('#/$defs/', '')], value, root, path);
  if (schema.oneOf) {
    const ok = schema.oneOf.filter((s) => validate(s, value, root, path).length === 0).length;
    return ok === 1 ? [] : [`${path}: matches ${ok} of the oneOf schemas`];
  }
  const t = value === null ? 'null' : Array.isArray(value) ? 'array' : Number.isInteger(value) ? 'integer' : typeof value;
  const types = schema.type === undefined ? undefined : Array.isArray(schema.type) ? schema.type : [schema.type];
  if (types && !types.includes(t) && !(t === 'integer' && types.includes('number'))) return [`${path}: ${t} is not ${types.join('|')}`];
  const out: string[] = [];
  if (schema.enum && !schema.enum.includes(value)) out.push(`${path}: ${JSON.stringify(value)} not in enum`);
  if (typeof value === 'number') {
    if (schema.minimum !== undefined && value < schema.minimum) out.push(`${path}: below ${schema.minimum}`);
    if (schema.maximum !== undefined && value > schema.maximum) out.push(`${path}: above ${schema.maximum}`);
  }
  if (typeof value === 'string' && schema.pattern && !new RegExp(schema.pattern).test(value)) out.push(`${path}: does not match ${schema.pattern}`);
  if (Array.isArray(value)) {
    if (schema.minItems !== undefined && value.length < schema.minItems) out.push(`${path}: too few items`);
    if (schema.maxItems !== undefined && value.length > schema.maxItems) out.push(`${path}: too many items`);
    if (schema.items) value.forEach((v, i) => out.push(...validate(schema.items!, v, root, `${path}[${i}]`)));
  }
  if (t === 'object') {
    const o = value as Record<string, unknown>;
    for (const r of schema.required ?? []) if (!(r in o)) out.push(`${path}.${r}: required`);
    for (const [k, v] of Object.entries(o)) {
      const prop = schema.properties?.[k];
      if (prop) out.push(...validate(prop, v, root, `${path}.${k}`));
      else if (schema.additionalProperties === false) out.push(`${path}.${k}: not allowed`);
      else if (typeof schema.additionalProperties === 'object') out.push(...validate(schema.additionalProperties, v, root, `${path}.${k}`));
    }
  }
  return out;
}

describe('org emulator: scenarios', () => {
  const schema = JSON.parse(readFileSync(join(SCENARIO_DIR, '..', 'scenario.schema.json'), 'utf8')) as JsonSchema;

  it('ships demo and empty scenarios that follow scenario.schema.json', () => {
    for (const name of ['demo', 'empty']) {
      const raw = JSON.parse(readFileSync(join(SCENARIO_DIR, `${name}.json`), 'utf8')) as unknown;
      expect(validate(schema, raw, schema), name).to.deep.equal([]);
    }
    expect(validate(schema, { org: { name: 'x', bogus: 1 } }, schema)).to.deep.equal(['$.org.bogus: not allowed']);
    expect(validate(schema, generateScenario({ apps: 30, permissionSets: 20, tokens: 100, elfBytes: 10_000 }), schema)).to.deep.equal([]);
  });

  it('rejects scenarios that refer to unknown things', () => {
    const bad: Array<[Scenario, RegExp]> = [
      [{ org: { name: 'x' }, users: [{ username: 'a@x.com', profile: 'Nope' }] }, /unknown profile "Nope"/],
      [{ org: { name: 'x' }, oauthTokens: [{ app: 'Ghost', count: 1 }] }, /unknown app "Ghost"/],
      [{ org: { name: 'x' }, connectedApps: [{ name: 'A' }], oauthTokens: [{ app: 'A' }] }, /give user/],
      [{ org: { name: 'x', id: '001000000000000' } }, /not an org id/],
    ];
    for (const [s, re] of bad) expect(() => loadScenario(s)).to.throw(re);
  });

  it('models the demo org patterns', async () => {
    const e = await start({ scenario: demoScenario({ now: PINNED_NOW }) });
    try {
      const apps = (await getJson<QueryPage>(e, q('SELECT Id, Name FROM ConnectedApplication'))).json;
      expect(apps.totalSize).to.be.within(20, 30);
      const tokens = (await getJson<QueryPage>(e, q('SELECT AppName, AppMenuItemId FROM OauthToken'))).json.records;
      expect(tokens.length).to.be.within(300, 600);
      // An uninstalled app with live tokens (no menu item), and an installed app nobody uses.
      expect(tokens.filter((t) => t.AppName === 'Zapier').every((t) => t.AppMenuItemId === null)).to.be.true;
      expect(apps.records.map((a) => a.Name)).to.not.include('Zapier');
      expect(tokens.filter((t) => t.AppName === 'SurveyHub Feedback')).to.have.length(0);
      // Username-password flow in LoginHistory.
      const up = (await getJson<QueryPage>(e, q("SELECT Application FROM LoginHistory WHERE LoginType = 'Remote Access 2.0'"))).json.records;
      expect(up.length).to.be.greaterThan(100);
      const subTypes = new Set(e.org.table('LoginHistory').map((r) => r.LoginSubType));
      expect(subTypes.has('OauthUsernamePassword')).to.be.true;
      // Who may approve uninstalled apps: the admin profile, a non-admin via a permission set; not the cloned admin profile.
      const approvers = (await getJson<QueryPage>(e, q('SELECT Assignee.Username, PermissionSet.IsOwnedByProfile FROM PermissionSetAssignment WHERE PermissionSet.PermissionsCanApproveUninstalledApps = true'))).json.records;
      const usernames = approvers.map((a) => (a.Assignee as Record<string, unknown>).Username);
      expect(usernames).to.include('helpdesk.lead@northwind.example.com');
      expect(usernames).to.include('admin@northwind.example.com');
      expect(usernames).to.not.include('ops.admin@northwind.example.com');
      // A week of daily free event log files, of which a free org serves the last day's.
      const elf = (await getJson<QueryPage>(e, q("SELECT EventType, LogDate FROM EventLogFile WHERE Interval = 'Daily'"))).json.records;
      expect(new Set(elf.map((f) => f.EventType))).to.deep.equal(new Set(['ApiTotalUsage', 'Login']));
      expect(new Set(elf.map((f) => f.LogDate))).to.deep.equal(new Set(['2026-11-19T00:00:00.000+0000']));
      expect(new Set(e.org.table('EventLogFile').filter((f) => f.Interval === 'Daily').map((f) => f.LogDate)).size).to.equal(7);
    } finally {
      await e.stop();
    }
  });

  it('generates large orgs deterministically, and starts them in time linear in their size', async function () {
    this.timeout(120_000);
    const size = (k: number): Parameters<typeof generateScenario>[0] => ({ apps: 125 * k, permissionSets: 250 * k, tokens: 2500 * k, seed: 3 });
    const large = size(8);
    expect(JSON.stringify(generateScenario(large))).to.equal(JSON.stringify(generateScenario(large)));
    // CPU time of this process (the emulator runs in it), less sensitive than wall time to other work on the machine.
    const timed = async (scenario: Scenario): Promise<{ ms: number; e: Emulator }> => {
      const t = process.cpuUsage();
      const e = await start({ scenario });
      const used = process.cpuUsage(t);
      return { ms: (used.user + used.system) / 1000, e };
    };
    // The small org twice (the first start also warms up the JIT), the better time counts.
    const small: number[] = [];
    for (let i = 0; i < 2; i++) {
      const run = await timed(generateScenario(size(1)));
      small.push(run.ms);
      await run.e.stop();
    }
    // The large org twice too, the better time counting: how much the first start spends collecting garbage depends on
    // what ran before it in this process (the whole suite's modules and data), not on the emulator.
    const first = await timed(generateScenario(large));
    await first.e.stop();
    const { ms: second, e } = await timed(generateScenario(large));
    const ms = Math.min(first.ms, second);
    try {
      // Linear work takes 6-8x the CPU for 8x the rows on a quiet machine, up to 13.5x measured at load average 10
      // (garbage collection); work per row that grows with the table (copying it on each insert: 17-22x when tried)
      // does not pass. A ratio of CPU times, not a wall-clock bound: the machine's speed (and the JIT's warm-up, which
      // the old 5 s bound mostly measured) cancel out.
      const ratio = ms / Math.min(...small);
      expect(ratio, `start ${first.ms.toFixed(0)}/${second.toFixed(0)} ms for 8x the org vs ${small.map((m) => m.toFixed(0)).join('/')} ms`).to.be.below(16);
      const count = (await getJson<QueryPage>(e, q('SELECT COUNT() FROM OauthToken'))).json.totalSize;
      expect(count).to.equal(20000);
      const ps = (await getJson<QueryPage>(e, q('SELECT COUNT() FROM PermissionSet WHERE IsOwnedByProfile = false'))).json.totalSize;
      expect(ps).to.equal(2000);
      const apps = (await getJson<QueryPage>(e, q('SELECT COUNT() FROM ConnectedApplication'))).json.totalSize;
      expect(apps).to.be.within(900, 1000);
    } finally {
      await e.stop();
    }
  });

  it('runs from the command line and stops on SIGTERM', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(REPO_ROOT, 'test', 'emulator', 'cli.ts'), '--scenario', 'empty', '--port', '0'], {
      cwd: REPO_ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => { resolve(code); }));
    let out = '';
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (b: Buffer) => {
        out += b.toString('utf8');
        if (out.includes('access token:')) resolve();
      });
      child.on('exit', () => { reject(new Error(`cli exited early: ${out}`)); });
    });
    const url = /instance URL: (\S+)/.exec(out)![1];
    const token = /access token: (\S+)/.exec(out)![1];
    const r = await fetch(`${url}/services/oauth2/userinfo`, { headers: { Authorization: `Bearer ${token}` } });
    expect(r.status).to.equal(200);
    child.kill('SIGTERM');
    expect(await exited).to.equal(0);
  });
});
