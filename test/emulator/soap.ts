/*
 * Metadata API (SOAP, POST /services/Soap/m/XX.X): listMetadata, readMetadata, updateMetadata and createMetadata for
 * ConnectedApp and the five External Client App types (and read/list of Profile for login IP ranges), with SOAP faults and per-record errors.
 */
import {
  attribute,
  childText,
  childTexts,
  element,
  elements,
  findDescendant,
  firstElement,
  localName,
  parseXml,
  serializeXml,
  textElement,
  type XmlElement,
  type XmlNode,
} from './xml.js';
import { XML_TYPE, type Reply } from './http.js';
import { renderComponent, splitComponent, validateComponent, type FieldError, type SplitComponent } from './metadata.js';
import { isMetadataType, readObject, SchemaViolation, str, writeObject, type MdObject } from './metadata-schema.js';
import type { OrgState, ProfileState } from './org.js';
import { ECA_FOLDERS, ECA_TYPES, isEcaType } from './eca.js';
import { Retrieves } from './retrieve.js';

const SOAPENV = 'http://schemas.xmlsoap.org/soap/envelope/';
const MD_NS = 'http://soap.sforce.com/2006/04/metadata';
const XSI = 'http://www.w3.org/2001/XMLSchema-instance';
const MAX_NAMES = 10;

export type SoapRequest = { envelope?: XmlElement; parseError?: string; operation?: XmlElement; sessionId?: string };

/** Parses a SOAP request far enough to log its operation and check the session. */
export function parseSoapRequest(body: string): SoapRequest {
  let root: XmlElement;
  try {
    root = parseXml(body).root;
  } catch (e) {
    return { parseError: (e as Error).message };
  }
  if (localName(root.name) !== 'Envelope') return { parseError: `Unexpected element ${root.name}; expected an Envelope` };
  const header = firstElement(root, 'Header');
  const sessionId = childText(header ? findDescendant(header, 'SessionHeader') : undefined, 'sessionId')?.trim();
  const bodyEl = firstElement(root, 'Body');
  const operation = bodyEl ? elements(bodyEl)[0] : undefined;
  return { envelope: root, operation, sessionId };
}

export function soapOperationName(req: SoapRequest): string | undefined {
  return req.operation ? localName(req.operation.name) : undefined;
}

function envelope(body: XmlNode[]): Reply {
  const root = element('soapenv:Envelope', [element('soapenv:Body', body)], [
    ['xmlns:soapenv', SOAPENV],
    ['xmlns', MD_NS],
    ['xmlns:xsi', XSI],
  ]);
  return { status: 200, headers: { 'Content-Type': XML_TYPE }, body: serializeXml(root, { indent: '' }) };
}

/** A SOAP fault (HTTP 500). `code` is an API error code (sf:CODE) or a SOAP code such as soapenv:Client. */
export function soapFault(code: string, message: string): Reply {
  const qualified = code.includes(':') ? code : `sf:${code}`;
  const exceptionCode = code.includes(':') ? undefined : code;
  const fault = element('soapenv:Fault', [
    textElement('faultcode', qualified),
    textElement('faultstring', exceptionCode ? `${exceptionCode}: ${message}` : message),
    ...(exceptionCode
      ? [
          element('detail', [
            element('sf:UnexpectedErrorFault', [textElement('sf:exceptionCode', exceptionCode), textElement('sf:exceptionMessage', message)], [
              ['xsi:type', 'sf:UnexpectedErrorFault'],
            ]),
          ]),
        ]
      : []),
  ], [['xmlns:sf', MD_NS]]);
  const reply = envelope([fault]);
  return { ...reply, status: 500 };
}

const metaDate = (ms: number): string => new Date(ms).toISOString();

export class MetadataApi {
  private readonly retrieves: Retrieves;

  public constructor(private readonly org: OrgState) {
    this.retrieves = new Retrieves(org);
  }

