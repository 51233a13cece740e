/*
 * Large, deterministic scenarios for benchmarks: generateScenario({ apps: 5000, permissionSets: 2000, tokens: 20000, seed: 1 }).
 * The mix of app kinds follows the corpus frequencies (about half admin-approved, a third BYPASS, infinite refresh
 * tokens the norm, a few managed, uninstalled and SAML-only apps).
 */
import { Rng } from './prng.js';
import type { ConnectedAppSpec, EventLogFileSpec, OauthTokenSpec, PermissionSetSpec, ProfileSpec, Scenario, UserSpec } from './scenario.js';

export type GenerateOptions = {
  apps: number;
  permissionSets: number;
  tokens: number;
  profiles?: number;
  users?: number;
  /** Total bytes of a week of daily ApiTotalUsage files (0 / absent: no event log files). */
  elfBytes?: number;
  /** Extra AssignmentSpec-like fan-out: the largest number of permission sets one app is assigned to. */
  maxAssignmentsPerApp?: number;
  seed?: number;
  /** Pins the org's clock (default: the machine's; event log files cover the 7 days before it). */
  now?: string;
};

const VENDORS = [
  'Jenkins', 'MuleSoft', 'Workato', 'Postman', 'Tableau', 'DocuSign', 'Slack', 'Datadog', 'Splunk', 'Boomi', 'Zapier', 'Informatica',
  'Snowflake', 'Fivetran', 'GitHub', 'GitLab', 'CircleCI', 'Copado', 'Gearset', 'Outreach', 'Gong', 'Zendesk', 'ServiceNow', 'Okta',
];
const KINDS = ['Integration', 'Sync', 'CI', 'Connector', 'Portal', 'Reporting', 'Export', 'Bridge'];

const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

function appXml(rng: Rng, label: string, i: number, profileNames: string[], permissionSetLabels: string[]): string {
  const samlOnly = rng.chance(0.04);
  if (samlOnly) {
    return `<?xml version="1.0" encoding="UTF-8"?>
<ConnectedApp xmlns="http://soap.sforce.com/2006/04/metadata">
    <contactEmail>it-ops@example.com</contactEmail>
    <label>${esc(label)}</label>
    <samlConfig>
        <acsUrl>https://sso${i}.example.net/acs</acsUrl>
        <entityUrl>https://sso${i}.example.net</entityUrl>
        <samlNameIdFormat>Unspecified</samlNameIdFormat>
        <samlSigningAlgoType>SHA256</samlSigningAlgoType>
        <samlSubjectType>Username</samlSubjectType>
    </samlConfig>
</ConnectedApp>
`;
  }
  const admin = profileNames.length + permissionSetLabels.length > 0 || rng.chance(0.1);
  const legacy = rng.chance(0.2);
  const ip = rng.pick(['ENFORCE', 'ENFORCE', 'BYPASS', 'BYPASS_2FACTOR', 'ENFORCE_RELAXREFRESH']);
  const rt = rng.pick(['infinite', 'infinite', 'infinite', 'zero', 'specific_lifetime:90:DAYS', 'specific_inactivity:30:DAYS']);
  const scopes = rng.chance(0.5) ? ['Api', 'RefreshToken', 'Full'] : ['Api', 'RefreshToken'];
  const key = `3MVG9${rng.chars(80, 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._')}`;
  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<ConnectedApp xmlns="http://soap.sforce.com/2006/04/metadata">',
    '    <contactEmail>integrations@example.com</contactEmail>',
    `    <label>${esc(label)}</label>`,
    '    <oauthConfig>',
    `        <callbackUrl>https://app${i}.example.net/oauth/callback</callbackUrl>`,
    `        <consumerKey>${key}</consumerKey>`,
    ...(legacy ? [] : [`        <isAdminApproved>${admin}</isAdminApproved>`, '        <isConsumerSecretOptional>false</isConsumerSecretOptional>']),
    ...scopes.map((s) => `        <scopes>${s}</scopes>`),
    '    </oauthConfig>',
    ...(legacy ? [] : ['    <oauthPolicy>', `        <ipRelaxation>${ip}</ipRelaxation>`, `        <refreshTokenPolicy>${rt}</refreshTokenPolicy>`, '    </oauthPolicy>']),
    ...(legacy ? [] : permissionSetLabels.map((p) => `    <permissionSetName>${esc(p)}</permissionSetName>`)),
    ...(legacy ? [] : profileNames.map((p) => `    <profileName>${esc(p)}</profileName>`)),
    '</ConnectedApp>',
    '',
  ];
  return lines.join('\n');
}

