// Object schemas of the org emulator and the REST `describe` built from them.
//
// Field names, types and key prefixes follow the Summer '26 (API 67.0) object reference; see
// ../shared/reference/salesforce-api-facts.md §2–5. Anything not confirmed there is marked "unverified".
// Only the fields the plugin (and its tests) need are modelled, plus the standard audit fields.

export type FieldType =
  | 'id'
  | 'string'
  | 'boolean'
  | 'int'
  | 'double'
  | 'date'
  | 'datetime'
  | 'reference'
  | 'picklist'
  | 'textarea'
  | 'url'
  | 'base64'
  | 'email';

export type FieldDef = {
  name: string;
  type: FieldType;
  referenceTo?: string;
  relationshipName?: string;
  filterable?: boolean;
  nillable?: boolean;
  createable?: boolean;
  updateable?: boolean;
  /** Describe length where the default for the type is wrong. */
  length?: number;
};

export type ObjectDef = {
  name: string;
  keyPrefix: string | null;
  fields: FieldDef[];
  queryable?: boolean;
  createable?: boolean;
  deletable?: boolean;
};

// ---------------------------------------------------------------------------------------------
// Field helpers
// ---------------------------------------------------------------------------------------------

const field = (name: string, type: FieldType, extra: Omit<Partial<FieldDef>, 'name' | 'type'> = {}): FieldDef => ({
  name,
  type,
  ...extra,
});

const ref = (name: string, referenceTo: string, relationshipName?: string, extra: Omit<Partial<FieldDef>, 'name' | 'type'> = {}): FieldDef =>
  field(name, 'reference', relationshipName === undefined ? { referenceTo, ...extra } : { referenceTo, relationshipName, ...extra });

/** Fields the client may set on insert and update. */
const rw = { createable: true, updateable: true } as const;

const ID = field('Id', 'id', { nillable: false });

const CREATED = [field('CreatedDate', 'datetime', { nillable: false }), ref('CreatedById', 'User', 'CreatedBy', { nillable: false })];
const MODIFIED = [field('LastModifiedDate', 'datetime', { nillable: false }), ref('LastModifiedById', 'User', 'LastModifiedBy', { nillable: false })];
const MODSTAMP = [field('SystemModstamp', 'datetime', { nillable: false })];
/** CreatedDate/CreatedById/LastModifiedDate/LastModifiedById/SystemModstamp. */
const AUDIT = [...CREATED, ...MODIFIED, ...MODSTAMP];

/** The user permissions shared by Profile and PermissionSet (`Permissions<ApiName>` booleans). */
const PERMISSIONS = [
  'PermissionsApiUserOnly',
  'PermissionsModifyAllData',
  // Metadata name `ApproveUninstalledConnectedApps` comes from community code (facts §6, unverified).
  'PermissionsApproveUninstalledConnectedApps',
  'PermissionsUseAnyApiClient',
  'PermissionsViewSetup',
  'PermissionsCustomizeApplication',
  'PermissionsManageUsers',
].map((name) => field(name, 'boolean', rw));

// ---------------------------------------------------------------------------------------------
// Objects
// ---------------------------------------------------------------------------------------------

