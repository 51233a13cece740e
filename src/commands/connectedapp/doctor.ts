import '../../node-guard.js';
import { Messages } from '@salesforce/core';
import { Flags } from '@salesforce/sf-plugins-core';
import { appTypeFlag, requiredTargetOrg } from '../../org-flags.js';
import { ConnectedAppCommand } from '../../base-command.js';
import { DOCTOR_FLOWS } from '../../domain/access/doctor.js';
import { ipFlag } from '../../flags.js';
import { EXIT, errorCodesSection } from '../../exit-codes.js';
import type { ConnectedAppDoctorResult } from '../../operations/doctor.js';

Messages.importMessagesDirectoryFromMetaUrl(import.meta.url);
const messages = Messages.loadMessages('plugin-connectedapp', 'connectedapp.doctor');

export type { ConnectedAppDoctorResult } from '../../operations/doctor.js';

const EXIT_OF_VERDICT = { 'can-use': EXIT.ok, 'cannot-use': EXIT.cannotUse, 'cannot-tell': EXIT.cannotTell } as const;

export default class ConnectedAppDoctor extends ConnectedAppCommand<ConnectedAppDoctorResult> {
  public static readonly summary = messages.getMessage('summary');
  public static readonly description = messages.getMessage('description');
  public static readonly examples = messages.getMessages('examples');
  public static readonly errorCodes = errorCodesSection('cannotUse', 'cannotTell');

  public static readonly flags = {
    'target-org': requiredTargetOrg(),
    'api-version': Flags.orgApiVersion(),
    name: Flags.string({ char: 'n', required: true, summary: messages.getMessage('flags.name.summary') }),
    username: Flags.string({ char: 'u', summary: messages.getMessage('flags.username.summary') }),
    flow: Flags.option({ options: DOCTOR_FLOWS, summary: messages.getMessage('flags.flow.summary'), description: messages.getMessage('flags.flow.description') })(),
    'source-ip': ipFlag({ summary: messages.getMessage('flags.source-ip.summary') }),
    type: appTypeFlag(messages.getMessage('flags.type.summary')),
  };

  public async run(): Promise<ConnectedAppDoctorResult> {
    const { flags } = await this.parse(ConnectedAppDoctor);
    // The operation and its renderer load when the command runs, not with its module (bench/startup-breakdown.ts).
    const [{ runDoctor }, { doctorLines }] = await Promise.all([import('../../operations/doctor.js'), import('../../renderers/doctor.js')]);
    const sourceIp = flags['source-ip'] ?? null;
    const conn = await this.connect(flags['target-org'], flags['api-version']);
    const result = await runDoctor(conn, { name: flags.name, username: flags.username ?? null, flow: flags.flow ?? null, sourceIp, type: flags.type });
    for (const line of doctorLines(result, this.humanWidth)) this.log(line);
    return this.endWith(result, EXIT_OF_VERDICT[result.verdict]);
  }
}
