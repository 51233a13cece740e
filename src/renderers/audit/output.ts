/*
 * Every report of one audit run, in the formats asked for (see ../output.ts for where each goes). Renderers
 * other than human load only when asked for, so `sf` start-up and --help stay fast.
 */
import type { Org } from '@salesforce/core';
import { printBlocks, writeOutputs, type OutputUx, type Rendered } from '../output.js';
import { humanAudit, type Verbosity } from './human.js';
import type { AuditReport } from './report.js';

import type { AuditFormat } from '../formats.js';
export { AUDIT_FORMATS, type AuditFormat } from '../formats.js';

export type AuditOutputOptions = {
  formats: readonly AuditFormat[];
  outputFile?: string;
  outputDir?: string;
  verbosity: Verbosity;
  /** Show the benchmark controls in the human report (the other formats always carry them). */
  benchmark: boolean;
  org?: Org;
  at?: Date;
};

export async function renderAuditFormat(report: AuditReport, format: Exclude<AuditFormat, 'human'>, context: { generatedAt: string; instanceUrl: string | null; orgId: string | null }): Promise<Rendered> {
  switch (format) {
    case 'csv':
      return (await import('./csv.js')).renderCsv(report);
    case 'markdown':
      return (await import('./markdown.js')).renderMarkdown(report);
    case 'junit':
      return (await import('./junit.js')).renderJunit(report);
    case 'sarif':
      return (await import('./sarif.js')).renderSarif(report);
    case 'html':
      return (await import('./html.js')).renderAuditHtml(report, context);
  }
}

/** The org Id and instance URL of the org a report is about (none for source mode). */
export function orgContext(org: Org | undefined): { orgId: string | null; instanceUrl: string | null } {
  if (!org) return { orgId: null, instanceUrl: null };
  return { orgId: org.getOrgId() || null, instanceUrl: org.getConnection().instanceUrl || null };
}

export async function writeAuditReports(ux: OutputUx, report: AuditReport, options: AuditOutputOptions): Promise<string[]> {
  const at = options.at ?? new Date();
  const { orgId, instanceUrl } = report.mode === 'org' ? orgContext(options.org) : { orgId: null, instanceUrl: null };
  return writeOutputs(ux, {
    formats: options.formats,
    outputFile: options.outputFile,
    outputDir: options.outputDir,
    command: 'audit',
    orgId: orgId ?? (report.mode === 'source' ? 'source' : null),
    at,
    human: () => {
      printBlocks(ux, humanAudit(report, { verbosity: options.verbosity, benchmark: options.benchmark }));
    },
    render: (format) => renderAuditFormat(report, format, { generatedAt: at.toISOString(), instanceUrl, orgId }),
  });
}
