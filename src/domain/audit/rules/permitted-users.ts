/*
 * Permitted Users: who may use the app. "Admin approved users are pre-authorized" (isAdminApproved = true)
 * admits only users whose profile or permission set is assigned to the app; "All users may self-authorize"
 * admits anyone who approves it, and then profileName/permissionSetName gate nothing (reference §1, §3).
 */
import type { AppRule, Assignments, RuleOutcome } from './kit.js';
import { PASS, assignmentsOf, isUnknown, notStated, serverFlows, stated, unknown } from './kit.js';
import type { AuditApp, AuditInventory } from '../model.js';
import type { AppPolicy } from '../../policy/policy.js';

/** Profiles every org has with many users; assigning an app to them is rarely the intent. */
export const BROAD_PROFILE_NAMES: readonly string[] = ['System Administrator', 'Standard User'];

/** admin-approved / all-self-authorize as the source stated it, or undefined when it did not. */
function permittedUsers(policy: AppPolicy): AppPolicy['permittedUsers'] | undefined {
  return stated(policy, 'permittedUsers') ? policy.permittedUsers : undefined;
}

function total(a: Assignments): number {
  return a.profiles.length + a.permissionSets.length + a.groups.length;
}

function withAssignments(app: AuditApp, mode: AuditInventory['mode'], then: (a: Assignments) => RuleOutcome): RuleOutcome {
  const assignments = assignmentsOf(app, mode);
  return assignments ? then(assignments) : unknown([mode === 'org' ? 'assignments' : 'metadata']);
}

export const preauthNoAssignment: AppRule = {
  id: 'CA001-preauth-no-assignment',
  category: 'permitted-users',
  severity: 'critical',
  scope: 'app',
  needs: ['metadata', 'assignments'],
  sourceNeeds: ['metadata'],
  message: { default: [] },
  check(app, { mode }) {
    const policy = app.policy;
    if (!policy?.hasOauth) return PASS;
    const users = permittedUsers(policy);
    if (users === undefined) return notStated('permittedUsers');
    if (users !== 'admin-approved') return PASS;
    return withAssignments(app, mode, (a) => {
      if (total(a) > 0) return PASS;
      const flows = serverFlows(policy);
      return [
        {
          field: 'permittedUsers',
          evidence: { permittedUsers: 'admin-approved', profiles: 0, permissionSets: 0, serverFlows: isUnknown(flows) ? null : flows },
        },
      ];
    });
  },
};

export const preauthNoActiveUsers: AppRule = {
  id: 'CA002-preauth-no-active-users',
  category: 'permitted-users',
  severity: 'high',
  scope: 'app',
  needs: ['metadata', 'assignments', 'activeUsers'],
  sourceNeeds: null,
  message: { default: ['holders'] },
  check(app) {
    const policy = app.policy;
    const holders = app.holders;
    if (!policy?.hasOauth || !holders || holders.length === 0) return PASS;
    const users = permittedUsers(policy);
    if (users === undefined) return notStated('permittedUsers');
    if (users !== 'admin-approved') return PASS;
    if (holders.some((h) => (h.activeUsers ?? 0) > 0)) return PASS;
    if (holders.some((h) => h.activeUsers === null)) return unknown(['activeUsers']);
    return [{ field: 'permittedUsers', evidence: { permittedUsers: 'admin-approved', holders: holders.map((h) => h.name), activeUsers: 0 } }];
  },
};

export const selfAuthorizeServerFlow: AppRule = {
  id: 'CA003-self-authorize-server-flow',
  category: 'permitted-users',
  severity: 'high',
  scope: 'app',
  needs: ['metadata'],
  sourceNeeds: ['metadata'],
  message: { default: ['serverFlows|flow'] },
  check(app) {
    const policy = app.policy;
    if (!policy?.hasOauth) return PASS;
    const flows = serverFlows(policy);
    if (isUnknown(flows)) return flows;
    if (flows.length === 0) return PASS;
    const users = permittedUsers(policy);
    if (users === undefined) return notStated('permittedUsers');
    if (users !== 'all-self-authorize') return PASS;
    return [{ field: 'permittedUsers', evidence: { permittedUsers: 'all-self-authorize', serverFlows: flows } }];
  },
};