const OBJECT_LIST: ObjectDef[] = [
  {
    name: 'Organization',
    keyPrefix: '00D',
    fields: [
      ID,
      field('Name', 'string', { nillable: false }),
      field('OrganizationType', 'picklist'),
      field('IsSandbox', 'boolean'),
      field('InstanceName', 'string'),
      field('NamespacePrefix', 'string'),
      field('TrialExpirationDate', 'datetime'),
      ...AUDIT,
    ],
  },
  {
    // There is no API-only flag on User: "API Only User" is the user permission PermissionsApiUserOnly on the
    // user's Profile or an assigned PermissionSet, so it is modelled there and not here.
    name: 'User',
    keyPrefix: '005',
    createable: true,
    fields: [
      ID,
      field('Username', 'string', { nillable: false, ...rw }),
      field('Name', 'string', { nillable: false }),
      field('FirstName', 'string', rw),
      field('LastName', 'string', { nillable: false, ...rw }),
      field('Email', 'email', { nillable: false, ...rw }),
      field('IsActive', 'boolean', rw),
      ref('ProfileId', 'Profile', 'Profile', { nillable: false, ...rw }),
      field('UserType', 'picklist'),
      field('LastLoginDate', 'datetime'),
      ...AUDIT,
    ],
  },
  {
    name: 'Profile',
    keyPrefix: '00e',
    fields: [
      ID,
      field('Name', 'string', { nillable: false, updateable: true }),
      field('Description', 'string', { updateable: true }),
      // Real field references UserLicense; that object is not modelled, so no relationship is offered.
      field('UserLicenseId', 'reference', { referenceTo: 'UserLicense', nillable: false }),
      field('UserType', 'picklist'),
      ...PERMISSIONS.map((p) => ({ ...p, createable: false })),
      ...AUDIT,
    ],
  },
  {
    name: 'PermissionSet',
    keyPrefix: '0PS',
    createable: true,
    deletable: true,
    fields: [
      ID,
      field('Name', 'string', { nillable: false, ...rw }),
      field('Label', 'string', { nillable: false, ...rw }),
      field('Description', 'textarea', rw),
      field('IsOwnedByProfile', 'boolean'),
      field('IsCustom', 'boolean'),
      ref('ProfileId', 'Profile', 'Profile'),
      ref('PermissionSetGroupId', 'PermissionSetGroup', 'PermissionSetGroup'),
      field('NamespacePrefix', 'string'),
      field('Type', 'picklist'),
      ...PERMISSIONS,
      ...AUDIT,
    ],
  },
  {
    // PermissionSetAssignment has SystemModstamp but no Created*/LastModified* fields.
    name: 'PermissionSetAssignment',
    keyPrefix: '0Pa',
    createable: true,
    deletable: true,
    fields: [
      ID,
      ref('AssigneeId', 'User', 'Assignee', { nillable: false, createable: true }),
      ref('PermissionSetId', 'PermissionSet', 'PermissionSet', { createable: true }),
      ref('PermissionSetGroupId', 'PermissionSetGroup', 'PermissionSetGroup', { createable: true }),
      field('IsActive', 'boolean'),
      field('ExpirationDate', 'datetime', rw),
      ...MODSTAMP,
    ],
  },
  {
    name: 'PermissionSetGroup',
    keyPrefix: '0PG',
    createable: true,
    deletable: true,
    fields: [
      ID,
      field('DeveloperName', 'string', { nillable: false, ...rw }),
      field('MasterLabel', 'string', { nillable: false, ...rw }),
      field('Description', 'textarea', rw),
      field('NamespacePrefix', 'string'),
      field('Status', 'picklist'),
      ...AUDIT,
    ],
  },
  {
    // Key prefix 0PH is a guess (unverified).
    name: 'PermissionSetGroupComponent',
    keyPrefix: '0PH',
    createable: true,
    deletable: true,
    fields: [
      ID,
      ref('PermissionSetGroupId', 'PermissionSetGroup', 'PermissionSetGroup', { nillable: false, createable: true }),
      ref('PermissionSetId', 'PermissionSet', 'PermissionSet', { nillable: false, createable: true }),
      ...AUDIT,
    ],
  },
  {
    // "All fields are read-only"; only describe/query/retrieve. SystemModstamp is not listed in the docs (unverified).
    name: 'ConnectedApplication',
    keyPrefix: '0H4',
    fields: [
      ID,
      field('Name', 'string', { nillable: false }),
      field('OptionsAllowAdminApprovedUsersOnly', 'boolean'),
      field('OptionsRefreshTokenValidityMetric', 'boolean'),
      field('RefreshTokenValidityPeriod', 'int'),
      field('OptionsHasSessionLevelPolicy', 'boolean'),
      field('OptionsTokenExchangeManageBitEnabled', 'boolean'),
      field('OptionsIsInternal', 'boolean'),
      field('OptionsFullContentPushNotifications', 'boolean'),
      field('OptionsCodeCredentialGuestEnabled', 'boolean'),
      field('MobileSessionTimeout', 'picklist'),
      field('PinLength', 'picklist'),
      field('StartUrl', 'url'),
      field('MobileStartUrl', 'url'),
      field('NamedUserUvidTimeout', 'picklist'),
      field('UvidTimeout', 'picklist'),
      ...CREATED,
      ...MODIFIED,
    ],
  },
  {
    // create/delete/query, no update. SetupEntityType is derived from SetupEntityId and not createable.
    name: 'SetupEntityAccess',
    keyPrefix: '0J0',
    createable: true,
    deletable: true,
    fields: [
      ID,
      ref('ParentId', 'PermissionSet', 'Parent', { nillable: false, createable: true }),
      // Polymorphic in the real describe (see POLYMORPHIC_REFERENCES); no relationship name is offered.
      ref('SetupEntityId', 'ConnectedApplication', undefined, { nillable: false, createable: true }),
      field('SetupEntityType', 'picklist'),
      ...MODSTAMP,
    ],
  },
  {
    // Audit fields on AppMenuItem are assumed (unverified). IsVisible is the only updatable field.
    name: 'AppMenuItem',
    keyPrefix: '0DS',
    fields: [
      ID,
      field('Name', 'string'),
      field('Label', 'string'),
      field('Description', 'string'),
      field('Type', 'picklist'),
      // Points at the app (ConnectedApplication for Type 'ConnectedApplication', other app kinds otherwise).
      field('ApplicationId', 'reference', { referenceTo: 'ConnectedApplication' }),
      field('IsUsingAdminAuthorization', 'boolean'),
      field('IsAccessible', 'boolean'),
      field('IsVisible', 'boolean', { updateable: true }),
      field('NamespacePrefix', 'string'),
      field('StartUrl', 'url'),
      field('MobileStartUrl', 'url'),
      ...AUDIT,
    ],
  },
  {
    // describe/query only. Id is "reserved, always null"; the key prefix is not documented.
    name: 'OauthToken',
    keyPrefix: null,
    fields: [
      field('Id', 'id'),
      field('AccessToken', 'string'),
      ref('AppMenuItemId', 'AppMenuItem', 'AppMenuItem'),
      field('AppName', 'string'),
      field('CreatedDate', 'datetime', { nillable: false }),
      field('DeleteToken', 'string'),
      field('LastUsedDate', 'datetime'),
      field('RequestToken', 'string'),
      field('UseCount', 'int'),
      ref('UserId', 'User', 'User'),
    ],
  },
  {
    // Only the documented fields are filterable: AuthenticationServiceId, CipherSuite, CountryIso, Id, LoginTime,
    // LoginType, LoginUrl, NetworkId, OptionsIsGet, OptionsIsPost, TlsProtocol, UserId. No audit fields.
    name: 'LoginHistory',
    keyPrefix: '0Ya',
    fields: [
      ID,
      // LoginHistory offers no User relationship (LoginHistory.User.Name is rejected by the real API).
      field('UserId', 'reference', { referenceTo: 'User' }),
      field('LoginTime', 'datetime', { nillable: false }),
      field('LoginType', 'picklist'),
      field('LoginSubType', 'picklist', { filterable: false }),
      field('Application', 'string', { filterable: false }),
      field('ApiType', 'string', { filterable: false }),
      field('ApiVersion', 'string', { filterable: false }),
      field('Browser', 'string', { filterable: false }),
      field('Platform', 'string', { filterable: false }),
      field('SourceIp', 'string', { filterable: false }),
      field('Status', 'string', { filterable: false }),
      field('LoginUrl', 'string'),
      field('CountryIso', 'string'),
      field('ClientVersion', 'string', { filterable: false }),
      field('AuthenticationServiceId', 'reference', { referenceTo: 'AuthConfig' }),
      field('TlsProtocol', 'picklist'),
      field('CipherSuite', 'picklist'),
      field('NetworkId', 'reference', { referenceTo: 'Network' }),
      field('OptionsIsGet', 'boolean'),
      field('OptionsIsPost', 'boolean'),
    ],
  },
  {
    // UNVERIFIED OBJECT: a queryable LoginIpRange appears only in community code, with conflicting field names
    // (StartAddress/EndAddress vs IpStartAddress/IpEndAddress); not found in the object reference (facts §11).
    // Key prefix unknown.
    name: 'LoginIpRange',
    keyPrefix: null,
    fields: [
      ID,
      ref('ProfileId', 'Profile', 'Profile'),
      field('StartAddress', 'string'),
      field('EndAddress', 'string'),
      field('Description', 'string'),
      ...AUDIT,
    ],
  },
  {
    name: 'EventLogFile',
    keyPrefix: '0AT',
    fields: [
      ID,
      field('EventType', 'picklist', { nillable: false }),
      field('LogDate', 'datetime', { nillable: false }),
      field('Interval', 'picklist'),
      field('Sequence', 'int'),
      // base64: SOQL returns the blob's relative URL (…/sobjects/EventLogFile/<id>/LogFile), never the content.
      field('LogFile', 'base64', { filterable: false, nillable: false }),
      field('LogFileLength', 'double'),
      field('IsDeleted', 'boolean', { nillable: false }),
      // As the real describe has them (corpus api-responses): strings of 1333, not filterable.
      field('LogFileFieldNames', 'string', { length: 1333, filterable: false }),
      field('LogFileFieldTypes', 'string', { length: 1333, filterable: false }),
      field('LogFileContentType', 'string'),
      field('ApiVersion', 'double'),
      ...AUDIT,
    ],
  },
];

