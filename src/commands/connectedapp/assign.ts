import '../../node-guard.js';
import { Messages } from '@salesforce/core';
import { Flags } from '@salesforce/sf-plugins-core';
import { existingPath } from '../../flags.js';
import { appTypeFlag, requiredTargetOrg } from '../../org-flags.js';
import { ConnectedAppCommand } from '../../base-command.js';
import { outcomeOf, type PairResult } from '../../domain/access/assignments.js';
import { EXIT, errorCodesSection } from '../../exit-codes.js';
import { firstErrorCode } from '../../renderers/pair-table.js';
import { countBy, pairTable } from '../../renderers/pair-table.js';

Messages.importMessagesDirectoryFromMetaUrl(import.meta.url);
const messages = Messages.loadMessages('plugin-connectedapp', 'connectedapp.assign');

export type ConnectedAppAssignResult = {
  /** One entry per app × permission set or profile pair, in the order written. */
  results: PairResult[];
  dryRun: boolean;
  check: boolean;
};

export default class ConnectedAppAssign extends ConnectedAppCommand<ConnectedAppAssignResult> {
  public static readonly summary = messages.getMessage('summary');
  public static readonly description = messages.getMessage('description');
  public static readonly examples = messages.getMessages('examples');
  public static readonly errorCodes = errorCodesSection('gate', 'partial');

  public static readonly flags = {
    'target-org': requiredTargetOrg(),
    'api-version': Flags.orgApiVersion(),
    name: Flags.string({ char: 'n', multiple: true, summary: messages.getMessage('flags.name.summary') }),
    type: appTypeFlag(messages.getMessage('flags.type.summary')),
    'permission-set': Flags.string({ char: 'p', multiple: true, summary: messages.getMessage('flags.permission-set.summary') }),
    profile: Flags.string({ multiple: true, summary: messages.getMessage('flags.profile.summary') }),
    file: Flags.file({ char: 'f', parse: existingPath('file'), summary: messages.getMessage('flags.file.summary'), description: messages.getMessage('flags.file.description') }),
    'dry-run': Flags.boolean({ summary: messages.getMessage('flags.dry-run.summary') }),
    check: Flags.boolean({ summary: messages.getMessage('flags.check.summary'), dependsOn: ['file'] }),
  };

  public async run(): Promise<ConnectedAppAssignResult> {
    const { flags } = await this.parse(ConnectedAppAssign);
    // The operations load when the command runs, not with its module (bench/startup-breakdown.ts).
    const [{ assignAccess }, { accessRequests }] = await Promise.all([import('../../operations/access.js'), import('../../operations/access-input.js')]);
    const requests = await accessRequests(flags);
    const mode = flags.check ? 'check' : flags['dry-run'] ? 'dry-run' : 'write';
    const outcome = await assignAccess(await this.connect(flags['target-org'], flags['api-version']), requests, mode, { type: flags.type });
    const result: ConnectedAppAssignResult = { results: outcome.results, dryRun: mode === 'dry-run', check: mode === 'check' };

    for (const warning of outcome.warnings) this.warn(warning);
    this.table(pairTable(result.results));
    const missing = countBy(result.results, 'would-create');
    const unchanged = countBy(result.results, 'unchanged');
    if (mode === 'check') {
      this.log(messages.getMessage('summary.check', [missing, unchanged]));
      return missing > 0 ? this.endWith(result, EXIT.gate, messages.createError('error.Drift', [flags.file ?? '', missing])) : result;
    }
    if (mode === 'dry-run') {
      this.log(messages.getMessage('summary.dryRun', [missing, unchanged]));
      return result;
    }
    this.log(messages.getMessage('summary.result', [countBy(result.results, 'created'), unchanged, countBy(result.results, 'failed'), countBy(result.results, 'unknown')]));
    return this.endRun(result, outcomeOf(result.results), () => messages.createError('error.AllFailed', [firstErrorCode(result.results)]));
  }
}

