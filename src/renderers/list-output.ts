// Every report of one `connectedapp list` run, in the formats asked for (see output.ts for where each goes).
import type { Org } from '@salesforce/core';
import type { ConnectedAppListResult } from '../commands/connectedapp/list.js';
import { orgContext } from './audit/output.js';
import { listCsvLines, listTable } from './list.js';
import { printBlocks, writeOutputs, type OutputUx, type Rendered } from './output.js';

import type { ListFormat } from './formats.js';
export { LIST_FORMATS, type ListFormat } from './formats.js';

export type ListOutputOptions = { formats: readonly ListFormat[]; outputFile?: string; outputDir?: string; org?: Org; at?: Date; noApps: string; listed: string };

export async function renderListFormat(result: ConnectedAppListResult, format: Exclude<ListFormat, 'human'>, context: { generatedAt: string; instanceUrl: string | null; orgId: string | null }): Promise<Rendered> {
  if (format === 'csv') return listCsvLines(result);
  return (await import('./list.js')).renderListHtml(result, context);
}

export async function writeListReports(ux: OutputUx, result: ConnectedAppListResult, options: ListOutputOptions): Promise<string[]> {
  const at = options.at ?? new Date();
  const { orgId, instanceUrl } = orgContext(options.org);
  return writeOutputs(ux, {
    formats: options.formats,
    outputFile: options.outputFile,
    outputDir: options.outputDir,
    command: 'list',
    orgId,
    at,
    human: () => {
      if (result.apps.length === 0) printBlocks(ux, [{ kind: 'log', text: options.noApps }]);
      else printBlocks(ux, [{ kind: 'table', ...listTable(result) }, { kind: 'log', text: options.listed }]);
    },
    render: (format) => renderListFormat(result, format, { generatedAt: at.toISOString(), instanceUrl, orgId }),
  });
}