export const OBJECTS: Record<string, ObjectDef> = Object.fromEntries(OBJECT_LIST.map((o) => [o.name, o]));

const BY_LOWER_NAME = new Map(OBJECT_LIST.map((o) => [o.name.toLowerCase(), o]));

/** Case-insensitive lookup by API name. */
export function findObject(name: string): ObjectDef | undefined {
  return BY_LOWER_NAME.get(name.toLowerCase());
}

/** Case-insensitive field lookup. */
export function findField(def: ObjectDef, name: string): FieldDef | undefined {
  const lower = name.toLowerCase();
  return def.fields.find((f) => f.name.toLowerCase() === lower);
}

// ---------------------------------------------------------------------------------------------
// Child relationships (parent-to-child subqueries and describe.childRelationships)
// ---------------------------------------------------------------------------------------------

/**
 * Relationship names of child relationships, keyed `<ChildObject>.<Field>`. Documented or seen in
 * describe-derived typings: ConnectedApplication.SetupEntityAccessItems (facts §2), PermissionSet.SetupEntityAccessItems,
 * PermissionSet.Assignments, User.PermissionSetAssignments. The rest are unverified.
 */
const CHILD_RELATIONSHIP_NAMES: Record<string, string> = {
  'SetupEntityAccess.ParentId': 'SetupEntityAccessItems',
  'SetupEntityAccess.SetupEntityId': 'SetupEntityAccessItems',
  'PermissionSetAssignment.PermissionSetId': 'Assignments',
  'PermissionSetAssignment.AssigneeId': 'PermissionSetAssignments',
  'PermissionSetGroupComponent.PermissionSetGroupId': 'PermissionSetGroupComponents', // unverified
  'PermissionSetGroupComponent.PermissionSetId': 'PermissionSetGroupComponents', // unverified
  'PermissionSet.ProfileId': 'PermissionSets', // unverified
  'LoginIpRange.ProfileId': 'LoginIpRanges', // unverified (community code)
};

