import { expect } from 'chai';
import { describeSObject, findObject, OBJECTS } from './schema.js';
import { executeSoql, parseSoql, SoqlError, type EvalOptions, type RecordStore, type Row } from './soql.js';

// ---------------------------------------------------------------------------------------------
// Fixture: a tiny in-memory org
// ---------------------------------------------------------------------------------------------

/** 18-character Id: prefix + 12 digits + 'AAA'. */
const id = (prefix: string, n: number): string => `${prefix}${String(n).padStart(12, '0')}AAA`;

const ADMIN_PROFILE = id('00e', 1);
const STD_PROFILE = id('00e', 2);
const PS_ADMIN = id('0PS', 1); // owned by the admin profile
const PS_CUSTOM = id('0PS', 2); // custom permission set, no profile
const PS_GROUP = id('0PS', 3); // aggregate of a permission set group
const PSG = id('0PG', 1);
const APP_ZOE = id('0H4', 1);
const APP_SLASH = id('0H4', 2);
const APP_LOADER = id('0H4', 3);
const SEA1 = id('0J0', 1);
const SEA2 = id('0J0', 2);
const SEA3 = id('0J0', 3);
const USER_ADMIN = id('005', 1);
const USER_STD = id('005', 2);
const USER_API = id('005', 3);
const MENU_LOADER = id('0DS', 1);

const NOW = new Date('2026-03-18T10:30:00Z'); // a Wednesday

const DATA: Record<string, Row[]> = {
  Profile: [
    { Id: ADMIN_PROFILE, Name: 'System Administrator', PermissionsModifyAllData: true, PermissionsApiUserOnly: false },
    { Id: STD_PROFILE, Name: 'Standard User', PermissionsModifyAllData: false, PermissionsApiUserOnly: false },
  ],
  PermissionSet: [
    { Id: PS_ADMIN, Name: 'X00ex000000001', Label: 'System Administrator', IsOwnedByProfile: true, ProfileId: ADMIN_PROFILE, PermissionSetGroupId: null },
    { Id: PS_CUSTOM, Name: 'Connected_App_Access', Label: 'Connected App Access', IsOwnedByProfile: false, ProfileId: null, PermissionsApiUserOnly: true },
    { Id: PS_GROUP, Name: 'Support_Group_PS', Label: 'Support Group', IsOwnedByProfile: false, ProfileId: null, PermissionSetGroupId: PSG, Type: 'Group' },
  ],
  PermissionSetGroup: [{ Id: PSG, DeveloperName: 'Support_Group', MasterLabel: 'Support Group', Status: 'Updated' }],
  ConnectedApplication: [
    {
      Id: APP_ZOE,
      Name: "Zoë's app",
      OptionsAllowAdminApprovedUsersOnly: true,
      RefreshTokenValidityPeriod: 30,
      CreatedDate: '2026-01-05T08:00:00.000+0000',
      StartUrl: null,
    },
    { Id: APP_SLASH, Name: 'Back\\slash 100%_done', OptionsAllowAdminApprovedUsersOnly: false, RefreshTokenValidityPeriod: null, CreatedDate: '2025-06-01T00:00:00Z' },
    { Id: APP_LOADER, Name: 'Data Loader', RefreshTokenValidityPeriod: 90, CreatedDate: new Date('2026-03-17T23:59:59Z') },
  ],
  SetupEntityAccess: [
    { Id: SEA1, ParentId: PS_ADMIN, SetupEntityId: APP_ZOE, SetupEntityType: 'ConnectedApplication' },
    { Id: SEA2, ParentId: PS_CUSTOM, SetupEntityId: APP_ZOE, SetupEntityType: 'ConnectedApplication' },
    { Id: SEA3, ParentId: PS_CUSTOM, SetupEntityId: APP_LOADER, SetupEntityType: 'ConnectedApplication' },
    { Id: id('0J0', 4), ParentId: PS_CUSTOM, SetupEntityId: id('01p', 1), SetupEntityType: 'ApexClass' },
  ],
  User: [
    { Id: USER_ADMIN, Username: 'admin@example.com', Name: 'Ada Admin', IsActive: true, ProfileId: ADMIN_PROFILE, LastLoginDate: '2026-03-18T09:00:00.000+0000' },
    { Id: USER_STD, Username: 'std@example.com', Name: 'Sam Standard', IsActive: false, ProfileId: STD_PROFILE, LastLoginDate: null },
    { Id: USER_API, Username: 'api@example.com', Name: 'Integration', IsActive: true, ProfileId: STD_PROFILE, LastLoginDate: '2026-03-16T12:00:00.000+0000' },
  ],
  AppMenuItem: [{ Id: MENU_LOADER, Name: 'Data_Loader', Label: 'Data Loader', ApplicationId: APP_LOADER, Type: 'ConnectedApplication' }],
  OauthToken: [
    { Id: 'should-never-show', AppName: 'Data Loader', UserId: USER_ADMIN, AppMenuItemId: MENU_LOADER, UseCount: 12, LastUsedDate: '2026-03-18T08:00:00Z', DeleteToken: 'del1' },
    { Id: 'x2', AppName: 'Data Loader', UserId: USER_API, AppMenuItemId: MENU_LOADER, UseCount: 3, LastUsedDate: '2026-03-01T08:00:00Z', DeleteToken: 'del2' },
    { Id: 'x3', AppName: 'Uninstalled Tool', UserId: USER_API, AppMenuItemId: null, UseCount: 40, LastUsedDate: null, DeleteToken: 'del3' },
  ],
  LoginHistory: [
    { Id: id('0Ya', 1), UserId: USER_ADMIN, LoginTime: '2026-03-18T01:00:00Z', Application: 'Data Loader', Status: 'Success' },
    { Id: id('0Ya', 2), UserId: USER_API, LoginTime: '2026-03-17T22:00:00Z', Application: 'Browser', Status: 'Success' },
    { Id: id('0Ya', 3), UserId: USER_API, LoginTime: '2026-03-10T12:00:00Z', Application: 'Data Loader', Status: 'Failed' },
    { Id: id('0Ya', 4), UserId: USER_STD, LoginTime: '2026-02-27T12:00:00Z', Application: 'Browser', Status: 'Success' },
  ],
  EventLogFile: [{ Id: id('0AT', 1), EventType: 'ApiTotalUsage', LogDate: '2026-03-17T00:00:00Z', LogFile: 'Q09OTkVDVEVEX0FQUF9JRA==', LogFileLength: 2048, Sequence: 0 }],
};

