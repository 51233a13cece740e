/*
 * NUT against a real org (a scratch org or sandbox you can change). Skipped unless these are set:
 *   CONNECTEDAPP_NUT_ORG      an alias or username already logged in with `sf org login`
 *   CONNECTEDAPP_NUT_APP      API name of a connected app in that org (admin-approved, or not: both work)
 *   CONNECTEDAPP_NUT_PERMSET  API name of a permission set of the org's own, not yet assigned to the app
 * Run: npm run test:nuts
 */
import { spawnSync } from 'node:child_process';
import { expect } from 'chai';
import { REPO_ROOT } from '../e2e/harness.js';

const org = process.env.CONNECTEDAPP_NUT_ORG;
const app = process.env.CONNECTEDAPP_NUT_APP;
const permissionSet = process.env.CONNECTEDAPP_NUT_PERMSET;

type Envelope = { status: number; result?: { results: Array<{ status: string; recordId: string | null }> }; name?: string };

function sf(...args: string[]): Envelope {
  const run = spawnSync(process.execPath, [`${REPO_ROOT}/bin/run.js`, ...args, '--target-org', org ?? '', '--json'], { encoding: 'utf8', timeout: 300_000 });
  return JSON.parse(run.stdout) as Envelope;
}

describe('assign / unassign in a real org (NUT)', function () {
  this.timeout(600_000);
  before(function () {
    if (!org || !app || !permissionSet) this.skip();
  });

  it('assigns, re-assigns idempotently, and unassigns', () => {
    const dry = sf('connectedapp', 'assign', '--name', app ?? '', '--permission-set', permissionSet ?? '', '--dry-run');
    expect(dry.result?.results.map((r) => r.status)).to.deep.equal(['would-create']);
    const created = sf('connectedapp', 'assign', '--name', app ?? '', '--permission-set', permissionSet ?? '');
    expect(created.status).to.equal(0);
    expect(created.result?.results[0].status).to.equal('created');
    const again = sf('connectedapp', 'assign', '--name', app ?? '', '--permission-set', permissionSet ?? '');
    expect(again.result?.results[0].status).to.equal('unchanged');
    const removed = sf('connectedapp', 'unassign', '--name', app ?? '', '--permission-set', permissionSet ?? '', '--allow-lockout');
    expect(removed.result?.results[0].status).to.equal('deleted');
  });
});
