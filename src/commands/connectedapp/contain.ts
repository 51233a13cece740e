import '../../node-guard.js';
import { Messages } from '@salesforce/core';
import { Flags } from '@salesforce/sf-plugins-core';
import { appTypeFlag, requiredTargetOrg } from '../../org-flags.js';
import { ConnectedAppCommand } from '../../base-command.js';
import type { PairResult } from '../../domain/access/assignments.js';
import { countTokens, type TokenResult } from '../../domain/incident/tokens.js';
import { RunJournal } from '../../domain/incident/run-journal.js';
import { errorCodesSection } from '../../exit-codes.js';
import { onInterrupt } from '../../interrupt.js';
import type { ContainStep, SnapshotReport } from '../../operations/incident.js';
import type { AppPolicyResult } from '../../operations/policy.js';
import type { RevokeApp } from '../../operations/revoke.js';
import { printInterrupted } from '../../renderers/interrupted.js';
import { pairTable } from '../../renderers/pair-table.js';
import { printable } from '../../renderers/terminal.js';
import { tokenTable } from '../../renderers/token-table.js';

Messages.importMessagesDirectoryFromMetaUrl(import.meta.url);
const messages = Messages.loadMessages('plugin-connectedapp', 'connectedapp.contain');
const revokeMessages = Messages.loadMessages('plugin-connectedapp', 'connectedapp.revoke');

export type ConnectedAppContainResult = {
  app: RevokeApp;
  /** The snapshot file and what it holds (written before any change). */
  snapshot: SnapshotReport;
  /** Each step in the order it ran: snapshot, policy, assignments, tokens. */
  steps: ContainStep[];
  /** The switch to "Admin approved users are pre-authorized"; null for an app that is not installed. */
  policy: AppPolicyResult | null;
  /** One entry per profile or permission set assignment removed (or kept out by --keep-assignment: not listed). */
  assignments: PairResult[];
  /** One entry per OAuth token revoked. Never the token itself. */
  tokens: TokenResult[];
  dryRun: boolean;
  /** Every step found its work done already (a re-run after success): nothing was changed. */
  nothingToDo: boolean;
};

export default class ConnectedAppContain extends ConnectedAppCommand<ConnectedAppContainResult> {
  public static readonly summary = messages.getMessage('summary');
  public static readonly description = messages.getMessage('description');
  public static readonly examples = messages.getMessages('examples');
  public static readonly errorCodes = errorCodesSection('partial');

  public static readonly flags = {
    'target-org': requiredTargetOrg(),
    'api-version': Flags.orgApiVersion(),
    name: Flags.string({ char: 'n', required: true, summary: messages.getMessage('flags.name.summary') }),
    'snapshot-file': Flags.string({ char: 's', required: true, summary: messages.getMessage('flags.snapshot-file.summary'), description: messages.getMessage('flags.snapshot-file.description') }),
    'keep-assignment': Flags.string({ multiple: true, summary: messages.getMessage('flags.keep-assignment.summary') }),
    type: appTypeFlag(messages.getMessage('flags.type.summary')),
    'dry-run': Flags.boolean({ summary: messages.getMessage('flags.dry-run.summary') }),
  };

  public async run(): Promise<ConnectedAppContainResult> {
    const { flags } = await this.parse(ConnectedAppContain);
    // The operations load when the command runs, not with its module (bench/startup-breakdown.ts).
    const [{ containApp }, { REVOKE_CONCURRENCY }, { concurrencyFromEnv }] = await Promise.all([
      import('../../operations/incident.js'),
      import('../../operations/revoke.js'),
      import('../../operations/usage.js'),
    ]);
    const mode = flags['dry-run'] ? 'dry-run' : 'write';
    const journal = new RunJournal('contain', ['snapshot', 'policy', 'assignments', 'tokens']);
    // Stopped by Ctrl-C or SIGTERM: say which steps and tokens were done (stderr; --json: stdout).
    const stepLabel = (step: string): string => messages.getMessage(`step.${step}`);
    const report = (signal: string): void => {
      printInterrupted(journal.record(signal, new Date()), this.jsonEnabled(), stepLabel);
    };
    const stop = mode === 'write' ? onInterrupt(report) : (): void => undefined;
    let outcome;
    try {
      const conn = await this.connect(flags['target-org'], flags['api-version']);
      outcome = await containApp(conn, {
        name: flags.name,
        type: flags.type,
        snapshotFile: flags['snapshot-file'],
        keep: flags['keep-assignment'] ?? [],
        mode,
        concurrency: concurrencyFromEnv(process.env.SF_CONNECTEDAPP_CONCURRENCY ?? String(REVOKE_CONCURRENCY)),
        progress: this.tokenProgress(),
        now: new Date(),
        journal,
      });
    } finally {
      stop();
    }
    const result: ConnectedAppContainResult = {
      app: outcome.app,
      snapshot: outcome.snapshot,
      steps: outcome.steps,
      policy: outcome.policy,
      assignments: outcome.assignments,
      tokens: outcome.tokens,
      dryRun: mode === 'dry-run',
      nothingToDo: outcome.nothingToDo,
    };
    for (const warning of outcome.warnings) this.warn(warning);
    this.render(result);
    return this.endRun(result, outcome.outcome, () => messages.createError('error.AllFailed', [printable(result.app.name)]));
  }

  private render(result: ConnectedAppContainResult): void {
    if (result.assignments.length) this.table(pairTable(result.assignments));
    if (result.tokens.length) this.table(tokenTable(result.tokens));
    this.styledHeader(messages.getMessage('header.steps', [printable(result.app.name)]));
    this.table({
      data: result.steps.map((s) => ({ step: messages.getMessage(`step.${s.step}`), status: s.status, detail: printable(s.detail) })),
      columns: (['step', 'status', 'detail'] as const).map((key) => ({ key, name: messages.getMessage(`column.${key}`) })),
    });
    const counts = countTokens(result.tokens);
    const path = result.snapshot.path;
    if (result.dryRun) this.log(messages.getMessage('summary.dryRun', [path, result.assignments.length, counts['would-revoke']]));
    else if (result.nothingToDo) this.log(messages.getMessage('summary.nothing', [path, shellWord(path)]));
    else this.log(messages.getMessage('summary.result', [path, counts.revoked, counts.failed + counts.unknown, shellWord(path)]));
  }

  private tokenProgress(): { start(total: number): void; update(done: number): void; stop(): void } | undefined {
    if (!process.stderr.isTTY || this.jsonEnabled()) return undefined;
    return {
      start: (total) => {
        // The format's %s is sf-plugins-core's: its Progress puts the title there.
        // eslint-disable-next-line sf-plugin/no-missing-messages
        this.progress.start(total, {}, { title: revokeMessages.getMessage('progress.title'), format: revokeMessages.getMessage('progress.format') });
      },
      update: (done) => {
        this.progress.update(done);
      },
      stop: () => {
        this.progress.stop();
      },
    };
  }
}

/** A path as one shell word, for a command line to copy: quoted only when it needs to be. */
function shellWord(path: string): string {
  return /^[\w@%+=:,./-]+$/.test(path) ? path : `'${path.replace(/'/g, "'\\''")}'`;
}
