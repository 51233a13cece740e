import '../../node-guard.js';
import { Messages } from '@salesforce/core';
import { Flags } from '@salesforce/sf-plugins-core';
import { appTypeFlag, requiredTargetOrg } from '../../org-flags.js';
import { dateFlag, durationFlag, existingPath } from '../../flags.js';
import { ConnectedAppCommand } from '../../base-command.js';
import { EXIT, errorCodesSection } from '../../exit-codes.js';
import type { UsageResult } from '../../domain/usage/result.js';
import type { UsageProgress } from '../../operations/usage.js';
import { USAGE_FORMATS } from '../../renderers/formats.js';

Messages.importMessagesDirectoryFromMetaUrl(import.meta.url);
const messages = Messages.loadMessages('plugin-connectedapp', 'connectedapp.usage');

export type ConnectedAppUsageResult = UsageResult;

export default class ConnectedAppUsage extends ConnectedAppCommand<ConnectedAppUsageResult> {
  public static readonly summary = messages.getMessage('summary');
  public static readonly description = messages.getMessage('description');
  public static readonly examples = messages.getMessages('examples');
  public static readonly errorCodes = errorCodesSection('partial');

  public static readonly flags = {
    'target-org': requiredTargetOrg(),
    'api-version': Flags.orgApiVersion(),
    name: Flags.string({ char: 'n', multiple: true, summary: messages.getMessage('flags.name.summary'), description: messages.getMessage('flags.name.description') }),
    type: appTypeFlag(messages.getMessage('flags.type.summary'), messages.getMessage('flags.type.description')),
    username: Flags.string({ multiple: true, summary: messages.getMessage('flags.username.summary') }),
    'start-date': dateFlag('start')({ summary: messages.getMessage('flags.start-date.summary'), description: messages.getMessage('flags.start-date.description'), exclusive: ['last'] }),
    // A day as --end-date means the end of that day.
    'end-date': dateFlag('end')({ summary: messages.getMessage('flags.end-date.summary') }),
    last: durationFlag({ summary: messages.getMessage('flags.last.summary'), description: messages.getMessage('flags.last.description'), exclusive: ['start-date'] }),
    interval: Flags.option({ options: ['daily', 'hourly'] as const, default: 'daily', summary: messages.getMessage('flags.interval.summary') })(),
    'event-type': Flags.string({ multiple: true, summary: messages.getMessage('flags.event-type.summary'), description: messages.getMessage('flags.event-type.description') }),
    source: Flags.option({ options: ['elf', 'tokens', 'logins', 'all'] as const, default: 'all', summary: messages.getMessage('flags.source.summary'), description: messages.getMessage('flags.source.description') })(),
    'group-by': Flags.option({ options: ['app', 'user', 'ip'] as const, summary: messages.getMessage('flags.group-by.summary'), description: messages.getMessage('flags.group-by.description') })(),
    'new-ips-since': dateFlag('start')({ summary: messages.getMessage('flags.new-ips-since.summary'), description: messages.getMessage('flags.new-ips-since.description') }),
    'output-dir': Flags.directory({ summary: messages.getMessage('flags.output-dir.summary') }),
    'archive-dir': Flags.directory({ parse: existingPath('directory'), summary: messages.getMessage('flags.archive-dir.summary'), description: messages.getMessage('flags.archive-dir.description') }),
    'result-format': Flags.option({
      char: 'r',
      options: USAGE_FORMATS,
      multiple: true,
      default: ['human' as const],
      summary: messages.getMessage('flags.result-format.summary'),
      description: messages.getMessage('flags.result-format.description'),
    })(),
    'output-file': Flags.file({ summary: messages.getMessage('flags.output-file.summary') }),
  };

  public async run(): Promise<ConnectedAppUsageResult> {
    const { flags } = await this.parse(ConnectedAppUsage);
    // Operations, adapters and renderers load when the command runs, not with its module (bench/startup-breakdown.ts).
    const [{ collectUsage, concurrencyFromEnv, newIpsSinceFlag, usageWindow }, { parseWorkersFromEnv }, { checkOutputFlags, prepareOutputDir }, { writeUsageReports }] = await Promise.all([
      import('../../operations/usage.js'),
      import('../../adapters/parse-pool.js'),
      import('../../renderers/output.js'),
      import('../../renderers/usage-output.js'),
    ]);
    const output = { formats: flags['result-format'], outputFile: flags['output-file'], outputDir: flags['output-dir'] };
    checkOutputFlags(output);
    const now = new Date();
    const window = usageWindow(flags, now);
    const newIpsSince = newIpsSinceFlag(flags['new-ips-since'], window);
    // --new-ips-since is about IPs: it implies the IP grouping unless another one is asked for.
    const groupBy = flags['group-by'] ?? (newIpsSince ? 'ip' : 'app');
    // Raw event log files go to --output-dir too, whatever the formats.
    await prepareOutputDir(output, true);
    const outcome = await collectUsage(
      await this.connect(flags['target-org'], flags['api-version']),
      {
        names: flags.name,
        type: flags.type,
        usernames: flags.username,
        window,
        windowGiven: Boolean(flags['start-date'] ?? flags['end-date'] ?? flags.last),
        interval: flags.interval,
        eventTypes: flags['event-type'],
        source: flags.source,
        outputDir: flags['output-dir'],
        archiveDir: flags['archive-dir'],
        parseWorkers: parseWorkersFromEnv(process.env.SF_CONNECTEDAPP_PARSE_WORKERS),
        concurrency: concurrencyFromEnv(process.env.SF_CONNECTEDAPP_CONCURRENCY),
        now,
        groupBy,
        newIpsSince,
      },
      this.byteProgress()
    );
    for (const warning of outcome.warnings) this.warn(warning);
    await writeUsageReports(this, outcome.result, { formats: flags['result-format'], outputFile: flags['output-file'], outputDir: flags['output-dir'], org: flags['target-org'], at: now });
    if (outcome.failure) return this.endWith(outcome.result, EXIT.error, outcome.failure);
    return this.endWith(outcome.result, outcome.partial ? EXIT.partial : EXIT.ok);
  }

  /** A bar of bytes received, shown in MB, on stderr when it is a terminal (silent under --json or into a file). */
  private byteProgress(): UsageProgress | undefined {
    if (!process.stderr.isTTY || this.jsonEnabled()) return undefined;
    const mb = (n: number): number => Math.round(n / 104857.6) / 10;
    let total = 0;
    return {
      start: (totalBytes) => {
        total = mb(totalBytes);
        // The format's %s is sf-plugins-core's: its Progress puts the title there.
        // eslint-disable-next-line sf-plugin/no-missing-messages
        this.progress.start(total, {}, { title: messages.getMessage('progress.title'), format: messages.getMessage('progress.format') });
      },
      update: (done) => {
        this.progress.update(Math.min(mb(done), total));
      },
      stop: () => {
        this.progress.stop();
      },
    };
  }
}
