import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { start, type Emulator } from '../emulator/index.js';
import type { InterruptedRun } from '../../src/domain/incident/run-journal.js';
import { tokenRef } from '../../src/domain/incident/tokens.js';
import type { ConnectedAppContainResult } from '../../src/commands/connectedapp/contain.js';
import type { ConnectedAppRestoreResult } from '../../src/commands/connectedapp/restore.js';
import { parseSnapshot } from '../../src/domain/incident/snapshot.js';
import { ensureBuilt, runCli, type CliRun } from './harness.js';
import { COMPROMISED, COMPROMISED_LABEL, COMPROMISED_TOKENS, CONSUMER_SECRET, incidentScenario, INNOCENT, LOOKALIKE } from './incident-scenario.js';

const contained = (run: CliRun): ConnectedAppContainResult => run.json?.result as ConnectedAppContainResult;
const restored = (run: CliRun): ConnectedAppRestoreResult => run.json?.result as ConnectedAppRestoreResult;
const steps = (run: CliRun): Array<[string, string]> => contained(run).steps.map((s) => [s.step, s.status]);
/** Requests that change the org. */
const writes = (run: CliRun): string[] =>
  run.requests
    .filter((r) => r.path === '/services/oauth2/revoke' || r.method === 'DELETE' || (r.method === 'POST' && /composite/.test(r.path)) || r.soapOperation === 'updateMetadata')
    .map((r) => `${r.method} ${r.soapOperation ?? r.path}`);

/** The app's ConnectedApp metadata exactly as readMetadata returns it (the `<records>` element's text). */
async function metadataText(emulator: Emulator, fullName: string): Promise<string> {
  const body =
    '<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns="http://soap.sforce.com/2006/04/metadata">' +
    `<soapenv:Header><SessionHeader><sessionId>${emulator.accessToken}</sessionId></SessionHeader></soapenv:Header>` +
    `<soapenv:Body><readMetadata><type>ConnectedApp</type><fullNames>${fullName}</fullNames></readMetadata></soapenv:Body></soapenv:Envelope>`;
  const response = await fetch(new URL('/services/Soap/m/67.0', emulator.url), { method: 'POST', body, headers: { 'Content-Type': 'text/xml', SOAPAction: '""' } });
  const text = await response.text();
  const record = /<records[ >][\s\S]*<\/records>/.exec(text)?.[0];
  expect(record, text).to.be.a('string');
  return record ?? '';
}

/** The app's assignments as permission set Ids, in the org's order. */
const assignments = (emulator: Emulator, app: string): string[] => emulator.org.setupEntityAccessFor(app).map((r) => r.ParentId as string);
const tokenCount = (emulator: Emulator, appName: string): number => emulator.org.table('OauthToken').filter((t) => t.AppName === appName).length;

