import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  Clock, Controller, Get, Injectable, Module, RateLimit, RateLimitedError, RedisModule, ResilienceRegistry, type FleetApp, type FleetError,
} from '@fleet/core';
import { ManualClock, createTestApp, type TestApp } from '@fleet/testing';
import { boot, fleetEnv } from './helpers.js';

@Injectable()
class Quotes {
  @RateLimit('20/minute', { key: 'global' })
  async quote(n: number) { return n; }

  @RateLimit('2/second', { key: (args) => `tenant-${String(args[0])}` })
  async perTenant(tenant: string) { return tenant; }

  @RateLimit('5/minute')
  async byIp() { return 'ip'; }
}

@Module({ imports: [RedisModule], providers: [Quotes] })
class FleetModule {}

/** The largest number of allowed calls in any rolling window of `periodMs` (each window ending at an allowed call). */
function worstWindow(times: number[], periodMs: number): number {
  const sorted = [...times].sort((a, b) => a - b);
  let worst = 0;
  for (let end = 0, start = 0; end < sorted.length; end++) {
    while (sorted[start]! <= sorted[end]! - periodMs) start++;
    worst = Math.max(worst, end - start + 1);
  }
  return worst;
}

describe('@RateLimit (real Redis)', () => {
  const env = fleetEnv();
  const clock = new ManualClock();
  let apps: FleetApp[] = [];

  beforeAll(async () => {
    apps = await Promise.all([0, 1, 2].map(async () => (await boot(FleetModule, { env, clock })).app));
  });
  afterAll(async () => { await Promise.all(apps.map((a) => a.close())); });

  it('holds fleet-wide across three instances, and never exceeds the limit in any rolling window', async () => {
    const allowed: number[] = [];
    let rejected = 0;
    const call = async (instance: number) => {
      try {
        await apps[instance]!.get(Quotes).quote(1);
        allowed.push(clock.monotonic());
      } catch (e) {
        expect(e).toBeInstanceOf(RateLimitedError);
        rejected++;
      }
    };
    // A burst on every instance at once: the fleet allows the limit, not three times it.
    await Promise.all(Array.from({ length: 30 }, (_, i) => call(i % 3)));
    expect(allowed).toHaveLength(20);
    expect(rejected).toBe(10);

    // Then five virtual minutes of random traffic over the three instances (seeded, repeatable).
    let seed = 42;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    for (let step = 0; step < 300; step++) {
      await clock.advance(Math.floor(random() * 2000));
      const n = Math.floor(random() * 4);
      await Promise.all(Array.from({ length: n }, () => call(Math.floor(random() * 3))));
    }
    expect(worstWindow(allowed, 60_000)).toBeLessThanOrEqual(20);
    // ...and the limit is usable, not starved: about 20 per minute over ~5 minutes.
    expect(allowed.length).toBeGreaterThanOrEqual(20 + 4 * 16);
    const stats = apps.map((a) => a.get(ResilienceRegistry).snapshot().rateLimits[0]!);
    expect(stats.reduce((n, s) => n + s.allowed, 0)).toBe(allowed.length);
    expect(stats.every((s) => s.store === 'up' && s.storeErrors === 0)).toBe(true);
  });

  it('tells the caller when to retry: the time until enough of the window slides out', async () => {
    const start = clock.monotonic();
    await clock.advance('2m'); // an empty window
    for (let i = 0; i < 20; i++) await apps[i % 3]!.get(Quotes).quote(i);
    const limited = (await apps[0]!.get(Quotes).quote(0).catch((e: unknown) => e)) as RateLimitedError;
    expect(limited.code).toBe('FLEET_ERR_RESILIENCE_RATE_LIMITED');
    expect(limited.statusCode).toBe(429);
    // The burst sits in one 6 s sub-window; it leaves the counted range one period plus at most one sub-window later.
    expect(limited.retryAfterMs).toBeGreaterThan(60_000);
    expect(limited.retryAfterMs).toBeLessThanOrEqual(66_000);
    expect(limited.headers).toMatchObject({ 'ratelimit-limit': '20', 'ratelimit-remaining': '0' });
    await clock.advance(limited.retryAfterMs);
    await expect(apps[1]!.get(Quotes).quote(1)).resolves.toBe(1);
    expect(clock.monotonic()).toBeGreaterThan(start);
  });

  it('keys by a function of the arguments', async () => {
    await clock.advance('10s');
    const q = apps[0]!.get(Quotes);
    await q.perTenant('a');
    await q.perTenant('a');
    await expect(q.perTenant('a')).rejects.toBeInstanceOf(RateLimitedError);
    await expect(apps[2]!.get(Quotes).perTenant('b')).resolves.toBe('b');
  });

  it("key 'ip' outside a request is a coded error, not a silent global limit", async () => {
    const e = (await apps[0]!.get(Quotes).byIp().catch((x: unknown) => x)) as FleetError;
    expect(e.code).toBe('FLEET_ERR_RESILIENCE_KEY_UNAVAILABLE');
    expect(e.message).toContain("use key: 'global'");
  });
});

