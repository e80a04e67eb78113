import { randomUUID } from 'node:crypto';
import { validate } from '@readme/openapi-parser';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OpenApiDocument } from '@fleet/core';
import { createTestFleet, type TestApp } from '@fleet/testing';
import { AppModule } from '../src/app.module.js';
import { AppConfig } from '../src/config.js';
import { sampleEnv } from '../src/env.js';
import { startFakePartners, type FakePartners } from '../src/partners/fake-partners.js';

const addFormats = addFormatsModule as unknown as (ajv: Ajv2020) => Ajv2020;

/** A validator for the schema of one response of the document (its $refs resolve within the document). */
function responseSchema(doc: OpenApiDocument, path: string, method: string, status: number) {
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats(ajv);
  ajv.addSchema({ ...doc, $id: 'https://sample.test/openapi.json' });
  const pointer = ['paths', path, method, 'responses', String(status), 'content', 'application/json', 'schema']
    .map((p) => encodeURIComponent(p.replace(/~/g, '~0').replace(/\//g, '~1'))).join('/');
  return ajv.compile({ $ref: `https://sample.test/openapi.json#/${pointer}` });
}

/** `/users/:id` => `/users/{id}` */
const template = (url: string) => url.replace(/:(\w+)/g, '{$1}');

describe('the sample\'s OpenAPI document', () => {
  let a: TestApp;
  let b: TestApp;
  let doc: OpenApiDocument;
  let partners: FakePartners;

  beforeAll(async () => {
    partners = await startFakePartners();
    const env = sampleEnv({ REDIS_KEY_PREFIX: `test:${randomUUID()}:`, FLEET_APP: 'sample', PAYMENT_URL: partners.url, INVENTORY_URL: partners.url });
    // Two boots of the sample, as a fleet runs it (each with its own PostgreSQL schema, sharing Redis).
    // Two instances of one fleet: one Redis prefix, one PostgreSQL schema.
    [a, b] = await createTestFleet(AppModule, 2, { config: AppConfig, env });
    const res = await a.request().get('/openapi.json').expect(200).expect('content-type', 'application/json; charset=utf-8');
    doc = res.body as OpenApiDocument;
  });
  afterAll(async () => {
    await Promise.all([a?.close(), b?.close()]);
    await partners?.close();
  });

  it('validates as OpenAPI 3.1 with @readme/openapi-parser', async () => {
    const result = await validate(structuredClone(doc) as never);
    expect(result.valid, JSON.stringify(result, null, 2)).toBe(true);
    expect(doc.openapi).toBe('3.1.0');
  });

  it('is the same on both instances, byte for byte (stable ordering: it can be committed and diffed)', async () => {
    const fromA = await a.request().get('/openapi.json').expect(200);
    const fromB = await b.request().get('/openapi.json').expect(200);
    expect(fromB.text).toBe(fromA.text);
    expect(fromB.headers.etag).toBe(fromA.headers.etag);
    expect(JSON.stringify(await b.app.openapi())).toBe(fromA.text);
  });

  it('lists every route of the sample, with its path parameters and response schemas', () => {
    for (const route of a.app.routes) {
      const operation = doc.paths[template(route.url)]?.[route.method.toLowerCase() as 'get'];
      expect(operation, `${route.method} ${route.url}`).toBeDefined();
      expect(operation!.operationId).toBe(`${route.controller}_${route.handler}`);
      const pathParams = [...route.url.matchAll(/:(\w+)/g)].map((m) => m[1]);
      expect(operation!.parameters?.filter((p) => p.in === 'path').map((p) => p.name) ?? []).toEqual(pathParams);
    }
    const operations = Object.values(doc.paths).reduce((n, item) => n + Object.keys(item).length, 0);
    expect(operations).toBe(a.app.routes.length);

    const success = (path: string, method: 'get' | 'post' | 'put', status = 200) => doc.paths[path]![method]!.responses[String(status)]!.content?.['application/json']?.schema;
    expect(success('/hello', 'get')).toEqual({ type: 'object', properties: { message: { type: 'string' } }, required: ['message'], additionalProperties: false });
    expect(success('/me', 'get')).toMatchObject({ properties: { userId: { type: 'string' } } });
    expect(success('/login', 'post')).toMatchObject({ properties: { userId: { type: 'string' } } });
    for (const method of ['get', 'put'] as const) {
      expect(success('/users/{id}', method)).toMatchObject({ type: 'object', properties: { id: { type: 'integer' }, name: { type: 'string' }, email: { type: 'string' } } });
      expect(doc.paths['/users/{id}']![method]!.parameters).toEqual([
        { name: 'id', in: 'path', required: true, schema: { type: 'integer', exclusiveMinimum: 0, maximum: 2147483647 } },
      ]);
    }
    expect(doc.paths['/users/{id}']!.put!.requestBody!.content['application/json']!.schema).toMatchObject({
      properties: { name: { type: 'string', minLength: 1, maxLength: 200 }, email: { type: 'string', format: 'email', maxLength: 254 } }, required: ['name', 'email'],
    });
    expect(doc.paths['/logout']!.post!.responses['204']).toEqual({ description: 'No Content' });
  });

  it('lists 429 for POST /login, which has @RateLimit, with the common error body and its headers', () => {
    const login = doc.paths['/login']!.post!;
    expect(Object.keys(login.responses)).toEqual(['200', '400', '413', '415', '429', '500']);
    expect(login.responses['429']).toMatchObject({
      description: 'Too Many Requests: FLEET_ERR_RESILIENCE_RATE_LIMITED',
      headers: { 'Retry-After': { schema: { type: 'integer', minimum: 1 } } },
      content: { 'application/json': { schema: { $ref: '#/components/schemas/ErrorBody' } } },
    });
    expect(doc.paths['/hello']!.get!.responses['429']).toBeUndefined();
  });

  it('round trip: a real response of every route with a response schema validates against the document\'s schema for its status', async () => {
    const checked = new Set<string>();
    const check = async (method: 'get' | 'post' | 'put', path: string, res: { status: number; body: unknown }) => {
      const validate = responseSchema(doc, path, method, res.status);
      expect(validate(res.body), `${method.toUpperCase()} ${path} ${res.status}: ${JSON.stringify({ body: res.body, errors: validate.errors })}`).toBe(true);
      checked.add(`${method} ${path} ${res.status}`);
    };
    await check('get', '/hello', await a.request().get('/hello').expect(200));
    const login = await a.request().post('/login').send({ userId: 'ada' }).expect(200);
    await check('post', '/login', login);
    const cookie = String((login.headers['set-cookie'] as unknown as string[])[0]).split(';')[0]!;
    await check('get', '/me', await b.request().get('/me').set('cookie', cookie).expect(200));
    const put = await a.request().put('/users/31').send({ name: 'Ada Lovelace', email: 'ada@example.com' }).expect(200);
    await check('put', '/users/{id}', put);
    await check('get', '/users/{id}', await a.request().get('/users/31').set('x-fleet-lsn', put.headers['x-fleet-lsn'] as string).expect(200));
    const order = await a.request().post('/orders').send({ items: [{ sku: 'A-1', qty: 2 }] }).expect(202);
    await check('post', '/orders', order);
    await check('get', '/orders/{id}', await b.request().get(`/orders/${(order.body as { orderId: string }).orderId}`).set('x-fleet-lsn', order.headers['x-fleet-lsn'] as string).expect(200));
    await check('post', '/orders/{id}/pay', await b.request().post(`/orders/${(order.body as { orderId: string }).orderId}/pay`).set('x-fleet-lsn', order.headers['x-fleet-lsn'] as string).expect(200));
    await check('get', '/inventory/{sku}', await a.request().get('/inventory/A-1').expect(200));
    await check('get', '/api/users', await b.request().get('/api/users?limit=5').set('x-fleet-lsn', put.headers['x-fleet-lsn'] as string).expect(200));

    // Every documented success response with a schema was exercised.
    const documented = Object.entries(doc.paths).flatMap(([path, item]) => Object.entries(item).flatMap(([method, op]) =>
      Object.entries(op!.responses).filter(([status, r]) => Number(status) < 400 && r.content?.['application/json']?.schema).map(([status]) => `${method} ${path} ${status}`)));
    expect([...checked].sort()).toEqual(documented.sort());

    // Error answers are the documented error body too: validation, a missing resource, the rate limit.
    await check('post', '/login', await a.request().post('/login').send({}).expect(400));
    await check('put', '/users/{id}', await a.request().put('/users/32').send({ name: '', email: 'nope' }).expect(400));
    await check('get', '/users/{id}', await a.request().get('/users/424242').expect(404));
    let limited: { status: number; body: unknown; headers: Record<string, unknown> } | undefined;
    for (let i = 0; i < 12 && !limited; i++) {
      const res = await (i % 2 ? b : a).request().post('/login').send({ userId: `u${i}` });
      if (res.status === 429) limited = res;
      else expect(res.status).toBe(200);
    }
    expect(limited, 'the fleet-wide limit of 10 logins a minute answered 429').toBeDefined();
    await check('post', '/login', limited!);
    expect(Number(limited!.headers['retry-after'])).toBeGreaterThanOrEqual(1);
  });

  it('serves the interactive reference page at /docs in development', async () => {
    const page = await a.request().get('/docs').expect(200).expect('content-type', 'text/html; charset=utf-8');
    expect(page.text).toContain('<meta name="openapi-url" content="openapi.json">');
    expect(page.headers['content-security-policy']).toContain("default-src 'none'");
  });
});
