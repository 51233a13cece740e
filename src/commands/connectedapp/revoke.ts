import '../../node-guard.js';
import { Messages } from '@salesforce/core';
import { Flags } from '@salesforce/sf-plugins-core';
import { appTypeFlag, requiredTargetOrg } from '../../org-flags.js';
import { dateFlag } from '../../flags.js';
import { ConnectedAppCommand } from '../../base-command.js';
import { countTokens, revokeOutcome, type TokenResult } from '../../domain/incident/tokens.js';
import { RunJournal } from '../../domain/incident/run-journal.js';
import { errorCodesSection } from '../../exit-codes.js';
import { onInterrupt } from '../../interrupt.js';
import type { RevokeApp, RevokeOutcome, RevokeProgress, RevokeRead, RevokeSelection } from '../../operations/revoke.js';
import { printInterrupted } from '../../renderers/interrupted.js';
import { tokenTable } from '../../renderers/token-table.js';

Messages.importMessagesDirectoryFromMetaUrl(import.meta.url);
const messages = Messages.loadMessages('plugin-connectedapp', 'connectedapp.revoke');

export type ConnectedAppRevokeResult = {
  /** The apps whose tokens were listed or revoked (installed, or known only by their tokens' AppName). */
  apps: RevokeApp[];
  /** One entry per token: who held it, when it was made and last used, and what happened to it. Never the token itself. */
  tokens: TokenResult[];
  /** What the read of OauthToken covered. */
  read: RevokeRead;
  dryRun: boolean;
  /** Names that matched no installed app and no token: nothing to revoke for them (all revoked already, or a misspelling). */
  unmatched: string[];
  /** No token to revoke (not a dry run): the run changed nothing, and needed to change nothing. */
  nothingToDo: boolean;
};

export default class ConnectedAppRevoke extends ConnectedAppCommand<ConnectedAppRevokeResult> {
  public static readonly summary = messages.getMessage('summary');
  public static readonly description = messages.getMessage('description');
  public static readonly examples = messages.getMessages('examples');
  public static readonly errorCodes = errorCodesSection('partial');

  public static readonly flags = {
    'target-org': requiredTargetOrg(),
    'api-version': Flags.orgApiVersion(),
    name: Flags.string({ char: 'n', multiple: true, required: true, summary: messages.getMessage('flags.name.summary'), description: messages.getMessage('flags.name.description') }),
    username: Flags.string({ multiple: true, summary: messages.getMessage('flags.username.summary') }),
    'last-used-before': dateFlag('start')({ summary: messages.getMessage('flags.last-used-before.summary'), description: messages.getMessage('flags.last-used-before.description') }),
    type: appTypeFlag(messages.getMessage('flags.type.summary')),
    'dry-run': Flags.boolean({ summary: messages.getMessage('flags.dry-run.summary') }),
  };

  public async run(): Promise<ConnectedAppRevokeResult> {
    const { flags } = await this.parse(ConnectedAppRevoke);
    // The operations load when the command runs, not with its module (bench/startup-breakdown.ts).
    const [{ checkRevokePermissions, resolveRevokeApps, revokeAppTokens, REVOKE_CONCURRENCY }, { concurrencyFromEnv }] = await Promise.all([
      import('../../operations/revoke.js'),
      import('../../operations/usage.js'),
    ]);
    const before = flags['last-used-before'] ?? null;
    const mode = flags['dry-run'] ? 'dry-run' : 'write';
    const warnings: string[] = [];
    const journal = new RunJournal('revoke');
    // Stopped by Ctrl-C or SIGTERM: say which tokens were revoked, in flight or not sent (stderr; --json: stdout).
    const report = (signal: string): void => {
      printInterrupted(journal.record(signal, new Date()), this.jsonEnabled(), (step) => step);
    };
    const stop = mode === 'write' ? onInterrupt(report) : (): void => undefined;
    let selection: RevokeSelection;
    let outcome: RevokeOutcome;
    try {
      const conn = await this.connect(flags['target-org'], flags['api-version']);
      const identity = await checkRevokePermissions(conn, warnings);
      selection = await resolveRevokeApps(conn, flags.name, flags.type);
      const options = { usernames: flags.username, lastUsedBefore: before, concurrency: concurrencyFromEnv(process.env.SF_CONNECTEDAPP_CONCURRENCY ?? String(REVOKE_CONCURRENCY)), progress: this.tokenProgress(), journal };
      outcome = await revokeAppTokens(conn, selection.apps, mode, options, identity);
    } finally {
      stop();
    }
    const { apps, unmatched } = selection;
    warnings.push(...selection.warnings);
    const nothingToDo = mode === 'write' && outcome.tokens.length === 0 && outcome.read.cappedUsers.length === 0;
    const result: ConnectedAppRevokeResult = { apps, tokens: outcome.tokens, read: outcome.read, dryRun: mode === 'dry-run', unmatched, nothingToDo };

    // What the API cannot do for an app that is not installed, as contain says it.
    for (const app of apps) if (!app.installed && !unmatched.includes(app.name)) warnings.push(messages.getMessage('warning.notInstalled', [app.name]));
    for (const warning of [...warnings, ...outcome.warnings]) this.warn(warning);
    if (result.tokens.length > 0) this.table(tokenTable(result.tokens));
    const counts = countTokens(result.tokens);
    if (mode === 'dry-run') {
      this.log(messages.getMessage('summary.dryRun', [counts['would-revoke'], apps.length]));
      return result;
    }
    if (nothingToDo) {
      this.log(messages.getMessage('summary.nothing'));
      return result;
    }
    this.log(messages.getMessage('summary.result', [counts.revoked, counts.unchanged, counts.failed, counts.unknown]));
    const firstCode = result.tokens.find((t) => t.errorCode)?.errorCode ?? 'UNKNOWN_ERROR';
    // Tokens left unlisted behind the 2,500-row stop mean the job is not done, whatever the listed ones say.
    const ended = revokeOutcome(result.tokens);
    return this.endRun(result, ended !== 'failed' && result.read.cappedUsers.length > 0 ? 'partial' : ended, () => messages.createError('error.AllFailed', [result.tokens.length, firstCode]));
  }

  /** A bar of tokens revoked, on stderr, only when stderr is a terminal (and never under --json). */
  private tokenProgress(): RevokeProgress | undefined {
    if (!process.stderr.isTTY || this.jsonEnabled()) return undefined;
    return {
      start: (total) => {
        // The format's %s is sf-plugins-core's: its Progress puts the title there.
        // eslint-disable-next-line sf-plugin/no-missing-messages
        this.progress.start(total, {}, { title: messages.getMessage('progress.title'), format: messages.getMessage('progress.format') });
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
