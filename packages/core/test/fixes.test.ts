import { EventEmitter } from 'node:events';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  Body, Config, Controller, Delete, FleetError, Get, HttpError, Injectable, Module, Post, createApp, secret,
} from '@fleet/core';
import { createTestApp } from '@fleet/testing';

describe('handlers', () => {
  @Controller('/h') class C {
    @Delete('/sync') removeSync() { /* returns nothing */ }
    @Delete('/sync-204', { status: 204 }) remove204() { /* returns nothing */ }
    @Delete('/async') async removeAsync() { /* resolves to nothing */ }
    @Post('/union') union(@Body(z.union([z.object({ type: z.literal('a'), a: z.string() }), z.object({ type: z.literal('b'), b: z.string() })])) body: unknown) { return body; }
    @Post('/tagged') tagged(@Body(z.discriminatedUnion('kind', [z.object({ kind: z.literal('x'), x: z.number() }), z.object({ kind: z.literal('y'), y: z.number() })])) body: unknown) { return body; }
    @Get('/unavailable') unavailable() { throw new FleetError('FLEET_ERR_REDIS_UNAVAILABLE', 'Cannot connect to Redis at redis://10.0.0.7:6379'); }
    @Get('/maintenance') maintenance() { throw new HttpError(503, 'down for maintenance until 14:00'); }
  }
  @Module({ controllers: [C] }) class M {}

  it('answers a synchronous handler that returns nothing, instead of hanging', async () => {
    const t = await createTestApp(M);
    try {
      expect((await t.request().delete('/h/sync').timeout(5000)).status).toBe(200);
      expect((await t.request().delete('/h/sync-204').timeout(5000)).status).toBe(204);
      expect((await t.request().delete('/h/async').timeout(5000)).status).toBe(200);
    } finally {
      await t.close();
    }
  });

  it('accepts every branch of a union of objects and strips unknown keys', async () => {
    const t = await createTestApp(M);
    try {
      expect((await t.request().post('/h/union').send({ type: 'b', b: 'x', extra: 1 }).expect(200)).body).toEqual({ type: 'b', b: 'x' });
      expect((await t.request().post('/h/union').send({ type: 'a', a: 'y' }).expect(200)).body).toEqual({ type: 'a', a: 'y' });
      expect((await t.request().post('/h/tagged').send({ kind: 'y', y: 2, z: 3 }).expect(200)).body).toEqual({ kind: 'y', y: 2 });
      await t.request().post('/h/union').send({ type: 'c' }).expect(400);
    } finally {
      await t.close();
    }
  });

  it('keeps internals out of 5xx bodies in production, but not messages the app chose', async () => {
    const t = await createTestApp(M, { production: true });
    try {
      const res = await t.request().get('/h/unavailable').expect(503);
      expect(res.body).toEqual({ statusCode: 503, code: 'FLEET_ERR_REDIS_UNAVAILABLE', message: 'Service unavailable' });
      expect((await t.request().get('/h/maintenance').expect(503)).body.message).toBe('down for maintenance until 14:00');
      expect((await t.request().get('/nothing').expect(404)).headers['x-request-id']).toMatch(/^[\w-]{8}-[0-9a-z]+$/);
    } finally {
      await t.close();
    }
  });
});

describe('providers', () => {
  it('lets a factory return a library resource (a pg Pool, an EventEmitter) and does not freeze it', async () => {
    @Module({ providers: [
      { provide: 'PG', useFactory: () => new pg.Pool({ connectionString: 'postgres://postgres@127.0.0.1:5432/test', max: 1 }) },
      { provide: 'BUS', useFactory: () => new EventEmitter() },
    ] }) class M {}
    const app = await createApp(M, { logger: false });
    const pool = app.get<pg.Pool>('PG');
    expect((await pool.query('select 1 as one')).rows).toEqual([{ one: 1 }]);
    expect(Object.isExtensible(app.get<EventEmitter>('BUS'))).toBe(true);
    await pool.end();
    await app.close();
  });

  it('does not build a transient nobody asked for', async () => {
    let built = 0;
    @Injectable({ scope: 'transient' }) class T { constructor() { built += 1; } }
    @Injectable() class User { constructor(readonly t: T) {} }
    @Module({ providers: [T, User] }) class M {}
    const app = await createApp(M, { logger: false });
    expect(built).toBe(1);
    await app.close();
  });

  it('skips onInit of a provider whose dependency failed through a link without hooks', async () => {
    const ran: string[] = [];
    @Injectable() class Db { onInit() { throw new Error('db down'); } }
    @Injectable() class Mid { constructor(readonly db: Db) {} }
    @Injectable() class Api { constructor(readonly mid: Mid) {} onInit() { ran.push('api'); } }
    @Module({ providers: [Db, Mid, Api] }) class M {}
    const err = await createApp(M, { logger: false }).then(() => undefined, (e: FleetError) => e);
    expect(err?.message).toContain('Api.onInit() skipped');
    expect(ran).toEqual([]);
  });

  it('shuts down what started when a route fails to compile after onInit', async () => {
    const log: string[] = [];
    @Injectable() class Conn { onShutdown() { log.push('closed'); } }
    @Controller('/r') class Bad { constructor(readonly c: Conn) {} @Get('/:id') get(@Body() _b: unknown, _x: string) { return 1; } }
    @Module({ providers: [Conn], controllers: [Bad] }) class M {}
    const err = await createApp(M, { logger: false }).then(() => undefined, (e: FleetError) => e);
    expect(err?.code).toBe('FLEET_ERR_HTTP_INVALID_ROUTE');
    expect(log).toEqual(['closed']);
  });
});

describe('secret config fields', () => {
  class Cfg extends Config(z.object({
    TOKEN: secret(z.string().min(10)).optional(),
    KEY: secret(z.string().min(10)).default('0123456789abcdef'),
    NAME: z.string().default('svc'),
  })) {}
  @Module({ providers: [Cfg] }) class M {}

  it('hides them through optional() and default() in errors, and keeps them out of JSON and spreads', async () => {
    const err = await createApp(M, { logger: false, env: { TOKEN: 'leaky', KEY: 'short' } }).then(() => undefined, (e: FleetError) => e);
    expect(err?.message).toContain('TOKEN (Cfg)');
    expect(err?.message).toContain('KEY (Cfg)');
    expect(err?.message).not.toContain('leaky');
    expect(err?.message).not.toContain('"short"');
    const app = await createApp(M, { logger: false, env: { TOKEN: 'tok-0123456789' } });
    const cfg = app.get(Cfg);
    expect(cfg.TOKEN).toBe('tok-0123456789');
    expect(JSON.stringify(cfg)).toBe('{"NAME":"svc"}');
    expect({ ...cfg }).toEqual({ NAME: 'svc' });
    await app.close();
  });
});
