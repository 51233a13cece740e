/*
 * "Never crash, never misreport a write": the cases that broke before the transport and the write outcomes were
 * rebuilt, each run as a user runs it (bin/run.js, --json through a pipe) against the org emulator.
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { generateScenario, start, type Emulator } from '../emulator/index.js';
import { ensureBuilt, ownRequests, runCli, type CliRun } from './harness.js';
import type { AppPolicyResult } from '../../src/operations/policy.js';
import type { PairResult } from '../../src/domain/access/assignments.js';

type SetResult = { results: AppPolicyResult[]; assignments: PairResult[] };
const setResult = (run: CliRun): SetResult => run.json?.result as SetResult;

const ipRelaxation = async (emulator: Emulator, app: string): Promise<string> => {
  const body =
    '<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns="http://soap.sforce.com/2006/04/metadata">' +
    `<soapenv:Header><SessionHeader><sessionId>${emulator.accessToken}</sessionId></SessionHeader></soapenv:Header>` +
    `<soapenv:Body><readMetadata><type>ConnectedApp</type><fullNames>${app}</fullNames></readMetadata></soapenv:Body></soapenv:Envelope>`;
  const text = await (await fetch(new URL('/services/Soap/m/67.0', emulator.url), { method: 'POST', body, headers: { 'Content-Type': 'text/xml', SOAPAction: '""' } })).text();
  return /<ipRelaxation>([^<]*)<\/ipRelaxation>/.exec(text)?.[1] ?? '';
};

type Page = { totalSize: number; records: Array<{ Id: string }> };
const query = async (emulator: Emulator, soql: string): Promise<Page> =>
  (await fetch(new URL(`/services/data/v67.0/query?q=${encodeURIComponent(soql)}`, emulator.url), { headers: { Authorization: `Bearer ${emulator.accessToken}` } })).json() as Promise<Page>;

/** How many profiles and permission sets an app (by label) is assigned to. */
const accessCount = async (emulator: Emulator, appLabel: string): Promise<number> => {
  const id = (await query(emulator, `SELECT Id FROM ConnectedApplication WHERE Name = '${appLabel}'`)).records[0]?.Id ?? '';
  return (await query(emulator, `SELECT Id FROM SetupEntityAccess WHERE SetupEntityId = '${id}'`)).totalSize;
};

/** Whether the app (by label) is assigned to the permission set (by API name). */
const isAssigned = async (emulator: Emulator, appLabel: string, permissionSet: string): Promise<boolean> => {
  const id = (await query(emulator, `SELECT Id FROM ConnectedApplication WHERE Name = '${appLabel}'`)).records[0]?.Id ?? '';
  return (await query(emulator, `SELECT Id FROM SetupEntityAccess WHERE SetupEntityId = '${id}' AND Parent.Name = '${permissionSet}'`)).totalSize > 0;
};

