import { randomUUID } from 'node:crypto';
import { validate } from '@readme/openapi-parser';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp, type FleetApp, type OpenApiDocument, type OpenApiOperation } from '@fleet/core';
import { ShopModule, shopOpenApi } from './fixture-app.js';

const addFormats = addFormatsModule as unknown as (ajv: Ajv2020) => Ajv2020;
const env = () => ({ REDIS_KEY_PREFIX: `test:${randomUUID()}:` });

/** Validates values against the schema at a JSON pointer of the document (its $refs resolve within the document). */
function schemaAt(doc: OpenApiDocument) {
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats(ajv);
  ajv.addSchema({ ...doc, $id: 'https://fleet.test/openapi.json' });
  return (...pointer: string[]) => ajv.compile({ $ref: `https://fleet.test/openapi.json#/${pointer.map((p) => encodeURIComponent(p.replace(/~/g, '~0').replace(/\//g, '~1'))).join('/')}` });
}

describe('the OpenAPI document of a fixture app', () => {
  let app: FleetApp;
  let doc: OpenApiDocument;
  const op = (path: string, method: 'get' | 'post' | 'put' | 'delete') => doc.paths[path]![method] as OpenApiOperation;

  beforeAll(async () => {
    app = await createApp(ShopModule, { logger: false, env: env(), openapi: { ...shopOpenApi, serve: false }, shutdown: { signals: false } });
    doc = await app.openapi();
  });
  afterAll(async () => { await app.close(); });

  it('is valid OpenAPI 3.1 (@readme/openapi-parser), and every schema compiles as JSON Schema 2020-12', async () => {
    const result = await validate(structuredClone(doc) as never);
    expect(result.valid, JSON.stringify(result, null, 2)).toBe(true);
    expect(doc.openapi).toBe('3.1.0');
    const at = schemaAt(doc);
    for (const name of Object.keys(doc.components.schemas)) at('components', 'schemas', name);
  });

  it('has every route but the hidden ones, with operation ids from controller and method, and tags from controllers', () => {
    const operations = Object.entries(doc.paths).flatMap(([path, item]) => Object.entries(item).map(([method, o]) => `${method.toUpperCase()} ${path} ${o!.operationId}`));
    expect(operations).toEqual([
      'GET /a MiscController_both_2',
      'GET /b MiscController_both',
      'GET /categories/{slug} getCategory',
      'GET /customers CustomersController_list',
      'POST /customers CustomersController_create',
      'GET /customers/{id} CustomersController_get',
      'DELETE /customers/{id} CustomersController_remove',
      'GET /fallback MiscController_withFallback',
      'PUT /raw/{key} MiscController_raw',
    ]);
    expect(op('/customers', 'get').tags).toEqual(['Customers']);
    expect(op('/categories/{slug}', 'get').tags).toEqual(['Catalog']);
    expect(doc.tags).toEqual([
      { name: 'Catalog' },
      { name: 'Customers', description: 'The customers of the shop' },
      { name: 'Misc', description: 'Odds and ends' },
    ]);
    expect(doc.info).toEqual({ title: 'Shop', version: '1.2.3', description: 'A fixture for the OpenAPI tests' });
  });

  it('lists parameters from the zod schemas, with their descriptions and whether they are required', () => {
    expect(op('/customers/{id}', 'get').parameters).toEqual([
      { name: 'id', in: 'path', description: 'Customer id', required: true, schema: { type: 'integer', exclusiveMinimum: 0, maximum: 9007199254740991 } },
    ]);
    expect(op('/customers', 'get').parameters).toEqual([
      { name: 'page', in: 'query', description: 'Page number, from 1', schema: { default: 1, type: 'integer', minimum: 1, maximum: 9007199254740991 } },
      { name: 'q', in: 'query', description: 'Search text', deprecated: true, schema: { type: 'string' } },
    ]);
    expect(op('/customers', 'post').parameters).toEqual([
      { name: 'x-tenant', in: 'header', description: 'Tenant', required: true, schema: { type: 'string', enum: ['a', 'b'] } },
    ]);
    // A path parameter without a schema is a string; a Fastify regex parameter keeps its pattern.
    expect(op('/customers/{id}', 'delete').parameters).toEqual([{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }]);
    expect(op('/categories/{slug}', 'get').parameters![0]).toEqual({ name: 'slug', in: 'path', required: true, schema: { type: 'string', pattern: '^[a-z-]+$' } });
    // A query schema that is no plain object is one free-form parameter.
    expect(op('/categories/{slug}', 'get').parameters![1]).toMatchObject({ name: 'query', in: 'query', style: 'form', explode: true });
  });

  it('describes request bodies and responses per status, reusing named schemas as components', () => {
    expect(op('/customers', 'post').requestBody).toEqual({ required: true, content: { 'application/json': { schema: { $ref: '#/components/schemas/NewCustomer' } } } });
    expect(op('/customers', 'post').responses['201']).toEqual({ description: 'Created', content: { 'application/json': { schema: { $ref: '#/components/schemas/Customer' } } } });
    expect(op('/customers/{id}', 'get').responses['200']).toEqual({
      description: 'The customer', content: { 'application/json': { schema: { description: 'The customer', $ref: '#/components/schemas/Customer' } } },
    });
    expect(op('/customers', 'get').responses['200']!.content!['application/json']!.schema).toMatchObject({ properties: { items: { type: 'array', items: { $ref: '#/components/schemas/Customer' } } } });
    expect(Object.keys(doc.components.schemas)).toEqual(['Address', 'Customer', 'ErrorBody', 'NewCustomer', 'getCategory_200']);
    // Address appears in a request (inside NewCustomer) and in responses (inside Customer): one component, as its two forms are equal.
    expect(doc.components.schemas.Address).toEqual({
      type: 'object', description: 'A postal address', additionalProperties: false, required: ['street', 'city'],
      properties: { street: { type: 'string', description: 'Street and number' }, city: { type: 'string' } },
    });
    // Responses show the output: a default is always there; a Date leaves as an ISO string.
    expect(doc.components.schemas.Customer).toMatchObject({ required: ['id', 'name', 'address', 'tier'], properties: { since: { type: 'string', format: 'date-time' } } });
    expect(doc.components.schemas.NewCustomer).toMatchObject({ required: ['name', 'address'], examples: [{ name: 'Ada' }] });
    // A recursive schema without an id becomes a component (a self-reference "#" would mean the whole document).
    expect(op('/categories/{slug}', 'get').responses['200']!.content!['application/json']!.schema).toEqual({ $ref: '#/components/schemas/getCategory_200' });
    expect(doc.components.schemas.getCategory_200).toMatchObject({ properties: { children: { items: { $ref: '#/components/schemas/getCategory_200' } } } });
  });

  it('lists the error statuses each route can produce, all with the common error body', () => {
    const statuses = (path: string, method: 'get' | 'post' | 'put' | 'delete') => Object.keys(op(path, method).responses);
    expect(statuses('/customers', 'get')).toEqual(['200', '400', '401', '500']);
    expect(statuses('/customers/{id}', 'get')).toEqual(['200', '400', '401', '404', '429', '500']);
    expect(statuses('/customers', 'post')).toEqual(['201', '400', '401', '409', '413', '415', '500', '504']);
    expect(statuses('/customers/{id}', 'delete')).toEqual(['204', '404', '500', '503']);
    expect(statuses('/fallback', 'get')).toEqual(['200', '500']);
    expect(statuses('/raw/{key}', 'put')).toEqual(['200', '400', '404', '413', '415', '500']);
    const tooMany = op('/customers/{id}', 'get').responses['429']!;
    expect(tooMany.description).toBe('Too Many Requests: FLEET_ERR_RESILIENCE_RATE_LIMITED');
    expect(Object.keys(tooMany.headers!)).toEqual(['Retry-After', 'RateLimit-Limit', 'RateLimit-Remaining', 'RateLimit-Reset']);
    expect(tooMany.content).toEqual({ 'application/json': { schema: { $ref: '#/components/schemas/ErrorBody' } } });
    expect(op('/customers/{id}', 'delete').responses['503']!.description).toBe('Service Unavailable: FLEET_ERR_RESILIENCE_CIRCUIT_OPEN, FLEET_ERR_RESILIENCE_BULKHEAD_FULL');
    expect(op('/customers', 'post').responses['400']!.description).toBe('Bad Request: FLEET_ERR_HTTP_VALIDATION, FLEET_ERR_HTTP_MALFORMED_JSON');
    // A status the route declares with a schema of its own keeps that schema.
    expect(op('/customers/{id}', 'get').responses['404']!.content!['application/json']!.schema).toMatchObject({ properties: { statusCode: { const: 404 } } });
  });

  it('carries @ApiDoc: summary, deprecated, security (inherited from the controller, overridden by the route)', () => {
    expect(op('/customers', 'get')).toMatchObject({ summary: 'List customers', security: [{ session: [] }] });
    expect(op('/customers/{id}', 'delete')).toMatchObject({ deprecated: true, security: [] });
    expect(op('/b', 'get').security).toBeUndefined();
    expect(doc.components.securitySchemes).toEqual({ session: { type: 'apiKey', in: 'cookie', name: 'sid' } });
  });

  it('gives a fresh copy on every call, and is the same document on another boot', async () => {
    const again = await app.openapi();
    expect(again).not.toBe(doc);
    expect(JSON.stringify(again)).toBe(JSON.stringify(doc));
    const other = await createApp(ShopModule, { logger: false, env: env(), openapi: { ...shopOpenApi, serve: false }, shutdown: { signals: false } });
    try {
      expect(JSON.stringify(await other.openapi())).toBe(JSON.stringify(doc));
    } finally {
      await other.close();
    }
  });
});

