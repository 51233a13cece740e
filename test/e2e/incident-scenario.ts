/*
 * The org of the incident-response tests: 400 users, a compromised app ("Data Loader Pro", self-authorize, assigned
 * to a profile and two permission sets) holding 3,000 OAuth tokens, an innocent app whose tokens must survive, and
 * an uninstalled look-alike with tokens of its own. Built inline (not a scenario file) so the numbers are visible.
 */
import type { Scenario } from '../emulator/index.js';

export const NOW = '2026-11-20T12:00:00Z';
export const USERS = 400;
export const COMPROMISED = 'Data_Loader_Pro';
export const COMPROMISED_LABEL = 'Data Loader Pro';
export const COMPROMISED_TOKENS = 3000;
export const INNOCENT = 'Reporting_Sync';
export const LOOKALIKE = 'Data Loader Pro (unverified)';
/** The compromised app's consumer secret: it must never appear in a snapshot or an output. */
export const CONSUMER_SECRET = 'LoaderConsumerSecret0123456789ABCDEF';

export const userName = (i: number): string => `user${String(i).padStart(3, '0')}@incident.example.com`;

const appXml = (label: string, adminApproved: boolean | null, extra = ''): string =>
  '<?xml version="1.0" encoding="UTF-8"?>\n<ConnectedApp xmlns="http://soap.sforce.com/2006/04/metadata">\n' +
  `    <contactEmail>it@incident.example.com</contactEmail>\n    <label>${label}</label>\n` +
  '    <oauthConfig>\n        <callbackUrl>https://vendor.example.com/callback</callbackUrl>\n' +
  `        <consumerKey>KEY_${label.replace(/\W/g, '_')}</consumerKey>\n` +
  (adminApproved === null ? '' : `        <isAdminApproved>${adminApproved}</isAdminApproved>\n`) +
  '        <scopes>Api</scopes>\n        <scopes>RefreshToken</scopes>\n    </oauthConfig>\n' +
  `    <oauthPolicy>\n        <ipRelaxation>BYPASS</ipRelaxation>\n        <refreshTokenPolicy>infinite</refreshTokenPolicy>\n    </oauthPolicy>\n${extra}</ConnectedApp>\n`;

export function incidentScenario(options: { tokens?: number; adminApproved?: boolean | null } = {}): Scenario {
  const users = Array.from({ length: USERS }, (_, i) => ({ username: userName(i), profile: i % 2 === 0 ? 'Sales User' : 'Standard User' }));
  const everyone = users.map((u) => u.username);
  return {
    org: { name: 'Incident Org', now: NOW },
    profiles: [{ name: 'Sales User' }, { name: 'Standard User' }],
    permissionSets: [
      { name: 'Loader_Users', label: 'Loader Users' },
      { name: 'Incident_Team', label: 'Incident Team' },
      { name: 'Reporting_Access', label: 'Reporting Access' },
    ],
    users: [{ username: 'admin@incident.example.com', profile: 'System Administrator' }, ...users],
    connectedApps: [
      // No isAdminApproved element at all (the default, self-authorize): restore must leave it absent again.
      {
        name: COMPROMISED,
        label: COMPROMISED_LABEL,
        metadata: appXml(COMPROMISED_LABEL, options.adminApproved === undefined ? null : options.adminApproved),
        consumerSecret: CONSUMER_SECRET,
      },
      { name: INNOCENT, label: 'Reporting Sync', metadata: appXml('Reporting Sync', true) },
      { name: 'Data_Loader_Pro_Unverified', label: LOOKALIKE, installed: false },
    ],
    assignments: [
      { app: COMPROMISED, permissionSets: ['Loader_Users', 'Incident_Team'], profiles: ['Sales User'] },
      { app: INNOCENT, permissionSets: ['Reporting_Access'] },
    ],
    oauthTokens: [
      { app: COMPROMISED, users: everyone, count: options.tokens ?? COMPROMISED_TOKENS, createdDaysAgo: [10, 300], lastUsedDaysAgo: [0, 60], useCount: [1, 900] },
      { app: INNOCENT, users: everyone.slice(0, 50), count: 60, lastUsedDaysAgo: [0, 5] },
      { app: 'Data_Loader_Pro_Unverified', users: everyone.slice(10, 30), count: 25, lastUsedDaysAgo: [0, 3] },
    ],
  };
}
