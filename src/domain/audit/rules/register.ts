/*
 * Register: the org's apps against the register of approved apps (--register), the system of record that
 * SBS-OAUTH-003 asks for (every OAuth-enabled app recorded with a criticality) and SBS-OAUTH-004 builds on
 * (due diligence recorded for high-risk vendors). Without a register these rules are not evaluated.
 */
import type { AppRule, OrgRule } from './kit.js';
import { PASS, daysSince, unknown } from './kit.js';
import { registerEntryFor } from '../register.js';

export const appNotRegistered: AppRule = {
  id: 'CA601-app-not-registered',
  category: 'register',
  severity: 'medium',
  scope: 'app',
  needs: ['register'],
  sourceNeeds: ['register'],
  message: { missing: [], incomplete: ['missingFields'] },
  check(app, { inventory }) {
    const register = inventory.register;
    if (!register) return unknown(['register']);
    const entry = registerEntryFor(register, app);
    if (!entry) return [{ evidence: { condition: 'missing' } }];
    const missingFields = [...(entry.owner === null ? ['owner'] : []), ...(entry.criticality === null ? ['criticality'] : [])];
    return missingFields.length > 0 ? [{ evidence: { condition: 'incomplete', register: entry.app, missingFields } }] : PASS;
  },
};

export const registeredAppNotInOrg: OrgRule = {
  id: 'CA602-registered-app-not-in-org',
  category: 'register',
  severity: 'low',
  scope: 'org',
  needs: ['register', 'installState'],
  sourceNeeds: null,
  message: { default: ['entry'] },
  check({ inventory }) {
    const register = inventory.register;
    if (!register) return unknown(['register']);
    return register.apps
      .filter((entry) => !inventory.apps.some((app) => registerEntryFor({ version: register.version, apps: [entry] }, app)))
      .map((entry) => ({ app: entry.app, key: entry.app, evidence: { entry: entry.app, id: entry.id } }));
  },
};

export const registerReviewOverdue: AppRule = {
  id: 'CA603-register-review-overdue',
  category: 'register',
  severity: 'low',
  scope: 'app',
  includeUninstalled: true,
  needs: ['register'],
  sourceNeeds: ['register'],
  message: { overdue: ['nextReview', 'daysOverdue'], 'not-set': [] },
  check(app, { inventory, now }) {
    const register = inventory.register;
    if (!register) return unknown(['register']);
    const entry = registerEntryFor(register, app);
    if (!entry) return PASS;
    if (entry.nextReview === null) return [{ evidence: { condition: 'not-set', register: entry.app } }];
    const overdue = daysSince(`${entry.nextReview}T00:00:00.000Z`, now);
    return overdue !== null && overdue > 0 ? [{ evidence: { condition: 'overdue', register: entry.app, nextReview: entry.nextReview, daysOverdue: overdue } }] : PASS;
  },
};

export const highRiskNoDueDiligence: AppRule = {
  id: 'CA604-high-risk-no-due-diligence',
  category: 'register',
  severity: 'low',
  scope: 'app',
  includeUninstalled: true,
  needs: ['register'],
  sourceNeeds: ['register'],
  message: { default: ['criticality'] },
  check(app, { inventory }) {
    const register = inventory.register;
    if (!register) return unknown(['register']);
    const entry = registerEntryFor(register, app);
    if (!entry || (entry.criticality !== 'high' && entry.criticality !== 'critical')) return PASS;
    const dd = entry.dueDiligence;
    const recorded = dd !== null && dd.reviewed !== null && dd.documents.length + dd.missing.length > 0;
    return recorded ? PASS : [{ evidence: { register: entry.app, criticality: entry.criticality } }];
  },
};

export const REGISTER_APP_RULES: readonly AppRule[] = [appNotRegistered, registerReviewOverdue, highRiskNoDueDiligence];
export const REGISTER_ORG_RULES: readonly OrgRule[] = [registeredAppNotInOrg];