  public handle(req: SoapRequest, version: string, validSession: (id: string | undefined) => boolean): Reply {
    if (req.parseError !== undefined || !req.envelope) return soapFault('soapenv:Client', req.parseError ?? 'Premature end of file.');
    if (!validSession(req.sessionId)) return soapFault('INVALID_SESSION_ID', 'Invalid Session ID found in SessionHeader: Illegal Session');
    const v = Number(version);
    if (!(v >= 20 && v <= Number(this.org.maxApiVersion))) return soapFault('UNSUPPORTED_API_VERSION', `Invalid Api version specified on URL: ${version}`);
    const op = req.operation;
    if (!op) return soapFault('soapenv:Client', 'No operation given in the SOAP Body');
    const header = firstElement(req.envelope, 'Header');
    const allOrNone = childText(header ? findDescendant(header, 'AllOrNoneHeader') : undefined, 'allOrNone') === 'true';
    switch (localName(op.name)) {
      case 'listMetadata':
        return this.list(op);
      case 'readMetadata':
        return this.read(op);
      case 'updateMetadata':
        return this.save(op, allOrNone, 'update');
      case 'createMetadata':
        return this.save(op, allOrNone, 'create');
      case 'retrieve':
      case 'checkRetrieveStatus': {
        const answer = localName(op.name) === 'retrieve' ? this.retrieves.start(op) : this.retrieves.check(op);
        if ('fault' in answer) return soapFault(...answer.fault);
        return envelope([element(`${localName(op.name)}Response`, answer.result)]);
      }
      default:
        return soapFault('soapenv:Client', `No operation available for request {${MD_NS}}${localName(op.name)}, please check the WSDL for the service.`);
    }
  }

  private userName(id: string): string {
    return (this.org.byId(id)?.Name as string | undefined) ?? '';
  }

  /**
   * The ECA OAuth settings types need "Allow Access to OAuth Consumer Secrets via Metadata API" (reference §7).
   * guess: without it the call is refused with INSUFFICIENT_ACCESS (the code and wording are not documented).
   */
  private oauthSettingsRefusal(types: readonly string[]): Reply | undefined {
    if (this.org.ecaOauthSettingsAccess || !types.some((t) => t === 'ExtlClntAppOauthSettings' || t === 'ExtlClntAppGlobalOauthSettings')) return undefined;
    return soapFault('INSUFFICIENT_ACCESS', 'Access to OAuth consumer secrets via the Metadata API is not allowed in this org');
  }

  private list(op: XmlElement): Reply {
    const queries = elements(op, 'queries');
    if (queries.length > 3) return soapFault('INVALID_TYPE', 'Too many queries; listMetadata takes at most 3');
    const refused = this.oauthSettingsRefusal(queries.map((q) => (childText(q, 'type') ?? '').trim()));
    if (refused) return refused;
    const results: XmlElement[] = [];
    for (const q of queries) {
      const type = (childText(q, 'type') ?? '').trim();
      if (type === 'ConnectedApp') {
        for (const app of this.org.apps.values()) {
          if (!app.inMetadataApi) continue;
          const props: XmlElement[] = [
            textElement('createdById', app.createdById),
            textElement('createdByName', this.userName(app.createdById)),
            textElement('createdDate', metaDate(app.createdDate)),
            textElement('fileName', `connectedApps/${app.fullName}.connectedApp`),
            textElement('fullName', app.fullName),
            textElement('id', app.listMetadataId),
            textElement('lastModifiedById', app.lastModifiedById),
            textElement('lastModifiedByName', this.userName(app.lastModifiedById)),
            textElement('lastModifiedDate', metaDate(app.lastModifiedDate)),
            textElement('manageableState', app.namespace ? 'installed' : 'unmanaged'),
            ...(app.namespace ? [textElement('namespacePrefix', app.namespace)] : []),
            textElement('type', 'ConnectedApp'),
          ];
          results.push(element('result', props));
        }
      } else if (isEcaType(type)) {
        for (const eca of this.org.ecas.values()) {
          const c = eca.components.get(type);
          if (!c) continue;
          results.push(
            element('result', [
              textElement('createdById', eca.createdById),
              textElement('createdByName', this.userName(eca.createdById)),
              textElement('createdDate', metaDate(eca.createdDate)),
              textElement('fileName', `${ECA_FOLDERS[type]}/${c.fullName}.${ECA_TYPES[type]}`),
              textElement('fullName', c.fullName),
              // guess: FileProperties.id of an ECA part; the header's is the ExternalClientApplication Id.
              textElement('id', type === 'ExternalClientApplication' ? eca.id : ''),
              textElement('lastModifiedById', eca.lastModifiedById),
              textElement('lastModifiedByName', this.userName(eca.lastModifiedById)),
              textElement('lastModifiedDate', metaDate(eca.lastModifiedDate)),
              textElement('manageableState', 'unmanaged'),
              textElement('type', type),
            ])
          );
        }
      } else if (type === 'Profile') {
        for (const p of this.org.profiles.values()) {
          const created = Date.parse(String(p.row.CreatedDate).replace(/\+0000$/, 'Z'));
          results.push(
            element('result', [
              textElement('createdById', String(p.row.CreatedById)),
              textElement('createdByName', this.userName(String(p.row.CreatedById))),
              textElement('createdDate', metaDate(created)),
              textElement('fileName', `profiles/${p.fullName}.profile`),
              textElement('fullName', p.fullName),
              textElement('id', p.id),
              textElement('lastModifiedById', String(p.row.LastModifiedById)),
              textElement('lastModifiedByName', this.userName(String(p.row.LastModifiedById))),
              textElement('lastModifiedDate', metaDate(created)),
              textElement('manageableState', 'unmanaged'),
              textElement('type', 'Profile'),
            ])
          );
        }
      }
    }
    return { ...envelope([element('listMetadataResponse', results)]), records: results.length };
  }

