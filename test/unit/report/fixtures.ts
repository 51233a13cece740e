/*
 * Deterministic inputs for report golden files and the browser test: an org audit, a usage result and a list
 * result, each with names an outside publisher could choose (markup, a script end tag, control characters,
 * a spreadsheet formula), so every renderer is checked for escaping too.
 */
import type { ConnectedAppListResult } from '../../../src/commands/connectedapp/list.js';
import { runAudit } from '../../../src/domain/audit/engine.js';
import type { AppUsage, UsageResult } from '../../../src/domain/usage/result.js';
import { createReport, type AuditReport } from '../../../src/renderers/audit/report.js';
import { app, inventory, policy } from '../audit/factory.js';

/** Org data that would run as script if it were not escaped. */
export const HOSTILE = {
  img: '<img src=x onerror="window.__pwned=1">',
  script: '</script><script>window.__pwned=2</script>',
  attr: '"><svg onload=window.__pwned=3>',
  ansi: 'Evil\u001b]8;;http://x.example\u0007Click\u001b]8;;\u0007\u202Egnp.exe',
  formula: '=HYPERLINK("http://evil.example")',
};

export const GENERATED_AT = '2026-11-20T09:30:00.000Z';
export const INSTANCE_URL = 'https://northwind.my.salesforce.com';
export const ORG_ID = '00D5g00000NwRbTEAV';
export const HTML_CONTEXT = { generatedAt: GENERATED_AT, instanceUrl: INSTANCE_URL, orgId: ORG_ID };

export function auditReport(): AuditReport {
  const inv = inventory(
    [
      app({ key: HOSTILE.img, id: '0H45g000000000AAAA', holders: [], policy: policy({ scopes: ['Full', 'RefreshToken'], refreshTokenPolicy: 'infinite' }) }),
      app({ key: 'Jenkins_CI', id: '0H45g000000000BAAA', policy: policy({ adminApproved: false, ipRelaxation: 'BYPASS', callbacks: ['http://ci.example.com/cb'] }), tokens: null }),
      app({ key: HOSTILE.script, installed: false, policy: null, id: null, holders: null, tokens: { tokens: 3, users: 2, useCount: 9, lastUsedDate: '2026-02-27T00:00:00.000Z', holders: [HOSTILE.attr, 'ana@example.com'] } }),
      app({ key: HOSTILE.ansi, id: '0H45g000000000CAAA', policy: policy({ secretOptional: true }) }),
    ],
    {
      adminProfiles: [{ name: 'Custom Admin', approveUninstalledConnectedApps: false }],
      privilegedUsers: [
        { username: 'ops@example.com', grantedBy: 'Bypass', viaProfile: false, profileName: 'Standard User', approveUninstalledConnectedApps: true, useAnyApiClient: false, administrator: false },
      ],
      coverage: [
        { source: 'ConnectedApplication', status: 'used' },
        { source: 'OauthToken', status: 'used' },
        { source: 'EventLogFile:ApiTotalUsage', status: 'not-licensed', errorCode: 'INVALID_TYPE', detail: HOSTILE.formula },
      ],
      profileIpRanges: null,
      evidence: ['metadata', 'assignments', 'activeUsers', 'tokens', 'logins', 'users', 'installState', 'permissions', 'orgNames'],
    }
  );
  return createReport(runAudit(inv), inv, { target: 'admin@northwind.example.com', toolVersion: '0.1.0' });
}

const week = ['2026-11-13', '2026-11-14', '2026-11-15', '2026-11-16', '2026-11-17', '2026-11-18', '2026-11-19'];

function usageApp(name: string, apiName: string | null, appId: string | null, perDay: number[], ips: string[]): AppUsage {
  const events = perDay.reduce((a, b) => a + b, 0);
  return {
    name,
    type: appId === null ? null : 'connected-app',
    appId,
    apiName,
    installed: appId !== null,
    eventLog: {
      events,
      firstSeen: `${week[0]}T08:00:00.000Z`,
      lastSeen: `${week[6]}T17:00:00.000Z`,
      users: [{ username: `svc.${(apiName ?? 'x').toLowerCase()}@northwind.example.com`, userId: '005000000000001AAA', events, firstSeen: `${week[0]}T08:00:00.000Z`, lastSeen: `${week[6]}T17:00:00.000Z` }],
      sourceIps: ips.map((value, i) => ({ value, events: Math.max(1, Math.floor(events / (i + 2))) })),
      apiFamilies: [{ value: 'REST', events }],
      apiResources: [],
      httpMethods: [],
      statusCodes: [{ value: '200', events }],
      clientNames: [],
      loginTypes: [],
      eventTypes: [{ value: 'ApiTotalUsage', events }],
      intervals: perDay.flatMap((n, i) => (n > 0 ? [{ start: `${week[i]}T00:00:00.000Z`, events: n }] : [])),
      truncated: [],
    },
    tokens: appId === null ? { tokens: 2, users: 2, useCount: 40, lastUsedDate: '2026-11-19T00:00:00.000+0000', holders: [HOSTILE.attr] } : null,
    logins: [],
  };
}

