// Object schemas of the org emulator and the REST `describe` built from them.
//
// The objects, fields and field properties come from schemas/sobjects.json, written from the Object Reference for the
// Salesforce Platform (API 67.0); each object there cites its page. Objects and fields marked optional exist in some
// orgs and not in others: an org decides with `org.optionalSchema` (see org.ts).
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

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

type Flag = 'filter' | 'group' | 'sort' | 'aggregate' | 'nillable' | 'create' | 'update';

export type FieldDef = {
  name: string;
  type: FieldType;
  referenceTo?: string;
  relationshipName?: string;
  /** Describe length where the default for the type is wrong. */
  length?: number;
  flags: Flag[];
  /** Exists in some orgs only (present unless the org says otherwise when defaultPresent). */
  optional?: boolean;
  defaultPresent?: boolean;
  note?: string;
};

export type ObjectDef = {
  name: string;
  /** The object reference page the definition was written from. */
  reference?: string;
  /** false: not in the object reference (community-reported). */
  documented?: boolean;
  optional?: boolean;
  defaultPresent?: boolean;
  note?: string;
  keyPrefix: string | null;
  fields: FieldDef[];
  queryable?: boolean;
  createable?: boolean;
  deletable?: boolean;
};

type SchemaFile = { apiVersion: string; objects: Record<string, Omit<ObjectDef, 'name'>> };

const FILE = JSON.parse(readFileSync(join(dirname(fileURLToPath(import.meta.url)), 'schemas', 'sobjects.json'), 'utf8')) as SchemaFile;

const OBJECT_LIST: ObjectDef[] = Object.entries(FILE.objects).map(([name, o]) => ({ name, ...o }));

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

/**
 * Which optional objects and fields an org has: keys are "Object" or "Object.Field", values true (present) or false
 * (absent); anything not named follows the schema's defaultPresent.
 */
export type OptionalSchema = Partial<Record<string, boolean>>;

export function objectPresent(def: ObjectDef, overrides: OptionalSchema = {}): boolean {
  if (!def.optional) return true;
  return overrides[def.name] ?? def.defaultPresent ?? false;
}

export function fieldPresent(def: ObjectDef, f: FieldDef, overrides: OptionalSchema = {}): boolean {
  if (!f.optional) return true;
  return overrides[`${def.name}.${f.name}`] ?? f.defaultPresent ?? false;
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
  return f.flags.includes('filter');
}

export function isSortable(f: FieldDef): boolean {
  return f.flags.includes('sort');
}

export function isGroupable(f: FieldDef): boolean {
  return f.flags.includes('group');
}

export function isAggregatable(f: FieldDef): boolean {
  return f.flags.includes('aggregate');
}

export function isNillable(f: FieldDef): boolean {
  return f.flags.includes('nillable');
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
      return isFilterable(f) ? 255 : 131072;
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
    aggregatable: isAggregatable(f),
    autoNumber: false,
    byteLength: fieldLength(f) * 3,
    calculated: f.name === 'Name' && def.name === 'User',
    calculatedFormula: null,
    cascadeDelete: false,
    caseSensitive: false,
    compoundFieldName: null,
    controllerName: null,
    createable: f.flags.includes('create'),
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
    updateable: f.flags.includes('update'),
    writeRequiresMasterRead: false,
  };
}

/** The REST describe; `overrides` leaves out the optional fields this org lacks. */
export function describeSObject(def: ObjectDef, apiVersion: string, overrides: OptionalSchema = {}): Record<string, unknown> {
  const fields = def.fields.filter((f) => fieldPresent(def, f, overrides));
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
    fields: fields.map((f) => describeField(def, f)),
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
    updateable: fields.some((f) => f.flags.includes('update')),
    urls: {
      rowTemplate: `${base}/{ID}`,
      describe: `${base}/describe`,
      sobject: base,
    },
  };
}
