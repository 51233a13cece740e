import '../../../node-guard.js';
import { Messages } from '@salesforce/core';
import { Flags } from '@salesforce/sf-plugins-core';
import { appTypeFlag, requiredTargetOrg } from '../../../org-flags.js';
import { existingPath, parser } from '../../../flags.js';
import { ConnectedAppCommand } from '../../../base-command.js';
import { DESIRED_POLICY_KEYS, desiredPolicyFromJson, parseTimeout, toPolicyChange, type DesiredPolicy } from '../../../domain/policy/desired-policy.js';
import type { PolicyChange } from '../../../domain/policy/policy-edit.js';
import type { AppKind } from '../../../domain/policy/policy.js';
import { parseRefreshTokenFlag, type RefreshTokenPolicy } from '../../../domain/policy/refresh-token.js';
import { PolicyError } from '../../../domain/policy/policy-error.js';
import { readAccessFile } from '../../../operations/access-input.js';
import type { AppPolicyResult } from '../../../operations/policy.js';
import type { DesiredEntry } from '../../../operations/resolve-apps.js';
import type { PairResult } from '../../../domain/access/assignments.js';
import { pairTable } from '../../../renderers/pair-table.js';
import { policySfError } from '../../../operations/policy-sf-error.js';
import { settingLabel } from '../../../renderers/policy-words.js';
import { EXIT, errorCodesSection } from '../../../exit-codes.js';
import { runOutcome } from '../../../domain/write-outcome.js';

Messages.importMessagesDirectoryFromMetaUrl(import.meta.url);
const messages = Messages.loadMessages('plugin-connectedapp', 'connectedapp.policy.set');

export type ConnectedAppPolicySetResult = {
  /** One entry per app, with each changed field before → after. */
  results: AppPolicyResult[];
  /** Pairs written by --assign-permission-set / --assign-profile before the policy change. */
  assignments: PairResult[];
  dryRun: boolean;
  check: boolean;
};

/** A flag read by the policy codec: a value it refuses is wrong usage (exit 2) listing the accepted values. */
function policyValue<T>(read: (input: string) => T): (input: string) => Promise<T> {
  return parser((input) => {
    try {
      return read(input);
    } catch (error) {
      throw error instanceof PolicyError ? policySfError(error, EXIT.usage) : error;
    }
  });
}

export default class ConnectedAppPolicySet extends ConnectedAppCommand<ConnectedAppPolicySetResult> {
  public static readonly summary = messages.getMessage('summary');
  public static readonly description = messages.getMessage('description');
  public static readonly examples = messages.getMessages('examples');
  public static readonly errorCodes = errorCodesSection('gate', 'partial');

  public static readonly flags = {
    'target-org': requiredTargetOrg(),
    'api-version': Flags.orgApiVersion(),
    name: Flags.string({ char: 'n', multiple: true, summary: messages.getMessage('flags.name.summary') }),
    type: appTypeFlag(messages.getMessage('flags.type.summary')),
    'permitted-users': Flags.option({ options: ['admin-approved', 'all-self-authorize'] as const, summary: messages.getMessage('flags.permitted-users.summary') })(),
    'ip-relaxation': Flags.option({
      options: ['enforce', 'relax', 'relax-with-second-factor', 'enforce-relax-refresh'] as const,
      summary: messages.getMessage('flags.ip-relaxation.summary'),
    })(),
    'refresh-token': Flags.custom<RefreshTokenPolicy>({ parse: policyValue(parseRefreshTokenFlag) })({
      summary: messages.getMessage('flags.refresh-token.summary'),
      description: messages.getMessage('flags.refresh-token.description'),
    }),
    // "none" is null: remove the app's own timeout.
    'session-timeout': Flags.custom<number | null>({ parse: policyValue(parseTimeout) })({ summary: messages.getMessage('flags.session-timeout.summary') }),
    pkce: Flags.boolean({ allowNo: true, summary: messages.getMessage('flags.pkce.summary') }),
    'refresh-token-rotation': Flags.boolean({ allowNo: true, summary: messages.getMessage('flags.refresh-token-rotation.summary') }),
    'assign-permission-set': Flags.string({ multiple: true, summary: messages.getMessage('flags.assign-permission-set.summary') }),
    'assign-profile': Flags.string({ multiple: true, summary: messages.getMessage('flags.assign-profile.summary') }),
    force: Flags.boolean({ summary: messages.getMessage('flags.force.summary') }),
    'dry-run': Flags.boolean({ summary: messages.getMessage('flags.dry-run.summary') }),
    file: Flags.file({ char: 'f', parse: existingPath('file'), summary: messages.getMessage('flags.file.summary') }),
    check: Flags.boolean({ summary: messages.getMessage('flags.check.summary'), dependsOn: ['file'] }),
  };

