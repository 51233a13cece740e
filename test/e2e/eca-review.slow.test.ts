/*
 * The last review points of issue 15 (External Client Apps), end to end through the org emulator's demo org, which
 * holds connected apps (Jenkins_CI …) and External Client Apps (Partner_Quoting …).
 */
import { expect } from 'chai';
import { start, type Emulator } from '../emulator/index.js';
import { ensureBuilt, runCli } from './harness.js';
import type { ConnectedAppPolicySetResult } from '../../src/commands/connectedapp/policy/set.js';

const ECA_GLOBAL_REASON = 'of an External Client App is in its global OAuth settings';

describe('External Client Apps: review polish (e2e through the org emulator)', function () {
  this.timeout(180_000);
  let demo: Emulator;
  before(async () => {
    await ensureBuilt();
    demo = await start({ scenario: 'demo' });
  });
  after(async () => demo.stop());

  describe('policy set --pkce / --refresh-token-rotation on an ECA', () => {
    for (const flag of ['--pkce', '--refresh-token-rotation']) {
      it(`${flag}: the table cell stays short and the reason is printed once under the table; --json keeps it whole`, async () => {
        const args = ['connectedapp', 'policy', 'set', '--name', 'Partner_Quoting', flag, '--dry-run'];
        const human = await runCli(args, { emulator: demo, json: false });
        const lines = human.stdout.split('\n');
        const row = lines.find((l) => l.startsWith('Partner_Quoting '));
        expect(row, human.stdout).to.match(/see below\s+failed\s*$/);
        const reasons = lines.filter((l) => l.includes(ECA_GLOBAL_REASON));
        expect(reasons, human.stdout).to.have.length(1);
        expect(lines.indexOf(reasons[0])).to.be.greaterThan(lines.indexOf(row ?? ''));
        expect(reasons[0]).to.match(/^Partner_Quoting: ".+" of an External Client App is in its global OAuth settings \(ExtlClntAppGlobalOauthSettings\)/);

        const json = await runCli(args, { emulator: demo });
        const [result] = (json.json?.result as ConnectedAppPolicySetResult).results;
        expect([result.status, result.errorCode]).to.deep.equal(['failed', 'EcaGlobalSetting']);
        expect(result.message).to.include(ECA_GLOBAL_REASON).and.include('not edited by policy set');
      });
    }
  });
});