export type ChildRelationship = { childSObject: string; field: string; relationshipName: string | null };

/** Every reference field on any object that points at `def`, with its relationship name when it has one. */
export function childRelationships(def: ObjectDef): ChildRelationship[] {
  const result: ChildRelationship[] = [];
  for (const child of OBJECT_LIST) {
    for (const f of child.fields) {
      if (f.type === 'reference' && f.referenceTo === def.name) {
        result.push({ childSObject: child.name, field: f.name, relationshipName: CHILD_RELATIONSHIP_NAMES[`${child.name}.${f.name}`] ?? null });
      }
    }
  }
  return result;
}

// ---------------------------------------------------------------------------------------------
// Field properties derived from the type
// ---------------------------------------------------------------------------------------------

export function isFilterable(f: FieldDef): boolean {
  return f.filterable ?? f.type !== 'base64';
}

export function isSortable(f: FieldDef): boolean {
  return f.type !== 'base64' && !(f.type === 'textarea' && f.filterable === false);
}

/** dateTime, double and long text fields are not groupable in Salesforce. */
export function isGroupable(f: FieldDef): boolean {
  return !['datetime', 'double', 'base64'].includes(f.type) && !(f.type === 'textarea' && f.filterable === false);
}

export function isNillable(f: FieldDef): boolean {
  return f.nillable ?? (f.type !== 'boolean' && f.type !== 'id');
}