  private read(op: XmlElement): Reply {
    const type = (childText(op, 'type') ?? '').trim();
    const names = childTexts(op, 'fullNames').map((n) => n.trim());
    if (names.length > MAX_NAMES) {
      // guess: the fault code and text for more than 10 names.
      return soapFault('EXCEEDED_ID_LIMIT', `Too many full names: readMetadata takes at most ${MAX_NAMES} names of type ${type} per call`);
    }
    const refused = this.oauthSettingsRefusal([type]);
    if (refused) return refused;
    const records: XmlElement[] = names.map((name) => {
      if (type === 'ConnectedApp') {
        const app = this.org.appByFullName(name);
        if (app?.body && app.inMetadataApi) {
          const { profiles, permissionSets } = this.org.assignmentNames(app);
          return element('records', renderComponent(app.fullName, app.body, profiles, permissionSets), [['xsi:type', 'ConnectedApp']]);
        }
      } else if (isEcaType(type)) {
        const found = this.org.ecaComponent(type, name);
        // The consumer secret is not in the stored model, so it is never returned.
        if (found) return element('records', writeObject({ fullName: [found.component.fullName], ...found.component.body }, type), [['xsi:type', type]]);
      } else if (type === 'Profile') {
        const p = this.org.profileByFullName(name);
        if (p) return element('records', this.profileComponent(p), [['xsi:type', 'Profile']]);
      }
      // guess: an unknown name reads as a nil record (jsforce then returns an object without fullName).
      return element('records', [], [['xsi:nil', 'true']]);
    });
    return { ...envelope([element('readMetadataResponse', [element('result', records)])]), records: records.length };
  }

  /** The parts of a Profile the emulator models, written in WSDL order. */
  private profileComponent(p: ProfileState): XmlElement[] {
    const model: MdObject = {
      fullName: [p.fullName],
      custom: [p.custom],
      loginIpRanges: p.loginIpRanges.map((r) => ({ ...(r.description ? { description: [r.description] } : {}), endAddress: [r.end], startAddress: [r.start] })),
      userLicense: [p.userLicense],
      userPermissions: p.permissions.map((name) => ({ enabled: [true], name: [name] })),
    };
    return writeObject(model, 'Profile');
  }

