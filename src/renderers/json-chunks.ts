/*
 * `JSON.stringify(value, null, 2)` in pieces of about CHUNK_CHARS characters, so that a large --json document (the
 * audit at 5,000 apps writes 12 MB) is never one string, nor one buffer of three times its length for the pipe.
 * The pieces joined are exactly what JSON.stringify gives: the outer objects and every array are walked here, with
 * the same rules (toJSON with its key, boxed primitives unwrapped, undefined and functions left out of objects and
 * written as null in arrays, non-finite numbers as null, a cycle or a BigInt is a TypeError); anything deeper is
 * JSON.stringify's own text, re-indented (JSON.stringify never writes a raw line break inside a string).
 */

const GAP = '  ';
/** Below this depth objects are walked here; deeper plain objects are handed to JSON.stringify whole. */
const WALK_DEPTH = 4;
export const CHUNK_CHARS = 65_536;

/** The pieces of `JSON.stringify(value, null, 2)`; nothing at all when JSON.stringify would give undefined. */
export function* jsonChunks(value: unknown, chunkChars = CHUNK_CHARS): Generator<string> {
  let parts: string[] = [];
  let size = 0;
  const stack = new Set<object>();

  function* put(text: string): Generator<string> {
    parts.push(text);
    size += text.length;
    if (size >= chunkChars) {
      yield parts.join('');
      parts = [];
      size = 0;
    }
  }

  /** The value JSON.stringify serializes for holder[key]: after toJSON and unboxing. */
  function prepare(raw: unknown, key: string): unknown {
    let v = raw;
    if ((typeof v === 'object' && v !== null) || typeof v === 'bigint') {
      const toJSON = (v as { toJSON?: unknown }).toJSON;
      if (typeof toJSON === 'function') v = (toJSON as (k: string) => unknown).call(v, key);
    }
    if (v instanceof Number) return Number(v);
    if (v instanceof String) return String(v);
    if (v instanceof Boolean) return v.valueOf();
    if (typeof v === 'object' && v !== null && Object.prototype.toString.call(v) === '[object BigInt]') return (v as { valueOf(): bigint }).valueOf();
    return v;
  }

  /** Serializes a prepared value at `indent`; false when it has no JSON form (undefined, a function, a symbol). */
  function* write(v: unknown, indent: string, depth: number): Generator<string, boolean> {
    if (v === null) yield* put('null');
    else if (typeof v === 'string' || typeof v === 'boolean') yield* put(JSON.stringify(v));
    else if (typeof v === 'number') yield* put(Number.isFinite(v) ? String(v) : 'null');
    else if (typeof v === 'bigint') throw new TypeError('Do not know how to serialize a BigInt');
    else if (typeof v !== 'object') return false;
    else if (depth >= WALK_DEPTH && !Array.isArray(v) && !('toJSON' in v)) {
      // A plain object deep down: JSON.stringify's own text (it finds any cycle itself), indented to its place.
      if (stack.has(v)) throw new TypeError('Converting circular structure to JSON');
      const text = JSON.stringify(v, null, GAP);
      yield* put(indent === '' ? text : text.replaceAll('\n', `\n${indent}`));
    } else {
      if (stack.has(v)) throw new TypeError('Converting circular structure to JSON');
      stack.add(v);
      const inner = indent + GAP;
      if (Array.isArray(v)) {
        if (v.length === 0) yield* put('[]');
        else {
          for (let i = 0; i < v.length; i++) {
            yield* put(i === 0 ? `[\n${inner}` : `,\n${inner}`);
            if (!(yield* write(prepare(v[i], String(i)), inner, depth + 1))) yield* put('null');
          }
          yield* put(`\n${indent}]`);
        }
      } else {
        let first = true;
        for (const key of Object.keys(v)) {
          const member = prepare((v as Record<string, unknown>)[key], key);
          // A member with no JSON form is left out, its key too.
          if (member === undefined || typeof member === 'function' || typeof member === 'symbol') continue;
          yield* put(`${first ? `{\n${inner}` : `,\n${inner}`}${JSON.stringify(key)}: `);
          first = false;
          yield* write(member, inner, depth + 1);
        }
        yield* put(first ? '{}' : `\n${indent}}`);
      }
      stack.delete(v);
    }
    return true;
  }

  if (yield* write(prepare(value, ''), '', 0)) {
    if (size > 0) yield parts.join('');
  }
}
