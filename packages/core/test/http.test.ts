import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { FastifyReply, FastifyRequest } from 'fastify';
import {
  Body, ConflictError, Controller, Delete, Get, Headers, HttpError, Injectable, Module, NotFoundError, Param, Patch, Post, Put,
  Query, Req, Res, RequestContext, createApp, type FleetError,
} from '@fleet/core';
import { createTestApp, type TestApp } from '@fleet/testing';

const NewItem = z.object({
  name: z.string().min(1),
  qty: z.number().int().positive(),
  tags: z.array(z.string()).max(3).optional(),
});
const Item = z.object({ id: z.number(), name: z.string(), qty: z.number() });

@Injectable()
class Audit {
  constructor(private readonly ctx: RequestContext) {}
  requestId() { return this.ctx.id; }
}

@Controller('/items')
class ItemsController {
  constructor(private readonly audit: Audit) {}

  @Get('/:id', { response: Item })
  get(@Param('id', z.number().int().positive()) id: number) {
    if (id === 404) throw new NotFoundError(`item ${id} not found`);
    return { id, name: 'widget', qty: 1, secretInternalField: 'must not leak' };
  }

  @Post('/', { status: 201, response: Item })
  create(@Body(NewItem) body: z.infer<typeof NewItem>) {
    return { id: 7, ...body };
  }

  @Get('/', {})
  list(@Query(z.object({ page: z.number().int().min(1).default(1), q: z.string().optional() })) query: { page: number; q?: string }) {
    return { page: query.page, q: query.q ?? null, pageType: typeof query.page };
  }

  @Put('/:id/owner/:owner')
  both(@Param('id', z.number().int()) id: number, @Param('owner') owner: string, @Headers('x-tenant', z.enum(['a', 'b'])) tenant: string) {
    return { id, owner, tenant };
  }

  @Patch('/:id', { bodyLimit: 64 })
  small(@Param('id') id: string, @Body() body: unknown) { return { id, body }; }

  @Post('/refined')
  refined(@Body(z.object({ from: z.number(), to: z.number(), email: z.string().trim().toLowerCase() }).refine((v) => v.to > v.from, { message: 'to must be after from', path: ['to'] })) body: { from: number; to: number; email: string }) {
    return body;
  }

  @Post('/strict')
  strict(@Body(z.strictObject({ a: z.string() })) body: unknown) { return body; }

  @Post('/strip')
  strip(@Body(z.object({ a: z.string() })) body: unknown) { return body; }

  @Get('/whoami/ctx')
  whoami() { return { requestId: this.audit.requestId() }; }

  @Delete('/:id')
  conflict() { throw new ConflictError('item is in an open order', { code: 'ITEMS_IN_ORDER' }); }

  @Get('/raw/reply')
  raw(@Req() req: FastifyRequest, @Res() reply: FastifyReply) {
    reply.header('x-raw', req.method).code(299).send({ raw: true });
  }

  @Get('/boom/now')
  boom() { throw new Error('db password is hunter2'); }

  @Get('/teapot/custom')
  teapot() { throw new HttpError(418, 'short and stout'); }
}

@Module({ providers: [Audit], controllers: [ItemsController] })
class AppModule {}

