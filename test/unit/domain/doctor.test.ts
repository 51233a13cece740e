import { expect } from 'chai';
import { diagnose, flowOfLoginSubType, verdictOf, type DoctorCheck, type DoctorFacts, type DoctorFlow } from '../../../src/domain/access/doctor.js';
import { inRange, parseIp } from '../../../src/domain/ip-address.js';
import { readConnectedAppPolicy } from '../../../src/domain/policy/policy.js';
import { parseXml } from '../../../src/domain/xml.js';

const used = (source: string) => ({ source, status: 'used' as const });
const refused = (source: string) => ({ source, status: 'no-permission' as const, errorCode: 'INSUFFICIENT_ACCESS' });

function policy(relaxation: string, extra = ''): ReturnType<typeof readConnectedAppPolicy> {
  const xml =
    '<ConnectedApp xmlns="http://soap.sforce.com/2006/04/metadata"><contactEmail>a@b.c</contactEmail><label>App</label>' +
    `<oauthConfig><callbackUrl>https://x.example.com/cb</callbackUrl>${extra}<isAdminApproved>true</isAdminApproved><scopes>Api</scopes></oauthConfig>` +
    `<oauthPolicy><ipRelaxation>${relaxation}</ipRelaxation><refreshTokenPolicy>infinite</refreshTokenPolicy></oauthPolicy></ConnectedApp>`;
  return readConnectedAppPolicy(parseXml(xml).root);
}

/** A user who can use an admin-approved app (every fact read), to vary one fact at a time. */
function facts(over: Partial<DoctorFacts> = {}): DoctorFacts {
  return {
    app: { name: 'App', label: 'App', id: '0H4000000000001AAA', apiName: 'App', installed: true, permittedUsers: 'admin-approved' },
    appCoverage: used('ConnectedApplication'),
    policy: { value: policy('ENFORCE'), coverage: used('readMetadata:ConnectedApp') },
    access: { value: { grants: [{ kind: 'permission-set', holderName: 'PS' }], activeUserCount: 1, userPaths: [{ kind: 'permission-set', holderName: 'PS' }] }, coverage: used('SetupEntityAccess') },
    user: {
      id: '005000000000001AAA',
      username: 'u@x.com',
      active: true,
      profileName: 'P',
      frozen: { value: false, coverage: used('UserLogin') },
      permissions: { value: { apiEnabled: true, approveUninstalled: false }, coverage: used('PermissionSetAssignment') },
    },
    flow: 'web-server',
    flowInferred: false,
    sourceIp: '10.0.0.5',
    profileIpRanges: { value: new Map([['P', [{ start: '10.0.0.0', end: '10.0.0.255' }]]]), coverage: used('readMetadata:Profile') },
    loginAttempts: { value: [], coverage: used('LoginHistory') },
    tokens: { value: { holders: 1, lastUsedDate: null, userHolds: false, userLastUsedDate: null }, coverage: used('OauthToken') },
    runAsUser: { value: null, coverage: used('User') },
    approvers: null,
    ...over,
  };
}

const checkOf = (f: DoctorFacts, id: string): DoctorCheck => diagnose(f).checks.find((c) => c.id === id) as DoctorCheck;

