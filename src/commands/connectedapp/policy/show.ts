import '../../../node-guard.js';
import { Messages } from '@salesforce/core';
import { Flags } from '@salesforce/sf-plugins-core';
import { appTypeFlag, requiredTargetOrg } from '../../../org-flags.js';
import { ConnectedAppCommand } from '../../../base-command.js';
import { errorCodesSection } from '../../../exit-codes.js';
import { policyFieldValue, type AppPolicy } from '../../../domain/policy/policy.js';
import type { PolicyShowApp } from '../../../operations/policy.js';
import { metadataWords, settingLabel, SHOWN_FIELDS, wordsWithDefault } from '../../../renderers/policy-words.js';

Messages.importMessagesDirectoryFromMetaUrl(import.meta.url);
const messages = Messages.loadMessages('plugin-connectedapp', 'connectedapp.policy.show');

export type ConnectedAppPolicyShowResult = { apps: PolicyShowApp[] };

export default class ConnectedAppPolicyShow extends ConnectedAppCommand<ConnectedAppPolicyShowResult> {
  public static readonly summary = messages.getMessage('summary');
  public static readonly description = messages.getMessage('description');
  public static readonly examples = messages.getMessages('examples');
  public static readonly errorCodes = errorCodesSection();

  public static readonly flags = {
    'target-org': requiredTargetOrg(),
    'api-version': Flags.orgApiVersion(),
    name: Flags.string({ char: 'n', multiple: true, required: true, summary: messages.getMessage('flags.name.summary') }),
    type: appTypeFlag(messages.getMessage('flags.type.summary')),
  };

  public async run(): Promise<ConnectedAppPolicyShowResult> {
    const { flags } = await this.parse(ConnectedAppPolicyShow);
    // The policy operations load when the command runs, not with its module (bench/startup-breakdown.ts).
    const { showPolicies } = await import('../../../operations/policy.js');
    const apps = await showPolicies(await this.connect(flags['target-org'], flags['api-version']), flags.name, flags.type);
    for (const app of apps) this.render(app);
    return { apps };
  }

  private render(app: PolicyShowApp): void {
    this.styledHeader(messages.getMessage(app.type === 'external-client-app' ? 'header.eca' : 'header.app', [app.apiName ?? app.label, app.id]));
    if (!app.policy) {
      this.log(messages.getMessage('noMetadata'));
    } else {
      const policy = { ...app.policy, lines: {}, lineParts: {} } as AppPolicy;
      this.table({
        data: SHOWN_FIELDS.map((field) => {
          const raw = policyFieldValue(policy, field);
          return { setting: settingLabel(field), value: wordsWithDefault(policy, field), metadata: metadataWords(field, raw, policy) };
        }),
        columns: [
          { key: 'setting', name: messages.getMessage('column.setting') },
          { key: 'value', name: messages.getMessage('column.value') },
          { key: 'metadata', name: messages.getMessage('column.metadata') },
        ],
      });
    }
    this.log(messages.getMessage('assigned', [app.assignedProfiles.length, app.assignedPermissionSets.length]));
  }
}
