import { expect } from 'chai';
import { start, type Emulator } from '../emulator/index.js';
import type { InterruptedRun } from '../../src/domain/incident/run-journal.js';
import { tokenRef, type TokenResult } from '../../src/domain/incident/tokens.js';
import { ensureBuilt, ownRequests, runCli, type CliRun } from './harness.js';
import { COMPROMISED, COMPROMISED_LABEL, COMPROMISED_TOKENS, incidentScenario, LOOKALIKE, userName } from './incident-scenario.js';

type RevokeResult = {
  tokens: TokenResult[];
  read: { counted: number; listed: number; cappedUsers: string[] };
  dryRun: boolean;
  apps: Array<{ name: string; installed: boolean; apiName: string | null; type: string | null }>;
  unmatched: string[];
  nothingToDo: boolean;
};

const result = (run: CliRun): RevokeResult => run.json?.result as RevokeResult;
const revokes = (run: CliRun): number => run.requests.filter((r) => r.path === '/services/oauth2/revoke').length;
const tokensOf = (emulator: Emulator, appName: string): Array<Record<string, unknown>> => emulator.org.table('OauthToken').filter((t) => t.AppName === appName);
/** Every secret the org holds for tokens: none may ever appear in the CLI's output. */
const secrets = (emulator: Emulator): string[] => emulator.org.table('OauthToken').flatMap((t) => [t.DeleteToken as string, t.AccessToken as string]);

/** Waits until the condition holds (or a minute has passed). */
async function until(condition: () => boolean): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (!condition() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
}

function expectNoSecret(run: CliRun, held: readonly string[]): void {
  const output = run.stdout + run.stderr;
  const leaked = held.filter((s) => output.includes(s));
  expect(leaked, 'no DeleteToken or token value in the output').to.deep.equal([]);
}

