import { expect } from 'chai';
import { FileAggregate, UsageTotals, type RowFilter } from '../../../src/domain/usage/aggregate.js';
import { AppMatcher } from '../../../src/domain/usage/app-matcher.js';
import { checkNewIpsSince, finishIps, IP_CAP, IP_NAMES_CAP, IpCounter, newIpsReport, unnamedIpUsers } from '../../../src/domain/usage/ips.js';

const filter = (ips: boolean): RowFilter => ({ window: { start: new Date('2026-11-01T00:00:00Z'), end: new Date('2026-12-01T00:00:00Z') }, interval: 'daily', users: null, ips });
const HEADER = ['TIMESTAMP', 'USER_ID', 'USER_NAME', 'CLIENT_IP', 'CONNECTED_APP_ID', 'CONNECTED_APP_NAME'];
const matcher = new AppMatcher([{ id: '0H4000000000001AAA', label: 'Loader', apiName: 'Loader', kind: 'connected-app' }]);

function file(rows: string[][], ips = true): FileAggregate {
  const agg = new FileAggregate({ id: '0AT1', eventType: 'ApiTotalUsage', logDate: '2026-11-18T00:00:00.000+0000' }, matcher, filter(ips));
  agg.record(HEADER);
  for (const r of rows) agg.record(r);
  agg.end();
  return agg;
}

describe('usage by client IP (domain)', () => {
  it('counts connected-app calls per IP with first/last seen, users and apps; merges files and logins', () => {
    const totals = new UsageTotals();
    totals.add(
      file([
        ['20261118100000.000', '005000000000001AAA', 'ana@x.com', '203.0.113.10', '0H4000000000001', ''],
        ['20261118090000.000', '005000000000002AAA', '', '203.0.113.10', '', 'Loader'],
        ['20261118110000.000', '005000000000001AAA', 'ana@x.com', '', '0H4000000000001', ''],
        ['20261118120000.000', '005000000000003AAA', 'ui@x.com', '192.0.2.1', '', ''],
      ])
    );
    totals.add(file([['20261120080000.000', '005000000000001AAA', 'ana@x.com', '203.0.113.10', '0H4000000000001', '']]));
    totals.ips.login('198.51.100.7', '20261119070000.000', 'id:005000000000004', 'Loader');
    expect(unnamedIpUsers(totals.ips).sort()).to.deep.equal(['005000000000002', '005000000000004']);
    const ips = finishIps(totals.ips, new Date('2026-11-19T00:00:00Z'), new Map([['005000000000004', 'ben@x.com']]));
    expect(ips).to.deep.equal([
      { ip: '198.51.100.7', new: true, apiCalls: 0, logins: 1, firstSeen: '2026-11-19T07:00:00.000Z', lastSeen: '2026-11-19T07:00:00.000Z', users: ['ben@x.com'], apps: ['Loader'], truncated: false },
      { ip: '203.0.113.10', new: false, apiCalls: 3, logins: 0, firstSeen: '2026-11-18T09:00:00.000Z', lastSeen: '2026-11-20T08:00:00.000Z', users: ['005000000000002', 'ana@x.com'], apps: ['Loader'], truncated: false },
    ]);
    expect(newIpsReport(ips, new Date('2026-11-19T00:00:00Z'), filter(true).window, { logFiles: 1, logins: true })).to.deep.equal({
      since: '2026-11-19T00:00:00.000Z',
      baselineStart: '2026-11-01T00:00:00.000Z',
      baselineDays: 18,
      newIps: 1,
      ipsSeen: 2,
      baselineLogFiles: 1,
      comparedWith: ['EventLogFile', 'LoginHistory'],
      notComparable: 0,
    });
  });

  it('an IP first seen after --new-ips-since is not comparable (null), not new, when nothing it was seen in covers the time before', () => {
    const counter = new IpCounter();
    counter.call('192.0.2.66', '20261120100000.000', 'ana@x.com', 'Loader'); // API calls only, after the date
    counter.call('203.0.113.10', '20261118100000.000', 'ana@x.com', 'Loader'); // API calls before the date: known
    counter.login('198.51.100.7', '20261120070000.000', 'id:005000000000004', 'Loader'); // an OAuth login after the date
    const since = new Date('2026-11-19T00:00:00Z');
    const novelty = (baseline: { logFiles: number; logins: boolean }): Record<string, boolean | null> =>
      Object.fromEntries(finishIps(counter, since, new Map(), baseline).map((ip) => [ip.ip, ip.new]));
    // Event log files before the date: every IP can be compared.
    expect(novelty({ logFiles: 2, logins: true })).to.deep.equal({ '192.0.2.66': true, '198.51.100.7': true, '203.0.113.10': false });
    // No event log file before the date: API-call IPs cannot be compared; the login IP is judged against LoginHistory.
    expect(novelty({ logFiles: 0, logins: true })).to.deep.equal({ '192.0.2.66': null, '198.51.100.7': true, '203.0.113.10': false });
    // Nothing before the date at all: no IP is new.
    expect(novelty({ logFiles: 0, logins: false })).to.deep.equal({ '192.0.2.66': null, '198.51.100.7': null, '203.0.113.10': false });

    const loginsOnly = newIpsReport(finishIps(counter, since, new Map(), { logFiles: 0, logins: true }), since, filter(true).window, { logFiles: 0, logins: true });
    expect(loginsOnly).to.deep.include({ newIps: 1, notComparable: 1, ipsSeen: 3, comparedWith: ['LoginHistory'], baselineLogFiles: 0 });
    const none = newIpsReport(finishIps(counter, since, new Map(), { logFiles: 0, logins: false }), since, filter(true).window, { logFiles: 0, logins: false });
    expect(none).to.deep.include({ newIps: 0, notComparable: 2, comparedWith: [] });
  });

  it('does not count IPs unless asked (the per-app report stays as fast as before)', () => {
    expect(file([['20261118100000.000', '', 'ana@x.com', '203.0.113.10', '0H4000000000001', '']], false).ips).to.equal(null);
  });

  it('keeps memory bounded: at most IP_CAP IPs and IP_NAMES_CAP names per IP, the rest counted', () => {
    const counter = new IpCounter();
    for (let i = 0; i < IP_CAP + 5; i++) counter.call(`10.${i >> 16}.${(i >> 8) & 255}.${i & 255}`, '20261118100000.000', 'a@x.com', 'Loader');
    expect(counter.ips.size).to.equal(IP_CAP);
    expect(counter.other).to.equal(5);
    const busy = new IpCounter();
    for (let i = 0; i < IP_NAMES_CAP + 1; i++) busy.call('203.0.113.10', '20261118100000.000', `u${i}@x.com`, 'Loader');
    const [ip] = finishIps(busy, null, new Map());
    expect(ip.users).to.have.length(IP_NAMES_CAP);
    expect(ip.truncated).to.equal(true);
    expect(ip.apiCalls).to.equal(IP_NAMES_CAP + 1);
    const merged = new IpCounter();
    merged.merge(counter);
    expect(merged.ips.size).to.equal(IP_CAP);
    expect(merged.other).to.equal(5);
  });

  it('needs logs before --new-ips-since to compare with', () => {
    const w = filter(true).window;
    expect(checkNewIpsSince(new Date('2026-11-01T00:00:00Z'), w)).to.equal('no-baseline');
    expect(checkNewIpsSince(new Date('2026-12-02T00:00:00Z'), w)).to.equal('after-window');
    expect(checkNewIpsSince(new Date('2026-11-15T00:00:00Z'), w)).to.equal('ok');
  });
});
