/*
 * The org's state: sObject rows built from a scenario (flat rows with the schema's field names, datetimes in
 * the REST format), the stored ConnectedApp metadata, event log file content, and the writes the API allows.
 */
import { FREE_EVENT_TYPES, csvContent, generatedContent, givenContent, type ElfApp, type ElfContent, type ElfExtraApp } from './elf.js';
import { IdAllocator, to18 } from './ids.js';
import { ecaAppOf, parseEcaFile, validateEcaComponent, type EcaComponent } from './eca.js';
import { componentXml, derivedSObjectFields, isAdminApproved, minimalComponent, parseConnectedApp, type FieldError, type SplitComponent } from './metadata.js';
import { str, sub, type MdObject } from './metadata-schema.js';
import type { XmlElement } from './xml.js';
import { Rng } from './prng.js';
import { readRelative, resolveDay, resolveInstant, type DayRange, type EventLogFileSpec, type IpRangeSpec, type LoadedScenario, type OauthTokenSpec, type Scenario } from './scenario.js';
import { fieldPresent, findField, findObject, objectPresent, OBJECTS, type OptionalSchema } from './schema.js';
import { formatDateTime, type RecordStore, type Row } from './soql.js';

const DAY = 86_400_000;
/** The generated event types whose rows name the calling app (CONNECTED_APP_ID): where an ECA's calls show. */
const ECA_CALL_EVENT_TYPES = new Set(['ApiTotalUsage', 'RestApi']);
/** An ECA's rows per generated file, as a share of the file's other rows (ExternalClientAppSpec.apiCalls.share). */
const DEFAULT_ECA_CALL_SHARE = 0.05;
export const DEFAULT_API_VERSION = '67.0';

/** Editions that get the free event log file types (the others have no EventLogFile at all). */
const ELF_EDITIONS = /enterprise|unlimited|performance|developer/i;

/** Metadata API names of standard profiles (custom profiles use their name). */
const STANDARD_PROFILE_FULLNAMES: Record<string, string | undefined> = {
  'System Administrator': 'Admin',
  'Standard User': 'Standard',
  'Read Only': 'ReadOnly',
  'Marketing User': 'MarketingProfile',
  'Contract Manager': 'ContractManager',
  'Solution Manager': 'SolutionManager',
  'Minimum Access - Salesforce': 'Minimum Access - Salesforce',
  'Salesforce API Only System Integrations': 'Salesforce API Only System Integrations',
};

export type AppState = {
  name: string;
  fullName: string;
  label: string;
  namespace: string | null;
  id: string;
  installed: boolean;
  inMetadataApi: boolean;
  /** FileProperties.id ('' = absent). */
  listMetadataId: string;
  /** Stored component (see metadata.ts); undefined for uninstalled apps. */
  body?: MdObject;
  consumerSecret?: string;
  createdById: string;
  createdDate: number;
  lastModifiedById: string;
  lastModifiedDate: number;
  row?: Row;
  menuItem?: Row;
};

export type EcaState = {
  name: string;
  label: string;
  id: string;
  /** Components by type (see eca.ts). */
  components: Map<string, EcaComponent>;
  consumerSecret?: string;
  createdById: string;
  createdDate: number;
  lastModifiedById: string;
  lastModifiedDate: number;
  row: Row;
};

export type LogFileState = {
  id: string;
  eventType: string;
  interval: 'Daily' | 'Hourly';
  createdMs: number;
  row: Row;
  content: ElfContent;
  /** The org's licence lets it see the type (paid types need Event Monitoring). */
  visible: boolean;
};

export type ProfileState = {
  id: string;
  name: string;
  fullName: string;
  permissionSetId: string;
  row: Row;
  custom: boolean;
  userLicense: string;
  /** User permissions granted (API names, as Profile metadata's userPermissions names them), sorted. */
  permissions: string[];
  loginIpRanges: IpRangeSpec[];
};

export type RecordError = { statusCode: string; message: string; fields: string[] };
export type SaveResult = { id?: string; success: boolean; errors: RecordError[] };

export type OrgOptions = {
  profileSetupEntityAccess?: 'accept' | 'refuse';
  omittedAssignmentsOnUpdate?: 'keep' | 'remove';
  /** How updateMetadata answers a payload that does not match the WSDL: a SOAP fault for the call (default) or per component. */
  metadataSchemaErrors?: 'fault' | 'record';
  /** Optional objects and fields this org has or lacks ("LoginIpRange": true, "PermissionSet.PermissionsCanApproveUninstalledApps": false). */
  optionalSchema?: OptionalSchema;
  /** Whether createMetadata may create a ConnectedApp (default blocked, as since Spring '26). */
  connectedAppCreation?: 'blocked' | 'allowed';
  /** statusCode of a duplicate SetupEntityAccess insert (default DUPLICATE_VALUE — a guess). */
  duplicateInsertCode?: string;
  /** The revoke endpoint's answer to a token it does not know: 400 invalid_token (default) or 200. */
  revokeUnknownToken?: 'invalid_token' | 'ok';
  /** Pins the org's clock (ISO-8601), over the scenario's `org.now`. */
  now?: string;
};

const ROLLED_BACK: RecordError = {
  statusCode: 'ALL_OR_NONE_OPERATION_ROLLED_BACK',
  message: 'Record rolled back because not all records were valid and the request was using AllOrNone header',
  fields: [],
};

export class OrgState implements RecordStore {
  public readonly orgId: string;
  /** The clock the scenario's relative dates were resolved against (the pinned clock, or the machine's at start). */
  public readonly startedAt: Date;
  private pinnedNow: number | undefined;
  public readonly maxApiVersion: string;
  public readonly scenario: Scenario;
  public readonly apps = new Map<string, AppState>();
  /** External Client Apps by lower-cased name. */
  public readonly ecas = new Map<string, EcaState>();
  public readonly logFiles = new Map<string, LogFileState>();
  public readonly profiles = new Map<string, ProfileState>();
  public currentUserId = '';
  public apiUsed: number;
  public readonly apiMax: number;
  public profileSetupEntityAccess: 'accept' | 'refuse';
  /** "Allow Access to OAuth Consumer Secrets via Metadata API" (the ECA OAuth settings types need it). */
  public readonly ecaOauthSettingsAccess: boolean;
  public omittedAssignmentsOnUpdate: 'keep' | 'remove';
  public metadataSchemaErrors: 'fault' | 'record';
  public readonly optionalSchema: OptionalSchema;
  public connectedAppCreation: 'blocked' | 'allowed';
  public duplicateInsertCode: string;
  public revokeUnknownToken: 'invalid_token' | 'ok';

  private readonly tables = new Map<string, Row[]>();
  private readonly index = new Map<string, { objectName: string; row: Row }>();
  private readonly deletedIds = new Set<string>();
  private readonly ids = new IdAllocator('5g', 1);
  private readonly otherIds = new IdAllocator('7x', 1);
  private readonly usersByName = new Map<string, Row>();
  private readonly permSetsByName = new Map<string, Row>();
  private readonly permSetsByLabel = new Map<string, Row>();
  private readonly groupsByName = new Map<string, Row>();
  private readonly groupAggregates = new Map<string, string>();
  private readonly eventMonitoring: boolean;
  /** Days an event log file is served after its CreatedDate. */
  public readonly eventLogRetentionDays: number;
  private readonly elfLicensed: boolean;
  private readonly unavailable: Set<string>;
  private readonly rng: Rng;
  private readonly seed: number;
  private readonly baseDir: string;
  private journal: Array<() => void> | undefined;

  public constructor(loaded: LoadedScenario, options: OrgOptions = {}) {
    const s = loaded.scenario;
    this.scenario = s;
    this.baseDir = loaded.baseDir;
    this.seed = s.seed ?? 1;
    this.rng = new Rng(Rng.seedOf(this.seed, 'org'));
    const pinned = options.now ?? s.org.now;
    this.pinnedNow = pinned === undefined ? undefined : Date.parse(pinned);
    if (Number.isNaN(this.pinnedNow)) throw new Error(`not an instant: ${String(pinned)}`);
    this.startedAt = new Date(this.pinnedNow ?? Date.now());
    this.maxApiVersion = s.org.apiVersion ?? DEFAULT_API_VERSION;
    this.orgId = to18(s.org.id ?? this.ids.next('00D'));
    this.apiUsed = s.org.apiUsage?.used ?? 0;
    this.apiMax = s.org.apiUsage?.max ?? 15000;
    this.profileSetupEntityAccess = options.profileSetupEntityAccess ?? s.org.profileSetupEntityAccess ?? 'accept';
    this.ecaOauthSettingsAccess = s.org.ecaOauthSettingsAccess ?? true;
    this.omittedAssignmentsOnUpdate = options.omittedAssignmentsOnUpdate ?? s.org.omittedAssignmentsOnUpdate ?? 'keep';
    this.metadataSchemaErrors = options.metadataSchemaErrors ?? s.org.metadataSchemaErrors ?? 'fault';
    this.optionalSchema = { ...s.org.optionalSchema, ...options.optionalSchema };
    this.connectedAppCreation = options.connectedAppCreation ?? s.org.connectedAppCreation ?? 'blocked';
    this.duplicateInsertCode = options.duplicateInsertCode ?? s.org.duplicateInsertCode ?? 'DUPLICATE_VALUE';
    this.revokeUnknownToken = options.revokeUnknownToken ?? s.org.revokeUnknownToken ?? 'invalid_token';
    this.eventMonitoring = s.org.features?.eventMonitoring === true;
    this.eventLogRetentionDays = s.org.eventLogRetentionDays ?? (this.eventMonitoring ? 30 : 1);
    this.elfLicensed = this.eventMonitoring || ELF_EDITIONS.test(s.org.edition ?? 'Enterprise Edition');
    this.unavailable = new Set((s.org.unavailableObjects ?? []).map((o) => o.toLowerCase()));
    for (const name of Object.keys(OBJECTS)) this.tables.set(name, []);
    this.build();
  }

