import { expect } from 'chai';
import {
  archivePath,
  archivedRecords,
  dayCoverage,
  emptyManifest,
  parseManifest,
  planArchive,
  prunable,
  withEntry,
  type ArchiveEntry,
  type Manifest,
} from '../../../src/domain/usage/archive.js';
import type { LogFileRecord } from '../../../src/domain/usage/log-files.js';

const rec = (id: string, day: string, created: string, extra: Partial<LogFileRecord> = {}): LogFileRecord => ({
  Id: id,
  EventType: 'ApiTotalUsage',
  LogDate: `${day}T00:00:00.000+0000`,
  Interval: 'Daily',
  CreatedDate: `${created}.000+0000`,
  LogFileLength: 10,
  ...extra,
});

const entry = (id: string, day: string, created: string): ArchiveEntry => ({
  id,
  eventType: 'ApiTotalUsage',
  interval: 'Daily',
  logDate: `${day}T00:00:00.000Z`,
  createdDate: `${created}.000Z`,
  bytes: 10,
  rows: 1,
  sha256: 'a'.repeat(64),
  downloadedAt: '2026-11-20T00:00:00.000Z',
  file: archivePath('ApiTotalUsage', 'Daily', `${day}T00:00:00.000Z`, id),
});

const manifest = (...files: ArchiveEntry[]): Manifest => ({ version: 1, files });

describe('event-log archive (domain)', () => {
  it('names files by type, day (or hour) and Id, with nothing a path could be steered with', () => {
    expect(archivePath('ApiTotalUsage', 'Daily', '2026-11-13T00:00:00.000Z', '0AT000000000001AAA')).to.equal('ApiTotalUsage/2026-11-13_0AT000000000001AAA.csv.gz');
    expect(archivePath('Login', 'Hourly', '2026-11-13T09:00:00.000Z', '0AT1')).to.equal('Login/2026-11-13T09_0AT1.csv.gz');
    expect(archivePath('../x', 'Daily', '2026-11-13T00:00:00.000Z', '../../etc')).to.equal('x/2026-11-13_etc.csv.gz');
  });

  it('downloads what is not archived, skips archived Ids and older versions, and replaces an older archived version', () => {
    const plan = planArchive(
      [
        rec('0AT1', '2026-11-13', '2026-11-14T02:00:00'),
        rec('0AT2', '2026-11-14', '2026-11-15T02:00:00'),
        rec('0AT3', '2026-11-14', '2026-11-16T02:00:00'),
        rec('0AT4', '2026-11-12', '2026-11-13T02:00:00'),
        rec('0AT5', '2026-11-11', '2026-11-12T02:00:00'),
      ],
      manifest(entry('0AT1', '2026-11-13', '2026-11-14T02:00:00'), entry('0AT0', '2026-11-12', '2026-11-13T01:00:00'), entry('0AT9', '2026-11-11', '2026-11-13T02:00:00'))
    );
    expect(plan.map((p) => [p.record.Id, p.action, p.replaces?.id ?? null])).to.deep.equal([
      ['0AT1', 'archived', null],
      ['0AT2', 'older', null],
      ['0AT3', 'download', null],
      ['0AT4', 'download', '0AT0'],
      // The archive already holds a newer version of 11-11 than the org shows.
      ['0AT5', 'older', null],
    ]);
  });

  it('keeps one entry per log when a newer version is added, sorted by date', () => {
    const m = withEntry(withEntry(emptyManifest(), entry('0AT2', '2026-11-14', '2026-11-15T02:00:00')), entry('0AT1', '2026-11-13', '2026-11-14T02:00:00'));
    const replaced = withEntry(m, entry('0AT3', '2026-11-14', '2026-11-16T02:00:00'));
    expect(replaced.files.map((f) => f.id)).to.deep.equal(['0AT1', '0AT3']);
  });

  it('prunes logs that ended before the cutoff', () => {
    const m = manifest(entry('0AT1', '2026-11-13', '2026-11-14T02:00:00'), entry('0AT2', '2026-11-14', '2026-11-15T02:00:00'));
    expect(prunable(m, new Date('2026-11-14T23:59:59Z')).map((f) => f.id)).to.deep.equal(['0AT1']);
    expect(prunable(m, new Date('2026-11-15T00:00:00Z')).map((f) => f.id)).to.deep.equal(['0AT1', '0AT2']);
  });

  it('refuses a manifest that is damaged or points outside the archive', () => {
    expect(parseManifest(manifest(entry('0AT1', '2026-11-13', '2026-11-14T02:00:00')))).to.not.be.a('string');
    expect(parseManifest([])).to.be.a('string');
    expect(parseManifest({ version: 2, files: [] })).to.match(/version/);
    expect(parseManifest({ version: 1, files: [{ ...entry('0AT1', '2026-11-13', '2026-11-14T02:00:00'), file: '../../x' }] })).to.match(/entry 0/);
    expect(parseManifest({ version: 1, files: [{ ...entry('0AT1', '2026-11-13', '2026-11-14T02:00:00'), sha256: 'x' }] })).to.match(/entry 0/);
    expect(parseManifest({ version: 1, files: [{ ...entry('0AT1', '2026-11-13', '2026-11-14T02:00:00'), rows: -1 }] })).to.match(/entry 0/);
  });

  it('uses archived files only for logs the org no longer has, and says where each day came from', () => {
    const m = manifest(entry('0AT1', '2026-11-13', '2026-11-14T02:00:00'), entry('0AT2', '2026-11-14', '2026-11-15T02:00:00'));
    const picked = archivedRecords(m, ['apitotalusage'], [rec('0AT7', '2026-11-14', '2026-11-16T02:00:00')]);
    expect([...picked.keys()]).to.deep.equal(['0AT1']);
    expect(picked.get('0AT1')?.record).to.include({ LogDate: '2026-11-13T00:00:00.000+0000', Interval: 'Daily' });
    expect(archivedRecords(m, ['Login'], [])).to.have.property('size', 0);
    const days = dayCoverage({ start: new Date('2026-11-12T00:00:00Z'), end: new Date('2026-11-15T00:00:00Z') }, [
      { logDate: '2026-11-13T00:00:00.000+0000', status: 'read', source: 'archive' },
      { logDate: '2026-11-14T00:00:00.000+0000', status: 'read', source: 'org' },
      { logDate: '2026-11-12T00:00:00.000+0000', status: 'failed', source: 'org' },
    ]);
    expect(days).to.deep.equal([
      { day: '2026-11-12', source: 'missing' },
      { day: '2026-11-13', source: 'archive' },
      { day: '2026-11-14', source: 'org' },
    ]);
  });
});
