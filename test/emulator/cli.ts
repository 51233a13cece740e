/*
 * Runs an org emulator until SIGINT/SIGTERM:
 *   node --import tsx test/emulator/cli.ts --scenario demo --port 0 [--now 2026-11-20T12:00:00Z] [--latency 50] [--latency-per-record 0.05] [--latency-per-kb 0.08] [--batch-size 2000]
 *        [--token 00D...!...] [--fault '{"path":"/query","status":503}'] [--json]
 * Prints the instance URL and access token (with --json: one JSON line {"url","accessToken","pid"}).
 */
import { parseArgs } from 'node:util';
import { parseFaultRule } from './faults.js';
import { start } from './server.js';

const { values } = parseArgs({
  options: {
    scenario: { type: 'string', default: 'demo' },
    port: { type: 'string', default: '0' },
    now: { type: 'string' },
    latency: { type: 'string' },
    'latency-per-record': { type: 'string' },
    'latency-per-kb': { type: 'string' },
    'batch-size': { type: 'string' },
    token: { type: 'string' },
    fault: { type: 'string', multiple: true },
    json: { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  },
});

if (values.help) {
  process.stdout.write(
    'usage: node --import tsx test/emulator/cli.ts [--scenario demo|empty|<file.json>] [--port 0] [--now <ISO-8601 instant: pins the org clock>] [--latency ms] [--latency-per-record ms] [--latency-per-kb ms] [--batch-size n] [--token t] [--fault json]... [--json]\n'
  );
  process.exit(0);
}

if (values.now !== undefined && Number.isNaN(Date.parse(values.now))) {
  process.stderr.write(`--now ${values.now} is not an ISO-8601 instant (e.g. 2026-11-20T12:00:00Z).\n`);
  process.exit(2);
}

/** A port that cannot be had is a usage problem: say which and what to do, without a stack. */
function portProblem(error: unknown, port: string): string | undefined {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'EADDRINUSE') return `Port ${port} on 127.0.0.1 is already in use (another emulator still running?). Stop that process, pick another --port, or use --port 0 for a free one.\n`;
  if (code === 'EACCES') return `Not allowed to listen on port ${port}. Use a port above 1023, or --port 0 for a free one.\n`;
  return undefined;
}

const emulator = await start({
  scenario: values.scenario,
  port: Number(values.port),
  now: values.now,
  latencyMs: values.latency === undefined ? undefined : Number(values.latency),
  latencyPerRecordMs: values['latency-per-record'] === undefined ? undefined : Number(values['latency-per-record']),
  latencyPerKbMs: values['latency-per-kb'] === undefined ? undefined : Number(values['latency-per-kb']),
  queryBatchSize: values['batch-size'] === undefined ? undefined : Number(values['batch-size']),
  accessToken: values.token,
  faults: (values.fault ?? []).map(parseFaultRule),
}).catch((error: unknown) => {
  const problem = portProblem(error, values.port);
  if (problem === undefined) throw error;
  process.stderr.write(problem);
  process.exit(2);
});

if (values.json) {
  process.stdout.write(`${JSON.stringify({ url: emulator.url, accessToken: emulator.accessToken, pid: process.pid })}\n`);
} else {
  process.stdout.write(
    [
      `Org emulator (${values.scenario}) listening on ${emulator.url}`,
      `  instance URL: ${emulator.url}`,
      `  access token: ${emulator.accessToken}`,
      ...(values.now === undefined ? [] : [`  org clock:    pinned at ${emulator.org.now.toISOString()}`]),
      '',
      `  SF_ORG_INSTANCE_URL=${emulator.url} ./bin/run.js connectedapp list --target-org '${emulator.accessToken}'`,
      '',
    ].join('\n')
  );
}

const shutdown = (): void => {
  void emulator.stop().then(() => process.exit(0));
};
process.on('SIGINT', shutdown);
process.on('SIGTERM', shutdown);