  // ---- RecordStore ------------------------------------------------------------------------------

  public rows(objectName: string): readonly Row[] {
    const def = findObject(objectName);
    if (!def) return [];
    const rows = this.tables.get(def.name) ?? [];
    if (def.name === 'EventLogFile') return rows.filter((r) => this.logFileServed(r.Id as string));
    if (def.name === 'LoginHistory' && !this.currentUserHas('ManageUsers', 'MonitorLoginHistory')) return rows.filter((r) => r.UserId === this.currentUserId);
    if (def.name === 'OauthToken' && !this.currentUserHas('CustomizeApplication')) return rows.filter((r) => r.UserId === this.currentUserId);
    return rows;
  }

  public byId(id: string): Row | undefined {
    return this.index.get(to18(id))?.row;
  }

  public objectOfId(id: string): string | undefined {
    return this.index.get(to18(id))?.objectName;
  }

  /**
   * Objects answering INVALID_TYPE: listed as unavailable, optional objects this org lacks (LoginIpRange by default),
   * or EventLogFile in an edition without event log files.
   */
  public isLicensed(objectName: string): boolean {
    if (this.unavailable.has(objectName.toLowerCase())) return false;
    const def = findObject(objectName);
    if (def && !objectPresent(def, this.optionalSchema)) return false;
    if (objectName.toLowerCase() === 'eventlogfile') return this.elfLicensed;
    return true;
  }

  /**
   * Whether the org serves an event log file now: a type its licence covers, an interval it has (hourly files only with
   * Event Monitoring — guess: not documented for free orgs; `hourlyWithoutEventMonitoring` answers the other way),
   * generated already (CreatedDate not after now) and within retention: 30 days after CreatedDate with Event
   * Monitoring (REST guide, using_resources_event_log_files.htm; reference §4), 1 day without it — documented for
   * Developer Edition orgs; guess: the same for free types in production orgs (reference open question 6).
   */
  public logFileServed(id: string): boolean {
    const f = this.logFiles.get(to18(id));
    if (!f?.visible) return false;
    if (f.interval === 'Hourly' && !this.eventMonitoring && !this.scenario.org.hourlyWithoutEventMonitoring) return false;
    const now = this.now.getTime();
    return f.createdMs <= now && f.createdMs > now - this.eventLogRetentionDays * DAY;
  }

  /** Whether the token's user holds any of these permissions (API names), through the profile or a permission set. */
  public currentUserHas(...permissions: string[]): boolean {
    const fields = permissions.map((p) => `Permissions${p}`);
    for (const a of this.tables.get('PermissionSetAssignment') ?? []) {
      if (a.AssigneeId !== this.currentUserId || a.IsActive === false) continue;
      const ps = this.byId(a.PermissionSetId as string);
      if (ps && fields.some((f) => ps[f] === true)) return true;
    }
    return false;
  }

  /** Whether this org has the field (optional fields such as PermissionSet.PermissionsCanApproveUninstalledApps may be absent). */
  public hasField(objectName: string, fieldName: string): boolean {
    const def = findObject(objectName);
    const f = def ? findField(def, fieldName) : undefined;
    return def !== undefined && f !== undefined && fieldPresent(def, f, this.optionalSchema);
  }

  /**
   * guess: without the Event Monitoring add-on, files of paid event types are simply not there (the object itself
   * is licensed in editions with the free types), rather than answering an error.
   */
  public eventTypeVisible(eventType: string): boolean {
    return this.elfLicensed && (this.eventMonitoring || FREE_EVENT_TYPES.has(eventType));
  }

  /** The org's clock: pinned by the scenario, or the machine's (it moves). */
  public get now(): Date {
    return new Date(this.pinnedNow ?? Date.now());
  }

  /**
   * Pins the clock at this instant (tests move it forward day by day to watch files appear and expire). The data
   * stays as built: relative scenario dates were resolved against `startedAt`.
   */
  public setNow(at: Date | string | number): void {
    const ms = at instanceof Date ? at.getTime() : typeof at === 'number' ? at : Date.parse(at);
    if (Number.isNaN(ms)) throw new Error(`not an instant: ${String(at)}`);
    this.pinnedNow = ms;
  }

  public fmt(ms: number): string {
    return formatDateTime(ms);
  }

  public userByName(username: string): Row | undefined {
    return this.usersByName.get(username.toLowerCase());
  }

  public appByFullName(fullName: string): AppState | undefined {
    return this.apps.get(fullName.toLowerCase());
  }

  /** The app a scenario name refers to: fullName, developer name or label. */
  public appByAnyName(name: string): AppState | undefined {
    const lower = name.toLowerCase();
    const direct = this.apps.get(lower);
    if (direct) return direct;
    for (const a of this.apps.values()) if (a.name.toLowerCase() === lower || a.label.toLowerCase() === lower) return a;
    return undefined;
  }

  public currentUser(): Row {
    return this.byId(this.currentUserId)!;
  }

  // ---- Row bookkeeping --------------------------------------------------------------------------

  /** Adds a row, filling every schema field it lacks (booleans false, the rest null). */
  public insert(objectName: string, row: Row): Row {
    const def = findObject(objectName)!;
    for (const f of def.fields) if (!(f.name in row)) row[f.name] = f.type === 'boolean' ? false : null;
    this.tables.get(def.name)!.push(row);
    const id = typeof row.Id === 'string' ? row.Id : undefined;
    if (id) this.index.set(id, { objectName: def.name, row });
    if (this.journal) {
      this.journal.push(() => {
        const t = this.tables.get(def.name)!;
        t.splice(t.indexOf(row), 1);
        if (id) this.index.delete(id);
      });
    }
    return row;
  }

  public remove(objectName: string, row: Row): void {
    const def = findObject(objectName)!;
    const t = this.tables.get(def.name)!;
    const at = t.indexOf(row);
    if (at < 0) return;
    t.splice(at, 1);
    const id = typeof row.Id === 'string' ? row.Id : undefined;
    if (id) {
      this.index.delete(id);
      this.deletedIds.add(id);
    }
    if (this.journal) {
      this.journal.push(() => {
        t.splice(at, 0, row);
        if (id) {
          this.index.set(id, { objectName: def.name, row });
          this.deletedIds.delete(id);
        }
      });
    }
  }

  /** Runs `fn` and undoes its inserts/removes when `rollback()` returns true. */
  private transaction<T>(fn: () => T, rollback: (result: T) => boolean): T {
    this.journal = [];
    try {
      const result = fn();
      if (rollback(result)) for (const undo of this.journal.reverse()) undo();
      return result;
    } finally {
      this.journal = undefined;
    }
  }

  private newId(objectName: string): string {
    const prefix = findObject(objectName)?.keyPrefix ?? FALLBACK_PREFIXES[objectName] ?? '000';
    return this.ids.next(prefix);
  }

  /** The AppMenuItem row an installed connected app has (one per app, built from its metadata). */
  private insertMenuItem(app: AppState, body: MdObject, audit: Row): Row {
    return this.insert('AppMenuItem', {
      Id: this.ids.next('0DS'),
      Name: app.fullName,
      Label: app.label,
      Description: str(body, 'description') ?? null,
      Type: 'ConnectedApplication',
      ApplicationId: app.id,
      IsUsingAdminAuthorization: isAdminApproved(body),
      IsAccessible: true,
      IsVisible: true,
      NamespacePrefix: app.namespace,
      StartUrl: str(body, 'startUrl') ?? null,
      MobileStartUrl: str(body, 'mobileStartUrl') ?? null,
      ...audit,
    });
  }

  private audit(createdById: string, createdMs: number, modifiedById = createdById, modifiedMs = createdMs): Row {
    return {
      CreatedDate: this.fmt(createdMs),
      CreatedById: createdById,
      LastModifiedDate: this.fmt(modifiedMs),
      LastModifiedById: modifiedById,
      SystemModstamp: this.fmt(modifiedMs),
    };
  }

  private daysAgo(d: number): number {
    return this.startedAt.getTime() - Math.round(d * DAY);
  }

  // ---- Building from the scenario ---------------------------------------------------------------