export function generateScenario(o: GenerateOptions): Scenario {
  const rng = new Rng(Rng.seedOf(o.seed ?? 1, 'generate'));
  const nProfiles = Math.max(2, o.profiles ?? 20);
  const nUsers = Math.max(1, o.users ?? 200);
  const profiles: ProfileSpec[] = [
    { name: 'System Administrator', permissions: ['ApiEnabled', 'ModifyAllData', 'ViewSetup', 'CustomizeApplication', 'ManageUsers', 'ApproveUninstalledConnectedApps'] },
    { name: 'Standard User', permissions: ['ApiEnabled'] },
  ];
  for (let i = profiles.length; i < nProfiles; i++) {
    profiles.push({ name: `Custom Profile ${String(i).padStart(3, '0')}`, permissions: i % 7 === 0 ? ['ApiEnabled', 'ApiUserOnly'] : ['ApiEnabled'] });
  }
  const permissionSets: PermissionSetSpec[] = [];
  for (let i = 0; i < o.permissionSets; i++) {
    const n = String(i).padStart(5, '0');
    permissionSets.push(i % 20 === 19 ? { name: `PkgAccess_${n}`, label: `Package Access ${n}`, namespace: 'vendr' } : { name: `PS_${n}`, label: `Permission Set ${n}` });
  }
  const users: UserSpec[] = [];
  for (let i = 0; i < nUsers; i++) {
    const n = String(i).padStart(4, '0');
    users.push({
      username: i === 0 ? 'admin@bench.example.com' : `user${n}@bench.example.com`,
      firstName: i === 0 ? 'Bench' : 'User',
      lastName: i === 0 ? 'Admin' : n,
      profile: i === 0 ? 'System Administrator' : profiles[1 + (i % (nProfiles - 1))].name,
      active: i % 25 !== 24,
    });
  }
  const unmanagedPs = permissionSets.filter((p) => !p.namespace);
  const apps: ConnectedAppSpec[] = [];
  const maxAssign = o.maxAssignmentsPerApp ?? 4;
  for (let i = 0; i < o.apps; i++) {
    const label = `${VENDORS[i % VENDORS.length]} ${KINDS[Math.floor(i / VENDORS.length) % KINDS.length]} ${String(i).padStart(4, '0')}`;
    const name = label.replace(/[^A-Za-z0-9]+/g, '_');
    const roll = rng.float();
    if (roll < 0.04) {
      apps.push({ name, label, installed: false });
      continue;
    }
    const managed = roll < 0.08;
    const assignedPs: string[] = [];
    const assignedProfiles: string[] = [];
    if (!managed && rng.chance(0.55) && unmanagedPs.length > 0) {
      const k = 1 + rng.int(maxAssign);
      for (let j = 0; j < k; j++) assignedPs.push(unmanagedPs[rng.int(unmanagedPs.length)].label!);
      if (rng.chance(0.3)) assignedProfiles.push(profiles[rng.int(profiles.length)].name);
    }
    apps.push({
      name,
      label,
      ...(managed ? { namespace: 'vendr' } : {}),
      metadata: appXml(rng, label, i, [...new Set(assignedProfiles)], [...new Set(assignedPs)]),
      listMetadataId: rng.chance(0.9) ? 'same' : 'different',
    });
  }
  // Tokens: a skewed share per app (a few busy integrations, a long tail).
  const oauthTokens: OauthTokenSpec[] = [];
  if (o.tokens > 0 && apps.length > 0) {
    const weights = apps.map((_, i) => 1 / (1 + (i % 50)));
    const total = weights.reduce((a, b) => a + b, 0);
    let left = o.tokens;
    apps.forEach((a, i) => {
      const n = i === apps.length - 1 ? left : Math.min(left, Math.round((o.tokens * weights[i]) / total));
      left -= n;
      if (n <= 0) return;
      const holders = [users[(i * 7) % users.length].username, users[(i * 7 + 3) % users.length].username];
      oauthTokens.push({ app: a.namespace ? `${a.namespace}__${a.name}` : a.name, users: holders, count: n });
    });
  }
  const eventLogFiles: EventLogFileSpec[] = [];
  if (o.elfBytes && o.elfBytes > 0) {
    eventLogFiles.push({ eventType: 'ApiTotalUsage', bytes: Math.ceil(o.elfBytes / 7) });
    eventLogFiles.push({ eventType: 'Login', rows: 500 });
  }
  return {
    name: `generated-${o.apps}-apps`,
    description: `Generated: ${o.apps} apps, ${o.permissionSets} permission sets, ${o.tokens} tokens (seed ${o.seed ?? 1})`,
    seed: o.seed ?? 1,
    org: { name: 'Bench Org', edition: 'Unlimited Edition', ...(o.now === undefined ? {} : { now: o.now }), features: { eventMonitoring: true } },
    profiles,
    permissionSets,
    users,
    connectedApps: apps,
    oauthTokens,
    eventLogFiles,
  };
}
