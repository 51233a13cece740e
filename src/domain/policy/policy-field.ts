/*
 * The policy model's field keys, on their own so that the error type (policy-error.ts) can name a field without
 * importing the readers that throw it.
 */

/** Stable keys for every model field; rules, diffs and messages key on these. */
export const POLICY_FIELDS = [
  'fullName',
  'label',
  'contactEmail',
  'description',
  'hasOauth',
  'callbackUrls',
  'scopes',
  'jwtCertificate',
  'clientCredentials',
  'clientCredentialsUser',
  'tokenExchange',
  'codeCredential',
  'namedUserJwt',
  'deviceFlow',
  'permittedUsers',
  'ipRelaxation',
  'refreshTokenPolicy',
  'sessionTimeout',
  'highAssurance',
  'sessionPolicyAction',
  'pkceRequired',
  'refreshTokenRotation',
  'consumerSecretOptional',
  'secretRequiredForRefreshToken',
  'secretRequiredForTokenExchange',
  'introspectAllTokens',
  'ipRanges',
  'profileNames',
  'permissionSetNames',
  'hasSaml',
  'hasCanvas',
  'hasMobile',
  'hasPlugin',
  'consumerKeyPresent',
  'consumerSecretPresent',
] as const;
export type PolicyField = (typeof POLICY_FIELDS)[number];
