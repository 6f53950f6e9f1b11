import { describe, expect, it } from 'vitest';
import { canonicalJson } from '#platform/core/canonical-json.ts';

describe('canonicalJson (RFC 8785)', () => {
  it('sorts keys by UTF-16 code units at every depth and drops whitespace', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { z: true, y: null }], c: 'x' } })).toBe(
      '{"a":{"c":"x","d":[3,{"y":null,"z":true}]},"b":1}',
    );
    expect(canonicalJson({ '\u20ac': 1, '\r': 2, ö: 3, a: 4 })).toBe('{"\\r":2,"a":4,"ö":3,"€":1}');
  });

  it('serialises numbers as ECMAScript does (the RFC 8785 rule)', () => {
    expect(canonicalJson([1e21, 1e-7, -0, 0.1, 100])).toBe('[1e+21,1e-7,0,0.1,100]');
  });

  it('gives the same bytes for the same value whatever the key order', () => {
    expect(canonicalJson({ x: 1, y: [1, 2] })).toBe(canonicalJson({ y: [1, 2], x: 1 }));
  });

  it.each([[Number.NaN], [Number.POSITIVE_INFINITY], [10n]])('refuses %s', (value) => {
    expect(() => canonicalJson({ value })).toThrow(TypeError);
  });
});

describe('canonical JSON refuses what it would silently change', () => {
  class Amount {
    readonly value: string;
    constructor(value: string) {
      this.value = value;
    }
  }
  it.each([
    ['a Date', { at: new Date('2026-12-01T00:00:00Z') }, '$.at'],
    ['an object with toJSON', { a: [{ toJSON: () => 'x' }] }, '$.a[0]'],
    ['a Map', { m: new Map([['k', 1]]) }, '$.m'],
    ['a class instance', { amount: new Amount('1.00') }, '$.amount'],
    ['NaN', { n: Number.NaN }, '$.n'],
    ['a bigint', { minor: 1n }, '$.minor'],
    ['a Set', { s: new Set([1]) }, '$.s'],
    ['undefined inside an array', { list: [1, undefined] }, '$.list[1]'],
    ['a hole in an array', { list: Object.assign([1], { 2: 3 }) }, '$.list[1]'],
    ['Infinity', { n: [Number.NEGATIVE_INFINITY] }, '$.n[0]'],
  ])('refuses %s, naming where it is', (_what, value, path) => {
    // Act
    const attempt = () => canonicalJson(value);

    // Assess
    expect(attempt).toThrow(TypeError);
    expect(attempt).toThrow(path);
  });

  it('still writes plain objects and objects without a prototype', () => {
    // Prepare
    const bare = Object.assign(Object.create(null), { b: 1, a: 'x' });

    // Act
    const written = canonicalJson({ z: bare, list: [1, null] });

    // Assess
    expect(written).toBe('{"list":[1,null],"z":{"a":"x","b":1}}');
  });
});
