import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { unsafeJsonString } from './json-strings.js';

describe('unsafeJsonString', () => {
  it('finds U+0000 and lone surrogates written as escapes', () => {
    expect(unsafeJsonString('{"a":"x\\u0000"}')).toBe('U+0000');
    expect(unsafeJsonString('{"a":"\\ud800"}')).toBe('a lone surrogate');
    expect(unsafeJsonString('{"a":"\\udfff\\ud800"}')).toBe('a lone surrogate');
    expect(unsafeJsonString('{"a":"\\ud83dx\\ude00"}')).toBe('a lone surrogate');
    expect(unsafeJsonString('{"a":"\\ud83d\\n"}')).toBe('a lone surrogate');
  });

  it('accepts pairs, other escapes, and an escaped backslash before u0000', () => {
    expect(unsafeJsonString('{"a":"\\ud83d\\ude00 \\u00e9 \\n \\" \\\\"}')).toBeUndefined();
    expect(unsafeJsonString('{"a":"\\\\u0000"}')).toBeUndefined();
    expect(unsafeJsonString('{"a":"\\\\\\u00e9"}')).toBeUndefined();
    expect(unsafeJsonString('{"\\uD83D\\uDE00":1}')).toBeUndefined();
  });

  it('agrees with the parsed strings, for any string and either way of escaping it (fast-check)', () => {
    const unit = fc.oneof(fc.constantFrom('\u0000', '\ud800', '\udbff', '\udc00', '\udfff', '\\', 'u', '"', 'é', '😀'), fc.string({ unit: 'binary', maxLength: 2 }));
    const escapeAll = (s: string) => `"${[...Array(s.length).keys()].map((i) => `\\u${s.charCodeAt(i).toString(16).padStart(4, '0')}`).join('')}"`;
    const illFormed = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
    fc.assert(fc.property(fc.array(unit, { maxLength: 8 }).map((u) => u.join('')), (value) => {
      const unsafe = value.includes('\u0000') || illFormed.test(value);
      for (const json of [JSON.stringify(value), escapeAll(value)]) {
        expect(JSON.parse(json)).toBe(value);
        expect(unsafeJsonString(json) !== undefined, json).toBe(unsafe);
      }
    }), { numRuns: 2000 });
  });
});
