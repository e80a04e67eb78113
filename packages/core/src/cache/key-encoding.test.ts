import { describe, expect, it } from 'vitest';
import { encodeArgs, keyFrom, tagsFrom } from './key-encoding.js';

const enc = (...args: unknown[]) => encodeArgs(args, -1, 'Users.find');

describe('encodeArgs: the default cache key of a call', () => {
  it('is stable across object key order and ignores undefined properties and trailing undefined arguments', () => {
    expect(enc({ b: 1, a: [1, 'x'] })).toBe(enc({ a: [1, 'x'], b: 1, c: undefined }));
    expect(enc(1)).toBe(enc(1, undefined));
    expect(enc({ a: { y: 2, x: 1 } })).toBe('{"a":{"x":1,"y":2}}');
  });

  it('tells types apart', () => {
    expect(enc(1)).not.toBe(enc('1'));
    expect(enc(null)).not.toBe(enc('null'));
    expect(enc(true)).not.toBe(enc('true'));
    expect(enc(1n)).toBe('1n');
    expect(enc(-0)).toBe(enc(0));
    expect(enc(new Date(0))).toBe('Date(1970-01-01T00:00:00.000Z)');
    expect(enc(undefined, 2)).toBe('undefined,2');
  });

  it('leaves out the @Signal() argument', () => {
    expect(encodeArgs([7, new AbortController().signal], 1, 'X.y')).toBe('7');
    expect(encodeArgs([new AbortController().signal, 7], 0, 'X.y')).toBe(',7');
  });

  it('refuses what has no stable text, naming the method and the argument', () => {
    expect(() => enc(1, { cb: () => 1 })).toThrow(/@Cached on Users.find: argument #1.cb is a function/);
    expect(() => enc(new Map())).toThrow(/argument #0 is a Map instance/);
    expect(() => enc(Symbol('s'))).toThrow(/argument #0 is a symbol/);
    const cycle: Record<string, unknown> = {};
    cycle.self = cycle;
    expect(() => enc(cycle)).toThrow(/nesting deeper than 32 levels/);
  });
});

describe('key and tags functions', () => {
  it('check what the functions return', () => {
    expect(keyFrom((id: number) => `user:${id}`, [7], 'U.f', '@Cached')).toBe('user:7');
    expect(() => keyFrom(() => '', [], 'U.f', '@Cached')).toThrow('The key function of @Cached on U.f returned ""; it must return a non-empty string.');
    expect(tagsFrom((id: number) => [`team:${id}`], [2], 'U.f', '@Cached')).toEqual(['team:2']);
    expect(() => tagsFrom(() => 'users' as never, [], 'U.f', '@CacheEvict')).toThrow(/The tags function of @CacheEvict on U.f returned "users"/);
  });
});
