import '../../node-guard.js';
import { Messages } from '@salesforce/core';
import { Flags } from '@salesforce/sf-plugins-core';
import { existingPath } from '../../flags.js';
import { appTypeFlag, requiredTargetOrg } from '../../org-flags.js';
import { ConnectedAppCommand } from '../../base-command.js';
import { outcomeOf, type PairResult } from '../../domain/access/assignments.js';
import { countBy, firstErrorCode, pairTable } from '../../renderers/pair-table.js';
import { errorCodesSection } from '../../exit-codes.js';

Messages.importMessagesDirectoryFromMetaUrl(import.meta.url);
const messages = Messages.loadMessages('plugin-connectedapp', 'connectedapp.unassign');

export type ConnectedAppUnassignResult = {
  /** One entry per app × permission set or profile pair. */
  results: PairResult[];
  dryRun: boolean;
};

export default class ConnectedAppUnassign extends ConnectedAppCommand<ConnectedAppUnassignResult> {
  public static readonly summary = messages.getMessage('summary');
  public static readonly description = messages.getMessage('description');
  public static readonly examples = messages.getMessages('examples');
  public static readonly errorCodes = errorCodesSection('partial');

  public static readonly flags = {
    'target-org': requiredTargetOrg(),
    'api-version': Flags.orgApiVersion(),
    name: Flags.string({ char: 'n', multiple: true, summary: messages.getMessage('flags.name.summary') }),
    type: appTypeFlag(messages.getMessage('flags.type.summary')),
    'permission-set': Flags.string({ char: 'p', multiple: true, summary: messages.getMessage('flags.permission-set.summary') }),
    profile: Flags.string({ multiple: true, summary: messages.getMessage('flags.profile.summary') }),
    file: Flags.file({ char: 'f', parse: existingPath('file'), summary: messages.getMessage('flags.file.summary') }),
    'dry-run': Flags.boolean({ summary: messages.getMessage('flags.dry-run.summary') }),
    'allow-lockout': Flags.boolean({ summary: messages.getMessage('flags.allow-lockout.summary') }),
  };

  public async run(): Promise<ConnectedAppUnassignResult> {
    const { flags } = await this.parse(ConnectedAppUnassign);
    // The operations load when the command runs, not with its module (bench/startup-breakdown.ts).
    const [{ unassignAccess }, { accessRequests }] = await Promise.all([import('../../operations/access.js'), import('../../operations/access-input.js')]);
    const requests = await accessRequests(flags);
    const mode = flags['dry-run'] ? 'dry-run' : 'write';
    const conn = await this.connect(flags['target-org'], flags['api-version']);
    const outcome = await unassignAccess(conn, requests, mode, flags['allow-lockout'], { type: flags.type });
    const result: ConnectedAppUnassignResult = { results: outcome.results, dryRun: mode === 'dry-run' };

    for (const warning of outcome.warnings) this.warn(warning);
    this.table(pairTable(result.results));
    const unchanged = countBy(result.results, 'unchanged');
    if (mode === 'dry-run') {
      this.log(messages.getMessage('summary.dryRun', [countBy(result.results, 'would-delete'), unchanged]));
      return result;
    }
    this.log(messages.getMessage('summary.result', [countBy(result.results, 'deleted'), unchanged, countBy(result.results, 'failed'), countBy(result.results, 'unknown')]));
    return this.endRun(result, outcomeOf(result.results), () => messages.createError('error.AllFailed', [firstErrorCode(result.results)]));
  }
}
