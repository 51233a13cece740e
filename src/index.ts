// The plugin's public types: each command's --json result, for scripts that consume it.
export type { ConnectedAppListResult, ConnectedAppListRow } from './commands/connectedapp/list.js';
export type { ConnectedAppAssignResult } from './commands/connectedapp/assign.js';
export type { ConnectedAppUnassignResult } from './commands/connectedapp/unassign.js';
export type { PairResult, PairStatus, WritePath } from './domain/access/assignments.js';
export type { ConnectedAppPolicyShowResult } from './commands/connectedapp/policy/show.js';
export type { ConnectedAppPolicySetResult } from './commands/connectedapp/policy/set.js';
export type { ConnectedAppUsageResult } from './commands/connectedapp/usage.js';
export type { ConnectedAppAuditResult, AuditFinding } from './commands/connectedapp/audit.js';
export type { ConnectedAppRevokeResult } from './commands/connectedapp/revoke.js';
export type { TokenResult, TokenStatus } from './domain/incident/tokens.js';
export type { ConnectedAppContainResult } from './commands/connectedapp/contain.js';
export type { ConnectedAppRestoreResult } from './commands/connectedapp/restore.js';
export type { IncidentSnapshot, SnapshotHolder, SnapshotPolicy } from './domain/incident/snapshot.js';
