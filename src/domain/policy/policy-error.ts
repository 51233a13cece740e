/*
 * The one error type of the connected-app policy core. It carries no English: `code` names the message
 * (`error.<code>` in a bundle), `reason` narrows it, and `validValues` / `suggestion` are the tokens a
 * message needs to tell the user what would have been accepted.
 */
import type { PolicyField } from './policy-field.js';

export type PolicyErrorCode =
  /** A ConnectedApp `refreshTokenPolicy` metadata string that is not one of the documented forms. */
  | 'InvalidRefreshTokenPolicy'
  /** A `--refresh-token` style flag value (never-expire, expire-after:90d, ...) that does not parse. */
  | 'InvalidRefreshTokenFlag'
  /** ECA refreshTokenPolicyType / refreshTokenValidityPeriod / refreshTokenValidityUnit that do not combine. */
  | 'InvalidEcaRefreshTokenPolicy'
  /** An IP relaxation value (metadata, ECA or flag form) that is not one of the four documented values. */
  | 'InvalidIpRelaxation'
  /** A permitted-users value (flag or ECA form) that is not one of the two documented values. */
  | 'InvalidPermittedUsers'
  /** A session timeout that is not a positive whole number of minutes. */
  | 'InvalidSessionTimeout'
  /** A boolean element whose text is not true/false/1/0. */
  | 'InvalidBoolean'
  /** A session policy action other than Block / RaiseSessionLevel. */
  | 'InvalidSessionPolicyAction'
  /** An empty profile or permission set name in a change. */
  | 'InvalidAssignmentName'
  /** An OAuth setting was asked for on an app that has no `<oauthConfig>` (SAML-only, canvas-only, ...). */
  | 'NoOauthConfig'
  /** profileName / permissionSetName are only usable when the app is admin-approved. */
  | 'AssignmentsRequireAdminApproved'
  /** The element handed to a ConnectedApp reader or editor is not a ConnectedApp. */
  | 'NotAConnectedApp'
  /** The element handed to the ECA policy editor is not an ExtlClntAppOauthConfigurablePolicies. */
  | 'NotEcaOauthPolicies'
  /** PKCE or refresh-token rotation asked of an ECA: they are in its global OAuth settings, not its policies. */
  | 'EcaGlobalSetting'
  /** A key in a desired-state file's `policy` block that is not a policy control. */
  | 'InvalidPolicyKey';

export type PolicyErrorReason =
  | 'empty'
  | 'unknown-value'
  /** A value that circulates in generated documentation but never appears in real metadata. */
  | 'undocumented-value'
  | 'missing-parts'
  | 'extra-parts'
  | 'not-an-integer'
  | 'not-positive'
  | 'too-large'
  | 'unknown-unit'
  | 'missing-unit';

export type PolicyErrorDetails = {
  reason?: PolicyErrorReason;
  /** The text that was rejected, exactly as given. */
  input?: string;
  /** The accepted forms, for the message's "valid values are …" part. */
  validValues?: readonly string[];
  /** A close valid value ("did you mean …"), when one is obvious. */
  suggestion?: string;
  /** The model field concerned, when there is one. */
  field?: PolicyField;
};

export class PolicyError extends Error {
  public readonly code: PolicyErrorCode;
  public readonly reason: PolicyErrorReason | undefined;
  public readonly input: string | undefined;
  public readonly validValues: readonly string[];
  public readonly suggestion: string | undefined;
  public readonly field: PolicyField | undefined;

  public constructor(code: PolicyErrorCode, details: PolicyErrorDetails = {}) {
    // The message is a stable identifier, not prose: the command layer turns `code` into words.
    super(details.reason ? `${code}:${details.reason}` : code);
    this.name = 'PolicyError';
    this.code = code;
    this.reason = details.reason;
    this.input = details.input;
    this.validValues = details.validValues ?? [];
    this.suggestion = details.suggestion;
    this.field = details.field;
  }
}

/** The integer limit for counts and periods (the sObject's RefreshTokenValidityPeriod is an int). */
export const MAX_INT = 2_147_483_647;

export type IntegerProblem = Extract<PolicyErrorReason, 'empty' | 'not-an-integer' | 'not-positive' | 'too-large'>;

/**
 * Parses a strictly positive decimal integer ("90", " 090 "); returns the problem otherwise.
 * Signs, decimals and exponents are rejected: "+5", "5.0", "1e2".
 */
export function parsePositiveInteger(text: string): number | IntegerProblem {
  const trimmed = text.trim();
  if (trimmed === '') return 'empty';
  if (/^-\d+$/.test(trimmed)) return 'not-positive';
  if (!/^\d+$/.test(trimmed)) return 'not-an-integer';
  const value = Number(trimmed);
  if (value === 0) return 'not-positive';
  if (value > MAX_INT) return 'too-large';
  return value;
}