const PREFIXES = new Map(Object.values(OBJECTS).flatMap((o) => (o.keyPrefix === null ? [] : [[o.keyPrefix, o.name] as const])));

function makeStore(data: Record<string, Row[]>): RecordStore {
  const byId = new Map<string, Row>();
  for (const rows of Object.values(data)) for (const row of rows) if (typeof row.Id === 'string') byId.set(row.Id, row);
  return {
    rows: (name) => data[name] ?? [],
    byId: (rowId) => byId.get(rowId),
    objectOfId: (rowId) => PREFIXES.get(rowId.slice(0, 3)),
  };
}

const store = makeStore(DATA);
const OPTIONS: EvalOptions = { apiVersion: '67.0', now: NOW };

const run = (q: string, options: EvalOptions = OPTIONS): ReturnType<typeof executeSoql> => executeSoql(q, store, options);
const records = (q: string): Array<Record<string, unknown>> => run(q).records;
const ids = (q: string): unknown[] => records(q).map((r) => r.Id);
const names = (q: string): unknown[] => records(q).map((r) => r.Name);

function soqlError(fn: () => unknown): SoqlError {
  try {
    fn();
  } catch (e) {
    if (e instanceof SoqlError) return e;
    throw e;
  }
  throw new Error('expected a SoqlError, nothing was thrown');
}

const errorOf = (q: string, options: EvalOptions = OPTIONS): SoqlError => soqlError(() => run(q, options));

// ---------------------------------------------------------------------------------------------
// Parser
// ---------------------------------------------------------------------------------------------

describe('soql parser', () => {
  it('builds an AST with paths, conditions, order, limit and offset', () => {
    const q = parseSoql("select Id, Parent.Profile.Name from SetupEntityAccess where SetupEntityType = 'ConnectedApplication' order by Parent.Name desc nulls last limit 5 offset 2");
    expect(q.from.name).to.equal('SetupEntityAccess');
    expect(q.select.map((s) => (s.kind === 'field' ? s.field.path.join('.') : s.kind))).to.deep.equal(['Id', 'Parent.Profile.Name']);
    expect(q.where?.kind).to.equal('compare');
    expect(q.orderBy).to.have.length(1);
    expect(q.orderBy[0].descending).to.be.true;
    expect(q.orderBy[0].nullsFirst).to.be.false;
    expect(q.limit).to.equal(5);
    expect(q.offset).to.equal(2);
  });

  it('treats keywords case-insensitively and accepts newlines', () => {
    const q = parseSoql('SeLeCt id\nFrOm user\nWhErE IsActive = TRUE aNd NOT Name = null');
    expect(q.where?.kind).to.equal('and');
    expect(q.countOnly).to.be.false;
  });

  it('parses COUNT() and aggregate aliases', () => {
    expect(parseSoql('SELECT COUNT() FROM User').countOnly).to.be.true;
    const q = parseSoql('SELECT AppName, COUNT(Id) tokens, MAX(LastUsedDate) FROM OauthToken GROUP BY AppName');
    const agg = q.select[1];
    expect(agg.kind === 'aggregate' ? [agg.call.fn, agg.alias] : null).to.deep.equal(['COUNT', 'tokens']);
    expect(q.groupBy.map((g) => g.path.join('.'))).to.deep.equal(['AppName']);
  });

  const malformed: Array<[string, string, string]> = [
    ['missing FROM', 'SELECT Id', "unexpected token: '<EOF>'"],
    ['misspelt FROM', 'SELECT Id FORM User', "unexpected token: 'FORM'"],
    ['empty select list', 'SELECT FROM User', "unexpected token: 'FROM'"],
    ['trailing comma', 'SELECT Id, FROM User', "unexpected token: 'FROM'"],
    ['unclosed parenthesis', 'SELECT Id FROM User WHERE (IsActive = true', "unexpected token: '<EOF>'"],
    ['extra closing parenthesis', 'SELECT Id FROM User WHERE IsActive = true)', "unexpected token: ')'"],
    ['unterminated string', "SELECT Id FROM User WHERE Name = 'abc", "mismatched character '<EOF>' expecting '''"],
    ['double equals', "SELECT Id FROM User WHERE Name == 'x'", "unexpected token: '='"],
    ['unknown operator character', "SELECT Id FROM User WHERE Name ~ 'x'", "unexpected token: '~'"],
    ['missing value', 'SELECT Id FROM User WHERE Name =', "unexpected token: '<EOF>'"],
    ['trailing garbage', 'SELECT Id FROM User LIMIT 5 please', "unexpected token: 'please'"],
    ['WHERE without condition', 'SELECT Id FROM User WHERE', "unexpected token: '<EOF>'"],
    ['empty IN list', 'SELECT Id FROM User WHERE Id IN ()', "unexpected token: ')'"],
    ['AND and OR mixed without parentheses', "SELECT Id FROM User WHERE IsActive = true AND Name = 'a' OR Name = 'b'", "unexpected token: 'OR'"],
    ['OR then AND without parentheses', "SELECT Id FROM User WHERE Name = 'a' OR Name = 'b' AND IsActive = true", "unexpected token: 'AND'"],
    ['bind variable', 'SELECT Id FROM User WHERE Id = :userId', "unexpected token: ':'"],
    ['non-integer LIMIT', 'SELECT Id FROM User LIMIT 1.5', "unexpected token: '1.5'"],
    ['illegal escape', "SELECT Id FROM User WHERE Name = 'a\\qb'", "Invalid string literal 'a\\qb'. Illegal character sequence '\\q' in string literal."],
    ['LIKE-only escape outside LIKE', "SELECT Id FROM User WHERE Name = '100\\%'", "Invalid string literal '100\\%'. Illegal character sequence '\\%' in string literal."],
    ['impossible date', 'SELECT Id FROM User WHERE LastLoginDate > 2026-13-01T00:00:00Z', 'Invalid datetime: 2026-13-01T00:00:00Z'],
    ['bad time zone offset', 'SELECT Id FROM User WHERE LastLoginDate > 2020-12-12T12:12:00-25:00', 'Invalid datetime: 2020-12-12T12:12:00-25:00'],
    ['NOT LIKE (not SOQL)', "SELECT Id FROM User WHERE Name NOT LIKE 'a%'", "unexpected token: 'NOT'"],
    ['double-quoted string', 'SELECT Id FROM User WHERE Name = "x"', `unexpected token: '"'`],
  ];
  for (const [title, query, text] of malformed) {
    it(`rejects ${title} with MALFORMED_QUERY`, () => {
      const e = soqlError(() => parseSoql(query));
      expect(e.errorCode).to.equal('MALFORMED_QUERY');
      expect(e.detail).to.equal(text);
      expect(e.message).to.contain(`\n${text}`);
      expect(e.message).to.match(/ERROR at Row:\d+:Column:\d+\n/);
    });
  }

  it('formats errors like Salesforce: query line, caret, row and column', () => {
    const e = soqlError(() => parseSoql('SELECT Id FORM User'));
    expect(e.message).to.equal("\nSELECT Id FORM User\n          ^\nERROR at Row:1:Column:11\nunexpected token: 'FORM'");
    const multi = soqlError(() => parseSoql('SELECT Id\nFROM User\nWHERE Name = = 1'));
    expect(multi.message).to.equal("\nWHERE Name = = 1\n             ^\nERROR at Row:3:Column:14\nunexpected token: '='");
  });

  const unsupported: Array<[string, string]> = [
    ['TYPEOF', 'SELECT TYPEOF What WHEN Account THEN Name END FROM Event'],
    ['WITH SECURITY_ENFORCED', 'SELECT Id FROM User WITH SECURITY_ENFORCED'],
    ['FOR UPDATE', 'SELECT Id FROM User FOR UPDATE'],
    ['HAVING', 'SELECT AppName, COUNT(Id) FROM OauthToken GROUP BY AppName HAVING COUNT(Id) > 1'],
    ['FIELDS()', 'SELECT FIELDS(ALL) FROM User LIMIT 200'],
    ['date functions', 'SELECT CALENDAR_YEAR(CreatedDate) FROM User'],
    ['functions in WHERE', 'SELECT Id FROM User WHERE DAY_ONLY(LastLoginDate) = TODAY'],
    ['INCLUDES', "SELECT Id FROM User WHERE Name INCLUDES ('a')"],
    ['USING SCOPE', 'SELECT Id FROM User USING SCOPE mine'],
    ['GROUP BY ROLLUP', 'SELECT Name FROM User GROUP BY ROLLUP(Name)'],
    ['fiscal literals', 'SELECT Id FROM User WHERE LastLoginDate = THIS_FISCAL_YEAR'],
  ];
  for (const [title, query] of unsupported) {
    it(`rejects unsupported ${title} with MALFORMED_QUERY instead of guessing`, () => {
      const e = soqlError(() => parseSoql(query));
      expect(e.errorCode).to.equal('MALFORMED_QUERY');
    });
  }
});

