import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { expect } from 'chai';
import { REPO_ROOT } from '../e2e/harness.js';
import { start } from './index.js';

/** Runs the emulator's command line until it prints its banner (then stops it) or exits. */
function runEmulatorCli(args: string[]): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(REPO_ROOT, 'test', 'emulator', 'cli.ts'), ...args], { cwd: REPO_ROOT });
    let out = '';
    const read = (b: Buffer): void => {
      out += b.toString();
      if (/access token/.test(out) && /\n\n/.test(out)) child.kill('SIGTERM');
    };
    child.stdout.on('data', read);
    child.stderr.on('data', read);
    child.on('error', reject);
    child.on('close', (code) => {
      resolve({ code, out });
    });
  });
}

describe('emulator command line', () => {
  it('--now pins the org clock; a value that is not an instant is a plain message and exit 2', async () => {
    const pinned = await runEmulatorCli(['--scenario', 'empty', '--port', '0', '--now', '2026-11-20T12:00:00Z']);
    expect(pinned.out).to.include('org clock:    pinned at 2026-11-20T12:00:00.000Z');
    const bad = await runEmulatorCli(['--scenario', 'empty', '--port', '0', '--now', 'yesterday']);
    expect(bad.code, bad.out).to.equal(2);
    expect(bad.out).to.include('--now yesterday is not an ISO-8601 instant').and.not.match(/\n\s+at /);
  });


  it('a busy port is a plain message and exit 2, not a stack', async () => {
    const busy = await start({ scenario: 'empty', port: 0 });
    try {
      const port = new URL(busy.url).port;
      const result = await new Promise<{ code: number | null; out: string }>((resolve, reject) => {
        const child = spawn(process.execPath, ['--import', 'tsx', join(REPO_ROOT, 'test', 'emulator', 'cli.ts'), '--scenario', 'empty', '--port', port], { cwd: REPO_ROOT });
        let out = '';
        child.stdout.on('data', (b: Buffer) => (out += b.toString()));
        child.stderr.on('data', (b: Buffer) => (out += b.toString()));
        child.on('error', reject);
        child.on('close', (code) => {
          resolve({ code, out });
        });
      });
      expect(result.code, result.out).to.equal(2);
      expect(result.out).to.include(`Port ${port} on 127.0.0.1 is already in use`).and.include('--port 0');
      expect(result.out).not.to.match(/EADDRINUSE|\n\s+at /);
    } finally {
      await busy.stop();
    }
  });
});
