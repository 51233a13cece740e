import { expect } from 'chai';
import type { AuditResult } from '../../../src/domain/audit/engine.js';
import { DEFAULT_AUDIT_OPTIONS, type AuditApp, type AuditInventory, type Finding } from '../../../src/domain/audit/model.js';
import { findingControls } from '../../../src/domain/audit/benchmark.js';
import { httpHost, isLoopbackHost } from '../../../src/domain/audit/rules/scopes-flows.js';
import { ALL_EVIDENCE, app, connectedAppXml, fileApp, holder, inventory, policy, policyFromXml, runRule, sourceInventory } from './factory.js';

const only = (r: AuditResult): Finding => {
  expect(r.findings, JSON.stringify(r.findings)).to.have.length(1);
  return r.findings[0];
};
const none = (r: AuditResult): void => {
  expect(r.findings, JSON.stringify(r.findings)).to.deep.equal([]);
  expect(r.notEvaluated, JSON.stringify(r.notEvaluated)).to.deep.equal([]);
};
/** The rule ran but could not decide for the app(s). */
const undecided = (r: AuditResult, missing: string[], fields?: string[]): void => {
  expect(r.findings).to.deep.equal([]);
  expect(r.notEvaluated).to.have.length(1);
  expect(r.notEvaluated[0].missing).to.deep.equal(missing);
  expect(r.notEvaluated[0].apps).to.equal(1);
  if (fields) expect(r.notEvaluated[0].fields).to.deep.equal(fields);
};
const org = (a: Partial<AuditApp>, over: Partial<AuditInventory> = {}): AuditInventory => inventory([app(a)], over);

