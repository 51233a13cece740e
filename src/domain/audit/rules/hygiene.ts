/*
 * Source hygiene: what a metadata file says that it should not, or cannot be read.
 */
import type { AppRule, FindingDraft, OrgRule } from './kit.js';
import { PASS, clip } from './kit.js';
import { CONNECTED_APP_METADATA_PATHS, fullNameFromFileName } from '../../policy/policy.js';

export const duplicateAssignmentEntry: AppRule = {
  id: 'CA501-duplicate-assignment-entry',
  category: 'source-hygiene',
  severity: 'low',
  scope: 'app',
  needs: ['metadata'],
  sourceNeeds: ['metadata'],
  message: { default: ['duplicates'] },
  check(app) {
    const policy = app.policy;
    if (!policy) return PASS;
    const profiles = policy.duplicateProfileNames;
    const permissionSets = policy.duplicatePermissionSetNames;
    if (profiles.length === 0 && permissionSets.length === 0) return PASS;
    return [
      {
        field: profiles.length > 0 ? 'profileNames' : 'permissionSetNames',
        evidence: { duplicates: [...profiles, ...permissionSets], duplicateProfileNames: [...profiles], duplicatePermissionSetNames: [...permissionSets] },
      },
    ];
  },
};

export const unreadableValue: AppRule = {
  id: 'CA502-unreadable-value',
  category: 'source-hygiene',
  severity: 'medium',
  scope: 'app',
  needs: ['metadata'],
  sourceNeeds: ['metadata'],
  message: { default: ['element', 'value'] },
  check(app) {
    const policy = app.policy;
    if (!policy) return PASS;
    return policy.invalid.map(
      (v): FindingDraft => ({
        key: v.field,
        field: v.field,
        evidence: {
          field: v.field,
          element: policy.kind === 'connected-app' ? CONNECTED_APP_METADATA_PATHS[v.field] || v.field : v.field,
          value: clip(v.value.trim()),
          problem: v.reason === null ? v.code : `${v.code}:${v.reason}`,
        },
      })
    );
  },
};

export const fileParseError: OrgRule = {
  id: 'CA503-file-parse-error',
  category: 'source-hygiene',
  severity: 'high',
  scope: 'org',
  needs: ['metadata'],
  sourceNeeds: ['metadata'],
  subject: { kind: 'file', evidenceKey: 'file' },
  message: { default: ['line', 'column', 'error'], 'not-read': ['error'] },
  check({ inventory }) {
    return inventory.parseErrors.map(
      (e): FindingDraft => ({
        key: e.file.replace(/\\/g, '/'),
        app: fullNameFromFileName(e.file),
        file: e.file,
        line: e.line > 0 ? e.line : null,
        // Without a line the file was not read at all (size, encoding, a symbolic link).
        evidence: { ...(e.line > 0 ? {} : { condition: 'not-read' }), file: e.file, line: e.line, column: e.column, error: clip(e.message, 300) },
      })
    );
  },
};

export const consumerSecretInSource: AppRule = {
  id: 'CA504-consumer-secret-in-source',
  category: 'source-hygiene',
  severity: 'high',
  scope: 'app',
  needs: ['metadata'],
  sourceNeeds: ['metadata'],
  message: { default: [] },
  check(app) {
    if (!app.policy?.consumerSecretPresent) return PASS;
    // The secret itself never enters the model: only the fact that the element is there.
    return [{ field: 'consumerSecretPresent', evidence: { consumerSecretPresent: true } }];
  },
};

/**
 * An External Client App's global OAuth settings (consumer key, callback URLs, flows, and on retrieve with the
 * right permission the secret) are org-specific and not packageable: Salesforce says to keep them out of
 * version control (reference §7). Source mode only: the org has no files.
 */
export const ecaGlobalOauthInSource: AppRule = {
  id: 'CA506-eca-global-oauth-in-source',
  category: 'source-hygiene',
  severity: 'medium',
  scope: 'app',
  needs: ['metadata'],
  sourceNeeds: ['metadata'],
  message: { default: ['file'] },
  check(app) {
    const file = app.partFiles?.ecaGlblOauth;
    return file ? [{ key: file, evidence: { file } }] : PASS;
  },
};

/**
 * An External Client App's global OAuth settings file with shouldRotateConsumerKey / shouldRotateConsumerSecret
 * true: every deployment of the project asks the org for a new consumer key or secret, and every integration using
 * the old one stops working until it is given the new one. Source mode only (a flag on a file to deploy).
 */
export const ecaRotationInSource: AppRule = {
  id: 'CA507-eca-rotation-on-deploy',
  category: 'source-hygiene',
  severity: 'high',
  scope: 'app',
  needs: ['metadata'],
  sourceNeeds: ['metadata'],
  message: { default: ['credentials', 'file'] },
  check(app) {
    const rotates = app.rotatesOnDeploy ?? [];
    if (rotates.length === 0) return PASS;
    const file = app.partFiles?.ecaGlblOauth ?? app.file ?? '';
    return [{ key: file, evidence: { file, rotates: [...rotates], credentials: rotates.map((c) => (c === 'consumerKey' ? 'consumer key' : 'consumer secret')).join(' and ') } }];
  },
};

/** Source mode with a target org: the file names profiles or permission sets the org does not have. */
export const assignmentMissingInOrg: AppRule = {
  id: 'CA505-assignment-missing-in-org',
  category: 'source-hygiene',
  severity: 'high',
  scope: 'app',
  needs: ['metadata', 'orgNames'],
  sourceNeeds: ['metadata', 'orgNames'],
  message: { default: ['missing'] },
  check(app) {
    const missing = app.missingInOrg;
    if (!missing || missing.profiles.length + missing.permissionSets.length === 0) return PASS;
    return [
      {
        field: missing.profiles.length > 0 ? 'profileNames' : 'permissionSetNames',
        evidence: { missing: [...missing.profiles, ...missing.permissionSets], missingProfiles: [...missing.profiles], missingPermissionSets: [...missing.permissionSets] },
      },
    ];
  },
};

export const HYGIENE_APP_RULES: readonly AppRule[] = [duplicateAssignmentEntry, unreadableValue, consumerSecretInSource, assignmentMissingInOrg, ecaGlobalOauthInSource, ecaRotationInSource];
export const HYGIENE_ORG_RULES: readonly OrgRule[] = [fileParseError];