describe('decorated controllers over real HTTP', () => {
  let t: TestApp;
  const logs: string[] = [];
  beforeAll(async () => {
    const stream = new Writable({ write(chunk, _enc, cb) { logs.push(String(chunk)); cb(); } });
    t = await createTestApp(AppModule, { logger: { level: 'error', stream }, production: true });
  });
  afterAll(async () => { await t.close(); });

  it('validates and coerces path params, and serialises through the response schema', async () => {
    const res = await t.request().get('/items/5').expect(200);
    expect(res.body).toEqual({ id: 5, name: 'widget', qty: 1 });
    expect(res.text).not.toContain('secretInternalField');
  });

  it('answers 400 with every issue and its path for an invalid body', async () => {
    const res = await t.request().post('/items').send({ name: '', qty: -1.5, tags: ['a', 'b', 'c', 'd'] }).expect(400);
    expect(res.body.code).toBe('FLEET_ERR_HTTP_VALIDATION');
    expect(res.body.statusCode).toBe(400);
    const paths = res.body.details.map((d: { path: string }) => d.path);
    expect(paths).toEqual(expect.arrayContaining(['body.name', 'body.qty', 'body.tags']));
    expect(res.body.details.length).toBeGreaterThanOrEqual(4);
  });

  it('names a missing required field, and never coerces JSON body types', async () => {
    const missing = await t.request().post('/items').send({ qty: 1 }).expect(400);
    expect(missing.body.details).toContainEqual({ path: 'body.name', message: 'is required', rule: 'required' });
    const stringly = await t.request().post('/items').send({ name: 'a', qty: '3' }).expect(400);
    expect(stringly.body.details).toContainEqual(expect.objectContaining({ path: 'body.qty', rule: 'type' }));
  });

  it('creates with the declared status', async () => {
    const res = await t.request().post('/items').send({ name: 'bolt', qty: 3 }).expect(201);
    expect(res.body).toEqual({ id: 7, name: 'bolt', qty: 3 });
  });

  it('applies query defaults and coercion, and rejects bad query values', async () => {
    expect((await t.request().get('/items').expect(200)).body).toEqual({ page: 1, q: null, pageType: 'number' });
    expect((await t.request().get('/items?page=3&q=x').expect(200)).body).toEqual({ page: 3, q: 'x', pageType: 'number' });
    const bad = await t.request().get('/items?page=0').expect(400);
    expect(bad.body.details[0].path).toBe('query.page');
  });

  it('combines named params and a validated header', async () => {
    expect((await t.request().put('/items/9/owner/ann').set('x-tenant', 'b').expect(200)).body).toEqual({ id: 9, owner: 'ann', tenant: 'b' });
    const bad = await t.request().put('/items/x/owner/ann').set('x-tenant', 'c').expect(400);
    expect(bad.body.details.map((d: { path: string }) => d.path).sort()).toEqual(['headers.x-tenant', 'params.id']);
  });

  it('runs zod refinements and transforms that JSON Schema cannot express', async () => {
    const ok = await t.request().post('/items/refined').send({ from: 1, to: 2, email: '  Ann@Example.COM ' }).expect(200);
    expect(ok.body).toEqual({ from: 1, to: 2, email: 'ann@example.com' });
    const bad = await t.request().post('/items/refined').send({ from: 3, to: 2, email: 'a' }).expect(400);
    expect(bad.body.code).toBe('FLEET_ERR_HTTP_VALIDATION');
    expect(bad.body.details).toEqual([{ path: 'body.to', message: 'to must be after from', rule: 'custom' }]);
  });

  it('strips unknown keys from plain objects and rejects them for strict objects', async () => {
    expect((await t.request().post('/items/strip').send({ a: 'x', isAdmin: true }).expect(200)).body).toEqual({ a: 'x' });
    const bad = await t.request().post('/items/strict').send({ a: 'x', isAdmin: true }).expect(400);
    expect(bad.body.details).toEqual([{ path: 'body.isAdmin', message: 'unknown property', rule: 'unknown_key' }]);
  });

  it('answers 400 for malformed JSON and prototype-poisoning keys, 415 for unknown media, 413 over the limit', async () => {
    const malformed = await t.request().post('/items').set('content-type', 'application/json').send('{"name": "x",').expect(400);
    expect(malformed.body).toEqual({ statusCode: 400, code: 'FLEET_ERR_HTTP_MALFORMED_JSON', message: 'The request body is not valid JSON' });
    const poison = await t.request().post('/items/strip').set('content-type', 'application/json').send('{"a":"x","__proto__":{"polluted":1}}').expect(400);
    expect(poison.body.code).toBe('FLEET_ERR_HTTP_MALFORMED_JSON');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    const media = await t.request().post('/items').set('content-type', 'application/x-custom').send('abc').expect(415);
    expect(media.body.code).toBe('FLEET_ERR_HTTP_UNSUPPORTED_MEDIA_TYPE');
    const big = await t.request().patch('/items/1').send({ data: 'x'.repeat(200) }).expect(413);
    expect(big.body).toEqual({ statusCode: 413, code: 'FLEET_ERR_HTTP_BODY_TOO_LARGE', message: 'The request body is larger than this route accepts' });
    expect((await t.request().patch('/items/1').send({ d: 1 }).expect(200)).body).toEqual({ id: '1', body: { d: 1 } });
  });

  it('answers unknown routes with 404 in the common shape', async () => {
    const res = await t.request().get('/nowhere?x=1').expect(404);
    expect(res.body).toEqual({ statusCode: 404, code: 'FLEET_ERR_HTTP_ROUTE_NOT_FOUND', message: 'No route for GET /nowhere' });
  });

  it('renders HttpErrors with their status and code', async () => {
    expect((await t.request().get('/items/404').expect(404)).body).toEqual({ statusCode: 404, code: 'FLEET_ERR_HTTP_NOT_FOUND', message: 'item 404 not found' });
    expect((await t.request().delete('/items/1').expect(409)).body).toEqual({ statusCode: 409, code: 'ITEMS_IN_ORDER', message: 'item is in an open order' });
    expect((await t.request().get('/items/teapot/custom').expect(418)).body.message).toBe('short and stout');
  });

  it('hides unexpected errors in production and logs them with the request id', async () => {
    const res = await t.request().get('/items/boom/now').set('x-request-id', 'trace-abc-123').expect(500);
    expect(res.body).toEqual({ statusCode: 500, code: 'FLEET_ERR_HTTP_INTERNAL', message: 'Internal server error' });
    expect(res.text).not.toContain('hunter2');
    expect(res.headers['x-request-id']).toBe('trace-abc-123');
    const line = logs.map((l) => JSON.parse(l)).find((l) => l.reqId === 'trace-abc-123' && l.level === 50);
    expect(line?.err?.message).toBe('db password is hunter2');
    expect(line?.err?.stack).toContain('ItemsController.boom');
  });

  it('gives @Req and @Res the Fastify objects', async () => {
    const res = await t.request().get('/items/raw/reply').expect(299);
    expect(res.headers['x-raw']).toBe('GET');
    expect(res.body).toEqual({ raw: true });
  });

  it('exposes the request id through RequestContext in any provider', async () => {
    expect(t.app.requestContextEnabled).toBe(true);
    const a = await t.request().get('/items/whoami/ctx').set('x-request-id', 'client-id-1').expect(200);
    expect(a.body.requestId).toBe('client-id-1');
    const b = await t.request().get('/items/whoami/ctx').set('x-request-id', 'bad id with spaces').expect(200);
    expect(b.body.requestId).toMatch(/^[\w-]{8}-[0-9a-z]+$/);
  });

  it('keeps the Fastify instance reachable for plugins and raw routes', async () => {
    const app = await createApp(AppModule, { logger: false });
    await app.fastify.register(async (f) => { f.get('/plugin', async () => ({ plugin: true })); });
    const url = await app.listen({ port: 0 });
    const res = await fetch(`${url}/plugin`);
    expect(await res.json()).toEqual({ plugin: true });
    await app.close();
  });
});

