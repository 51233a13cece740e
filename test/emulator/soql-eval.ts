// SOQL evaluator of the org emulator: resolves a parsed query against the schema (all validation happens before any
// row is read, so errors do not depend on data) and runs it over a RecordStore, producing REST-shaped records.

import {
  childRelationships,
  findField,
  findObject,
  isAggregatable,
  isFilterable,
  isGroupable,
  isSortable,
  type FieldDef,
  type ObjectDef,
} from './schema.js';
import {
  decodeLikePattern,
  decodeString,
  parseSoql,
  SoqlError,
  soqlErrorAt,
  type AggregateCall,
  type Condition,
  type FieldRef,
  type Literal,
  type SoqlErrorCode,
  type SoqlQuery,
} from './soql-parser.js';

export type Row = Record<string, unknown> & { Id?: string | null };

export type RecordStore = {
  rows(objectName: string): readonly Row[];
  byId(id: string): Row | undefined;
  objectOfId(id: string): string | undefined;
};

export type EvalOptions = {
  apiVersion: string;
  now: Date;
  /** false: the object answers INVALID_TYPE (not licensed, not enabled, or absent from this org). */
  isLicensed?: (objectName: string) => boolean;
  /** false: the field does not exist in this org (an optional field it lacks), so INVALID_FIELD. */
  hasField?: (objectName: string, fieldName: string) => boolean;
  /** Aggregates over this object see only its first N rows (the OauthToken cap, where an org applies it to aggregates). */
  aggregateRowCap?: (objectName: string) => number | undefined;
};

export type EvalResult = { objectName: string; records: Array<Record<string, unknown>>; totalSize: number; isCount: boolean };

/** Salesforce caps OFFSET at 2,000. */
export const MAX_OFFSET = 2000;

type Ctx = {
  text: string;
  store: RecordStore;
  version: string;
  nowMs: number;
  isLicensed: (objectName: string) => boolean;
  hasField: (objectName: string, fieldName: string) => boolean;
  aggregateRowCap: (objectName: string) => number | undefined;
};

/** A value normalised for comparison: text as-is (compared case-insensitively), dates/datetimes as epoch ms. */
type Scalar = string | number | boolean | null;

// ---------------------------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------------------------

function fail(ctx: Ctx, code: SoqlErrorCode, detail: string, pos: number): SoqlError {
  return soqlErrorAt(code, detail, ctx.text, pos);
}

function unsupportedType(ctx: Ctx, name: string, pos: number): SoqlError {
  return fail(
    ctx,
    'INVALID_TYPE',
    `sObject type '${name}' is not supported. If you are attempting to use a custom object, be sure to append the '__c' after the entity name. Please reference your WSDL or the describe call for the appropriate names.`,
    pos
  );
}

function noSuchColumn(ctx: Ctx, name: string, entity: string, pos: number): SoqlError {
  return fail(
    ctx,
    'INVALID_FIELD',
    `No such column '${name}' on entity '${entity}'. If you are attempting to use a custom field, be sure to append the '__c' after the custom field name. Please reference your WSDL or the describe call for the appropriate names.`,
    pos
  );
}

function badRelationship(ctx: Ctx, name: string, pos: number): SoqlError {
  return fail(
    ctx,
    'INVALID_FIELD',
    `Didn't understand relationship '${name}' in field path. If you are attempting to use a custom relationship, be sure to append the '__r' after the custom relationship name. Please reference your WSDL or the describe call for the appropriate names.`,
    pos
  );
}

// ---------------------------------------------------------------------------------------------
// Schema resolution
// ---------------------------------------------------------------------------------------------

function resolveObject(ctx: Ctx, name: string, pos: number): ObjectDef {
  const def = findObject(name);
  if (def === undefined || def.queryable === false || !ctx.isLicensed(def.name)) throw unsupportedType(ctx, name, pos);
  return def;
}

type ResolvedPath = {
  /** Reference fields followed from the root row, in order. */
  steps: FieldDef[];
  /** The selected field, on `owner`. */
  field: FieldDef;
  owner: ObjectDef;
  /** Canonical (schema-cased) names: relationship names then the field name. */
  names: string[];
  key: string;
  pos: number;
};

function resolvePath(ctx: Ctx, root: ObjectDef, alias: string | null, ref: FieldRef): ResolvedPath {
  let path = ref.path;
  if (path.length > 1) {
    const head = path[0].toLowerCase();
    const isRelationship = root.fields.some((f) => f.relationshipName?.toLowerCase() === head);
    // `SELECT u.Name FROM User u` and `SELECT User.Name FROM User` both name the root object.
    if ((alias !== null && head === alias.toLowerCase()) || (!isRelationship && head === root.name.toLowerCase())) path = path.slice(1);
  }
  let owner = root;
  const steps: FieldDef[] = [];
  const names: string[] = [];
  for (const segment of path.slice(0, -1)) {
    const lower = segment.toLowerCase();
    const step = owner.fields.find((f) => f.relationshipName?.toLowerCase() === lower);
    const target = step?.referenceTo === undefined ? undefined : findObject(step.referenceTo);
    if (step?.relationshipName === undefined || target === undefined) throw badRelationship(ctx, segment, ref.pos);
    steps.push(step);
    names.push(step.relationshipName);
    owner = target;
  }
  const last = path[path.length - 1];
  const field = findField(owner, last);
  if (field === undefined || !ctx.hasField(owner.name, field.name)) throw noSuchColumn(ctx, last, owner.name, ref.pos);
  names.push(field.name);
  return { steps, field, owner, names, key: names.join('.').toLowerCase(), pos: ref.pos };
}

