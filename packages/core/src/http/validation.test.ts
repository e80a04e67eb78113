import { describe, expect, it } from 'vitest';
import { usesFormats, validatorCompiler } from './validation.js';

describe('validator compiler', () => {
  it('sees a format anywhere in a schema (or a format-range keyword), and nothing in one without', () => {
    expect(usesFormats({ type: 'object', properties: { id: { type: 'integer' } } })).toBe(false);
    expect(usesFormats({ type: 'object', properties: { email: { type: 'string', format: 'email' } } })).toBe(true);
    expect(usesFormats({ anyOf: [{ type: 'null' }, { type: 'string', formatMinimum: '2020-01-01' }] })).toBe(true);
    const cyclic: Record<string, unknown> = { type: 'object' };
    cyclic.self = cyclic;
    expect(usesFormats(cyclic)).toBe(false);
  });

  it('checks formats in schemas compiled after others without any (ajv-formats is added on demand)', () => {
    const compile = validatorCompiler();
    const id = compile({ schema: { type: 'object', properties: { id: { type: 'integer' } } }, httpPart: 'params', method: 'GET', url: '/' }) as (v: unknown) => boolean;
    expect(id({ id: '42' })).toBe(true);
    const email = compile({ schema: { type: 'object', properties: { email: { type: 'string', format: 'email' } } }, httpPart: 'body', method: 'POST', url: '/' }) as (v: unknown) => boolean;
    expect(email({ email: 'ada@example.com' })).toBe(true);
    expect(email({ email: 'not an email' })).toBe(false);
    const query = compile({ schema: { type: 'object', properties: { on: { type: 'string', format: 'date' } } }, httpPart: 'querystring', method: 'GET', url: '/' }) as (v: unknown) => boolean;
    expect(query({ on: '2024-02-30x' })).toBe(false);
  });
});
