import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { expect } from 'chai';
import { samplePeakRss } from './peak-rss.js';

const MB = 1024 * 1024;

/** Runs `node -e <code>` to its end while sampling its process tree. */
async function sampled(code: string): Promise<ReturnType<ReturnType<typeof samplePeakRss>['peak']>> {
  const child = spawn(process.execPath, ['-e', code], { stdio: 'inherit' });
  const sampler = samplePeakRss(child.pid);
  await new Promise((resolve) => child.on('exit', resolve));
  sampler.stop();
  return sampler.peak();
}

describe('peak RSS of a process tree', function () {
  this.timeout(30_000);
  before(function () {
    if (!existsSync('/proc/self/status')) this.skip();
  });

  it('counts a child process’s peak with its parent’s', async () => {
    // The parent stays small; its child touches 80 MB and exits before the parent does.
    const child = `const b = Buffer.alloc(${80 * MB}, 1); setTimeout(() => b.length, 300);`;
    const peak = await sampled(`require('node:child_process').spawnSync(process.execPath, ['-e', ${JSON.stringify(child)}], { stdio: 'inherit' });`);
    expect(peak?.processes).to.equal(2);
    expect(peak!.bytes).to.be.greaterThan(80 * MB);
  });

  it('is the one process’s own peak (VmHWM) when it starts none, even after the memory is freed', async () => {
    const peak = await sampled(`let b = Buffer.alloc(${60 * MB}, 1); setTimeout(() => { b = null; setTimeout(() => {}, 200); }, 200);`);
    expect(peak?.processes).to.equal(1);
    expect(peak!.bytes).to.be.greaterThan(60 * MB).and.lessThan(200 * MB);
  });

  it('is null for a process that is not there', () => {
    const sampler = samplePeakRss(undefined);
    sampler.stop();
    expect(sampler.peak()).to.equal(null);
  });
});
