import { writeFile, readFile } from 'node:fs/promises';
import { Messages, type Connection, type Org } from '@salesforce/core';
import { Flags, StandardColors } from '@salesforce/sf-plugins-core';
import { ConnectedAppCommand } from '../../base-command.js';
import { EXIT, errorCodesSection } from '../../exit-codes.js';
import { applyBaseline, AuditError, createBaseline, failsGate, parseBaseline, runAudit, selectRules, type NotEvaluated } from '../../domain/audit/engine.js';
import { SEVERITIES, type AuditInventory, type Finding, type Severity } from '../../domain/audit/model.js';
import type { SourceCoverage } from '../../domain/coverage.js';
import { readOrgAuditInventory } from '../../operations/audit-inventory.js';
import { NoSourceDirectoryError, readSourceAuditInventory } from '../../operations/audit-source.js';
import { ProjectFileError, projectPackageDirectories } from '../../adapters/source-files.js';
import { createReport, type AuditReport } from '../../renderers/audit/report.js';
import { auditErrorToSfError, coverageLabel, findingMessage, formatRuleList, notEvaluatedText, ruleCommands, ruleTitle, severityLabel } from '../../renderers/audit/rule-docs.js';

Messages.importMessagesDirectoryFromMetaUrl(import.meta.url);
const messages = Messages.loadMessages('plugin-connectedapp', 'connectedapp.audit');

export type AuditFinding = Finding & { title: string; message: string; commands: string[] };

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
};

const RESULT_FORMATS = ['human', 'csv', 'markdown', 'junit', 'sarif'] as const;

export default class ConnectedAppAudit extends ConnectedAppCommand<ConnectedAppAuditResult> {
  public static readonly summary = messages.getMessage('summary');
  public static readonly description = `${messages.getMessage('description')}\n\n${formatRuleList()}`;
  public static readonly examples = messages.getMessages('examples');
  public static readonly errorCodes = errorCodesSection('gate');

  public static readonly flags = {
    'target-org': Flags.optionalOrg(),
    'api-version': Flags.orgApiVersion(),
    'source-dir': Flags.directory({ char: 'd', multiple: true, exists: true, summary: messages.getMessage('flags.source-dir.summary') }),
    name: Flags.string({ char: 'n', multiple: true, summary: messages.getMessage('flags.name.summary') }),
    rule: Flags.string({ multiple: true, summary: messages.getMessage('flags.rule.summary') }),
    'exclude-rule': Flags.string({ multiple: true, summary: messages.getMessage('flags.exclude-rule.summary') }),
    'fail-on': Flags.option({ options: SEVERITIES, summary: messages.getMessage('flags.fail-on.summary') })(),
    baseline: Flags.file({ exists: true, summary: messages.getMessage('flags.baseline.summary') }),
    'write-baseline': Flags.file({ summary: messages.getMessage('flags.write-baseline.summary') }),
    'result-format': Flags.option({ options: RESULT_FORMATS, default: 'human' as const, summary: messages.getMessage('flags.result-format.summary') })(),
    'output-file': Flags.file({ summary: messages.getMessage('flags.output-file.summary') }),
    'unused-days': Flags.integer({ min: 1, max: 3650, default: 90, summary: messages.getMessage('flags.unused-days.summary') }),
    'broad-profile-users': Flags.integer({ min: 1, default: 200, summary: messages.getMessage('flags.broad-profile-users.summary') }),
    'event-log-days': Flags.integer({ min: 0, max: 30, default: 7, summary: messages.getMessage('flags.event-log-days.summary') }),
  };

