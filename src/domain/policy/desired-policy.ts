/*
 * A desired policy, as flag values or as a file's `policy` block, turned into a PolicyChange. Values use
 * the flag vocabulary (admin-approved, relax, expire-if-unused:90d …); invalid ones raise PolicyError.
 */
import { parseIpRelaxationFlag } from './ip-relaxation.js';
import { parsePermittedUsersFlag } from './policy.js';
import type { PolicyChange } from './policy-edit.js';
import { MAX_INT, PolicyError } from './policy-error.js';
import { formatRefreshTokenFlag, parseRefreshTokenFlag, type RefreshTokenPolicy } from './refresh-token.js';

export type DesiredPolicy = {
  permittedUsers?: string;
  ipRelaxation?: string;
  refreshToken?: string;
  sessionTimeout?: number | string | null;
  pkce?: boolean;
  refreshTokenRotation?: boolean;
};

/** The keys a file's `policy` block may hold. */
export const DESIRED_POLICY_KEYS: ReadonlyArray<keyof DesiredPolicy> = ['permittedUsers', 'ipRelaxation', 'refreshToken', 'sessionTimeout', 'pkce', 'refreshTokenRotation'];

export function toPolicyChange(desired: DesiredPolicy): PolicyChange {
  const change: PolicyChange = {};
  if (desired.permittedUsers !== undefined) change.permittedUsers = parsePermittedUsersFlag(desired.permittedUsers);
  if (desired.ipRelaxation !== undefined) change.ipRelaxation = parseIpRelaxationFlag(desired.ipRelaxation);
  if (desired.refreshToken !== undefined) change.refreshTokenPolicy = parseRefreshTokenFlag(desired.refreshToken);
  if (desired.sessionTimeout !== undefined) change.sessionTimeoutMinutes = parseTimeout(desired.sessionTimeout);
  if (desired.pkce !== undefined) change.pkceRequired = desired.pkce;
  if (desired.refreshTokenRotation !== undefined) change.refreshTokenRotation = desired.refreshTokenRotation;
  return change;
}

/** Minutes, or null / "none" to remove the app's own timeout. */
export function parseTimeout(value: number | string | null): number | null {
  if (value === null || (typeof value === 'string' && value.trim().toLowerCase() === 'none')) return null;
  const minutes = typeof value === 'number' ? value : Number(value.trim());
  if (!Number.isInteger(minutes) || minutes <= 0 || minutes > MAX_INT || (typeof value === 'string' && !/^\s*\d+\s*$/.test(value))) {
    throw new PolicyError('InvalidSessionTimeout', { reason: 'not-an-integer', input: String(value), validValues: ['15', '30', '60', '120', '240', '480', '720', '1440', 'none'], field: 'sessionTimeout' });
  }
  return minutes;
}

/** Reads a file's `policy` block strictly: unknown keys and wrong types are PolicyErrors with the key. */
export function desiredPolicyFromJson(block: Record<string, unknown>): DesiredPolicy {
  const desired: DesiredPolicy = {};
  for (const [key, value] of Object.entries(block)) {
    switch (key) {
      case 'permittedUsers':
      case 'ipRelaxation':
      case 'refreshToken':
        if (typeof value !== 'string') throw new PolicyError(key === 'permittedUsers' ? 'InvalidPermittedUsers' : key === 'ipRelaxation' ? 'InvalidIpRelaxation' : 'InvalidRefreshTokenFlag', { reason: 'unknown-value', input: JSON.stringify(value) });
        desired[key] = value;
        break;
      case 'sessionTimeout':
        if (value !== null && typeof value !== 'number' && typeof value !== 'string') throw new PolicyError('InvalidSessionTimeout', { reason: 'not-an-integer', input: JSON.stringify(value) });
        desired.sessionTimeout = value;
        break;
      case 'pkce':
      case 'refreshTokenRotation':
        if (typeof value !== 'boolean') throw new PolicyError('InvalidBoolean', { input: `${key}: ${JSON.stringify(value)}` });
        desired[key] = value;
        break;
      default:
        throw new PolicyError('InvalidPolicyKey', { input: key, validValues: DESIRED_POLICY_KEYS });
    }
  }
  return desired;
}

/** One entry of a desired state with its names resolved to apps. `source` says where it came from (`$.apps[3]`), null for flags. */
export type ResolvedDesired = { source: string | null; named: string; appIds: readonly string[]; change: PolicyChange };

/** Where an entry set a value, for a message. */
export type DesiredSetting = { source: string | null; named: string; value: string };

/** Two entries that give the same app's setting different values. `setting` is the file's key. */
export type DesiredConflict = { appId: string; setting: string; first: DesiredSetting; second: DesiredSetting };

/** The file key of each PolicyChange field (the words a user wrote). */
const SETTING_KEY: Readonly<Record<keyof PolicyChange, string>> = {
  permittedUsers: 'permittedUsers',
  ipRelaxation: 'ipRelaxation',
  refreshTokenPolicy: 'refreshToken',
  sessionTimeoutMinutes: 'sessionTimeout',
  pkceRequired: 'pkce',
  refreshTokenRotation: 'refreshTokenRotation',
  profileNames: 'profileNames',
  permissionSetNames: 'permissionSetNames',
};

/** A setting's value in the flag vocabulary, so equal values compare equal however they were written. */
function settingValue(field: keyof PolicyChange, value: PolicyChange[keyof PolicyChange]): string {
  if (field === 'refreshTokenPolicy') return formatRefreshTokenFlag(value as RefreshTokenPolicy);
  if (field === 'sessionTimeoutMinutes' && value === null) return 'none';
  if (Array.isArray(value)) return JSON.stringify([...value].sort());
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}

/**
 * One change per app, so a desired state settles: entries that name the same app (by API name, label or Id)
 * are merged when they agree, and a setting given two different values — which would flip the org on every
 * run — is a conflict naming both entries. Apps keep the order they were first named in.
 */
export function settleDesiredChanges(entries: readonly ResolvedDesired[]): { changes: Array<{ appId: string; change: PolicyChange }>; conflicts: DesiredConflict[] } {
  const merged = new Map<string, { change: PolicyChange; setBy: Map<keyof PolicyChange, DesiredSetting> }>();
  const conflicts: DesiredConflict[] = [];
  for (const entry of entries) {
    for (const appId of new Set(entry.appIds)) {
      const app = merged.get(appId) ?? { change: {}, setBy: new Map<keyof PolicyChange, DesiredSetting>() };
      merged.set(appId, app);
      for (const field of Object.keys(entry.change) as Array<keyof PolicyChange>) {
        const value = entry.change[field];
        if (value === undefined) continue;
        const setting: DesiredSetting = { source: entry.source, named: entry.named, value: settingValue(field, value) };
        const earlier = app.setBy.get(field);
        if (earlier === undefined) {
          app.setBy.set(field, setting);
          Object.assign(app.change, { [field]: value });
        } else if (earlier.value !== setting.value) {
          conflicts.push({ appId, setting: SETTING_KEY[field], first: earlier, second: setting });
        }
      }
    }
  }
  return { changes: [...merged].map(([appId, { change }]) => ({ appId, change })), conflicts };
}
