import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CacheEvict, CacheModule, Cached, Injectable, Module, RedisModule } from '@fleet/core';
import { startFleet, type Instance } from './helpers.js';

const db = { names: new Map<string, string>(), reads: 0 };

@Injectable()
class Accounts {
  @Cached({ ttl: '1h', key: (id: string) => `account:${id}` })
  async find(id: string) {
    db.reads++;
    return { id, name: db.names.get(id) ?? null };
  }

  @CacheEvict({ key: (id: string) => `account:${id}` })
  async rename(id: string, name: string) {
    db.names.set(id, name);
  }
}

@Module({ imports: [RedisModule, CacheModule], providers: [Accounts] })
class AppModule {}

/**
 * Redis really unreachable: every instance talks to Redis (commands and the invalidation bus)
 * through its own TCP proxy, which the test cuts (a stopped server) or stalls (a partition). The
 * shared Redis itself is never stopped or paused. A 100 ms heartbeat makes the bus lease 300 ms.
 */
describe('the cache with Redis unreachable (three instances behind fault proxies)', () => {
  let apps: Instance[];
  let close: () => Promise<void>;
  const accounts = (i: number) => apps[i]!.get(Accounts);
  const proxy = (i: number) => apps[i]!.faults.proxy('redis');
  const heal = async (indexes: number[]) => {
    for (const i of indexes) { proxy(i).cut(); proxy(i).restore(); } // drop connections that saw a stall
    await expect.poll(() => indexes.every((i) => apps[i]!.cache.snapshot().bus === 'up'), { timeout: 15_000, interval: 50 }).toBe(true);
    // L2 is retried once its breaker period is over: poll with reads until it answers again.
    await expect.poll(async () => {
      for (const i of indexes) await accounts(i).find('probe');
      return indexes.every((i) => apps[i]!.cache.snapshot().l2 === 'up');
    }, { timeout: 15_000, interval: 100 }).toBe(true);
  };

  beforeAll(async () => {
    // The client's own command timeout is far longer than the cache's: a stalled read must give up after the cache's.
    ({ apps, close } = await startFleet(AppModule, 3, { proxied: [0, 1, 2], env: { CACHE_BUS_HEARTBEAT_MS: '100', CACHE_L2_TIMEOUT_MS: '250', REDIS_COMMAND_TIMEOUT_MS: '5000' } }));
  });
  afterAll(async () => {
    for (let i = 0; i < (apps?.length ?? 0); i++) proxy(i).restore();
    await close?.();
  });
  beforeEach(() => { db.reads = 0; });

  it('Redis stopped: every call answers from the source, nothing throws, the outage is logged once and counted, L2 is skipped', async () => {
    db.names.set('a', 'v1');
    for (let i = 0; i < 3; i++) await expect(accounts(i).find('a')).resolves.toEqual({ id: 'a', name: 'v1' });
    for (let i = 0; i < 3; i++) proxy(i).cut();
    await expect.poll(() => apps.every((a) => a.cache.snapshot().bus === 'down')).toBe(true);

    db.names.set('a', 'v2');
    await expect(accounts(0).rename('a', 'v2')).resolves.toBeUndefined(); // the eviction could not reach Redis: kept for later
    expect(apps[0]!.cache.snapshot().pendingInvalidations).toBe(1);
    db.reads = 0;
    for (let round = 0; round < 10; round++) {
      for (let i = 0; i < 3; i++) await expect(accounts(i).find('a')).resolves.toEqual({ id: 'a', name: 'v2' });
    }
    expect(db.reads).toBe(30); // no L1 without the bus, no L2 without Redis: the source answers every call
    for (const app of apps) {
      const s = app.cache.snapshot();
      expect(s).toMatchObject({ status: 'degraded', l2: 'down', bus: 'down' });
      expect(s.l2Errors).toBeGreaterThan(0);
      expect(s.l2Errors).toBeLessThan(10);  // skipped while down, not tried on each of the 10 calls
      expect(app.log.count('cache: Redis (L2) unreachable')).toBe(1);
      expect(app.log.count('cache: invalidation bus lost')).toBe(1);
    }

    await heal([0, 1, 2]);
    await expect.poll(() => apps[0]!.cache.snapshot().pendingInvalidations, { timeout: 10_000 }).toBe(0); // sent once Redis is back
    for (let i = 0; i < 3; i++) await expect(accounts(i).find('a')).resolves.toEqual({ id: 'a', name: 'v2' });
    expect(apps[0]!.log.messages()).toContain('cache: Redis (L2) reachable again');
  });

  it('Redis stalled (a partition): a call waits for the L2 timeout once, then L2 is skipped instead of paying it on every call', async () => {
    db.names.set('b', 'v1');
    proxy(2).stall();
    await expect.poll(() => apps[2]!.cache.snapshot().bus, { timeout: 10_000 }).toBe('down'); // the silent bus stops L1 within a lease
    const errorsBefore = apps[2]!.cache.snapshot().l2Errors;
    const started = performance.now();
    await expect(accounts(2).find('b')).resolves.toEqual({ id: 'b', name: 'v1' });
    const waited = performance.now() - started;
    expect(waited).toBeGreaterThanOrEqual(200);   // CACHE_L2_TIMEOUT_MS (250), not REDIS_COMMAND_TIMEOUT_MS (5000)
    expect(waited).toBeLessThan(2000);
    const quick = performance.now();
    for (let i = 0; i < 9; i++) await expect(accounts(2).find('b')).resolves.toEqual({ id: 'b', name: 'v1' });
    expect(performance.now() - quick).toBeLessThan(200);   // L2 skipped: no wait per call
    expect(apps[2]!.cache.snapshot().l2Errors - errorsBefore).toBe(1);
    expect(apps[2]!.log.lines.some((l) => String((l.err as { message?: string } | undefined)?.message).includes('did not answer the cache within 250 ms'))).toBe(true);
    expect(db.reads).toBe(10);
    await heal([2]);
  });

  it('an instance whose bus went silent stops using L1 before the write returns, and clears L1 when the bus reconnects', async () => {
    db.names.set('c', 'v1');
    for (let i = 0; i < 3; i++) await accounts(i).find('c');
    await accounts(1).find('c');
    expect(apps[1]!.stats('Accounts.find').l1Hits).toBeGreaterThan(0);
    const resetsBefore = apps[1]!.cache.snapshot().l1Resets;

    proxy(1).stall();                                    // instance 1 can no longer hear invalidations
    await accounts(0).rename('c', 'v2');                 // waits for acknowledgements, at most one lease
    expect(apps[0]!.cache.snapshot().ackTimeouts).toBeGreaterThan(0);
    await expect(accounts(1).find('c')).resolves.toEqual({ id: 'c', name: 'v2' }); // not its old L1 entry
    await expect(accounts(2).find('c')).resolves.toEqual({ id: 'c', name: 'v2' });

    await heal([1]);
    expect(apps[1]!.cache.snapshot().l1Resets).toBeGreaterThan(resetsBefore);
    expect(apps[1]!.log.messages()).toContain('cache: invalidation bus reconnected: L1 cleared (messages may have been missed) and in use again');
    await expect(accounts(1).find('c')).resolves.toEqual({ id: 'c', name: 'v2' });
    const hits = apps[1]!.stats('Accounts.find').l1Hits;
    await expect.poll(async () => { await accounts(1).find('c'); return apps[1]!.stats('Accounts.find').l1Hits; }).toBeGreaterThan(hits); // L1 in use again
  });
});
