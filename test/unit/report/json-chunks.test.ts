import { expect } from 'chai';
import { jsonChunks } from '../../../src/renderers/json-chunks.js';

/** The pieces joined, at several piece sizes: each must be exactly JSON.stringify(value, null, 2). */
function expectSameAsStringify(value: unknown): void {
  const want = JSON.stringify(value, null, 2);
  for (const size of [1, 10, 65_536]) expect([...jsonChunks(value, size)].join(''), `pieces of ${size}`).to.equal(want);
}

describe('jsonChunks: JSON.stringify(value, null, 2) in pieces', () => {
  it('writes what JSON.stringify writes: empty containers, left-out members, null in arrays, toJSON with its key, boxed values', () => {
    const key = (k: string): Record<string, unknown> => ({ key: k, n: new Number(3), s: new String('q'), b: new Boolean(false) });
    expectSameAsStringify({
      a: 1,
      empty: [[], {}, [{}], { x: [] }],
      arr: [1, 'x', null, undefined, (): number => 1, Symbol('s'), NaN, Infinity, -0],
      left: undefined,
      fn: (): number => 2,
      date: new Date(0),
      viaToJson: { toJSON: key },
      inArray: [{ toJSON: key }],
      text: 'line\nbreak \u2028 "quoted" \u0007 é 漢',
    });
    for (const value of [[], {}, 'str', 5, null, true]) expectSameAsStringify(value);
  });

  it('indents deep objects (handed to JSON.stringify whole) to their place', () => {
    expectSameAsStringify([[[[[[{ deep: { deeper: [1, { x: 'a\nb' }], t: { toJSON: (): string => 'T' } } }]]]]]]);
    expectSameAsStringify({ a: { b: { c: { d: { e: [{ f: 1 }, [], {}, { g: { h: [1, 2] } }] } } } } });
    expectSameAsStringify({ status: 0, result: { findings: Array.from({ length: 300 }, (_, i) => ({ ruleId: `R${i}`, app: `App ${i}`, evidence: { users: [i, i + 1], note: null } })) }, warnings: [] });
  });

  it('gives pieces of about the size asked for, and nothing for a value with no JSON form', () => {
    const pieces = [...jsonChunks({ list: Array.from({ length: 5000 }, (_, i) => `value ${i}`) }, 4096)];
    expect(pieces.length).to.be.greaterThan(20);
    expect(pieces.slice(0, -1).every((p) => p.length >= 4096 && p.length < 4096 + 100)).to.equal(true);
    expect([...jsonChunks(undefined)]).to.deep.equal([]);
  });

  it('throws TypeError where JSON.stringify does: a cycle (near or deep) and a BigInt', () => {
    const near: Record<string, unknown> = {};
    near.self = near;
    const deep: Record<string, unknown> = {};
    deep.x = { y: { z: { w: { v: deep } } } };
    for (const bad of [near, deep, { big: 1n }, { a: { b: { c: { d: { big: 2n } } } } }]) {
      expect(() => JSON.stringify(bad, null, 2)).to.throw(TypeError);
      expect(() => [...jsonChunks(bad)].join('')).to.throw(TypeError);
    }
  });
});
