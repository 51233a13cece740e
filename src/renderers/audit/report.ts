/*
 * What every audit renderer takes: the engine's result after any baseline, plus the inventory's
 * coverage and what the run was about. Renderers are pure `(report) => string`.
 */
import type { AuditResult, NotEvaluated, RuleInfo, RuleRun, SeverityCounts } from '../../domain/audit/engine.js';
import { summarize } from '../../domain/audit/engine.js';
import { evaluateBenchmark, type ControlResult } from '../../domain/audit/benchmark.js';
import type { AuditInventory, Finding } from '../../domain/audit/model.js';
import type { SourceCoverage } from '../../domain/coverage.js';

export type AuditReport = {
  mode: AuditInventory['mode'];
  /** The org (username or alias) or the source path audited, for headings. */
  target: string | null;
  /** The findings to show (after a baseline), sorted as the engine sorts them. */
  findings: Finding[];
  notEvaluated: NotEvaluated[];
  coverage: SourceCoverage[];
  /** The rules that were selected. */
  rules: RuleInfo[];
  runs: RuleRun[];
  summary: SeverityCounts;
  /** Findings a baseline accepted (not in `findings`). */
  suppressed: number;
  toolVersion: string | null;
  /** Salesforce Security Benchmark controls, from every finding of the run (a baseline does not make a control pass). */
  benchmark: ControlResult[];
};

export type ReportOptions = {
  /** The findings to show instead of result.findings (e.g. applyBaseline(...).kept). */
  findings?: Finding[];
  suppressed?: number;
  target?: string | null;
  toolVersion?: string | null;
};

export function createReport(result: AuditResult, inventory: Pick<AuditInventory, 'mode' | 'coverage'>, options: ReportOptions = {}): AuditReport {
  const findings = options.findings ?? result.findings;
  return {
    mode: inventory.mode,
    target: options.target ?? null,
    findings,
    notEvaluated: result.notEvaluated,
    coverage: inventory.coverage,
    rules: result.rules,
    runs: result.runs,
    summary: summarize(findings),
    suppressed: options.suppressed ?? 0,
    toolVersion: options.toolVersion ?? null,
    benchmark: evaluateBenchmark(result),
  };
}

/** Repository-relative path with forward slashes (`./` and a matching sourceRoot prefix removed). */
export function relativePath(file: string, sourceRoot?: string): string {
  const clean = (p: string): string => {
    let out = p.replace(/\\/g, '/');
    while (out.startsWith('./')) out = out.slice(2);
    return out;
  };
  let path = clean(file);
  if (sourceRoot) {
    const root = clean(sourceRoot).replace(/\/+$/, '');
    if (root !== '' && root !== '.' && path.startsWith(`${root}/`)) path = path.slice(root.length + 1);
  }
  return path;
}