describe('audit rules', () => {
  it('a clean app passes every rule (org and source mode)', () => {
    const orgRun = runRule('permitted-users', org({}));
    none(orgRun);
    for (const category of ['ip-relaxation', 'refresh-tokens', 'scopes-and-flows', 'source-hygiene']) {
      none(runRule(category, org({}, { profileIpRanges: new Map([['Ignored', 1]]) })));
    }
    const src = runRule('scopes-and-flows', sourceInventory([fileApp()]));
    expect(src.findings).to.deep.equal([]);
  });

  describe('CA001-preauth-no-assignment', () => {
    const id = 'CA001-preauth-no-assignment';
    it('fires (critical) for an admin-approved app with no holders in the org', () => {
      const f = only(runRule(id, org({ holders: [] })));
      expect(f.severity).to.equal('critical');
      expect(f.evidence).to.include({ permittedUsers: 'admin-approved', profiles: 0, permissionSets: 0 });
      expect(f.file).to.equal(null);
    });
    it('fires in source mode from the file lists, with file and line of isAdminApproved', () => {
      const a = fileApp({ permissionSets: [], profiles: [] });
      const f = only(runRule(id, sourceInventory([a])));
      expect(f.file).to.equal(a.file);
      expect(f.line).to.equal(a.policy?.lines.permittedUsers).and.to.be.greaterThan(0);
    });
    it('does not fire when a profile, permission set or group holds the app', () => {
      none(runRule(id, org({})));
      none(runRule(id, org({ holders: [holder('Integration', 'profile')] })));
      none(runRule(id, org({ holders: [holder('Group', 'permission-set-group')] })));
      none(runRule(id, sourceInventory([fileApp({ permissionSets: [], profiles: ['Integration User'] })])));
    });
    it('does not fire for self-authorize or non-OAuth apps', () => {
      none(runRule(id, org({ holders: [], policy: policy({ adminApproved: false }) })));
      none(runRule(id, org({ holders: [], policy: policy({ oauth: false, permissionSets: [] }) })));
    });
    it('is not evaluated when the org assignments were not read (never "passed")', () => {
      undecided(runRule(id, org({ holders: null })), ['assignments']);
      const r = runRule(id, org({}, { evidence: ['metadata'] }));
      expect(r.notEvaluated).to.deep.equal([{ ruleId: id, reason: 'missing-evidence', missing: ['assignments'] }]);
    });
    it('is not evaluated when the file does not state isAdminApproved', () => {
      undecided(runRule(id, sourceInventory([fileApp({ adminApproved: null, permissionSets: [] })])), ['metadata'], ['permittedUsers']);
    });
    it('is not evaluated for an app whose policy could not be read', () => {
      undecided(runRule(id, org({ policy: null, holders: [] })), ['metadata']);
    });
  });

  describe('CA002-preauth-no-active-users', () => {
    const id = 'CA002-preauth-no-active-users';
    it('fires when every holder has zero active users', () => {
      const f = only(runRule(id, org({ holders: [holder('A', 'permission-set', 0), holder('P', 'profile', 0)] })));
      expect(f.evidence.holders).to.deep.equal(['A', 'P']);
    });
    it('does not fire when one holder has active users', () => {
      none(runRule(id, org({ holders: [holder('A', 'permission-set', 0), holder('P', 'profile', 4)] })));
    });
    it('is not evaluated when active users are unknown, and not run in source mode', () => {
      undecided(runRule(id, org({ holders: [holder('A', 'permission-set', 0), holder('B', 'permission-set', null)] })), ['activeUsers']);
      expect(runRule(id, sourceInventory([fileApp()])).notEvaluated[0].reason).to.equal('source-mode');
    });
  });

  describe('CA003-self-authorize-server-flow', () => {
    const id = 'CA003-self-authorize-server-flow';
    it('fires for a JWT (certificate) or client-credentials app that is self-authorize', () => {
      const jwt = only(runRule(id, org({ policy: policy({ adminApproved: false, certificate: 'MIIBfake' }) })));
      expect(jwt.evidence.serverFlows).to.deep.equal(['jwt-bearer']);
      const cc = only(runRule(id, org({ policy: policy({ adminApproved: false, clientCredentials: true, runAsUser: 'int@example.com' }) })));
      expect(cc.evidence.serverFlows).to.deep.equal(['client-credentials']);
    });
    it('does not fire for admin-approved server apps or self-authorize web apps', () => {
      none(runRule(id, org({ policy: policy({ certificate: 'MIIBfake' }) })));
      none(runRule(id, org({ policy: policy({ adminApproved: false }) })));
    });
    it('is not evaluated when the client-credentials switch is not stated and there is no certificate', () => {
      undecided(runRule(id, org({ policy: policy({ adminApproved: false, clientCredentials: null }) })), ['metadata'], ['clientCredentials']);
    });
  });

  describe('CA004-preauth-broad-profile', () => {
    const id = 'CA004-preauth-broad-profile';
    it('fires for System Administrator / Standard User', () => {
      const f = only(runRule(id, org({ holders: [holder('System Administrator', 'profile', 5), holder('App_Users')] })));
      expect(f.evidence.broadProfiles).to.deep.equal(['System Administrator']);
      expect(f.evidence.activeUsers).to.equal(5);
    });
    it('fires for a profile above options.broadProfileUsers and for administrator profiles', () => {
      const big = only(runRule(id, org({ holders: [holder('Sales', 'profile', 201)] })));
      expect(big.evidence.broadProfiles).to.deep.equal(['Sales']);
      const admin = only(runRule(id, org({ holders: [holder('Custom Admin', 'profile', 2)] }, { adminProfiles: [{ name: 'Custom Admin', approveUninstalledConnectedApps: true }] })));
      expect(admin.evidence.broadProfiles).to.deep.equal(['Custom Admin']);
    });
    it('does not fire for small dedicated profiles or permission sets', () => {
      none(runRule(id, org({ holders: [holder('Integration', 'profile', 200), holder('Standard User')] })));
    });
    it('fires in source mode from profileName, without user counts', () => {
      const f = only(runRule(id, sourceInventory([fileApp({ profiles: ['Standard User'] })])));
      expect(f.evidence.activeUsers).to.equal(null);
      expect(f.evidence.activeUsersKnown).to.equal(false);
      expect(f.line).to.be.greaterThan(0);
    });
  });

  describe('CA005-assignments-ignored-self-authorize', () => {
    const id = 'CA005-assignments-ignored-self-authorize';
    it('fires when a self-authorize app has assignments', () => {
      const f = only(runRule(id, org({ policy: policy({ adminApproved: false }), holders: [holder('Sales', 'profile'), holder('PS')] })));
      expect(f.evidence).to.deep.include({ profiles: ['Sales'], permissionSets: ['PS'] });
    });
    it('does not fire without assignments or when admin-approved', () => {
      none(runRule(id, org({ policy: policy({ adminApproved: false }), holders: [] })));
      none(runRule(id, org({})));
    });
  });

  describe('CA006-self-authorize-broad-scopes', () => {
    const id = 'CA006-self-authorize-broad-scopes';
    it('grades by scope: Full is high, Api with RefreshToken medium', () => {
      const full = only(runRule(id, org({ policy: policy({ adminApproved: false, scopes: ['Full', 'RefreshToken'] }) })));
      expect([full.severity, full.evidence.scopes]).to.deep.equal(['high', ['Full']]);
      expect(findingControls(full)).to.deep.equal(['SBS-OAUTH-002']);
      const offline = only(runRule(id, org({ policy: policy({ adminApproved: false, scopes: ['Api', 'RefreshToken'] }) })));
      expect([offline.severity, offline.evidence.scopes]).to.deep.equal(['medium', ['Api', 'RefreshToken']]);
    });
    it('does not fire when admin-approved, for narrow scopes, for a SAML-only app, or when Permitted Users is not stated', () => {
      none(runRule(id, org({ policy: policy({ scopes: ['Full'] }) })));
      none(runRule(id, org({ policy: policy({ adminApproved: false, scopes: ['Api'] }) })));
      none(runRule(id, org({ policy: policy({ adminApproved: false, oauth: false }) })));
      undecided(runRule(id, sourceInventory([{ ...fileApp(), policy: policy({ adminApproved: null, scopes: ['Full'] }) }])), ['metadata'], ['permittedUsers']);
    });
  });

  describe('CA101-ip-bypass-self-authorize', () => {
    const id = 'CA101-ip-bypass-self-authorize';
    it('fires for BYPASS + self-authorize', () => {
      expect(only(runRule(id, org({ policy: policy({ ipRelaxation: 'BYPASS', adminApproved: false }) }))).severity).to.equal('high');
    });
    it('does not fire for BYPASS_2FACTOR, admin-approved, or ENFORCE', () => {
      none(runRule(id, org({ policy: policy({ ipRelaxation: 'BYPASS_2FACTOR', adminApproved: false }) })));
      none(runRule(id, org({ policy: policy({ ipRelaxation: 'BYPASS' }) })));
      none(runRule(id, org({ policy: policy({ adminApproved: false }) })));
    });
    it('is not evaluated when the file has no ipRelaxation', () => {
      undecided(runRule(id, sourceInventory([fileApp({ ipRelaxation: null })])), ['metadata'], ['ipRelaxation']);
    });
  });

  describe('CA102-ip-bypass-uncompensated', () => {
    const id = 'CA102-ip-bypass-uncompensated';
    it('fires medium for BYPASS on an admin-approved app without a high-assurance session', () => {
      const f = only(runRule(id, org({ policy: policy({ ipRelaxation: 'BYPASS' }) })));
      expect(f.severity).to.equal('medium');
      expect(f.evidence).to.include({ ipRelaxation: 'BYPASS', highAssurance: false });
    });
    it('grades BYPASS_2FACTOR: medium when self-authorize, low when admin-approved', () => {
      expect(only(runRule(id, org({ policy: policy({ ipRelaxation: 'BYPASS_2FACTOR', adminApproved: false }) }))).severity).to.equal('medium');
      expect(only(runRule(id, org({ policy: policy({ ipRelaxation: 'BYPASS_2FACTOR' }) }))).severity).to.equal('low');
    });
    it('is cleared by a high-assurance session, or by app IP ranges for BYPASS_2FACTOR (not for BYPASS)', () => {
      none(runRule(id, org({ policy: policy({ ipRelaxation: 'BYPASS', sessionLevel: 'HIGH_ASSURANCE' }) })));
      const ranges = [{ start: '10.0.0.0', end: '10.0.0.255' }];
      none(runRule(id, org({ policy: policy({ ipRelaxation: 'BYPASS_2FACTOR', ipRanges: ranges }) })));
      expect(only(runRule(id, org({ policy: policy({ ipRelaxation: 'BYPASS', ipRanges: ranges }) }))).evidence.appIpRanges).to.equal(1);
    });
    it('leaves BYPASS + self-authorize to CA101', () => {
      none(runRule(id, org({ policy: policy({ ipRelaxation: 'BYPASS', adminApproved: false }) })));
    });
    it('does not fire for ENFORCE', () => {
      none(runRule(id, org({})));
    });
  });

  describe('CA103-ip-enforce-no-profile-ranges', () => {
    const id = 'CA103-ip-enforce-no-profile-ranges';
    const holders = [holder('Sales', 'profile'), holder('Support', 'profile')];
    it('fires (info) when no assigned profile has login IP ranges', () => {
      const f = only(runRule(id, org({ holders }, { profileIpRanges: new Map([['Sales', 0], ['Support', 0]]) })));
      expect(f.severity).to.equal('info');
      expect(f.evidence.profiles).to.deep.equal(['Sales', 'Support']);
    });
    it('does not fire when one profile has ranges, or with permission sets only', () => {
      none(runRule(id, org({ holders }, { profileIpRanges: new Map([['Sales', 0], ['Support', 2]]) })));
      none(runRule(id, org({}, { profileIpRanges: new Map() })));
    });
    it('is not evaluated when a profile\'s ranges are unknown or ranges were not read', () => {
      undecided(runRule(id, org({ holders }, { profileIpRanges: new Map([['Sales', 0]]) })), ['ipRanges']);
      const r = runRule(id, org({ holders }, { profileIpRanges: null, evidence: ['metadata', 'assignments'] }));
      expect(r.notEvaluated).to.deep.equal([{ ruleId: id, reason: 'missing-evidence', missing: ['ipRanges'] }]);
    });
  });

  describe('CA201-refresh-token-never-expires', () => {
    const id = 'CA201-refresh-token-never-expires';
    it('fires for infinite with the RefreshToken scope, on the refreshTokenPolicy line', () => {
      const a = fileApp({ refreshTokenPolicy: 'infinite' });
      const f = only(runRule(id, sourceInventory([a])));
      expect(f.line).to.equal(a.policy?.lines.refreshTokenPolicy);
    });
    it('does not fire without the RefreshToken scope or with an expiry', () => {
      none(runRule(id, org({ policy: policy({ refreshTokenPolicy: 'infinite', scopes: ['Api'] }) })));
      none(runRule(id, org({ policy: policy({ refreshTokenPolicy: 'specific_lifetime:90:DAYS' }) })));
    });
    it('is not evaluated when the policy is absent from the file (the default is not evidence)', () => {
      undecided(runRule(id, sourceInventory([fileApp({ refreshTokenPolicy: null })])), ['metadata'], ['refreshTokenPolicy']);
    });
  });

  describe('CA202-server-flow-refresh-token', () => {
    const id = 'CA202-server-flow-refresh-token';
    it('fires for a JWT app that still issues refresh tokens', () => {
      const f = only(runRule(id, org({ policy: policy({ certificate: 'MIIB', refreshTokenPolicy: 'specific_lifetime:12:MONTHS' }) })));
      expect(f.evidence).to.deep.include({ serverFlows: ['jwt-bearer'], refreshTokenPolicy: 'specific_lifetime:12:MONTHS' });
    });
    it('does not fire for zero, without the scope, or for web apps', () => {
      none(runRule(id, org({ policy: policy({ certificate: 'MIIB', refreshTokenPolicy: 'zero' }) })));
      none(runRule(id, org({ policy: policy({ certificate: 'MIIB', scopes: ['Api'] }) })));
      none(runRule(id, org({})));
    });
  });

  describe('CA203-public-client-no-rotation', () => {
    const id = 'CA203-public-client-no-rotation';
    it('fires for a public client with refresh tokens and no rotation', () => {
      only(runRule(id, org({ policy: policy({ secretOptional: true, pkce: true }) })));
    });
    it('does not fire with rotation, for confidential clients, or with zero', () => {
      none(runRule(id, org({ policy: policy({ secretOptional: true, rotation: true }) })));
      none(runRule(id, org({})));
      none(runRule(id, org({ policy: policy({ secretOptional: true, refreshTokenPolicy: 'zero' }) })));
    });
    it('is not evaluated when rotation is not stated', () => {
      undecided(runRule(id, org({ policy: policy({ secretOptional: true, rotation: null }) })), ['metadata'], ['refreshTokenRotation']);
    });
  });

  describe('CA301-full-scope', () => {
    it('fires for Full and not otherwise', () => {
      expect(only(runRule('CA301', org({ policy: policy({ scopes: ['Api', 'Full'] }) }))).evidence.scopes).to.deep.equal(['Api', 'Full']);
      none(runRule('CA301', org({})));
    });
  });

  describe('CA302-insecure-callback-url', () => {
    const id = 'CA302-insecure-callback-url';
    it('fires once per non-loopback http URL', () => {
      const callbacks = ['http://app.example.com/cb', 'HTTP://user@other.example.com:8080/x', 'http://localhost:1717/OauthRedirect', 'https://secure.example.com', 'myapp://cb'];
      const r = runRule(id, org({ policy: policy({ callbacks }) }));
      expect(r.findings.map((f) => f.evidence.host)).to.have.members(['app.example.com', 'other.example.com']);
      expect(new Set(r.findings.map((f) => f.fingerprint)).size).to.equal(2);
    });
    it('accepts loopback hosts', () => {
      none(runRule(id, org({ policy: policy({ callbacks: ['http://127.0.0.1:8080/cb', 'http://[::1]/cb', 'http://localhost/x'] }) })));
      expect(httpHost('https://x')).to.equal(null);
      expect(isLoopbackHost('127.1.2.3')).to.equal(true);
      expect(isLoopbackHost('localhost.evil.com')).to.equal(false);
      expect(isLoopbackHost('[::2]')).to.equal(false);
    });
  });

  describe('CA303-public-client-no-pkce', () => {
    const id = 'CA303-public-client-no-pkce';
    it('fires for a public client without PKCE, not with PKCE or a secret', () => {
      only(runRule(id, org({ policy: policy({ secretOptional: true }) })));
      none(runRule(id, org({ policy: policy({ secretOptional: true, pkce: true }) })));
      none(runRule(id, org({})));
    });
    it('is not evaluated when isPkceRequired predates the file', () => {
      undecided(runRule(id, org({ policy: policy({ secretOptional: true, pkce: null }) })), ['metadata'], ['pkceRequired']);
    });
  });

  describe('CA304-run-as-user-privileged / CA305-run-as-user-unusable', () => {
    const cc = policy({ clientCredentials: true, runAsUser: 'int@example.com' });
    const user = { username: 'int@example.com', found: true, active: true, profileName: 'Integration', apiOnly: true, administrator: false };
    it('CA304 fires high for an administrator and medium for a user who is not API-only', () => {
      const admin = only(runRule('CA304', org({ policy: cc, runAsUser: { ...user, administrator: true, profileName: 'System Administrator' } })));
      expect(admin).to.deep.include({ severity: 'high' });
      expect(admin.evidence.condition).to.equal('administrator');
      const notApi = only(runRule('CA304', org({ policy: cc, runAsUser: { ...user, apiOnly: false } })));
      expect(notApi.severity).to.equal('medium');
      expect(notApi.evidence.condition).to.equal('not-api-only');
    });
    it('CA304 does not fire for an API-only user or when the flow is off; not evaluated without user facts', () => {
      none(runRule('CA304', org({ policy: cc, runAsUser: user })));
      none(runRule('CA304', org({})));
      undecided(runRule('CA304', org({ policy: cc, runAsUser: null })), ['users']);
    });
    it('CA305 fires when the user is missing, inactive or not set', () => {
      expect(only(runRule('CA305', org({ policy: cc, runAsUser: { ...user, found: false } }))).evidence.condition).to.equal('not-found');
      expect(only(runRule('CA305', org({ policy: cc, runAsUser: { ...user, active: false } }))).evidence.condition).to.equal('inactive');
      const notSet = only(runRule('CA305', sourceInventory([fileApp({ clientCredentials: true })])));
      expect(notSet.evidence.condition).to.equal('not-set');
    });
    it('CA305 passes a usable user and is not evaluated in source mode for a named user', () => {
      none(runRule('CA305', org({ policy: cc, runAsUser: user })));
      undecided(runRule('CA305', sourceInventory([fileApp({ clientCredentials: true, runAsUser: 'int@example.com' })])), ['users']);
    });
  });

  describe('CA306-session-timeout', () => {
    const id = 'CA306-session-timeout';
    it('is low for a timeout above options.longSessionMinutes, info when none is set', () => {
      const long = only(runRule(id, org({ policy: policy({ sessionTimeout: 1440 }) })));
      expect(long).to.deep.include({ severity: 'low' });
      expect(long.evidence).to.include({ condition: 'long', sessionTimeout: 1440, longSessionMinutes: 480 });
      const unset = only(runRule(id, org({ policy: policy({ sessionTimeout: null }) })));
      expect(unset.severity).to.equal('info');
    });
    it('passes a short timeout', () => {
      none(runRule(id, org({ policy: policy({ sessionTimeout: 480 }) })));
    });
    it('in source mode calls the timeout unset only for files with an oauthPolicy (API 49.0+)', () => {
      only(runRule(id, sourceInventory([fileApp({ sessionTimeout: null })])));
      undecided(runRule(id, sourceInventory([fileApp({ sessionTimeout: null, ipRelaxation: null, refreshTokenPolicy: null })])), ['metadata'], ['sessionTimeout']);
    });
  });

  describe('CA401-uninstalled-app-in-use', () => {
    const id = 'CA401-uninstalled-app-in-use';
    const uninstalled = { installed: false, policy: null, id: null, holders: null };
    it('fires for an uninstalled app with live tokens, listing who depends on it', () => {
      const f = only(runRule(id, org({ ...uninstalled, logins: null, apiCalls: null })));
      expect(f.evidence).to.deep.include({ tokens: 2, logins: null, holders: ['a@example.com', 'b@example.com'], sourcesExamined: ['tokens'] });
    });
    it('fires on logins alone', () => {
      const f = only(runRule(id, org({ ...uninstalled, tokens: null, apiCalls: null })));
      expect(f.evidence).to.deep.include({ logins: 12, tokens: null, holders: null });
    });
    it('does not fire for installed apps or for uninstalled apps without use', () => {
      none(runRule(id, org({})));
      none(runRule(id, org({ ...uninstalled, tokens: { tokens: 0, users: 0, useCount: 0, lastUsedDate: null, holders: [] }, logins: [], apiCalls: null })));
    });
    it('an uninstalled app without use seen is undecided while tokens or logins were not read whole', () => {
      const quiet = { ...uninstalled, tokens: { tokens: 0, users: 0, useCount: 0, lastUsedDate: null, holders: [] }, logins: [], apiCalls: null };
      const r = runRule(id, org({ ...quiet, tokens: null }, { evidence: ALL_EVIDENCE.filter((e) => e !== 'tokens') }));
      expect(r.findings).to.deep.equal([]);
      expect(r.notEvaluated.find((n) => n.apps === 1)?.missing).to.deep.equal(['tokens']);
      const capped = runRule(id, org(quiet, { coverage: [{ source: 'LoginHistory', status: 'capped' }] }));
      expect(capped.notEvaluated.find((n) => n.apps === 1)?.missing).to.deep.equal(['logins']);
    });
    it('says which apps it could not see: those only unread or capped tokens or logins would reveal', () => {
      const live = org({ ...uninstalled, logins: null, apiCalls: null });
      expect(runRule(id, live).notEvaluated).to.deep.equal([]);
      const refused = runRule(id, org({ ...uninstalled, tokens: null, apiCalls: null }, { evidence: ALL_EVIDENCE.filter((e) => e !== 'tokens') }));
      // The app the logins show is still reported; the apps only tokens would show are not evaluated.
      expect(refused.findings).to.have.length(1);
      expect(refused.notEvaluated).to.deep.equal([{ ruleId: id, reason: 'unseen-apps', missing: ['tokens'] }]);
      const capped = runRule(id, org({ ...uninstalled, logins: null, apiCalls: null }, { coverage: [{ source: 'OauthToken', status: 'capped' }] }));
      expect(capped.notEvaluated).to.deep.equal([{ ruleId: id, reason: 'unseen-apps', missing: ['tokens'] }]);
      // Apps named on the command line: nothing unseen is in question.
      expect(runRule(id, org({ ...uninstalled, tokens: null, apiCalls: null }, { evidence: ALL_EVIDENCE.filter((e) => e !== 'tokens') }), { apps: ['Test_App'] }).notEvaluated).to.deep.equal([]);
    });
    it('is not evaluated without any usage source', () => {
      undecided(runRule(id, org({ ...uninstalled, tokens: null, logins: null, apiCalls: null })), ['tokens', 'logins', 'apiCalls']);
      const r = runRule(id, org({}, { evidence: ['metadata', 'installState'] }));
      expect(r.notEvaluated).to.deep.equal([{ ruleId: id, reason: 'missing-evidence', missing: ['tokens', 'logins', 'apiCalls'] }]);
    });
  });

  describe('CA402-unused-app', () => {
    const id = 'CA402-unused-app';
    const stale = {
      tokens: { tokens: 1, users: 1, useCount: 3, lastUsedDate: '2025-06-01T00:00:00.000Z', holders: null },
      logins: [],
      apiCalls: { count: 0, lastSeen: null },
    };
    // Windows as the org audit reads them: LoginHistory and event logs covering the whole 90 days.
    const full = { options: { ...DEFAULT_AUDIT_OPTIONS, loginDays: 90, eventLogDays: 90 } };
    it('fires when every examined source shows no recent use, naming the sources', () => {
      const f = only(runRule(id, org(stale, full)));
      expect(f.evidence).to.deep.include({ sourcesExamined: ['tokens', 'logins', 'apiCalls'], unusedDays: 90, loginsDays: 90 });
    });
    it('needs every source that could show use, each complete for the whole window; event logs are used, not needed', () => {
      // 30 days of logins cannot show 90 days without use, and a refresh-token app needs them as well as its tokens.
      undecided(runRule(id, org(stale)), ['logins']);
      const capped = { ...full, coverage: [{ source: 'OauthToken', status: 'capped' as const }] };
      undecided(runRule(id, org(stale, capped)), ['tokens']);
      // OauthToken refused: never unused on LoginHistory alone.
      undecided(runRule(id, org({ ...stale, tokens: null }, full)), ['tokens']);
      undecided(runRule(id, org({ ...stale, logins: null, apiCalls: null }, capped)), ['tokens', 'logins']);
      // Event logs kept 1 day of a 90-day window: not examined, and not needed.
      expect(only(runRule(id, org(stale, { options: { ...full.options, eventLogDays: 1 } }))).evidence.sourcesExamined).to.deep.equal(['tokens', 'logins']);
    });
    it('does not fire when any source shows use', () => {
      none(runRule(id, org({})));
      none(runRule(id, org({ ...stale, logins: [{ loginSubType: 'OauthRefreshToken', logins: 1, users: 1, lastLogin: '2026-02-28T00:00:00.000Z' }] })));
      none(runRule(id, org({ ...stale, apiCalls: { count: 5, lastSeen: null } })));
    });
    it('never calls an app unused on missing evidence', () => {
      undecided(runRule(id, org({ tokens: null, logins: null, apiCalls: null })), ['tokens', 'logins', 'apiCalls']);
      const r = runRule(id, org({}, { evidence: ['metadata', 'assignments'] }));
      expect(r.notEvaluated[0]).to.deep.include({ reason: 'missing-evidence', missing: ['tokens', 'logins', 'apiCalls'] });
      expect(runRule(id, sourceInventory([fileApp()])).notEvaluated[0].reason).to.equal('source-mode');
    });
    it('does not count OAuth tokens as evidence for a JWT / client-credentials app', () => {
      const jwt = policy({ certificate: 'MIIB' });
      undecided(runRule(id, org({ policy: jwt, tokens: { ...stale.tokens, tokens: 0 }, logins: null, apiCalls: null })), ['logins']);
      const f = only(runRule(id, org({ policy: jwt, tokens: { ...stale.tokens, tokens: 0 }, logins: [], apiCalls: null }, full)));
      expect(f.evidence.sourcesExamined).to.deep.equal(['logins']);
    });
    it('treats unreadable dates as recent use (never "unused" on a bad clock)', () => {
      none(runRule(id, org(stale, { now: 'not a date' })));
      none(runRule(id, org({ ...stale, apiCalls: { count: 1, lastSeen: 'garbage' } })));
    });
    it('is not evaluated for a SAML-only app: no source read shows its use', () => {
      const saml = policyFromXml(connectedAppXml({ oauth: false }).replace('</ConnectedApp>', '<samlConfig><acsUrl>https://sp.example.com/acs</acsUrl></samlConfig></ConnectedApp>'), 'Saml_App');
      expect(saml).to.include({ hasSaml: true, hasOauth: false });
      undecided(runRule(id, org({ ...stale, policy: saml }, full)), ['samlUse']);
    });
    it('does not count tokens when the policy is unknown', () => {
      undecided(runRule(id, org({ policy: null, logins: null, apiCalls: null, tokens: stale.tokens })), ['metadata', 'logins']);
    });
  });

  describe('CA403-username-password-flow', () => {
    const id = 'CA403-username-password-flow';
    it('fires on OauthUsernamePassword logins', () => {
      const logins = [
        { loginSubType: 'OauthUsernamePassword', logins: 7, users: 1, lastLogin: '2026-02-25T00:00:00.000Z' },
        { loginSubType: 'OauthRefreshToken', logins: 3, users: 1, lastLogin: '2026-02-26T00:00:00.000Z' },
      ];
      expect(only(runRule(id, org({ logins }))).evidence).to.include({ logins: 7, users: 1, lastLogin: '2026-02-25T00:00:00.000Z' });
    });
    it('does not fire for other flows; not evaluated without logins', () => {
      none(runRule(id, org({})));
      undecided(runRule(id, org({ logins: null })), ['logins']);
    });
  });

  describe('CA404 / CA405 org-wide permission rules', () => {
    const grant = { username: 'ops@example.com', grantedBy: 'Bypass_PS', viaProfile: false, profileName: 'Standard User', approveUninstalledConnectedApps: true, useAnyApiClient: false, administrator: false };
    it('CA404 fires once per non-admin user, merging grants', () => {
      const r = runRule('CA404', org({}, {
        privilegedUsers: [
          grant,
          { ...grant, grantedBy: 'Api_PS', approveUninstalledConnectedApps: false, useAnyApiClient: true },
          { ...grant, username: 'admin@example.com', profileName: 'System Administrator' },
          { ...grant, username: 'clone@example.com', administrator: true },
        ],
      }));
      const f = only(r);
      expect(f.app).to.equal(null);
      expect(f.evidence).to.deep.include({ user: 'ops@example.com', permissions: ['CanApproveUninstalledApps', 'UseAnyApiClient'], grantedBy: ['Api_PS', 'Bypass_PS'] });
    });
    it('CA404 does not fire for administrators; not evaluated when not read', () => {
      none(runRule('CA404', org({}, { privilegedUsers: [{ ...grant, administrator: true }] })));
      const r = runRule('CA404', org({}, { privilegedUsers: null }));
      expect(r.notEvaluated).to.deep.equal([{ ruleId: 'CA404-bypass-permission-non-admin', reason: 'missing-evidence', missing: ['permissions'] }]);
    });
    it('CA405 fires for admin profiles other than System Administrator without the permission', () => {
      const r = runRule('CA405', org({}, {
        adminProfiles: [
          { name: 'System Administrator', approveUninstalledConnectedApps: false },
          { name: 'Custom Admin', approveUninstalledConnectedApps: false },
          { name: 'Other Admin', approveUninstalledConnectedApps: true },
        ],
      }));
      expect(only(r).evidence.profile).to.equal('Custom Admin');
      none(runRule('CA405', org({}, { adminProfiles: [{ name: 'Other Admin', approveUninstalledConnectedApps: true }] })));
    });
  });

  describe('source hygiene', () => {
    it('CA501 fires for duplicate profileName / permissionSetName entries', () => {
      const a = fileApp({ profiles: ['Sales', 'Sales'], permissionSets: ['X', 'Y', 'X'] });
      const f = only(runRule('CA501', sourceInventory([a])));
      expect(f.evidence).to.deep.include({ duplicates: ['Sales', 'X'] });
      expect(f.line).to.equal(a.policy?.lines.profileNames);
      none(runRule('CA501', sourceInventory([fileApp()])));
    });
    it('CA502 fires once per unreadable value', () => {
      const xml = connectedAppXml({ refreshTokenPolicy: 'specific_lifetime:90:WEEKS', pkce: null }).replace('<isConsumerSecretOptional>false', '<isConsumerSecretOptional>yes');
      const a: AuditApp = { ...fileApp(), policy: policyFromXml(xml) };
      const r = runRule('CA502', sourceInventory([a]));
      expect(r.findings.map((f) => f.evidence.element)).to.have.members(['oauthPolicy.refreshTokenPolicy', 'oauthConfig.isConsumerSecretOptional']);
      expect(r.findings.find((f) => f.evidence.field === 'refreshTokenPolicy')?.evidence.value).to.equal('specific_lifetime:90:WEEKS');
      none(runRule('CA502', sourceInventory([fileApp()])));
    });
    it('CA503 reports files that do not parse, with file and line', () => {
      const parseErrors = [{ file: 'force-app/connectedApps/Broken.connectedApp-meta.xml', line: 29, column: 3, message: 'text after the root element (line 29, column 3)' }];
      const f = only(runRule('CA503', sourceInventory([], { parseErrors })));
      expect(f).to.deep.include({ app: 'Broken', file: parseErrors[0].file, line: 29, severity: 'high' });
      none(runRule('CA503', sourceInventory([fileApp()])));
    });
    it('CA504 fires when the file holds a consumer secret (and never says it)', () => {
      const f = only(runRule('CA504', sourceInventory([fileApp({ consumerSecret: 'S3CR3TVALUE1234' })])));
      expect(JSON.stringify(f)).not.to.include('S3CR3TVALUE1234');
      none(runRule('CA504', sourceInventory([fileApp()])));
    });
    it('CA507 fires when an ECA\'s global OAuth settings file rotates its credentials on deployment, naming which', () => {
      const glbl = 'force-app/main/default/extlClntAppGlobalOauthSets/Bridge_glbloauth.ecaGlblOauth-meta.xml';
      const rotating: AuditApp = { ...fileApp(), partFiles: { ecaGlblOauth: glbl }, rotatesOnDeploy: ['consumerKey', 'consumerSecret'] };
      const f = only(runRule('CA507', sourceInventory([rotating])));
      expect(f).to.deep.include({ severity: 'high' });
      expect(f.evidence).to.deep.include({ file: glbl, rotates: ['consumerKey', 'consumerSecret'] });
      expect(f.evidence.credentials).to.equal('consumer key and consumer secret');
      none(runRule('CA507', sourceInventory([{ ...fileApp(), partFiles: { ecaGlblOauth: glbl }, rotatesOnDeploy: [] }])));
      none(runRule('CA507', sourceInventory([fileApp()])));
    });
    it('CA505 fires for names the target org does not have, and only with a target org', () => {
      const withOrg = { evidence: ['metadata', 'orgNames'] as AuditInventory['evidence'] };
      const missing: AuditApp = { ...fileApp({ profiles: ['Sales', 'Ghost Profile'] }), missingInOrg: { profiles: ['Ghost Profile'], permissionSets: [] } };
      const f = only(runRule('CA505', sourceInventory([missing], withOrg)));
      expect(f.evidence).to.deep.include({ missing: ['Ghost Profile'] });
      expect(f.line).to.equal(missing.policy?.lines.profileNames);
      none(runRule('CA505', sourceInventory([{ ...fileApp(), missingInOrg: { profiles: [], permissionSets: [] } }], withOrg)));
      const noOrg = runRule('CA505', sourceInventory([missing]));
      expect(noOrg.findings).to.deep.equal([]);
      expect(noOrg.notEvaluated.map((n) => n.missing)).to.deep.equal([['orgNames']]);
    });
  });
});