// ---------------------------------------------------------------------------------------------
// Strings and escapes
// ---------------------------------------------------------------------------------------------

describe('soql string literals', () => {
  it('decodes \\uXXXX and \\\' escapes (Zoë\'s app)', () => {
    expect(ids("SELECT Id FROM ConnectedApplication WHERE Name = 'Zo\\u00eb\\'s app'")).to.deep.equal([APP_ZOE]);
  });

  it('accepts raw non-ASCII characters', () => {
    expect(ids("SELECT Id FROM ConnectedApplication WHERE Name = 'ZOË\\'S APP'")).to.deep.equal([APP_ZOE]);
  });

  it('decodes an escaped backslash', () => {
    expect(ids("SELECT Id FROM ConnectedApplication WHERE Name = 'Back\\\\slash 100%_done'")).to.deep.equal([APP_SLASH]);
  });

  it('does not treat a quote-escaped app name as a wildcard or terminator', () => {
    expect(ids("SELECT Id FROM ConnectedApplication WHERE Name = 'Zo\\u00eb'")).to.deep.equal([]);
  });

  it('decodes \\n, \\t and \\" into the compared value', () => {
    const local = makeStore({ ConnectedApplication: [{ Id: APP_ZOE, Name: 'a\n"b"\tc' }] });
    expect(executeSoql("SELECT Id FROM ConnectedApplication WHERE Name = 'a\\n\\\"b\\\"\\tc'", local, OPTIONS).totalSize).to.equal(1);
  });
});

// ---------------------------------------------------------------------------------------------
// Records: shape, relationships, types
// ---------------------------------------------------------------------------------------------

