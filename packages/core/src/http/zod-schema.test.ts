import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { compileSchema } from './zod-schema.js';

describe('compileSchema', () => {
  it('emits draft-07 JSON Schema without $schema, and needs no zod for plain shapes', () => {
    const c = compileSchema(z.object({ id: z.number().int().positive(), tags: z.array(z.string()).optional() }), 'body');
    expect(c.zod).toBeUndefined();
    expect(c.json.$schema).toBeUndefined();
    expect(c.json).toMatchObject({ type: 'object', required: ['id'], additionalProperties: false, properties: { id: { type: 'integer', exclusiveMinimum: 0 } } });
  });

  it('keeps zod for what JSON Schema cannot say: refinements, transforms, overwrites, dates, unknown formats', () => {
    expect(compileSchema(z.string().refine((s) => s !== 'x'), 'body').zod).toBeDefined();
    expect(compileSchema(z.object({ n: z.string().transform(Number) }), 'body').zod).toBeDefined();
    expect(compileSchema(z.object({ e: z.string().trim() }), 'querystring').zod).toBeDefined();
    expect(compileSchema(z.object({ d: z.date() }), 'body').zod).toBeDefined();
    expect(compileSchema(z.object({ e: z.email(), u: z.uuid() }), 'body').zod).toBeUndefined();
  });

  it('coerces only outside bodies: a coerced body field is left to zod', () => {
    expect(compileSchema(z.object({ n: z.coerce.number() }), 'querystring').zod).toBeUndefined();
    const body = compileSchema(z.object({ n: z.coerce.number() }), 'body');
    expect(body.zod).toBeDefined();
    expect((body.json.properties as Record<string, object>).n).toEqual({});
  });

  it('strips unknown keys of plain objects, rejects them for strict objects, and never strips headers', () => {
    expect(compileSchema(z.strictObject({ a: z.string() }), 'body').json.additionalProperties).toEqual({ not: {} });
    expect(compileSchema(z.looseObject({ a: z.string() }), 'body').json.additionalProperties).toEqual({});
    expect(compileSchema(z.object({ 'x-a': z.string() }), 'headers').json.additionalProperties).toBeUndefined();
  });

  it('describes responses by their output type', () => {
    const c = compileSchema(z.object({ a: z.string().default('x') }), 'response');
    expect(c.json.required).toEqual(['a']);
  });

  it('handles recursive schemas without looping', () => {
    type Node = { name: string; children: Node[] };
    const NodeSchema: z.ZodType<Node> = z.lazy(() => z.object({ name: z.string(), children: z.array(NodeSchema) }));
    const c = compileSchema(z.object({ root: NodeSchema }), 'body');
    expect(JSON.stringify(c.json)).toContain('children');
  });
});
