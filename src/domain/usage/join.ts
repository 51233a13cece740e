/*
 * The usage report's join: event-log usage, OauthToken grants and LoginHistory logins into one entry per app
 * (installed or not) and per user.
 */
import { id15 } from '../names.js';
import type { AppMatcher, AppRef, KnownApp } from './app-matcher.js';
import type { AppEventUsage, AppUsage, UserUsage } from './result.js';

export type TokenInput = { appName: string; tokens: number; users: number; useCount: number; lastUsedDate: string | null };
export type LoginInput = { application: string; loginSubType: string | null; logins: number; users: number; lastLogin: string | null };

/** LoginHistory applications that are not connected apps (UI and internal logins). */
const NON_APP_LOGIN = /^(browser|n\/a|unknown|)$/i;
/** LoginSubType values of OAuth-style logins: only these name a connected app in Application. */
const OAUTH_SUBTYPE = /oauth|jwt|saml|openid|token|remote/i;

/** The connected app a LoginHistory row names, or null (UI and internal logins, or an app outside the selection). */
export function loginApp(matcher: AppMatcher, application: string, loginSubType: string | null): AppRef | null {
  if (NON_APP_LOGIN.test(application.trim())) return null;
  const known = matcher.resolveName(application);
  // An Application that is not an installed app names a connected app only for OAuth-style logins.
  if (known === null || (!known.installed && !OAUTH_SUBTYPE.test(loginSubType ?? ''))) return null;
  return known;
}

export type JoinInput = {
  matcher: AppMatcher;
  /** Event-log usage by app key (empty when event logs were not read). */
  events: Map<string, { ref: AppRef; usage: AppEventUsage }>;
  tokens: readonly TokenInput[] | null;
  /** AppName → holders' usernames (null: not read). */
  holders: ReadonlyMap<string, string[]> | null;
  logins: readonly LoginInput[] | null;
  /** Lower-case usernames to keep in holder lists (null: all). */
  usernames: ReadonlySet<string> | null;
  /** Installed apps to list even without usage (the --name selection), in order. */
  listed: readonly KnownApp[];
};

/** One entry per app seen in any source (plus the listed apps), most used first. */
export function joinUsage(input: JoinInput): { apps: AppUsage[]; users: UserUsage[] } {
  const apps = new Map<string, AppUsage>();
  const entry = (ref: AppRef): AppUsage => {
    let app = apps.get(ref.key);
    if (!app) {
      app = { name: ref.name, type: ref.kind, appId: ref.appId, apiName: ref.apiName, installed: ref.installed, eventLog: null, tokens: null, logins: [] };
      apps.set(ref.key, app);
    }
    return app;
  };
  for (const { ref, usage } of input.events.values()) entry(ref).eventLog = usage;
  for (const t of input.tokens ?? []) {
    const ref = input.matcher.resolveName(t.appName);
    if (ref === null) continue;
    const holders = input.holders?.get(t.appName) ?? null;
    const app = entry(ref);
    const filteredHolders = holders === null ? null : input.usernames === null ? holders : holders.filter((h) => input.usernames?.has(h.toLowerCase()));
    if (app.tokens) {
      // Two AppMenuItems for one name: add them up.
      app.tokens.tokens += t.tokens;
      app.tokens.users += t.users;
      app.tokens.useCount += t.useCount;
      if (t.lastUsedDate && (!app.tokens.lastUsedDate || t.lastUsedDate > app.tokens.lastUsedDate)) app.tokens.lastUsedDate = t.lastUsedDate;
      if (filteredHolders && app.tokens.holders) app.tokens.holders = [...new Set([...app.tokens.holders, ...filteredHolders])].sort();
    } else {
      app.tokens = { tokens: t.tokens, users: t.users, useCount: t.useCount, lastUsedDate: t.lastUsedDate, holders: filteredHolders ? [...filteredHolders].sort() : null };
    }
  }
  for (const l of input.logins ?? []) {
    const known = loginApp(input.matcher, l.application, l.loginSubType);
    if (known === null) continue;
    entry(known).logins.push({ loginSubType: l.loginSubType, logins: l.logins, users: l.users, lastLogin: l.lastLogin });
  }
  for (const app of input.listed) entry({ key: app.id, name: app.label, appId: app.id, apiName: app.apiName, installed: true, kind: app.kind });

  const weight = (a: AppUsage): number => (a.eventLog?.events ?? 0) * 1e6 + (a.tokens?.useCount ?? 0) + a.logins.reduce((n, l) => n + l.logins, 0);
  const sorted = [...apps.values()].sort((a, b) => weight(b) - weight(a) || a.name.localeCompare(b.name));
  for (const app of sorted) app.logins.sort((a, b) => b.logins - a.logins);
  return { apps: sorted, users: usersOf(sorted) };
}

/** Per user: the apps used (event logs) and the apps holding a grant (tokens). */
function usersOf(apps: readonly AppUsage[]): UserUsage[] {
  const users = new Map<string, UserUsage>();
  const byName = new Map<string, UserUsage>();
  for (const app of apps) {
    for (const u of app.eventLog?.users ?? []) {
      const key = u.userId ? id15(u.userId) : `name:${(u.username ?? '').toLowerCase()}`;
      let user = users.get(key);
      if (!user) {
        user = { username: u.username, userId: u.userId, events: 0, apps: [], grants: [] };
        users.set(key, user);
      }
      if (!user.username && u.username) user.username = u.username;
      if (user.username) byName.set(user.username.toLowerCase(), user);
      user.events += u.events;
      user.apps.push({ name: app.name, appId: app.appId, installed: app.installed, events: u.events, firstSeen: u.firstSeen, lastSeen: u.lastSeen });
    }
  }
  for (const app of apps) {
    for (const holder of app.tokens?.holders ?? []) {
      let user = byName.get(holder.toLowerCase());
      if (!user) {
        user = { username: holder, userId: null, events: 0, apps: [], grants: [] };
        byName.set(holder.toLowerCase(), user);
        users.set(`name:${holder.toLowerCase()}`, user);
      }
      if (!user.grants.includes(app.name)) user.grants.push(app.name);
    }
  }
  const list = [...users.values()];
  for (const u of list) {
    u.apps.sort((a, b) => b.events - a.events || a.name.localeCompare(b.name));
    u.grants.sort((a, b) => a.localeCompare(b));
  }
  return list.sort((a, b) => b.events - a.events || (a.username ?? a.userId ?? '').localeCompare(b.username ?? b.userId ?? ''));
}

/** Fills in usernames of users known only by Id (RestApi rows have no USER_NAME). */
export function nameUsers(result: { apps: AppUsage[]; users: UserUsage[] }, usernames: ReadonlyMap<string, string>): void {
  const lookup = (id: string | null): string | undefined => (id ? usernames.get(id15(id)) : undefined);
  for (const app of result.apps) for (const u of app.eventLog?.users ?? []) u.username ??= lookup(u.userId) ?? null;
  for (const u of result.users) u.username ??= lookup(u.userId) ?? null;
}

/** User Ids seen without a username. */
export function unnamedUserIds(apps: readonly AppUsage[]): string[] {
  const ids = new Set<string>();
  for (const app of apps) for (const u of app.eventLog?.users ?? []) if (!u.username && u.userId) ids.add(u.userId);
  return [...ids];
}
