import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Connection } from '@salesforce/core';
import { SfError } from '@salesforce/core';
import { expect } from 'chai';
import { acquireDirLock } from '../../../src/adapters/dir-lock.js';
import { LOCK_NAME, emptyManifest, withEntry, type ArchiveEntry } from '../../../src/domain/usage/archive.js';
import { writeSnapshotFile } from '../../../src/adapters/snapshot-file.js';
import { lockText } from '../../../src/domain/dir-lock.js';
import { archiveLogs, readManifest, type ArchiveRequest } from '../../../src/operations/archive.js';
import { EXIT } from '../../../src/exit-codes.js';

/** A connection that fails the test if the run gets as far as asking the org anything. */
const noOrg: Connection = new Proxy(Object.create(null) as Connection, {
  get: (): never => {
    throw new Error('the run must not reach the org');
  },
});

const request = (outputDir: string): ArchiveRequest => ({ outputDir, interval: 'daily', pruneBefore: null, dryRun: false, concurrency: 1, now: new Date() });

/** Every file under dir with its content, to show that nothing changed. */
const snapshot = (dir: string): Record<string, string> =>
  Object.fromEntries(
    readdirSync(dir, { recursive: true, withFileTypes: true })
      .filter((e) => e.isFile())
      .map((e) => [join(e.parentPath, e.name).slice(dir.length + 1), `${readFileSync(join(e.parentPath, e.name), 'utf8')}@${statSync(join(e.parentPath, e.name)).mtimeMs}`])
  );

async function failure(promise: Promise<unknown>): Promise<SfError> {
  const error = await promise.then(
    () => new Error('the run did not fail'),
    (e: unknown) => e as Error
  );
  if (!(error instanceof SfError)) throw error;
  return error;
}

describe('logs archive under the directory lock (operation)', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'ca-archive-lock-'));
    // What an earlier run left: a manifest, and a download in progress (a second run must not remove it).
    writeFileSync(join(dir, 'manifest.json'), '{"version":1,"files":[]}\n');
    mkdirSync(join(dir, 'ApiTotalUsage'));
    writeFileSync(join(dir, 'ApiTotalUsage', '2026-11-13_0AT1.csv.gz.partial'), 'half');
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('refuses while another run holds the lock, naming it and what to do, and changes nothing', async () => {
    const other = await acquireDirLock(dir, LOCK_NAME);
    try {
      const before = snapshot(dir);
      const error = await failure(archiveLogs(noOrg, request(dir)));
      expect(error.name).to.equal('ArchiveLockedError');
      expect(error.exitCode).to.equal(EXIT.error);
      expect(error.message).to.include(`process ${process.pid} on ${hostname()}`).and.include(other.holder.startedAt).and.include('without changing anything');
      expect(error.actions?.join('\n')).to.include(join(dir, LOCK_NAME)).and.include('24 hours');
      expect(snapshot(dir)).to.deep.equal(before);
    } finally {
      other.release();
    }
  });

  it('releases the lock when the run fails', async () => {
    writeFileSync(join(dir, 'manifest.json'), '{"version":1,"files":[{"id":"x"}]}');
    const error = await failure(archiveLogs(noOrg, request(dir)));
    expect(error.name).to.equal('ManifestUnreadableError');
    expect(existsSync(join(dir, LOCK_NAME))).to.be.false;
    // Free for the next run.
    (await acquireDirLock(dir, LOCK_NAME)).release();
  });

  it('takes over a lock left by a dead process, warning at once (before the run fails), then releases it', async () => {
    writeFileSync(join(dir, 'manifest.json'), 'not json');
    const pid = spawnSync(process.execPath, ['-e', '']).pid;
    const startedAt = new Date(Date.now() - 60_000).toISOString();
    writeFileSync(join(dir, LOCK_NAME), lockText({ pid, hostname: hostname(), startedAt, token: 'killed-run' }));
    const warnings: string[] = [];
    const error = await failure(archiveLogs(noOrg, request(dir), undefined, (w) => warnings.push(w)));
    expect(error.name).to.equal('ManifestUnreadableError');
    expect(warnings).to.have.length(1);
    expect(warnings[0]).to.include(`process ${pid} on ${hostname()}`).and.include(startedAt).and.include('no longer running');
    expect(existsSync(join(dir, LOCK_NAME))).to.be.false;
  });

  it('a reader never sees a half-written manifest while a run rewrites it (written to a temporary file, then renamed)', async () => {
    const path = join(dir, 'manifest.json');
    const entry = (i: number): ArchiveEntry => ({
      id: `0AT${String(i).padStart(15, '0')}`,
      eventType: 'ApiTotalUsage',
      interval: 'Daily',
      logDate: new Date(Date.UTC(2026, 0, 1) + i * 86_400_000).toISOString(),
      createdDate: null,
      bytes: 1000 + i,
      rows: i,
      sha256: 'a'.repeat(64),
      downloadedAt: new Date().toISOString(),
      file: `ApiTotalUsage/${i}.csv.gz`,
    });
    // What the run does after each file, many times over, while a reader reads the manifest as fast as it can.
    const run = { writing: true };
    const writer = (async (): Promise<void> => {
      let manifest = emptyManifest();
      for (let i = 0; i < 150; i++) {
        manifest = withEntry(manifest, entry(i));
        await writeSnapshotFile(path, manifest);
      }
      run.writing = false;
    })();
    const sizes: number[] = [];
    while (run.writing) sizes.push((await readManifest(path)).files.length);
    await writer;
    expect(sizes.length).to.be.greaterThan(10);
    // Each read saw a whole manifest, and never went back in time.
    expect(sizes).to.deep.equal([...sizes].sort((a, b) => a - b));
    expect((await readManifest(path)).files).to.have.length(150);
  });

  it('a dry run takes no lock (it only reads) and is not stopped by one', async () => {
    const other = await acquireDirLock(dir, LOCK_NAME);
    try {
      // It reads the manifest, then asks the org: it got past the lock.
      const error = await archiveLogs(noOrg, { ...request(dir), dryRun: true }).then(
        () => null,
        (e: unknown) => e as Error
      );
      expect(error?.message).to.equal('the run must not reach the org');
    } finally {
      other.release();
    }
  });
});
