// Every report of one `connectedapp usage` run, in the formats asked for (see output.ts for where each goes).
import type { Org } from '@salesforce/core';
import type { UsageResult } from '../domain/usage/result.js';
import { orgContext } from './audit/output.js';
import { printBlocks, writeOutputs, type HumanBlock, type OutputUx, type Rendered } from './output.js';
import { csvLines, humanReport, ndjsonLines } from './usage.js';
import { ipCsvLines, ipNdjsonLines, ipReport, newIpsSection, userReport } from './usage-groups.js';

import type { UsageFormat } from './formats.js';
export { USAGE_FORMATS, type UsageFormat } from './formats.js';

export type UsageOutputOptions = { formats: readonly UsageFormat[]; outputFile?: string; outputDir?: string; org?: Org; at?: Date };

export async function renderUsageFormat(result: UsageResult, format: Exclude<UsageFormat, 'human'>, context: { generatedAt: string; instanceUrl: string | null; orgId: string | null }): Promise<Rendered> {
  switch (format) {
    case 'json':
      return [JSON.stringify(result, null, 2)];
    case 'csv':
      return result.groupBy === 'ip' ? ipCsvLines(result) : csvLines(result);
    case 'ndjson':
      return [...ndjsonLines(result), ...ipNdjsonLines(result)];
    case 'html':
      return (await import('./usage-html.js')).renderUsageHtml(result, context);
  }
}

export async function writeUsageReports(ux: OutputUx, result: UsageResult, options: UsageOutputOptions): Promise<string[]> {
  const at = options.at ?? new Date();
  const { orgId, instanceUrl } = orgContext(options.org);
  return writeOutputs(ux, {
    ...options,
    command: 'usage',
    orgId,
    at,
    human: () => {
      printBlocks(ux, humanBlocks(result));
    },
    render: (format) => renderUsageFormat(result, format, { generatedAt: at.toISOString(), instanceUrl, orgId }),
  });
}

/** The human report of the grouping asked for; with --new-ips-since under app or user, what it found follows. */
function humanBlocks(result: UsageResult): HumanBlock[] {
  if (result.groupBy === 'ip') return ipReport(result);
  return [...(result.groupBy === 'user' ? userReport(result) : humanReport(result)), ...newIpsSection(result)];
}
