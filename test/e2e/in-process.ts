/*
 * Runs a command in this process against an org emulator: fast enough for a fault matrix of hundreds of runs,
 * where spawning bin/run.js (≈2 s of start-up each) would take a quarter of an hour. Everything the plugin sends
 * goes over real HTTP to the emulator (its fetch transport); only @salesforce/core's own auth files are faked
 * (TestContext), and its one request of its own — the Organization query of --target-org — is forwarded to the
 * emulator too. What the command prints is captured, not shown: --json goes to stdout past the stubbed ux
 * (ConnectedAppCommand.logJson writes it itself), and a matrix of runs would flood the test log. Process-level
 * behaviour (a crash, output cut in a pipe) is tested by the spawned e2e tests.
 */
import { MockTestOrgData, TestContext } from '@salesforce/core/testSetup';
import { stubSfCommandUx } from '@salesforce/sf-plugins-core';
import type { Emulator } from '../emulator/index.js';

/** A command class, as the tests import it (its static run()). */
export type CommandClass = { run(argv?: string[]): Promise<unknown> };

export type InProcessRun = {
  exitCode: number;
  /** What --json would print as `result` (undefined when the command threw). */
  result?: unknown;
  /** The error the command ended with, if it threw. */
  error?: Error & { exitCode?: number; actions?: string[] };
  warnings: string[];
  /** What the command wrote to stdout: the --json document. */
  stdout: string;
  ms: number;
};

export async function runInProcess(command: CommandClass, args: string[], emulator: Emulator): Promise<InProcessRun> {
  const $$ = new TestContext({ setup: false });
  $$.init();
  const testOrg = new MockTestOrgData();
  testOrg.instanceUrl = emulator.url;
  testOrg.accessToken = emulator.accessToken;
  // The stored login names the emulator's org, as a real login names its org (commands fall back to it when the
  // org does not say who the session is).
  testOrg.orgId = emulator.org.orgId;
  // Like an access-token login: there is no refresh token, so an expired session cannot be renewed.
  testOrg.refreshToken = '';
  const started = performance.now();
  const previousExitCode = process.exitCode;
  process.exitCode = undefined;
  try {
    await $$.stubAuths(testOrg);
    const ux = stubSfCommandUx($$.SANDBOX);
    $$.fakeConnectionRequest = async (request): Promise<never> => {
      const url = typeof request === 'string' ? request : (request as { url: string }).url;
      const response = await fetch(new URL(url, emulator.url), { headers: { Authorization: `Bearer ${emulator.accessToken}` } });
      if (!response.ok) throw new Error(`${response.status} ${await response.text()}`);
      return (await response.json()) as never;
    };
    let result: unknown;
    let error: InProcessRun['error'];
    const stdout: string[] = [];
    // Only while the command runs, so the test runner's own output is not caught.
    const write = $$.SANDBOX.stub(process.stdout, 'write').callsFake((chunk: string | Uint8Array, ...rest: unknown[]): boolean => {
      stdout.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
      const done = rest.find((r): r is () => void => typeof r === 'function');
      if (done) process.nextTick(done);
      return true;
    });
    try {
      result = await command.run([...args, '--target-org', testOrg.username, '--json']);
    } catch (thrown) {
      error = thrown as InProcessRun['error'];
    } finally {
      write.restore();
    }
    const warnings = ux.warn.args.map(([w]) => (typeof w === 'string' ? w : (w as { message: string }).message));
    const exitCode = typeof process.exitCode === 'number' ? process.exitCode : error ? (error.exitCode ?? 1) : 0;
    return { exitCode, result, error, warnings, stdout: stdout.join(''), ms: Math.round(performance.now() - started) };
  } finally {
    $$.restore();
    process.exitCode = previousExitCode;
  }
}
