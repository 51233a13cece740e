/*
 * usage --group-by user and --group-by ip: human blocks, CSV and NDJSON lines for the two groupings the per-app
 * report (./usage.ts) does not lead with. IPs, usernames and app names come from logs: printed through
 * `printable` so no control character reaches a terminal.
 */
import { Messages } from '@salesforce/core';
import { IP_CAP } from '../domain/usage/ips.js';
import type { IpUsage, NewIpsReport, UsageResult } from '../domain/usage/result.js';
import { printable } from './terminal.js';
import { wrappedLog } from './output.js';
import { csvCell, sourceText, type HumanBlock } from './usage.js';

Messages.importMessagesDirectoryFromMetaUrl(import.meta.url);
const messages = Messages.loadMessages('plugin-connectedapp', 'connectedapp.usage');
const ipMessages = Messages.loadMessages('plugin-connectedapp', 'connectedapp.usage-ips');

const TOP_IPS = 200;
const TOP_USERS = 200;
const NAMES_IN_CELL = 3;

const minute = (iso: string | null): string => (iso ? iso.slice(0, 16).replace('T', ' ') : '');
const few = (names: readonly string[], truncated: boolean): string => {
  const rest = names.length - NAMES_IN_CELL;
  return printable(names.slice(0, NAMES_IN_CELL).join(', ')) + (rest > 0 ? messages.getMessage('human.more', [rest]) : '') + (truncated ? ' …' : '');
};

function head(result: UsageResult): HumanBlock[] {
  const unit = messages.getMessage(`human.unit.${result.window.interval}`);
  return [
    ...wrappedLog(messages.getMessage('human.window', [minute(result.window.start), minute(result.window.end), unit])),
    ...wrappedLog(messages.getMessage('human.sources', [result.sources.map(sourceText).join(' · ') || messages.getMessage('none')])),
  ];
}

function limits(result: UsageResult): HumanBlock[] {
  if (result.sources.length === 0) return [];
  return [{ kind: 'header', text: messages.getMessage('human.limitsHeader') }, ...result.sources.flatMap((s) => s.cannotShow.flatMap((l) => wrappedLog(`  ${s.source}: ${l}`)))];
}

/** What --new-ips-since found, and what it compared with: the days of logs, LoginHistory only, or nothing. */
function newIpsLine(n: NewIpsReport): string {
  const since = n.since.slice(0, 10);
  if (n.comparedWith.length === 0) return ipMessages.getMessage('human.newIpsNone', [since, n.ipsSeen]);
  if (!n.comparedWith.includes('EventLogFile')) return ipMessages.getMessage('human.newIpsLoginsOnly', [since, n.newIps, n.ipsSeen, n.baselineStart.slice(0, 10), n.notComparable]);
  return ipMessages.getMessage('human.newIps', [since, n.newIps, n.ipsSeen, n.baselineDays, n.baselineStart.slice(0, 10), n.baselineLogFiles]);
}

function ipTable(ips: readonly IpUsage[], withNew: boolean): HumanBlock {
  const keys = [...(withNew ? ['new'] : []), 'ip', 'apiCalls', 'logins', 'firstSeen', 'lastSeen', 'users', 'apps'];
  return {
    kind: 'table',
    columns: keys.map((key) => ({ key, name: ipMessages.getMessage(`column.${key}`) })),
    data: ips.slice(0, TOP_IPS).map((ip) => ({
      new: ip.new ? ipMessages.getMessage('human.new') : ip.new === null ? ipMessages.getMessage('human.notComparable') : '',
      ip: printable(ip.ip),
      apiCalls: ip.apiCalls,
      logins: ip.logins,
      firstSeen: minute(ip.firstSeen),
      lastSeen: minute(ip.lastSeen),
      users: few(ip.users, ip.truncated),
      apps: few(ip.apps, ip.truncated),
    })),
  };
}

