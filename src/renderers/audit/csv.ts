/*
 * CSV (RFC 4180): a header row, one row per finding, CRLF line ends, fields quoted when they hold a comma,
 * a quote, CR or LF, quotes doubled. Text cells that a spreadsheet would run as a formula (starting with
 * = + - @, tab or CR) get a leading apostrophe, and control characters are shown escaped (see ../csv.ts).
 */
import { jsonForTerminal } from '../../domain/terminal-text.js';
import { csvField, csvText } from '../csv.js';
import type { AuditReport } from './report.js';
import { findingMessage } from './rule-docs.js';

export { csvField, csvText } from '../csv.js';

export const CSV_COLUMNS = ['severity', 'rule', 'app', 'file', 'line', 'message', 'evidence', 'fingerprint'] as const;

export function renderCsv(report: AuditReport): string {
  const rows: string[][] = [[...CSV_COLUMNS]];
  for (const f of report.findings) {
    rows.push([
      f.severity,
      f.ruleId,
      csvText(f.app ?? ''),
      csvText(f.file ?? ''),
      f.line === null ? '' : String(f.line),
      csvText(findingMessage(f)),
      jsonForTerminal(f.evidence),
      f.fingerprint,
    ]);
  }
  return rows.map((r) => r.map(csvField).join(',')).join('\r\n') + '\r\n';
}
