import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  Body, Clock, Controller, Database, DatabaseModule, Get, Injectable, Module, NotFoundError, Param, Put, RedisConnection, RedisModule,
  Retry, sql, type DynamicModule,
} from '@fleet/core';
import { ManualClock, createTestApp, createTestFleet } from '@fleet/testing';

const migrations = fileURLToPath(new URL('./fixtures/migrations/', import.meta.url));
const env = { DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/test', DATABASE_REPLICA_URLS: 'postgres://postgres@127.0.0.1:5433/test', DATABASE_PROBE_INTERVAL_MS: '200' };

@Injectable()
class Notes {
  constructor(private readonly db: Database, private readonly redis: RedisConnection) {}
  async put(id: number, body: string) {
    await this.db.write.query(sql`insert into notes (id, body) values (${id}, ${body}) on conflict (id) do update set body = excluded.body`);
    await this.redis.client.set(this.redis.key('note', id), body);
  }
  async get(id: number) {
    const row = await this.db.primary().maybeOne(sql`select body from notes where id = ${id}`);
    return { db: (row?.body as string | undefined) ?? null, cache: await this.redis.client.get(this.redis.key('note', id)) };
  }
}

@Controller('/notes')
class NotesController {
  constructor(private readonly notes: Notes) {}
  @Put('/:id') async put(@Param('id', z.coerce.number().int()) id: number, @Body(z.object({ body: z.string() })) b: { body: string }) { await this.notes.put(id, b.body); return { ok: true }; }
  @Get('/:id') async get(@Param('id', z.coerce.number().int()) id: number) { return this.notes.get(id); }
}

@Module({ imports: [RedisModule, DatabaseModule.forRoot({ migrateOnBoot: { dir: migrations } })], providers: [Notes], controllers: [NotesController] })
class NotesApp {}

async function schemaExists(schema: string): Promise<boolean> {
  const c = new pg.Client({ connectionString: env.DATABASE_URL });
  await c.connect();
  try { return (await c.query('select 1 from pg_namespace where nspname = $1', [schema])).rowCount === 1; } finally { await c.end(); }
}

async function keysUnder(prefix: string): Promise<number> {
  const r = new Redis('redis://127.0.0.1:6379');
  try { return (await r.keys(`${prefix}*`)).length; } finally { r.disconnect(); }
}

@Injectable() class Payments { async charge(cents: number) { return `charged ${cents}`; } }
@Module({}) class PayModule { static forRoot(): DynamicModule { return { module: PayModule, providers: [Payments], exports: [Payments] }; } }
@Injectable() class Checkout {
  constructor(readonly payments: Payments) {}
  @Retry({ maxAttempts: 3, base: 1, cap: 1, jitter: 'none' }) async pay(cents: number) { return this.payments.charge(cents); }
}
@Controller('/pay') class PayController {
  constructor(private readonly checkout: Checkout) {}
  @Get('/:cents') pay(@Param('cents', z.coerce.number().int()) cents: number) { return this.checkout.pay(cents).then((r) => ({ r }), () => { throw new NotFoundError('payment failed'); }); }
}
@Module({ imports: [PayModule.forRoot()], providers: [Checkout], controllers: [PayController] }) class PayApp {}

describe('isolation', () => {
  it('gives two apps running in parallel their own keys and tables, and close() removes both', async () => {
    const [a, b] = await Promise.all([createTestApp(NotesApp, { env }), createTestApp(NotesApp, { env })]);
    const iso = [a.isolation, b.isolation];
    try {
      expect(a.isolation.schema).toMatch(/^fleet_test_/);
      expect(a.isolation.schema).not.toBe(b.isolation.schema);
      expect(a.isolation.keyPrefix).not.toBe(b.isolation.keyPrefix);
      await a.request().put('/notes/1').send({ body: 'from a' }).expect(200);
      await b.request().put('/notes/1').send({ body: 'from b' }).expect(200);
      expect((await a.request().get('/notes/1').expect(200)).body).toEqual({ db: 'from a', cache: 'from a' });
      expect((await b.request().get('/notes/1').expect(200)).body).toEqual({ db: 'from b', cache: 'from b' });
      expect(await keysUnder(a.isolation.keyPrefix!)).toBeGreaterThan(0);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
    for (const i of iso) {
      expect(await schemaExists(i.schema!)).toBe(false);
      expect(await keysUnder(i.keyPrefix!)).toBe(0);
    }
  });

  it('lets a fleet of instances share one isolation until the last one closes', async () => {
    const [a, b, c] = await createTestFleet(NotesApp, 3, { env });
    const schema = a.isolation.schema!;
    try {
      expect(new Set([a, b, c].map((x) => x.isolation.schema))).toEqual(new Set([schema]));
      await a.request().put('/notes/2').send({ body: 'shared' }).expect(200);
      expect((await c.request().get('/notes/2').expect(200)).body).toEqual({ db: 'shared', cache: 'shared' });
      await a.close();
      expect(await schemaExists(schema)).toBe(true);
    } finally {
      await Promise.all([b.close(), c.close()]);
    }
    expect(await schemaExists(schema)).toBe(false);
  });
});

describe('overrides, clock and faults', () => {
  it('overrides a provider inside a dynamic module, and gives the app a manual clock', async () => {
    const t = await createTestApp(PayApp, { clock: 'manual', overrides: [{ provide: Payments, useValue: { charge: async (c: number) => `fake ${c}` } }] });
    try {
      expect((await t.request().get('/pay/5').expect(200)).body).toEqual({ r: 'fake 5' });
      expect(t.get(Clock)).toBe(t.clock);
      expect(t.clock).toBeInstanceOf(ManualClock);
      const before = t.clock!.now();
      await t.clock!.advance('30s');
      expect(t.clock!.now() - before).toBe(30_000);
    } finally {
      await t.close();
    }
  });

  it('makes a provider method fail for the next N calls, seen by @Retry like a real failure', async () => {
    const t = await createTestApp(PayApp);
    try {
      t.faults.fail(Payments, 'charge', { times: 2, error: new Error('card network down') });
      expect((await t.request().get('/pay/7').expect(200)).body).toEqual({ r: 'charged 7' });
      t.faults.fail(Payments, 'charge', { times: 3 });
      await t.request().get('/pay/8').expect(404);
      expect((await t.request().get('/pay/9').expect(200)).body).toEqual({ r: 'charged 9' });
      t.faults.slow(Payments, 'charge', 50);
      expect(await t.get(Payments).charge(1)).toBe('charged 1');
      t.faults.hang(Payments, 'charge');
      const outcome = await Promise.race([t.get(Payments).charge(2), new Promise((r) => setTimeout(() => r('still pending'), 200))]);
      expect(outcome).toBe('still pending');
      expect(() => t.faults.fail(Payments, 'nope')).toThrow(/not a method/);
      t.faults.fail(Payments, 'charge', { times: 5 });
      t.faults.clear();
      expect(await t.get(Payments).charge(3)).toBe('charged 3');
    } finally {
      await t.close();
    }
  });
});

describe('network faults through the proxies', () => {
  it('cuts Redis and the primary, delays Redis, and heals them', async () => {
    const t = await createTestApp(NotesApp, { env, faultProxies: true });
    try {
      await t.request().put('/notes/3').send({ body: 'x' }).expect(200);
      t.faults.cut('redis');
      expect((await t.request().get('/health/ready')).status).toBe(503);
      t.faults.restore('redis');
      await expect.poll(async () => (await t.request().get('/health/ready')).status, { timeout: 15_000, interval: 200 }).toBe(200);
      t.faults.delay('redis', 150);
      const started = performance.now();
      await t.get(RedisConnection).client.ping();
      expect(performance.now() - started).toBeGreaterThanOrEqual(140);
      t.faults.restore('redis');
      t.faults.cut('postgres-primary');
      const res = await t.request().put('/notes/4').send({ body: 'y' });
      expect(res.status).toBe(503);
      expect(res.body.code).toBe('FLEET_ERR_DB_PRIMARY_UNAVAILABLE');
      t.faults.restore('postgres-primary');
      await expect.poll(async () => (await t.request().put('/notes/4').send({ body: 'y' })).status, { timeout: 20_000, interval: 250 }).toBe(200);
    } finally {
      await t.close();
    }
  });
});

describe('spans', () => {
  it('records the request span and its children in memory', async () => {
    const t = await createTestApp(PayApp, { spans: true });
    try {
      t.spans!.reset();
      await t.request().get('/pay/3').expect(200);
      const server = t.spans!.one('GET /pay/:cents');
      expect(server.attributes['http.response.status_code']).toBe(200);
      expect(t.spans!.all().length).toBeGreaterThanOrEqual(1);
    } finally {
      await t.close();
    }
  });
});

describe('vitest preset', () => {
  it('runs files in forks with timeouts sized for real services, and takes overrides', async () => {
    const { fleetVitestConfig } = await import('@fleet/testing');
    expect(fleetVitestConfig().test).toMatchObject({ pool: 'forks', testTimeout: 30_000, hookTimeout: 60_000, include: ['src/**/*.test.ts', 'test/**/*.test.ts'] });
    expect(fleetVitestConfig({ include: ['e2e/**/*.test.ts'], testTimeout: 5000 }).test).toMatchObject({ include: ['e2e/**/*.test.ts'], testTimeout: 5000 });
  });
});