describe('development mode', () => {
  it('shows the message of unexpected errors outside production', async () => {
    const t = await createTestApp(AppModule, { production: false });
    const res = await t.request().get('/items/boom/now').expect(500);
    expect(res.body).toEqual({ statusCode: 500, code: 'FLEET_ERR_HTTP_INTERNAL', message: 'db password is hunter2' });
    await t.close();
  });
});

describe('request context is off unless injected', () => {
  @Controller() class Plain { @Get('/p') p() { return { ok: true }; } }
  @Module({ controllers: [Plain], providers: [{ provide: 'ctx-user', useFactory: (c: RequestContext) => () => c.id, inject: [RequestContext] }] }) class WithCtx {}
  @Module({ controllers: [Plain] }) class NoCtx {}

  it('is enabled only when a provider depends on it, and reading it outside a request fails clearly', async () => {
    const off = await createApp(NoCtx, { logger: false });
    expect(off.requestContextEnabled).toBe(false);
    await off.close();
    const on = await createApp(WithCtx, { logger: false });
    expect(on.requestContextEnabled).toBe(true);
    const read = on.get<() => string>('ctx-user');
    expect(() => read()).toThrow(expect.objectContaining({ code: 'FLEET_ERR_CONTEXT_UNAVAILABLE' }));
    await on.close();
  });
});

describe('route declaration errors fail at boot', () => {
  async function bootError(module: unknown): Promise<FleetError> {
    return createApp(module, { logger: false }).then(async (a) => { await a.close(); throw new Error('booted'); }, (e: FleetError) => e);
  }

  it('rejects a @Param that is not in the path', async () => {
    @Controller('/a') class C { @Get('/:id') get(@Param('uid') uid: string) { return uid; } }
    @Module({ controllers: [C] }) class M {}
    const err = await bootError(M);
    expect(err.code).toBe('FLEET_ERR_HTTP_INVALID_ROUTE');
    expect(err.message).toContain("C.get (GET /a/:id): @Param('uid') names no parameter of the path (it has :id)");
  });

  it('rejects an undecorated handler argument', async () => {
    @Controller('/b') class C { @Post('/') create(@Body() body: unknown, extra: string) { return [body, extra]; } }
    @Module({ controllers: [C] }) class M {}
    const err = await bootError(M);
    expect(err.code).toBe('FLEET_ERR_HTTP_INVALID_ROUTE');
    expect(err.message).toContain('argument #2 has no parameter decorator');
  });

  it('rejects a controller without @Controller and duplicate routes', async () => {
    class NotController {}
    @Module({ controllers: [NotController] }) class M1 {}
    expect((await bootError(M1)).message).toContain('NotController is listed in the controllers of M1 but has no @Controller()');

    @Controller('/dup') class D1 { @Get('/') a() { return 1; } }
    @Controller('/dup') class D2 { @Get('/') b() { return 2; } }
    @Module({ controllers: [D1, D2] }) class M2 {}
    const err = await bootError(M2);
    expect(err.code).toBe('FLEET_ERR_HTTP_INVALID_ROUTE');
    expect(err.message).toContain('D2.b');
  });
});