  public async run(): Promise<ConnectedAppPolicySetResult> {
    const { flags } = await this.parse(ConnectedAppPolicySet);
    // The policy operations load when the command runs, not with its module (bench/startup-breakdown.ts).
    const { resolveTargets, setPolicies } = await import('../../../operations/policy.js');
    const wanted = await desiredChanges(flags);
    const conn = await this.connect(flags['target-org'], flags['api-version']);
    const mode = flags.check ? 'check' : flags['dry-run'] ? 'dry-run' : 'write';
    const { targets } = await resolveTargets(conn, wanted, flags.type);
    const outcome = await setPolicies(conn, targets, {
      mode,
      force: flags.force,
      assignPermissionSets: flags['assign-permission-set'] ?? [],
      assignProfiles: flags['assign-profile'] ?? [],
    });
    const result: ConnectedAppPolicySetResult = { results: outcome.results, assignments: outcome.assignments, dryRun: mode === 'dry-run', check: mode === 'check' };
    for (const warning of outcome.warnings) this.warn(warning);
    if (result.assignments.length) this.table(pairTable(result.assignments));
    this.render(result.results);
    return this.finish(result, mode, flags.file);
  }

  private render(results: AppPolicyResult[]): void {
    // An app that changed nothing says why under the table, once: a reason is a sentence, too long for a cell.
    const rows = results.flatMap((r) =>
      r.changes.length
        ? r.changes.map((c) => ({ app: r.app, setting: settingLabel(c.field), before: c.before ?? '', after: c.after ?? '', status: statusText(r) }))
        : [{ app: r.app, setting: '', before: '', after: r.message ? messages.getMessage('after.seeBelow') : '', status: statusText(r) }]
    );
    this.table({
      data: rows,
      columns: (['app', 'setting', 'before', 'after', 'status'] as const).map((key) => ({ key, name: messages.getMessage(`column.${key}`) })),
    });
    for (const r of results) if (!r.changes.length && r.message) this.log(messages.getMessage('reason', [r.app, r.message]));
  }

  private finish(result: ConnectedAppPolicySetResult, mode: 'write' | 'dry-run' | 'check', file: string | undefined): ConnectedAppPolicySetResult {
    const count = (status: AppPolicyResult['status']): number => result.results.filter((r) => r.status === status).length;
    if (mode === 'check') {
      this.log(messages.getMessage('summary.check', [count('would-update'), count('unchanged')]));
      const drift = count('would-update') + count('failed');
      return drift > 0 ? this.endWith(result, EXIT.gate, messages.createError('error.Drift', [file ?? '', drift])) : result;
    }
    if (mode === 'dry-run') {
      this.log(messages.getMessage('summary.dryRun', [count('would-update'), count('unchanged')]));
      return result;
    }
    this.log(messages.getMessage('summary.result', [count('updated'), count('unchanged'), count('failed'), count('unknown')]));
    // Assignments count too: a run whose policy went through but whose assignments were rolled back is not done.
    const items = [
      ...result.results.map((r) => ({ done: r.status === 'updated' || r.status === 'unchanged', unverified: r.verified === false })),
      ...result.assignments.map((a) => ({ done: a.status === 'created' || a.status === 'unchanged', unverified: a.verified === false })),
    ];
    return this.endRun(result, runOutcome(items), () => messages.createError('error.AllFailed', [result.results.map((r) => `${r.app}: ${r.errorCode ?? ''}`).join('; ')]));
  }
}

function statusText(result: AppPolicyResult): string {
  return result.verified === false ? messages.getMessage('status.unverified', [result.status]) : result.status;
}

type SetFlags = {
  name?: string[];
  'permitted-users'?: string;
  'ip-relaxation'?: string;
  'refresh-token'?: RefreshTokenPolicy;
  'session-timeout'?: number | null;
  pkce?: boolean;
  'refresh-token-rotation'?: boolean;
  file?: string;
  type?: AppKind;
};

/** The apps and changes asked for, from the flags (parsed by their definitions) or the file; every value validated before any request. */
async function desiredChanges(flags: SetFlags): Promise<DesiredEntry[]> {
  const fromFlags: DesiredPolicy = {
    permittedUsers: flags['permitted-users'],
    ipRelaxation: flags['ip-relaxation'],
    pkce: flags.pkce,
    refreshTokenRotation: flags['refresh-token-rotation'],
  };
  const anySetting = DESIRED_POLICY_KEYS.some((key) => fromFlags[key] !== undefined) || flags['refresh-token'] !== undefined || flags['session-timeout'] !== undefined;
  if (flags.file) {
    if (anySetting || flags.name?.length) throw messages.createError('error.FileWithFlags', [], [], EXIT.usage);
    const entries = (await readAccessFile(flags.file, flags.type)).filter((e) => e.policy);
    try {
      return entries.map((e) => ({ names: [e.app], change: toPolicyChange(desiredPolicyFromJson(e.policy ?? {})), source: e.at, ...(e.type ? { type: e.type } : {}) }));
    } catch (error) {
      throw error instanceof PolicyError ? policySfError(error) : error;
    }
  }
  if (!flags.name?.length) throw messages.createError('error.NoApps', [], [], EXIT.usage);
  if (!anySetting) throw messages.createError('error.NoChange', [], [], EXIT.usage);
  // --permitted-users and --ip-relaxation are checked against their options, so toPolicyChange cannot refuse them.
  const change: PolicyChange = toPolicyChange(fromFlags);
  if (flags['refresh-token'] !== undefined) change.refreshTokenPolicy = flags['refresh-token'];
  if (flags['session-timeout'] !== undefined) change.sessionTimeoutMinutes = flags['session-timeout'];
  return [{ names: flags.name, change }];
}
