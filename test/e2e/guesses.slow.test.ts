/*
 * The plugin under each plausible answer of a guess it depends on (test/emulator/GUESSES.md): the emulator is
 * switched to the other answer and the command must still report the truth.
 */
import { expect } from 'chai';
import { start, type Emulator, type FaultHandle } from '../emulator/index.js';
import type { MdObject } from '../emulator/metadata-schema.js';
import { demoScenario } from '../emulator/test-helpers.js';
import type { AppPolicyResult } from '../../src/operations/policy.js';
import type { PairResult } from '../../src/domain/access/assignments.js';
import type { TokenResult } from '../../src/domain/incident/tokens.js';
import { ensureBuilt, runCli, type CliRun } from './harness.js';
import { COMPROMISED, COMPROMISED_LABEL, incidentScenario } from './incident-scenario.js';

const pairs = (run: CliRun): PairResult[] => (run.json?.result as { results: PairResult[] }).results;
const tokens = (run: CliRun): TokenResult[] => (run.json?.result as { tokens: TokenResult[] }).tokens;
const policies = (run: CliRun): AppPolicyResult[] => (run.json?.result as { results: AppPolicyResult[] }).results;
type UsageSource = { source: string; status: string; detail: string };
type UsageApp = { apiName: string | null; eventLog?: { events: number } | null };
const usage = (run: CliRun): { sources: UsageSource[]; apps: UsageApp[] } => run.json?.result as { sources: UsageSource[]; apps: UsageApp[] };
const eventsByApp = (run: CliRun): Record<string, number> => Object.fromEntries(usage(run).apps.map((a) => [a.apiName ?? '', a.eventLog?.events ?? 0]));

