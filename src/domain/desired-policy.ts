/*
 * A desired policy, as flag values or as a file's `policy` block, turned into a PolicyChange. Values use
 * the flag vocabulary (admin-approved, relax, expire-if-unused:90d …); invalid ones raise PolicyError.
 */
import { parseIpRelaxationFlag } from './ip-relaxation.js';
import { parsePermittedUsersFlag } from './policy.js';
import type { PolicyChange } from './policy-edit.js';
import { MAX_INT, PolicyError } from './policy-error.js';
import { parseRefreshTokenFlag } from './refresh-token.js';

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
function parseTimeout(value: number | string | null): number | null {
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