describe('soql records', () => {
  it('returns REST-shaped records with schema casing and only the selected fields', () => {
    const [rec] = records(`select id, name, optionsallowadminapprovedusersonly from connectedapplication where id = '${APP_ZOE}'`);
    expect(rec).to.deep.equal({
      attributes: { type: 'ConnectedApplication', url: `/services/data/v67.0/sobjects/ConnectedApplication/${APP_ZOE}` },
      Id: APP_ZOE,
      Name: "Zoë's app",
      OptionsAllowAdminApprovedUsersOnly: true,
    });
  });

  it('nests relationship paths two deep and returns null for a null reference', () => {
    const recs = records('SELECT Id, ParentId, Parent.Name, Parent.Profile.Name FROM SetupEntityAccess WHERE SetupEntityType = \'ConnectedApplication\' ORDER BY Id');
    expect(recs).to.have.length(3);
    expect(recs[0]).to.deep.equal({
      attributes: { type: 'SetupEntityAccess', url: `/services/data/v67.0/sobjects/SetupEntityAccess/${SEA1}` },
      Id: SEA1,
      ParentId: PS_ADMIN,
      Parent: {
        attributes: { type: 'PermissionSet', url: `/services/data/v67.0/sobjects/PermissionSet/${PS_ADMIN}` },
        Name: 'X00ex000000001',
        Profile: { attributes: { type: 'Profile', url: `/services/data/v67.0/sobjects/Profile/${ADMIN_PROFILE}` }, Name: 'System Administrator' },
      },
    });
    expect(recs[1].Parent).to.deep.equal({
      attributes: { type: 'PermissionSet', url: `/services/data/v67.0/sobjects/PermissionSet/${PS_CUSTOM}` },
      Name: 'Connected_App_Access',
      Profile: null,
    });
  });

  it('returns null for the whole relationship when the first hop is null', () => {
    const recs = records("SELECT AppName, AppMenuItem.ApplicationId FROM OauthToken WHERE AppName = 'Uninstalled Tool'");
    expect(recs).to.deep.equal([{ attributes: { type: 'OauthToken' }, AppName: 'Uninstalled Tool', AppMenuItem: null }]);
  });

  it('always returns OauthToken.Id as null', () => {
    const recs = records('SELECT Id, AppName, UseCount, User.Username FROM OauthToken ORDER BY UseCount DESC');
    expect(recs.map((r) => r.Id)).to.deep.equal([null, null, null]);
    expect(recs.map((r) => r.UseCount)).to.deep.equal([40, 12, 3]);
    expect((recs[1].User as Record<string, unknown>).Username).to.equal('admin@example.com');
  });

  it('outputs booleans, numbers, datetimes and nulls in REST format', () => {
    const [rec] = records(`SELECT RefreshTokenValidityPeriod, CreatedDate, StartUrl, OptionsHasSessionLevelPolicy FROM ConnectedApplication WHERE Id = '${APP_LOADER}'`);
    expect(rec.RefreshTokenValidityPeriod).to.equal(90);
    expect(rec.CreatedDate).to.equal('2026-03-17T23:59:59.000+0000');
    expect(rec.StartUrl).to.equal(null);
    expect(rec.OptionsHasSessionLevelPolicy).to.equal(false);
  });

  it('returns a base64 field as the blob URL', () => {
    const [rec] = records('SELECT Id, LogFile, LogFileLength, LogDate FROM EventLogFile');
    expect(rec.LogFile).to.equal(`/services/data/v67.0/sobjects/EventLogFile/${id('0AT', 1)}/LogFile`);
    expect(rec.LogFileLength).to.equal(2048);
    expect(rec.LogDate).to.equal('2026-03-17T00:00:00.000+0000');
  });

  it('accepts the object name or its alias as a path prefix', () => {
    expect(names("SELECT u.Name FROM User u WHERE u.Username = 'std@example.com'")).to.deep.equal(['Sam Standard']);
    expect(names("SELECT User.Name FROM User WHERE Username = 'std@example.com'")).to.deep.equal(['Sam Standard']);
  });

  it('rejects a field selected twice', () => {
    const e = errorOf('SELECT Id, Name, id FROM User');
    expect(e.errorCode).to.equal('MALFORMED_QUERY');
    expect(e.detail).to.equal('duplicate field selected: Id');
  });

  it('returns child relationship subqueries as nested query results, or null', () => {
    const recs = records('SELECT Name, (SELECT Parent.Name FROM SetupEntityAccessItems ORDER BY Parent.Name) FROM ConnectedApplication ORDER BY Name');
    expect(recs.map((r) => r.Name)).to.deep.equal(['Back\\slash 100%_done', 'Data Loader', "Zoë's app"]);
    expect(recs[0].SetupEntityAccessItems).to.equal(null);
    const zoe = recs[2].SetupEntityAccessItems as { totalSize: number; done: boolean; records: Array<Record<string, unknown>> };
    expect(zoe.totalSize).to.equal(2);
    expect(zoe.done).to.be.true;
    expect(zoe.records.map((r) => (r.Parent as Record<string, unknown>).Name)).to.deep.equal(['Connected_App_Access', 'X00ex000000001']);
    expect(zoe.records[0].attributes).to.deep.equal({ type: 'SetupEntityAccess', url: `/services/data/v67.0/sobjects/SetupEntityAccess/${SEA2}` });
  });

  it('rejects an unknown child relationship with INVALID_TYPE', () => {
    const e = errorOf('SELECT Id, (SELECT Id FROM Nope) FROM ConnectedApplication');
    expect(e.errorCode).to.equal('INVALID_TYPE');
    expect(e.detail).to.contain("Didn't understand relationship 'Nope' in FROM part of query call");
  });
});

// ---------------------------------------------------------------------------------------------
// WHERE
// ---------------------------------------------------------------------------------------------

