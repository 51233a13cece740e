/*
 * Metadata API retrieve() and checkRetrieveStatus() for ConnectedApp, as `sf project retrieve start -m ConnectedApp`
 * uses them (through source-deploy-retrieve): retrieve answers an AsyncResult (id, done false, state Queued); each
 * checkRetrieveStatus answers a RetrieveResult (done, id, status Pending|InProgress|Succeeded, success, zipFile: the
 * base64 zip of package.xml and connectedApps/<name>.connectedApp once done). Sources: the Metadata API Developer
 * Guide, "retrieve()", "checkRetrieveStatus()" and "RetrieveResult" (v67).
 *
 * Guesses (listed in GUESSES.md, M14): how long a retrieve takes before done (here 1 s plus 0.2 ms per component,
 * counted from the retrieve call), the AsyncResult state "Queued", fileProperties left out, and the zip laid out under
 * "unpackaged/".
 */
import { crc32, deflateRawSync } from 'node:zlib';
import { childText, childTexts, element, elements, firstElement, serializeXml, textElement, type XmlElement, type XmlNode } from './xml.js';
import { renderComponent } from './metadata.js';
import type { OrgState } from './org.js';

export type RetrieveJob = { id: string; startedAt: number; members: string[]; zip: string | null; done: boolean };

const BASE_MS = 1000;
const PER_COMPONENT_MS = 0.2;

export class Retrieves {
  private readonly jobs = new Map<string, RetrieveJob>();
  private next = 1;

  public constructor(private readonly org: OrgState) {}

  /** retrieve(RetrieveRequest): only `unpackaged` types of ConnectedApp (members by name, or "*"). */
  public start(op: XmlElement): { result: XmlNode[] } | { fault: [string, string] } {
    const request = firstElement(op, 'retrieveRequest');
    const unpackaged = request ? firstElement(request, 'unpackaged') : undefined;
    if (!unpackaged) return { fault: ['INVALID_CROSS_REFERENCE_KEY', 'Only unpackaged retrieves are served by this emulator'] };
    const members: string[] = [];
    for (const types of elements(unpackaged, 'types')) {
      if ((childText(types, 'name') ?? '').trim() !== 'ConnectedApp') return { fault: ['INVALID_TYPE', `Unsupported type in this emulator: ${childText(types, 'name') ?? ''}`] };
      for (const m of childTexts(types, 'members').map((x) => x.trim())) {
        if (m === '*') members.push(...[...this.org.apps.values()].filter((a) => a.body && a.inMetadataApi).map((a) => a.fullName));
        else members.push(m);
      }
    }
    const id = `09S5g${String(this.next++).padStart(10, '0')}`;
    this.jobs.set(id, { id, startedAt: Date.now(), members: [...new Set(members)], zip: null, done: false });
    return { result: [element('result', [textElement('done', 'false'), textElement('id', id), textElement('state', 'Queued')])] };
  }

  /** checkRetrieveStatus(id, includeZip). */
  public check(op: XmlElement): { result: XmlNode[] } | { fault: [string, string] } {
    const id = (childText(op, 'asyncProcessId') ?? childText(op, 'id') ?? '').trim();
    const job = this.jobs.get(id);
    if (!job) return { fault: ['INVALID_ID_FIELD', `Retrieve result has been deleted or is not known: ${id}`] };
    const includeZip = (childText(op, 'includeZip') ?? 'true').trim() !== 'false';
    const ready = Date.now() - job.startedAt >= BASE_MS + PER_COMPONENT_MS * job.members.length;
    if (!ready) {
      return { result: [element('result', [textElement('done', 'false'), textElement('id', id), textElement('status', 'InProgress'), textElement('success', 'false')])] };
    }
    job.zip ??= this.zip(job.members);
    job.done = true;
    return {
      result: [
        element('result', [textElement('done', 'true'), textElement('id', id), textElement('status', 'Succeeded'), textElement('success', 'true'), ...(includeZip ? [textElement('zipFile', job.zip)] : [])]),
      ],
    };
  }

  private zip(members: readonly string[]): string {
    const files: Array<[string, string]> = [];
    const found: string[] = [];
    for (const name of members) {
      const app = this.org.appByFullName(name);
      if (!app?.body || !app.inMetadataApi) continue;
      const { profiles, permissionSets } = this.org.assignmentNames(app);
      const root = element('ConnectedApp', renderComponent(app.fullName, app.body, profiles, permissionSets).filter((n) => n.name !== 'fullName'), [
        ['xmlns', 'http://soap.sforce.com/2006/04/metadata'],
      ]);
      files.push([`unpackaged/connectedApps/${app.fullName}.connectedApp`, serializeXml(root)]);
      found.push(app.fullName);
    }
    const manifest = element('Package', [element('types', [...found.map((m) => textElement('members', m)), textElement('name', 'ConnectedApp')]), textElement('version', this.org.maxApiVersion)], [
      ['xmlns', 'http://soap.sforce.com/2006/04/metadata'],
    ]);
    files.push(['unpackaged/package.xml', serializeXml(manifest)]);
    return zipFiles(files).toString('base64');
  }
}

/** A zip archive (deflate) of text files. */
export function zipFiles(files: ReadonlyArray<[string, string]>): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const [name, text] of files) {
    const data = Buffer.from(text, 'utf8');
    const packed = deflateRawSync(data);
    const nameBytes = Buffer.from(name, 'utf8');
    const crc = crc32(data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(0x0800, 6); // UTF-8 names
    local.writeUInt16LE(8, 8); // deflate
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(packed.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(nameBytes.length, 26);
    locals.push(local, nameBytes, packed);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(0x0800, 8);
    central.writeUInt16LE(8, 10);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(packed.length, 20);
    central.writeUInt32LE(data.length, 24);
    central.writeUInt16LE(nameBytes.length, 28);
    central.writeUInt32LE(offset, 42);
    centrals.push(central, nameBytes);
    offset += 30 + nameBytes.length + packed.length;
  }
  const centralSize = centrals.reduce((n, b) => n + b.length, 0);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(files.length, 8);
  end.writeUInt16LE(files.length, 10);
  end.writeUInt32LE(centralSize, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, ...centrals, end]);
}
