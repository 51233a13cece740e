/*
 * Test factory for audit inventories. Policies are built the way production builds them: from ConnectedApp
 * XML through readConnectedAppPolicy, so `defaulted` and `lines` are real.
 */
import { runAudit, type AuditResult, type AuditSelection } from '../../../src/domain/audit/engine.js';
import { DEFAULT_AUDIT_OPTIONS, type AuditApp, type AuditHolder, type AuditInventory, type Evidence } from '../../../src/domain/audit/model.js';
import { readConnectedAppPolicy, type AppPolicy } from '../../../src/domain/policy/policy.js';
import { parseXml } from '../../../src/domain/xml.js';

export const NOW = '2026-03-01T00:00:00.000Z';
export const ALL_EVIDENCE: Evidence[] = ['metadata', 'assignments', 'activeUsers', 'tokens', 'logins', 'apiCalls', 'users', 'ipRanges', 'installState', 'permissions', 'orgNames'];

/** null leaves the element out (the source did not state it). */
export type AppXml = {
  fullName?: string;
  label?: string;
  adminApproved?: boolean | null;
  clientCredentials?: boolean | null;
  runAsUser?: string | null;
  certificate?: string | null;
  consumerKey?: string | null;
  consumerSecret?: string | null;
  secretOptional?: boolean | null;
  pkce?: boolean | null;
  rotation?: boolean | null;
  scopes?: string[];
  callbacks?: string[];
  ipRelaxation?: string | null;
  refreshTokenPolicy?: string | null;
  sessionTimeout?: number | null;
  sessionLevel?: string | null;
  profiles?: string[];
  permissionSets?: string[];
  ipRanges?: Array<{ start: string; end: string }>;
  oauth?: boolean;
};

const el = (name: string, value: string | number | boolean | null | undefined): string[] =>
  value === null || value === undefined ? [] : [`        <${name}>${String(value)}</${name}>`];

/** A modern, clean ConnectedApp file (every flag stated); override what a test needs. */
export function connectedAppXml(o: AppXml = {}): string {
  const oauth = o.oauth ?? true;
  const lines = ['<?xml version="1.0" encoding="UTF-8"?>', '<ConnectedApp xmlns="http://soap.sforce.com/2006/04/metadata">'];
  lines.push('    <contactEmail>owner@example.com</contactEmail>');
  for (const r of o.ipRanges ?? []) lines.push(`    <ipRanges>\n        <end>${r.end}</end>\n        <start>${r.start}</start>\n    </ipRanges>`);
  lines.push(`    <label>${o.label ?? 'Test App'}</label>`);
  if (oauth) {
    lines.push('    <oauthConfig>');
    lines.push(...el('callbackUrl', (o.callbacks ?? ['https://example.com/callback']).join('\n')));
    lines.push(...el('certificate', o.certificate === undefined ? null : o.certificate));
    lines.push(...el('consumerKey', o.consumerKey === undefined ? '3MVG9TESTKEY' : o.consumerKey));
    lines.push(...el('consumerSecret', o.consumerSecret ?? null));
    lines.push(...el('isAdminApproved', o.adminApproved === undefined ? true : o.adminApproved));
    lines.push(...el('isClientCredentialEnabled', o.clientCredentials === undefined ? false : o.clientCredentials));
    lines.push(...el('isConsumerSecretOptional', o.secretOptional === undefined ? false : o.secretOptional));
    lines.push(...el('isPkceRequired', o.pkce === undefined ? false : o.pkce));
    lines.push(...el('isRefreshTokenRotationEnabled', o.rotation === undefined ? false : o.rotation));
    lines.push(...el('oauthClientCredentialUser', o.runAsUser ?? null));
    for (const s of o.scopes ?? ['Api', 'RefreshToken']) lines.push(...el('scopes', s));
    lines.push('    </oauthConfig>');
    const ip = o.ipRelaxation === undefined ? 'ENFORCE' : o.ipRelaxation;
    const rt = o.refreshTokenPolicy === undefined ? 'specific_inactivity:90:DAYS' : o.refreshTokenPolicy;
    if (ip !== null || rt !== null) {
      lines.push('    <oauthPolicy>', ...el('ipRelaxation', ip), ...el('refreshTokenPolicy', rt), '    </oauthPolicy>');
    }
  }
  const timeout = o.sessionTimeout === undefined ? 60 : o.sessionTimeout;
  if (timeout !== null || (o.sessionLevel ?? null) !== null) {
    lines.push('    <sessionPolicy>', ...el('sessionLevel', o.sessionLevel ?? null), ...el('sessionTimeout', timeout), '    </sessionPolicy>');
  }
  for (const p of o.profiles ?? []) lines.push(`    <profileName>${p}</profileName>`);
  for (const p of o.permissionSets ?? ['App Users']) lines.push(`    <permissionSetName>${p}</permissionSetName>`);
  lines.push('</ConnectedApp>');
  return lines.join('\n');
}

