import '../../../node-guard.js';
import { Messages } from '@salesforce/core';
import { Flags } from '@salesforce/sf-plugins-core';
import { requiredTargetOrg } from '../../../org-flags.js';
import { ConnectedAppCommand } from '../../../base-command.js';
import { errorCodesSection } from '../../../exit-codes.js';

Messages.importMessagesDirectoryFromMetaUrl(import.meta.url);
const messages = Messages.loadMessages('plugin-connectedapp', 'connectedapp.register.init');

export type ConnectedAppRegisterInitResult = {
  file: string;
  format: 'yaml' | 'json';
  /** The apps written, each to be completed with an owner, a criticality, a justification and a review date. */
  apps: Array<{ app: string; label: string; id: string }>;
};

export default class ConnectedAppRegisterInit extends ConnectedAppCommand<ConnectedAppRegisterInitResult> {
  public static readonly summary = messages.getMessage('summary');
  public static readonly description = messages.getMessage('description');
  public static readonly examples = messages.getMessages('examples');
  public static readonly errorCodes = errorCodesSection();

  public static readonly flags = {
    'target-org': requiredTargetOrg(),
    'api-version': Flags.orgApiVersion(),
    'output-file': Flags.file({ char: 'f', required: true, summary: messages.getMessage('flags.output-file.summary') }),
    force: Flags.boolean({ summary: messages.getMessage('flags.force.summary') }),
  };

  public async run(): Promise<ConnectedAppRegisterInitResult> {
    const { flags } = await this.parse(ConnectedAppRegisterInit);
    // The adapters load when the command runs, not with its module (bench/startup-breakdown.ts).
    const [{ readInventory }, { ECA_LIST_SOURCE }, { RegisterFileError, writeRegisterDraft }] = await Promise.all([
      import('../../../adapters/connected-apps.js'),
      import('../../../adapters/external-client-apps.js'),
      import('../../../adapters/register-file.js'),
    ]);
    // External Client Apps too: the audit checks them against the register (only their header is needed here).
    const inventory = await readInventory(await this.connect(flags['target-org'], flags['api-version']), { externalClientApps: ['eca'] });
    const ecas = inventory.coverage.find((c) => c.source === ECA_LIST_SOURCE);
    if (ecas && ecas.status !== 'used') this.warn(messages.getMessage('warning.noExternalClientApps', [ecas.errorCode ?? ecas.status]));
    const apps = inventory.apps.map((a) => ({ app: a.apiName ?? a.label, label: a.label, id: a.id })).sort((a, b) => a.app.localeCompare(b.app));
    let format: 'yaml' | 'json';
    try {
      format = await writeRegisterDraft(flags['output-file'], apps, messages.getMessage('fileComment'), flags.force);
    } catch (error) {
      if (error instanceof RegisterFileError) throw messages.createError(/EEXIST/.test(error.reason) ? 'error.Exists' : 'error.CannotWrite', [error.path, error.reason]);
      throw error;
    }
    this.log(messages.getMessage('wrote', [apps.length, flags['output-file']]));
    return { file: flags['output-file'], format, apps };
  }
}
