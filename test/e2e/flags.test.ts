/*
 * Typed flags (src/flags.ts, and the Flags.custom / Flags.option definitions in the commands): a bad value is a
 * flag error — exit 2, naming the flag, with the accepted forms — raised while the command line is read, so the
 * org gets no request at all (not even the Organization query that --target-org makes).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { mapWithConcurrency } from '../../src/domain/collections.js';
import { start, type Emulator } from '../emulator/index.js';
import { ensureBuilt, runCli, type CliRun } from './harness.js';

/**
 * `command` with `other` flags it needs, and the bad `value` of `flag`; `forms`: the accepted forms (or the next step)
 * the error must give; `offline`: the command takes no --target-org.
 */
type Case = { command: string; other?: string[]; flag: string; value: string; forms: RegExp; offline?: boolean };

const NOWHERE = join(tmpdir(), 'ca-flags-no-such-dir', 'force-app');
const RELATIVE_PATH = /a relative path is read from the directory you run the command in/;

const DURATION = /whole number followed by h \(hours\), d \(days\) or w \(weeks\)/;
const DATE = /YYYY-MM-DD \(UTC\)/;

const CASES: Case[] = [
  { command: 'usage', flag: 'last', value: 'soon', forms: DURATION },
  { command: 'usage', flag: 'start-date', value: '2026-11-31', forms: DATE },
  { command: 'usage', flag: 'end-date', value: '2026/11/19', forms: DATE },
  { command: 'usage', flag: 'new-ips-since', value: 'last tuesday', forms: DATE },
  { command: 'logs archive', other: ['--output-dir', join(mkdtempSync(join(tmpdir(), 'ca-flags-')), 'archive')], flag: 'prune-older-than', value: '90', forms: DURATION },
  { command: 'revoke', other: ['--name', 'Legacy_Data_Loader'], flag: 'last-used-before', value: 'yesterday', forms: DATE },
  { command: 'doctor', other: ['--name', 'Jenkins_CI'], flag: 'source-ip', value: '300.1.2.3', forms: /such as 203\.0\.113\.10/ },
  { command: 'policy set', other: ['--name', 'Jenkins_CI'], flag: 'refresh-token', value: 'expire-after:90x', forms: /expire-if-unused:<N><h\|d\|m>/ },
  { command: 'policy set', other: ['--name', 'Jenkins_CI'], flag: 'session-timeout', value: 'soon', forms: /whole number of minutes; Setup offers 15, 30/ },
  { command: 'audit', flag: 'rule', value: 'CA999', forms: /CA001-preauth-no-assignment/ },
  { command: 'audit', flag: 'exclude-rule', value: 'no-such-rule', forms: /CA001-preauth-no-assignment/ },
  { command: 'assign', flag: 'file', value: `${NOWHERE}.json`, forms: RELATIVE_PATH },
  { command: 'unassign', flag: 'file', value: `${NOWHERE}.json`, forms: RELATIVE_PATH },
  { command: 'policy set', flag: 'file', value: `${NOWHERE}.json`, forms: RELATIVE_PATH },
  { command: 'usage', flag: 'archive-dir', value: NOWHERE, forms: RELATIVE_PATH },
  { command: 'audit', flag: 'source-dir', value: NOWHERE, forms: RELATIVE_PATH },
  { command: 'audit', flag: 'archive-dir', value: NOWHERE, forms: RELATIVE_PATH },
  { command: 'audit', flag: 'baseline', value: `${NOWHERE}.json`, forms: RELATIVE_PATH },
  { command: 'migrate', other: ['--output-dir', join(mkdtempSync(join(tmpdir(), 'ca-flags-')), 'eca')], flag: 'source-dir', value: NOWHERE, forms: RELATIVE_PATH, offline: true },
];

describe('typed flags refuse a bad value before any request (e2e)', function () {
  this.timeout(300_000);
  let emulator: Emulator;
  const runs = new Map<Case, CliRun>();

  before(async () => {
    await ensureBuilt();
    emulator = await start({ scenario: 'demo' });
    // Two at a time. A run's log holds every request made while it ran, its own included, so none can hide.
    await mapWithConcurrency(CASES, 2, async (c) => {
      runs.set(c, await runCli(['connectedapp', ...c.command.split(' '), ...(c.other ?? []), `--${c.flag}`, c.value], { emulator, ...(c.offline ? { targetOrg: false } : {}) }));
    });
  });
  after(async () => emulator.stop());

  for (const c of CASES) {
    it(`connectedapp ${c.command} --${c.flag} ${c.value}`, () => {
      const run = runs.get(c)!;
      expect(run.exitCode, run.stderr).to.equal(2);
      expect(run.json?.message).to.match(new RegExp(`^Parsing --${c.flag} \\n\\t.*"?${c.value.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}`));
      expect(run.json?.actions?.join(' ')).to.match(c.forms);
      expect(run.requests).to.deep.equal([]);
    });
  }

  it('logs every request of a run with a good value (the count above can see requests)', async () => {
    const run = await runCli(['connectedapp', 'usage', '--last', '36h', '--source', 'tokens'], { emulator });
    expect(run.exitCode, run.stderr).to.equal(0);
    expect(run.requests.length).to.be.greaterThan(2);
    const window = (run.json?.result as { window: { start: string; end: string } }).window;
    expect(Date.parse(window.end) - Date.parse(window.start)).to.equal(36 * 3_600_000);
  });
});
