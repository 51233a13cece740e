/*
 * Refresh tokens (oauthPolicy.refreshTokenPolicy and the RefreshToken scope). `infinite` ("valid until
 * revoked") is the documented default; `zero` means no usable refresh token (reference §1).
 */
import type { AppRule } from './kit.js';
import { PASS, hasRefreshTokenScope, isUnknown, notStated, serverFlows, stated } from './kit.js';
import { formatRefreshTokenPolicy } from '../../policy/refresh-token.js';

export const refreshTokenNeverExpires: AppRule = {
  id: 'CA201-refresh-token-never-expires',
  category: 'refresh-tokens',
  severity: 'medium',
  scope: 'app',
  needs: ['metadata'],
  sourceNeeds: ['metadata'],
  message: { default: [] },
  check(app) {
    const policy = app.policy;
    if (!policy?.hasOauth || !hasRefreshTokenScope(policy)) return PASS;
    if (!stated(policy, 'refreshTokenPolicy')) return notStated('refreshTokenPolicy');
    if (policy.refreshTokenPolicy.kind !== 'infinite') return PASS;
    return [{ field: 'refreshTokenPolicy', evidence: { refreshTokenPolicy: 'infinite', refreshTokenScope: true } }];
  },
};

export const serverFlowRefreshToken: AppRule = {
  id: 'CA202-server-flow-refresh-token',
  category: 'refresh-tokens',
  severity: 'low',
  scope: 'app',
  needs: ['metadata'],
  sourceNeeds: ['metadata'],
  message: { default: ['serverFlows|flow', 'refreshTokenPolicy'] },
  check(app) {
    const policy = app.policy;
    if (!policy?.hasOauth || !hasRefreshTokenScope(policy)) return PASS;
    const flows = serverFlows(policy);
    if (isUnknown(flows)) return flows;
    if (flows.length === 0) return PASS;
    if (!stated(policy, 'refreshTokenPolicy')) return notStated('refreshTokenPolicy');
    if (policy.refreshTokenPolicy.kind === 'zero') return PASS;
    return [
      {
        field: 'refreshTokenPolicy',
        evidence: { serverFlows: flows, refreshTokenPolicy: formatRefreshTokenPolicy(policy.refreshTokenPolicy), refreshTokenScope: true },
      },
    ];
  },
};

export const publicClientNoRotation: AppRule = {
  id: 'CA203-public-client-no-rotation',
  category: 'refresh-tokens',
  severity: 'medium',
  scope: 'app',
  needs: ['metadata'],
  sourceNeeds: ['metadata'],
  message: { default: [] },
  check(app) {
    const policy = app.policy;
    if (!policy?.hasOauth || !hasRefreshTokenScope(policy)) return PASS;
    if (!stated(policy, 'consumerSecretOptional')) return notStated('consumerSecretOptional');
    if (!policy.consumerSecretOptional) return PASS;
    if (!stated(policy, 'refreshTokenPolicy')) return notStated('refreshTokenPolicy');
    if (policy.refreshTokenPolicy.kind === 'zero') return PASS;
    if (!stated(policy, 'refreshTokenRotation')) return notStated('refreshTokenRotation');
    if (policy.refreshTokenRotation) return PASS;
    return [
      {
        field: 'refreshTokenRotation',
        evidence: {
          consumerSecretOptional: true,
          refreshTokenRotation: false,
          refreshTokenPolicy: formatRefreshTokenPolicy(policy.refreshTokenPolicy),
        },
      },
    ];
  },
};

export const REFRESH_TOKEN_RULES: readonly AppRule[] = [refreshTokenNeverExpires, serverFlowRefreshToken, publicClientNoRotation];