describe('connectedapp contain / restore (e2e through the org emulator)', function () {
  this.timeout(240_000);
  let emulator: Emulator;
  let dir: string;

  before(async () => {
    await ensureBuilt();
  });
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'ca-contain-'));
  });
  afterEach(async () => {
    await emulator.stop();
  });

  it('contains an app with 3,000 tokens, then restore leaves policy and assignments byte-identical (tokens aside)', async () => {
    emulator = await start({ scenario: incidentScenario() });
    const file = join(dir, 'loader.json');
    const metadataBefore = await metadataText(emulator, COMPROMISED);
    const assignmentsBefore = assignments(emulator, COMPROMISED);
    const innocentBefore = await metadataText(emulator, INNOCENT);
    expect(assignmentsBefore).to.have.length(3);

    const dry = await runCli(['connectedapp', 'contain', '--name', COMPROMISED, '--snapshot-file', file, '--dry-run'], { emulator });
    expect(dry.exitCode, dry.stderr).to.equal(0);
    expect(steps(dry)).to.deep.equal([['snapshot', 'would-change'], ['policy', 'would-change'], ['assignments', 'would-change'], ['tokens', 'would-change']]);
    expect(contained(dry).tokens).to.have.length(COMPROMISED_TOKENS);
    expect(contained(dry).assignments.map((a) => a.status)).to.deep.equal(['would-delete', 'would-delete', 'would-delete']);
    expect(contained(dry).snapshot.content.assignments).to.have.length(3);
    expect(existsSync(file), 'a dry run writes no file').to.equal(false);
    expect(writes(dry)).to.deep.equal([]);

    const run = await runCli(['connectedapp', 'contain', '--name', COMPROMISED, '--snapshot-file', file], { emulator });
    expect(run.exitCode, run.stderr).to.equal(0);
    expect(steps(run)).to.deep.equal([['snapshot', 'done'], ['policy', 'done'], ['assignments', 'done'], ['tokens', 'done']]);
    expect(contained(run).policy?.verified).to.equal(true);
    expect(contained(run).assignments.every((a) => a.status === 'deleted' && a.verified === true)).to.equal(true);
    expect(contained(run).tokens.every((t) => t.status === 'revoked' && t.verified === true)).to.equal(true);
    expect(tokenCount(emulator, COMPROMISED_LABEL)).to.equal(0);
    expect(assignments(emulator, COMPROMISED)).to.deep.equal([]);
    expect(await metadataText(emulator, COMPROMISED)).to.include('<isAdminApproved>true</isAdminApproved>');
    // The snapshot was the first write; it holds the state before, and no secret.
    const firstWrite = run.requests.findIndex((r) => r.soapOperation === 'updateMetadata');
    expect(firstWrite).to.be.greaterThan(0);
    const text = readFileSync(file, 'utf8');
    const snapshot = parseSnapshot(JSON.parse(text));
    expect(snapshot.assignments.map((a) => a.permissionSetId).sort()).to.deep.equal([...assignmentsBefore].sort());
    expect(snapshot.tokens.count).to.equal(COMPROMISED_TOKENS);
    expect(snapshot.policy?.permittedUsers).to.equal('all-self-authorize');
    const held = [CONSUMER_SECRET, ...emulator.org.table('OauthToken').flatMap((t) => [t.DeleteToken as string, t.AccessToken as string])];
    expect(held.filter((s) => text.includes(s) || run.stdout.includes(s))).to.deep.equal([]);

    const again = await runCli(['connectedapp', 'contain', '--name', COMPROMISED, '--snapshot-file', file], { emulator });
    expect(again.exitCode, again.stderr).to.equal(0);
    expect(steps(again)).to.deep.equal([['snapshot', 'unchanged'], ['policy', 'unchanged'], ['assignments', 'unchanged'], ['tokens', 'unchanged']]);
    expect(readFileSync(file, 'utf8'), 'the snapshot of the state before is kept').to.equal(text);
    expect(writes(again)).to.deep.equal([]);

    const restoreDry = await runCli(['connectedapp', 'restore', '--snapshot-file', file, '--dry-run'], { emulator });
    expect(restoreDry.exitCode, restoreDry.stderr).to.equal(0);
    expect(restored(restoreDry).assignments.map((a) => a.status)).to.deep.equal(['would-create', 'would-create', 'would-create']);
    expect(restored(restoreDry).policy?.status).to.equal('would-update');
    expect(writes(restoreDry)).to.deep.equal([]);

    const back = await runCli(['connectedapp', 'restore', '--snapshot-file', file], { emulator });
    expect(back.exitCode, back.stderr).to.equal(0);
    expect(restored(back).tokensAtSnapshot).to.equal(COMPROMISED_TOKENS);
    expect(back.json?.warnings?.join(' ')).to.match(/cannot be restored/);
    expect(await metadataText(emulator, COMPROMISED)).to.equal(metadataBefore);
    expect(assignments(emulator, COMPROMISED).sort()).to.deep.equal([...assignmentsBefore].sort());
    expect(await metadataText(emulator, INNOCENT)).to.equal(innocentBefore);
    expect(tokenCount(emulator, COMPROMISED_LABEL), 'tokens do not come back').to.equal(0);

    const twice = await runCli(['connectedapp', 'restore', '--snapshot-file', file], { emulator });
    expect(twice.exitCode, twice.stderr).to.equal(0);
    expect(restored(twice).policy?.status).to.equal('unchanged');
    expect(restored(twice).assignments.every((a) => a.status === 'unchanged')).to.equal(true);
    expect(writes(twice)).to.deep.equal([]);
  });

  it('keeps the named holders assigned, and restore puts back the others and removes what was added since', async () => {
    emulator = await start({ scenario: incidentScenario({ tokens: 30, adminApproved: true }) });
    const file = join(dir, 'loader.json');
    const metadataBefore = await metadataText(emulator, COMPROMISED);
    const run = await runCli(['connectedapp', 'contain', '--name', COMPROMISED_LABEL, '--snapshot-file', file, '--keep-assignment', 'Incident Team'], { emulator });
    expect(run.exitCode, run.stderr).to.equal(0);
    expect(contained(run).assignments.map((a) => [a.target, a.status])).to.have.deep.members([
      ['Loader_Users', 'deleted'],
      ['Sales User', 'deleted'],
    ]);
    expect(emulator.org.setupEntityAccessFor(COMPROMISED)).to.have.length(1);
    expect(steps(run)[1]).to.deep.equal(['policy', 'unchanged']);

    const assign = await runCli(['connectedapp', 'assign', '--name', COMPROMISED, '--permission-set', 'Reporting_Access'], { emulator });
    expect(assign.exitCode, assign.stderr).to.equal(0);
    const back = await runCli(['connectedapp', 'restore', '--snapshot-file', file], { emulator });
    expect(back.exitCode, back.stderr).to.equal(0);
    expect(restored(back).assignments.map((a) => [a.target, a.status])).to.have.deep.members([
      ['Loader_Users', 'created'],
      ['Incident_Team', 'unchanged'],
      ['Sales User', 'created'],
      ['Reporting_Access', 'deleted'],
    ]);
    expect(await metadataText(emulator, COMPROMISED).then((t) => t.replace(/<(permissionSet|profile)Name>[^<]*<\/\1Name>/g, ''))).to.equal(
      metadataBefore.replace(/<(permissionSet|profile)Name>[^<]*<\/\1Name>/g, '')
    );
  });

  it('contains an app that is not installed: tokens revoked, and says honestly what else to do', async () => {
    emulator = await start({ scenario: incidentScenario({ tokens: 10 }) });
    const file = join(dir, 'lookalike.json');
    const run = await runCli(['connectedapp', 'contain', '--name', LOOKALIKE, '--snapshot-file', file], { emulator });
    expect(run.exitCode, run.stderr).to.equal(0);
    expect(steps(run)).to.deep.equal([['snapshot', 'done'], ['policy', 'not-possible'], ['assignments', 'not-possible'], ['tokens', 'done']]);
    expect(run.json?.warnings?.join(' ')).to.match(/Install.*block/);
    expect(tokenCount(emulator, LOOKALIKE)).to.equal(0);
    const snapshot = parseSnapshot(JSON.parse(readFileSync(file, 'utf8')));
    expect(snapshot.app).to.deep.equal({ name: LOOKALIKE, apiName: null, appId: null, installed: false });

    // A re-run: no app and no token carries the name any more, and the snapshot file names it: nothing to do, exit 0.
    const again = await runCli(['connectedapp', 'contain', '--name', LOOKALIKE, '--snapshot-file', file], { emulator });
    expect(again.exitCode, again.stdout).to.equal(0);
    expect(steps(again)).to.deep.equal([['snapshot', 'unchanged'], ['policy', 'not-possible'], ['assignments', 'not-possible'], ['tokens', 'unchanged']]);
    expect(contained(again)).to.deep.include({ nothingToDo: true, tokens: [] });
    expect(writes(again)).to.deep.equal([]);
    const human = await runCli(['connectedapp', 'contain', '--name', LOOKALIKE, '--snapshot-file', file], { emulator, json: false });
    expect(human.exitCode, human.stderr).to.equal(0);
    expect(human.stdout).to.include(`Nothing left to do`);
    expect(human.stdout, 'the real path, not a placeholder').to.include(`sf connectedapp restore --snapshot-file ${file}`);
    expect(human.stdout).to.not.include('<file>');

    const back = await runCli(['connectedapp', 'restore', '--snapshot-file', file], { emulator });
    expect(back.exitCode, back.stderr).to.equal(0);
    expect(back.json?.warnings?.join(' ')).to.match(/no policy or assignment to put back/);
    expect(writes(back)).to.deep.equal([]);
  });

  it('prints the snapshot path in the restore hint, quoted for the shell when it needs to be', async () => {
    emulator = await start({ scenario: incidentScenario({ tokens: 10 }) });
    const file = join(dir, 'my loader.json');
    const run = await runCli(['connectedapp', 'contain', '--name', COMPROMISED, '--snapshot-file', file], { emulator, json: false });
    expect(run.exitCode, run.stderr).to.equal(0);
    expect(run.stdout).to.include(`Snapshot in ${file}; 10 token(s) revoked, 0 not. Restore with: sf connectedapp restore --snapshot-file '${file}'`);
    expect(run.stdout).to.not.include('<file>');
  });

  it('restore: a --snapshot-file that does not exist is wrong usage (exit 2), before anything is read', async () => {
    emulator = await start({ scenario: incidentScenario({ tokens: 10 }) });
    const missing = await runCli(['connectedapp', 'restore', '--snapshot-file', join(dir, 'nope.json')], { emulator });
    expect(missing.exitCode).to.equal(2);
    expect(missing.json?.message).to.match(/nope\.json does not exist/);
    expect(missing.requests.filter((r) => r.soql !== undefined && !/FROM Organization/.test(r.soql))).to.deep.equal([]);
  });

  it('refuses a snapshot file it did not write, and a snapshot from another org, changing nothing', async () => {
    emulator = await start({ scenario: incidentScenario({ tokens: 10 }) });
    const other = join(dir, 'notes.json');
    writeFileSync(other, '{"apps": []}\n');
    const run = await runCli(['connectedapp', 'contain', '--name', COMPROMISED, '--snapshot-file', other], { emulator });
    expect(run.exitCode).to.equal(1);
    expect(run.json?.message).to.match(/is not a snapshot/);
    expect(readFileSync(other, 'utf8')).to.equal('{"apps": []}\n');
    expect(writes(run)).to.deep.equal([]);

    const file = join(dir, 'loader.json');
    expect((await runCli(['connectedapp', 'contain', '--name', COMPROMISED, '--snapshot-file', file], { emulator })).exitCode).to.equal(0);
    const snapshot = JSON.parse(readFileSync(file, 'utf8')) as { orgId: string };
    writeFileSync(file, JSON.stringify({ ...snapshot, orgId: '00D000000000001AAA' }));
    const back = await runCli(['connectedapp', 'restore', '--snapshot-file', file], { emulator });
    expect(back.exitCode).to.equal(1);
    expect(back.json?.message).to.match(/not in this org/);
    expect(writes(back)).to.deep.equal([]);

    const missing = await runCli(['connectedapp', 'contain', '--name', COMPROMISED, '--snapshot-file', join(dir, 'no', 'such', 'dir.json')], { emulator });
    expect(missing.exitCode).to.equal(1);
    expect(missing.json?.message).to.match(/Cannot write the snapshot/);
    expect(writes(missing)).to.deep.equal([]);
  });

  it('Ctrl-C (SIGINT) during the token step: the record says which steps and tokens were done, as the org has them; a re-run finishes', async () => {
    emulator = await start({ scenario: incidentScenario({ tokens: 40 }) });
    const file = join(dir, 'loader.json');
    const hold = emulator.addFault({ method: 'POST', path: /^\/services\/oauth2\/revoke$/, nth: 11, times: -1, kind: 'hold' });
    let pid = 0;
    const running = runCli(['connectedapp', 'contain', '--name', COMPROMISED, '--snapshot-file', file], {
      emulator,
      onSpawn: (p) => {
        pid = p;
      },
    });
    try {
      const deadline = Date.now() + 60_000;
      while (hold.fired < 8 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
      expect(hold.fired, 'eight revocations in flight').to.equal(8);
      process.kill(pid, 'SIGINT');
      const run = await running;
      expect(run.exitCode, run.stderr).to.equal(130);
      const record = run.json?.result as InterruptedRun;
      expect(record).to.deep.include({ status: 'interrupted', command: 'contain', signal: 'SIGINT', during: 'tokens', snapshot: { path: file, status: 'written' } });
      expect(record.steps.map((s) => [s.step, s.status])).to.deep.equal([['snapshot', 'done'], ['policy', 'done'], ['assignments', 'done'], ['tokens', 'interrupted']]);
      expect(record.counts).to.deep.include({ revoked: 10, 'in-flight': 8, 'not-sent': 22 });
      // As the org has it: the app admin-approved, no assignment left, the revoked tokens gone and the others there.
      expect(await metadataText(emulator, COMPROMISED)).to.include('<isAdminApproved>true</isAdminApproved>');
      expect(assignments(emulator, COMPROMISED)).to.deep.equal([]);
      const left = new Set(emulator.org.table('OauthToken').filter((t) => t.AppName === COMPROMISED_LABEL).map((t) => tokenRef(t.DeleteToken as string)));
      expect(left.size).to.equal(30);
      expect(record.tokens.filter((t) => t.status === 'revoked').every((t) => !left.has(t.ref))).to.equal(true);
      expect(record.tokens.filter((t) => t.status !== 'revoked').every((t) => left.has(t.ref))).to.equal(true);
      expect(run.stderr).to.match(/Interrupted by SIGINT while revoking tokens/);
      expect(run.stderr).to.include(file);
      expect(parseSnapshot(JSON.parse(readFileSync(file, 'utf8'))).assignments, 'the snapshot was on disk first').to.have.length(3);
    } finally {
      hold.release();
    }
    emulator.clearFaults();
    const again = await runCli(['connectedapp', 'contain', '--name', COMPROMISED, '--snapshot-file', file], { emulator });
    expect(again.exitCode, again.stderr).to.equal(0);
    expect(steps(again)).to.deep.equal([['snapshot', 'unchanged'], ['policy', 'unchanged'], ['assignments', 'unchanged'], ['tokens', 'done']]);
    expect(tokenCount(emulator, COMPROMISED_LABEL)).to.equal(0);
  });

  it('faults mid-way: the steps and items say exactly what was done, and a re-run finishes', async () => {
    emulator = await start({ scenario: incidentScenario({ tokens: 40 }) });
    const file = join(dir, 'loader.json');
    emulator.addFault({ method: 'DELETE', path: /composite\/sobjects/, errorCode: 'INSUFFICIENT_ACCESS' });
    emulator.addFault({ method: 'POST', path: /^\/services\/oauth2\/revoke$/, nth: 7, times: 2, errorCode: 'INSUFFICIENT_ACCESS' });
    const run = await runCli(['connectedapp', 'contain', '--name', COMPROMISED, '--snapshot-file', file], { emulator });
    expect(run.exitCode, run.stderr).to.equal(68);
    expect(steps(run)).to.deep.equal([['snapshot', 'done'], ['policy', 'done'], ['assignments', 'partial'], ['tokens', 'partial']]);
    const failedPairs = contained(run).assignments.filter((a) => a.status === 'failed').map((a) => a.target);
    // The profile is removed through the app's metadata when the org refuses the row deletion; permission sets are not.
    expect(failedPairs.sort()).to.deep.equal(['Incident_Team', 'Loader_Users']);
    expect(emulator.org.setupEntityAccessFor(COMPROMISED)).to.have.length(2);
    const left = new Set(emulator.org.table('OauthToken').filter((t) => t.AppName === COMPROMISED_LABEL).map((t) => tokenRef(t.DeleteToken as string)));
    expect(contained(run).tokens.filter((t) => t.status === 'failed').map((t) => t.ref).sort()).to.deep.equal([...left].sort());
    expect(left.size).to.equal(2);

    emulator.clearFaults();
    const again = await runCli(['connectedapp', 'contain', '--name', COMPROMISED, '--snapshot-file', file], { emulator });
    expect(again.exitCode, again.stderr).to.equal(0);
    expect(steps(again)).to.deep.equal([['snapshot', 'unchanged'], ['policy', 'unchanged'], ['assignments', 'done'], ['tokens', 'done']]);
    expect(emulator.org.setupEntityAccessFor(COMPROMISED)).to.deep.equal([]);
    expect(tokenCount(emulator, COMPROMISED_LABEL)).to.equal(0);
    expect(parseSnapshot(JSON.parse(readFileSync(file, 'utf8'))).assignments, 'the snapshot still holds all three').to.have.length(3);
  });
});
