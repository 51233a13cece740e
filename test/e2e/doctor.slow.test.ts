import { expect } from 'chai';
import { start, type Emulator } from '../emulator/index.js';
import { ensureBuilt, runCli, type CliRun } from './harness.js';

/*
 * One scenario per failure cause (issue 14's acceptance), against test/emulator/scenarios/doctor.json (Harbor
 * Logistics). Each names the failing check and its fix; the passing counterparts show the same check can pass.
 */

type Check = { id: string; status: string; message: string; sources: Array<{ source: string; status: string; errorCode?: string }>; fix: { setup: string; command: string | null } | null };
type Result = { verdict: string; flow: string | null; flowInferred: boolean; checks: Check[]; coverage: Array<{ source: string; status: string }>; app: { installed: boolean } };

const H = '@harbor.example.com';
const result = (run: CliRun): Result => run.json?.result as Result;
const check = (run: CliRun, id: string): Check => {
  const found = result(run).checks.find((c) => c.id === id);
  expect(found, `check ${id} in the result`).to.not.equal(undefined);
  return found as Check;
};
const failing = (run: CliRun): string[] => result(run).checks.filter((c) => c.status === 'fail').map((c) => c.id);

describe('connectedapp doctor (e2e through the org emulator)', function () {
  this.timeout(240_000);
  let emulator: Emulator;

  const doctor = (...args: string[]): Promise<CliRun> => runCli(['connectedapp', 'doctor', ...args], { emulator });

  before(async () => {
    await ensureBuilt();
    emulator = await start({ scenario: 'doctor' });
  });
  after(async () => {
    await emulator.stop();
  });
  afterEach(() => {
    emulator.clearFaults();
  });

  it('not installed, new user: app-installed fails (September 2025 rule), fix: install the app', async () => {
    const run = await doctor('--name', 'DataBridge Cloud', '--username', `newhire${H}`);
    expect(run.exitCode, run.stderr).to.equal(1);
    expect(result(run).verdict).to.equal('cannot-use');
    expect(failing(run)).to.deep.equal(['app-installed']);
    expect(check(run, 'app-installed').message).to.match(/never authorized it/);
    expect(check(run, 'app-installed').fix?.setup).to.match(/Connected Apps OAuth Usage.*DataBridge Cloud.*Install/);
    expect(check(run, 'app-installed').sources.map((s) => s.source)).to.include.members(['ConnectedApplication', 'OauthToken', 'PermissionSetAssignment']);
  });

  it('not installed, but the user authorized it before: existing access keeps working', async () => {
    const run = await doctor('--name', 'DataBridge Cloud', '--username', `veteran${H}`, '--flow', 'refresh-token');
    expect(run.exitCode, run.stderr).to.equal(0);
    expect(check(run, 'app-installed')).to.include({ status: 'pass' });
    expect(check(run, 'app-installed').message).to.match(/authorized it before/);
  });

  it('device flow on an uninstalled app: app-installed fails even for a user who authorized it', async () => {
    const run = await doctor('--name', 'DataBridge Cloud', '--username', `veteran${H}`, '--flow', 'device');
    expect(run.exitCode, run.stderr).to.equal(1);
    expect(failing(run)).to.deep.equal(['app-installed']);
    expect(check(run, 'app-installed').message).to.match(/device flow/);
    expect(check(run, 'app-installed').fix?.setup).to.match(/Install/);
  });

  it('pre-authorized but the user is not assigned: permitted-users fails, fix: sf connectedapp assign', async () => {
    const run = await doctor('--name', 'Field_Sales_Mobile', '--username', `newhire${H}`);
    expect(run.exitCode, run.stderr).to.equal(1);
    expect(failing(run)).to.include('permitted-users');
    const permitted = check(run, 'permitted-users');
    expect(permitted.message).to.match(/through no profile, permission set or group \(profile: Sales User\)/);
    expect(permitted.fix?.command).to.match(/^sf connectedapp assign --name Field_Sales_Mobile --permission-set /);
    expect(permitted.fix?.setup).to.match(/Manage Permission Sets/);
    // The failed attempt in LoginHistory is shown with its status (history: it does not decide the verdict).
    expect(check(run, 'login-attempts')).to.include({ status: 'info' });
    expect(check(run, 'login-attempts').message).to.match(/not admin approved/);
    // No --flow: the flow of the last login to the app is used, and said so.
    expect(result(run)).to.include({ flow: 'web-server', flowInferred: true });
  });

  it('assigned only through a permission set group component: permitted-users passes, naming the path', async () => {
    const run = await doctor('--name', 'Field_Sales_Mobile', '--username', `rep${H}`, '--flow', 'web-server', '--source-ip', '203.0.113.9');
    expect(run.exitCode, run.stderr).to.equal(0);
    expect(result(run).verdict).to.equal('can-use');
    expect(check(run, 'permitted-users')).to.include({ status: 'pass' });
    expect(check(run, 'permitted-users').message).to.match(/permission set group Sales_Bundle \(component Field_Sales_Access\)/);
    expect(result(run).checks.every((c) => c.fix === null)).to.equal(true);
  });

  it('frozen user: user-frozen fails (UserLogin), fix: unfreeze', async () => {
    const run = await doctor('--name', 'Field_Sales_Mobile', '--username', `frozen.rep${H}`);
    expect(run.exitCode, run.stderr).to.equal(1);
    expect(failing(run)).to.include('user-frozen');
    expect(failing(run)).to.not.include('user-active');
    expect(check(run, 'user-frozen').sources).to.deep.equal([{ source: 'UserLogin', status: 'used' }]);
    expect(check(run, 'user-frozen').fix?.setup).to.match(/Unfreeze/);
  });

  it('inactive user: user-active fails, fix: activate', async () => {
    const run = await doctor('--name', 'Field_Sales_Mobile', '--username', `former.rep${H}`);
    expect(run.exitCode, run.stderr).to.equal(1);
    expect(failing(run)).to.deep.equal(['user-active']);
    expect(check(run, 'user-active').fix?.setup).to.match(/tick Active/);
  });

  it('user without API Enabled: user-api-enabled fails, fix on the profile', async () => {
    const run = await doctor('--name', 'Warehouse_Scanner_App', '--username', `scanner${H}`);
    expect(run.exitCode, run.stderr).to.equal(1);
    expect(failing(run)).to.deep.equal(['user-api-enabled']);
    expect(check(run, 'user-api-enabled').fix?.setup).to.match(/Profiles > Minimal Access .*API Enabled/);
  });

  it('JWT bearer from outside the profile ranges with relaxation BYPASS: ip-restrictions fails (bearer flows always enforce)', async () => {
    const outside = await doctor('--name', 'Jenkins_CI', '--username', `ci${H}`, '--flow', 'jwt-bearer', '--source-ip', '198.51.100.7');
    expect(outside.exitCode, outside.stderr).to.equal(1);
    expect(failing(outside)).to.deep.equal(['ip-restrictions']);
    expect(check(outside, 'ip-restrictions').message).to.match(/198\.51\.100\.7 is outside the login IP ranges of Integration User.*BYPASS does not apply.*always enforces/);
    expect(check(outside, 'ip-restrictions').fix?.setup).to.match(/Login IP Ranges/);
    expect(check(outside, 'ip-restrictions').fix?.command, 'relaxing the app would not help a bearer flow').to.equal(null);

    const inside = await doctor('--name', 'Jenkins_CI', '--username', `ci${H}`, '--flow', 'jwt-bearer', '--source-ip', '52.14.88.190');
    expect(inside.exitCode, inside.stderr).to.equal(0);
    expect(check(inside, 'ip-restrictions')).to.include({ status: 'pass' });
  });

  it('web-server flow from outside the profile ranges with relaxation BYPASS: ip-restrictions passes', async () => {
    const run = await doctor('--name', 'Field_Sales_Mobile', '--username', `rep${H}`, '--flow', 'web-server', '--source-ip', '198.51.100.7');
    expect(run.exitCode, run.stderr).to.equal(0);
    expect(check(run, 'ip-restrictions')).to.include({ status: 'pass' });
    expect(check(run, 'ip-restrictions').message).to.match(/relaxes IP restrictions \(BYPASS\)/);
  });

  it('client credentials with an inactive run-as user: run-as-user fails, for everyone', async () => {
    const run = await doctor('--name', 'Nightly_Sync', '--flow', 'client-credentials');
    expect(run.exitCode, run.stderr).to.equal(1);
    expect(failing(run)).to.deep.equal(['run-as-user']);
    expect(check(run, 'run-as-user').message).to.match(/sync\.runner@harbor\.example\.com is inactive/);
    expect(check(run, 'run-as-user').fix?.setup).to.match(/activate the run-as user/);
    // With --username, the user's own checks do not stand in for the run-as user's: the request runs as the latter.
    const named = await doctor('--name', 'Nightly_Sync', '--flow', 'client-credentials', '--username', `rep${H}`);
    expect(failing(named)).to.deep.equal(['run-as-user']);
    for (const id of ['user-active', 'user-frozen', 'user-api-enabled', 'ip-restrictions']) expect(check(named, id).status, id).to.equal('skipped');
    expect(check(named, 'user-active').message).to.match(/runs as the app's run-as user/);
  });

  it('LoginHistory unreadable: login-attempts is unknown, not pass, and the verdict is "cannot tell" (exit 4)', async () => {
    emulator.addFault({ soql: 'FROM LoginHistory', status: 403, errorCode: 'INSUFFICIENT_ACCESS', times: -1 });
    const run = await doctor('--name', 'Field_Sales_Mobile', '--username', `rep${H}`, '--flow', 'web-server');
    expect(run.exitCode, run.stderr).to.equal(4);
    expect(result(run).verdict).to.equal('cannot-tell');
    expect(failing(run)).to.deep.equal([]);
    expect(check(run, 'login-attempts')).to.include({ status: 'unknown' });
    expect(check(run, 'login-attempts').sources).to.have.length(1);
    expect(check(run, 'login-attempts').sources[0]).to.include({ source: 'LoginHistory', status: 'no-permission', errorCode: 'INSUFFICIENT_ACCESS' });
    expect(check(run, 'login-attempts').fix?.setup).to.match(/Monitor Login History/);
  });

  it('LoginHistory unreadable and no --source-ip: the profile ranges cannot be tested, so ip-restrictions is unknown', async () => {
    emulator.addFault({ soql: 'FROM LoginHistory', status: 403, errorCode: 'INSUFFICIENT_ACCESS', times: -1 });
    const run = await doctor('--name', 'Jenkins_CI', '--username', `ci${H}`, '--flow', 'jwt-bearer');
    expect(run.exitCode, run.stderr).to.equal(4);
    expect(check(run, 'ip-restrictions')).to.include({ status: 'unknown' });
  });

  it('the app alone: who can use it, and what blocks everyone', async () => {
    const open = await doctor('--name', 'Field_Sales_Mobile');
    expect(open.exitCode, open.stderr).to.equal(0);
    expect(check(open, 'permitted-users').message).to.match(/^Admin approved users are pre-authorized: 2 active user\(s\)/);
    expect(check(open, 'user-active')).to.include({ status: 'skipped' });

    const uninstalled = await doctor('--name', 'DataBridge Cloud');
    expect(uninstalled.exitCode, uninstalled.stderr).to.equal(0);
    expect(check(uninstalled, 'app-installed').message).to.match(/only the 1 user\(s\) holding a token/);
  });

  it('after the fix it suggests, an old failed login no longer keeps the verdict at "cannot use"', async () => {
    const own = await start({ scenario: 'doctor' });
    try {
      const assign = await runCli(['connectedapp', 'assign', '--name', 'Field_Sales_Mobile', '--profile', 'Sales User'], { emulator: own });
      expect(assign.exitCode, assign.stderr).to.equal(0);
      const run = await runCli(['connectedapp', 'doctor', '--name', 'Field_Sales_Mobile', '--username', `newhire${H}`, '--flow', 'web-server', '--source-ip', '203.0.113.9'], { emulator: own });
      expect(check(run, 'permitted-users').status).to.equal('pass');
      expect(check(run, 'login-attempts')).to.include({ status: 'info' });
      expect(check(run, 'login-attempts').message).to.match(/failed/);
      expect(result(run).verdict).to.not.equal('cannot-use');
    } finally {
      await own.stop();
    }
  });

  it('an app without OAuth settings cannot be used, even with no --flow given', async () => {
    const demo = await start({ scenario: 'demo' });
    try {
      const run = await runCli(['connectedapp', 'doctor', '--name', 'Okta_SSO'], { emulator: demo });
      expect(run.exitCode, run.stderr).to.equal(1);
      expect(check(run, 'flow-enabled')).to.include({ status: 'fail' });
      expect(check(run, 'flow-enabled').fix?.setup).to.match(/Enable OAuth Settings/);
    } finally {
      await demo.stop();
    }
  });

  it('SetupEntityAccess or OauthToken refused: the checks that need them are unknown, the run is not an error', async () => {
    emulator.addFault({ soql: 'FROM SetupEntityAccess', kind: 'error', errorCode: 'INSUFFICIENT_ACCESS', times: -1 });
    const run = await doctor('--name', 'Field_Sales_Mobile', '--username', `rep${H}`, '--flow', 'web-server', '--source-ip', '203.0.113.9');
    expect(run.exitCode, run.stderr).to.equal(4);
    expect(check(run, 'permitted-users').status).to.equal('unknown');
    emulator.clearFaults();
    emulator.addFault({ soql: 'FROM OauthToken', kind: 'error', errorCode: 'INSUFFICIENT_ACCESS', times: -1 });
    // An app that is not installed is looked up among token names first: refused, the login history still names it.
    const uninstalled = await doctor('--name', 'DataBridge Cloud', '--username', `veteran${H}`, '--flow', 'refresh-token');
    expect(uninstalled.json?.name, uninstalled.stderr).to.not.equal('SfError');
    expect([0, 1, 4]).to.include(uninstalled.exitCode);
    expect(result(uninstalled).app.installed).to.equal(false);
  });

  it('prints the chain and the verdict for people, without the session id', async () => {
    const run = await runCli(['connectedapp', 'doctor', '--name', 'Jenkins_CI', '--username', `ci${H}`, '--flow', 'jwt-bearer', '--source-ip', '198.51.100.7'], { emulator, json: false });
    expect(run.exitCode, run.stderr).to.equal(1);
    expect(run.stdout).to.match(/✖ FAIL {4}ip-restrictions/);
    expect(run.stdout).to.match(/fix in Setup: Setup > Profiles > Integration User > Login IP Ranges/);
    expect(run.stdout).to.match(/Verdict: CANNOT USE — failed: ip-restrictions/);
    expect(run.stdout + run.stderr).to.not.include(emulator.accessToken);
  });

  it('refuses bad input before reading anything: a malformed --source-ip, an unknown user or app (exit 2)', async () => {
    const ip = await doctor('--name', 'Jenkins_CI', '--source-ip', '300.1.2.3');
    expect(ip.exitCode).to.equal(2);
    expect(ip.json?.message).to.match(/--source-ip[\s\S]*not an IPv4 or IPv6 address/);
    expect(ip.requests).to.deep.equal([]);

    const user = await doctor('--name', 'Jenkins_CI', '--username', `nobody${H}`);
    expect(user.exitCode).to.equal(2);
    expect(user.json?.name).to.equal('UnknownUserError');

    const app = await doctor('--name', 'Jenkins_C');
    expect(app.exitCode).to.equal(2);
    expect(app.json?.actions?.join(' ')).to.match(/did you mean: Jenkins_CI/);
  });
});