@Controller('/quotes')
class QuotesController {
  @Get('/')
  @RateLimit('3/minute', { key: 'ip' })
  async list() { return { quotes: [] }; }
}

@Module({ imports: [RedisModule], controllers: [QuotesController] })
class HttpModule {}

describe('@RateLimit over HTTP', () => {
  let plain: TestApp;
  let proxied: TestApp;
  beforeAll(async () => {
    const clock = new ManualClock();
    const overrides = [{ provide: Clock, useValue: clock }];
    plain = await createTestApp(HttpModule, { env: fleetEnv(), overrides });
    proxied = await createTestApp(HttpModule, { env: fleetEnv(), overrides, trustProxy: 'loopback' });
  });
  afterAll(async () => { await plain?.close(); await proxied?.close(); });

  it('answers 429 with Retry-After and RateLimit-* headers, and the common error body', async () => {
    expect(plain.app.requestContextEnabled).toBe(true); // key 'ip' reads the request
    for (let i = 0; i < 3; i++) await plain.request().get('/quotes').expect(200);
    const res = await plain.request().get('/quotes').expect(429);
    expect(res.body).toEqual({ statusCode: 429, code: 'FLEET_ERR_RESILIENCE_RATE_LIMITED', message: expect.stringContaining('at most 3 calls per 60 s') });
    expect(Number(res.headers['retry-after'])).toBeGreaterThanOrEqual(60);
    expect(res.headers['ratelimit-limit']).toBe('3');
    expect(res.headers['ratelimit-remaining']).toBe('0');
    expect(res.headers['ratelimit-reset']).toBe(res.headers['retry-after']);
  });

  it('ignores a spoofed X-Forwarded-For when trustProxy is off', async () => {
    const res = await plain.request().get('/quotes').set('x-forwarded-for', '203.0.113.9').expect(429);
    expect(res.body.code).toBe('FLEET_ERR_RESILIENCE_RATE_LIMITED');
  });

  it('counts per client address from X-Forwarded-For when trustProxy is on', async () => {
    for (let i = 0; i < 3; i++) await proxied.request().get('/quotes').set('x-forwarded-for', '203.0.113.1').expect(200);
    await proxied.request().get('/quotes').set('x-forwarded-for', '203.0.113.1').expect(429);
    await proxied.request().get('/quotes').set('x-forwarded-for', '203.0.113.2').expect(200);
  });
});

describe('@RateLimit without Redis', () => {
  it('is a boot error with a clear code', async () => {
    @Module({ providers: [Quotes] }) class NoRedis {}
    const e = (await boot(NoRedis).catch((x: unknown) => x)) as FleetError & { errors?: FleetError[] };
    const codes = e.errors?.map((x) => x.code) ?? [e.code];
    expect(codes).toEqual(['FLEET_ERR_RESILIENCE_REDIS_REQUIRED', 'FLEET_ERR_RESILIENCE_REDIS_REQUIRED', 'FLEET_ERR_RESILIENCE_REDIS_REQUIRED']);
    expect(e.message).toContain('@RateLimit on Quotes.quote needs Redis');
    expect(e.message).toContain('import RedisModule');
  });
});