// ---------------------------------------------------------------------------------------------
// Row access and value conversion
// ---------------------------------------------------------------------------------------------

function rawValue(row: Row, objectName: string, f: FieldDef): unknown {
  // OauthToken.Id is documented as reserved and always null.
  if (objectName === 'OauthToken' && f.name === 'Id') return null;
  if (Object.prototype.hasOwnProperty.call(row, f.name)) return row[f.name];
  const lower = f.name.toLowerCase();
  const key = Object.keys(row).find((k) => k.toLowerCase() === lower);
  return key === undefined ? undefined : row[key];
}

function idOf(row: Row): string | null {
  const id = rawValue(row, '', { name: 'Id', type: 'id', flags: [] });
  return typeof id === 'string' && id !== '' ? id : null;
}

type Located = { row: Row; objectName: string };

/** Follows a reference field to the related row (null when the reference is empty or dangling). */
function follow(ctx: Ctx, from: Located, step: FieldDef): Located | null {
  const id = rawValue(from.row, from.objectName, step);
  if (typeof id !== 'string' || id === '') return null;
  const row = ctx.store.byId(id);
  if (row === undefined) return null;
  return { row, objectName: ctx.store.objectOfId(id) ?? step.referenceTo ?? '' };
}

function pathValue(ctx: Ctx, located: Located, rp: ResolvedPath): unknown {
  let cur: Located | null = located;
  for (const step of rp.steps) {
    cur = follow(ctx, cur, step);
    if (cur === null) return null;
  }
  return rawValue(cur.row, rp.owner.name, rp.field);
}

function toDateTimeMs(v: unknown): number | null {
  if (v instanceof Date) return Number.isNaN(v.getTime()) ? null : v.getTime();
  if (typeof v === 'number') return Number.isFinite(v) ? v : null;
  if (typeof v !== 'string' || v === '') return null;
  // The REST format ends in "+0000"; Date.parse wants "+00:00".
  const ms = Date.parse(v.replace(/([+-]\d{2})(\d{2})$/, '$1:$2'));
  return Number.isNaN(ms) ? null : ms;
}

function toDateMs(v: unknown): number | null {
  if (typeof v === 'string') {
    const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(v);
    if (m && v.length === 10) return Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  }
  const ms = toDateTimeMs(v);
  if (ms === null) return null;
  const d = new Date(ms);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate());
}

function textOf(v: unknown): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  if (v instanceof Date) return v.toISOString();
  return JSON.stringify(v);
}

/** Normalises a stored value by the field's type. Booleans are never null in Salesforce (missing = false). */
function normalize(f: FieldDef, v: unknown): Scalar {
  if (f.type === 'boolean') return v === true || v === 1 || (typeof v === 'string' && v.toLowerCase() === 'true');
  if (v === null || v === undefined) return null;
  switch (f.type) {
    case 'int':
    case 'double': {
      const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
      return Number.isFinite(n) ? n : null;
    }
    case 'date':
      return toDateMs(v);
    case 'datetime':
      return toDateTimeMs(v);
    default:
      return textOf(v);
  }
}

function pad(n: number, width = 2): string {
  return String(n).padStart(width, '0');
}

