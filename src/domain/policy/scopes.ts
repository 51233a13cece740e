/*
 * OAuth scopes as ConnectedApp metadata spells them (enum ConnectedAppOauthAccessScope), and the other
 * spellings that mean the same thing, so desired and actual scope lists compare equal when they grant
 * the same access.
 *
 * - Retrieve returns one value per grant (RETRIEVE_SCOPES, plus newer values seen in real files).
 * - Deploy also accepts Profile, Email, Address, Phone (stored as Basic) and OfflineAccess (= RefreshToken).
 * - OAuth/UI names (`api`, `refresh_token`, `visualforce`, ...) are what tokens carry and what Setup shows in
 *   parentheses ("Manage user data via APIs (api)"); they map to metadata values below.
 * - Values this module does not know (`SFApiPlatform`, a future scope) are kept verbatim, never dropped.
 */

/** The values the v67 Metadata API documents as returned on retrieve. */
export const RETRIEVE_SCOPES = [
  'Api',
  'Basic',
  'Chatter',
  'CustomApplications',
  'Full',
  'OpenID',
  'RefreshToken',
  'Web',
  'Wave',
  'Eclair',
  'Pardot',
  'Lightning',
  'Content',
  'CDPIngest',
  'Chatbot',
  'ForgotPassword',
  'UserRegistration',
  'PwdlessLogin',
] as const;

/**
 * Canonical order: the order Salesforce itself writes `<scopes>` on retrieve. Every one of the 59 OAuth
 * apps in the collected corpus lists its scopes as a subsequence of this list, so it is the platform's
 * enum order. It includes values the doc's retrieve list omits but real retrieves contain
 * (CustomPermissions, the CDP* family, SFAP, Interaction, EinsteinGPT).
 */
export const CANONICAL_SCOPE_ORDER = [
  'Basic',
  'Api',
  'Web',
  'Full',
  'Chatter',
  'CustomApplications',
  'RefreshToken',
  'OpenID',
  'CustomPermissions',
  'Wave',
  'Eclair',
  'Pardot',
  'Lightning',
  'Content',
  'CDPIngest',
  'CDPProfile',
  'CDPQuery',
  'Chatbot',
  'CDPSegment',
  'CDPIdentityResolution',
  'CDPCalculatedInsight',
  'ForgotPassword',
  'UserRegistration',
  'SFAP',
  'Interaction',
  'CDP',
  'EinsteinGPT',
  'PwdlessLogin',
] as const;

export type KnownScope = (typeof CANONICAL_SCOPE_ORDER)[number];

/** Deploy-only values and the value the org stores instead. */
export const DEPLOY_SCOPE_ALIASES: Readonly<Partial<Record<string, KnownScope>>> = {
  Profile: 'Basic',
  Email: 'Basic',
  Address: 'Basic',
  Phone: 'Basic',
  OfflineAccess: 'RefreshToken',
};

/**
 * OAuth scope names (as in the `scope` parameter, the token response and Setup's parentheses) → metadata
 * value. Names from Salesforce's published `scopes_supported` list. `mcp_api` → `MCP` follows the
 * reference's note that ECAs accept an `MCP` value (unverified); `scrt_api` has no known metadata value
 * and is therefore kept as given.
 */
export const OAUTH_SCOPE_NAMES: Readonly<Partial<Record<string, string>>> = {
  api: 'Api',
  id: 'Basic',
  profile: 'Basic',
  email: 'Basic',
  address: 'Basic',
  phone: 'Basic',
  web: 'Web',
  full: 'Full',
  chatter_api: 'Chatter',
  visualforce: 'CustomApplications',
  refresh_token: 'RefreshToken',
  offline_access: 'RefreshToken',
  openid: 'OpenID',
  custom_permissions: 'CustomPermissions',
  wave_api: 'Wave',
  eclair_api: 'Eclair',
  pardot_api: 'Pardot',
  lightning: 'Lightning',
  content: 'Content',
  cdp_ingest_api: 'CDPIngest',
  cdp_profile_api: 'CDPProfile',
  cdp_query_api: 'CDPQuery',
  chatbot_api: 'Chatbot',
  cdp_segment_api: 'CDPSegment',
  cdp_identityresolution_api: 'CDPIdentityResolution',
  cdp_calculated_insight_api: 'CDPCalculatedInsight',
  forgot_password: 'ForgotPassword',
  user_registration_api: 'UserRegistration',
  sfap_api: 'SFAP',
  interaction_api: 'Interaction',
  cdp_api: 'CDP',
  einstein_gpt_api: 'EinsteinGPT',
  pwdless_login_api: 'PwdlessLogin',
  mcp_api: 'MCP',
};

const RANK = new Map<string, number>(CANONICAL_SCOPE_ORDER.map((s, i) => [s, i]));
const BY_LOWER = new Map<string, string>(
  [...CANONICAL_SCOPE_ORDER, ...Object.keys(DEPLOY_SCOPE_ALIASES)].map((s) => [s.toLowerCase(), s])
);

export function isKnownScope(scope: string): boolean {
  return RANK.has(scope);
}

/**
 * The metadata value for one scope in any spelling: a metadata value in any case (`API`), a deploy alias
 * (`Email` → `Basic`), an OAuth name (`refresh_token` → `RefreshToken`) or a Setup label ending in the
 * OAuth name in parentheses. Unknown values are returned trimmed, unchanged; empty input gives ''.
 */
export function metadataScope(scope: string): string {
  const trimmed = scope.trim();
  // Setup labels end with the OAuth names in parentheses: "Perform requests at any time (refresh_token, offline_access)".
  const inParens = /\(([A-Za-z_]+)(?:\s*,\s*[A-Za-z_]+)*\)\s*$/.exec(trimmed);
  const candidate = inParens ? inParens[1] : trimmed;
  const lower = candidate.toLowerCase();
  const known = BY_LOWER.get(lower);
  if (known !== undefined) return DEPLOY_SCOPE_ALIASES[known] ?? known;
  return OAUTH_SCOPE_NAMES[lower] ?? trimmed;
}

/** Maps every entry through `metadataScope`, drops empties and duplicates, and sorts canonically (unknown values last, alphabetically). */
export function normaliseScopes(scopes: Iterable<string>): string[] {
  const set = new Set<string>();
  for (const scope of scopes) {
    const value = metadataScope(scope);
    if (value !== '') set.add(value);
  }
  return [...set].sort(compareScopes);
}

export function compareScopes(a: string, b: string): number {
  const ra = RANK.get(a);
  const rb = RANK.get(b);
  if (ra !== undefined && rb !== undefined) return ra - rb;
  if (ra !== undefined) return -1;
  if (rb !== undefined) return 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Scopes to add to `actual` and to remove from it to reach `desired` (both normalised first). */
export function diffScopes(desired: Iterable<string>, actual: Iterable<string>): { added: string[]; removed: string[] } {
  const want = normaliseScopes(desired);
  const have = normaliseScopes(actual);
  return { added: want.filter((s) => !have.includes(s)), removed: have.filter((s) => !want.includes(s)) };
}

/** Splits an ECA `commaSeparatedOauthScopes` value ("Api, RefreshToken"). */
export function splitScopeList(text: string | undefined): string[] {
  return (text ?? '')
    .split(/[,\s]+/)
    .map((s) => s.trim())
    .filter((s) => s !== '');
}
