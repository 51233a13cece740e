/*
 * Lifecycle: is the app installed, used, and on a flow Salesforce still supports; who may bypass the 2025
 * restriction on uninstalled apps (reference §4, §5, §6).
 *
 * Usage sources and what each can show:
 * - tokens (OauthToken): standing refresh-token grants and when they were last used. JWT bearer and
 *   client-credentials apps get no refresh tokens, so for them the absence of tokens says nothing, and
 *   tokens do not count as an examined source when calling such an app unused.
 * - logins (LoginHistory): every OAuth login in the window read (options.loginDays).
 * - apiCalls (ApiTotalUsage event logs): calls in the log files read.
 * Any source showing use clears "unused"; an app is called unused only when every source that can show its
 * use was read completely for the window (see CA402), and the finding lists them.
 */
import type { AppRule, FindingDraft, OrgRule } from './kit.js';
import { PASS, daysSince, isUnknown, readCompletely, serverFlows, unknown, unique } from './kit.js';
import type { AuditApp, Evidence } from '../model.js';

type UsageSource = Extract<Evidence, 'tokens' | 'logins' | 'apiCalls'>;
const USAGE_SOURCES: readonly UsageSource[] = ['tokens', 'logins', 'apiCalls'];

const totalLogins = (app: AuditApp): number | null => (app.logins ? app.logins.reduce((sum, l) => sum + l.logins, 0) : null);

function lastLogin(app: AuditApp): string | null {
  let last: string | null = null;
  for (const l of app.logins ?? []) if (l.lastLogin !== null && (last === null || l.lastLogin > last)) last = l.lastLogin;
  return last;
}

export const uninstalledAppInUse: AppRule = {
  id: 'CA401-uninstalled-app-in-use',
  category: 'lifecycle',
  severity: 'high',
  scope: 'app',
  includeUninstalled: true,
  // Standing grants and logins bring apps that are not installed to light; API calls (a licence or a short free
  // retention away) only add to what those show.
  revealedBy: ['tokens', 'logins'],
  needs: ['installState'],
  sourceNeeds: null,
  needsAnyOf: USAGE_SOURCES,
  message: { default: ['tokens', 'logins', 'apiCalls', 'holders'] },
  check(app, { inventory }) {
    if (app.installed) return PASS;
    const examined = USAGE_SOURCES.filter((s) => app[s] !== null);
    if (examined.length === 0) return unknown([...USAGE_SOURCES]);
    const tokens = app.tokens?.tokens ?? null;
    const logins = totalLogins(app);
    const apiCalls = app.apiCalls?.count ?? null;
    if ((tokens ?? 0) === 0 && (logins ?? 0) === 0 && (apiCalls ?? 0) === 0) {
      // No use seen: a pass only when the sources that would show it were read whole.
      const unread = (['tokens', 'logins'] as const).filter((s) => app[s] === null || !readCompletely(inventory, s));
      return unread.length > 0 ? unknown([...unread]) : PASS;
    }
    return [
      {
        evidence: {
          installed: false,
          sourcesExamined: examined,
          tokens,
          tokenUsers: app.tokens?.users ?? null,
          lastTokenUse: app.tokens?.lastUsedDate ?? null,
          logins,
          lastLogin: lastLogin(app),
          apiCalls,
          holders: app.tokens?.holders ? unique(app.tokens.holders) : null,
        },
      },
    ];
  },
};

export const unusedApp: AppRule = {
  id: 'CA402-unused-app',
  category: 'lifecycle',
  severity: 'low',
  scope: 'app',
  needs: [],
  sourceNeeds: null,
  needsAnyOf: USAGE_SOURCES,
  uses: ['metadata'],
  message: { default: ['sourcesExamined|usage'] },
  check(app, { inventory, now }) {
    const days = inventory.options.unusedDays;
    const recent = (date: string | null): boolean => {
      const age = daysSince(date, now);
      return age === null || age <= days;
    };
    // Any source showing use clears the app, whatever the app's flows.
    if (app.tokens && app.tokens.tokens > 0 && app.tokens.lastUsedDate !== null && recent(app.tokens.lastUsedDate)) return PASS;
    if (app.logins?.some((l) => l.logins > 0 && recent(l.lastLogin))) return PASS;
    if (app.apiCalls && app.apiCalls.count > 0 && recent(app.apiCalls.lastSeen)) return PASS;

    // "Unused" needs every source that could show this app's use, each read completely over the whole window
    // (capped reads and short event-log retention can only show use), as declared per kind of app.
    const kind = appKindOf(app);
    const needed = UNUSED_NEEDS_BY_KIND[kind];
    if (needed === null) return unknown(['samlUse']);
    const missing = needed.filter((e) => {
      if (e === 'metadata') return !app.policy;
      if (e === 'tokens') return !app.tokens || !readCompletely(inventory, 'tokens');
      return !app.logins || !readCompletely(inventory, 'logins') || inventory.options.loginDays < days;
    });
    if (missing.length) return unknown([...missing]);
    const tokensMatter = needed.includes('tokens');
    const examined: UsageSource[] = [...(tokensMatter ? (['tokens'] as const) : []), 'logins'];
    if (app.apiCalls && readCompletely(inventory, 'apiCalls') && inventory.options.eventLogDays >= days) examined.push('apiCalls');
    return [
      {
        evidence: {
          sourcesExamined: examined,
          unusedDays: days,
          tokensDays: days,
          loginsDays: inventory.options.loginDays,
          tokens: app.tokens?.tokens ?? null,
          lastTokenUse: app.tokens?.lastUsedDate ?? null,
          logins: totalLogins(app),
          apiCalls: app.apiCalls?.count ?? null,
        },
      },
    ];
  },
};

