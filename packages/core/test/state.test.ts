import { Writable } from 'node:stream';
import { LRUCache } from 'lru-cache';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  AllowState, Config, Controller, Get, Injectable, Logger, Module, Post, createApp, type FleetError, type GuardReport,
} from '@fleet/core';
import { createTestApp } from '@fleet/testing';

function capture() {
  const lines: Array<Record<string, unknown>> = [];
  const stream = new Writable({ write(chunk, _e, cb) { lines.push(JSON.parse(String(chunk))); cb(); } });
  return { lines, logger: { level: 'info', stream } };
}

async function bootError(module: unknown, options = {}): Promise<FleetError & { report?: GuardReport }> {
  return createApp(module, { logger: false, ...options }).then(async (a) => { await a.close(); throw new Error('booted'); }, (e) => e);
}

describe('the statelessness guard refuses in-memory state at boot', () => {
  it('lists every violation at once with module, class, field, what was found and the fix', async () => {
    @Injectable() class SessionStore { readonly sessions = new Map<string, unknown>(); }
    @Injectable() class Dedup { readonly seen = new Set<string>(); readonly byObj = new WeakMap<object, number>(); }
    @Injectable() class Recent { readonly items: string[] = []; readonly counters = { hits: 0 }; }
    @Injectable() class Prices { readonly priceCache = new LRUCache<string, number>({ max: 100 }); }
    class Registry { readonly entries = new Map<string, string>(); }
    @Injectable() class Nested { readonly registry = new Registry(); }
    @Module({ providers: [SessionStore, Dedup, Recent, Prices, Nested, { provide: 'locks', useValue: new Map() }] }) class ShopModule {}
    @Module({ imports: [ShopModule] }) class AppModule {}

    const err = await bootError(AppModule);
    expect(err.code).toBe('FLEET_ERR_STATE_IN_MEMORY');
    const found = err.report!.violations.map((v) => `${v.module} ${v.className}.${v.field} ${v.kind}`);
    expect(found).toEqual(expect.arrayContaining([
      'ShopModule SessionStore.sessions Map',
      'ShopModule Dedup.seen Set',
      'ShopModule Dedup.byObj WeakMap',
      'ShopModule Recent.items array',
      'ShopModule Recent.counters object',
      'ShopModule Prices.priceCache cache',
      'ShopModule Nested.registry.entries Map',
      'ShopModule "locks".(provided value) Map',
    ]));
    expect(found).toHaveLength(8);
    expect(err.message).toContain('ShopModule > SessionStore.sessions: a Map (0 entries).\n    Fix: sessions belong in Redis: inject Sessions.');
    expect(err.message).toContain('Prices.priceCache: an in-process cache (LRUCache).\n    Fix: cache with @Cached');
    expect(err.message).toContain('"locks".(provided value): a Map (0 entries).\n    Fix: locks must hold across instances: inject Locks (Redis).');
  });

  it('finds setInterval and repeating setTimeout created while a provider is built or initialised, with the line', async () => {
    @Injectable() class Poller { readonly handle = setInterval(() => undefined, 60_000); onShutdown() { clearInterval(this.handle); } }
    @Injectable() class Ticker {
      onInit() { const tick = () => { setTimeout(tick, 60_000).unref(); }; tick(); }
    }
    @Injectable() class WarmOnce { async onInit() { await new Promise((r) => setTimeout(r, 1)); } }
    @Module({ providers: [Poller, Ticker, WarmOnce] }) class AppModule {}
    const err = await bootError(AppModule);
    expect(err.code).toBe('FLEET_ERR_STATE_IN_MEMORY');
    const timers = err.report!.violations.filter((v) => v.kind === 'timer');
    expect(timers.map((t) => t.className).sort()).toEqual(['Poller', 'Ticker']);
    expect(timers.find((t) => t.className === 'Poller')!.field).toMatch(/^setInterval at .*state\.test\.ts:\d+$/);
    expect(err.message).toContain('Fix: in-process schedulers run on every instance: use @Scheduled');
  });

  it('does not count injected providers, frozen config, frozen constants, primitives, functions or resources as state', async () => {
    class AppConfig extends Config(z.object({ NAME: z.string().default('x') })) {}
    @Injectable() class Dep {}
    @Injectable()
    class Clean {
      readonly limits = Object.freeze({ max: 10 });
      readonly codes = Object.freeze(['a', 'b']);
      readonly startedAt = new Date();
      readonly label = 'clean';
      readonly format = (n: number) => n.toFixed(2);
      readonly ready = Promise.resolve(true);
      constructor(readonly dep: Dep, readonly config: AppConfig, readonly log: Logger) {}
    }
    @Module({ providers: [Dep, Clean, AppConfig, { provide: 'options', useValue: { prefix: 'p' } }] }) class AppModule {}
    const app = await createApp(AppModule, { logger: false, env: {} });
    expect(app.get(Clean).label).toBe('clean');
    await app.close();
  });

  it('shuts down what started when it refuses to boot', async () => {
    const log: string[] = [];
    @Injectable() class Conn { onShutdown() { log.push('closed'); } }
    @Injectable() class Bad { readonly cache = new Map(); constructor(readonly c: Conn) {} }
    @Module({ providers: [Conn, Bad] }) class AppModule {}
    expect((await bootError(AppModule)).code).toBe('FLEET_ERR_STATE_IN_MEMORY');
    expect(log).toEqual(['closed']);
  });
});