  public async run(): Promise<ConnectedAppAuditResult> {
    const { flags } = await this.parse(ConnectedAppAudit);
    if (flags['output-file'] && flags['result-format'] === 'human') throw messages.createError('error.OutputNeedsFormat', [], [], EXIT.usage);
    const baseline = flags.baseline ? await readBaseline(flags.baseline) : undefined;
    try {
      // Unknown rule ids are a typing mistake: say so before reading anything from the org.
      selectRules(flags.rule, flags['exclude-rule']);
    } catch (error) {
      throw error instanceof AuditError ? auditErrorToSfError(error) : error;
    }
    const inventory = await this.readInventory(flags);

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
    await this.output(report, flags['result-format'], flags['output-file']);

    const gateFailed = flags['fail-on'] ? failsGate(kept, flags['fail-on']) : null;
    const result: ConnectedAppAuditResult = {
      mode: inventory.mode,
      summary: report.summary,
      findings: kept.map((f) => ({ ...f, title: ruleTitle(f.ruleId), message: findingMessage(f), commands: ruleCommands(f.ruleId, f.app) })),
      suppressed: suppressed.length,
      notEvaluated: audit.notEvaluated,
      coverage: inventory.coverage,
      gateFailed,
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
    'unused-days': number;
    'broad-profile-users': number;
    'event-log-days': number;
  }): Promise<AuditInventory> {
    const options = { unusedDays: flags['unused-days'], broadProfileUsers: flags['broad-profile-users'], eventLogDays: flags['event-log-days'] };
    const conn: Connection | undefined = flags['target-org'] ? await this.connect(flags['target-org'], flags['api-version']) : undefined;
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
        options,
        onProgress: (stage, _done, total) => {
          this.spinner.status = stage === 'metadata' ? messages.getMessage('progress.metadata', [total]) : stage === 'usage' ? messages.getMessage('progress.usage') : undefined;
        },
      });
    } finally {
      this.spinner.stop();
    }
  }

  private async output(report: AuditReport, format: (typeof RESULT_FORMATS)[number], outputFile: string | undefined): Promise<void> {
    if (format === 'human') {
      this.human(report);
      return;
    }
    // Renderers load only when asked for, so `sf` start-up and --help stay fast.
    const text =
      format === 'csv'
        ? (await import('../../renderers/audit/csv.js')).renderCsv(report)
        : format === 'markdown'
          ? (await import('../../renderers/audit/markdown.js')).renderMarkdown(report)
          : format === 'junit'
            ? (await import('../../renderers/audit/junit.js')).renderJunit(report)
            : (await import('../../renderers/audit/sarif.js')).renderSarif(report);
    if (outputFile) {
      await writeOutput(outputFile, text);
      this.log(messages.getMessage('wrote', [format, outputFile]));
    } else if (!this.jsonEnabled()) {
      process.stdout.write(text);
    }
  }

  private human(report: AuditReport): void {
    const colour: Record<Severity, (text: string) => string> = {
      critical: (t) => StandardColors.error(t),
      high: (t) => StandardColors.error(t),
      medium: (t) => StandardColors.warning(t),
      low: (t) => StandardColors.info(t),
      info: (t) => t,
    };
    this.styledHeader(messages.getMessage('header.summary', [report.target ?? report.mode]));
    const s = report.summary;
    this.log(s.total === 0 ? messages.getMessage('summary.none') : messages.getMessage('summary.counts', [s.critical, s.high, s.medium, s.low, s.info]));
    if (report.suppressed > 0) this.log(messages.getMessage('summary.suppressed', [report.suppressed]));
    const groups = new Map<string, Finding[]>();
    for (const f of report.findings) groups.set(f.app ?? '', [...(groups.get(f.app ?? '') ?? []), f]);
    for (const [app, findings] of groups) {
      this.log('');
      this.log(app || messages.getMessage('orgWide'));
      for (const f of findings) {
        this.logStyled('  ', { text: severityLabel(f.severity).toUpperCase().padEnd(8), style: colour[f.severity] }, ` ${f.ruleId}  ${findingMessage(f)}`);
        if (f.file) this.log(`           ${messages.getMessage('finding.location', [f.file, f.line ?? 1])}`);
        for (const command of ruleCommands(f.ruleId, f.app)) this.log(`           ${messages.getMessage('finding.fix', [command])}`);
      }
    }
    if (report.notEvaluated.length) {
      this.log('');
      this.log(messages.getMessage('header.notEvaluated'));
      for (const n of report.notEvaluated) this.log(`  ${notEvaluatedText(n)}`);
    }
    const notes = report.coverage.filter((c) => c.status !== 'used' || c.detail);
    if (notes.length) {
      this.log('');
      this.log(messages.getMessage('header.coverage'));
      for (const c of notes) this.log(`  ${c.source}: ${coverageLabel(c.status)}${c.detail ? ` — ${c.detail}` : ''}`);
    }
  }
}

async function projectDirectories(): Promise<string[] | null> {
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