  private build(): void {
    const s = this.scenario;
    const o = s.org;
    const nowMs = this.startedAt.getTime();
    const orgCreated = nowMs - 3 * 365 * DAY;

    // Profiles and users first (ids), since every row has a creator.
    const profileSpecs = [...(s.profiles ?? [])];
    if (!profileSpecs.some((p) => p.name === 'System Administrator')) {
      profileSpecs.unshift({ name: 'System Administrator', permissions: ['ApiEnabled', 'ModifyAllData', 'ViewSetup', 'CustomizeApplication', 'ManageUsers', 'ApproveUninstalledConnectedApps'] });
    }
    const userSpecs = [...(s.users ?? [])];
    if (userSpecs.length === 0) {
      const slug = o.name.toLowerCase().replace(/[^a-z0-9]+/g, '');
      userSpecs.push({ username: `admin@${slug || 'org'}.example.com`, firstName: 'Org', lastName: 'Admin', profile: 'System Administrator' });
    }
    const userIds = new Map(userSpecs.map((u) => [u.username.toLowerCase(), u.id ? to18(u.id) : this.ids.next('005')]));
    const permsOf = new Map(profileSpecs.map((p) => [p.name, new Set(p.permissions ?? [])]));
    const current =
      o.currentUser ??
      userSpecs.find((u) => u.active !== false && permsOf.get(u.profile)?.has('ModifyAllData'))?.username ??
      userSpecs[0].username;
    this.currentUserId = userIds.get(current.toLowerCase())!;
    const admin = this.currentUserId;
    const userId = (name: string | undefined): string => (name ? userIds.get(name.toLowerCase()) ?? admin : admin);

    this.insert('Organization', {
      Id: this.orgId,
      Name: o.name,
      OrganizationType: o.edition ?? 'Enterprise Edition',
      IsSandbox: o.isSandbox ?? false,
      InstanceName: o.instanceName ?? 'USA1024',
      NamespacePrefix: o.namespacePrefix ?? null,
      TrialExpirationDate: o.trialExpirationDate ? this.fmt(resolveInstant(o.trialExpirationDate, nowMs)) : null,
      ...this.audit(admin, orgCreated),
    });

    for (const p of profileSpecs) {
      const id = p.id ? to18(p.id) : this.ids.next('00e');
      const perms = permissionFields(p.permissions);
      const custom = p.custom ?? !(p.name in STANDARD_PROFILE_FULLNAMES);
      const row = this.insert('Profile', {
        Id: id,
        Name: p.name,
        Description: p.description ?? null,
        UserLicenseId: this.ids.next('100'),
        UserType: p.userType ?? 'Standard',
        ...perms,
        ...this.audit(admin, orgCreated),
      });
      const psId = this.ids.next('0PS');
      // guess: a profile-owned permission set is named X<15-char profile id> and labelled with the id.
      this.insert('PermissionSet', {
        Id: psId,
        Name: `X${id.slice(0, 15)}`,
        Label: id.slice(0, 15),
        IsOwnedByProfile: true,
        IsCustom: custom,
        ProfileId: id,
        PermissionSetGroupId: null,
        NamespacePrefix: null,
        Type: 'Profile',
        ...perms,
        ...this.audit(admin, orgCreated),
      });
      this.profiles.set(p.name.toLowerCase(), {
        id,
        name: p.name,
        fullName: p.fullName ?? STANDARD_PROFILE_FULLNAMES[p.name] ?? p.name,
        permissionSetId: psId,
        row,
        custom,
        userLicense: p.userLicense ?? 'Salesforce',
        permissions: [...new Set((p.permissions ?? []).map(permissionName))].sort(),
        loginIpRanges: [...(p.loginIpRanges ?? [])],
      });
      for (const r of p.loginIpRanges ?? []) {
        this.insert('LoginIpRange', {
          Id: this.newId('LoginIpRange'),
          ProfileId: id,
          IpStartAddress: r.start,
          IpEndAddress: r.end,
          Description: r.description ?? null,
          ...this.audit(admin, orgCreated),
        });
      }
    }

    for (const u of userSpecs) {
      const first = u.firstName ?? capitalise(u.username.split('@')[0].split(/[._-]/)[0]);
      const last = u.lastName ?? capitalise(u.username.split('@')[0].split(/[._-]/)[1] ?? 'User');
      const row = this.insert('User', {
        Id: userIds.get(u.username.toLowerCase())!,
        Username: u.username,
        Name: `${first} ${last}`.trim(),
        FirstName: first,
        LastName: last,
        Email: u.email ?? u.username,
        IsActive: u.active ?? true,
        ProfileId: this.profiles.get(u.profile.toLowerCase())!.id,
        UserType: u.userType ?? 'Standard',
        LastLoginDate: u.active === false ? this.fmt(this.daysAgo(200)) : this.fmt(this.daysAgo(u.lastLoginDaysAgo ?? 1 + this.rng.int(10))),
        ...this.audit(admin, orgCreated + DAY),
      });
      this.usersByName.set(u.username.toLowerCase(), row);
      // Object reference (UserLogin): one row per user holding the freeze and password-lock state. guess: its key prefix.
      this.insert('UserLogin', {
        Id: this.newId('UserLogin'),
        UserId: row.Id,
        IsFrozen: u.frozen ?? false,
        IsPasswordLocked: false,
        LastModifiedDate: this.fmt(orgCreated + DAY),
        LastModifiedById: admin,
      });
    }

    for (const p of s.permissionSets ?? []) {
      const row = this.insert('PermissionSet', {
        Id: p.id ? to18(p.id) : this.ids.next('0PS'),
        Name: p.name,
        Label: p.label ?? p.name,
        Description: p.description ?? null,
        IsOwnedByProfile: false,
        IsCustom: true,
        ProfileId: null,
        PermissionSetGroupId: null,
        NamespacePrefix: p.namespace ?? null,
        Type: 'Regular',
        ...permissionFields(p.permissions),
        ...this.audit(admin, orgCreated + 30 * DAY),
      });
      this.permSetsByName.set((p.namespace ? `${p.namespace}__${p.name}` : p.name).toLowerCase(), row);
      if (!this.permSetsByName.has(p.name.toLowerCase())) this.permSetsByName.set(p.name.toLowerCase(), row);
      this.permSetsByLabel.set((p.label ?? p.name).toLowerCase(), row);
    }

    for (const g of s.permissionSetGroups ?? []) {
      const id = g.id ? to18(g.id) : this.ids.next('0PG');
      const group = this.insert('PermissionSetGroup', {
        Id: id,
        DeveloperName: g.name,
        MasterLabel: g.label ?? g.name,
        NamespacePrefix: g.namespace ?? null,
        Status: 'Updated',
        ...this.audit(admin, orgCreated + 60 * DAY),
      });
      this.groupsByName.set(g.name.toLowerCase(), group);
      // guess: the group's aggregate permission set carries the group's name and label.
      const aggregate = this.insert('PermissionSet', {
        Id: this.ids.next('0PS'),
        Name: g.name,
        Label: g.label ?? g.name,
        IsOwnedByProfile: false,
        IsCustom: true,
        PermissionSetGroupId: id,
        NamespacePrefix: g.namespace ?? null,
        Type: 'Group',
        ...this.audit(admin, orgCreated + 60 * DAY),
      });
      this.groupAggregates.set(id, aggregate.Id as string);
      for (const name of g.permissionSets) {
        this.insert('PermissionSetGroupComponent', {
          Id: this.ids.next('0PH'),
          PermissionSetGroupId: id,
          PermissionSetId: this.permissionSet(name)!.Id,
          ...this.audit(admin, orgCreated + 60 * DAY),
        });
      }
    }

    for (const u of userSpecs) {
      const uid = userIds.get(u.username.toLowerCase())!;
      const assign = (psId: unknown, groupId: unknown = null): void => {
        this.insert('PermissionSetAssignment', {
          Id: this.ids.next('0Pa'),
          AssigneeId: uid,
          PermissionSetId: psId,
          PermissionSetGroupId: groupId,
          IsActive: true,
          ExpirationDate: null,
          SystemModstamp: this.fmt(orgCreated + 90 * DAY),
        });
      };
      assign(this.profiles.get(u.profile.toLowerCase())!.permissionSetId);
      for (const ps of u.permissionSets ?? []) assign(this.permissionSet(ps)!.Id);
      for (const g of u.permissionSetGroups ?? []) {
        const group = this.groupsByName.get(g.toLowerCase())!;
        assign(this.groupAggregates.get(group.Id as string), group.Id);
      }
    }

    this.buildApps(userId);
    this.buildTokens(userId);
    this.buildLogins(userId);
    // After every other record with an id of a shared prefix (SetupEntityAccess), so adding ECAs to a scenario leaves
    // every other id as it was; before the event log files (their own prefix), whose rows name the ECAs that call.
    this.buildExternalClientApps(userId);
    this.buildEcaTokens(userId);
    this.buildEventLogFiles();
  }