describe('doctor checks (pure)', () => {
  it('passes a user who meets every condition, and each single failure turns the verdict', () => {
    expect(diagnose(facts()).verdict).to.equal('can-use');
    const base = facts();
    const user = base.user!;
    expect(diagnose(facts({ user: { ...user, active: false } })).verdict).to.equal('cannot-use');
    expect(checkOf(facts({ user: { ...user, frozen: { value: true, coverage: used('UserLogin') } } }), 'user-frozen').status).to.equal('fail');
    expect(checkOf(facts({ access: { value: { grants: [], activeUserCount: 0, userPaths: [] }, coverage: used('SetupEntityAccess') } }), 'permitted-users').status).to.equal('fail');
  });

  it('an unreadable source is unknown, never pass, and makes the verdict "cannot tell"', () => {
    const base = facts();
    const frozenUnread = facts({ user: { ...base.user!, frozen: { value: null, coverage: refused('UserLogin') } } });
    expect(checkOf(frozenUnread, 'user-frozen').status).to.equal('unknown');
    expect(checkOf(frozenUnread, 'user-frozen').sources).to.deep.equal([refused('UserLogin')]);
    expect(diagnose(frozenUnread).verdict).to.equal('cannot-tell');
    const loginsUnread = facts({ loginAttempts: { value: null, coverage: refused('LoginHistory') } });
    expect(checkOf(loginsUnread, 'login-attempts').status).to.equal('unknown');
    expect(diagnose(loginsUnread).verdict).to.equal('cannot-tell');
    expect(checkOf(facts({ policy: { value: null, coverage: refused('readMetadata:ConnectedApp') } }), 'flow-enabled').status).to.equal('unknown');
    // Without the metadata, the sObject's "self-authorize" is not trusted (its flag has been seen false for
    // admin-approved apps): unknown, not a pass; its "admin approved" still leads to the grant check.
    const noMetadata = { value: null, coverage: refused('readMetadata:ConnectedApp') };
    const selfAuthorizeFlag = facts({ policy: noMetadata, app: { ...base.app, permittedUsers: 'all-self-authorize' } });
    expect(checkOf(selfAuthorizeFlag, 'permitted-users').status).to.equal('unknown');
    expect(checkOf(facts({ policy: noMetadata }), 'permitted-users').status).to.equal('pass');
    // A failure still wins over an unknown.
    expect(diagnose({ ...loginsUnread, user: { ...loginsUnread.user!, active: false } }).verdict).to.equal('cannot-use');
  });

  it('IP: bearer flows always enforce the profile ranges, BYPASS relaxes the others', () => {
    const outside = (flow: DoctorFlow, relaxation: string) =>
      checkOf(facts({ flow, sourceIp: '192.0.2.1', policy: { value: policy(relaxation, flow === 'jwt-bearer' ? '<certificate>MIIB</certificate>' : ''), coverage: used('readMetadata:ConnectedApp') } }), 'ip-restrictions');
    expect(outside('jwt-bearer', 'BYPASS')).to.include({ status: 'fail', reason: 'outside-bearer', fix: 'add-login-ip-range' });
    expect(outside('saml-bearer', 'BYPASS').status).to.equal('fail');
    expect(outside('web-server', 'BYPASS')).to.include({ status: 'pass', reason: 'relaxed' });
    expect(outside('web-server', 'ENFORCE')).to.include({ status: 'fail', reason: 'outside-enforced', fix: 'relax-ip' });
    expect(outside('jwt-bearer', 'ENFORCE')).to.include({ status: 'fail', reason: 'outside-enforced', fix: 'add-login-ip-range' });
    expect(outside('web-server', 'ENFORCE_RELAXREFRESH')).to.include({ status: 'fail', reason: 'outside-profile' });
    expect(outside('refresh-token', 'ENFORCE_RELAXREFRESH')).to.include({ status: 'pass', reason: 'relaxed-refresh' });
    expect(outside('web-server', 'ENFORCE_RELAXREFRESH').status).to.equal('fail');
    // BYPASS_2FACTOR: the web-server flow is relaxed, other flows are not.
    expect(outside('web-server', 'BYPASS_2FACTOR').status).to.equal('pass');
    expect(outside('user-agent', 'BYPASS_2FACTOR').status).to.equal('fail');
  });

  it('IP: BYPASS_2FACTOR with trusted ranges on the app allows only those', () => {
    const withRanges = (ip: string) => {
      const p = policy('BYPASS_2FACTOR');
      return checkOf(facts({ sourceIp: ip, policy: { value: { ...p, ipRanges: [{ start: '198.51.100.0', end: '198.51.100.9', description: null }] }, coverage: used('readMetadata:ConnectedApp') } }), 'ip-restrictions');
    };
    expect(withRanges('198.51.100.5')).to.include({ status: 'pass', reason: 'inside-trusted' });
    expect(withRanges('198.51.100.50')).to.include({ status: 'fail', reason: 'outside-trusted' });
  });

  it('IP: no ranges on the profile is a pass; no known address is unknown', () => {
    expect(checkOf(facts({ sourceIp: '192.0.2.1', profileIpRanges: { value: new Map([['P', []]]), coverage: used('readMetadata:Profile') } }), 'ip-restrictions').reason).to.equal('no-profile-ranges');
    expect(checkOf(facts({ sourceIp: null }), 'ip-restrictions')).to.include({ status: 'unknown', reason: 'no-ip' });
    expect(checkOf(facts({ sourceIp: null, loginAttempts: { value: null, coverage: refused('LoginHistory') } }), 'ip-restrictions')).to.include({ status: 'unknown', reason: 'ip-unread' });
    const recent = facts({ sourceIp: null, loginAttempts: { value: [{ application: 'App', loginSubType: 'OauthWebServer', loginTime: '2026-11-30T00:00:00.000+0000', status: 'Success', sourceIp: '10.9.9.9', userId: '005000000000001AAA' }], coverage: used('LoginHistory') } });
    expect(checkOf(recent, 'ip-restrictions')).to.include({ status: 'fail' });
  });

  it('uninstalled apps: earlier authorization keeps working, new users need the approval permission, device flow never', () => {
    const app = { name: 'Ghost', label: 'Ghost', id: null, apiName: null, installed: false, permittedUsers: null };
    const base = facts({ app, policy: { value: null, coverage: refused('readMetadata:ConnectedApp') } });
    expect(checkOf(base, 'app-installed')).to.include({ status: 'fail', reason: 'uninstalled-new-user' });
    expect(checkOf({ ...base, tokens: { ...base.tokens, value: { ...base.tokens.value!, userHolds: true } } }, 'app-installed')).to.include({ status: 'pass' });
    expect(checkOf({ ...base, tokens: { ...base.tokens, value: { ...base.tokens.value!, userHolds: true } }, flow: 'device' }, 'app-installed')).to.include({ status: 'fail', reason: 'uninstalled-device' });
    expect(checkOf({ ...base, user: { ...base.user!, permissions: { value: { apiEnabled: true, approveUninstalled: true }, coverage: used('PermissionSetAssignment') } } }, 'app-installed').status).to.equal('pass');
    expect(checkOf({ ...base, tokens: { value: null, coverage: refused('OauthToken') } }, 'app-installed').status).to.equal('unknown');
    expect(checkOf(base, 'permitted-users').status).to.equal('skipped');
  });

  it('self-authorize: a bearer flow needs an earlier approval', () => {
    const selfAuth = { ...policy('ENFORCE', '<certificate>MIIB</certificate>'), permittedUsers: 'all-self-authorize' as const };
    const f = facts({ flow: 'jwt-bearer', policy: { value: selfAuth, coverage: used('readMetadata:ConnectedApp') } });
    expect(checkOf(f, 'permitted-users')).to.include({ status: 'fail', reason: 'self-authorize-not-approved' });
    expect(checkOf({ ...f, flow: 'web-server' }, 'permitted-users').status).to.equal('pass');
  });

  it('the verdict ignores the tokens check, which only informs', () => {
    const check = (id: DoctorCheck['id'], status: DoctorCheck['status']): DoctorCheck => ({ id, status, reason: 'x', tokens: [], sources: [], fix: null });
    expect(verdictOf([check('user-active', 'pass'), check('tokens', 'unknown')])).to.equal('can-use');
    expect(verdictOf([check('user-active', 'unknown'), check('tokens', 'info')])).to.equal('cannot-tell');
    expect(flowOfLoginSubType('OauthClientCredentials')).to.equal('client-credentials');
    expect(flowOfLoginSubType('SomethingNew')).to.equal(null);
  });
});

describe('IP addresses', () => {
  it('reads IPv4 and IPv6 and tests inclusive ranges of the same family', () => {
    expect(parseIp('300.1.1.1')).to.equal(null);
    expect(parseIp('1.2.3')).to.equal(null);
    expect(parseIp('2001:db8::1')?.family).to.equal(6);
    expect(parseIp('2001:db8::1::2')).to.equal(null);
    expect(parseIp('::ffff:192.0.2.1')?.value).to.equal(parseIp('::ffff:c000:201')?.value);
    const v4 = parseIp('10.0.0.255')!;
    expect(inRange(v4, { start: '10.0.0.0', end: '10.0.0.255' })).to.equal(true);
    expect(inRange(v4, { start: '10.0.1.0', end: '10.0.1.255' })).to.equal(false);
    expect(inRange(v4, { start: '::', end: 'ffff::' }), 'other family').to.equal(false);
    expect(inRange(parseIp('2001:db8::ff')!, { start: '2001:db8::', end: '2001:db8::ffff' })).to.equal(true);
  });
});