export const preauthBroadProfile: AppRule = {
  id: 'CA004-preauth-broad-profile',
  category: 'permitted-users',
  severity: 'medium',
  scope: 'app',
  needs: ['metadata', 'assignments'],
  sourceNeeds: ['metadata'],
  uses: ['activeUsers', 'permissions'],
  message: { default: ['broadProfiles'] },
  check(app, { mode, inventory }) {
    const policy = app.policy;
    if (!policy?.hasOauth) return PASS;
    const users = permittedUsers(policy);
    if (users === undefined) return notStated('permittedUsers');
    if (users !== 'admin-approved') return PASS;
    const adminProfiles = new Set((inventory.adminProfiles ?? []).map((p) => p.name));
    const threshold = inventory.options.broadProfileUsers;
    return withAssignments(app, mode, (a) => {
      const activeOf = new Map<string, number | null>();
      if (mode === 'org') for (const h of app.holders ?? []) if (h.kind === 'profile') activeOf.set(h.name, h.activeUsers);
      const broad = a.profiles.filter((name) => {
        const active = activeOf.get(name) ?? null;
        return BROAD_PROFILE_NAMES.includes(name) || adminProfiles.has(name) || (active !== null && active > threshold);
      });
      if (broad.length === 0) return PASS;
      return [
        {
          field: 'profileNames',
          evidence: {
            broadProfiles: broad,
            activeUsers: mode === 'org' ? broad.reduce((sum, name) => sum + (activeOf.get(name) ?? 0), 0) : null,
            activeUsersKnown: mode === 'org' && broad.every((name) => (activeOf.get(name) ?? null) !== null),
            broadProfileUsers: threshold,
            permissionSets: a.permissionSets,
          },
        },
      ];
    });
  },
};

export const assignmentsIgnoredSelfAuthorize: AppRule = {
  id: 'CA005-assignments-ignored-self-authorize',
  category: 'permitted-users',
  severity: 'medium',
  scope: 'app',
  needs: ['metadata', 'assignments'],
  sourceNeeds: ['metadata'],
  message: { default: ['profiles', 'permissionSets'] },
  check(app, { mode }) {
    const policy = app.policy;
    if (!policy?.hasOauth) return PASS;
    return withAssignments(app, mode, (a) => {
      if (total(a) === 0) return PASS;
      const users = permittedUsers(policy);
      if (users === undefined) return notStated('permittedUsers');
      if (users !== 'all-self-authorize') return PASS;
      return [
        {
          field: 'permittedUsers',
          evidence: { permittedUsers: 'all-self-authorize', profiles: a.profiles, permissionSets: [...a.permissionSets, ...a.groups] },
        },
      ];
    });
  },
};

/**
 * Self-authorize with broad scopes: any user who approves the app hands it their access. `Full` is everything the
 * user can reach (high); `Api` with `RefreshToken` is API access that lasts until revoked (medium). The Salesforce
 * Security Benchmark's SBS-OAUTH-002 asks that installed apps' access be controlled through profiles or permission sets.
 */
export const selfAuthorizeBroadScopes: AppRule = {
  id: 'CA006-self-authorize-broad-scopes',
  category: 'permitted-users',
  severity: 'high',
  scope: 'app',
  needs: ['metadata'],
  sourceNeeds: ['metadata'],
  message: { default: ['scopes'] },
  check(app) {
    const policy = app.policy;
    if (!policy?.hasOauth) return PASS;
    const full = policy.scopes.includes('Full');
    const apiOffline = policy.scopes.includes('Api') && policy.scopes.includes('RefreshToken');
    if (!full && !apiOffline) return PASS;
    const users = permittedUsers(policy);
    if (users === undefined) return notStated('permittedUsers');
    if (users !== 'all-self-authorize') return PASS;
    const scopes = full ? ['Full'] : ['Api', 'RefreshToken'];
    return [{ field: 'permittedUsers', severity: full ? 'high' : 'medium', evidence: { permittedUsers: 'all-self-authorize', scopes } }];
  },
};

export const PERMITTED_USERS_RULES: readonly AppRule[] = [
  preauthNoAssignment,
  preauthNoActiveUsers,
  selfAuthorizeServerFlow,
  preauthBroadProfile,
  assignmentsIgnoredSelfAuthorize,
  selfAuthorizeBroadScopes,
];