describe('never crash, never misreport a write (e2e through the org emulator)', function () {
  this.timeout(300_000);
  let emulator: Emulator;
  before(async () => {
    await ensureBuilt();
  });
  beforeEach(async () => {
    emulator = await start({ scenario: 'demo' });
  });
  afterEach(async () => {
    await emulator.stop();
  });

  it('survives a connection cut mid-answer on a query page and on a SOAP read (retried, same answer)', async () => {
    const clean = await runCli(['connectedapp', 'policy', 'show', '--name', 'Jenkins_CI'], { emulator });
    emulator.addFault({ soql: 'FROM ConnectedApplication', kind: 'drop-mid' });
    emulator.addFault({ soapOperation: 'readMetadata', kind: 'truncate' });
    const run = await runCli(['connectedapp', 'policy', 'show', '--name', 'Jenkins_CI'], { emulator });
    expect(run.exitCode, run.stderr).to.equal(0);
    expect(run.json?.result).to.deep.equal(clean.json?.result);
    expect(run.requests.filter((r) => r.fault).map((r) => r.fault)).to.deep.equal(['drop-mid', 'truncate']);
  });

  it('reports an update that the org applied and then answered with an error as updated (read back)', async () => {
    emulator.addFault({ soapOperation: 'updateMetadata', kind: 'error-after' });
    const run = await runCli(['connectedapp', 'policy', 'set', '--name', 'Jenkins_CI', '--ip-relaxation', 'relax'], { emulator });
    expect(run.exitCode, run.stderr).to.equal(0);
    expect(setResult(run).results[0]).to.include({ status: 'updated', verified: true });
    expect(run.json?.warnings?.join(' ')).to.match(/answered the update of Jenkins_CI with an error \(UNKNOWN_EXCEPTION\)/);
    expect(await ipRelaxation(emulator, 'Jenkins_CI')).to.equal('BYPASS');
  });

  it('reports an applied update whose read-back fails as updated but not verified (exit 0, a warning)', async () => {
    // The first readMetadata reads the app; every later one (the read-back, with its retries) fails. (--type: no ECA
    // is read to resolve the name, so the read-back is the second readMetadata.)
    emulator.addFault({ soapOperation: 'readMetadata', nth: 2, times: -1, kind: 'error', status: 503 });
    const run = await runCli(['connectedapp', 'policy', 'set', '--name', 'Jenkins_CI', '--type', 'connected-app', '--ip-relaxation', 'relax'], { emulator });
    expect(run.exitCode, run.stderr).to.equal(0);
    expect(setResult(run).results[0]).to.include({ status: 'updated', verified: false });
    expect(run.json?.warnings?.join(' ')).to.match(/reading the apps back to verify them failed \(SERVER_UNAVAILABLE\)/);
    emulator.clearFaults();
    expect(await ipRelaxation(emulator, 'Jenkins_CI')).to.equal('BYPASS');
  });

  it('says "unknown" with the command to check when an update gets no answer and cannot be read back', async () => {
    emulator.addFault({ soapOperation: 'updateMetadata', kind: 'drop-before' });
    emulator.addFault({ soapOperation: 'readMetadata', nth: 2, times: -1, kind: 'error', status: 503 });
    const run = await runCli(['connectedapp', 'policy', 'set', '--name', 'Jenkins_CI', '--type', 'connected-app', '--ip-relaxation', 'relax'], { emulator });
    expect(run.exitCode).to.equal(1);
    expect(setResult(run).results[0]).to.include({ status: 'unknown' });
    expect(setResult(run).results[0].message).to.include('sf connectedapp policy show --name Jenkins_CI');
  });

  it('policy set --assign-*: a change that cannot be made is refused before anything is assigned', async () => {
    const before = await accessCount(emulator, 'Okta SSO');
    // Okta SSO is SAML-only: it has no OAuth settings to pre-authorize.
    const run = await runCli(['connectedapp', 'policy', 'set', '--name', 'Okta_SSO', '--permitted-users', 'admin-approved', '--assign-permission-set', 'API_Access'], { emulator });
    expect(run.exitCode).to.equal(1);
    expect(run.json?.message).to.match(/Nothing was assigned or changed/);
    expect(ownRequests(run).filter((r) => r.method !== 'GET' && !r.soapOperation?.startsWith('read') && !r.soapOperation?.startsWith('list'))).to.deep.equal([]);
    expect(await accessCount(emulator, 'Okta SSO')).to.equal(before);
  });

  it('policy set --assign-*: assignments made for a policy change that then fails are removed again', async () => {
    const before = await accessCount(emulator, 'Postman');
    emulator.addFault({ soapOperation: 'updateMetadata', kind: 'error', errorCode: 'INSUFFICIENT_ACCESS' });
    const run = await runCli(['connectedapp', 'policy', 'set', '--name', 'Postman', '--permitted-users', 'admin-approved', '--assign-permission-set', 'API_Access'], { emulator });
    expect(run.exitCode).to.equal(1);
    expect(setResult(run).results[0]).to.include({ status: 'failed', errorCode: 'INSUFFICIENT_ACCESS' });
    expect(setResult(run).assignments.map((a) => [a.target, a.status])).to.deep.equal([['API_Access', 'rolled-back']]);
    expect(await accessCount(emulator, 'Postman')).to.equal(before);
  });

  it('assign: a re-sent create that is applied but answered with an error is read back and reported created (not failed)', async () => {
    // The first create gets no answer (nothing applied), the re-read shows the pair missing, the re-send is applied but answered 500.
    emulator.addFault({ method: 'POST', path: '/composite/sobjects', kind: 'drop-before', nth: 1 });
    emulator.addFault({ method: 'POST', path: '/composite/sobjects', kind: 'error-after', nth: 2 });
    const run = await runCli(['connectedapp', 'assign', '--name', 'Postman', '--permission-set', 'API_Access'], { emulator });
    expect(await isAssigned(emulator, 'Postman', 'API_Access')).to.equal(true);
    expect(run.exitCode, run.stdout).to.equal(0);
    const result = (run.json?.result as { results: PairResult[] }).results;
    expect(result.map((r) => [r.target, r.status, r.verified])).to.deep.equal([['API_Access', 'created', true]]);
    expect(result[0].recordId).to.match(/^0J0/);
  });

  it('assign: a re-sent create that fails without an answer and is not applied is failed after a read-back', async () => {
    emulator.addFault({ method: 'POST', path: '/composite/sobjects', kind: 'drop-before', times: 2 });
    const run = await runCli(['connectedapp', 'assign', '--name', 'Postman', '--permission-set', 'API_Access'], { emulator });
    expect(await isAssigned(emulator, 'Postman', 'API_Access')).to.equal(false);
    expect(run.exitCode, run.stdout).to.equal(1);
    expect((run.json?.result as { results: PairResult[] }).results.map((r) => r.status)).to.deep.equal(['failed']);
    expect(run.json?.warnings?.join(' ')).to.match(/No assignment could be written/);
  });

  it('unassign: a re-sent delete that is applied but answered with an error is read back and reported deleted', async () => {
    expect(await isAssigned(emulator, 'GitHub Actions Deploy', 'GitHub_Actions_Deploy')).to.equal(true);
    emulator.addFault({ method: 'DELETE', path: '/composite/sobjects', kind: 'drop-before', nth: 1 });
    emulator.addFault({ method: 'DELETE', path: '/composite/sobjects', kind: 'error-after', nth: 2 });
    const run = await runCli(['connectedapp', 'unassign', '--name', 'GitHub_Actions_Deploy', '--permission-set', 'GitHub_Actions_Deploy'], { emulator });
    expect(await isAssigned(emulator, 'GitHub Actions Deploy', 'GitHub_Actions_Deploy')).to.equal(false);
    expect(run.exitCode, run.stdout).to.equal(0);
    expect((run.json?.result as { results: PairResult[] }).results.map((r) => [r.status, r.verified])).to.deep.equal([['deleted', true]]);
  });

  it('unassign: when no removal goes through, the message speaks of removing', async () => {
    emulator.addFault({ method: 'DELETE', path: '/composite/sobjects', kind: 'error', errorCode: 'INSUFFICIENT_ACCESS' });
    const run = await runCli(['connectedapp', 'unassign', '--name', 'GitHub_Actions_Deploy', '--permission-set', 'GitHub_Actions_Deploy'], { emulator });
    expect(run.exitCode, run.stdout).to.equal(1);
    expect(run.json?.warnings?.join(' ')).to.match(/No assignment could be removed/);
    expect(run.json?.warnings?.join(' ')).not.to.match(/written/);
  });

  it('policy set --assign-*: a rollback delete that is applied but answered with an error is read back and reported rolled back', async () => {
    emulator.addFault({ soapOperation: 'updateMetadata', kind: 'error', errorCode: 'INSUFFICIENT_ACCESS' });
    emulator.addFault({ method: 'DELETE', path: '/composite/sobjects', kind: 'error-after' });
    const run = await runCli(['connectedapp', 'policy', 'set', '--name', 'Postman', '--permitted-users', 'admin-approved', '--assign-permission-set', 'API_Access'], { emulator });
    expect(await isAssigned(emulator, 'Postman', 'API_Access')).to.equal(false);
    expect(run.exitCode, run.stdout).to.equal(1);
    expect(setResult(run).assignments.map((a) => [a.target, a.status])).to.deep.equal([['API_Access', 'rolled-back']]);
    expect(run.json?.warnings?.join(' ')).not.to.match(/could not be removed/);
  });

  it('policy set --assign-*: a rollback delete that fails is reported per pair as still assigned', async () => {
    emulator.addFault({ soapOperation: 'updateMetadata', kind: 'error', errorCode: 'INSUFFICIENT_ACCESS' });
    emulator.addFault({ method: 'DELETE', path: '/composite/sobjects', kind: 'error', errorCode: 'INSUFFICIENT_ACCESS' });
    const run = await runCli(['connectedapp', 'policy', 'set', '--name', 'Postman', '--permitted-users', 'admin-approved', '--assign-permission-set', 'API_Access'], { emulator });
    expect(await isAssigned(emulator, 'Postman', 'API_Access')).to.equal(true);
    expect(run.exitCode, run.stdout).to.equal(68);
    expect(setResult(run).assignments.map((a) => [a.target, a.status])).to.deep.equal([['API_Access', 'created']]);
    expect(run.json?.warnings?.join(' ')).to.match(/could not be removed again: Postman → API_Access \(INSUFFICIENT_ACCESS\)/);
  });

  it('policy set --assign-*: when re-reading the policy after assigning fails, the assignments are removed again and the policy is reported not changed', async () => {
    // --type: no ECA is read to resolve the name, so the re-read after assigning is the second readMetadata.
    emulator.addFault({ soapOperation: 'readMetadata', nth: 2, times: -1, kind: 'error', status: 503 });
    const args = ['connectedapp', 'policy', 'set', '--name', 'Postman', '--type', 'connected-app', '--permitted-users', 'admin-approved', '--assign-permission-set', 'API_Access'];
    const run = await runCli(args, { emulator });
    expect(await isAssigned(emulator, 'Postman', 'API_Access')).to.equal(false);
    expect(run.exitCode, run.stdout).to.equal(1);
    expect(setResult(run).results.map((r) => [r.app, r.status, r.errorCode])).to.deep.equal([['Postman', 'failed', 'SERVER_UNAVAILABLE']]);
    expect(setResult(run).results[0].message).to.match(/^Not changed: reading the app's policy again after assigning failed \(SERVER_UNAVAILABLE\)/);
    expect(setResult(run).assignments.map((a) => [a.target, a.status])).to.deep.equal([['API_Access', 'rolled-back']]);
    emulator.clearFaults();
    // The next run converges.
    const again = await runCli(args, { emulator });
    expect(again.exitCode, again.stdout).to.equal(0);
    expect(await isAssigned(emulator, 'Postman', 'API_Access')).to.equal(true);
  });

  it('policy set --assign-*: when the re-read and the rollback both fail, each pair left behind is named', async () => {
    emulator.addFault({ soapOperation: 'readMetadata', nth: 2, times: -1, kind: 'error', status: 503 });
    emulator.addFault({ method: 'DELETE', path: '/composite/sobjects', times: -1, kind: 'error', status: 503 });
    const run = await runCli(['connectedapp', 'policy', 'set', '--name', 'Postman', '--type', 'connected-app', '--permitted-users', 'admin-approved', '--assign-permission-set', 'API_Access'], { emulator });
    expect(await isAssigned(emulator, 'Postman', 'API_Access')).to.equal(true);
    // The policy is not changed; the assignment asked for is in place: a partial result.
    expect(run.exitCode, run.stdout).to.equal(68);
    expect(setResult(run).results.map((r) => r.status)).to.deep.equal(['failed']);
    expect(setResult(run).assignments.map((a) => [a.target, a.status])).to.deep.equal([['API_Access', 'created']]);
    expect(run.json?.warnings?.join(' ')).to.match(/Postman → API_Access/);
  });

  it('refuses an --api-version the org does not serve, or that is not a version, as wrong usage (exit 2)', async () => {
    for (const version of ['abc', '12.0', '99.0']) {
      const run = await runCli(['connectedapp', 'list', '--api-version', version], { emulator });
      expect(run.exitCode, `${version}: ${run.stdout}`).to.equal(2);
      expect(run.json?.message, version).to.match(/version/i);
      expect(ownRequests(run).filter((r) => r.soql || r.soapOperation), version).to.deep.equal([]);
    }
  });

  it('register init: an --api-version the org does not serve is wrong usage (exit 2), checked before any query', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ca-register-'));
    try {
      const run = await runCli(['connectedapp', 'register', 'init', '--api-version', '99.0', '--output-file', join(dir, 'register.yaml')], { emulator });
      expect(run.exitCode, run.stdout).to.equal(2);
      expect(run.json?.message).to.match(/does not serve API version 99\.0/);
      expect(ownRequests(run).filter((r) => r.soql || r.soapOperation)).to.deep.equal([]);
      expect(existsSync(join(dir, 'register.yaml'))).to.equal(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('says the org could not be reached, with exit code 10, when every connection drops (after retries)', async () => {
    emulator.addFault({ soql: 'FROM ConnectedApplication', kind: 'drop-before', times: -1 });
    const run = await runCli(['connectedapp', 'list'], { emulator });
    expect(run.exitCode, run.stdout).to.equal(10);
    expect(run.json?.message).to.match(/could not be reached/);
    // The first attempt and 4 retries.
    expect(run.requests.filter((r) => r.fault === 'drop-before')).to.have.length(5);
  });
});

describe('--json stays whole through a pipe (e2e, 1,000-app org)', function () {
  this.timeout(600_000);

  it('audit --fail-on info: exit 3 and the whole result (over 1 MB) parses', async () => {
    await ensureBuilt();
    const emulator = await start({ scenario: generateScenario({ apps: 1000, permissionSets: 300, tokens: 3000, seed: 7 }) });
    try {
      const run = await runCli(['connectedapp', 'audit', '--fail-on', 'info', '--event-log-days', '0'], { emulator });
      expect(run.exitCode, run.stderr.slice(0, 2000)).to.equal(3);
      expect(run.stdout.length).to.be.greaterThan(1024 * 1024);
      const envelope = JSON.parse(run.stdout) as { status: number; result: { findings: unknown[]; gateFailed: boolean } };
      expect(envelope.status).to.equal(3);
      expect(envelope.result.gateFailed).to.equal(true);
      expect(envelope.result.findings.length).to.be.greaterThan(1000);
    } finally {
      await emulator.stop();
    }
  });

  it('an error (10,000 unknown apps in --file): the whole error document (over 1 MB) parses', async () => {
    await ensureBuilt();
    const emulator = await start({ scenario: 'demo' });
    const dir = mkdtempSync(join(tmpdir(), 'ca-unknown-'));
    try {
      const file = join(dir, 'unknown.json');
      writeFileSync(file, JSON.stringify({ apps: Array.from({ length: 10_000 }, (_, i) => ({ app: `Nonexistent_Application_${i}`, permissionSets: ['API_Access'] })) }));
      const run = await runCli(['connectedapp', 'assign', '--file', file], { emulator, timeoutMs: 300_000 });
      expect(run.exitCode, run.stderr.slice(0, 2000)).to.equal(1);
      expect(run.stdout.length).to.be.greaterThan(1024 * 1024);
      const envelope = JSON.parse(run.stdout) as { status: number; message: string };
      expect(envelope.status).to.equal(1);
      expect(envelope.message).to.include('Nonexistent_Application_9999');
    } finally {
      rmSync(dir, { recursive: true, force: true });
      await emulator.stop();
    }
  });
});