  private buildExternalClientApps(userId: (name: string | undefined) => string): void {
    const rng = new Rng(Rng.seedOf(this.seed, 'eca'));
    for (const spec of this.scenario.externalClientApps ?? []) {
      const components = new Map<string, EcaComponent>();
      let consumerSecret = spec.consumerSecret;
      for (const file of spec.metadataFiles ?? []) {
        const c = parseEcaFile(readRelative(this.baseDir, file), file);
        if (ecaAppOf(c) !== spec.name) throw new Error(`external client app ${spec.name}: ${file} belongs to "${ecaAppOf(c)}"`);
        if (components.has(c.type)) throw new Error(`external client app ${spec.name}: two ${c.type} files`);
        const invalid = validateEcaComponent(c.type, c.body);
        if (invalid) throw new Error(`external client app ${spec.name}: ${file}: ${invalid.message}`);
        consumerSecret ??= c.consumerSecret;
        components.set(c.type, { type: c.type, fullName: c.fullName, body: c.body });
      }
      const header = components.get('ExternalClientApplication');
      const label = spec.label ?? str(header?.body, 'label') ?? spec.name;
      // guess: the ExternalClientApplication key prefix is not documented.
      const id = spec.id ? to18(spec.id) : this.ids.next('0xI');
      const createdDate = this.daysAgo(spec.createdDaysAgo ?? 30 + rng.int(300));
      const lastModifiedDate = Math.max(createdDate, this.daysAgo(spec.lastModifiedDaysAgo ?? rng.int(30)));
      const createdById = userId(spec.createdBy);
      const row = this.insert('ExternalClientApplication', {
        Id: id,
        DeveloperName: spec.name,
        MasterLabel: label,
        NamespacePrefix: null,
        CreatedDate: this.fmt(createdDate),
        LastModifiedDate: this.fmt(lastModifiedDate),
      });
      const eca: EcaState = { name: spec.name, label, id, components, consumerSecret, createdById, createdDate, lastModifiedById: createdById, lastModifiedDate, row };
      this.ecas.set(spec.name.toLowerCase(), eca);
      const policy = components.get('ExtlClntAppOauthConfigurablePolicies');
      if (policy) {
        this.insert('ExtlClntAppOauthPlcyCnfg', {
          Id: this.ids.next('0xP'),
          ExternalClientApplicationId: id,
          ...ecaPolicyRowFields(policy.body),
        });
      }
      const granted = new Set<string>();
      const grant = (psId: string): void => {
        if (granted.has(psId)) return;
        granted.add(psId);
        const sea = this.insertSea(psId, id, Math.max(createdDate, lastModifiedDate - DAY));
        sea.SetupEntityType = 'ExternalClientApplication';
      };
      for (const p of spec.profiles ?? []) grant(this.profiles.get(p.toLowerCase())!.permissionSetId);
      for (const p of spec.permissionSets ?? []) grant(this.permissionSet(p)!.Id as string);
    }
  }

  public ecaByName(name: string): EcaState | undefined {
    return this.ecas.get(name.trim().toLowerCase());
  }

  /** The ECA component of this type and fullName (`App_oauthPlcy`), if any. */
  public ecaComponent(type: string, fullName: string): { eca: EcaState; component: EcaComponent } | undefined {
    const key = fullName.trim().toLowerCase();
    for (const eca of this.ecas.values()) {
      const component = eca.components.get(type);
      if (component && component.fullName.toLowerCase() === key) return { eca, component };
    }
    return undefined;
  }

  /**
   * Saves an ECA component sent to updateMetadata: it must exist (updateMetadata does not create) and pass the
   * save checks; the stored component is replaced, and the policy row follows.
   */
  public updateEcaComponent(type: string, fullName: string, body: MdObject, dryRun = false): { fullName: string; error?: FieldError } {
    const found = this.ecaComponent(type, fullName);
    if (!found) return { fullName, error: { statusCode: 'INVALID_CROSS_REFERENCE_KEY', message: `In field: fullName - no ${type} named ${fullName} found`, fields: [] } };
    const invalid = validateEcaComponent(type, body);
    if (invalid) return { fullName, error: invalid };
    if (ecaAppOf({ type, fullName, body }) !== found.eca.name) {
      return { fullName, error: { statusCode: 'FIELD_INTEGRITY_EXCEPTION', message: `externalClientApplication cannot change from ${found.eca.name}`, fields: ['externalClientApplication'] } };
    }
    if (dryRun) return { fullName: found.component.fullName };
    found.component.body = body;
    found.eca.lastModifiedDate = this.now.getTime();
    found.eca.row.LastModifiedDate = this.fmt(found.eca.lastModifiedDate);
    if (type === 'ExternalClientApplication') found.eca.row.MasterLabel = str(body, 'label') ?? found.eca.label;
    if (type === 'ExtlClntAppOauthConfigurablePolicies') {
      const row = this.table('ExtlClntAppOauthPlcyCnfg').find((r) => r.ExternalClientApplicationId === found.eca.id);
      if (row) Object.assign(row, ecaPolicyRowFields(body));
    }
    return { fullName: found.component.fullName };
  }

  private permissionSet(name: string): Row | undefined {
    const lower = name.toLowerCase();
    return this.permSetsByName.get(lower) ?? this.permSetsByLabel.get(lower);
  }

  private buildApps(userId: (name: string | undefined) => string): void {
    const s = this.scenario;
    for (const spec of s.connectedApps ?? []) {
      const namespace = spec.namespace ?? null;
      const fullName = namespace ? `${namespace}__${spec.name}` : spec.name;
      const installed = spec.installed !== false;
      const id = spec.id ? to18(spec.id) : this.ids.next('0H4');
      let split: SplitComponent | undefined;
      if (spec.metadata !== undefined) split = parseConnectedApp(spec.metadata);
      else if (spec.metadataFile !== undefined) split = parseConnectedApp(readRelative(this.baseDir, spec.metadataFile));
      const label = spec.label ?? str(split?.body, 'label') ?? spec.name;
      let body: MdObject | undefined;
      if (installed) {
        body = split?.body ?? minimalComponent(label);
        body.label ??= [label];
      }
      const createdDate = this.daysAgo(spec.createdDaysAgo ?? 200 + this.rng.int(900));
      const lastModifiedDate = Math.max(createdDate, this.daysAgo(spec.lastModifiedDaysAgo ?? this.rng.int(150)));
      const app: AppState = {
        name: spec.name,
        fullName,
        label,
        namespace,
        id,
        installed,
        inMetadataApi: installed && spec.inMetadataApi !== false,
        listMetadataId: spec.listMetadataId === 'absent' ? '' : spec.listMetadataId === 'different' ? this.otherIds.next('0H4') : id,
        body,
        consumerSecret: spec.consumerSecret ?? split?.consumerSecret,
        createdById: userId(spec.createdBy),
        createdDate,
        lastModifiedById: userId(spec.lastModifiedBy ?? spec.createdBy),
        lastModifiedDate,
      };
      this.apps.set(fullName.toLowerCase(), app);
      if (!installed || !body) continue;
      app.row = this.insert('ConnectedApplication', {
        Id: id,
        Name: label,
        ...derivedSObjectFields(body),
        CreatedDate: this.fmt(createdDate),
        CreatedById: app.createdById,
        LastModifiedDate: this.fmt(lastModifiedDate),
        LastModifiedById: app.lastModifiedById,
        ...(spec.sobject ?? {}),
      });
      app.menuItem = this.insertMenuItem(app, body, this.audit(app.createdById, createdDate, app.lastModifiedById, lastModifiedDate));
      const assignedPs = new Set<string>();
      const grant = (psId: string): void => {
        if (assignedPs.has(psId)) return;
        assignedPs.add(psId);
        this.insertSea(psId, id, Math.max(createdDate, lastModifiedDate - DAY));
      };
      for (const p of split?.profileNames ?? []) {
        const profile = this.profiles.get(p.toLowerCase());
        if (!profile) throw new Error(`connected app ${fullName}: profileName "${p}" is not a profile of the scenario`);
        grant(profile.permissionSetId);
      }
      for (const p of split?.permissionSetNames ?? []) {
        const ps = this.permissionSet(p);
        if (!ps) throw new Error(`connected app ${fullName}: permissionSetName "${p}" is not a permission set of the scenario`);
        grant(ps.Id as string);
      }
      for (const as of s.assignments ?? []) {
        if (this.appByAnyName(as.app) !== app) continue;
        for (const p of as.profiles ?? []) grant(this.profiles.get(p.toLowerCase())!.permissionSetId);
        for (const p of as.permissionSets ?? []) grant(this.permissionSet(p)!.Id as string);
      }
    }
  }

  private insertSea(parentId: string, entityId: string, ms: number): Row {
    return this.insert('SetupEntityAccess', {
      Id: this.ids.next('0J0'),
      ParentId: parentId,
      SetupEntityId: entityId,
      SetupEntityType: 'ConnectedApplication',
      SystemModstamp: this.fmt(ms),
    });
  }

