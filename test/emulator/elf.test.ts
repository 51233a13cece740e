import { spawn, type ChildProcessByStdio } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { expect } from 'chai';
import { generatedContent } from './elf.js';
import { start, type Emulator } from './index.js';
import { demoScenario, getJson, http, PINNED_NOW, q, type QueryPage } from './test-helpers.js';
import { REPO_ROOT } from '../e2e/harness.js';

/** Streams a URL, hashing and counting the body without keeping it. */
function download(url: string, token: string): Promise<{ status: number; bytes: number; sha: string; head: string; lastByte: number; type?: string }> {
  return new Promise((resolve, reject) => {
    httpRequest(url, { headers: { Authorization: `Bearer ${token}` }, agent: false }, (res) => {
      const hash = createHash('sha256');
      let bytes = 0;
      let head = '';
      let lastByte = -1;
      res.on('data', (c: Buffer) => {
        if (head.length < 4096) head += c.subarray(0, 4096).toString('utf8');
        bytes += c.length;
        lastByte = c[c.length - 1];
        hash.update(c);
      });
      res.on('end', () => { resolve({ status: res.statusCode ?? 0, bytes, sha: hash.digest('hex'), head, lastByte, type: res.headers['content-type'] }); });
      res.on('error', reject);
    })
      .on('error', reject)
      .end();
  });
}

type ElfRow = { Id: string; EventType: string; LogDate: string; Interval: string; Sequence: number; LogFileLength: number; CreatedDate: string; LogFileFieldNames: string; LogFile: string };
const ELF_FIELDS = 'Id, EventType, LogDate, Interval, Sequence, LogFileLength, CreatedDate, LogFileFieldNames, LogFile';