export function policyFromXml(xml: string, fullName = 'Test_App'): AppPolicy {
  return readConnectedAppPolicy(parseXml(xml).root, { fullName });
}

export function policy(o: AppXml = {}): AppPolicy {
  return policyFromXml(connectedAppXml(o), o.fullName ?? 'Test_App');
}

export const holder = (name: string, kind: AuditHolder['kind'] = 'permission-set', activeUsers: number | null = 3): AuditHolder => ({
  kind,
  name,
  label: name,
  activeUsers,
});

/** An org-mode app with a clean policy, one permission set holder and usage in the last days. */
export function app(over: Partial<AuditApp> = {}): AuditApp {
  const key = over.key ?? 'Test_App';
  return {
    key,
    apiName: key,
    label: key.replace(/_/g, ' '),
    id: '0H4000000000001AAA',
    installed: true,
    namespacePrefix: null,
    policy: policy({ fullName: key }),
    file: null,
    holders: [holder('App_Users')],
    tokens: { tokens: 2, users: 2, useCount: 40, lastUsedDate: '2026-02-20T10:00:00.000Z', holders: ['a@example.com', 'b@example.com'] },
    logins: [{ loginSubType: 'OauthWebServer', logins: 12, users: 2, lastLogin: '2026-02-27T09:00:00.000Z' }],
    apiCalls: { count: 300, lastSeen: '2026-02-28T00:00:00.000Z' },
    runAsUser: null,
    ...over,
  };
}

/** A source-mode app from a file. */
export function fileApp(o: AppXml = {}, file = 'force-app/main/default/connectedApps/Test_App.connectedApp-meta.xml'): AuditApp {
  const key = o.fullName ?? 'Test_App';
  return {
    key,
    apiName: key,
    label: o.label ?? 'Test App',
    id: null,
    installed: true,
    namespacePrefix: null,
    policy: policy({ ...o, fullName: key }),
    file,
    holders: null,
    tokens: null,
    logins: null,
    apiCalls: null,
    runAsUser: null,
  };
}

export function inventory(apps: AuditApp[], over: Partial<AuditInventory> = {}): AuditInventory {
  const mode = over.mode ?? 'org';
  return {
    mode,
    now: NOW,
    apps,
    privilegedUsers: mode === 'org' ? [] : null,
    adminProfiles: mode === 'org' ? [] : null,
    profileIpRanges: mode === 'org' ? new Map() : null,
    evidence: mode === 'org' ? [...ALL_EVIDENCE] : ['metadata'],
    coverage: [],
    parseErrors: [],
    options: { ...DEFAULT_AUDIT_OPTIONS },
    ...over,
  };
}

export const sourceInventory = (apps: AuditApp[], over: Partial<AuditInventory> = {}): AuditInventory => inventory(apps, { mode: 'source', ...over });

/** Runs one rule. */
export function runRule(ruleId: string, inv: AuditInventory, selection: Omit<AuditSelection, 'rules'> = {}): AuditResult {
  return runAudit(inv, { ...selection, rules: [ruleId] });
}
