/*
 * The org emulator: a local stand-in for a Salesforce org (REST, Metadata SOAP, OAuth endpoints) for end-to-end
 * tests and benchmarks. See README.md.
 *
 *   const emulator = await start({ scenario: 'demo' });
 *   // ... point jsforce / bin/run.js at emulator.url with emulator.accessToken ...
 *   await emulator.stop();
 */
export { start, type Emulator, type RequestLogEntry, type StartOptions } from './server.js';
export type { FaultRule, FaultKind, FaultHandle } from './faults.js';
export { loadScenario, SCENARIO_DIR, type Scenario, type LoadedScenario } from './scenario.js';
export type { OrgState, AppState, SaveResult } from './org.js';
export { generateScenario, type GenerateOptions } from './generate.js';
