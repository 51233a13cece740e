/*
 * The event-log archive, pure: its manifest (what DIR holds, one entry per complete file), which of the org's files a
 * run downloads, which archived files a newer version replaces, and which ones --prune-older-than removes.
 *
 * The manifest is the archive's truth: a file is listed only once it is completely on disk, and readers read only
 * listed files, so whatever a run leaves behind when it is killed (a temporary file, an unlisted finished file) is
 * ignored and the next run simply downloads what is not listed.
 */
import { parseSfDate } from './stamps.js';
import { type LogFileRecord } from './log-files.js';

export const MANIFEST_NAME = 'manifest.json';
/** Held by a `logs archive` run while it works on the directory (readers do not need it: the manifest is replaced atomically). */
export const LOCK_NAME = 'archive.lock';
export const MANIFEST_VERSION = 1;

export type ArchiveInterval = 'Daily' | 'Hourly';

export type ArchiveEntry = {
  /** EventLogFile Id. */
  id: string;
  eventType: string;
  interval: ArchiveInterval;
  /** LogDate as ISO 8601 (UTC). */
  logDate: string;
  /** The file's CreatedDate as ISO 8601: a later one for the same date is a newer version. */
  createdDate: string | null;
  /** Bytes of the CSV as downloaded (before compression). */
  bytes: number;
  /** CSV rows after the header. */
  rows: number;
  /** SHA-256 of the CSV as downloaded (hex). */
  sha256: string;
  downloadedAt: string;
  /** The gzip-compressed CSV, relative to the archive directory. */
  file: string;
};

export type Manifest = { version: number; files: ArchiveEntry[] };

export const emptyManifest = (): Manifest => ({ version: MANIFEST_VERSION, files: [] });

const isoOf = (sfDate: string | null | undefined): string | null => {
  if (!sfDate) return null;
  const ms = parseSfDate(sfDate);
  return Number.isNaN(ms) ? null : new Date(ms).toISOString();
};

export const intervalOf = (record: Pick<LogFileRecord, 'Interval'>): ArchiveInterval => ((record.Interval ?? 'Daily').toLowerCase() === 'hourly' ? 'Hourly' : 'Daily');

/** Where a file goes: ApiTotalUsage/2026-11-13_0AT….csv.gz (hourly: 2026-11-19T09_0AT….csv.gz). Only safe characters. */
export function archivePath(eventType: string, interval: ArchiveInterval, logDateIso: string, id: string): string {
  const when = interval === 'Hourly' ? logDateIso.slice(0, 13) : logDateIso.slice(0, 10);
  return `${eventType.replace(/[^A-Za-z0-9]/g, '')}/${when.replace(/[^0-9T-]/g, '')}_${id.replace(/[^A-Za-z0-9]/g, '')}.csv.gz`;
}

/** The identity of a log: the same type, interval and date (a newer version of a file has the same key). */
const keyOf = (eventType: string, interval: ArchiveInterval, logDateIso: string): string => `${eventType}|${interval}|${logDateIso}`;

/** A manifest read from disk, checked entry by entry; a string says what is wrong with it. */
export function parseManifest(value: unknown): Manifest | string {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'not an object';
  const { version, files } = value as { version?: unknown; files?: unknown };
  if (version !== MANIFEST_VERSION) return `unknown version ${JSON.stringify(version)}`;
  if (!Array.isArray(files)) return 'no "files" list';
  const out: ArchiveEntry[] = [];
  for (const [i, f] of (files as unknown[]).entries()) {
    const e = f as Partial<ArchiveEntry> | null;
    const str = (v: unknown): v is string => typeof v === 'string' && v !== '';
    const num = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0;
    if (
      !e ||
      !str(e.id) ||
      !str(e.eventType) ||
      (e.interval !== 'Daily' && e.interval !== 'Hourly') ||
      !str(e.logDate) ||
      Number.isNaN(Date.parse(e.logDate)) ||
      !(e.createdDate === null || str(e.createdDate)) ||
      !num(e.bytes) ||
      !num(e.rows) ||
      !(typeof e.sha256 === 'string' && /^[0-9a-f]{64}$/.test(e.sha256)) ||
      !str(e.downloadedAt) ||
      !str(e.file) ||
      e.file.includes('..') ||
      e.file.startsWith('/')
    ) {
      return `entry ${i} is not a valid archived file`;
    }
    out.push(e as ArchiveEntry);
  }
  return { version: MANIFEST_VERSION, files: out };
}

export type PlanItem = {
  record: LogFileRecord;
  interval: ArchiveInterval;
  logDate: string;
  createdDate: string | null;
  /** download: not in the archive; archived: the same Id is; older: the archive has a newer version of it. */
  action: 'download' | 'archived' | 'older';
  /** The archived entry this download replaces (an older version of the same log). */
  replaces: ArchiveEntry | null;
  file: string;
};

const newer = (a: string | null, aId: string, b: string | null, bId: string): boolean => {
  const x = a ? Date.parse(a) : 0;
  const y = b ? Date.parse(b) : 0;
  return x > y || (x === y && aId > bId);
};

/**
 * What to do with each of the org's files: those whose Id is archived are done; of several versions of one log
 * (in the org or in the archive) only the newest is kept.
 */
