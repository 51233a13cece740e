import '../../node-guard.js';
import { writeFile, readFile } from 'node:fs/promises';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { Messages, type Connection, type Org } from '@salesforce/core';
import { Flags } from '@salesforce/sf-plugins-core';
import { appTypeFlag, optionalTargetOrg } from '../../org-flags.js';
import { existingPath, parser } from '../../flags.js';
import type { AppKind } from '../../domain/policy/policy.js';
import { ConnectedAppCommand } from '../../base-command.js';
import { EXIT, errorCodesSection } from '../../exit-codes.js';
import { applyBaseline, AuditError, createBaseline, failsGate, parseBaseline, resolveRuleSelectors, runAudit, type NotEvaluated } from '../../domain/audit/engine.js';
import { SEVERITIES, type AuditInventory, type Finding, type Severity } from '../../domain/audit/model.js';
import type { SourceCoverage } from '../../domain/coverage.js';
import { RegisterError, withRegister, type AppRegister } from '../../domain/audit/register.js';
import { BENCHMARKS, findingControls, type ControlId, type ControlResult } from '../../domain/audit/benchmark.js';
import { AUDIT_FORMATS } from '../../renderers/formats.js';
import { auditErrorToSfError, findingCommands, findingMessage, formatRuleList, ruleTitle, setupStepsOf } from '../../renderers/audit/rule-docs.js';

Messages.importMessagesDirectoryFromMetaUrl(import.meta.url);
const messages = Messages.loadMessages('plugin-connectedapp', 'connectedapp.audit');

/**
 * `controls`: the Salesforce Security Benchmark controls the finding fails. `setupSteps`: on a finding about an External
 * Client App only, where to fix it in Setup (the External Client App Manager), as the human, Markdown, HTML and SARIF
 * reports say it.
 */
export type AuditFinding = Finding & { title: string; message: string; commands: string[]; setupSteps?: string[]; controls: ControlId[] };

export type ConnectedAppAuditResult = {
  mode: 'org' | 'source';
  summary: Record<Severity, number> & { total: number };
  findings: AuditFinding[];
  /** Findings a --baseline accepted (not in findings). */
  suppressed: number;
  notEvaluated: NotEvaluated[];
  coverage: SourceCoverage[];
  /** Set when --fail-on was given: whether a finding at or above it remains. */
  gateFailed: boolean | null;
  /** Set when --benchmark was given: each control's result (from every finding, baseline-accepted ones too). */
  benchmark: ControlResult[] | null;
};

/** --rule / --exclude-rule: a rule id, code, name or category (any case); an unknown one is wrong usage listing the valid ids. */
const ruleFlag = Flags.custom({
  parse: parser((input) => {
    try {
      resolveRuleSelectors([input]);
    } catch (error) {
      throw error instanceof AuditError ? Object.assign(auditErrorToSfError(error), { exitCode: EXIT.usage }) : error;
    }
    return input;
  }),
});

/** See run(): how far past the last full collection's live data the heap may grow before the next one. */
const HEAP_GROWING_PERCENT = 30;

/**
 * Garbage is collected when the heap has grown 30 % past what the last full collection kept, not up to 4 times: the
 * audit's live data at 5,000 apps is about 100 MB, and by V8's own rule its heap reached 300 MB before a collection.
 * A hint, not a limit: a larger org only collects more often. V8 computes each threshold at a full collection, so the
 * flag alone takes effect only from the next one. bin/run.js sets it before anything is loaded; under `sf` the last
 * full collection ran during sf's start-up with V8's own factor (47 MB kept, the next at 172 MB), so this collects
 * once now, which sets the threshold from today's live data.
 *
 * That collection is V8's memory-reducing one ("last resort"): it also gives back the young generation, which sf's
 * start-up grew to its maximum (16 MB a semi-space), and pooled pages: RSS 173 → 135 MB at that point. The young
 * generation then stays at the size it has (--semi-space-growth-factor=1; its maximum is fixed when the process
 * starts, so --max-semi-space-size here does nothing): more, cheaper scavenges. Measured inside sf at 5,000 apps:
 * 319 MB peak RSS, 239 with the collection, about 220 with both (bench/results/audit.md).
 *
 * gc() comes from a new context created while --expose-gc is on (the plugin's and sf's global get none); the flag
 * is turned off again at once.
 */
