import '../../node-guard.js';
import { Messages } from '@salesforce/core';
import { Flags } from '@salesforce/sf-plugins-core';
import { appTypeFlag, requiredTargetOrg } from '../../org-flags.js';
import { ConnectedAppCommand } from '../../base-command.js';
import { errorCodesSection } from '../../exit-codes.js';
import type { AppAccess } from '../../adapters/access-resolver.js';
import type { SourceCoverage } from '../../domain/coverage.js';
import type { AppComponent, InventoryApp, JoinedBy, SObjectRefreshToken } from '../../domain/access/inventory.js';
import type { AppKind, PermittedUsers } from '../../domain/policy/policy.js';
import { formatRefreshTokenPolicy } from '../../domain/policy/refresh-token.js';
import { LIST_FORMATS } from '../../renderers/formats.js';

Messages.importMessagesDirectoryFromMetaUrl(import.meta.url);
const messages = Messages.loadMessages('plugin-connectedapp', 'connectedapp.list');

export type ConnectedAppListRow = {
  /** A connected app or an External Client App. */
  type: AppKind;
  /** Metadata API name (`ns__Name` for managed apps); null when it could not be read or matched. */
  apiName: string | null;
  label: string;
  id: string;
  namespacePrefix: string | null;
  /** How the metadata component was matched to the sObject row. */
  joinedBy: JoinedBy | null;
  permittedUsers: PermittedUsers;
  refreshToken: SObjectRefreshToken;
  /**
   * The whole refresh-token policy in its metadata spelling (`specific_inactivity:30:DAYS`, `infinite`…) where the
   * org shows it: an External Client App's OAuth policies. Null for connected apps (the sObject hides the unit).
   */
  refreshTokenPolicy: string | null;
  permissionSetCount: number;
  profileCount: number;
  permissionSets: string[];
  profiles: string[];
  /** Permission set groups that grant the app through a component permission set. */
  permissionSetGroups: string[];
  /** Distinct active users who can use the app (any grant); null when assignments could not all be read. */
  activeUsers: number | null;
  /** Active users reached through each kind of grant (a user reached two ways counts in both); null as above. */
  activeUsersByKind: { profile: number; permissionSet: number; permissionSetGroup: number } | null;
  createdDate: string | null;
  lastModifiedDate: string | null;
};

export type ConnectedAppListResult = {
  apps: ConnectedAppListRow[];
  /** Metadata components with no installed ConnectedApplication record. */
  unmatchedComponents: AppComponent[];
  coverage: SourceCoverage[];
};

export default class ConnectedAppList extends ConnectedAppCommand<ConnectedAppListResult> {
  public static readonly summary = messages.getMessage('summary');
  public static readonly description = messages.getMessage('description');
  public static readonly examples = messages.getMessages('examples');
  public static readonly errorCodes = errorCodesSection();

  public static readonly flags = {
    'target-org': requiredTargetOrg(),
    'api-version': Flags.orgApiVersion(),
    type: appTypeFlag(messages.getMessage('flags.type.summary')),
    name: Flags.string({
      char: 'n',
      multiple: true,
      summary: messages.getMessage('flags.name.summary'),
      description: messages.getMessage('flags.name.description'),
    }),
    'result-format': Flags.option({ char: 'r', options: LIST_FORMATS, multiple: true, default: ['human' as const], summary: messages.getMessage('flags.result-format.summary') })(),
    'output-file': Flags.file({ summary: messages.getMessage('flags.output-file.summary') }),
    'output-dir': Flags.directory({ summary: messages.getMessage('flags.output-dir.summary') }),
  };