export function planArchive(records: readonly LogFileRecord[], manifest: Manifest): PlanItem[] {
  const byId = new Set(manifest.files.map((f) => f.id));
  const archived = new Map(manifest.files.map((f) => [keyOf(f.eventType, f.interval, f.logDate), f]));
  // The newest version in the org of each log.
  const newestInOrg = new Map<string, { id: string; created: string | null }>();
  for (const r of records) {
    const logDate = isoOf(r.LogDate);
    if (logDate === null) continue;
    const key = keyOf(r.EventType, intervalOf(r), logDate);
    const created = isoOf(r.CreatedDate);
    const seen = newestInOrg.get(key);
    if (!seen || newer(created, r.Id, seen.created, seen.id)) newestInOrg.set(key, { id: r.Id, created });
  }
  const plan: PlanItem[] = [];
  for (const r of records) {
    const logDate = isoOf(r.LogDate);
    if (logDate === null) continue;
    const interval = intervalOf(r);
    const key = keyOf(r.EventType, interval, logDate);
    const createdDate = isoOf(r.CreatedDate);
    const file = archivePath(r.EventType, interval, logDate, r.Id);
    const base = { record: r, interval, logDate, createdDate, file };
    const inArchive = archived.get(key);
    if (byId.has(r.Id)) plan.push({ ...base, action: 'archived', replaces: null });
    else if (newestInOrg.get(key)?.id !== r.Id || (inArchive && !newer(createdDate, r.Id, inArchive.createdDate, inArchive.id))) plan.push({ ...base, action: 'older', replaces: null });
    else plan.push({ ...base, action: 'download', replaces: inArchive ?? null });
  }
  return plan;
}

/** The manifest with this entry added, replacing any entry for the same log (an older version). */
export function withEntry(manifest: Manifest, entry: ArchiveEntry): Manifest {
  const key = keyOf(entry.eventType, entry.interval, entry.logDate);
  const files = manifest.files.filter((f) => f.id !== entry.id && keyOf(f.eventType, f.interval, f.logDate) !== key);
  files.push(entry);
  files.sort((a, b) => a.logDate.localeCompare(b.logDate) || a.eventType.localeCompare(b.eventType) || a.interval.localeCompare(b.interval));
  return { version: MANIFEST_VERSION, files };
}

const spanMs = (interval: ArchiveInterval): number => (interval === 'Hourly' ? 3_600_000 : 86_400_000);

/** When an org file's log ends (a daily log a day after its LogDate, an hourly one an hour after), in ms. */
export function logEnd(record: LogFileRecord): number {
  return parseSfDate(record.LogDate) + spanMs(intervalOf(record));
}

/** Entries whose log ended by the cutoff. */
export function prunable(manifest: Manifest, cutoff: Date): ArchiveEntry[] {
  return manifest.files.filter((f) => Date.parse(f.logDate) + spanMs(f.interval) <= cutoff.getTime());
}

export function withoutEntries(manifest: Manifest, removed: readonly ArchiveEntry[]): Manifest {
  const ids = new Set(removed.map((f) => f.id));
  return { version: MANIFEST_VERSION, files: manifest.files.filter((f) => !ids.has(f.id)) };
}

// ---- Reading the archive beside the org -------------------------------------------------------------

const sfDateOf = (iso: string): string => iso.replace(/Z$/, '+0000');

/**
 * The archived files of these event types for logs the org no longer has (no version of the same type, interval and
 * date among the org's records), each as an EventLogFile record, by Id.
 */
export function archivedRecords(manifest: Manifest, eventTypes: readonly string[], orgRecords: readonly LogFileRecord[]): Map<string, { entry: ArchiveEntry; record: LogFileRecord }> {
  const types = new Set(eventTypes.map((t) => t.toLowerCase()));
  const inOrg = new Set(orgRecords.map((r) => keyOf(r.EventType, intervalOf(r), isoOf(r.LogDate) ?? '')));
  const out = new Map<string, { entry: ArchiveEntry; record: LogFileRecord }>();
  for (const e of manifest.files) {
    if (!types.has(e.eventType.toLowerCase()) || inOrg.has(keyOf(e.eventType, e.interval, e.logDate))) continue;
    out.set(e.id, {
      entry: e,
      record: {
        Id: e.id,
        EventType: e.eventType,
        LogDate: sfDateOf(e.logDate),
        Interval: e.interval,
        LogFileLength: e.bytes,
        CreatedDate: e.createdDate ? sfDateOf(e.createdDate) : null,
      },
    });
  }
  return out;
}

/** Where a UTC day of the window came from: the org, the archive, both (hourly files from each), or nowhere. */
export type DaySource = { day: string; source: 'org' | 'archive' | 'org+archive' | 'missing' };

/** Every UTC day the window touches, with the source of the files read for it (failed files do not count). */
export function dayCoverage(
  window: { start: Date; end: Date },
  files: ReadonlyArray<{ logDate: string; status: string; source?: 'org' | 'archive' }>
): DaySource[] {
  const seen = new Map<string, Set<'org' | 'archive'>>();
  for (const f of files) {
    if (f.status !== 'read') continue;
    const ms = parseSfDate(f.logDate);
    if (Number.isNaN(ms)) continue;
    const day = new Date(ms).toISOString().slice(0, 10);
    const set = seen.get(day) ?? new Set();
    set.add(f.source ?? 'org');
    seen.set(day, set);
  }
  const out: DaySource[] = [];
  const DAY = 86_400_000;
  for (let t = Math.floor(window.start.getTime() / DAY) * DAY; t < window.end.getTime(); t += DAY) {
    const day = new Date(t).toISOString().slice(0, 10);
    const set = seen.get(day);
    out.push({ day, source: !set ? 'missing' : set.size === 2 ? 'org+archive' : [...set][0] });
  }
  return out;
}
