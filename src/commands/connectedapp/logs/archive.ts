import '../../../node-guard.js';
import { Messages } from '@salesforce/core';
import { Flags } from '@salesforce/sf-plugins-core';
import { requiredTargetOrg } from '../../../org-flags.js';
import { durationFlag } from '../../../flags.js';
import { ConnectedAppCommand } from '../../../base-command.js';
import { EXIT, errorCodesSection } from '../../../exit-codes.js';
import type { ArchiveProgress, ArchiveResult } from '../../../operations/archive.js';

Messages.importMessagesDirectoryFromMetaUrl(import.meta.url);
const messages = Messages.loadMessages('plugin-connectedapp', 'connectedapp.logs.archive');

export type ConnectedAppLogsArchiveResult = ArchiveResult;

export default class ConnectedAppLogsArchive extends ConnectedAppCommand<ConnectedAppLogsArchiveResult> {
  public static readonly summary = messages.getMessage('summary');
  public static readonly description = messages.getMessage('description');
  public static readonly examples = messages.getMessages('examples');
  public static readonly errorCodes = errorCodesSection('partial');

  public static readonly flags = {
    'target-org': requiredTargetOrg(),
    'api-version': Flags.orgApiVersion(),
    'output-dir': Flags.directory({ char: 'd', required: true, summary: messages.getMessage('flags.output-dir.summary') }),
    'event-type': Flags.string({ multiple: true, summary: messages.getMessage('flags.event-type.summary') }),
    interval: Flags.option({ options: ['daily', 'hourly'] as const, default: 'daily', summary: messages.getMessage('flags.interval.summary') })(),
    'prune-older-than': durationFlag({ summary: messages.getMessage('flags.prune-older-than.summary') }),
    'dry-run': Flags.boolean({ summary: messages.getMessage('flags.dry-run.summary') }),
  };

  public async run(): Promise<ConnectedAppLogsArchiveResult> {
    const { flags } = await this.parse(ConnectedAppLogsArchive);
    // The operations load when the command runs, not with its module (bench/startup-breakdown.ts).
    const [{ archiveLogs }, { concurrencyFromEnv }] = await Promise.all([import('../../../operations/archive.js'), import('../../../operations/usage.js')]);
    const now = new Date();
    const prune = flags['prune-older-than'];
    const outcome = await archiveLogs(
      await this.connect(flags['target-org'], flags['api-version']),
      {
        outputDir: flags['output-dir'],
        eventTypes: flags['event-type'],
        interval: flags.interval,
        pruneBefore: prune === undefined ? null : new Date(now.getTime() - prune.ms),
        dryRun: flags['dry-run'],
        concurrency: concurrencyFromEnv(process.env.SF_CONNECTEDAPP_CONCURRENCY),
        now,
      },
      this.byteProgress(),
      (warning) => this.warn(warning)
    );
    const result = outcome.result;
    for (const warning of outcome.warnings) this.warn(warning);
    this.report(result, prune?.text);
    if (outcome.failure) return this.endWith(result, EXIT.error, outcome.failure);
    return this.endWith(result, result.failed > 0 ? EXIT.partial : EXIT.ok);
  }

  private report(result: ArchiveResult, prune: string | undefined): void {
    const shown = result.files.filter((f) => f.status === 'downloaded' || f.status === 'failed' || f.status === 'would-download');
    if (shown.length > 0) {
      this.table({
        data: shown.map((f) => ({
          eventType: f.eventType,
          logDate: f.interval === 'Hourly' ? f.logDate.slice(0, 13) : f.logDate.slice(0, 10),
          status: messages.getMessage(`status.${f.status}`),
          bytes: f.bytes ?? '',
          rows: f.rows ?? '',
          file: f.file ?? f.errorCode ?? '',
        })),
        columns: (['eventType', 'logDate', 'status', 'bytes', 'rows', 'file'] as const).map((key) => ({ key, name: messages.getMessage(`column.${key}`) })),
      });
    }
    if (result.leftoversRemoved > 0) this.log(messages.getMessage('summary.leftovers', [result.leftoversRemoved]));
    if (result.dryRun) {
      this.log(messages.getMessage('summary.dryRun', [shown.length, result.outputDir, result.pruned.length]));
      return;
    }
    if (result.pruned.length > 0) this.log(messages.getMessage('summary.pruned', [result.pruned.length, prune ?? '']));
    if (result.downloaded === 0 && result.failed === 0) this.log(messages.getMessage('summary.nothingNew', [result.outputDir, result.files.length, result.archivedFiles]));
    else if (result.downloaded > 0) this.log(messages.getMessage('summary.downloaded', [result.downloaded, result.bytes, result.rows, result.outputDir, result.archivedFiles]));
  }

  /** A bar of bytes received, in MB, on stderr — only when stderr is a terminal (a cron log gets no bar). */
  private byteProgress(): ArchiveProgress | undefined {
    if (!process.stderr.isTTY) return undefined;
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
