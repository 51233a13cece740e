/*
 * Metadata API components by their WSDL (schemas/metadata-types.json): reading an element tree into the emulator's
 * own model while checking it the way the SOAP endpoint's deserialiser does (element order, unknown elements,
 * enum, boolean and int values), and writing a model back in schema order. What the org stores and returns is
 * this model, never the bytes it was sent.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { element, elements, localName, textElement, textOf, type XmlElement } from './xml.js';

export type FieldSpec = {
  name: string;
  type: string;
  minOccurs?: 0;
  maxOccurs?: 'unbounded';
  /** Value sets the guide documents for xsd:string fields (checked on save, not on parse). */
  values?: string[];
  pattern?: string;
  valuesFrom?: 'guide';
  notModelled?: boolean;
  notInWsdl?: string;
  seenIn?: string;
};
type TypeSpec = { extends?: string; fields: FieldSpec[] };
type SchemaFile = { namespace: string; source: { apiVersion: string; commit: string }; types: Record<string, TypeSpec>; enums: Record<string, string[]> };

const SCHEMA = JSON.parse(readFileSync(join(dirname(fileURLToPath(import.meta.url)), 'schemas', 'metadata-types.json'), 'utf8')) as SchemaFile;

export const METADATA_NS = SCHEMA.namespace;

/** A component or nested value: each present field's values in document order (one unless maxOccurs is unbounded). */
export type MdObject = { [field: string]: MdValue[] | undefined };
export type MdValue = string | boolean | number | MdObject;

/** The request does not match the WSDL: the real endpoint refuses the whole call with a SOAP fault. */
export class SchemaViolation extends Error {
  public constructor(message: string) {
    super(message);
    this.name = 'SchemaViolation';
  }
}

const PRIMITIVES = new Set(['string', 'boolean', 'int', 'double', 'long', 'base64Binary', 'dateTime']);

export function isMetadataType(type: string): boolean {
  return type in SCHEMA.types;
}

/** Fields of a type in sequence order, the base type's (fullName, module) first. */
export function fieldsOf(type: string): FieldSpec[] {
  const spec = SCHEMA.types[type] as TypeSpec | undefined;
  if (!spec) throw new Error(`no metadata type ${type} in schemas/metadata-types.json`);
  return [...(spec.extends ? fieldsOf(spec.extends) : []), ...spec.fields];
}

export function fieldSpec(type: string, name: string): FieldSpec | undefined {
  return fieldsOf(type).find((f) => f.name === name);
}

export function enumValues(name: string): string[] | undefined {
  return SCHEMA.enums[name];
}

const invalidAt = (name: string, type: string): SchemaViolation =>
  new SchemaViolation(`Element {${METADATA_NS}}${name} invalid at this location in type ${type}`);

/**
 * Reads an element of a complex type into the model. Children must follow the type's sequence: an element out of
 * order, repeated where it may not be, or unknown is "invalid at this location", as in the real fault.
 */
export function readObject(el: XmlElement, type: string): MdObject {
  const fields = fieldsOf(type);
  if (el.children.some((c) => c.kind === 'text')) throw new SchemaViolation(`Unexpected text in element ${localName(el.name)} of type ${type}`);
  const out: MdObject = {};
  let at = -1;
  for (const child of elements(el)) {
    const name = localName(child.name);
    const index = fields.findIndex((f) => f.name === name);
    const spec = fields[index] as FieldSpec | undefined;
    if (!spec || spec.notModelled || index < at || (index === at && spec.maxOccurs !== 'unbounded')) throw invalidAt(name, type);
    at = index;
    // xsi:nil="true" sends "no value".
    if (child.attributes.some(([k, v]) => localName(k) === 'nil' && v === 'true')) continue;
    (out[name] ??= []).push(readField(child, spec, type));
  }
  return out;
}