  /**
   * updateMetadata / createMetadata: every component is checked against the WSDL first (M2), then saved one by one
   * with per-component results. An update needs an existing component; a create a new name (ConnectedApp creation is
   * blocked since Spring '26 — see OrgState.createConnectedApp).
   */
  private save(op: XmlElement, allOrNone: boolean, mode: 'update' | 'create'): Reply {
    const items = elements(op, 'metadata');
    if (items.length > MAX_NAMES) {
      // guess: as for readMetadata.
      return soapFault('EXCEEDED_ID_LIMIT', `Too many components: ${mode}Metadata takes at most ${MAX_NAMES} per call`);
    }
    type Outcome = { fullName: string; error?: FieldError };
    type Parsed = { type: string; fullName: string; split?: SplitComponent; eca?: MdObject; consumerSecret?: string; error?: FieldError };
    // The whole request is deserialised against the WSDL before anything is saved.
    const parsed: Parsed[] = [];
    for (const item of items) {
      const type = localName(attribute(item, 'type') ?? 'ConnectedApp');
      const fullName = (childText(item, 'fullName') ?? '').trim();
      if (!isMetadataType(type)) {
        // guess: the emulator models only the types in schemas/metadata-types.json; others get a per-record INVALID_TYPE.
        parsed.push({ type, fullName, error: { statusCode: 'INVALID_TYPE', message: `The org emulator does not ${mode} ${type}`, fields: [] } });
        continue;
      }
      try {
        if (type === 'ConnectedApp') parsed.push({ type, fullName, split: splitComponent(item) });
        else if (isEcaType(type)) {
          const eca = readObject(item, type);
          const consumerSecret = str(eca, 'consumerSecret');
          delete eca.fullName;
          // guess: a consumer secret sent in an update is ignored (it is set only when the app is created).
          delete eca.consumerSecret;
          parsed.push({ type, fullName, eca, consumerSecret });
        } else {
          readObject(item, type);
          const error: FieldError =
            mode === 'update'
              ? { statusCode: 'INVALID_CROSS_REFERENCE_KEY', message: `In field: fullName - no ${type} named ${fullName} found`, fields: [] }
              : { statusCode: 'INVALID_TYPE', message: `The org emulator does not create ${type}`, fields: [] };
          parsed.push({ type, fullName, error });
        }
      } catch (e) {
        if (!(e instanceof SchemaViolation)) throw e;
        // guess: a payload that does not match the WSDL fails the whole call with a soapenv:Client fault, as the SOAP
        // deserialiser runs before any save ('record' answers it per component instead).
        if (this.org.metadataSchemaErrors === 'fault') return soapFault('soapenv:Client', e.message);
        parsed.push({ type, fullName, error: { statusCode: 'INVALID_FIELD', message: e.message, fields: [] } });
      }
    }
    // Names a create of this call has taken already (a dry run must see them too).
    let pending = new Set<string>();
    const check = (p: Parsed, dryRun: boolean): Outcome => {
      if (!p.error && p.eca) {
        if (p.fullName === '') return { fullName: p.fullName, error: { statusCode: 'REQUIRED_FIELD_MISSING', message: 'Required field is missing: fullName', fields: ['fullName'] } };
        if (mode === 'create') return this.org.createEcaComponent(p.type, p.fullName, p.eca, p.consumerSecret, dryRun, pending);
        return this.org.updateEcaComponent(p.type, p.fullName, p.eca, dryRun);
      }
      if (p.error || !p.split) return { fullName: p.fullName, error: p.error };
      if (p.fullName === '') return { fullName: p.fullName, error: { statusCode: 'REQUIRED_FIELD_MISSING', message: 'Required field is missing: fullName', fields: ['fullName'] } };
      if (mode === 'create' && this.org.connectedAppCreation === 'blocked') return this.org.createConnectedApp(p.split, dryRun, pending);
      const invalid = validateComponent(p.split);
      if (invalid) return { fullName: p.fullName, error: invalid };
      return mode === 'create' ? this.org.createConnectedApp(p.split, dryRun, pending) : this.org.updateConnectedApp(p.split, dryRun);
    };
    let outcomes: Outcome[];
    if (allOrNone) {
      outcomes = parsed.map((p) => check(p, true));
      pending = new Set<string>();
      if (outcomes.some((o) => o.error)) {
        // guess: with AllOrNoneHeader the valid components are reported as rolled back.
        outcomes = outcomes.map((o) =>
          o.error
            ? o
            : { ...o, error: { statusCode: 'ALL_OR_NONE_OPERATION_ROLLED_BACK', message: 'Record rolled back because not all records were valid and the request was using AllOrNone header', fields: [] } }
        );
      } else outcomes = parsed.map((p) => check(p, false));
    } else outcomes = parsed.map((p) => check(p, false));
    const results = outcomes.map((o) =>
      element('result', [
        ...(o.error
          ? [
              element('errors', [
                ...o.error.fields.map((f) => textElement('fields', f)),
                textElement('message', o.error.message),
                textElement('statusCode', o.error.statusCode),
              ]),
            ]
          : []),
        textElement('fullName', o.fullName),
        textElement('success', String(!o.error)),
      ])
    );
    return { ...envelope([element(`${mode}MetadataResponse`, results)]), records: results.length };
  }
}