// ---------------------------------------------------------------------------------------------
// describe
// ---------------------------------------------------------------------------------------------

/** The real describe lists every target of a polymorphic reference. */
const POLYMORPHIC_REFERENCES: Record<string, string[]> = {
  'SetupEntityAccess.SetupEntityId': [
    'ApexClass',
    'ApexPage',
    'ConnectedApplication',
    'CustomPermission',
    'ExternalClientApplication',
    'ServiceProvider',
    'TabSet',
  ],
};

const PICKLIST_VALUES: Record<string, string[]> = {
  'SetupEntityAccess.SetupEntityType': [
    'ApexClass',
    'ApexPage',
    'ConnectedApplication',
    'CustomPermission',
    'ExternalClientApplication',
    'ServiceProvider',
    'TabSet',
  ],
  'EventLogFile.Interval': ['Daily', 'Hourly'],
  'PermissionSetGroup.Status': ['Updated', 'Outdated', 'Updating', 'Failed'],
  'ConnectedApplication.PinLength': ['4', '5', '6', '7', '8'],
};

const SOAP_TYPES: Record<FieldType, string> = {
  id: 'tns:ID',
  reference: 'tns:ID',
  string: 'xsd:string',
  picklist: 'xsd:string',
  textarea: 'xsd:string',
  url: 'xsd:string',
  email: 'xsd:string',
  boolean: 'xsd:boolean',
  int: 'xsd:int',
  double: 'xsd:double',
  date: 'xsd:date',
  datetime: 'xsd:dateTime',
  base64: 'xsd:base64Binary',
};

function fieldLength(f: FieldDef): number {
  if (f.length !== undefined) return f.length;
  switch (f.type) {
    case 'id':
    case 'reference':
      return 18;
    case 'url':
      return 2400;
    case 'textarea':
      return f.filterable === false ? 131072 : 255;
    case 'picklist':
    case 'string':
    case 'email':
      return f.name === 'Name' ? 80 : 255;
    default:
      return 0;
  }
}

/** "OptionsAllowAdminApprovedUsersOnly" → "Options Allow Admin Approved Users Only"; reference "ProfileId" → "Profile ID". */
function labelOf(f: FieldDef): string {
  if (f.type === 'id') return `${f.name === 'Id' ? 'Record' : f.name} ID`;
  const base = f.type === 'reference' && f.name.endsWith('Id') ? `${f.name.slice(0, -2)} ID` : f.name;
  return base.replace(/([a-z0-9])([A-Z])/g, '$1 $2').replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2');
}

function apiVersionNumber(apiVersion: string): string {
  return apiVersion.replace(/^v/i, '');
}

