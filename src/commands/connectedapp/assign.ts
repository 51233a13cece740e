import { Messages } from '@salesforce/core';
import { Flags } from '@salesforce/sf-plugins-core';
import { ConnectedAppCommand } from '../../base-command.js';
import { outcomeOf, type PairResult } from '../../domain/assignments.js';
import { assignAccess } from '../../operations/access.js';
import { accessRequests } from '../../operations/access-input.js';
import { countBy, pairTable } from '../../renderers/pair-table.js';

Messages.importMessagesDirectoryFromMetaUrl(import.meta.url);
const messages = Messages.loadMessages('plugin-connectedapp', 'connectedapp.assign');

export type ConnectedAppAssignResult = {
  /** One entry per app × permission set or profile pair, in the order written. */
  results: PairResult[];
  dryRun: boolean;
  check: boolean;
};

/** Exit code when --check finds pairs missing from the org. */
export const DRIFT_EXIT_CODE = 3;
/** Exit code when some pairs failed and others succeeded (the sf house code for partial success). */
export const PARTIAL_EXIT_CODE = 68;

export default class ConnectedAppAssign extends ConnectedAppCommand<ConnectedAppAssignResult> {
  public static readonly summary = messages.getMessage('summary');
  public static readonly description = messages.getMessage('description');
  public static readonly examples = messages.getMessages('examples');

  public static readonly flags = {
    'target-org': Flags.requiredOrg(),
    'api-version': Flags.orgApiVersion(),
    name: Flags.string({ char: 'n', multiple: true, summary: messages.getMessage('flags.name.summary') }),
    'permission-set': Flags.string({ char: 'p', multiple: true, summary: messages.getMessage('flags.permission-set.summary') }),
    profile: Flags.string({ multiple: true, summary: messages.getMessage('flags.profile.summary') }),
    file: Flags.file({ char: 'f', exists: true, summary: messages.getMessage('flags.file.summary'), description: messages.getMessage('flags.file.description') }),
    'dry-run': Flags.boolean({ summary: messages.getMessage('flags.dry-run.summary') }),
    check: Flags.boolean({ summary: messages.getMessage('flags.check.summary'), dependsOn: ['file'] }),
  };

  public async run(): Promise<ConnectedAppAssignResult> {
    const { flags } = await this.parse(ConnectedAppAssign);
    const requests = await accessRequests(flags);
    const mode = flags.check ? 'check' : flags['dry-run'] ? 'dry-run' : 'write';
    const outcome = await assignAccess(flags['target-org'].getConnection(flags['api-version']), requests, mode);
    const result: ConnectedAppAssignResult = { results: outcome.results, dryRun: mode === 'dry-run', check: mode === 'check' };

    for (const warning of outcome.warnings) this.warn(warning);
    this.table(pairTable(result.results));
    const missing = countBy(result.results, 'would-create');
    const unchanged = countBy(result.results, 'unchanged');
    if (mode === 'check') {
      this.log(messages.getMessage('summary.check', [missing, unchanged]));
      if (missing > 0) {
        const error = messages.createError('error.Drift', [flags.file ?? '', missing], [], DRIFT_EXIT_CODE);
        error.setData(result);
        throw error;
      }
      return result;
    }
    if (mode === 'dry-run') {
      this.log(messages.getMessage('summary.dryRun', [missing, unchanged]));
      return result;
    }
    this.log(messages.getMessage('summary.result', [countBy(result.results, 'created'), unchanged, countBy(result.results, 'failed')]));
    const outcomeKind = outcomeOf(result.results);
    if (outcomeKind === 'failed') {
      const error = messages.createError('error.AllFailed', [result.results[0]?.errorCode ?? 'UNKNOWN_ERROR']);
      error.setData(result);
      throw error;
    }
    if (outcomeKind === 'partial') process.exitCode = PARTIAL_EXIT_CODE;
    return result;
  }
}