describe('connectedapp revoke (e2e through the org emulator)', function () {
  this.timeout(240_000);
  let emulator: Emulator;

  before(async () => {
    await ensureBuilt();
  });
  afterEach(async () => {
    await emulator.stop();
  });

  it('lists 3,000 tokens across 400 users, revokes them all, and a re-run has nothing to do', async () => {
    emulator = await start({ scenario: incidentScenario() });
    const held = secrets(emulator);
    const innocent = tokensOf(emulator, 'Reporting Sync').length;

    const dry = await runCli(['connectedapp', 'revoke', '--name', COMPROMISED, '--dry-run'], { emulator });
    expect(dry.exitCode, dry.stderr).to.equal(0);
    expect(result(dry).dryRun).to.equal(true);
    expect(result(dry).tokens).to.have.length(COMPROMISED_TOKENS);
    expect(new Set(result(dry).tokens.map((t) => t.ref)).size, 'each token once').to.equal(COMPROMISED_TOKENS);
    expect(new Set(result(dry).tokens.map((t) => t.username)).size).to.equal(400);
    expect(result(dry).tokens.every((t) => t.status === 'would-revoke' && t.app === COMPROMISED_LABEL && t.createdDate !== null)).to.equal(true);
    expect(result(dry).read).to.deep.equal({ counted: COMPROMISED_TOKENS, listed: COMPROMISED_TOKENS, cappedUsers: [] });
    expect(revokes(dry)).to.equal(0);
    // 3,000 tokens are over the 2,500-row stop: read per group of users, none of those queries near it.
    const rowQueries = ownRequests(dry).filter((r) => /^SELECT AppName, UserId/.test(r.soql ?? ''));
    expect(rowQueries.every((r) => /UserId IN/.test(r.soql ?? ''))).to.equal(true);
    expectNoSecret(dry, held);

    const run = await runCli(['connectedapp', 'revoke', '--name', COMPROMISED], { emulator });
    expect(run.exitCode, run.stderr).to.equal(0);
    expect(result(run).tokens).to.have.length(COMPROMISED_TOKENS);
    expect(result(run).tokens.every((t) => t.status === 'revoked' && t.verified === true)).to.equal(true);
    expect(revokes(run)).to.equal(COMPROMISED_TOKENS);
    expect(tokensOf(emulator, COMPROMISED_LABEL)).to.have.length(0);
    expect(tokensOf(emulator, 'Reporting Sync'), 'other apps keep their tokens').to.have.length(innocent);
    expectNoSecret(run, held);

    const again = await runCli(['connectedapp', 'revoke', '--name', COMPROMISED], { emulator });
    expect(again.exitCode, again.stderr).to.equal(0);
    expect(result(again).tokens).to.deep.equal([]);
    expect(revokes(again)).to.equal(0);
    const human = await runCli(['connectedapp', 'revoke', '--name', COMPROMISED], { emulator, json: false });
    expect(human.exitCode).to.equal(0);
    expect(human.stdout).to.match(/nothing to do/);
  });

  it('lists every token when the org aggregates only the first 2,500 (the per-user counts are checked against COUNT())', async () => {
    const scenario = incidentScenario();
    scenario.org = { ...scenario.org, oauthTokenAggregates: 'capped' };
    // A user whose tokens are stored past row 2,500: an aggregate over the first 2,500 rows does not know them.
    const late = 'late@incident.example.com';
    scenario.users = [...(scenario.users ?? []), { username: late, profile: 'System Administrator' }];
    scenario.oauthTokens = [...(scenario.oauthTokens ?? []), { app: COMPROMISED, users: [late], count: 5, lastUsedDaysAgo: 1 }];
    emulator = await start({ scenario });
    const dry = await runCli(['connectedapp', 'revoke', '--name', COMPROMISED, '--dry-run'], { emulator });
    expect(dry.exitCode, dry.stderr).to.equal(0);
    expect(result(dry).read).to.deep.equal({ counted: COMPROMISED_TOKENS + 5, listed: COMPROMISED_TOKENS + 5, cappedUsers: [] });
    expect(result(dry).tokens.filter((t) => t.username === late)).to.have.length(5);
  });

  it('revokes an uninstalled app by the name its tokens carry, narrowed by user; shows no secret in human output', async () => {
    emulator = await start({ scenario: incidentScenario({ tokens: 40 }) });
    const held = secrets(emulator);
    const users = [userName(10), userName(11)];
    const before = tokensOf(emulator, LOOKALIKE).length;
    const mine = emulator.org.table('OauthToken').filter((t) => t.AppName === LOOKALIKE && users.some((u) => emulator.org.table('User').find((x) => x.Id === t.UserId)?.Username === u));
    expect(mine.length).to.be.greaterThan(0);

    const run = await runCli(['connectedapp', 'revoke', '--name', LOOKALIKE.toUpperCase(), '--username', users[0], '--username', users[1]], { emulator, json: false });
    expect(run.exitCode, run.stderr).to.equal(0);
    expect(run.stdout).to.include(LOOKALIKE);
    expect(run.stdout).to.match(new RegExp(`${mine.length} revoked`));
    expect(tokensOf(emulator, LOOKALIKE)).to.have.length(before - mine.length);
    // What else to do for an app that is not installed, as contain says it (README: "contain (or revoke) … says what else to do").
    expect(run.stderr).to.match(/not installed in this org[\s\S]*Connected Apps OAuth Usage[\s\S]*Install[\s\S]*block/);
    expectNoSecret(run, held);

    // Every token gone, then a re-run (a runbook's second pass): nothing to do, exit 0 — not "no such app".
    expect((await runCli(['connectedapp', 'revoke', '--name', LOOKALIKE], { emulator })).exitCode).to.equal(0);
    expect(tokensOf(emulator, LOOKALIKE)).to.have.length(0);
    const again = await runCli(['connectedapp', 'revoke', '--name', LOOKALIKE], { emulator });
    expect(again.exitCode, again.stdout).to.equal(0);
    expect(result(again)).to.deep.include({ tokens: [], nothingToDo: true, unmatched: [LOOKALIKE] });
    expect(again.json?.warnings?.join(' ')).to.match(/no OAuth token is named "Data Loader Pro \(unverified\)": nothing to revoke/);
    expect(revokes(again)).to.equal(0);
    const human = await runCli(['connectedapp', 'revoke', '--name', LOOKALIKE], { emulator, json: false });
    expect(human.exitCode, human.stderr).to.equal(0);
    expect(human.stdout).to.match(/nothing to do/);
  });

  it('revokes only tokens not used since a date', async () => {
    emulator = await start({ scenario: incidentScenario({ tokens: 200 }) });
    const cutoff = Date.parse('2026-10-20T00:00:00Z');
    const stale = tokensOf(emulator, COMPROMISED_LABEL).filter((t) => t.LastUsedDate === null || Date.parse((t.LastUsedDate as string).replace(/(\d\d)(\d\d)$/, '$1:$2')) < cutoff);
    expect(stale.length).to.be.within(1, 199);
    const run = await runCli(['connectedapp', 'revoke', '--name', COMPROMISED_LABEL, '--last-used-before', '2026-10-20'], { emulator });
    expect(run.exitCode, run.stderr).to.equal(0);
    expect(result(run).tokens.map((t) => t.ref).sort()).to.deep.equal(stale.map((t) => tokenRef(t.DeleteToken as string)).sort());
    expect(tokensOf(emulator, COMPROMISED_LABEL)).to.have.length(200 - stale.length);
  });

  it('a name no app and no token carries: nothing to revoke (exit 0), said with close matches for a misspelling', async () => {
    emulator = await start({ scenario: incidentScenario({ tokens: 10 }) });
    const run = await runCli(['connectedapp', 'revoke', '--name', 'Data_Loader_Prp'], { emulator });
    expect(run.exitCode, run.stdout).to.equal(0);
    expect(result(run)).to.deep.include({ tokens: [], nothingToDo: true, unmatched: ['Data_Loader_Prp'] });
    const warnings = run.json?.warnings?.join(' ') ?? '';
    expect(warnings).to.match(/No installed app and no OAuth token is named "Data_Loader_Prp": nothing to revoke/);
    expect(warnings).to.include('did you mean: Data_Loader_Pro');
    expect(revokes(run)).to.equal(0);
  });

  it('refuses an unknown username as wrong usage (exit 2), before anything is revoked', async () => {
    emulator = await start({ scenario: incidentScenario({ tokens: 10 }) });
    const run = await runCli(['connectedapp', 'revoke', '--name', COMPROMISED, '--username', 'nobody@incident.example.com'], { emulator });
    expect(run.exitCode).to.equal(2);
    expect(run.json?.message).to.match(/No user with username nobody@incident.example.com/);
    expect(revokes(run)).to.equal(0);
  });

  it('an External Client App without tokens: nothing to revoke, with a warning that none found is not an all-clear (ECAs: e2e/eca-incident.slow.test.ts)', async () => {
    emulator = await start({ scenario: 'demo' });
    const run = await runCli(['connectedapp', 'revoke', '--name', 'Agent_Gateway'], { emulator });
    expect(run.exitCode, run.stdout).to.equal(0);
    expect(result(run)).to.deep.include({ tokens: [], nothingToDo: true, unmatched: [] });
    expect(result(run).apps.map((a) => [a.apiName, a.type])).to.deep.equal([['Agent_Gateway', 'external-client-app']]);
    expect(run.json?.warnings?.join(' ')).to.include('No OAuth token carries the name of the External Client App Agent_Gateway (looked for: "Agent Gateway", "Agent_Gateway")');
    expect(revokes(run)).to.equal(0);
  });

  it('refuses an app whose label another installed app shares: their tokens cannot be told apart', async () => {
    const scenario = incidentScenario({ tokens: 10 });
    scenario.connectedApps = [...(scenario.connectedApps ?? []), { name: 'Data_Loader_Pro_Sandbox', label: COMPROMISED_LABEL }];
    emulator = await start({ scenario });
    const run = await runCli(['connectedapp', 'revoke', '--name', COMPROMISED], { emulator });
    expect(run.exitCode).to.equal(1);
    expect(run.json?.message).to.match(/More than one installed app answers to "Data Loader Pro"/);
    expect(revokes(run)).to.equal(0);
  });

  it('checks Customize Application and Manage Users before reading any token', async () => {
    const scenario = incidentScenario({ tokens: 10 });
    scenario.profiles = [...(scenario.profiles ?? []), { name: 'Helpdesk', permissions: ['ApiEnabled', 'ViewSetup', 'ManageUsers'] }];
    scenario.users = [...(scenario.users ?? []), { username: 'helpdesk@incident.example.com', profile: 'Helpdesk' }];
    scenario.org.currentUser = 'helpdesk@incident.example.com';
    emulator = await start({ scenario });
    const run = await runCli(['connectedapp', 'revoke', '--name', COMPROMISED, '--dry-run'], { emulator });
    expect(run.exitCode).to.equal(1);
    expect(run.json?.message).to.match(/lacks Customize Application/);
    expect(run.requests.filter((r) => /FROM OauthToken/.test(r.soql ?? ''))).to.deep.equal([]);
  });

  it('reads past the 2,500-row stop when the org refuses aggregates, and says so when one user alone is over it', async () => {
    const scenario = incidentScenario({ tokens: 300 });
    scenario.oauthTokens = [...(scenario.oauthTokens ?? []), { app: COMPROMISED, users: [userName(7)], count: 2600, lastUsedDaysAgo: 1 }];
    emulator = await start({ scenario });
    emulator.addFault({ soql: /GROUP BY UserId/, status: 400, errorCode: 'MALFORMED_QUERY', times: Infinity });
    const dry = await runCli(['connectedapp', 'revoke', '--name', COMPROMISED, '--dry-run'], { emulator });
    expect(dry.exitCode, dry.stderr).to.equal(0);
    expect(result(dry).read.counted).to.equal(2900);
    expect(result(dry).read.cappedUsers).to.have.length(1);
    // Everyone else's tokens are listed (299: user007 holds one of the 300 too); the big holder gives what one query returns.
    expect(result(dry).tokens).to.have.length(299 + 2500);
    expect(dry.json?.warnings?.join(' ')).to.match(/more tokens than one OauthToken query returns/);

    const first = await runCli(['connectedapp', 'revoke', '--name', COMPROMISED], { emulator });
    expect(first.exitCode, 'tokens left behind the stop: partial').to.equal(68);
    expect(first.json?.warnings?.join(' ')).not.to.match(/appeared while the command ran/);
    expect(tokensOf(emulator, COMPROMISED_LABEL)).to.have.length(101);
    const second = await runCli(['connectedapp', 'revoke', '--name', COMPROMISED], { emulator });
    expect(second.exitCode, second.stderr).to.equal(0);
    expect(result(second).tokens).to.have.length(101);
    expect(tokensOf(emulator, COMPROMISED_LABEL)).to.have.length(0);
  });

  it('SIGTERM mid-revoke: the record (stdout under --json, and stderr) says which tokens were revoked, in flight and not sent, as the org has them', async () => {
    emulator = await start({ scenario: incidentScenario({ tokens: 60 }) });
    const held = secrets(emulator);
    // From the 21st revocation on, requests are held unanswered: with 8 at a time, 20 are answered, 8 are in flight.
    const hold = emulator.addFault({ method: 'POST', path: /^\/services\/oauth2\/revoke$/, nth: 21, times: -1, kind: 'hold' });
    let pid = 0;
    const running = runCli(['connectedapp', 'revoke', '--name', COMPROMISED], {
      emulator,
      onSpawn: (p) => {
        pid = p;
      },
    });
    try {
      await until(() => hold.fired === 8);
      expect(hold.fired, 'eight revocations in flight').to.equal(8);
      process.kill(pid, 'SIGTERM');
      const run = await running;
      expect(run.exitCode, run.stderr).to.equal(130);
      expect(run.json?.status).to.equal(130);
      const record = run.json?.result as InterruptedRun;
      expect(record).to.deep.include({ status: 'interrupted', command: 'revoke', signal: 'SIGTERM', during: 'tokens' });
      expect(record.counts).to.deep.equal({ revoked: 20, unchanged: 0, failed: 0, unknown: 0, 'in-flight': 8, 'not-sent': 32 });
      // The record matches the org (read before the held requests are let go): revoked ones are gone, the rest are there.
      const left = new Set(tokensOf(emulator, COMPROMISED_LABEL).map((t) => tokenRef(t.DeleteToken as string)));
      expect(left.size).to.equal(40);
      expect(record.tokens).to.have.length(60);
      expect(record.tokens.filter((t) => t.status === 'revoked').every((t) => !left.has(t.ref) && t.verified === false)).to.equal(true);
      expect(record.tokens.filter((t) => t.status !== 'revoked').every((t) => left.has(t.ref))).to.equal(true);
      // For people, on stderr: the counts and one line per token sent.
      expect(run.stderr).to.match(/Interrupted by SIGTERM while revoking tokens/);
      expect(run.stderr).to.match(/Revoked \(accepted by the org, not read back\): 20;.*in flight \(sent, no answer yet: may or may not be revoked\): 8; not sent: 32/);
      expect(run.stderr.split('\n').filter((l) => /^ {2}(revoked|in flight) /.test(l))).to.have.length(28);
      expectNoSecret(run, held);
    } finally {
      hold.release();
    }
    emulator.clearFaults();
    const again = await runCli(['connectedapp', 'revoke', '--name', COMPROMISED], { emulator });
    expect(again.exitCode, again.stderr).to.equal(0);
    expect(tokensOf(emulator, COMPROMISED_LABEL)).to.have.length(0);
  });

  it('faults mid-way: the report says exactly which tokens were revoked, and a re-run finishes the job', async () => {
    emulator = await start({ scenario: incidentScenario({ tokens: 60 }) });
    const revoke = { method: 'POST', path: /^\/services\/oauth2\/revoke$/ };
    emulator.addFault({ ...revoke, nth: 5, kind: 'drop-before' }); // lost, not applied: read back, sent again
    emulator.addFault({ ...revoke, nth: 9, kind: 'error-after' }); // applied, answer lost: read back as revoked
    emulator.addFault({ ...revoke, nth: 20, times: 3, errorCode: 'INSUFFICIENT_ACCESS' }); // refused: not revoked
    const run = await runCli(['connectedapp', 'revoke', '--name', COMPROMISED], { emulator });
    expect(run.exitCode, run.stderr).to.equal(68);
    const tokens = result(run).tokens;
    const left = new Set(tokensOf(emulator, COMPROMISED_LABEL).map((t) => tokenRef(t.DeleteToken as string)));
    expect(tokens.filter((t) => t.status === 'failed').map((t) => [t.ref, t.errorCode])).to.have.deep.members([...left].map((ref) => [ref, 'INSUFFICIENT_ACCESS']));
    expect(left.size).to.equal(3);
    expect(tokens.filter((t) => t.status === 'revoked').every((t) => t.verified === true && !left.has(t.ref))).to.equal(true);
    expect(tokens.filter((t) => t.status === 'revoked')).to.have.length(57);
    expect(tokens.filter((t) => /answer was lost/.test(t.message ?? ''))).to.have.length(1);

    emulator.clearFaults();
    const again = await runCli(['connectedapp', 'revoke', '--name', COMPROMISED], { emulator });
    expect(again.exitCode, again.stderr).to.equal(0);
    expect(result(again).tokens.map((t) => t.ref).sort()).to.deep.equal([...left].sort());
    expect(tokensOf(emulator, COMPROMISED_LABEL)).to.have.length(0);
  });
});
