/*
 * The --result-format choices of each command, with no renderer behind them: the command modules declare their
 * flags from these at load time and import the renderers themselves only in run() (`npm run bench:startup-breakdown`).
 */
export const LIST_FORMATS = ['human', 'csv', 'html'] as const;
export type ListFormat = (typeof LIST_FORMATS)[number];

export const AUDIT_FORMATS = ['human', 'csv', 'markdown', 'junit', 'sarif', 'html'] as const;
export type AuditFormat = (typeof AUDIT_FORMATS)[number];

export const USAGE_FORMATS = ['human', 'json', 'csv', 'ndjson', 'html'] as const;
export type UsageFormat = (typeof USAGE_FORMATS)[number];
