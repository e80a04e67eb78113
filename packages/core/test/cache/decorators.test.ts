import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  Cache, CacheEvict, CacheModule, CachePut, Cached, Controller, Get, Injectable, Module, Param, RateLimit, RedisModule, Retry, Timeout,
  createApp, describePipeline, type FleetError,
} from '@fleet/core';
import { createTestApp, deleteKeys, type TestApp } from '@fleet/testing';
import { z } from 'zod';

const env = () => ({ ...process.env, REDIS_KEY_PREFIX: `test:${randomUUID()}:`, FLEET_APP: 'cachedeco' });

describe('cache decorators at boot', () => {
  it('reports every invalid option at once, naming the decorator, method and field', async () => {
    @Injectable()
    class Broken {
      @Cached({} as never) async noTtl() { return 1; }
      @Cached({ ttl: '10s', l1: { ttl: '1m' } }) async longL1() { return 1; }
      @Cached({ ttl: 'soon' as never }) async badTtl() { return 1; }
      @CacheEvict({}) async nothing() {}
      @Cached('1m') @CacheEvict({ key: 'k' }) async both() { return 1; }
      @CachePut({ ttl: '1m' } as never) async noKey() { return 1; }
    }
    @Module({ imports: [RedisModule, CacheModule], providers: [Broken] }) class M {}
    const e = (await createApp(M, { logger: false, env: env() }).catch((x: unknown) => x)) as FleetError & { errors: FleetError[] };
    expect(e.code).toBe('FLEET_ERR_BOOT_FAILED');
    expect(e.errors.map((x) => x.code)).toEqual(Array(6).fill('FLEET_ERR_CACHE_INVALID_OPTIONS'));
    expect(e.message).toContain("@Cached on Broken.noTtl: ttl is required (how long a value stays fresh), e.g. { ttl: '30s' }.");
    expect(e.message).toContain('@Cached on Broken.longL1: l1.ttl (60000 ms) is longer than the entry lives (ttl 10000 ms + staleWhileRevalidate 0 ms): an L1 entry never outlives its L2 entry.');
    expect(e.message).toContain('@Cached on Broken.badTtl: ttl: "soon" is not a duration');
    expect(e.message).toContain('@CacheEvict on Broken.nothing: give the entries to invalidate');
    expect(e.message).toContain('Broken.both: a method either reads through the cache (@Cached) or writes to it');
    expect(e.message).toContain('@CachePut on Broken.noKey: key is required');
  });

  it('without CacheModule, a cache decorator is a boot error that says what to import', async () => {
    @Injectable() class Users { @Cached('1m') async find(id: number) { return { id }; } }
    @Module({ imports: [RedisModule], providers: [Users] }) class M {}
    const e = (await createApp(M, { logger: false, env: env() }).catch((x: unknown) => x)) as FleetError;
    expect(e.code).toBe('FLEET_ERR_CACHE_MODULE_REQUIRED');
    expect(e.message).toBe('Users.find has cache decorators, but CacheModule is not imported. Fix: import CacheModule (and RedisModule) in the root module.');
  });
});

const calls = { report: 0, clock: 0 };

@Injectable()
class Reports {
  @Cached('1m')
  async byFilter(filter: { from: string; to: string; tags?: string[] }, page = 1) { calls.report++; return { filter, page }; }

  @Cached('1m')
  async now() { calls.clock++; return { at: new Date(0) }; }

  @Cached({ ttl: '1m', key: () => 42 as never })
  async badKey() { return 1; }

  @Cached('1m')
  async withCallback(fn: () => void) { return typeof fn; }

  @RateLimit('1000/second', { key: 'global' })
  @Retry({ maxAttempts: 2, base: '1ms' })
  @Timeout('5s')
  @Cached('1m')
  async composed(id: number) { return { id }; }
}

@Controller('/reports')
class ReportsController {
  constructor(private readonly reports: Reports) {}
  @Get('/:id') async get(@Param('id', z.coerce.number()) id: number) { return this.reports.composed(id); }
}

@Module({ imports: [RedisModule, CacheModule], providers: [Reports], controllers: [ReportsController] })
class AppModule {}

describe('cache decorators at run time', () => {
  let t: TestApp;
  let prefix: string;

  beforeAll(async () => {
    const e = env();
    prefix = e.REDIS_KEY_PREFIX;
    t = await createTestApp(AppModule, { env: e, spans: true });
  });
  afterAll(async () => {
    await t?.close();
    await deleteKeys('redis://127.0.0.1:6379', prefix);
  });

  it('keys default to class, method and a stable encoding of the arguments (object key order does not matter)', async () => {
    const reports = t.get(Reports);
    calls.report = 0;
    await reports.byFilter({ from: 'a', to: 'b' });
    await reports.byFilter({ to: 'b', from: 'a' }, undefined); // same filter; a trailing undefined is no argument
    await reports.byFilter({ to: 'b', from: 'a', tags: undefined });
    expect(calls.report).toBe(1);
    await reports.byFilter({ from: 'a', to: 'b' }, 2);
    await reports.byFilter({ from: 'a', to: 'c' });
    expect(calls.report).toBe(3);
  });

  it('a value that is not JSON data fails on the first call, naming the method and the path, and is not cached', async () => {
    const reports = t.get(Reports);
    calls.clock = 0;
    const e = (await reports.now().catch((x: unknown) => x)) as FleetError;
    expect(e.code).toBe('FLEET_ERR_CACHE_NOT_SERIALIZABLE');
    expect(e.message).toContain('Reports.now returned a value the cache cannot store without changing it: result.at is a Date (JSON turns it into a string). Nothing was cached.');
    await reports.now().catch(() => undefined);
    expect(calls.clock).toBe(2);
  });

  it('a key that cannot be made is a coded error naming the method', async () => {
    const reports = t.get(Reports);
    await expect(reports.badKey()).rejects.toMatchObject({ code: 'FLEET_ERR_CACHE_KEY_INVALID', message: 'The key function of @Cached on Reports.badKey returned 42; it must return a non-empty string.' });
    await expect(reports.withCallback(() => undefined)).rejects.toMatchObject({ code: 'FLEET_ERR_CACHE_KEY_INVALID' });
    expect(((await reports.withCallback(() => undefined).catch((x: unknown) => x)) as Error).message).toContain('@Cached on Reports.withCallback: argument #0 is a function');
  });

  it('@Cached takes its fixed place in the pipeline whatever the decorator order, and the state guard accepts the framework-owned L1', async () => {
    expect(describePipeline(t.get(Reports), 'composed')).toEqual(['RateLimit', 'Cached', 'Retry', 'Timeout', 'method']);
    expect(t.get(Cache).snapshot().caches.map((c) => c.name)).toEqual(expect.arrayContaining(['Cache', 'Reports.byFilter', 'Reports.composed']));
  });

  it('sets span attributes on the span of the decorated method (child of the request span): which level answered', async () => {
    t.spans!.reset();
    await t.request().get('/reports/7').expect(200, { id: 7 });
    await t.request().get('/reports/7').expect(200, { id: 7 });
    const spans = t.spans!.find('Reports.composed');
    expect(spans.map((s) => s.attributes['fleet.cache.result'])).toEqual(['miss', 'l1']);
    expect(spans[0]!.attributes['fleet.cache.name']).toBe('Reports.composed');
    const requests = t.spans!.find('GET /reports/:id');
    expect(spans.map((s) => s.parentSpanContext?.spanId)).toEqual(requests.map((r) => r.spanContext().spanId));
  });
});
