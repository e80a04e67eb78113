import { describe, expect, it } from 'vitest';
import { decodeEnvelope, deepFreeze, encodeEnvelope, jsonProblem, toJson } from './json-value.js';

describe('jsonProblem: what a JSON round trip would change', () => {
  it('accepts plain data, a top-level undefined and undefined properties', () => {
    expect(jsonProblem({ a: [1, 'x', null, true, { b: 2.5 }], c: undefined })).toBeUndefined();
    expect(jsonProblem(undefined)).toBeUndefined();
    expect(jsonProblem(Object.create(null))).toBeUndefined();
  });

  it('names the path of the first problem', () => {
    expect(jsonProblem({ items: [{ at: new Date() }] })).toBe('result.items[0].at is a Date (JSON turns it into a string)');
    expect(jsonProblem({ n: NaN })).toBe('result.n is NaN (JSON writes null)');
    expect(jsonProblem([1, undefined])).toBe('result[1] is undefined (JSON writes null)');
    expect(jsonProblem({ m: new Map() })).toBe('result.m is a Map');
    expect(jsonProblem({ f: () => 1 })).toBe('result.f is a function');
    expect(jsonProblem({ n: 1n })).toBe('result.n is a bigint');
    const cycle: Record<string, unknown> = {};
    cycle.self = cycle;
    expect(jsonProblem(cycle)).toBe('result.self refers back to itself (a cycle)');
    const shared = { x: 1 };
    expect(jsonProblem({ a: shared, b: shared })).toBeUndefined(); // shared, not cyclic
  });

  it('toJson throws a coded error naming the method', () => {
    expect(() => toJson({ at: new Date() }, 'Users.find')).toThrow(expect.objectContaining({ code: 'FLEET_ERR_CACHE_NOT_SERIALIZABLE' }));
    expect(toJson(undefined, 'Users.find')).toBeUndefined();
  });
});

describe('envelopes', () => {
  it('round-trip values, undefined and tags, and freeze what they decode', () => {
    const e = decodeEnvelope(encodeEnvelope('{"a":[1]}', 10, 20, ['t']))!;
    expect(e).toEqual({ fresh: 10, stale: 20, tags: ['t'], value: { a: [1] } });
    expect(Object.isFrozen(e.value)).toBe(true);
    expect(Object.isFrozen((e.value as { a: number[] }).a)).toBe(true);
    expect(decodeEnvelope(encodeEnvelope(undefined, 1, 1, []))).toEqual({ fresh: 1, stale: 1, tags: [], value: undefined });
    expect(decodeEnvelope('not json')).toBeUndefined();
    expect(deepFreeze(5)).toBe(5);
  });

  it('deep-freeze every object and array of a decoded value, however nested', () => {
    const v = deepFreeze(JSON.parse('{"a":{"b":[{"c":[1,{"d":null}]}],"s":"x"},"n":[[[]]]}')) as any;
    for (const o of [v, v.a, v.a.b, v.a.b[0], v.a.b[0].c, v.a.b[0].c[1], v.n, v.n[0], v.n[0][0]]) expect(Object.isFrozen(o)).toBe(true);
    expect(() => { v.a.b[0].c[1].d = 1; }).toThrow(TypeError);
  });
});