describe('soql WHERE', () => {
  const refreshIds = (where: string): unknown[] => ids(`SELECT Id FROM ConnectedApplication WHERE ${where} ORDER BY Id`);

  it('= and != / <> (!= also matches nulls, as in SOQL)', () => {
    expect(refreshIds('RefreshTokenValidityPeriod = 30')).to.deep.equal([APP_ZOE]);
    expect(refreshIds('RefreshTokenValidityPeriod != 30')).to.deep.equal([APP_SLASH, APP_LOADER]);
    expect(refreshIds('RefreshTokenValidityPeriod <> 90')).to.deep.equal([APP_ZOE, APP_SLASH]);
  });

  it('<, <=, >, >= exclude nulls', () => {
    expect(refreshIds('RefreshTokenValidityPeriod < 90')).to.deep.equal([APP_ZOE]);
    expect(refreshIds('RefreshTokenValidityPeriod <= 90')).to.deep.equal([APP_ZOE, APP_LOADER]);
    expect(refreshIds('RefreshTokenValidityPeriod > 30')).to.deep.equal([APP_LOADER]);
    expect(refreshIds('RefreshTokenValidityPeriod >= 30')).to.deep.equal([APP_ZOE, APP_LOADER]);
  });

  it('= null and != null', () => {
    expect(refreshIds('RefreshTokenValidityPeriod = null')).to.deep.equal([APP_SLASH]);
    expect(refreshIds('RefreshTokenValidityPeriod != NULL')).to.deep.equal([APP_ZOE, APP_LOADER]);
  });

  it('compares strings case-insensitively, including < and >', () => {
    expect(names("SELECT Name FROM User WHERE Name = 'ADA ADMIN'")).to.deep.equal(['Ada Admin']);
    expect(names("SELECT Name FROM User WHERE Name > 'integration' ORDER BY Name")).to.deep.equal(['Sam Standard']);
  });

  it('booleans', () => {
    expect(names('SELECT Name FROM User WHERE IsActive = false')).to.deep.equal(['Sam Standard']);
    expect(refreshIds('OptionsAllowAdminApprovedUsersOnly = false')).to.deep.equal([APP_SLASH, APP_LOADER]);
  });

  it('IN and NOT IN, with null in the list', () => {
    expect(names("SELECT Name FROM User WHERE Username IN ('std@example.com', 'API@example.com') ORDER BY Name")).to.deep.equal(['Integration', 'Sam Standard']);
    expect(names("SELECT Name FROM User WHERE Username NOT IN ('std@example.com') ORDER BY Name")).to.deep.equal(['Ada Admin', 'Integration']);
    expect(refreshIds('RefreshTokenValidityPeriod IN (90, null)')).to.deep.equal([APP_SLASH, APP_LOADER]);
  });

  it('LIKE with % and _ wildcards, case-insensitive', () => {
    expect(refreshIds("Name LIKE 'data%'")).to.deep.equal([APP_LOADER]);
    expect(refreshIds("Name LIKE '%APP'")).to.deep.equal([APP_ZOE]);
    expect(refreshIds("Name LIKE 'Zo_\\'s app'")).to.deep.equal([APP_ZOE]);
    expect(refreshIds("Name LIKE 'Zo_s app'")).to.deep.equal([]);
  });

  it('LIKE escapes \\% and \\_ match the literal characters', () => {
    expect(refreshIds("Name LIKE '%100\\%\\_done'")).to.deep.equal([APP_SLASH]);
    expect(refreshIds("Name LIKE '%100\\%\\_x'")).to.deep.equal([]);
    expect(refreshIds("Name LIKE 'Data\\%'")).to.deep.equal([]);
  });

  it('NOT and parentheses', () => {
    expect(names("SELECT Name FROM User WHERE NOT Name = 'Ada Admin' ORDER BY Name")).to.deep.equal(['Integration', 'Sam Standard']);
    expect(names("SELECT Name FROM User WHERE NOT (IsActive = true AND Name LIKE 'A%') ORDER BY Name")).to.deep.equal(['Integration', 'Sam Standard']);
  });

  it('AND/OR grouping is decided by parentheses', () => {
    const a = names("SELECT Name FROM User WHERE (IsActive = true AND Name = 'Integration') OR Name = 'Sam Standard' ORDER BY Name");
    expect(a).to.deep.equal(['Integration', 'Sam Standard']);
    const b = names("SELECT Name FROM User WHERE IsActive = true AND (Name = 'Integration' OR Name = 'Sam Standard') ORDER BY Name");
    expect(b).to.deep.equal(['Integration']);
  });

  it('filters through relationship paths', () => {
    expect(ids("SELECT Id FROM SetupEntityAccess WHERE Parent.Profile.Name = 'System Administrator'")).to.deep.equal([SEA1]);
    expect(ids('SELECT Id FROM SetupEntityAccess WHERE Parent.IsOwnedByProfile = false AND SetupEntityId = \'' + APP_ZOE + "'")).to.deep.equal([SEA2]);
  });

  it('matches 15-character Ids against 18-character ones', () => {
    expect(names(`SELECT Name FROM User WHERE Id = '${USER_STD.slice(0, 15)}'`)).to.deep.equal(['Sam Standard']);
  });

  it('rejects a malformed Id literal', () => {
    const e = errorOf("SELECT Id FROM User WHERE Id = 'abc'");
    expect(e.errorCode).to.equal('INVALID_QUERY_FILTER_OPERATOR');
    expect(e.detail).to.equal('invalid ID field: abc');
  });

  it('rejects a literal of the wrong type', () => {
    const quoted = errorOf("SELECT Id FROM User WHERE IsActive = 'true'");
    expect(quoted.errorCode).to.equal('INVALID_QUERY_FILTER_OPERATOR');
    expect(quoted.detail).to.equal("value of filter criterion for field 'IsActive' must be of type boolean and should not be enclosed in quotes");
    const unquoted = errorOf('SELECT Id FROM User WHERE Name = 5');
    expect(unquoted.detail).to.equal("value of filter criterion for field 'Name' must be of type string and should be enclosed in quotes");
  });

  it('rejects LIKE on a non-text field', () => {
    const e = errorOf("SELECT Id FROM User WHERE ProfileId LIKE '00e%'");
    expect(e.errorCode).to.equal('INVALID_QUERY_FILTER_OPERATOR');
    expect(e.detail).to.equal('invalid operator on id field');
  });

  it('semi-join: Id IN (SELECT … ) and NOT IN', () => {
    const inner = `SELECT ParentId FROM SetupEntityAccess WHERE SetupEntityId = '${APP_ZOE}'`;
    expect(names(`SELECT Name FROM PermissionSet WHERE Id IN (${inner}) ORDER BY Name`)).to.deep.equal(['Connected_App_Access', 'X00ex000000001']);
    expect(names(`SELECT Name FROM PermissionSet WHERE Id NOT IN (${inner})`)).to.deep.equal(['Support_Group_PS']);
    expect(names(`SELECT Name FROM User WHERE ProfileId IN (SELECT Id FROM Profile WHERE PermissionsModifyAllData = true)`)).to.deep.equal(['Ada Admin']);
  });

  it('semi-join is not allowed under OR, and must select an Id field', () => {
    const or = errorOf("SELECT Id FROM PermissionSet WHERE Name = 'x' OR Id IN (SELECT ParentId FROM SetupEntityAccess)");
    expect(or.errorCode).to.equal('MALFORMED_QUERY');
    expect(or.detail).to.equal("Semi join sub-selects are not allowed with the 'OR' operator");
    expect(errorOf('SELECT Id FROM PermissionSet WHERE Id IN (SELECT Name FROM User)').errorCode).to.equal('INVALID_FIELD');
  });
});