  public async run(): Promise<ConnectedAppListResult> {
    const { flags } = await this.parse(ConnectedAppList);
    // Adapters, operations and renderers load when the command runs, not with its module (bench/startup-breakdown.ts).
    const [{ readInventory }, { ECA_LIST_SOURCE, ECA_SUMMARY_PARTS }, { resolveAppAccess }, { appsOfKind, resolveApps, withOtherKind }, { writeListReports }, { checkOutputFlags, prepareOutputDir }] = await Promise.all([
      import('../../adapters/connected-apps.js'),
      import('../../adapters/external-client-apps.js'),
      import('../../adapters/access-resolver.js'),
      import('../../operations/resolve-apps.js'),
      import('../../renderers/list-output.js'),
      import('../../renderers/output.js'),
    ]);
    const output = { formats: flags['result-format'], outputFile: flags['output-file'], outputDir: flags['output-dir'] };
    checkOutputFlags(output);
    await prepareOutputDir(output);
    const conn = await this.connect(flags['target-org'], flags['api-version']);
    const inventory = await readInventory(conn, { externalClientApps: flags.type === 'connected-app' ? undefined : ECA_SUMMARY_PARTS });
    const ofType = appsOfKind(inventory.apps, flags.type);
    const names = flags.name;
    const apps = names ? await withOtherKind(conn, flags.type, inventory.apps, flags.type !== 'connected-app', (all) => resolveApps(all, names, flags.type)) : ofType;
    // Who can use each app: counted, not listed, from the assignments the inventory read (two more queries whatever
    // the number of apps: the groups' components and the active users' assignments).
    const access = await resolveAppAccess(conn, apps.map((a) => a.id), { listUsers: 0, assignments: apps.flatMap((a) => [...a.profiles, ...a.permissionSets]) });
    const result = {
      apps: apps.map((a) => toRow(a, access.apps.get(a.id))),
      unmatchedComponents: inventory.unmatchedComponents,
      coverage: [...inventory.coverage, ...access.coverage.filter((c) => c.source !== 'SetupEntityAccess' || c.status !== 'used')],
    };
    this.warnAbout(result, ECA_LIST_SOURCE);
    await writeListReports(this, result, {
      formats: flags['result-format'],
      outputFile: flags['output-file'],
      outputDir: flags['output-dir'],
      org: flags['target-org'],
      noApps: messages.getMessage('noApps'),
      listed: messages.getMessage('listed', [result.apps.length]),
    });
    return result;
  }

  private warnAbout(result: ConnectedAppListResult, ecaListSource: string): void {
    const names = result.coverage.find((c) => c.source === 'listMetadata:ConnectedApp');
    const ecas = result.coverage.find((c) => c.source === ecaListSource);
    if (ecas && ecas.status !== 'used') this.warn(messages.getMessage('warning.noExternalClientApps', [ecas.errorCode ?? ecas.status]));
    const ecaParts = result.coverage.filter((c) => c.source !== ecaListSource && /ExtlClntApp|ExternalClientApplication/.test(c.source) && c.status !== 'used');
    if (ecaParts.length) this.warn(messages.getMessage('warning.ecaPartsUnread', [ecaParts.map((c) => `${c.source} (${c.errorCode ?? c.status})`).join(', ')]));
    if (names && names.status !== 'used') this.warn(messages.getMessage('warning.noApiNames', [names.errorCode ?? names.status]));
    else {
      const unjoined = result.apps.filter((a) => a.apiName === null).map((a) => a.label);
      if (unjoined.length) this.warn(messages.getMessage('warning.unjoinedApps', [unjoined.length, unjoined.join(', ')]));
    }
    if (result.unmatchedComponents.length) {
      const names = result.unmatchedComponents.map((c) => c.fullName);
      this.warn(messages.getMessage('warning.unmatchedComponents', [names.length, names.join(', ')]));
    }
  }
}

function toRow(app: InventoryApp, access: AppAccess | undefined): ConnectedAppListRow {
  const known = access?.usersComplete === true;
  return {
    type: app.kind,
    apiName: app.apiName,
    label: app.label,
    id: app.id,
    namespacePrefix: app.namespacePrefix,
    joinedBy: app.joinedBy,
    permittedUsers: app.permittedUsers,
    refreshToken: app.refreshToken,
    refreshTokenPolicy: app.refreshTokenPolicy ? formatRefreshTokenPolicy(app.refreshTokenPolicy) : null,
    permissionSetCount: app.permissionSets.length,
    profileCount: app.profiles.length,
    permissionSets: app.permissionSets.map((p) => p.name),
    profiles: app.profiles.map((p) => p.name),
    permissionSetGroups: [...new Set((access?.grants ?? []).filter((g) => g.kind === 'permission-set-group').map((g) => g.holderName))],
    activeUsers: known ? access.activeUserCount : null,
    activeUsersByKind: known
      ? { profile: access.activeUsersByKind.profile, permissionSet: access.activeUsersByKind['permission-set'], permissionSetGroup: access.activeUsersByKind['permission-set-group'] }
      : null,
    createdDate: app.createdDate,
    lastModifiedDate: app.lastModifiedDate,
  };
}