describe('round trip on the fixture: real responses validate against the document', () => {
  let app: FleetApp;
  let url: string;
  let doc: OpenApiDocument;

  beforeAll(async () => {
    app = await createApp(ShopModule, { logger: false, env: env(), openapi: { ...shopOpenApi, serve: true }, shutdown: { signals: false } });
    url = await app.listen({ port: 0 });
    doc = (await (await fetch(`${url}/openapi.json`)).json()) as OpenApiDocument;
  });
  afterAll(async () => { await app.close(); });

  const cases: Array<{ method: string; path: string; template: string; status: number; body?: unknown; headers?: Record<string, string> }> = [
    { method: 'GET', path: '/customers?page=2', template: '/customers', status: 200 },
    { method: 'GET', path: '/customers/5', template: '/customers/{id}', status: 200 },
    { method: 'POST', path: '/customers', template: '/customers', status: 201, headers: { 'x-tenant': 'a' }, body: { name: 'Ada', address: { street: '1 Main St', city: 'London' } } },
    { method: 'GET', path: '/categories/books?depth=2', template: '/categories/{slug}', status: 200 },
    // Errors: the validation error and the route-not-found-by-parameter shapes are the common body.
    { method: 'GET', path: '/customers/0', template: '/customers/{id}', status: 400 },
    { method: 'POST', path: '/customers', template: '/customers', status: 400, headers: { 'x-tenant': 'z' }, body: { name: '' } },
    { method: 'POST', path: '/customers', template: '/customers', status: 415, headers: { 'x-tenant': 'a', 'content-type': 'application/xml' }, body: '<a/>' },
  ];

  for (const c of cases) {
    it(`${c.method} ${c.path} => ${c.status} matches the document's schema for ${c.status}`, async () => {
      const res = await fetch(`${url}${c.path}`, {
        method: c.method,
        headers: { ...(c.body !== undefined ? { 'content-type': 'application/json' } : {}), ...c.headers },
        ...(c.body !== undefined ? { body: typeof c.body === 'string' ? c.body : JSON.stringify(c.body) } : {}),
      });
      expect(res.status).toBe(c.status);
      const method = c.method.toLowerCase() as 'get' | 'post';
      expect(doc.paths[c.template]![method]!.responses[String(c.status)], `the document lists ${c.status}`).toBeDefined();
      const validate = schemaAt(doc)('paths', c.template, method, 'responses', String(c.status), 'content', 'application/json', 'schema');
      const body = await res.json();
      expect(validate(body), JSON.stringify({ body, errors: validate.errors }, null, 2)).toBe(true);
    });
  }
});
