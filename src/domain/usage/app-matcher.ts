/*
 * Which app an event-log row, an OauthToken grant or a LoginHistory login names: the org's connected apps and
 * External Client Apps by Id, then by name; anything else is an app used in the org but not installed in it.
 */
import { id15, normaliseName } from '../names.js';
import type { AppKind } from '../policy/policy.js';

/** An app the org holds, as the matcher needs it (a subset of InventoryApp): a connected app or an External Client App. */
export type KnownApp = { id: string; label: string; apiName: string | null; kind: AppKind };

/** Where a row's app was resolved to. */
export type AppRef = {
  key: string;
  name: string;
  appId: string | null;
  apiName: string | null;
  installed: boolean;
  /** The kind of app the org holds; null for an unknown app (not in the org, so of no known kind). */
  kind: AppKind | null;
};

/**
 * Resolves the app a row, token or login names: apps the org holds (connected apps and External Client Apps) by
 * Id (15 or 18 characters) and then by name (label or API name, normalised); anything else is an unknown app — an
 * app used in the org but not installed in it. With a selection (--name, --type), only the selected apps resolve,
 * and unknown apps only when the selection says so; the rest are null.
 */
export class AppMatcher {
  private readonly byId = new Map<string, AppRef>();
  private readonly byName = new Map<string, AppRef>();
  private readonly unknownByName = new Map<string, AppRef>();
  private readonly unknownById = new Map<string, AppRef>();
  private readonly cacheById = new Map<string, AppRef | null>();
  private readonly cacheByName = new Map<string, AppRef | null>();

  /**
   * `selected`: the Ids of the apps to resolve (null: every app the org holds); `unknown`: whether apps the org does
   * not hold resolve too (by default only when nothing is selected).
   */
  public constructor(
    private readonly apps: readonly KnownApp[],
    private readonly selected: ReadonlySet<string> | null = null,
    private readonly unknown: boolean = selected === null
  ) {
    for (const app of apps) {
      const ref: AppRef = { key: app.id, name: app.label, appId: app.id, apiName: app.apiName, installed: true, kind: app.kind };
      // An app whose Id the org did not give (an ECA listed without one) is found by name only.
      if (app.id !== '') this.byId.set(id15(app.id), ref);
      for (const name of [app.label, app.apiName]) {
        if (!name) continue;
        const key = normaliseName(name);
        if (!this.byName.has(key)) this.byName.set(key, ref);
      }
    }
  }

  public get filtered(): boolean {
    return this.selected !== null || !this.unknown;
  }

  /** What it was built from, as plain data (a parsing worker builds its own matcher from it). */
  public get setup(): { apps: KnownApp[]; selected: string[] | null; unknown: boolean } {
    return { apps: this.apps.map((a) => ({ id: a.id, label: a.label, apiName: a.apiName, kind: a.kind })), selected: this.selected ? [...this.selected] : null, unknown: this.unknown };
  }

  /** The app of an event-log row (id and/or name; at least one is non-empty). Cached per raw value. */
  public resolve(rawId: string, rawName: string): AppRef | null {
    if (rawId !== '') {
      const cached = this.cacheById.get(rawId);
      if (cached !== undefined) return cached;
      const ref = this.pick(this.byId.get(id15(rawId)) ?? (rawName ? this.byName.get(normaliseName(rawName)) : undefined) ?? this.unknownFor(rawId, rawName));
      this.cacheById.set(rawId, ref);
      return ref;
    }
    const cached = this.cacheByName.get(rawName);
    if (cached !== undefined) return cached;
    const ref = this.pick(this.byName.get(normaliseName(rawName)) ?? this.unknownFor('', rawName));
    this.cacheByName.set(rawName, ref);
    return ref;
  }

  /** The app of an OauthToken AppName or a LoginHistory Application (names only). */
  public resolveName(name: string): AppRef | null {
    return this.resolve('', name);
  }

  private pick(ref: AppRef): AppRef | null {
    if (!ref.installed) return this.unknown ? ref : null;
    return this.selected === null || (ref.appId !== null && this.selected.has(ref.appId)) ? ref : null;
  }

  private unknownFor(rawId: string, rawName: string): AppRef {
    const nameKey = rawName ? normaliseName(rawName) : '';
    const existing = (rawId ? this.unknownById.get(id15(rawId)) : undefined) ?? (nameKey ? this.unknownByName.get(nameKey) : undefined);
    if (existing) {
      if (existing.appId === null && rawId) {
        existing.appId = rawId;
        this.unknownById.set(id15(rawId), existing);
      }
      return existing;
    }
    const ref: AppRef = { key: rawId ? `id:${id15(rawId)}` : `name:${nameKey}`, name: rawName || rawId, appId: rawId || null, apiName: null, installed: false, kind: null };
    if (rawId) this.unknownById.set(id15(rawId), ref);
    if (nameKey) this.unknownByName.set(nameKey, ref);
    return ref;
  }
}