export function usageResult(): UsageResult {
  const apps = [
    usageApp('Jenkins CI', 'Jenkins_CI', '0H45g000000000BAAA', [120, 140, 90, 0, 30, 160, 150], ['34.201.16.4', '203.0.113.24']),
    usageApp('MuleSoft Anypoint', 'MuleSoft_Anypoint', '0H45g000000000DAAA', [80, 85, 90, 95, 100, 105, 110], ['52.14.88.190']),
    usageApp(HOSTILE.script, null, null, [5, 0, 12, 30, 8, 0, 40], ['198.51.100.7']),
    usageApp(HOSTILE.img, 'Evil_App', '0H45g000000000AAAA', [0, 0, 0, 3, 0, 0, 1], ['192.0.2.10']),
  ];
  return {
    window: { start: '2026-11-13T00:00:00.000Z', end: '2026-11-20T00:00:00.000Z', interval: 'daily' },
    filters: { apps: [], usernames: [], eventTypes: ['ApiTotalUsage'], source: 'all' },
    sources: [
      { source: 'EventLogFile', status: 'used', detail: 'ApiTotalUsage: 7 of 7 file(s) read', cannotShow: ['Keeps 1 day of logs without Event Monitoring.'] },
      { source: 'OauthToken', status: 'used', cannotShow: ['Shows standing grants, not calls.'] },
      { source: 'LoginHistory', status: 'no-permission', errorCode: 'INSUFFICIENT_ACCESS', cannotShow: ['Records logins, not API calls.'] },
    ],
    apps,
    users: [
      { username: 'svc.jenkins_ci@northwind.example.com', userId: '005000000000001AAA', events: 690, apps: [{ name: 'Jenkins CI', appId: '0H45g000000000BAAA', installed: true, events: 690, firstSeen: null, lastSeen: null }], grants: [] },
      { username: HOSTILE.attr, userId: '005000000000002AAA', events: 95, apps: [{ name: HOSTILE.script, appId: null, installed: false, events: 95, firstSeen: null, lastSeen: null }], grants: [HOSTILE.script] },
    ],
    unusedApps: [{ name: 'Old Portal', type: 'connected-app', appId: '0H45g000000000EAAA', apiName: 'Old_Portal' }],
    eventLog: {
      eventTypes: ['ApiTotalUsage'],
      files: week.map((d, i) => ({ id: `0AT00000000000${i}AAA`, eventType: 'ApiTotalUsage', logDate: `${d}T00:00:00.000+0000`, interval: 'Daily', bytes: 1000, rows: 200, attempts: 1, status: 'read' as const })),
      replacedFiles: 0,
      hourlyFilesCoveredByDaily: 0,
      bytes: 7000,
      rows: 1400,
      countedRows: 1353,
      rowsOutsideWindow: 0,
      rowsWithoutApp: 47,
      rowsFilteredOut: 0,
      skippedRows: 0,
      retries: 0,
      problems: [],
      availableEventTypes: null,
    },
  };
}

export function listResult(): ConnectedAppListResult {
  const row = (apiName: string | null, label: string, id: string, permittedUsers: 'admin-approved' | 'all-self-authorize', permissionSets: string[], profiles: string[], eca = false): ConnectedAppListResult['apps'][number] => ({
    type: eca ? 'external-client-app' : 'connected-app',
    apiName,
    label,
    id,
    namespacePrefix: null,
    joinedBy: apiName ? 'id' : null,
    permittedUsers,
    refreshToken: eca ? { validityPeriod: 30, measuredFrom: 'last-use' } : { validityPeriod: null, measuredFrom: 'issue' },
    refreshTokenPolicy: eca ? 'specific_inactivity:30:DAYS' : null,
    permissionSetCount: permissionSets.length,
    profileCount: profiles.length,
    permissionSets,
    profiles,
    permissionSetGroups: permissionSets.length ? ['Integration_Bundle'] : [],
    activeUsers: apiName === null ? null : permissionSets.length + 2 * profiles.length,
    activeUsersByKind: apiName === null ? null : { profile: 2 * profiles.length, permissionSet: 0, permissionSetGroup: permissionSets.length },
    createdDate: '2025-03-20T10:00:00.000+0000',
    lastModifiedDate: '2026-11-05T10:00:00.000+0000',
  });
  return {
    apps: [
      row('Jenkins_CI', 'Jenkins CI', '0H45g000000000BAAA', 'admin-approved', ['CI_Integration'], []),
      row('MuleSoft_Anypoint', 'MuleSoft Anypoint', '0H45g000000000DAAA', 'admin-approved', [], ['Integration User']),
      row('Evil_App', HOSTILE.img, '0H45g000000000AAAA', 'all-self-authorize', [HOSTILE.script], []),
      row(null, HOSTILE.formula, '0H45g000000000FAAA', 'all-self-authorize', [], []),
      row('Partner_Quoting', 'Partner Quoting', '0xI5g0000000001EAA', 'admin-approved', ['CI_Integration'], [], true),
    ],
    unmatchedComponents: [],
    coverage: [
      { source: 'ConnectedApplication', status: 'used' },
      { source: 'listMetadata:ConnectedApp', status: 'used' },
      { source: 'SetupEntityAccess', status: 'used' },
    ],
  };
}