export function formatDate(ms: number): string {
  const d = new Date(ms);
  return `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
}

/** The REST dateTime format, e.g. 2026-11-28T13:09:18.000+0000. */
export function formatDateTime(ms: number): string {
  const d = new Date(ms);
  return `${formatDate(ms)}T${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}.${pad(d.getUTCMilliseconds(), 3)}+0000`;
}

/** JSON output of a normalised value. */
function formatScalar(f: FieldDef, v: Scalar): unknown {
  if (v === null) return null;
  if (f.type === 'date' && typeof v === 'number') return formatDate(v);
  if (f.type === 'datetime' && typeof v === 'number') return formatDateTime(v);
  return v;
}

function outputValue(ctx: Ctx, f: FieldDef, owner: Located, v: unknown): unknown {
  if (f.type === 'base64') {
    // SOQL returns the blob's URL, not its content.
    const id = idOf(owner.row);
    return v === null || v === undefined || v === '' || id === null ? null : `/services/data/v${ctx.version}/sobjects/${owner.objectName}/${id}/${f.name}`;
  }
  return formatScalar(f, normalize(f, v));
}

function attributes(ctx: Ctx, located: Located): Record<string, unknown> {
  const id = located.objectName === 'OauthToken' ? null : idOf(located.row);
  return id === null ? { type: located.objectName } : { type: located.objectName, url: `/services/data/v${ctx.version}/sobjects/${located.objectName}/${id}` };
}

// ---------------------------------------------------------------------------------------------
// Comparison
// ---------------------------------------------------------------------------------------------

const COLLATOR = new Intl.Collator('en-US', { sensitivity: 'accent' });

const TEXT_TYPES = new Set(['string', 'picklist', 'textarea', 'url', 'email']);
const isText = (f: FieldDef): boolean => TEXT_TYPES.has(f.type);
const isIdType = (f: FieldDef): boolean => f.type === 'id' || f.type === 'reference';

/** 15- and 18-character forms of the same Id are equal. */
function idEquals(a: string, b: string): boolean {
  return a.length === b.length ? a === b : a.slice(0, 15) === b.slice(0, 15);
}

function valuesEqual(f: FieldDef, a: Scalar, b: Scalar): boolean {
  if (a === null || b === null) return a === b;
  if (isText(f)) return String(a).toLowerCase() === String(b).toLowerCase();
  if (isIdType(f)) return idEquals(String(a), String(b));
  return a === b;
}

function compareValues(f: FieldDef, a: Scalar, b: Scalar): number {
  if (a === null || b === null) return a === b ? 0 : a === null ? -1 : 1;
  if (isText(f)) return COLLATOR.compare(String(a), String(b));
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'boolean' && typeof b === 'boolean') return Number(a) - Number(b);
  const [x, y] = [String(a), String(b)];
  return x < y ? -1 : x > y ? 1 : 0;
}

/** Ordering with SOQL's null placement (default NULLS FIRST ascending, NULLS LAST descending). */
function orderCompare(f: FieldDef | null, a: Scalar, b: Scalar, descending: boolean, nullsFirst: boolean | null): number {
  const first = nullsFirst ?? !descending;
  if (a === null || b === null) {
    if (a === b) return 0;
    return (a === null) === first ? -1 : 1;
  }
  const c = f === null ? compareValues({ name: '', type: 'double', flags: [] }, a, b) : compareValues(f, a, b);
  return descending ? -c : c;
}

function groupKey(f: FieldDef, v: Scalar): string {
  if (v === null) return 'null';
  if (isText(f)) return `s:${String(v).toLowerCase()}`;
  if (isIdType(f)) return `i:${String(v).slice(0, 15)}`;
  return `${typeof v}:${String(v)}`;
}

// ---------------------------------------------------------------------------------------------
// Relative date literals (UTC; the week starts on Sunday as in the en_US locale)
// ---------------------------------------------------------------------------------------------

function relativeRange(name: string, n: number | null, nowMs: number): [number, number] {
  const now = new Date(nowMs);
  const [y, m, d] = [now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()];
  const units: Record<string, (k: number) => number> = {
    DAY: (k) => Date.UTC(y, m, d + k),
    WEEK: (k) => Date.UTC(y, m, d - now.getUTCDay() + 7 * k),
    MONTH: (k) => Date.UTC(y, m + k, 1),
    QUARTER: (k) => Date.UTC(y, m - (m % 3) + 3 * k, 1),
    YEAR: (k) => Date.UTC(y + k, 0, 1),
  };
  const fixed: Record<string, [string, number]> = { YESTERDAY: ['DAY', -1], TODAY: ['DAY', 0], TOMORROW: ['DAY', 1] };
  if (name in fixed) {
    const [unit, k] = fixed[name];
    return [units[unit](k), units[unit](k + 1)];
  }
  if (name === 'LAST_90_DAYS') return relativeRange('LAST_N_DAYS', 90, nowMs);
  if (name === 'NEXT_90_DAYS') return relativeRange('NEXT_N_DAYS', 90, nowMs);
  const count = n ?? 0;
  let match = /^(LAST|THIS|NEXT)_(WEEK|MONTH|QUARTER|YEAR)$/.exec(name);
  if (match) {
    const u = units[match[2]];
    const k = match[1] === 'LAST' ? -1 : match[1] === 'THIS' ? 0 : 1;
    return [u(k), u(k + 1)];
  }
  match = /^(LAST|NEXT)_N_(DAY|WEEK|MONTH|QUARTER|YEAR)S$/.exec(name);
  if (match) {
    const u = units[match[2]];
    if (match[1] === 'NEXT') return [u(1), u(count + 1)];
    // LAST_N_DAYS includes today; LAST_N_WEEKS/MONTHS/… end before the current unit.
    return match[2] === 'DAY' ? [u(-count), u(1)] : [u(-count), u(0)];
  }
  match = /^N_(DAY|WEEK|MONTH|QUARTER|YEAR)S_AGO$/.exec(name);
  if (match) {
    const u = units[match[1]];
    return [u(-count), u(-count + 1)];
  }
  throw new Error(`unknown date literal ${name}`);
}

// ---------------------------------------------------------------------------------------------
// WHERE compilation
// ---------------------------------------------------------------------------------------------

type Pred = (located: Located) => boolean;

type Operand = { kind: 'null' } | { kind: 'value'; value: Scalar } | { kind: 'range'; start: number; end: number } | { kind: 'regex'; re: RegExp };

const TYPE_WORD: Record<string, string> = {
  boolean: 'boolean',
  int: 'integer',
  double: 'double',
  date: 'date',
  datetime: 'dateTime',
  id: 'id',
  reference: 'reference',
};

function criterionError(ctx: Ctx, f: FieldDef, pos: number): SoqlError {
  const detail = isText(f) || isIdType(f)
    ? `value of filter criterion for field '${f.name}' must be of type ${isText(f) ? 'string' : 'id'} and should be enclosed in quotes`
    : `value of filter criterion for field '${f.name}' must be of type ${TYPE_WORD[f.type] ?? f.type} and should not be enclosed in quotes`;
  return fail(ctx, 'INVALID_QUERY_FILTER_OPERATOR', detail, pos);
}

function likeRegex(ctx: Ctx, lit: Literal & { kind: 'string' }): RegExp {
  const source = decodeLikePattern(lit.raw, ctx.text, lit.pos)
    .map((c) => (c.wildcard ? (c.ch === '%' ? '.*' : '.') : c.ch.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&')))
    .join('');
  return new RegExp(`^${source}$`, 'isu');
}

function coerce(ctx: Ctx, f: FieldDef, lit: Literal): Operand {
  if (lit.kind === 'null') return { kind: 'null' };
  if (isText(f)) {
    if (lit.kind !== 'string') throw criterionError(ctx, f, lit.pos);
    return { kind: 'value', value: decodeString(lit.raw, ctx.text, lit.pos) };
  }
  if (isIdType(f)) {
    if (lit.kind !== 'string') throw criterionError(ctx, f, lit.pos);
    const value = decodeString(lit.raw, ctx.text, lit.pos);
    // An empty Id literal behaves like null (unverified).
    if (value === '') return { kind: 'null' };
    if (!/^[a-zA-Z0-9]{15}(?:[a-zA-Z0-9]{3})?$/.test(value)) throw fail(ctx, 'INVALID_QUERY_FILTER_OPERATOR', `invalid ID field: ${value}`, lit.pos);
    return { kind: 'value', value };
  }
  switch (f.type) {
    case 'boolean':
      if (lit.kind !== 'boolean') throw criterionError(ctx, f, lit.pos);
      return { kind: 'value', value: lit.value };
    case 'int':
    case 'double':
      if (lit.kind !== 'number') throw criterionError(ctx, f, lit.pos);
      return { kind: 'value', value: lit.value };
    case 'date':
    case 'datetime':
      if (lit.kind === 'relativeDate') {
        const [start, end] = relativeRange(lit.name, lit.n, ctx.nowMs);
        return { kind: 'range', start, end };
      }
      // A date literal only filters date fields and a dateTime literal only dateTime fields.
      if ((lit.kind === 'date' || lit.kind === 'datetime') && lit.kind === f.type) return { kind: 'value', value: lit.ms };
      throw criterionError(ctx, f, lit.pos);
    default:
      throw fail(ctx, 'INVALID_FIELD', `field '${f.name}' can not be filtered in query call`, lit.pos);
  }
}

function matchesOperand(f: FieldDef, v: Scalar, op: string, operand: Operand): boolean {
  switch (operand.kind) {
    case 'null':
      return op === '=' ? v === null : v !== null;
    case 'regex':
      return v !== null && operand.re.test(String(v));
    case 'range': {
      if (v === null) return op === '!=';
      const n = Number(v);
      const inside = n >= operand.start && n < operand.end;
      switch (op) {
        case '=':
          return inside;
        case '!=':
          return !inside;
        case '<':
          return n < operand.start;
        case '<=':
          return n < operand.end;
        case '>':
          return n >= operand.end;
        default:
          return n >= operand.start;
      }
    }
    case 'value': {
      if (op === '=') return v !== null && valuesEqual(f, v, operand.value);
      // SOQL's != also matches records whose value is null.
      if (op === '!=') return v === null || !valuesEqual(f, v, operand.value);
      if (v === null) return false;
      const c = compareValues(f, v, operand.value);
      return op === '<' ? c < 0 : op === '<=' ? c <= 0 : op === '>' ? c > 0 : c >= 0;
    }
  }
}

class QueryCompiler {
  public constructor(private readonly ctx: Ctx) {}

  public resolve(root: ObjectDef, alias: string | null, ref: FieldRef): ResolvedPath {
    return resolvePath(this.ctx, root, alias, ref);
  }

  public filterField(root: ObjectDef, alias: string | null, ref: FieldRef): ResolvedPath {
    const rp = this.resolve(root, alias, ref);
    if (!isFilterable(rp.field)) throw fail(this.ctx, 'INVALID_FIELD', `field '${rp.field.name}' can not be filtered in query call`, ref.pos);
    return rp;
  }

  public condition(root: ObjectDef, alias: string | null, cond: Condition, inOr: boolean): Pred {
    const ctx = this.ctx;
    switch (cond.kind) {
      case 'and': {
        const parts = cond.operands.map((c) => this.condition(root, alias, c, inOr));
        return (r) => parts.every((p) => p(r));
      }
      case 'or': {
        const parts = cond.operands.map((c) => this.condition(root, alias, c, true));
        return (r) => parts.some((p) => p(r));
      }
      case 'not': {
        const inner = this.condition(root, alias, cond.operand, inOr);
        return (r) => !inner(r);
      }
      case 'compare': {
        const rp = this.filterField(root, alias, cond.field);
        const f = rp.field;
        let operand: Operand;
        if (cond.op === 'LIKE') {
          if (!isText(f)) throw fail(ctx, 'INVALID_QUERY_FILTER_OPERATOR', `invalid operator on ${isIdType(f) ? 'id' : TYPE_WORD[f.type] ?? f.type} field`, cond.pos);
          if (cond.value.kind !== 'string') throw criterionError(ctx, f, cond.value.pos);
          operand = { kind: 'regex', re: likeRegex(ctx, cond.value) };
        } else {
          operand = coerce(ctx, f, cond.value);
          const ordering = cond.op !== '=' && cond.op !== '!=';
          if (ordering && f.type === 'boolean') throw fail(ctx, 'INVALID_QUERY_FILTER_OPERATOR', 'invalid operator on boolean field', cond.pos);
          if (ordering && operand.kind === 'null') throw fail(ctx, 'INVALID_QUERY_FILTER_OPERATOR', `invalid operator on null value for field '${f.name}'`, cond.pos);
        }
        const op = cond.op;
        return (r) => matchesOperand(f, normalize(f, pathValue(ctx, r, rp)), op === 'LIKE' ? '=' : op, operand);
      }
      case 'in': {
        const rp = this.filterField(root, alias, cond.field);
        const f = rp.field;
        const operands = cond.values.map((v) => coerce(ctx, f, v));
        const negated = cond.negated;
        return (r) => {
          const v = normalize(f, pathValue(ctx, r, rp));
          const hit = operands.some((o) => matchesOperand(f, v, '=', o));
          return negated ? !hit : hit;
        };
      }
      case 'semiJoin':
        return this.semiJoin(root, alias, cond, inOr);
    }
  }

  private semiJoin(root: ObjectDef, alias: string | null, cond: Condition & { kind: 'semiJoin' }, inOr: boolean): Pred {
    const ctx = this.ctx;
    if (inOr) throw fail(ctx, 'MALFORMED_QUERY', "Semi join sub-selects are not allowed with the 'OR' operator", cond.pos);
    const rp = this.filterField(root, alias, cond.field);
    if (!isIdType(rp.field)) throw fail(ctx, 'INVALID_FIELD', `The left operand field in the where expression for outer query should be an id field, cannot use: '${rp.field.name}'`, cond.field.pos);
    const sub = cond.query;
    const subDef = resolveObject(ctx, sub.from.name, sub.from.pos);
    const item = sub.select.length === 1 ? sub.select[0] : undefined;
    if (sub.countOnly || item?.kind !== 'field' || sub.groupBy.length > 0) {
      throw fail(ctx, 'MALFORMED_QUERY', 'Semi join sub-selects must select exactly one Id or reference field', sub.pos);
    }
    const subPath = this.resolve(subDef, sub.from.alias, item.field);
    if (!isIdType(subPath.field)) {
      throw fail(ctx, 'INVALID_FIELD', `The selected field '${subPath.field.name}' in the subquery and the left operand field in the where expression in the outer query '${rp.field.name}' should point to the same object type`, item.field.pos);
    }
    const plan = this.rowPlan(subDef, sub);
    let ids: Set<string> | null = null;
    const negated = cond.negated;
    return (r) => {
      if (ids === null) {
        ids = new Set();
        for (const located of plan.run(null)) {
          const v = normalize(subPath.field, pathValue(ctx, located, subPath));
          if (v !== null) ids.add(String(v).slice(0, 15));
        }
      }
      const v = normalize(rp.field, pathValue(ctx, r, rp));
      const hit = v !== null && ids.has(String(v).slice(0, 15));
      return negated ? !hit : hit;
    };
  }

  /** WHERE + ORDER BY + OFFSET/LIMIT over the rows of one object (non-aggregate). */
  public rowPlan(def: ObjectDef, query: SoqlQuery): { run: (source: readonly Row[] | null) => Located[] } {
    const ctx = this.ctx;
    const where = query.where === null ? null : this.condition(def, query.from.alias, query.where, false);
    const order = query.orderBy.map((item) => {
      if (item.target.kind !== 'field') throw fail(ctx, 'MALFORMED_QUERY', 'Aggregate functions in ORDER BY need a GROUP BY or aggregate query', item.pos);
      const rp = this.resolve(def, query.from.alias, item.target.field);
      if (!isSortable(rp.field)) throw fail(ctx, 'INVALID_FIELD', `field '${rp.field.name}' can not be sorted in a query call`, item.pos);
      return { rp, item };
    });
    this.checkOffset(query);
    return {
      run: (source) => {
        const rows = (source ?? ctx.store.rows(def.name)).map((row) => ({ row, objectName: def.name }));
        const kept = where === null ? rows : rows.filter(where);
        if (order.length > 0) {
          const keyed = kept.map((located) => ({ located, keys: order.map((o) => normalize(o.rp.field, pathValue(ctx, located, o.rp))) }));
          keyed.sort((a, b) => {
            for (let i = 0; i < order.length; i++) {
              const { rp, item } = order[i];
              const c = orderCompare(rp.field, a.keys[i], b.keys[i], item.descending, item.nullsFirst);
              if (c !== 0) return c;
            }
            return 0;
          });
          return window(keyed.map((k) => k.located), query);
        }
        return window(kept, query);
      },
    };
  }

  public checkOffset(query: SoqlQuery): void {
    if (query.offset !== null && query.offset > MAX_OFFSET) {
      throw new SoqlError('NUMBER_OUTSIDE_VALID_RANGE', `Maximum SOQL offset allowed is ${MAX_OFFSET}`);
    }
  }
}

function window<T>(items: T[], query: { offset: number | null; limit: number | null }): T[] {
  const start = query.offset ?? 0;
  return query.limit === null ? items.slice(start) : items.slice(start, start + query.limit);
}

// ---------------------------------------------------------------------------------------------
// Record building
// ---------------------------------------------------------------------------------------------

/** Writes the value of `rp` into `record`, creating nested relationship objects (or null) on the way. */
function writePath(ctx: Ctx, record: Record<string, unknown>, located: Located, rp: ResolvedPath): void {
  let target = record;
  let cur: Located = located;
  for (let i = 0; i < rp.steps.length; i++) {
    const name = rp.names[i];
    const existing = target[name];
    if (existing === null) return;
    if (existing !== undefined && typeof existing === 'object') {
      const next = follow(ctx, cur, rp.steps[i]);
      if (next === null) return;
      cur = next;
      target = existing as Record<string, unknown>;
      continue;
    }
    const next = follow(ctx, cur, rp.steps[i]);
    if (next === null) {
      target[name] = null;
      return;
    }
    const nested: Record<string, unknown> = { attributes: attributes(ctx, next) };
    target[name] = nested;
    target = nested;
    cur = next;
  }
  target[rp.field.name] = outputValue(ctx, rp.field, cur, rawValue(cur.row, rp.owner.name, rp.field));
}

type ChildPlan = {
  relationshipName: string;
  childDef: ObjectDef;
  field: FieldDef;
  fields: ResolvedPath[];
  plan: { run: (source: readonly Row[] | null) => Located[] };
};

function buildRecord(ctx: Ctx, located: Located, fields: ResolvedPath[], children: ChildPlan[], childIndex: Map<ChildPlan, Map<string, Row[]>>): Record<string, unknown> {
  const record: Record<string, unknown> = { attributes: attributes(ctx, located) };
  for (const rp of fields) writePath(ctx, record, located, rp);
  for (const child of children) {
    const parentId = idOf(located.row);
    const rows = parentId === null ? [] : childIndex.get(child)?.get(parentId.slice(0, 15)) ?? [];
    const kept = child.plan.run(rows);
    record[child.relationshipName] =
      kept.length === 0
        ? null
        : { totalSize: kept.length, done: true, records: kept.map((c) => buildRecord(ctx, c, child.fields, [], childIndex)) };
  }
  return record;
}

// ---------------------------------------------------------------------------------------------
// Aggregates
// ---------------------------------------------------------------------------------------------

type AggPlan = { call: AggregateCall; rp: ResolvedPath };

function checkAggregate(ctx: Ctx, compiler: QueryCompiler, def: ObjectDef, alias: string | null, call: AggregateCall): AggPlan {
  const rp = compiler.resolve(def, alias, call.arg);
  const f = rp.field;
  // OauthToken.Id is always null, and whether the real API counts it is unverified: refuse rather than guess.
  if (rp.owner.name === 'OauthToken' && f.name === 'Id') {
    throw fail(ctx, 'MALFORMED_QUERY', `${call.fn}(Id) on OauthToken is not modelled by the org emulator (OauthToken.Id is always null); use COUNT() or COUNT(UserId)`, call.pos);
  }
  // Any aggregate needs a field describe calls aggregatable; SUM and AVG also a number.
  const numeric = f.type === 'int' || f.type === 'double';
  const ok = isAggregatable(f) && (call.fn === 'SUM' || call.fn === 'AVG' ? numeric : true);
  if (!ok) throw fail(ctx, 'MALFORMED_QUERY', `field ${f.name} does not support aggregate operator ${call.fn}`, call.pos);
  return { call, rp };
}

function aggregateValue(ctx: Ctx, plan: AggPlan, rows: Located[]): Scalar {
  const f = plan.rp.field;
  const values = rows.map((r) => normalize(f, pathValue(ctx, r, plan.rp))).filter((v): v is string | number | boolean => v !== null);
  switch (plan.call.fn) {
    case 'COUNT':
      return values.length;
    case 'COUNT_DISTINCT':
      return new Set(values.map((v) => groupKey(f, v))).size;
    case 'SUM':
    case 'AVG': {
      if (values.length === 0) return null;
      const sum = values.reduce<number>((acc, v) => acc + Number(v), 0);
      return plan.call.fn === 'SUM' ? sum : sum / values.length;
    }
    case 'MAX':
    case 'MIN': {
      if (values.length === 0) return null;
      const sign = plan.call.fn === 'MAX' ? 1 : -1;
      return values.reduce((best, v) => (sign * compareValues(f, v, best) > 0 ? v : best));
    }
  }
}

/** COUNT/COUNT_DISTINCT/SUM/AVG return plain numbers; MAX/MIN return a value of the field's type. */
function aggregateOutput(plan: AggPlan, v: Scalar): unknown {
  return plan.call.fn === 'MAX' || plan.call.fn === 'MIN' ? formatScalar(plan.rp.field, v) : v;
}

function runAggregate(ctx: Ctx, compiler: QueryCompiler, def: ObjectDef, query: SoqlQuery): Array<Record<string, unknown>> {
  const alias = query.from.alias;
  const groups = query.groupBy.map((ref) => {
    const rp = compiler.resolve(def, alias, ref);
    if (!isGroupable(rp.field)) throw fail(ctx, 'INVALID_FIELD', `field '${rp.field.name}' can not be grouped in a query call`, ref.pos);
    return rp;
  });
  const groupKeys = new Set(groups.map((g) => g.key));
  let exprIndex = 0;
  const columns = query.select.map((item) => {
    if (item.kind === 'childQuery') throw fail(ctx, 'MALFORMED_QUERY', 'Nested queries are not allowed in an aggregate query', item.pos);
    if (item.kind === 'field') {
      const rp = compiler.resolve(def, alias, item.field);
      if (!groupKeys.has(rp.key)) throw fail(ctx, 'MALFORMED_QUERY', `Field must be grouped or aggregated: ${rp.names.join('.')}`, item.field.pos);
      return { name: item.alias ?? rp.field.name, kind: 'group' as const, rp };
    }
    const plan = checkAggregate(ctx, compiler, def, alias, item.call);
    return { name: item.alias ?? `expr${exprIndex++}`, kind: 'agg' as const, plan };
  });
  const seen = new Set<string>();
  for (const c of columns) {
    if (seen.has(c.name.toLowerCase())) throw fail(ctx, 'MALFORMED_QUERY', `duplicate alias: ${c.name}`, query.pos);
    seen.add(c.name.toLowerCase());
  }
  const order = query.orderBy.map((item) => {
    if (item.target.kind === 'aggregate') return { item, plan: checkAggregate(ctx, compiler, def, alias, item.target.call) };
    const rp = compiler.resolve(def, alias, item.target.field);
    if (!groupKeys.has(rp.key)) throw fail(ctx, 'MALFORMED_QUERY', `Ordered field must be grouped or aggregated: ${rp.names.join('.')}`, item.pos);
    return { item, rp };
  });
  const where = query.where === null ? null : compiler.condition(def, alias, query.where, false);
  compiler.checkOffset(query);

  const cap = ctx.aggregateRowCap(def.name);
  const all = ctx.store.rows(def.name);
  const rows = (cap === undefined ? all : all.slice(0, cap)).map((row) => ({ row, objectName: def.name }));
  const kept = where === null ? rows : rows.filter(where);
  const buckets = new Map<string, Located[]>();
  if (groups.length === 0) buckets.set('', kept);
  for (const located of groups.length === 0 ? [] : kept) {
    const key = JSON.stringify(groups.map((g) => groupKey(g.field, normalize(g.field, pathValue(ctx, located, g)))));
    const bucket = buckets.get(key);
    if (bucket === undefined) buckets.set(key, [located]);
    else bucket.push(located);
  }
  const results = [...buckets.values()].map((members) => {
    const first = members.at(0);
    const groupValue = (rp: ResolvedPath): Scalar => (first === undefined ? null : normalize(rp.field, pathValue(ctx, first, rp)));
    const record: Record<string, unknown> = { attributes: { type: 'AggregateResult' } };
    for (const c of columns) {
      record[c.name] = c.kind === 'group' ? formatScalar(c.rp.field, groupValue(c.rp)) : aggregateOutput(c.plan, aggregateValue(ctx, c.plan, members));
    }
    const keys = order.map((o) => (o.plan === undefined ? groupValue(o.rp) : aggregateValue(ctx, o.plan, members)));
    return { record, keys };
  });
  if (order.length > 0) {
    results.sort((a, b) => {
      for (let i = 0; i < order.length; i++) {
        const o = order[i];
        const field = o.plan === undefined ? o.rp.field : o.plan.call.fn === 'MAX' || o.plan.call.fn === 'MIN' ? o.plan.rp.field : null;
        const c = orderCompare(field, a.keys[i], b.keys[i], o.item.descending, o.item.nullsFirst);
        if (c !== 0) return c;
      }
      return 0;
    });
  }
  return window(
    results.map((r) => r.record),
    query
  );
}

// ---------------------------------------------------------------------------------------------
// Entry point
// ---------------------------------------------------------------------------------------------

/** Parses, validates and runs a query. Returns every matching record; paging is the caller's job. */
export function executeSoql(text: string, store: RecordStore, options: EvalOptions): EvalResult {
  const query = parseSoql(text);
  const ctx: Ctx = {
    text,
    store,
    version: options.apiVersion.replace(/^v/i, ''),
    nowMs: options.now.getTime(),
    isLicensed: (name) => options.isLicensed?.(name) !== false,
    hasField: (object, field) => options.hasField?.(object, field) !== false,
    aggregateRowCap: (object) => options.aggregateRowCap?.(object),
  };
  const compiler = new QueryCompiler(ctx);
  const def = resolveObject(ctx, query.from.name, query.from.pos);
  const alias = query.from.alias;

  if (query.countOnly) {
    if (query.groupBy.length > 0) throw fail(ctx, 'MALFORMED_QUERY', 'COUNT() can not be used with GROUP BY in the org emulator', query.pos);
    const plan = compiler.rowPlan(def, query);
    const count = plan.run(null).length;
    return { objectName: def.name, records: [], totalSize: count, isCount: true };
  }

  const isAggregate = query.groupBy.length > 0 || query.select.some((item) => item.kind === 'aggregate');
  if (isAggregate) {
    const records = runAggregate(ctx, compiler, def, query);
    return { objectName: def.name, records, totalSize: records.length, isCount: false };
  }

  const fields: ResolvedPath[] = [];
  const children: ChildPlan[] = [];
  const seen = new Set<string>();
  for (const item of query.select) {
    if (item.kind === 'field') {
      // Aliases are only allowed on grouped fields and aggregates.
      if (item.alias !== null) throw fail(ctx, 'MALFORMED_QUERY', `unexpected token: '${item.alias}'`, item.aliasPos);
      const rp = compiler.resolve(def, alias, item.field);
      if (seen.has(rp.key)) throw fail(ctx, 'MALFORMED_QUERY', `duplicate field selected: ${rp.names.join('.')}`, item.field.pos);
      seen.add(rp.key);
      fields.push(rp);
    } else if (item.kind === 'childQuery') {
      children.push(compileChild(ctx, compiler, def, item.query, item.pos));
    }
  }

  const located = compiler.rowPlan(def, query).run(null);
  // Index child rows by parent Id once per child relationship.
  const childIndex = new Map<ChildPlan, Map<string, Row[]>>();
  for (const child of children) {
    const index = new Map<string, Row[]>();
    for (const row of store.rows(child.childDef.name)) {
      const parent = rawValue(row, child.childDef.name, child.field);
      if (typeof parent !== 'string' || parent === '') continue;
      const key = parent.slice(0, 15);
      const list = index.get(key);
      if (list === undefined) index.set(key, [row]);
      else list.push(row);
    }
    childIndex.set(child, index);
  }
  const records = located.map((l) => buildRecord(ctx, l, fields, children, childIndex));
  return { objectName: def.name, records, totalSize: records.length, isCount: false };
}

function compileChild(ctx: Ctx, compiler: QueryCompiler, parent: ObjectDef, sub: SoqlQuery, pos: number): ChildPlan {
  const lower = sub.from.name.toLowerCase();
  const rel = childRelationships(parent).find((c) => c.relationshipName?.toLowerCase() === lower);
  const childDef = rel === undefined ? undefined : findObject(rel.childSObject);
  const field = rel === undefined || childDef === undefined ? undefined : findField(childDef, rel.field);
  if (rel?.relationshipName == null || childDef === undefined || field === undefined) {
    throw fail(
      ctx,
      'INVALID_TYPE',
      `Didn't understand relationship '${sub.from.name}' in FROM part of query call. If you are attempting to use a custom relationship, be sure to append the '__r' after the custom relationship name. Please reference your WSDL or the describe call for the appropriate names.`,
      sub.from.pos
    );
  }
  if (!ctx.isLicensed(childDef.name)) throw unsupportedType(ctx, sub.from.name, sub.from.pos);
  if (sub.groupBy.length > 0 || sub.select.some((i) => i.kind !== 'field')) {
    throw fail(ctx, 'MALFORMED_QUERY', 'Aggregate and nested queries are not supported in a parent-to-child subquery', pos);
  }
  const fields: ResolvedPath[] = [];
  const seen = new Set<string>();
  for (const item of sub.select) {
    if (item.kind !== 'field') continue;
    const rp = compiler.resolve(childDef, sub.from.alias, item.field);
    if (seen.has(rp.key)) throw fail(ctx, 'MALFORMED_QUERY', `duplicate field selected: ${rp.names.join('.')}`, item.field.pos);
    seen.add(rp.key);
    fields.push(rp);
  }
  return { relationshipName: rel.relationshipName, childDef, field, fields, plan: compiler.rowPlan(childDef, sub) };
}
