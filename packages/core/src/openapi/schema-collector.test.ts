import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { SchemaCollector } from './schema-collector.js';

describe('SchemaCollector', () => {
  it('shares one component when the input and output forms are equal', () => {
    const Tag = z.object({ name: z.string() }).meta({ id: 'UnitTag' });
    const collector = new SchemaCollector();
    const document = { request: collector.convert(Tag, 'input', 'req'), response: collector.convert(Tag, 'output', 'res') };
    const components = collector.finish(document);
    expect(document).toEqual({ request: { $ref: '#/components/schemas/UnitTag' }, response: { $ref: '#/components/schemas/UnitTag' } });
    expect(Object.keys(components)).toEqual(['UnitTag']);
  });

  it('names the input form <id>Input when it differs, and so does every named schema that contains it', () => {
    const Line = z.object({ qty: z.number().int().default(1) }).meta({ id: 'UnitLine' });
    const Order = z.object({ lines: z.array(Line) }).meta({ id: 'UnitOrder' });
    const collector = new SchemaCollector();
    const document = { request: collector.convert(Order, 'input', 'req'), response: collector.convert(Order, 'output', 'res') };
    const components = collector.finish(document);
    expect(document.request).toEqual({ $ref: '#/components/schemas/UnitOrderInput' });
    expect(Object.keys(components)).toEqual(['UnitLine', 'UnitLineInput', 'UnitOrder', 'UnitOrderInput']);
    expect(components.UnitOrderInput).toMatchObject({ properties: { lines: { items: { $ref: '#/components/schemas/UnitLineInput' } } } });
    expect(components.UnitOrder).toMatchObject({ properties: { lines: { items: { $ref: '#/components/schemas/UnitLine' } } } });
  });

  it('resolves a reference to read an object\'s properties', () => {
    const Query = z.object({ page: z.number() }).meta({ id: 'UnitQuery' });
    const collector = new SchemaCollector();
    const json = collector.convert(Query, 'input', 'q');
    expect(collector.resolve(json)).toMatchObject({ type: 'object', properties: { page: { type: 'number' } } });
  });

  it('closes request objects that strip unknown keys, unless asked to keep them open', () => {
    const Headers = z.object({ 'x-tenant': z.string() });
    const collector = new SchemaCollector();
    expect(collector.convert(Headers, 'input', 'body')).toMatchObject({ additionalProperties: false });
    expect(collector.convert(Headers, 'input', 'headers', true)).not.toHaveProperty('additionalProperties');
    expect(collector.convert(z.looseObject({ a: z.string() }), 'input', 'loose')).toMatchObject({ additionalProperties: {} });
  });
});