describe('@AllowState', () => {
  it('lets a field or a class keep state, reports each opt-out at boot, and leaves the field writable', async () => {
    @Injectable() class Metrics {
      @AllowState('per-instance gauge, scraped per pod') inFlight = 0;
      @AllowState('per-instance histogram, exported to Prometheus per pod') readonly buckets = new Map<number, number>();
      bump() { this.inFlight += 1; return this.inFlight; }
    }
    @AllowState('legacy adapter, scheduled for removal')
    @Injectable() class Legacy { readonly table = new Map(); }
    @Module({ providers: [Metrics, Legacy] }) class AppModule {}
    const { lines, logger } = capture();
    const app = await createApp(AppModule, { logger });
    expect(app.get(Metrics).bump()).toBe(1);
    expect(app.get(Metrics).bump()).toBe(2);
    const optOuts = lines.filter((l) => String(l.msg).startsWith('state allowed by @AllowState'));
    expect(optOuts.map((l) => [l.class, l.field ?? null, l.reason])).toEqual(expect.arrayContaining([
      ['Metrics', 'inFlight', 'per-instance gauge, scraped per pod'],
      ['Metrics', 'buckets', 'per-instance histogram, exported to Prometheus per pod'],
      ['Legacy', null, 'legacy adapter, scheduled for removal'],
    ]));
    await app.close();
  });

  it('requires a reason', () => {
    expect(() => AllowState('')).toThrow(/needs a reason/);
  });

  it("boots with stateGuard: 'warn' and logs what it found", async () => {
    @Injectable() class Bad { readonly sessions = new Map(); }
    @Module({ providers: [Bad] }) class AppModule {}
    const { lines, logger } = capture();
    const app = await createApp(AppModule, { logger, stateGuard: 'warn' });
    expect(lines.some((l) => l.level === 50 && String(l.msg).includes('Bad.sessions'))).toBe(true);
    await app.close();
  });
});

describe('singletons are frozen after boot', () => {
  @Injectable() class Visits {
    lastPath = '';
    record(path: string) { this.lastPath = path; return this.lastPath; }
    addField() { (this as unknown as Record<string, number>).counter = 1; }
  }
  @Controller('/v') class VisitsController {
    constructor(private readonly visits: Visits) {}
    @Post('/record') record() { return { last: this.visits.record('/x') }; }
    @Post('/add') add() { this.visits.addField(); return {}; }
    @Get('/ok') ok() { return { ok: true }; }
  }
  @Module({ providers: [Visits], controllers: [VisitsController] }) class AppModule {}

  it('fails an assignment during a request with a stable code naming the class and field', async () => {
    const t = await createTestApp(AppModule, { production: false });
    try {
      await t.request().get('/v/ok').expect(200);
      const res = await t.request().post('/v/record').expect(500);
      expect(res.body.code).toBe('FLEET_ERR_STATE_FIELD_ASSIGNED');
      expect(res.body.message).toContain('Visits.lastPath was assigned after boot');
      const added = await t.request().post('/v/add').expect(500);
      expect(added.body.code).toBe('FLEET_ERR_STATE_FIELD_ASSIGNED');
      expect(added.body.message).toContain('Visits.counter was assigned after boot');
      expect(() => t.get(Visits).record('/y')).toThrow(expect.objectContaining({ code: 'FLEET_ERR_STATE_FIELD_ASSIGNED' }));
    } finally {
      await t.close();
    }
  });
});