  private tokenString(rng: Rng, n: number): string {
    return rng.chars(n, 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._');
  }

  /**
   * The scenario's OAuth tokens of connected apps; those of External Client Apps are built after the ECAs
   * (`buildEcaTokens`), from a random stream of their own, so adding them leaves every other token as it was.
   */
  private buildTokens(userId: (name: string | undefined) => string): void {
    const specs = (this.scenario.oauthTokens ?? []).flatMap((t) => {
      const app = this.appByAnyName(t.app);
      return app ? [{ spec: t, appName: app.label, menuItemId: (app.menuItem?.Id as string | undefined) ?? null }] : [];
    });
    this.insertTokens(new Rng(Rng.seedOf(this.seed, 'tokens')), specs, userId);
  }

  /**
   * guess (GUESSES.md E10): an External Client App's tokens are OauthToken rows like a connected app's, with AppName =
   * the ECA's label (OauthToken.AppName is documented as "the app's label", for no kind of app in particular) and no
   * AppMenuItem; `org.ecaTokenAppName: 'apiName'` is the other answer (the ECA's API name).
   */
  private buildEcaTokens(userId: (name: string | undefined) => string): void {
    const byApiName = this.scenario.org.ecaTokenAppName === 'apiName';
    const specs = (this.scenario.oauthTokens ?? []).flatMap((t) => {
      if (this.appByAnyName(t.app)) return [];
      const eca = [...this.ecas.values()].find((e) => e.name.toLowerCase() === t.app.toLowerCase() || e.label.toLowerCase() === t.app.toLowerCase());
      return eca ? [{ spec: t, appName: byApiName ? eca.name : eca.label, menuItemId: null }] : [];
    });
    this.insertTokens(new Rng(Rng.seedOf(this.seed, 'eca-tokens')), specs, userId);
  }

  private insertTokens(rng: Rng, specs: ReadonlyArray<{ spec: OauthTokenSpec; appName: string; menuItemId: string | null }>, userId: (name: string | undefined) => string): void {
    const activeUsers = (this.tables.get('User') ?? []).filter((u) => u.IsActive === true).map((u) => u.Username as string);
    const add = (appName: string, menuItemId: string | null, uid: string, t: OauthTokenSpec): void => {
      const created = this.startedAt.getTime() - Math.round(this.pickDaysWith(rng, t.createdDaysAgo, [2, 400]) * DAY);
      const lastUsed =
        t.lastUsedDaysAgo === null ? null : Math.max(created, this.startedAt.getTime() - Math.round(this.pickDaysWith(rng, t.lastUsedDaysAgo, [0, 30]) * DAY));
      const useCount = t.lastUsedDaysAgo === null ? 0 : Math.round(this.pickDaysWith(rng, t.useCount, [1, 5000]));
      this.insert('OauthToken', {
        Id: null,
        AccessToken: t.accessToken ?? `5Aep861${this.tokenString(rng, 80)}`,
        AppMenuItemId: menuItemId, // guess: null for apps not installed in the org
        AppName: appName,
        CreatedDate: this.fmt(created),
        DeleteToken: t.deleteToken ?? this.tokenString(rng, 48),
        LastUsedDate: lastUsed === null ? null : this.fmt(lastUsed),
        RequestToken: null,
        UseCount: useCount,
        UserId: uid,
      });
    };
    for (const { spec: t, appName, menuItemId } of specs) {
      if (t.count === undefined && t.perUser === undefined) {
        add(appName, menuItemId, userId(t.user), t);
        continue;
      }
      const users = t.users ?? activeUsers;
      if (t.perUser !== undefined) for (const u of users) for (let i = 0; i < t.perUser; i++) add(appName, menuItemId, userId(u), t);
      if (t.count !== undefined) for (let i = 0; i < t.count; i++) add(appName, menuItemId, userId(users[i % users.length]), t);
    }
  }

  private pickDaysWith(rng: Rng, v: number | DayRange | undefined, fallback: DayRange): number {
    const [a, b] = v === undefined ? fallback : typeof v === 'number' ? [v, v] : v;
    return a + rng.float() * (b - a);
  }

  private buildLogins(userId: (name: string | undefined) => string): void {
    const rng = new Rng(Rng.seedOf(this.seed, 'logins'));
    const activeUsers = (this.tables.get('User') ?? []).filter((u) => u.IsActive === true).map((u) => u.Username as string);
    const ips = ['203.0.113.10', '203.0.113.24', '198.51.100.7', '198.51.100.52', '192.0.2.33', '52.14.88.190', '34.201.16.4'];
    // guess: the LoginType literals SOQL returns ('Remote Access 2.0' for OAuth logins, 'Application' for the UI) and
    // LoginSubType values (OauthRefreshToken, OauthUsernamePassword ...) are taken from the docs' descriptions.
    for (const l of this.scenario.loginHistory ?? []) {
      const viaApp = l.application !== undefined && l.application !== 'Browser';
      const one = (user: string | undefined, time: number): void => {
        this.insert('LoginHistory', {
          Id: this.ids.next('0Ya'),
          UserId: userId(user),
          LoginTime: this.fmt(time),
          LoginType: l.loginType ?? (viaApp ? 'Remote Access 2.0' : 'Application'),
          LoginSubType: l.loginSubType ?? (viaApp ? 'OauthRefreshToken' : null),
          Application: l.application ?? 'Browser',
          ApiType: l.apiType ?? 'N/A',
          ApiVersion: l.apiVersion ?? 'N/A',
          Browser: l.browser ?? (viaApp ? 'Unknown' : 'Chrome 131'),
          Platform: l.platform ?? (viaApp ? 'Unknown' : 'Mac OSX'),
          SourceIp: l.sourceIp ?? rng.pick(l.sourceIps ?? ips),
          Status: l.status ?? 'Success',
          LoginUrl: l.loginUrl ?? 'login.salesforce.com',
          CountryIso: 'US',
          ClientVersion: 'N/A',
          AuthenticationServiceId: null,
          TlsProtocol: 'TLS 1.3',
          CipherSuite: 'TLS_AES_256_GCM_SHA384',
          NetworkId: null,
          OptionsIsGet: !viaApp,
          OptionsIsPost: viaApp,
        });
      };
      if (l.count === undefined) {
        one(l.user, resolveInstant(l.loginTime!, this.startedAt.getTime()));
        continue;
      }
      const users = l.users ?? (l.user ? [l.user] : activeUsers);
      const within = l.withinDays ?? 30;
      for (let i = 0; i < l.count; i++) one(users[i % users.length], this.startedAt.getTime() - Math.round(rng.float() * within * DAY));
    }
  }

  private buildEventLogFiles(): void {
    const specs = this.scenario.eventLogFiles ?? [];
    if (specs.length === 0) return;
    const users = (this.tables.get('User') ?? []).filter((u) => u.IsActive === true);
    const tokenUsers = new Map<string, Set<string>>();
    for (const t of this.tables.get('OauthToken') ?? []) {
      const set = tokenUsers.get(t.AppName as string) ?? new Set<string>();
      set.add(t.UserId as string);
      tokenUsers.set(t.AppName as string, set);
    }
    const userIndex = new Map(users.map((u, i) => [u.Id as string, i]));
    const elfUsers = users.map((u) => ({ id: u.Id as string, username: u.Username as string, userType: (u.UserType as string | null) ?? 'Standard' }));
    const defaultApps = [...this.apps.values()].filter((a) => !a.installed || tokenUsers.has(a.label) || sub(a.body, 'oauthConfig') !== undefined);
    for (const spec of specs) {
      const interval = spec.interval ?? 'Daily';
      // Names in `apps` may be External Client Apps: their rows are added by ecaCallers.
      const chosen = spec.apps === undefined || spec.apps.includes('*') ? defaultApps : spec.apps.flatMap((n) => this.appByAnyName(n) ?? []);
      const pickedUsers = spec.users?.map((u) => userIndex.get(this.userByName(u)!.Id as string)!) ?? [];
      const ecaApps = this.ecaCallers(spec, userIndex);
      const apps: ElfApp[] = chosen.map((a) => ({
        id: a.id,
        name: a.label,
        clientName: '',
        users: pickedUsers.length > 0 ? pickedUsers : [...(tokenUsers.get(a.label) ?? [])].map((id) => userIndex.get(id)).filter((i) => i !== undefined),
      }));
      const share = spec.nonAppShare ?? 0.2;
      const nonApp = share <= 0 ? 0 : Math.max(1, Math.round((apps.length * share) / Math.max(0.01, 1 - share)));
      for (let i = 0; i < nonApp; i++) apps.push({ id: '', name: '', clientName: '', users: pickedUsers });
      const ipPool = spec.ipPool ?? ['203.0.113.10', '203.0.113.24', '198.51.100.7', '198.51.100.52', '192.0.2.33', '52.14.88.190', '34.201.16.4', '3.120.44.9'];
      for (const date of this.datesOf(spec.dates)) {
        const hours = interval === 'Hourly' ? spec.hours ?? Array.from({ length: 24 }, (_, h) => h) : [0];
        const versions = (spec.duplicateDates ?? []).map((d) => resolveDay(d, this.startedAt.getTime())).includes(date) ? 2 : 1;
        hours.forEach((hour, hi) => {
          for (let v = 0; v < versions; v++) {
            const logDate = Date.parse(`${date}T00:00:00Z`) + hour * 3_600_000;
            const seed = spec.seed ?? Rng.seedOf(this.seed, `${spec.eventType}|${date}|${hour}|${v}`);
            let content: ElfContent;
            if (spec.data !== undefined) content = givenContent(Object.keys(spec.data[0] ?? { EVENT_TYPE: '' }), spec.data);
            else if (spec.csv !== undefined) content = csvContent(spec.csv);
            else if (spec.csvFile !== undefined) content = csvContent(readRelative(this.baseDir, spec.csvFile));
            else {
              content = generatedContent({
                eventType: spec.eventType,
                seed,
                start: new Date(logDate),
                spanMs: interval === 'Hourly' ? 3_600_000 : DAY,
                rows: spec.bytes === undefined ? spec.rows ?? (interval === 'Hourly' ? 20 : 200) : undefined,
                bytes: spec.bytes,
                pools: { orgId: this.orgId, users: elfUsers, apps, ips: ipPool },
                apiVersion: spec.apiVersion ?? this.maxApiVersion,
                extraApps: ecaApps,
              });
            }
            // guess: daily files appear about 26 h after LogDate (a re-generated version a day later), hourly ones ~4 h after.
            const created = interval === 'Hourly' ? logDate + 4 * 3_600_000 + v * 3_600_000 : logDate + DAY + 2 * 3_600_000 + v * DAY;
            const id = this.ids.next('0AT');
            const row = this.insert('EventLogFile', {
              Id: id,
              EventType: spec.eventType,
              LogDate: this.fmt(logDate),
              Interval: interval,
              Sequence: interval === 'Hourly' ? hi + 1 : 0,
              LogFile: 'stored',
              LogFileLength: content.length,
              LogFileFieldNames: content.columns.join(','),
              LogFileFieldTypes: content.types.join(','),
              LogFileContentType: 'CSV',
              ApiVersion: Number(spec.apiVersion ?? this.maxApiVersion),
              ...this.audit(this.currentUserId, created),
            });
            this.logFiles.set(id, { id, eventType: spec.eventType, interval, createdMs: created, row, content, visible: this.eventTypeVisible(spec.eventType) });
          }
        });
      }
    }
  }

  /**
   * The External Client Apps whose API calls a generated file of this spec holds: files of the types that name the
   * calling app (ApiTotalUsage, RestApi) listing every app ("*" or no `apps`) get the ECAs whose spec has `apiCalls`;
   * a file naming an ECA in `apps` gets it in any case. Their rows are added beside the file's other rows (elf.ts
   * extraApps), so the rows of connected apps and of traffic without an app stay exactly as they were.
   */
  private ecaCallers(spec: EventLogFileSpec, userIndex: ReadonlyMap<string, number>): ElfExtraApp[] {
    if (!ECA_CALL_EVENT_TYPES.has(spec.eventType) || spec.data !== undefined || spec.csv !== undefined || spec.csvFile !== undefined) return [];
    const all = spec.apps === undefined || spec.apps.includes('*');
    const named = new Set((spec.apps ?? []).map((n) => n.toLowerCase()));
    const out: ElfExtraApp[] = [];
    for (const ecaSpec of this.scenario.externalClientApps ?? []) {
      const eca = this.ecaByName(ecaSpec.name);
      if (!eca) continue;
      const isNamed = named.has(eca.name.toLowerCase()) || named.has(eca.label.toLowerCase());
      if (!isNamed && !(all && ecaSpec.apiCalls)) continue;
      // The users who call: those given, else the active users an access row (profile or permission set) reaches.
      const granted = new Set(this.table('SetupEntityAccess').filter((r) => r.SetupEntityId === eca.id).map((r) => r.ParentId));
      const userIds = ecaSpec.apiCalls?.users?.map((u) => this.userByName(u)!.Id as string) ?? this.table('PermissionSetAssignment').filter((a) => granted.has(a.PermissionSetId)).map((a) => a.AssigneeId as string);
      const users = [...new Set(userIds)].map((id) => userIndex.get(id)).filter((i) => i !== undefined);
      // guess: an ECA's calls carry the ExternalClientApplication Id (15 characters, like a connected app's) in
      // CONNECTED_APP_ID and its label in CONNECTED_APP_NAME; which Id a real org writes is not documented (GUESSES.md E9).
      out.push({ app: { id: eca.id, name: eca.label, clientName: '', users }, share: ecaSpec.apiCalls?.share ?? DEFAULT_ECA_CALL_SHARE });
    }
    return out;
  }

  private datesOf(dates: string[] | { from: string; to: string } | undefined): string[] {
    const day = (ms: number): string => new Date(ms).toISOString().slice(0, 10);
    const base = this.startedAt.getTime();
    if (Array.isArray(dates)) return dates.map((d) => resolveDay(d, base));
    const from = Date.parse(`${dates ? resolveDay(dates.from, base) : day(base - 7 * DAY)}T00:00:00Z`);
    const to = Date.parse(`${dates ? resolveDay(dates.to, base) : day(base - DAY)}T00:00:00Z`);
    const out: string[] = [];
    for (let t = from; t <= to; t += DAY) out.push(day(t));
    return out;
  }

  // ---- Writes: SetupEntityAccess ----------------------------------------------------------------

  /** sObject Collections create for SetupEntityAccess: per-record results in input order. */
  public createSetupEntityAccess(records: Array<Record<string, unknown>>, allOrNone: boolean): SaveResult[] {
    return this.transaction(
      () => records.map((r) => this.createOneSea(r)),
      (results) => allOrNone && results.some((r) => !r.success)
    ).map((r, _i, all) => (allOrNone && all.some((x) => !x.success) && r.success ? { success: false, errors: [ROLLED_BACK] } : r));
  }

  private createOneSea(r: Record<string, unknown>): SaveResult {
    const fail = (statusCode: string, message: string, fields: string[] = []): SaveResult => ({ success: false, errors: [{ statusCode, message, fields }] });
    const type = (r.attributes as { type?: string } | undefined)?.type;
    if (type !== undefined && type.toLowerCase() !== 'setupentityaccess') {
      // guess: other types are not supported by the emulator's collections endpoint.
      return fail('INVALID_TYPE_FOR_OPERATION', `entity type ${type} does not support create in the org emulator`);
    }
    if ('SetupEntityType' in r) {
      // guess: the community reports "Field is not writeable"; REST reports it as INVALID_FIELD_FOR_INSERT_UPDATE.
      return fail('INVALID_FIELD_FOR_INSERT_UPDATE', 'Field is not writeable: SetupEntityAccess.SetupEntityType', ['SetupEntityType']);
    }
    if ('Id' in r && r.Id !== null) return fail('INVALID_FIELD_FOR_INSERT_UPDATE', 'cannot specify Id in an insert call', ['Id']);
    const missing = ['ParentId', 'SetupEntityId'].filter((f) => typeof r[f] !== 'string' || r[f] === '');
    if (missing.length > 0) return fail('REQUIRED_FIELD_MISSING', `Required fields are missing: [${missing.join(', ')}]`, missing);
    const parentId = r.ParentId as string;
    const entityId = r.SetupEntityId as string;
    const parent = this.objectOfId(parentId) === 'PermissionSet' ? this.byId(parentId) : undefined;
    if (!parent) return fail('INVALID_CROSS_REFERENCE_KEY', 'invalid cross reference id', ['ParentId']);
    // SetupEntityType is derived from the Id (reference §3): connected apps and, from 60.0, External Client Apps.
    const entityType = this.objectOfId(entityId);
    if (entityType !== 'ConnectedApplication' && entityType !== 'ExternalClientApplication') {
      return fail('FIELD_INTEGRITY_EXCEPTION', `Setup Entity ID: id value of incorrect type: ${entityId}`, ['SetupEntityId']);
    }
    const refusal = this.parentRefusal(parent);
    if (refusal) return { success: false, errors: [refusal] };
    const existing = this.tables.get('SetupEntityAccess')!.find((s) => s.ParentId === parent.Id && s.SetupEntityId === to18(entityId));
    if (existing) {
      // guess: duplicate inserts are undocumented; DUPLICATE_VALUE with the existing row's id is the usual shape
      // (`duplicateInsertCode` gives another code, e.g. FIELD_INTEGRITY_EXCEPTION).
      return fail(this.duplicateInsertCode, `duplicate value found: <unknown> duplicates value on record with id: ${existing.Id as string}`);
    }
    const row = this.insertSea(parent.Id as string, to18(entityId), this.now.getTime());
    row.SetupEntityType = entityType;
    return { id: row.Id as string, success: true, errors: [] };
  }

  /** Why SetupEntityAccess rows under this permission set cannot be written (undefined: they can). */
  private parentRefusal(parent: Row): RecordError | undefined {
    if (typeof parent.NamespacePrefix === 'string' && parent.NamespacePrefix !== '') {
      return {
        statusCode: 'CANNOT_MODIFY_MANAGED_OBJECT',
        message: `Cannot modify managed object: entity=PermissionSet, component=${parent.Id as string}, field=SetupEntityAccess, state=installed`,
        fields: [],
      };
    }
    if (parent.PermissionSetGroupId !== null && parent.PermissionSetGroupId !== undefined) {
      // guess: the aggregate permission set of a group is read-only; a cross-reference access error is the likely code.
      return {
        statusCode: 'INSUFFICIENT_ACCESS_ON_CROSS_REFERENCE_ENTITY',
        message: 'insufficient access rights on cross-reference id: the permission set of a permission set group cannot be modified',
        fields: ['ParentId'],
      };
    }
    if (parent.IsOwnedByProfile === true && this.profileSetupEntityAccess === 'refuse') {
      // guess: undocumented (the docs say profile-owned sets "can't be modified", community code inserts fine).
      return {
        statusCode: 'INSUFFICIENT_ACCESS_ON_CROSS_REFERENCE_ENTITY',
        message: 'insufficient access rights on cross-reference id: permission sets owned by a profile cannot be modified',
        fields: ['ParentId'],
      };
    }
    return undefined;
  }

  /** sObject Collections delete (any deletable record the emulator stores; SetupEntityAccess in practice). */
  public deleteRecords(ids: string[], allOrNone: boolean): SaveResult[] {
    return this.transaction(
      () => ids.map((id) => this.deleteOne(id)),
      (results) => allOrNone && results.some((r) => !r.success)
    ).map((r, _i, all) => (allOrNone && all.some((x) => !x.success) && r.success ? { id: r.id, success: false, errors: [ROLLED_BACK] } : r));
  }

  private deleteOne(rawId: string): SaveResult {
    const id = to18(rawId);
    const fail = (statusCode: string, message: string): SaveResult => ({ id: rawId, success: false, errors: [{ statusCode, message, fields: [] }] });
    const objectName = this.objectOfId(id);
    if (!objectName) {
      if (this.deletedIds.has(id) || rawId.startsWith('0J0')) return fail('ENTITY_IS_DELETED', 'entity is deleted');
      return fail('INVALID_ID_FIELD', `invalid record id: ${rawId}`);
    }
    if (objectName !== 'SetupEntityAccess') {
      // guess: the emulator only deletes SetupEntityAccess; other setup objects answer like read-only entities.
      return fail('INVALID_TYPE_FOR_OPERATION', `entity type ${objectName} does not support delete in the org emulator`);
    }
    const row = this.byId(id)!;
    const parent = this.byId(row.ParentId as string);
    const refusal = parent ? this.parentRefusal(parent) : undefined;
    if (refusal) return { id: rawId, success: false, errors: [{ ...refusal, fields: [] }] };
    this.remove('SetupEntityAccess', row);
    return { id, success: true, errors: [] };
  }

  // ---- Metadata API -----------------------------------------------------------------------------

  public assignmentNames(app: AppState): { profiles: string[]; permissionSets: string[] } {
    const profiles: string[] = [];
    const permissionSets: string[] = [];
    const profileByPs = new Map([...this.profiles.values()].map((p) => [p.permissionSetId, p.name]));
    for (const sea of this.tables.get('SetupEntityAccess')!) {
      if (sea.SetupEntityId !== app.id) continue;
      const profile = profileByPs.get(sea.ParentId as string);
      if (profile !== undefined) profiles.push(profile);
      else {
        const ps = this.byId(sea.ParentId as string);
        if (ps && ps.PermissionSetGroupId === null) permissionSets.push(ps.Label as string);
      }
    }
    return { profiles, permissionSets };
  }

  /**
   * updateMetadata of one ConnectedApp: the stored component is replaced by what is sent, except consumerSecret
   * (kept when omitted — guess: it is write-only, so a read-modify-write client cannot send it back) and
   * consumerKey (guess: immutable since 32.0, kept when omitted, an error when changed).
   */
  public updateConnectedApp(c: SplitComponent, dryRun = false): { fullName: string; error?: FieldError } {
    const fullName = c.fullName ?? '';
    const app = fullName ? this.appByFullName(fullName) : undefined;
    if (!app?.body || !app.inMetadataApi) {
      return { fullName, error: { statusCode: 'INVALID_CROSS_REFERENCE_KEY', message: `In field: fullName - no ConnectedApp named ${fullName} found`, fields: [] } };
    }
    if (app.namespace) {
      return {
        fullName,
        error: { statusCode: 'CANNOT_MODIFY_MANAGED_OBJECT', message: `Cannot modify managed object: entity=ConnectedApp, component=${app.id}, state=installed`, fields: [] },
      };
    }
    const sentKey = str(sub(c.body, 'oauthConfig'), 'consumerKey');
    const storedKey = str(sub(app.body, 'oauthConfig'), 'consumerKey');
    if (sentKey !== undefined && storedKey !== undefined && sentKey !== storedKey) {
      return { fullName, error: { statusCode: 'FIELD_INTEGRITY_EXCEPTION', message: 'The consumer key of an existing connected app cannot be changed', fields: ['consumerKey'] } };
    }
    const admin = isAdminApproved(c.body);
    const resolved = this.assignmentTargets(c, fullName);
    if ('error' in resolved) return resolved;
    const { profilePs, regularPs } = resolved;

    if (dryRun) return { fullName: app.fullName };

    // Apply.
    const body = c.body;
    const oauth = sub(body, 'oauthConfig');
    if (oauth && sentKey === undefined && storedKey !== undefined) oauth.consumerKey = [storedKey];
    if (c.consumerSecret !== undefined) app.consumerSecret = c.consumerSecret;
    app.body = body;
    const clear = this.omittedAssignmentsOnUpdate === 'remove';
    const profileSets = new Set([...this.profiles.values()].map((p) => p.permissionSetId));
    if (c.profileNames !== undefined || clear) this.replaceAssignments(app, profilePs, (psId) => profileSets.has(psId));
    if (c.permissionSetNames !== undefined || clear) this.replaceAssignments(app, regularPs, (psId) => !profileSets.has(psId));
    app.lastModifiedById = this.currentUserId;
    app.lastModifiedDate = this.now.getTime();
    const label = str(body, 'label') ?? app.label;
    app.label = label;
    if (app.row) Object.assign(app.row, { Name: label, ...derivedSObjectFields(body), LastModifiedDate: this.fmt(app.lastModifiedDate), LastModifiedById: app.lastModifiedById });
    if (app.menuItem) {
      Object.assign(app.menuItem, {
        Label: label,
        IsUsingAdminAuthorization: admin,
        StartUrl: str(body, 'startUrl') ?? null,
        LastModifiedDate: this.fmt(app.lastModifiedDate),
        SystemModstamp: this.fmt(app.lastModifiedDate),
      });
    }
    return { fullName: app.fullName };
  }

  /**
   * The permission sets a sent component's profileName / permissionSetName elements stand for, after the checks the
   * org makes on them (names only with isAdminApproved — guess —, every name known, the client credentials user known).
   */
  private assignmentTargets(c: SplitComponent, fullName: string): { profilePs: string[]; regularPs: string[] } | { fullName: string; error: FieldError } {
    const wantsAssignments = (c.profileNames?.length ?? 0) > 0 || (c.permissionSetNames?.length ?? 0) > 0;
    if (wantsAssignments && !isAdminApproved(c.body)) {
      // guess: the docs say profileName/permissionSetName are "only usable when isAdminApproved = true".
      return {
        fullName,
        error: {
          statusCode: 'FIELD_INTEGRITY_EXCEPTION',
          message: 'Profiles and permission sets can only be assigned when the connected app is set to "Admin approved users are pre-authorized" (isAdminApproved)',
          fields: c.profileNames?.length ? ['profileName'] : ['permissionSetName'],
        },
      };
    }
    const profilePs: string[] = [];
    for (const name of c.profileNames ?? []) {
      const p = this.profiles.get(name.toLowerCase());
      if (!p) return { fullName, error: { statusCode: 'INVALID_CROSS_REFERENCE_KEY', message: `In field: profileName - no Profile named ${name} found`, fields: ['profileName'] } };
      profilePs.push(p.permissionSetId);
    }
    const regularPs: string[] = [];
    for (const name of c.permissionSetNames ?? []) {
      const ps = this.permSetsByLabel.get(name.toLowerCase()) ?? this.permSetsByName.get(name.toLowerCase());
      if (!ps) {
        return { fullName, error: { statusCode: 'INVALID_CROSS_REFERENCE_KEY', message: `In field: permissionSetName - no PermissionSet named ${name} found`, fields: ['permissionSetName'] } };
      }
      regularPs.push(ps.Id as string);
    }
    const user = str(sub(c.body, 'oauthConfig'), 'oauthClientCredentialUser');
    if (user !== undefined && user !== '' && !this.userByName(user)) {
      return { fullName, error: { statusCode: 'FIELD_INTEGRITY_EXCEPTION', message: `The client credentials user ${user} does not exist`, fields: ['oauthClientCredentialUser'] } };
    }
    return { profilePs, regularPs };
  }

  /**
   * createMetadata of one ConnectedApp. Since Spring '26 customers cannot create connected apps through the UI or any
   * API including the Metadata API (reference §7, help article 005228017), unless Salesforce Support allows it
   * (`connectedAppCreation: 'allowed'`). guess: the refusal is a per-component FUNCTIONALITY_NOT_ENABLED (the article
   * says creation "is blocked", not how the API answers), and it comes before any other check of the component.
   * Where creation is allowed: a name in use is DUPLICATE_DEVELOPER_NAME (guess), the assignment checks are those of
   * updateMetadata, and the org makes the consumer key when none is sent.
   */
  public createConnectedApp(c: SplitComponent, dryRun = false, pending = new Set<string>()): { fullName: string; error?: FieldError } {
    const fullName = c.fullName ?? '';
    if (this.connectedAppCreation === 'blocked') {
      return {
        fullName,
        error: {
          statusCode: 'FUNCTIONALITY_NOT_ENABLED',
          message: 'Connected apps can no longer be created in this org: create an External Client App, or ask Salesforce Support to allow connected app creation',
          fields: [],
        },
      };
    }
    const key = `ConnectedApp\u0000${fullName.toLowerCase()}`;
    if (this.appByFullName(fullName) || pending.has(key)) return { fullName, error: duplicateName('ConnectedApp', fullName) };
    const resolved = this.assignmentTargets(c, fullName);
    if ('error' in resolved) return resolved;
    pending.add(key);
    if (dryRun) return { fullName };

    const body = c.body;
    const oauth = sub(body, 'oauthConfig');
    if (oauth && str(oauth, 'consumerKey') === undefined) oauth.consumerKey = [`3MVG9${this.rng.chars(80, CONSUMER_KEY_CHARS)}`];
    const now = this.now.getTime();
    const label = str(body, 'label') ?? fullName;
    const id = this.ids.next('0H4');
    const app: AppState = {
      name: fullName,
      fullName,
      label,
      namespace: null,
      id,
      installed: true,
      inMetadataApi: true,
      listMetadataId: id,
      body,
      consumerSecret: c.consumerSecret,
      createdById: this.currentUserId,
      createdDate: now,
      lastModifiedById: this.currentUserId,
      lastModifiedDate: now,
    };
    this.apps.set(fullName.toLowerCase(), app);
    app.row = this.insert('ConnectedApplication', { Id: id, Name: label, ...derivedSObjectFields(body), ...this.audit(this.currentUserId, now) });
    app.menuItem = this.insertMenuItem(app, body, this.audit(this.currentUserId, now));
    for (const psId of new Set([...resolved.profilePs, ...resolved.regularPs])) this.insertSea(psId, id, now);
    return { fullName };
  }

  /**
   * createMetadata of one External Client App component. The header (ExternalClientApplication) makes a new app; every
   * other part names its app in `externalClientApplication`, which must exist (or be created earlier in the same
   * call), and an app has at most one component of each type. guess: a name in use is DUPLICATE_DEVELOPER_NAME, a
   * second part of one type DUPLICATE_VALUE, an unknown app INVALID_CROSS_REFERENCE_KEY; the org makes the consumer key
   * of ExtlClntAppGlobalOauthSettings when none is sent; a sent consumer secret is kept (never returned).
   */
  public createEcaComponent(type: string, fullName: string, body: MdObject, consumerSecret: string | undefined, dryRun = false, pending = new Set<string>()): { fullName: string; error?: FieldError } {
    const key = `${type}\u0000${fullName.toLowerCase()}`;
    if (this.ecaComponent(type, fullName) || pending.has(key)) return { fullName, error: duplicateName(type, fullName) };
    const invalid = validateEcaComponent(type, body);
    if (invalid) return { fullName, error: invalid };
    const appName = ecaAppOf({ type, fullName, body });
    const appKey = `eca\u0000${appName.toLowerCase()}`;
    const eca = this.ecaByName(appName);
    const partKey = `${type}@${appName.toLowerCase()}`;
    if (type === 'ExternalClientApplication') {
      if (eca || pending.has(appKey)) return { fullName, error: duplicateName(type, fullName) };
    } else if (!eca && !pending.has(appKey)) {
      return { fullName, error: { statusCode: 'INVALID_CROSS_REFERENCE_KEY', message: `In field: externalClientApplication - no ExternalClientApplication named ${appName} found`, fields: ['externalClientApplication'] } };
    } else if (eca?.components.has(type) || pending.has(partKey)) {
      return { fullName, error: { statusCode: 'DUPLICATE_VALUE', message: `duplicate value found: External Client App ${appName} already has a component of type ${type}`, fields: ['externalClientApplication'] } };
    }
    pending.add(key);
    pending.add(partKey);
    if (type === 'ExternalClientApplication') pending.add(appKey);
    if (dryRun) return { fullName };

    const now = this.now.getTime();
    const component: EcaComponent = { type, fullName, body };
    if (type === 'ExternalClientApplication') {
      const label = str(body, 'label') ?? fullName;
      const id = this.ids.next('0xI');
      const row = this.insert('ExternalClientApplication', { Id: id, DeveloperName: fullName, MasterLabel: label, NamespacePrefix: null, CreatedDate: this.fmt(now), LastModifiedDate: this.fmt(now) });
      const created: EcaState = { name: fullName, label, id, components: new Map([[type, component]]), consumerSecret, createdById: this.currentUserId, createdDate: now, lastModifiedById: this.currentUserId, lastModifiedDate: now, row };
      this.ecas.set(fullName.toLowerCase(), created);
      return { fullName };
    }
    const owner = this.ecaByName(appName)!;
    if (type === 'ExtlClntAppGlobalOauthSettings' && str(body, 'consumerKey') === undefined) {
      // consumerKey comes after callbackUrl and certificate in the WSDL; the model keeps fields by name, written in order.
      body.consumerKey = [`3MVG9${this.rng.chars(80, CONSUMER_KEY_CHARS)}`];
    }
    if (consumerSecret !== undefined) owner.consumerSecret = consumerSecret;
    owner.components.set(type, component);
    owner.lastModifiedById = this.currentUserId;
    owner.lastModifiedDate = now;
    owner.row.LastModifiedDate = this.fmt(now);
    if (type === 'ExtlClntAppOauthConfigurablePolicies') {
      this.insert('ExtlClntAppOauthPlcyCnfg', { Id: this.ids.next('0xP'), ExternalClientApplicationId: owner.id, ...ecaPolicyRowFields(body) });
    }
    return { fullName };
  }

  private replaceAssignments(app: AppState, wanted: string[], inScope: (psId: string) => boolean): void {
    const want = new Set(wanted);
    for (const sea of [...this.tables.get('SetupEntityAccess')!]) {
      if (sea.SetupEntityId !== app.id || !inScope(sea.ParentId as string)) continue;
      if (want.has(sea.ParentId as string)) want.delete(sea.ParentId as string);
      else this.remove('SetupEntityAccess', sea);
    }
    for (const psId of want) this.insertSea(psId, app.id, this.now.getTime());
  }

  public profileByFullName(fullName: string): ProfileState | undefined {
    for (const p of this.profiles.values()) if (p.fullName.toLowerCase() === fullName.toLowerCase()) return p;
    return undefined;
  }

  public loginIpRanges(profileId: string): Row[] {
    return (this.tables.get('LoginIpRange') ?? []).filter((r) => r.ProfileId === profileId);
  }

  // ---- OAuth ------------------------------------------------------------------------------------

  /** Revokes an OAuth token by DeleteToken (or its AccessToken); true when one was found. */
  public revokeToken(token: string): boolean {
    const tokens = this.tables.get('OauthToken')!;
    const row = tokens.find((t) => t.DeleteToken === token || t.AccessToken === token);
    if (!row) return false;
    this.remove('OauthToken', row);
    return true;
  }

  // ---- Introspection for tests ------------------------------------------------------------------

  /** All rows of an object, including event log files of types the org cannot see. */
  public table(objectName: string): Row[] {
    return this.tables.get(findObject(objectName)?.name ?? objectName) ?? [];
  }

  /** The stored ConnectedApp component of an app (as `<ConnectedApp>`, without fullName and assignments). */
  public storedComponent(appName: string): XmlElement | undefined {
    const body = this.appByAnyName(appName)?.body;
    return body ? componentXml(body) : undefined;
  }

  public setupEntityAccessFor(appName: string): Row[] {
    const app = this.appByAnyName(appName);
    return app ? this.table('SetupEntityAccess').filter((s) => s.SetupEntityId === app.id) : [];
  }
}

const CONSUMER_KEY_CHARS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._';

/** createMetadata of a name already in use. guess: DUPLICATE_DEVELOPER_NAME, as other developer-named setup entities answer. */
function duplicateName(type: string, fullName: string): FieldError {
  return { statusCode: 'DUPLICATE_DEVELOPER_NAME', message: `There is already a ${type} named ${fullName}`, fields: ['fullName'] };
}

/** Key prefixes for objects whose prefix the schema leaves open. */
const FALLBACK_PREFIXES: Record<string, string | undefined> = {
  // guess: LoginIpRange's key prefix is not documented.
  LoginIpRange: '0Lr',
  // guess: UserLogin's key prefix is not documented either.
  UserLogin: '0Yw',
};

/**
 * Scenario permission names are the permissions' API names. `ApproveUninstalledConnectedApps` (used by older scenario
 * files) names the permission community code calls CanApproveUninstalledApps (reference §6).
 */
export function permissionName(name: string): string {
  return name === 'ApproveUninstalledConnectedApps' ? 'CanApproveUninstalledApps' : name;
}

function permissionFields(perms: string[] | undefined): Row {
  const row: Row = {};
  for (const p of perms ?? []) row[`Permissions${permissionName(p)}`] = true;
  return row;
}

function capitalise(s: string): string {
  return s.length === 0 ? s : s[0].toUpperCase() + s.slice(1);
}

/** ExtlClntAppOauthPlcyCnfg fields from the policy component (guess: the picklists hold the metadata enum values). */
function ecaPolicyRowFields(body: MdObject): Row {
  const period = str(body, 'refreshTokenValidityPeriod');
  return {
    PermittedUsersPolicyType: str(body, 'permittedUsersPolicyType') ?? null,
    IpRelaxationPolicyType: str(body, 'ipRelaxationPolicyType') ?? null,
    RefreshTokenPolicyType: str(body, 'refreshTokenPolicyType') ?? null,
    RefreshTokenValidityPeriod: period === undefined ? null : Number(period),
    RefreshTokenValidityUnit: str(body, 'refreshTokenValidityUnit') ?? null,
    RequiredSessionLevel: str(body, 'requiredSessionLevel') ?? null,
  };
}