// ---------------------------------------------------------------------------------------------
// Dates
// ---------------------------------------------------------------------------------------------

describe('soql dates (now = 2026-03-18T10:30:00Z)', () => {
  const loginIds = (where: string): number[] =>
    ids(`SELECT Id FROM LoginHistory WHERE ${where} ORDER BY LoginTime DESC`).map((v) => Number(String(v).slice(3, 15)));

  it('datetime literals with Z and with an offset', () => {
    expect(loginIds('LoginTime > 2026-03-17T23:00:00Z')).to.deep.equal([1]);
    // 2026-03-18T00:30:00+01:00 is 2026-03-17T23:30:00Z
    expect(loginIds('LoginTime < 2026-03-18T00:30:00+01:00')).to.deep.equal([2, 3, 4]);
    expect(loginIds('LoginTime = 2026-03-10T12:00:00.000Z')).to.deep.equal([3]);
  });

  it('TODAY, YESTERDAY with =, < and >', () => {
    expect(loginIds('LoginTime = TODAY')).to.deep.equal([1]);
    expect(loginIds('LoginTime = YESTERDAY')).to.deep.equal([2]);
    expect(loginIds('LoginTime < TODAY')).to.deep.equal([2, 3, 4]);
    expect(loginIds('LoginTime > YESTERDAY')).to.deep.equal([1]);
    expect(loginIds('LoginTime >= YESTERDAY')).to.deep.equal([1, 2]);
  });

  it('LAST_N_DAYS:n includes today and the n days before', () => {
    expect(loginIds('LoginTime = LAST_N_DAYS:1')).to.deep.equal([1, 2]);
    expect(loginIds('LoginTime = LAST_N_DAYS:8')).to.deep.equal([1, 2, 3]);
    expect(loginIds('LoginTime < LAST_N_DAYS:8')).to.deep.equal([4]);
  });

  it('THIS_MONTH, LAST_WEEK, LAST_N_MONTHS:n, NEXT_N_DAYS:n', () => {
    expect(loginIds('LoginTime = THIS_MONTH')).to.deep.equal([1, 2, 3]);
    // The week starts on Sunday: this week = 2026-03-15 .. 03-21, last week = 03-08 .. 03-14.
    expect(loginIds('LoginTime = LAST_WEEK')).to.deep.equal([3]);
    expect(loginIds('LoginTime = LAST_N_MONTHS:1')).to.deep.equal([4]);
    expect(loginIds('LoginTime = NEXT_N_DAYS:3')).to.deep.equal([]);
  });

  it('a date literal cannot filter a dateTime field', () => {
    const e = errorOf('SELECT Id FROM LoginHistory WHERE LoginTime > 2026-03-01');
    expect(e.errorCode).to.equal('INVALID_QUERY_FILTER_OPERATOR');
    expect(e.detail).to.equal("value of filter criterion for field 'LoginTime' must be of type dateTime and should not be enclosed in quotes");
  });

  it('relative dates work through relationships and on nullable fields', () => {
    expect(names('SELECT Name FROM User WHERE LastLoginDate = LAST_N_DAYS:2 ORDER BY Name')).to.deep.equal(['Ada Admin', 'Integration']);
    expect(names('SELECT Name FROM User WHERE LastLoginDate != TODAY ORDER BY Name')).to.deep.equal(['Integration', 'Sam Standard']);
  });
});

// ---------------------------------------------------------------------------------------------
// ORDER BY, LIMIT, OFFSET
// ---------------------------------------------------------------------------------------------

describe('soql ORDER BY / LIMIT / OFFSET', () => {
  it('ASC puts nulls first by default, DESC puts them last', () => {
    expect(ids('SELECT Id FROM ConnectedApplication ORDER BY RefreshTokenValidityPeriod')).to.deep.equal([APP_SLASH, APP_ZOE, APP_LOADER]);
    expect(ids('SELECT Id FROM ConnectedApplication ORDER BY RefreshTokenValidityPeriod DESC')).to.deep.equal([APP_LOADER, APP_ZOE, APP_SLASH]);
  });

  it('NULLS FIRST / NULLS LAST override the default', () => {
    expect(ids('SELECT Id FROM ConnectedApplication ORDER BY RefreshTokenValidityPeriod ASC NULLS LAST')).to.deep.equal([APP_ZOE, APP_LOADER, APP_SLASH]);
    expect(ids('SELECT Id FROM ConnectedApplication ORDER BY RefreshTokenValidityPeriod DESC NULLS FIRST')).to.deep.equal([APP_SLASH, APP_LOADER, APP_ZOE]);
  });

  it('sorts by several keys, including a relationship path', () => {
    // 'System Administrator' > 'Standard User'; within Standard User, api@ < std@.
    expect(ids('SELECT Id FROM User ORDER BY Profile.Name DESC, Username')).to.deep.equal([USER_ADMIN, USER_API, USER_STD]);
    expect(ids('SELECT Id FROM User ORDER BY Profile.Name, Username DESC')).to.deep.equal([USER_STD, USER_API, USER_ADMIN]);
  });

  it('LIMIT and OFFSET window the sorted rows', () => {
    expect(names('SELECT Name FROM User ORDER BY Name LIMIT 2')).to.deep.equal(['Ada Admin', 'Integration']);
    expect(names('SELECT Name FROM User ORDER BY Name LIMIT 1 OFFSET 1')).to.deep.equal(['Integration']);
    expect(names('SELECT Name FROM User ORDER BY Name OFFSET 2')).to.deep.equal(['Sam Standard']);
    expect(run('SELECT Name FROM User LIMIT 0').totalSize).to.equal(0);
  });

  it('OFFSET above 2000 is NUMBER_OUTSIDE_VALID_RANGE', () => {
    const e = errorOf('SELECT Id FROM User LIMIT 10 OFFSET 2001');
    expect(e.errorCode).to.equal('NUMBER_OUTSIDE_VALID_RANGE');
    expect(e.message).to.equal('Maximum SOQL offset allowed is 2000');
    expect(run('SELECT Id FROM User OFFSET 2000').totalSize).to.equal(0);
  });

  it('base64 fields cannot be sorted', () => {
    const e = errorOf('SELECT Id FROM EventLogFile ORDER BY LogFile');
    expect(e.errorCode).to.equal('INVALID_FIELD');
    expect(e.detail).to.equal("field 'LogFile' can not be sorted in a query call");
  });
});