describe('org emulator: event log files', () => {
  // The demo with Event Monitoring, so that its whole week of files is served (a free org keeps one day).
  let demo: Emulator;
  before(async () => {
    demo = await start({ scenario: demoScenario({ now: PINNED_NOW, features: { eventMonitoring: true } }) });
  });
  after(async () => {
    await demo.stop();
  });

  it('serves every file with exactly LogFileLength bytes, quoted like real files', async () => {
    const files = (await getJson<QueryPage>(demo, q(`SELECT ${ELF_FIELDS} FROM EventLogFile ORDER BY LogDate`))).json.records as unknown as ElfRow[];
    expect(files.length).to.equal(7 + 1 + 7 + 2 + 3); // ApiTotalUsage daily (+1 duplicate), Login daily, RestApi daily, hourly
    for (const f of files) {
      const d = await download(`${demo.url}${f.LogFile}`, demo.accessToken);
      expect(d.status).to.equal(200);
      expect(d.type).to.equal('text/csv');
      expect(d.bytes, `${f.EventType} ${f.LogDate}`).to.equal(f.LogFileLength);
      const [header, first] = d.head.split('\n');
      expect(header).to.equal(f.LogFileFieldNames.split(',').map((c) => `"${c}"`).join(','));
      expect(first).to.match(/^"[^"]*"(,"([^"]|"")*")*$/);
      expect(d.lastByte).to.equal(10);
    }
  });

  it('has ApiTotalUsage rows naming connected apps, Login rows and hourly sequences', async () => {
    const files = (await getJson<QueryPage>(demo, q(`SELECT ${ELF_FIELDS} FROM EventLogFile WHERE Interval = 'Hourly'`))).json.records as unknown as ElfRow[];
    expect(files.map((f) => f.Sequence)).to.deep.equal([1, 2, 3]);
    expect(files.map((f) => f.LogDate)).to.deep.equal(['2026-11-19T09:00:00.000+0000', '2026-11-19T10:00:00.000+0000', '2026-11-19T11:00:00.000+0000']);
    const daily = (await getJson<QueryPage>(demo, q(`SELECT ${ELF_FIELDS} FROM EventLogFile WHERE EventType = 'ApiTotalUsage' AND Interval = 'Daily'`))).json.records as unknown as ElfRow[];
    const body = (await http(demo, 'GET', daily[0].LogFile)).body;
    expect(body).to.contain('"EXTERNAL_APPLICATION"');
    expect(body).to.contain(`"${demo.org.appByAnyName('Zapier')!.id.slice(0, 15)}","Zapier"`); // an uninstalled app still shows up
    expect(daily[0].LogFileFieldNames).to.contain('CONNECTED_APP_ID,CONNECTED_APP_NAME');
  });

  it('keeps two versions of a re-generated daily file with different CreatedDate', async () => {
    const files = (await getJson<QueryPage>(demo, q(`SELECT ${ELF_FIELDS} FROM EventLogFile WHERE EventType = 'ApiTotalUsage' AND LogDate = 2026-11-17T00:00:00Z`))).json
      .records as unknown as ElfRow[];
    expect(files).to.have.length(2);
    expect(files[0].CreatedDate).to.not.equal(files[1].CreatedDate);
    const [a, b] = await Promise.all(files.map((f) => download(`${demo.url}${f.LogFile}`, demo.accessToken)));
    expect(a.sha).to.not.equal(b.sha);
  });

  it('generates the same bytes for the same scenario', async () => {
    const other = await start({ scenario: demoScenario({ now: PINNED_NOW, features: { eventMonitoring: true } }) });
    try {
      const pick = async (e: Emulator): Promise<string> => {
        const f = (await getJson<QueryPage>(e, q("SELECT LogFile FROM EventLogFile WHERE EventType = 'Login' ORDER BY LogDate LIMIT 1"))).json.records[0] as unknown as ElfRow;
        return (await download(`${e.url}${f.LogFile}`, e.accessToken)).sha;
      };
      expect(await pick(other)).to.equal(await pick(demo));
    } finally {
      await other.stop();
    }
  });

  it('serves given rows and given CSV byte for byte', async () => {
    const csv = '"EVENT_TYPE","TIMESTAMP","USER_ID"\n"Login","20261119000001.397","0055g0000000001"\n';
    const e = await start({
      scenario: {
        org: { name: 'Given', now: '2026-11-19T12:00:00Z' },
        eventLogFiles: [
          { eventType: 'Login', dates: ['2026-11-18'], csv },
          { eventType: 'ApiTotalUsage', dates: ['2026-11-18'], data: [{ EVENT_TYPE: 'ApiTotalUsage', CONNECTED_APP_NAME: 'Say "hi"' }] },
        ],
      },
    });
    try {
      const files = (await getJson<QueryPage>(e, q('SELECT EventType, LogFile, LogFileLength, LogFileFieldNames FROM EventLogFile ORDER BY EventType'))).json.records;
      expect((await http(e, 'GET', files[1].LogFile as string)).body).to.equal(csv);
      expect(files[1].LogFileFieldNames).to.equal('EVENT_TYPE,TIMESTAMP,USER_ID');
      const given = (await http(e, 'GET', files[0].LogFile as string)).body;
      expect(given).to.equal('"EVENT_TYPE","CONNECTED_APP_NAME"\n"ApiTotalUsage","Say ""hi"""\n');
      expect(files[0].LogFileLength).to.equal(Buffer.byteLength(given));
    } finally {
      await e.stop();
    }
  });

  it('computes lengths exactly for multi-byte values and target sizes', () => {
    const pools = {
      orgId: '00D5g00000NwRbTEAV',
      users: [{ id: '0055g0000000001AAA', username: 'chloé@exämple.com', userType: 'Standard' }],
      apps: [{ id: '0H45g0000000001CAA', name: 'Größe "Sync"', clientName: 'naïve', users: [] }],
      ips: ['10.0.0.1', '2001:db8::1'],
    };
    for (const eventType of ['ApiTotalUsage', 'Login', 'RestApi', 'API', 'Logout', 'LightningPageView']) {
      const c = generatedContent({ eventType, seed: 42, start: new Date('2026-11-19T00:00:00Z'), spanMs: 86_400_000, bytes: 300_000, pools, apiVersion: '67.0' });
      let total = 0;
      for (const chunk of c.chunks()) total += chunk.length;
      expect(total, eventType).to.equal(c.length);
      expect(c.length).to.be.within(300_000, 301_000);
    }
  });

  it('survives a client that aborts a download, and stop() during a download', async () => {
    const e = await start({ scenario: { org: { name: 'Abort', features: { eventMonitoring: true } }, eventLogFiles: [{ eventType: 'RestApi', dates: ['2026-11-19'], bytes: 20_000_000 }] } });
    const file = (await getJson<QueryPage>(e, q('SELECT LogFile FROM EventLogFile'))).json.records[0] as unknown as ElfRow;
    await new Promise<void>((resolve) => {
      const req = httpRequest(`${e.url}${file.LogFile}`, { headers: { Authorization: `Bearer ${e.accessToken}` }, agent: false }, (res) => {
        res.once('data', () => {
          req.destroy();
          resolve();
        });
      });
      req.on('error', () => undefined);
      req.end();
    });
    expect((await http(e, 'GET', '/services/oauth2/userinfo')).status).to.equal(200);
    const pending = download(`${e.url}${file.LogFile}`, e.accessToken).catch((err: unknown) => (err instanceof Error ? err : new Error(String(err))));
    await new Promise((r) => setTimeout(r, 20));
    await e.stop();
    const outcome = await pending;
    expect(outcome instanceof Error || outcome.bytes < file.LogFileLength).to.be.true;
  });

  it('streams a 200 MB file from a separate emulator process in bounded memory', async function () {
    this.timeout(120_000);
    const dir = mkdtempSync(join(tmpdir(), 'emulator-elf-'));
    const scenarioFile = join(dir, 'big.json');
    writeFileSync(
      scenarioFile,
      JSON.stringify({ org: { name: 'Big Org', features: { eventMonitoring: true } }, eventLogFiles: [{ eventType: 'ApiTotalUsage', dates: ['2026-11-19'], bytes: 200 * 1024 * 1024 }] })
    );
    const child: ChildProcessByStdio<null, Readable, Readable> = spawn(
      process.execPath,
      ['--import', 'tsx', join(REPO_ROOT, 'test', 'emulator', 'cli.ts'), '--scenario', scenarioFile, '--port', '0', '--json'],
      // Without coverage collection (c8): the emulator is not what c8 measures, and collecting made this take 11 s
      // and peak 125 MB instead of 6 s and 112 MB (an emulator that buffers the file peaks above 500 MB). Node re-adds
      // NODE_V8_COVERAGE to a child's env unless the key is present, so it is set empty.
      { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NODE_V8_COVERAGE: '' } }
    );
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => { resolve(code); }));
    try {
      const line = await new Promise<string>((resolve, reject) => {
        let out = '';
        let err = '';
        child.stdout.on('data', (b: Buffer) => {
          out += b.toString('utf8');
          if (out.includes('\n')) resolve(out.slice(0, out.indexOf('\n')));
        });
        child.stderr.on('data', (b: Buffer) => (err += b.toString('utf8')));
        child.on('exit', (code) => { reject(new Error(`emulator exited (${String(code)}): ${err}`)); });
      });
      const { url, accessToken } = JSON.parse(line) as { url: string; accessToken: string };
      const remote = { url, accessToken } as Emulator;
      const file = (await getJson<QueryPage>(remote, q('SELECT Id, LogFileLength, LogFile FROM EventLogFile'))).json.records[0] as unknown as ElfRow;
      expect(file.LogFileLength).to.be.at.least(200 * 1024 * 1024);
      const d = await download(`${url}${file.LogFile}`, accessToken);
      expect(d.bytes).to.equal(file.LogFileLength);
      const stats = (await getJson<{ maxRssBytes: number }>(remote, '/__emulator/stats')).json;
      expect(stats.maxRssBytes / 1024 / 1024, 'peak RSS of the emulator process (MB)').to.be.below(150);
    } finally {
      child.kill('SIGTERM');
      expect(await exited).to.equal(0);
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