/** Client IPs: new ones first (with --new-ips-since), then the busiest. */
export function ipReport(result: UsageResult): HumanBlock[] {
  const ips = result.ips ?? [];
  const blocks: HumanBlock[] = head(result);
  const n = result.newIps;
  if (n) blocks.push({ kind: 'log', text: newIpsLine(n) });
  if (ips.length === 0) blocks.push({ kind: 'log', text: messages.getMessage('human.noUsage') });
  else {
    blocks.push({ kind: 'header', text: ipMessages.getMessage('human.ipsHeader', [ips.length]) });
    blocks.push(ipTable(ips, n !== null && n !== undefined));
    if (ips.length > TOP_IPS) blocks.push({ kind: 'log', text: ipMessages.getMessage('human.moreIps', [ips.length - TOP_IPS]) });
  }
  if (result.otherIpEvents) blocks.push({ kind: 'log', text: ipMessages.getMessage('human.otherIps', [result.otherIpEvents, IP_CAP]) });
  return [...blocks, ...limits(result)];
}

/**
 * --new-ips-since under --group-by app or user: after that report, what the flag found — the same line as in the IP
 * grouping and the new IPs (not the others: --group-by ip lists every IP).
 */
export function newIpsSection(result: UsageResult): HumanBlock[] {
  const n = result.newIps;
  if (!n) return [];
  const fresh = (result.ips ?? []).filter((ip) => ip.new === true);
  const blocks: HumanBlock[] = [{ kind: 'header', text: ipMessages.getMessage('human.newIpsHeader', [n.since.slice(0, 10), fresh.length]) }, { kind: 'log', text: newIpsLine(n) }];
  if (fresh.length > 0) blocks.push(ipTable(fresh, false));
  if (fresh.length > TOP_IPS) blocks.push({ kind: 'log', text: ipMessages.getMessage('human.moreIps', [fresh.length - TOP_IPS]) });
  return blocks;
}

/** Users first: each user's events, the apps used and the apps holding a grant. */
export function userReport(result: UsageResult): HumanBlock[] {
  const users = result.users.filter((u) => u.events > 0 || u.grants.length > 0);
  const blocks: HumanBlock[] = head(result);
  if (users.length === 0) blocks.push({ kind: 'log', text: messages.getMessage('human.noUsage') });
  else {
    blocks.push({ kind: 'header', text: messages.getMessage('human.usersHeader', [users.length]) });
    blocks.push({
      kind: 'table',
      columns: ['username', 'events', 'apps', 'grantApps'].map((key) => ({ key, name: messages.getMessage(`column.${key}`) })),
      data: users.slice(0, TOP_USERS).map((u) => ({
        username: printable(u.username ?? u.userId ?? ''),
        events: u.events,
        apps: printable(u.apps.map((a) => `${a.name} (${a.events})`).join(', ')),
        grantApps: printable(u.grants.join(', ')),
      })),
    });
    if (users.length > TOP_USERS) blocks.push({ kind: 'log', text: messages.getMessage('human.moreUsers', [users.length - TOP_USERS]) });
  }
  return [...blocks, ...limits(result)];
}

export const IP_CSV_COLUMNS = ['ip', 'new', 'apiCalls', 'logins', 'firstSeen', 'lastSeen', 'users', 'apps'] as const;

/** One row per client IP; users and apps separated by "; ". */
export function* ipCsvLines(result: UsageResult): Generator<string> {
  yield IP_CSV_COLUMNS.join(',');
  for (const ip of result.ips ?? []) {
    yield [ip.ip, ip.new, ip.apiCalls, ip.logins, ip.firstSeen, ip.lastSeen, ip.users.join('; '), ip.apps.join('; ')].map(csvCell).join(',');
  }
}

/** usage.ip events, one per client IP, after the per-app events (appended by the command when IPs were read). */
export function* ipNdjsonLines(result: UsageResult): Generator<string> {
  for (const ip of result.ips ?? []) yield JSON.stringify({ type: 'usage.ip', '@timestamp': ip.lastSeen, ...ip });
  if (result.newIps) yield JSON.stringify({ type: 'usage.new_ips', '@timestamp': result.window.end, ...result.newIps });
}
