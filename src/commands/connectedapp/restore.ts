import '../../node-guard.js';
import { Messages } from '@salesforce/core';
import { Flags } from '@salesforce/sf-plugins-core';
import { requiredTargetOrg } from '../../org-flags.js';
import { ConnectedAppCommand } from '../../base-command.js';
import type { PairResult } from '../../domain/access/assignments.js';
import { restoredElements } from '../../domain/incident/snapshot.js';
import { errorCodesSection } from '../../exit-codes.js';
import type { AppPolicyResult } from '../../operations/policy.js';
import type { RevokeApp } from '../../operations/revoke.js';
import { pairTable } from '../../renderers/pair-table.js';
import { settingLabel } from '../../renderers/policy-words.js';
import { printable } from '../../renderers/terminal.js';

Messages.importMessagesDirectoryFromMetaUrl(import.meta.url);
const messages = Messages.loadMessages('plugin-connectedapp', 'connectedapp.restore');

export type ConnectedAppRestoreResult = {
  app: RevokeApp;
  snapshot: { path: string; takenAt: string };
  /** The policy put back as the snapshot has it; null when there is none to put back (app not installed). */
  policy: AppPolicyResult | null;
  /** One entry per assignment: created (was in the snapshot), deleted (was not), or unchanged. */
  assignments: PairResult[];
  /** OAuth tokens held when the snapshot was taken. Revoked tokens cannot come back: users authorize the app again. */
  tokensAtSnapshot: number;
  dryRun: boolean;
};

export default class ConnectedAppRestore extends ConnectedAppCommand<ConnectedAppRestoreResult> {
  public static readonly summary = messages.getMessage('summary');
  public static readonly description = messages.getMessage('description');
  public static readonly examples = messages.getMessages('examples');
  public static readonly errorCodes = errorCodesSection('partial');

  public static readonly flags = {
    'target-org': requiredTargetOrg(),
    'api-version': Flags.orgApiVersion(),
    'snapshot-file': Flags.file({ char: 's', required: true, summary: messages.getMessage('flags.snapshot-file.summary') }),
    'dry-run': Flags.boolean({ summary: messages.getMessage('flags.dry-run.summary') }),
  };

  public async run(): Promise<ConnectedAppRestoreResult> {
    const { flags } = await this.parse(ConnectedAppRestore);
    // The operations load when the command runs, not with its module (bench/startup-breakdown.ts).
    const { restoreApp } = await import('../../operations/incident.js');
    const mode = flags['dry-run'] ? 'dry-run' : 'write';
    const conn = await this.connect(flags['target-org'], flags['api-version']);
    const outcome = await restoreApp(conn, { snapshotFile: flags['snapshot-file'], mode });
    const result: ConnectedAppRestoreResult = {
      app: outcome.app,
      snapshot: outcome.snapshot,
      policy: outcome.policy,
      assignments: outcome.assignments,
      tokensAtSnapshot: outcome.tokensAtSnapshot,
      dryRun: mode === 'dry-run',
    };
    for (const warning of outcome.warnings) this.warn(warning);
    if (result.assignments.length) this.table(pairTable(result.assignments));
    const policy = result.policy;
    if (policy) {
      // Unchanged: no setting differs, so the row says so and the line under the table says what was compared.
      const same = policy.status === 'unchanged' && policy.changes.length === 0;
      this.table({
        data: policy.changes.length
          ? policy.changes.map((c) => ({ setting: settingLabel(c.field), before: c.before ?? '', after: c.after ?? '', status: policy.status }))
          : [{ setting: same ? messages.getMessage('policy.setting') : '', before: '', after: same ? messages.getMessage('policy.asSnapshot') : (policy.message ?? ''), status: policy.status }],
        columns: (['setting', 'before', 'after', 'status'] as const).map((key) => ({ key, name: messages.getMessage(`column.${key}`) })),
      });
      if (same && result.app.type) {
        const kind = result.app.type;
        const grants = result.assignments.length ? messages.getMessage('policy.grants', [result.assignments.length]) : messages.getMessage('policy.noGrants');
        this.log(messages.getMessage('policy.compared', [restoredElements(kind).join(', '), messages.getMessage(`policy.component.${kind}`), grants]));
      }
    }
    const changed = result.assignments.filter((a) => a.status !== 'unchanged').length + (policy && policy.status !== 'unchanged' ? 1 : 0);
    const summary = mode === 'dry-run' ? 'summary.dryRun' : changed === 0 ? 'summary.nothing' : 'summary.result';
    this.log(messages.getMessage(summary, [printable(result.app.apiName ?? result.app.name), result.snapshot.takenAt]));
    return this.endRun(result, outcome.outcome, () => messages.createError('error.AllFailed', [printable(result.app.apiName ?? result.app.name)]));
  }
}
