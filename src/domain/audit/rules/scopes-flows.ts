/*
 * Scopes and flows: what a token can do and how it is obtained (oauthConfig, sessionPolicy; reference §1).
 */
import type { AppRule, FindingDraft, Unknown } from './kit.js';
import type { AuditApp } from '../model.js';
import { PASS, notStated, sessionAbsenceKnown, stated, unknown } from './kit.js';

export const fullScope: AppRule = {
  id: 'CA301-full-scope',
  category: 'scopes-and-flows',
  severity: 'medium',
  scope: 'app',
  needs: ['metadata'],
  sourceNeeds: ['metadata'],
  message: { default: [] },
  check(app) {
    const policy = app.policy;
    if (!policy?.hasOauth || !policy.scopes.includes('Full')) return PASS;
    return [{ field: 'scopes', evidence: { scope: 'Full', scopes: [...policy.scopes] } }];
  },
};

/** The host of an `http://` URL, lower-cased, without user info or port; null for other schemes. */
export function httpHost(url: string): string | null {
  const match = /^\s*http:\/\/([^/?#\s]*)/i.exec(url);
  if (!match) return null;
  const authority = match[1].slice(match[1].lastIndexOf('@') + 1).toLowerCase();
  if (authority.startsWith('[')) {
    const end = authority.indexOf(']');
    return end < 0 ? authority : authority.slice(0, end + 1);
  }
  return authority.split(':')[0];
}

/** localhost (and *.localhost), 127.0.0.0/8 and [::1]: traffic that never leaves the machine. */
export function isLoopbackHost(host: string): boolean {
  if (host === 'localhost' || host.endsWith('.localhost')) return true;
  if (host === '[::1]' || host === '[0:0:0:0:0:0:0:1]') return true;
  return /^127(?:\.\d{1,3}){3}$/.test(host);
}

export const insecureCallbackUrl: AppRule = {
  id: 'CA302-insecure-callback-url',
  category: 'scopes-and-flows',
  severity: 'high',
  scope: 'app',
  needs: ['metadata'],
  sourceNeeds: ['metadata'],
  message: { default: ['callbackUrl'] },
  check(app) {
    const policy = app.policy;
    if (!policy?.hasOauth) return PASS;
    const findings: FindingDraft[] = [];
    for (const url of policy.callbackUrls) {
      const host = httpHost(url);
      if (host === null || isLoopbackHost(host)) continue;
      findings.push({ key: url, field: 'callbackUrls', evidence: { callbackUrl: url, host } });
    }
    return findings;
  },
};

export const publicClientNoPkce: AppRule = {
  id: 'CA303-public-client-no-pkce',
  category: 'scopes-and-flows',
  severity: 'high',
  scope: 'app',
  needs: ['metadata'],
  sourceNeeds: ['metadata'],
  message: { default: [] },
  check(app) {
    const policy = app.policy;
    if (!policy?.hasOauth) return PASS;
    if (!stated(policy, 'consumerSecretOptional')) return notStated('consumerSecretOptional');
    if (!policy.consumerSecretOptional) return PASS;
    if (!stated(policy, 'pkceRequired')) return notStated('pkceRequired');
    if (policy.pkceRequired) return PASS;
    return [{ field: 'pkceRequired', evidence: { consumerSecretOptional: true, pkceRequired: false } }];
  },
};

/** The client-credentials run-as user named in metadata, when the flow is on; undefined when the flow is off. */
function clientCredentialsUser(app: AuditApp): { user: string | null } | Unknown | undefined {
  const policy = app.policy;
  if (!policy?.hasOauth) return undefined;
  if (!stated(policy, 'clientCredentials')) return notStated('clientCredentials');
  if (!policy.flows.clientCredentials.enabled) return undefined;
  return { user: policy.flows.clientCredentials.runAsUser };
}

export const runAsUserPrivileged: AppRule = {
  id: 'CA304-run-as-user-privileged',
  category: 'scopes-and-flows',
  severity: 'high',
  scope: 'app',
  needs: ['metadata', 'users'],
  sourceNeeds: null,
  message: { administrator: ['runAsUser', 'profile'], 'not-api-only': ['runAsUser', 'profile'] },
  check(app) {
    const cc = clientCredentialsUser(app);
    if (cc === undefined) return PASS;
    if ('unknown' in cc) return cc;
    if (cc.user === null) return PASS;
    const facts = app.runAsUser;
    if (!facts) return unknown(['users']);
    if (!facts.found || !facts.active) return PASS;
    if (!facts.administrator && facts.apiOnly) return PASS;
    return [
      {
        severity: facts.administrator ? 'high' : 'medium',
        field: 'clientCredentialsUser',
        evidence: {
          condition: facts.administrator ? 'administrator' : 'not-api-only',
          runAsUser: facts.username,
          profile: facts.profileName,
          apiOnly: facts.apiOnly,
          administrator: facts.administrator,
        },
      },
    ];
  },
};

export const runAsUserUnusable: AppRule = {
  id: 'CA305-run-as-user-unusable',
  category: 'scopes-and-flows',
  severity: 'high',
  scope: 'app',
  needs: ['metadata', 'users'],
  sourceNeeds: ['metadata'],
  message: { 'not-set': [], 'not-found': ['runAsUser'], inactive: ['runAsUser'] },
  check(app) {
    const cc = clientCredentialsUser(app);
    if (cc === undefined) return PASS;
    if ('unknown' in cc) return cc;
    if (cc.user === null) return [{ field: 'clientCredentials', evidence: { condition: 'not-set', clientCredentials: true, runAsUser: null } }];
    const facts = app.runAsUser;
    if (!facts) return unknown(['users']);
    if (facts.found && facts.active) return PASS;
    return [
      {
        field: 'clientCredentialsUser',
        evidence: { condition: facts.found ? 'inactive' : 'not-found', clientCredentials: true, runAsUser: cc.user },
      },
    ];
  },
};

export const sessionTimeout: AppRule = {
  id: 'CA306-session-timeout',
  category: 'scopes-and-flows',
  severity: 'low',
  scope: 'app',
  needs: ['metadata'],
  sourceNeeds: ['metadata'],
  message: { 'not-set': [], long: ['sessionTimeout', 'longSessionMinutes'] },
  check(app, { mode, inventory }) {
    const policy = app.policy;
    if (!policy?.hasOauth) return PASS;
    const limit = inventory.options.longSessionMinutes;
    const minutes = policy.session.timeoutMinutes;
    if (stated(policy, 'sessionTimeout') && minutes !== null) {
      if (minutes <= limit) return PASS;
      return [{ field: 'sessionTimeout', evidence: { condition: 'long', sessionTimeout: minutes, longSessionMinutes: limit } }];
    }
    if (!sessionAbsenceKnown(policy, mode)) return notStated('sessionTimeout');
    return [{ severity: 'info', evidence: { condition: 'not-set', sessionTimeout: null, longSessionMinutes: limit } }];
  },
};

export const SCOPES_AND_FLOWS_RULES: readonly AppRule[] = [
  fullScope,
  insecureCallbackUrl,
  publicClientNoPkce,
  runAsUserPrivileged,
  runAsUserUnusable,
  sessionTimeout,
];