function collectWithHeapGrowing(): void {
  setFlagsFromString(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
  setFlagsFromString('--semi-space-growth-factor=1');
  setFlagsFromString('--expose-gc');
  try {
    const gc = runInNewContext('gc') as (options: { type: 'major'; execution: 'sync'; flavor: 'last-resort' }) => void;
    gc({ type: 'major', execution: 'sync', flavor: 'last-resort' });
  } finally {
    setFlagsFromString('--no-expose-gc');
  }
}

export default class ConnectedAppAudit extends ConnectedAppCommand<ConnectedAppAuditResult> {
  public static readonly summary = messages.getMessage('summary');
  public static readonly description = `${messages.getMessage('description')}\n\n${formatRuleList()}`;
  public static readonly examples = messages.getMessages('examples');
  public static readonly errorCodes = errorCodesSection('gate');

  public static readonly flags = {
    'target-org': optionalTargetOrg(),
    'api-version': Flags.orgApiVersion(),
    // Not `exists: true` (exit 1, oclif's message): a missing path is wrong usage, exit 2, with the next step.
    'source-dir': Flags.directory({ char: 'd', multiple: true, parse: existingPath('directory'), summary: messages.getMessage('flags.source-dir.summary') }),
    name: Flags.string({ char: 'n', multiple: true, summary: messages.getMessage('flags.name.summary') }),
    type: appTypeFlag(messages.getMessage('flags.type.summary')),
    rule: ruleFlag({ multiple: true, summary: messages.getMessage('flags.rule.summary') }),
    'exclude-rule': ruleFlag({ multiple: true, summary: messages.getMessage('flags.exclude-rule.summary') }),
    'fail-on': Flags.option({ options: SEVERITIES, summary: messages.getMessage('flags.fail-on.summary') })(),
    baseline: Flags.file({ parse: existingPath('file'), summary: messages.getMessage('flags.baseline.summary') }),
    'write-baseline': Flags.file({ summary: messages.getMessage('flags.write-baseline.summary') }),
    'result-format': Flags.option({
      char: 'r',
      options: AUDIT_FORMATS,
      multiple: true,
      default: ['human' as const],
      summary: messages.getMessage('flags.result-format.summary'),
      description: messages.getMessage('flags.result-format.description'),
    })(),
    'output-file': Flags.file({ summary: messages.getMessage('flags.output-file.summary') }),
    'output-dir': Flags.directory({ summary: messages.getMessage('flags.output-dir.summary') }),
    verbose: Flags.boolean({ summary: messages.getMessage('flags.verbose.summary'), exclusive: ['concise'] }),
    concise: Flags.boolean({ summary: messages.getMessage('flags.concise.summary'), exclusive: ['verbose'] }),
    benchmark: Flags.option({ options: BENCHMARKS, summary: messages.getMessage('flags.benchmark.summary') })(),
    // Not `exists: true`: a missing register gets the same wrong-usage error (exit 2) and next step as an unreadable one.
    register: Flags.file({ summary: messages.getMessage('flags.register.summary') }),
    'unused-days': Flags.integer({ min: 1, max: 3650, default: 90, summary: messages.getMessage('flags.unused-days.summary') }),
    'broad-profile-users': Flags.integer({ min: 1, default: 200, summary: messages.getMessage('flags.broad-profile-users.summary') }),
    'event-log-days': Flags.integer({ min: 0, max: 30, default: 7, summary: messages.getMessage('flags.event-log-days.summary') }),
    'archive-dir': Flags.directory({ parse: existingPath('directory'), summary: messages.getMessage('flags.archive-dir.summary') }),
  };

  public async run(): Promise<ConnectedAppAuditResult> {
    const { flags } = await this.parse(ConnectedAppAudit);
    collectWithHeapGrowing();
    // Readers and report writers load when the command runs, not with its module (bench/startup-breakdown.ts).
    const [{ createReport }, { writeAuditReports }, { checkOutputFlags, prepareOutputDir }] = await Promise.all([
      import('../../renderers/audit/report.js'),
      import('../../renderers/audit/output.js'),
      import('../../renderers/output.js'),
    ]);
    const output = { formats: flags['result-format'], outputFile: flags['output-file'], outputDir: flags['output-dir'] };
    checkOutputFlags(output);
    const baseline = flags.baseline ? await readBaseline(flags.baseline) : undefined;
    const register = flags.register ? await readRegister(flags.register) : undefined;
    await prepareOutputDir(output);
    const inventory = withRegister(await this.readInventory(flags), register);

    let audit: ReturnType<typeof runAudit>;
    try {
      audit = runAudit(inventory, { rules: flags.rule, excludeRules: flags['exclude-rule'], apps: inventory.mode === 'source' ? flags.name : undefined });
    } catch (error) {
      throw error instanceof AuditError ? auditErrorToSfError(error) : error;
    }
    const { kept, suppressed } = baseline ? applyBaseline(audit.findings, baseline) : { kept: audit.findings, suppressed: [] };
    const org = flags['target-org'] as Org | undefined;
    // An access token given as --target-org is a secret: name the org by its Id then.
    const username = org?.getUsername();
    const target = inventory.mode === 'org' ? (username && !username.includes('!') ? username : (org?.getOrgId() ?? null)) : (inventory.coverage.at(0)?.source.replace(/^files:/, '') ?? null);
    const report = createReport(audit, inventory, { findings: kept, suppressed: suppressed.length, target, toolVersion: this.config.pjson.version });

    if (flags['write-baseline']) {
      await writeOutput(flags['write-baseline'], `${JSON.stringify(createBaseline(audit.findings), null, 2)}\n`);
      this.log(messages.getMessage('wroteBaseline', [audit.findings.length, flags['write-baseline']]));
    }
    await writeAuditReports(this, report, {
      formats: flags['result-format'],
      outputFile: flags['output-file'],
      outputDir: flags['output-dir'],
      verbosity: flags.concise ? 'concise' : flags.verbose ? 'verbose' : 'normal',
      benchmark: flags.benchmark !== undefined,
      org,
    });

    const gateFailed = flags['fail-on'] ? failsGate(kept, flags['fail-on']) : null;
    const result: ConnectedAppAuditResult = {
      mode: inventory.mode,
      summary: report.summary,
      findings: kept.map((f) => ({ ...f, title: ruleTitle(f.ruleId), message: findingMessage(f), commands: findingCommands(f), ...setupStepsOf(f), controls: findingControls(f) })),
      suppressed: suppressed.length,
      notEvaluated: audit.notEvaluated,
      coverage: inventory.coverage,
      gateFailed,
      benchmark: flags.benchmark ? report.benchmark : null,
    };
    if (gateFailed && flags['fail-on']) {
      const atOrAbove = kept.filter((f) => SEVERITIES.indexOf(f.severity) <= SEVERITIES.indexOf(flags['fail-on'] as Severity)).length;
      return this.endWith(result, EXIT.gate, messages.createError('error.Gate', [atOrAbove, flags['fail-on']]));
    }
    return result;
  }

  private async readInventory(flags: {
    'target-org'?: Org;
    'api-version'?: string;
    'source-dir'?: string[];
    name?: string[];
    type?: AppKind;
    'unused-days': number;
    'broad-profile-users': number;
    'event-log-days': number;
    'archive-dir'?: string;
  }): Promise<AuditInventory> {
    const options = { unusedDays: flags['unused-days'], broadProfileUsers: flags['broad-profile-users'], eventLogDays: flags['event-log-days'] };
    const conn: Connection | undefined = flags['target-org'] ? await this.connect(flags['target-org'], flags['api-version']) : undefined;
    const [{ readOrgAuditInventory }, { NoSourceDirectoryError, readSourceAuditInventory }, { ProjectFileError }] = await Promise.all([
      import('../../operations/audit-inventory.js'),
      import('../../operations/audit-source.js'),
      import('../../adapters/source-files.js'),
    ]);
    const sourceMode = Boolean(flags['source-dir']?.length) || (!conn && (await projectDirectories()) !== null);
    if (sourceMode) {
      this.spinner.start(messages.getMessage('progress.source'));
      try {
        return await readSourceAuditInventory({ directories: flags['source-dir'], cwd: process.cwd(), options, conn });
      } catch (error) {
        if (error instanceof NoSourceDirectoryError) throw messages.createError('error.NoSourceDirectory');
        if (error instanceof ProjectFileError) throw messages.createError('error.ProjectFile', [error.path, error.reason]);
        throw error;
      } finally {
        this.spinner.stop();
      }
    }
    if (!conn) throw messages.createError('error.NoTarget', [], [], EXIT.usage);
    this.spinner.start(messages.getMessage('progress.reading'));
    try {
      return await readOrgAuditInventory(conn, {
        names: flags.name,
        type: flags.type,
        options,
        archiveDir: flags['archive-dir'],
        onProgress: (stage, _done, total) => {
          this.spinner.status = stage === 'metadata' ? messages.getMessage('progress.metadata', [total]) : stage === 'usage' ? messages.getMessage('progress.usage') : undefined;
        },
      });
    } finally {
      this.spinner.stop();
    }
  }
}

async function projectDirectories(): Promise<string[] | null> {
  const { ProjectFileError, projectPackageDirectories } = await import('../../adapters/source-files.js');
  try {
    return await projectPackageDirectories(process.cwd());
  } catch (error) {
    if (error instanceof ProjectFileError) throw messages.createError('error.ProjectFile', [error.path, error.reason]);
    throw error;
  }
}

async function writeOutput(path: string, text: string): Promise<void> {
  try {
    await writeFile(path, text);
  } catch (error) {
    throw messages.createError('error.CannotWrite', [path, error instanceof Error ? error.message : String(error)]);
  }
}

async function readBaseline(path: string): Promise<ReturnType<typeof parseBaseline>> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw messages.createError('error.BaselineUnreadable', [path, error instanceof Error ? error.message : String(error)]);
  }
  try {
    return parseBaseline(text);
  } catch (error) {
    throw error instanceof AuditError ? auditErrorToSfError(error) : error;
  }
}

/** A register that cannot be read or used is wrong usage (exit 2): it is read before the org. */
async function readRegister(path: string): Promise<AppRegister> {
  const { readRegisterFile, RegisterFileError } = await import('../../adapters/register-file.js');
  try {
    return await readRegisterFile(path);
  } catch (error) {
    if (error instanceof RegisterFileError) throw messages.createError('error.RegisterUnreadable', [path, error.reason], [], EXIT.usage);
    if (error instanceof RegisterError) {
      throw messages.createError('error.InvalidRegister', [path, error.problems.map((p) => `${p.path}: ${p.problem}${p.detail ? ` (${p.detail})` : ''}`).join('; ')], [], EXIT.usage);
    }
    throw error;
  }
}