// ---------------------------------------------------------------------------------------------
// COUNT() and aggregates
// ---------------------------------------------------------------------------------------------

describe('soql COUNT() and aggregates', () => {
  it('COUNT() returns only totalSize', () => {
    expect(run('SELECT COUNT() FROM User')).to.deep.equal({ objectName: 'User', records: [], totalSize: 3, isCount: true });
    expect(run('SELECT COUNT() FROM User WHERE IsActive = true').totalSize).to.equal(2);
    expect(run('SELECT COUNT() FROM OauthToken LIMIT 2').totalSize).to.equal(2);
  });

  it('COUNT() must stand alone', () => {
    expect(soqlError(() => parseSoql('SELECT Id, COUNT() FROM User')).errorCode).to.equal('MALFORMED_QUERY');
  });

  it('GROUP BY with COUNT, SUM and MAX, using exprN and explicit aliases', () => {
    const result = run('SELECT AppName, COUNT(UserId), SUM(UseCount) uses, MAX(LastUsedDate) FROM OauthToken GROUP BY AppName ORDER BY AppName');
    expect(result.isCount).to.be.false;
    expect(result.totalSize).to.equal(2);
    expect(result.records).to.deep.equal([
      { attributes: { type: 'AggregateResult' }, AppName: 'Data Loader', expr0: 2, uses: 15, expr1: '2026-03-18T08:00:00.000+0000' },
      { attributes: { type: 'AggregateResult' }, AppName: 'Uninstalled Tool', expr0: 1, uses: 40, expr1: null },
    ]);
  });

  it('groups by a relationship field under its own name and orders by an aggregate', () => {
    const recs = records('SELECT Profile.Name, COUNT(Id) n FROM User GROUP BY Profile.Name ORDER BY COUNT(Id) DESC');
    expect(recs).to.deep.equal([
      { attributes: { type: 'AggregateResult' }, Name: 'Standard User', n: 2 },
      { attributes: { type: 'AggregateResult' }, Name: 'System Administrator', n: 1 },
    ]);
  });

  it('COUNT(field) skips nulls; COUNT_DISTINCT counts distinct values', () => {
    const [rec] = records('SELECT COUNT(UserId), COUNT(AppMenuItemId), COUNT_DISTINCT(UserId) FROM OauthToken');
    expect(rec).to.deep.equal({ attributes: { type: 'AggregateResult' }, expr0: 3, expr1: 2, expr2: 2 });
    expect(records('SELECT COUNT(Id), COUNT(LastLoginDate) FROM User')[0]).to.deep.equal({ attributes: { type: 'AggregateResult' }, expr0: 3, expr1: 2 });
  });

  it('refuses COUNT(Id) on OauthToken, whose Id is always null', () => {
    const e = errorOf('SELECT AppName, COUNT(Id) FROM OauthToken GROUP BY AppName');
    expect(e.errorCode).to.equal('MALFORMED_QUERY');
    expect(e.detail).to.contain('use COUNT() or COUNT(UserId)');
  });

  it('an aggregate without GROUP BY returns one row even with no matches', () => {
    expect(records("SELECT COUNT(UserId), MAX(UseCount) FROM OauthToken WHERE AppName = 'none'")).to.deep.equal([
      { attributes: { type: 'AggregateResult' }, expr0: 0, expr1: null },
    ]);
  });

  it('rejects a field that is neither grouped nor aggregated', () => {
    const e = errorOf('SELECT AppName, UserId, COUNT(AppName) FROM OauthToken GROUP BY AppName');
    expect(e.errorCode).to.equal('MALFORMED_QUERY');
    expect(e.detail).to.equal('Field must be grouped or aggregated: UserId');
  });

  it('rejects SUM of a non-numeric field and GROUP BY a dateTime field', () => {
    expect(errorOf('SELECT SUM(AppName) FROM OauthToken').detail).to.equal('field AppName does not support aggregate operator SUM');
    const e = errorOf('SELECT LastUsedDate, COUNT(UserId) FROM OauthToken GROUP BY LastUsedDate');
    expect(e.errorCode).to.equal('INVALID_FIELD');
    expect(e.detail).to.equal("field 'LastUsedDate' can not be grouped in a query call");
  });
});

// ---------------------------------------------------------------------------------------------
// Schema errors, licensing, filterability
// ---------------------------------------------------------------------------------------------