function describeField(def: ObjectDef, f: FieldDef): Record<string, unknown> {
  const key = `${def.name}.${f.name}`;
  const referenceTo = f.type === 'reference' ? POLYMORPHIC_REFERENCES[key] ?? (f.referenceTo === undefined ? [] : [f.referenceTo]) : [];
  return {
    aggregatable: f.type !== 'base64' && f.type !== 'boolean' && !(f.type === 'textarea' && f.filterable === false),
    autoNumber: false,
    byteLength: fieldLength(f) * 3,
    calculated: f.name === 'Name' && def.name === 'User',
    calculatedFormula: null,
    cascadeDelete: false,
    caseSensitive: false,
    compoundFieldName: null,
    controllerName: null,
    createable: f.createable ?? false,
    custom: false,
    defaultValue: f.type === 'boolean' ? false : null,
    defaultValueFormula: null,
    defaultedOnCreate: f.type === 'boolean' || f.type === 'id' || f.name === 'CreatedDate' || f.name === 'SystemModstamp',
    dependentPicklist: false,
    deprecatedAndHidden: false,
    digits: f.type === 'int' ? 9 : 0,
    displayLocationInDecimal: false,
    encrypted: false,
    externalId: false,
    extraTypeInfo: null,
    filterable: isFilterable(f),
    filteredLookupInfo: null,
    groupable: isGroupable(f),
    highScaleNumber: false,
    htmlFormatted: false,
    idLookup: f.type === 'id' || (f.name === 'Name' && def.name === 'ConnectedApplication') || f.name === 'Username',
    inlineHelpText: null,
    label: labelOf(f),
    length: fieldLength(f),
    mask: null,
    maskType: null,
    name: f.name,
    nameField: f.name === 'Name',
    namePointing: false,
    nillable: isNillable(f),
    permissionable: false,
    picklistValues: (PICKLIST_VALUES[key] ?? []).map((value) => ({ active: true, defaultValue: false, label: value, validFor: null, value })),
    polymorphicForeignKey: referenceTo.length > 1,
    precision: f.type === 'double' ? 18 : 0,
    queryByDistance: false,
    referenceTargetField: null,
    referenceTo,
    relationshipName: f.relationshipName ?? null,
    relationshipOrder: null,
    restrictedDelete: false,
    restrictedPicklist: f.type === 'picklist' && key in PICKLIST_VALUES,
    scale: 0,
    searchPrefilterable: false,
    soapType: SOAP_TYPES[f.type],
    sortable: isSortable(f),
    type: f.type,
    unique: f.name === 'Username',
    updateable: f.updateable ?? false,
    writeRequiresMasterRead: false,
  };
}

/** The REST `GET /services/data/vXX.X/sobjects/<name>/describe` body for an object. */
export function describeSObject(def: ObjectDef, apiVersion: string): Record<string, unknown> {
  const base = `/services/data/v${apiVersionNumber(apiVersion)}/sobjects/${def.name}`;
  const label = def.name.replace(/([a-z0-9])([A-Z])/g, '$1 $2');
  return {
    actionOverrides: [],
    activateable: false,
    associateEntityType: null,
    associateParentEntity: null,
    childRelationships: childRelationships(def).map((c) => ({
      cascadeDelete: false,
      childSObject: c.childSObject,
      deprecatedAndHidden: false,
      field: c.field,
      junctionIdListNames: [],
      junctionReferenceTo: [],
      relationshipName: c.relationshipName,
      restrictedDelete: false,
    })),
    compactLayoutable: false,
    createable: def.createable ?? false,
    custom: false,
    customSetting: false,
    deepCloneable: false,
    defaultImplementation: null,
    deletable: def.deletable ?? false,
    deprecatedAndHidden: false,
    extendedBy: null,
    extendsInterfaces: null,
    feedEnabled: false,
    fields: def.fields.map((f) => describeField(def, f)),
    hasSubtypes: false,
    implementedBy: null,
    implementsInterfaces: null,
    isInterface: false,
    isSubtype: false,
    keyPrefix: def.keyPrefix,
    label,
    labelPlural: label.endsWith('y') ? `${label.slice(0, -1)}ies` : `${label}s`,
    layoutable: false,
    listviewable: null,
    lookupLayoutable: null,
    mergeable: false,
    mruEnabled: false,
    name: def.name,
    namedLayoutInfos: [],
    networkScopeFieldName: null,
    queryable: def.queryable ?? true,
    recordTypeInfos: [],
    replicateable: false,
    retrieveable: true,
    searchLayoutable: false,
    searchable: false,
    sobjectDescribeOption: 'FULL',
    supportedScopes: [{ label: 'All records', name: 'everything' }],
    triggerable: false,
    undeletable: false,
    updateable: def.fields.some((f) => f.updateable === true),
    urls: {
      rowTemplate: `${base}/{ID}`,
      describe: `${base}/describe`,
      sobject: base,
    },
  };
}