function readField(el: XmlElement, spec: FieldSpec, owner: string): MdValue {
  if (!PRIMITIVES.has(spec.type) && !(spec.type in SCHEMA.enums)) return readObject(el, spec.type);
  const inner = elements(el).at(0);
  if (inner) throw invalidAt(localName(inner.name), spec.type);
  const raw = textOf(el) ?? '';
  const value = raw.trim();
  const enumList = SCHEMA.enums[spec.type] as string[] | undefined;
  if (enumList) {
    if (!enumList.includes(value)) throw new SchemaViolation(`'${value}' is not a valid value for the enum '${spec.type}'`);
    return value;
  }
  switch (spec.type) {
    case 'boolean':
      // xsd:boolean: true, false, 1, 0 (whitespace collapsed).
      if (value === 'true' || value === '1') return true;
      if (value === 'false' || value === '0') return false;
      throw new SchemaViolation(`Unable to parse '${value}' as a boolean value of ${spec.name} in type ${owner}`);
    case 'int': {
      const n = /^[+-]?\d+$/.test(value) ? Number(value) : NaN;
      if (!Number.isSafeInteger(n) || n > 2_147_483_647 || n < -2_147_483_648) throw new SchemaViolation(`Unable to parse '${value}' as an int value of ${spec.name} in type ${owner}`);
      return n;
    }
    default:
      return raw;
  }
}

/** The model back as elements, every field in sequence order (the order a retrieve has). */
export function writeObject(obj: MdObject, type: string): XmlElement[] {
  const out: XmlElement[] = [];
  for (const f of fieldsOf(type)) {
    for (const v of obj[f.name] ?? []) out.push(typeof v === 'object' ? element(f.name, writeObject(v, f.type)) : textElement(f.name, String(v)));
  }
  return out;
}

/** The first required element (minOccurs 1) that is missing, as a path such as `oauthConfig.callbackUrl`. */
export function missingRequired(obj: MdObject, type: string): string | undefined {
  for (const f of fieldsOf(type)) {
    const values = obj[f.name];
    // The base type's fullName is optional in the WSDL; the operations check it themselves.
    if (f.minOccurs !== 0 && (values === undefined || values.length === 0)) return f.name;
    for (const v of values ?? []) {
      if (typeof v !== 'object') continue;
      const inner = missingRequired(v, f.type);
      if (inner) return `${f.name}.${inner}`;
    }
  }
  return undefined;
}

/** The first value outside a guide-documented value set, with the field that holds it. */
export function invalidDocumentedValue(obj: MdObject, type: string): { field: string; value: string } | undefined {
  for (const f of fieldsOf(type)) {
    for (const v of obj[f.name] ?? []) {
      if (typeof v === 'object') {
        const inner = invalidDocumentedValue(v, f.type);
        if (inner) return inner;
      } else if (typeof v === 'string') {
        const t = v.trim();
        if ((f.values && !f.values.includes(t)) || (f.pattern && !new RegExp(f.pattern).test(t))) return { field: f.name, value: v };
      }
    }
  }
  return undefined;
}

// ---- Model accessors ----------------------------------------------------------------------------

export function first(obj: MdObject | undefined, name: string): MdValue | undefined {
  return obj?.[name]?.[0];
}

export function sub(obj: MdObject | undefined, name: string): MdObject | undefined {
  const v = first(obj, name);
  return typeof v === 'object' ? v : undefined;
}

export function str(obj: MdObject | undefined, name: string): string | undefined {
  const v = first(obj, name);
  return v === undefined || typeof v === 'object' ? undefined : String(v);
}

export function strs(obj: MdObject | undefined, name: string): string[] {
  return (obj?.[name] ?? []).filter((v) => typeof v !== 'object').map(String);
}

export function bool(obj: MdObject | undefined, name: string): boolean | undefined {
  const v = first(obj, name);
  return typeof v === 'boolean' ? v : undefined;
}

/** A deep copy (the model holds only JSON values). */
export function copyObject(obj: MdObject): MdObject {
  return structuredClone(obj);
}
