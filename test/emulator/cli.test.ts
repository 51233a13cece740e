import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { expect } from 'chai';
import { REPO_ROOT } from '../e2e/harness.js';
import { start } from './index.js';

describe('emulator command line', () => {
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
