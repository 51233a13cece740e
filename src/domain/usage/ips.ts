/*
 * Client IPs: calls (event logs) and logins (LoginHistory) per IP, bounded to IP_CAP IPs, and which IPs are new
 * since a date (--new-ips-since) when the logs read can tell.
 */
import type { IpUsage, NewIpsReport } from './result.js';
import { elfStamp, seenIso } from './stamps.js';
import { DAY_MS, type UsageWindow } from './window.js';

/** Distinct client IPs kept (the rest are counted in `other`), so memory stays bounded by this, not by the logs. */
export const IP_CAP = 10_000;
/** Users and apps listed per IP. */
export const IP_NAMES_CAP = 100;

class IpAgg {
  public calls = 0;
  public logins = 0;
  public first = '';
  public last = '';
  public readonly users = new Set<string>();
  public readonly apps = new Set<string>();
  public truncated = false;

  public seen(ts: string): void {
    if (ts === '') return;
    if (this.first === '' || ts < this.first) this.first = ts;
    if (ts > this.last) this.last = ts;
  }

  public name(set: Set<string>, value: string): void {
    if (value === '' || set.has(value)) return;
    if (set.size < IP_NAMES_CAP) set.add(value);
    else this.truncated = true;
  }

  public merge(from: IpAgg): void {
    this.calls += from.calls;
    this.logins += from.logins;
    this.seen(from.first);
    this.seen(from.last);
    for (const u of from.users) this.name(this.users, u);
    for (const a of from.apps) this.name(this.apps, a);
    this.truncated ||= from.truncated;
  }
}

/** Calls and logins per client IP (timestamps in ELF form, yyyyMMddHHmmss.SSS), at most IP_CAP IPs. */
export class IpCounter {
  public readonly ips = new Map<string, IpAgg>();
  /** Calls and logins from IPs beyond the cap. */
  public other = 0;

  /** An API call from an event-log row. `user` is a username or `id:<15-character Id>`. */
  public call(ip: string, ts: string, user: string, app: string): void {
    const agg = this.agg(ip);
    if (!agg) return;
    agg.calls++;
    this.note(agg, ts, user, app);
  }

  /** An OAuth login (LoginHistory). */
  public login(ip: string, ts: string, user: string, app: string): void {
    const agg = this.agg(ip);
    if (!agg) return;
    agg.logins++;
    this.note(agg, ts, user, app);
  }

  public merge(from: IpCounter): void {
    for (const [ip, agg] of from.ips) {
      const mine = this.ips.get(ip) ?? (this.ips.size < IP_CAP ? new IpAgg() : undefined);
      if (!mine) {
        this.other += agg.calls + agg.logins;
        continue;
      }
      this.ips.set(ip, mine);
      mine.merge(agg);
    }
    this.other += from.other;
  }

  private agg(ip: string): IpAgg | undefined {
    if (ip === '') return undefined;
    let agg = this.ips.get(ip);
    if (agg === undefined) {
      if (this.ips.size >= IP_CAP) {
        this.other++;
        return undefined;
      }
      agg = new IpAgg();
      this.ips.set(ip, agg);
    }
    return agg;
  }

  private note(agg: IpAgg, ts: string, user: string, app: string): void {
    agg.seen(ts);
    agg.name(agg.users, user);
    agg.name(agg.apps, app);
  }
}

/** User Ids (`id:` keys) the IP lists name without a username. */
export function unnamedIpUsers(counter: IpCounter): string[] {
  const ids = new Set<string>();
  for (const agg of counter.ips.values()) for (const u of agg.users) if (u.startsWith('id:')) ids.add(u.slice(3));
  return [...ids];
}

/**
 * What was read from before --new-ips-since: event log files (whose day starts before it) and whether LoginHistory
 * was read whole (its rows before the date are there).
 */
export type NewIpsBaseline = { logFiles: number; logins: boolean };

/**
 * The IP list: usernames filled in where known, each IP marked new when it was first seen on or after `since`
 * (null without `since`); new IPs first, then by calls and logins. With a `baseline`, an IP first seen on or after
 * `since` is new only when what it was seen in can be compared with the time before: API calls need an event log
 * file from before `since`, logins a whole LoginHistory. Otherwise its novelty is not known: `new` is null.
 */
export function finishIps(counter: IpCounter, since: Date | null, usernames: ReadonlyMap<string, string>, baseline?: NewIpsBaseline): IpUsage[] {
  const sinceStamp = since ? elfStamp(since) : null;
  const named = (u: string): string => (u.startsWith('id:') ? (usernames.get(u.slice(3)) ?? u.slice(3)) : u);
  const comparable = (agg: IpAgg): boolean => baseline === undefined || baseline.logFiles > 0 || (baseline.logins && agg.logins > 0);
  const novelty = (agg: IpAgg): boolean | null => {
    if (sinceStamp === null) return null;
    if (agg.first === '' || agg.first < sinceStamp) return false;
    return comparable(agg) ? true : null;
  };
  const list = [...counter.ips].map(([ip, agg]): IpUsage => ({
    ip,
    new: novelty(agg),
    apiCalls: agg.calls,
    logins: agg.logins,
    firstSeen: seenIso(agg.first),
    lastSeen: seenIso(agg.last),
    users: [...new Set([...agg.users].map(named))].sort(),
    apps: [...agg.apps].sort(),
    truncated: agg.truncated,
  }));
  const rank = (x: IpUsage): number => (x.new ? 1 : 0);
  return list.sort((a, b) => rank(b) - rank(a) || b.apiCalls + b.logins - (a.apiCalls + a.logins) || a.ip.localeCompare(b.ip));
}

/** --new-ips-since must leave logs before it to compare with: strictly after the window's start, not after its end. */
export function checkNewIpsSince(since: Date, window: UsageWindow): 'ok' | 'no-baseline' | 'after-window' {
  if (since.getTime() <= window.start.getTime()) return 'no-baseline';
  if (since.getTime() > window.end.getTime()) return 'after-window';
  return 'ok';
}

export function newIpsReport(ips: readonly IpUsage[], since: Date, window: UsageWindow, baseline: NewIpsBaseline): NewIpsReport {
  const comparedWith: NewIpsReport['comparedWith'] = [...(baseline.logFiles > 0 ? ['EventLogFile' as const] : []), ...(baseline.logins ? ['LoginHistory' as const] : [])];
  return {
    baselineLogFiles: baseline.logFiles,
    since: since.toISOString(),
    baselineStart: window.start.toISOString(),
    baselineDays: Math.round(((since.getTime() - window.start.getTime()) / DAY_MS) * 10) / 10,
    newIps: ips.filter((i) => i.new === true).length,
    ipsSeen: ips.length,
    comparedWith,
    notComparable: ips.filter((i) => i.new === null).length,
  };
}
