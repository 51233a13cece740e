// The plugin's public types: each command's --json result, for scripts that consume it.
export type { ConnectedAppListResult, ConnectedAppListRow } from './commands/connectedapp/list.js';
