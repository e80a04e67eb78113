import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CacheModule, Cached, Injectable, Module, RedisModule } from '@fleet/core';
import { deferred, startFleet, type Instance } from './helpers.js';

const source = { calls: 0, version: 1, impl: (): Promise<void> | void => undefined };

async function read(name: string) {
  source.calls++;
  await source.impl();
  return { name, version: source.version };
}

@Injectable()
class Catalog {
  @Cached({ ttl: '10s', l1: { ttl: '4s' } })
  async item(name: string) { return read(name); }

  @Cached({ ttl: '10s', staleWhileRevalidate: '1m' })
  async graced(name: string) { return read(name); }
}

@Module({ imports: [RedisModule, CacheModule], providers: [Catalog] })
class AppModule {}

/** Time moves only with the ManualClock shared by the fleet: no sleeping for TTLs. */
describe('TTL boundaries and stale-while-revalidate on a controllable clock', () => {
  let apps: Instance[];
  let close: () => Promise<void>;
  let advance: (by: string | number) => Promise<void>;
  const catalog = (i: number) => apps[i]!.get(Catalog);
  const stats = (i: number, name = 'Catalog.item') => apps[i]!.stats(name);

  beforeAll(async () => {
    const fleet = await startFleet(AppModule, 2);
    ({ apps, close } = fleet);
    advance = (by) => fleet.clock.advance(by as never);
  });
  afterAll(async () => { await close?.(); });

  it('L1 serves until its own ttl, L2 until the entry ttl; an L1 entry never outlives its L2 entry', async () => {
    source.calls = 0;
    await catalog(0).item('a');                                   // t=0: filled, fresh until t=10s, L1 until t=4s
    await advance(3999);
    await catalog(0).item('a');
    expect(stats(0)).toMatchObject({ sourceCalls: 1, l1Hits: 1, l2Hits: 0 });
    await advance(1);                                             // t=4s: L1 life over, L2 still fresh
    await catalog(0).item('a');
    expect(stats(0)).toMatchObject({ sourceCalls: 1, l1Hits: 1, l2Hits: 1 });

    await advance(5000);                                          // t=9s: the other instance reads L2, its L1 entry is capped at t=10s, not t=13s
    await catalog(1).item('a');
    expect(stats(1)).toMatchObject({ l2Hits: 1, sourceCalls: 0 });
    await advance(999);                                           // t=9.999s: still fresh, from L1
    await catalog(1).item('a');
    expect(stats(1)).toMatchObject({ l1Hits: 1, l2Hits: 1, sourceCalls: 0 });
    await advance(1);                                             // t=10s: expired everywhere
    await catalog(1).item('a');
    expect(stats(1)).toMatchObject({ l1Hits: 1, l2Hits: 1, sourceCalls: 1 });
    expect(source.calls).toBe(2);
  });

  it('within the grace period a stale value is served at once while one background call refreshes it', async () => {
    source.calls = 0;
    source.version = 1;
    await expect(catalog(0).graced('b')).resolves.toEqual({ name: 'b', version: 1 });
    await advance('11s');                                         // stale (ttl 10 s), within the grace period
    const slow = deferred<void>();
    source.impl = () => slow.promise;
    source.version = 2;
    for (let i = 0; i < 5; i++) await expect(catalog(i % 2).graced('b')).resolves.toEqual({ name: 'b', version: 1 });
    expect(source.calls).toBe(3);                                  // the fill, then one refresh per instance (not one per call)
    slow.resolve();
    source.impl = () => undefined;
    await expect.poll(async () => (await catalog(0).graced('b')).version).toBe(2);
    expect(stats(0, 'Catalog.graced').staleServed).toBeGreaterThan(0);
  });

  it('a failing source keeps serving the stale value until the grace period ends, then the error reaches the caller', async () => {
    source.calls = 0;
    source.version = 3;
    source.impl = () => undefined;
    await expect(catalog(0).graced('c')).resolves.toEqual({ name: 'c', version: 3 });
    source.impl = () => Promise.reject(new Error('catalog is down'));
    await advance('30s');
    for (let i = 0; i < 3; i++) await expect(catalog(i % 2).graced('c')).resolves.toEqual({ name: 'c', version: 3 });
    await expect.poll(() => stats(0, 'Catalog.graced').refreshFailures + stats(1, 'Catalog.graced').refreshFailures).toBeGreaterThan(0);
    expect(apps.some((a) => a.log.count('cache: refreshing a stale value of Catalog.graced failed') > 0)).toBe(true);
    await advance('39999ms');                                     // t = ttl + grace - 1 ms
    await expect(catalog(1).graced('c')).resolves.toEqual({ name: 'c', version: 3 });
    await advance(1);                                             // the grace period is over
    await expect(catalog(0).graced('c')).rejects.toThrow('catalog is down');
    await expect(catalog(1).graced('c')).rejects.toThrow('catalog is down');
    source.impl = () => undefined;
  });
});