/** Waits until a held request has arrived (the CLI is then blocked on it). */
async function arrived(handle: FaultHandle, run: Promise<CliRun>): Promise<void> {
  const state = { ended: false };
  void run.finally(() => {
    state.ended = true;
  });
  while (handle.matched === 0) {
    if (state.ended) throw new Error('the command ended before the held request arrived');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('the plugin under both answers of the guesses it depends on (GUESSES.md, e2e)', function () {
  this.timeout(240_000);
  let emulator: Emulator | undefined;

  before(async () => {
    await ensureBuilt();
  });
  afterEach(async () => {
    await emulator?.stop();
    emulator = undefined;
  });

  /**
   * S2: assign reads the access rows first, so the org refuses a pair as a duplicate only when someone else wrote it
   * between that read and the write. The composite POST is held while the rows are written behind the plugin's back.
   */
  async function assignRacingAnotherWriter(duplicateInsertCode?: string): Promise<{ run: CliRun; emulator: Emulator }> {
    const e = await start({ scenario: 'demo', ...(duplicateInsertCode ? { duplicateInsertCode } : {}) });
    emulator = e;
    const app = e.org.appByAnyName('Jenkins_CI')!;
    const apiAccess = e.org.table('PermissionSet').find((p) => p.Name === 'API_Access')!.Id as string;
    const integration = e.org.profiles.get('integration user')!.permissionSetId;
    const hold = e.addFault({ method: 'POST', path: /composite\/sobjects$/, kind: 'hold' });
    const running = runCli(['connectedapp', 'assign', '--name', 'Jenkins_CI', '--permission-set', 'API_Access', '--profile', 'Integration User'], { emulator: e });
    await arrived(hold, running);
    const other = e.org.createSetupEntityAccess(
      [apiAccess, integration].map((ParentId) => ({ attributes: { type: 'SetupEntityAccess' }, ParentId, SetupEntityId: app.id })),
      false
    );
    expect(other.every((r) => r.success)).to.equal(true);
    hold.release();
    return { run: await running, emulator: e };
  }

  it('S2: assign counts a pair another writer created meanwhile as unchanged, whichever code the org gives the duplicate', async () => {
    for (const code of [undefined, 'FIELD_INTEGRITY_EXCEPTION']) {
      const { run, emulator: e } = await assignRacingAnotherWriter(code);
      const label = code ?? 'DUPLICATE_VALUE';
      expect(run.exitCode, `${label}: ${JSON.stringify(run.json?.result)} ${JSON.stringify(run.json?.warnings)}`).to.equal(0);
      expect(pairs(run).map((r) => [r.target, r.status, r.path]), label).to.deep.equal([
        ['API_Access', 'unchanged', 'setup-entity-access'],
        ['Integration User', 'unchanged', 'setup-entity-access'],
      ]);
      expect(run.requests.filter((r) => r.soapOperation === 'updateMetadata'), `${label}: no metadata fallback for a pair that is there`).to.deep.equal([]);
      expect(e.org.setupEntityAccessFor('Jenkins_CI').filter((r) => r.SetupEntityType === 'ConnectedApplication'), label).to.have.length(3);
      await e.stop();
      emulator = undefined;
    }
  });

  /**
   * O2: revoke lists the tokens, then sends one request per token. A token that goes away in between (revoked
   * elsewhere, expired) is answered 400 invalid_token by default, 200 under RFC 7009.
   */
  async function revokeRacingAnotherAdmin(revokeUnknownToken?: 'ok'): Promise<{ run: CliRun; gone: Set<string> }> {
    const e = await start({ scenario: incidentScenario({ tokens: 6 }), ...(revokeUnknownToken ? { revokeUnknownToken } : {}) });
    emulator = e;
    const hold = e.addFault({ method: 'POST', path: /^\/services\/oauth2\/revoke$/, kind: 'hold', times: -1 });
    const running = runCli(['connectedapp', 'revoke', '--name', COMPROMISED], { emulator: e });
    await arrived(hold, running);
    const held = e.org.table('OauthToken').filter((t) => t.AppName === COMPROMISED_LABEL);
    const gone = new Set(held.slice(0, 2).map((t) => t.DeleteToken as string));
    for (const t of gone) expect(e.org.revokeToken(t)).to.equal(true);
    hold.release();
    return { run: await running, gone };
  }

  it('O2: revoke reports a token revoked elsewhere meanwhile as already gone (400 invalid_token) or revoked (200), never as a failure', async () => {
    const { run: strict } = await revokeRacingAnotherAdmin();
    expect(strict.exitCode, strict.stderr).to.equal(0);
    const strictTokens = tokens(strict);
    expect(strictTokens).to.have.length(6);
    expect(strictTokens.filter((t) => t.status === 'unchanged').map((t) => t.message)).to.have.length(2);
    expect(strictTokens.filter((t) => t.status === 'unchanged').every((t) => /already/i.test(t.message ?? ''))).to.equal(true);
    expect(strictTokens.filter((t) => t.status === 'revoked' && t.verified === true)).to.have.length(4);
    await emulator?.stop();

    const { run: lenient } = await revokeRacingAnotherAdmin('ok');
    expect(lenient.exitCode, lenient.stderr).to.equal(0);
    const lenientTokens = tokens(lenient);
    // A 200 cannot tell "revoked now" from "was already gone": the read-back shows every token gone, so all six are revoked.
    expect(lenientTokens.map((t) => [t.status, t.verified])).to.deep.equal(Array.from({ length: 6 }, () => ['revoked', true]));
    expect(emulator?.org.table('OauthToken').filter((t) => t.AppName === COMPROMISED_LABEL)).to.have.length(0);
  });

  /**
   * E2: hourly files for the free types in an org without Event Monitoring. The demo has ApiTotalUsage hourly files
   * for three hours of yesterday; the daily file of a day appears about 26 h after it starts, its hourly files 4 h after
   * each hour.
   */
  async function usageAt(now: string, hourlyWithoutEventMonitoring: boolean): Promise<CliRun> {
    const e = await start({ scenario: demoScenario({ now, hourlyWithoutEventMonitoring }) });
    emulator = e;
    try {
      return await runCli(['connectedapp', 'usage', '--source', 'elf', '--start-date', '2026-11-13T00:00:00Z', '--end-date', now], { emulator: e });
    } finally {
      await e.stop();
      emulator = undefined;
    }
  }

  it('E2: usage counts the same events with or without hourly files once the daily file is there, and the hourly ones before it is', async () => {
    const logFiles = (run: CliRun): number => run.requests.filter((r) => /\/LogFile$/.test(r.path)).length;
    // Noon: yesterday's daily file exists, so its hourly files add nothing (and are not downloaded).
    const [dailyOnly, withHourly] = [await usageAt('2026-11-20T12:00:00Z', false), await usageAt('2026-11-20T12:00:00Z', true)];
    for (const run of [dailyOnly, withHourly]) {
      expect(run.exitCode, run.stderr).to.equal(0);
      expect(usage(run).sources.find((x) => x.source === 'EventLogFile')?.detail).to.match(/1 of 1 file\(s\) read, \d+ bytes, 432 rows/);
      expect(logFiles(run)).to.equal(1);
    }
    expect(eventsByApp(withHourly)).to.deep.equal(eventsByApp(dailyOnly));

    // 01:00: yesterday's daily file is not there yet; its hourly files are the only record of those hours.
    const [without, withH] = [await usageAt('2026-11-20T01:00:00Z', false), await usageAt('2026-11-20T01:00:00Z', true)];
    expect(usage(without).sources.find((x) => x.source === 'EventLogFile')?.detail).to.match(/2 of 2 file\(s\) read, \d+ bytes, 864 rows/);
    expect(usage(withH).sources.find((x) => x.source === 'EventLogFile')?.detail).to.match(/5 of 5 file\(s\) read, \d+ bytes, 993 rows/);
    const before = eventsByApp(without);
    const after = eventsByApp(withH);
    expect(Object.values(after).reduce((a, b) => a + b, 0) - Object.values(before).reduce((a, b) => a + b, 0)).to.be.greaterThan(0);
    for (const [app, events] of Object.entries(before)) expect(after[app] ?? 0, app).to.be.at.least(events);
  });

  /**
   * M2: a component that does not match the WSDL. The plugin writes what it read back losslessly, so the one way to
   * send such a component is a value the org returns but its update endpoint refuses (here a scope newer than the
   * WSDL). A fault fails the whole call; a per-component error only that app.
   */
  it('M2: policy set reports a component the org refuses by the WSDL: every app of the call (fault) or only that one (record)', async () => {
    for (const mode of ['fault', 'record'] as const) {
      const e = await start({ scenario: 'demo', metadataSchemaErrors: mode });
      emulator = e;
      const oauth = e.org.appByAnyName('Jenkins_CI')!.body!.oauthConfig![0] as MdObject;
      oauth.scopes = [...(oauth.scopes ?? []), 'SFApiPlatform'];
      const before = e.org.storedComponent('Fivetran');
      const run = await runCli(['connectedapp', 'policy', 'set', '--name', 'Jenkins_CI', '--name', 'Fivetran', '--ip-relaxation', 'relax-with-second-factor'], { emulator: e });
      expect(run.requests.filter((r) => r.soapOperation === 'updateMetadata'), mode).to.have.length(1);
      const byApp = Object.fromEntries(policies(run).map((r) => [r.app, r]));
      expect(byApp.Jenkins_CI.status, mode).to.equal('failed');
      expect(byApp.Jenkins_CI.message, mode).to.match(/SFApiPlatform/);
      if (mode === 'fault') {
        expect(run.exitCode, mode).to.equal(1);
        expect(byApp.Fivetran.status, 'the fault fails the other app of the call too').to.equal('failed');
        expect(byApp.Fivetran.message).to.match(/nothing was applied/);
        expect(e.org.storedComponent('Fivetran')).to.deep.equal(before);
      } else {
        expect(run.exitCode, mode).to.equal(68);
        expect(byApp.Jenkins_CI.errorCode).to.equal('INVALID_FIELD');
        expect([byApp.Fivetran.status, byApp.Fivetran.verified]).to.deep.equal(['updated', true]);
      }
      await e.stop();
      emulator = undefined;
    }
  });
});