describe('soql schema errors', () => {
  it('unknown field → INVALID_FIELD with the real message', () => {
    const e = errorOf('SELECT Id, Foo FROM User');
    expect(e.errorCode).to.equal('INVALID_FIELD');
    expect(e.detail).to.equal(
      "No such column 'Foo' on entity 'User'. If you are attempting to use a custom field, be sure to append the '__c' after the custom field name. Please reference your WSDL or the describe call for the appropriate names."
    );
    expect(e.message).to.contain('ERROR at Row:1:Column:12');
  });

  it('unknown field behind a relationship names the related entity', () => {
    expect(errorOf('SELECT Parent.Profile.Foo FROM SetupEntityAccess').detail).to.contain("No such column 'Foo' on entity 'Profile'");
  });

  it('unknown relationship → INVALID_FIELD', () => {
    const e = errorOf('SELECT Owner.Name FROM SetupEntityAccess');
    expect(e.errorCode).to.equal('INVALID_FIELD');
    expect(e.detail).to.contain("Didn't understand relationship 'Owner' in field path");
    // LoginHistory.UserId has no relationship in the real API.
    expect(errorOf('SELECT User.Name FROM LoginHistory').errorCode).to.equal('INVALID_FIELD');
  });

  it('unknown object → INVALID_TYPE with the real message', () => {
    const e = errorOf('SELECT Id FROM Foo');
    expect(e.errorCode).to.equal('INVALID_TYPE');
    expect(e.detail).to.equal(
      "sObject type 'Foo' is not supported. If you are attempting to use a custom object, be sure to append the '__c' after the entity name. Please reference your WSDL or the describe call for the appropriate names."
    );
    expect(e.message).to.contain('ERROR at Row:1:Column:16');
  });

  it('an unlicensed object → INVALID_TYPE, also inside a semi-join', () => {
    const options: EvalOptions = { ...OPTIONS, isLicensed: (name) => name !== 'EventLogFile' };
    expect(errorOf('SELECT Id FROM EventLogFile', options).errorCode).to.equal('INVALID_TYPE');
    expect(errorOf('select id from eventlogfile', options).detail).to.contain("sObject type 'eventlogfile' is not supported");
    expect(errorOf('SELECT Id FROM User WHERE Id IN (SELECT CreatedById FROM EventLogFile)', options).errorCode).to.equal('INVALID_TYPE');
    expect(run('SELECT COUNT() FROM User', options).totalSize).to.equal(3);
  });

  it('filtering on a non-filterable field → INVALID_FIELD', () => {
    const e = errorOf("SELECT Id FROM LoginHistory WHERE Application = 'Data Loader'");
    expect(e.errorCode).to.equal('INVALID_FIELD');
    expect(e.detail).to.equal("field 'Application' can not be filtered in query call");
    // Selecting it is fine, and the documented filterable fields filter.
    expect(records(`SELECT Application FROM LoginHistory WHERE UserId = '${USER_API}' ORDER BY LoginTime`).map((r) => r.Application)).to.deep.equal([
      'Data Loader',
      'Browser',
    ]);
  });

  it('errors do not depend on data: an empty store still validates fields', () => {
    const empty = makeStore({});
    expect(soqlError(() => executeSoql('SELECT Nope FROM User', empty, OPTIONS)).errorCode).to.equal('INVALID_FIELD');
    expect(executeSoql('SELECT Id FROM User', empty, OPTIONS).totalSize).to.equal(0);
  });
});

// ---------------------------------------------------------------------------------------------
// Schema / describe
// ---------------------------------------------------------------------------------------------

describe('emulator schema', () => {
  it('findObject is case-insensitive', () => {
    expect(findObject('setupentityaccess')?.name).to.equal('SetupEntityAccess');
    expect(findObject('Nope')).to.equal(undefined);
  });

  it('uses the documented key prefixes', () => {
    const prefixes = Object.fromEntries(Object.values(OBJECTS).map((o) => [o.name, o.keyPrefix]));
    expect(prefixes).to.include({ User: '005', Profile: '00e', PermissionSet: '0PS', PermissionSetAssignment: '0Pa', PermissionSetGroup: '0PG' });
    expect(prefixes).to.include({ ConnectedApplication: '0H4', SetupEntityAccess: '0J0', AppMenuItem: '0DS', LoginHistory: '0Ya', EventLogFile: '0AT', Organization: '00D' });
  });

  it('describes SetupEntityAccess like the REST describe', () => {
    const d = describeSObject(OBJECTS.SetupEntityAccess, 'v67.0');
    expect(d).to.include({ name: 'SetupEntityAccess', keyPrefix: '0J0', queryable: true, createable: true, deletable: true, updateable: false });
    expect(d.urls).to.deep.equal({
      rowTemplate: '/services/data/v67.0/sobjects/SetupEntityAccess/{ID}',
      describe: '/services/data/v67.0/sobjects/SetupEntityAccess/describe',
      sobject: '/services/data/v67.0/sobjects/SetupEntityAccess',
    });
    const fields = d.fields as Array<Record<string, unknown>>;
    const parent = fields.find((f) => f.name === 'ParentId');
    expect(parent).to.include({ type: 'reference', relationshipName: 'Parent', createable: true, updateable: false, nillable: false });
    expect(parent?.referenceTo).to.deep.equal(['PermissionSet']);
    expect(fields.find((f) => f.name === 'SetupEntityType')).to.include({ type: 'picklist', createable: false, restrictedPicklist: true });
    expect((fields.find((f) => f.name === 'SetupEntityId')?.referenceTo as string[]).includes('ExternalClientApplication')).to.be.true;
  });

  it('lists child relationships, e.g. ConnectedApplication.SetupEntityAccessItems', () => {
    const d = describeSObject(OBJECTS.ConnectedApplication, '67.0');
    expect(d.childRelationships).to.deep.include({
      cascadeDelete: false,
      childSObject: 'SetupEntityAccess',
      deprecatedAndHidden: false,
      field: 'SetupEntityId',
      junctionIdListNames: [],
      junctionReferenceTo: [],
      relationshipName: 'SetupEntityAccessItems',
      restrictedDelete: false,
    });
  });

  it('marks only the documented LoginHistory fields filterable', () => {
    const fields = describeSObject(OBJECTS.LoginHistory, '67.0').fields as Array<{ name: string; filterable: boolean }>;
    const filterable = fields.filter((f) => f.filterable).map((f) => f.name).sort();
    expect(filterable).to.deep.equal(
      ['AuthenticationServiceId', 'CipherSuite', 'CountryIso', 'Id', 'LoginTime', 'LoginType', 'LoginUrl', 'NetworkId', 'OptionsIsGet', 'OptionsIsPost', 'TlsProtocol', 'UserId'].sort()
    );
  });

  it('has no API-only field on User (it is a Profile/PermissionSet permission)', () => {
    expect(OBJECTS.User.fields.some((f) => /ApiUserOnly/.test(f.name))).to.be.false;
    expect(OBJECTS.Profile.fields.some((f) => f.name === 'PermissionsApiUserOnly')).to.be.true;
    expect(OBJECTS.PermissionSet.fields.some((f) => f.name === 'PermissionsApiUserOnly')).to.be.true;
  });
});