/** Kinds of app that differ in which sources can show their use. */
export type UsageKind = 'refresh-token' | 'server-flow' | 'flows-unknown' | 'saml-only';

/**
 * What CA402 needs, read whole over the "unused" window, before it may call an app of each kind unused (null: no
 * source read here can show it). Refresh-token apps (web server, user-agent, device) need OauthToken and
 * LoginHistory: a standing grant can be refreshed without a login in the window. JWT bearer and client-credentials
 * apps need LoginHistory (every token they get is a login; they hold no refresh tokens). Unknown flows need both,
 * and the metadata. A SAML-only app gets no tokens and no OAuth logins. API calls (ApiTotalUsage) are used when they
 * cover the window but never needed: a call needs an access token, obtained by a login or a refresh in the window.
 */
export const UNUSED_NEEDS_BY_KIND: Readonly<Record<UsageKind, readonly Evidence[] | null>> = {
  'refresh-token': ['tokens', 'logins'],
  'server-flow': ['logins'],
  'flows-unknown': ['metadata', 'tokens', 'logins'],
  'saml-only': null,
};

export function appKindOf(app: AuditApp): UsageKind {
  if (!app.policy) return 'flows-unknown';
  if (app.policy.hasSaml && !app.policy.hasOauth) return 'saml-only';
  const flows = serverFlows(app.policy);
  if (isUnknown(flows)) return 'flows-unknown';
  return flows.length === 0 ? 'refresh-token' : 'server-flow';
}

export const usernamePasswordFlow: AppRule = {
  id: 'CA403-username-password-flow',
  category: 'lifecycle',
  severity: 'medium',
  scope: 'app',
  includeUninstalled: true,
  needs: ['logins'],
  sourceNeeds: null,
  message: { default: ['logins', 'users', 'lastLogin'] },
  check(app, { inventory }) {
    if (!app.logins) return unknown(['logins']);
    const rows = app.logins.filter((l) => l.loginSubType?.toLowerCase() === 'oauthusernamepassword' && l.logins > 0);
    if (rows.length === 0) return PASS;
    const last = rows.map((r) => r.lastLogin).reduce<string | null>((a, b) => (b !== null && (a === null || b > a) ? b : a), null);
    return [
      {
        evidence: {
          loginSubType: 'OauthUsernamePassword',
          logins: rows.reduce((sum, r) => sum + r.logins, 0),
          users: rows.reduce((sum, r) => sum + r.users, 0),
          lastLogin: last,
          loginDays: inventory.options.loginDays,
        },
      },
    ];
  },
};

/** Permission API names (Profile/PermissionSet field names without the `Permissions` prefix). */
export const APPROVE_UNINSTALLED = 'CanApproveUninstalledApps';
export const USE_ANY_API_CLIENT = 'UseAnyApiClient';
export const SYSTEM_ADMINISTRATOR = 'System Administrator';

export const bypassPermissionNonAdmin: OrgRule = {
  id: 'CA404-bypass-permission-non-admin',
  category: 'lifecycle',
  severity: 'medium',
  scope: 'org',
  needs: ['permissions'],
  sourceNeeds: null,
  subject: { kind: 'user', evidenceKey: 'user' },
  message: { default: ['user', 'permissions|permission', 'grantedBy'] },
  check({ inventory }) {
    const users = inventory.privilegedUsers;
    if (!users) return unknown(['permissions']);
    const byUser = new Map<string, { permissions: Set<string>; grantedBy: Set<string>; profile: string | null }>();
    for (const u of users) {
      if (u.administrator || u.profileName === SYSTEM_ADMINISTRATOR) continue;
      if (!u.approveUninstalledConnectedApps && !u.useAnyApiClient) continue;
      const entry = byUser.get(u.username) ?? { permissions: new Set<string>(), grantedBy: new Set<string>(), profile: u.profileName };
      if (u.approveUninstalledConnectedApps) entry.permissions.add(APPROVE_UNINSTALLED);
      if (u.useAnyApiClient) entry.permissions.add(USE_ANY_API_CLIENT);
      if (u.grantedBy !== '') entry.grantedBy.add(u.grantedBy);
      byUser.set(u.username, entry);
    }
    return [...byUser].map(
      ([user, e]): FindingDraft => ({
        key: user,
        evidence: {
          user,
          profile: e.profile,
          permissions: [APPROVE_UNINSTALLED, USE_ANY_API_CLIENT].filter((p) => e.permissions.has(p)),
          grantedBy: [...e.grantedBy].sort(),
        },
      })
    );
  },
};

export const adminProfileNoUninstalledApproval: OrgRule = {
  id: 'CA405-admin-profile-no-uninstalled-approval',
  category: 'lifecycle',
  severity: 'medium',
  scope: 'org',
  needs: ['permissions'],
  sourceNeeds: null,
  subject: { kind: 'profile', evidenceKey: 'profile' },
  message: { default: ['profile'] },
  check({ inventory }) {
    const profiles = inventory.adminProfiles;
    if (!profiles) return unknown(['permissions']);
    return profiles
      .filter((p) => p.name !== SYSTEM_ADMINISTRATOR && !p.approveUninstalledConnectedApps)
      .map((p): FindingDraft => ({ key: p.name, evidence: { profile: p.name, modifyAllData: true, approveUninstalledConnectedApps: false } }));
  },
};

export const LIFECYCLE_APP_RULES: readonly AppRule[] = [uninstalledAppInUse, unusedApp, usernamePasswordFlow];
export const LIFECYCLE_ORG_RULES: readonly OrgRule[] = [bypassPermissionNonAdmin, adminProfileNoUninstalledApproval];
