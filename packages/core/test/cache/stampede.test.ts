import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CacheEvict, CacheModule, Cached, Injectable, Module, RedisModule } from '@fleet/core';
import { deferred, startFleet, type Instance } from './helpers.js';

const source = { calls: 0, gate: deferred<void>(), fail: false, cents: 1999 };

/** Reads the price at once (as a query would), answers when the test opens the gate. */
async function slowSource(sku: string) {
  source.calls++;
  const cents = source.cents;
  await source.gate.promise;
  if (source.fail) throw new Error('the price service is down');
  return { sku, cents };
}

@Injectable()
class Prices {
  @Cached({ ttl: '1m' })
  async perInstance(sku: string) { return slowSource(sku); }

  @Cached({ ttl: '1m', lock: { ttl: '1h' } }) // a lock left behind would make every later miss wait (until the test times out)
  async fleetWide(sku: string) { return slowSource(sku); }

  @Cached({ ttl: '1m', key: (sku: string) => `price:${sku}` })
  async price(sku: string) { return slowSource(sku); }

  @CacheEvict({ key: (sku: string) => `price:${sku}` })
  async reprice(sku: string, cents: number) { source.cents = cents; }
}

@Module({ imports: [RedisModule, CacheModule], providers: [Prices] })
class AppModule {}

const CALLS = 10_000;

describe('stampede protection (three instances, real Redis)', () => {
  let apps: Instance[];
  let close: () => Promise<void>;
  const prices = (i: number) => apps[i]!.get(Prices);
  const reset = () => { source.calls = 0; source.gate = deferred<void>(); source.fail = false; source.cents = 1999; };

  beforeAll(async () => {
    ({ apps, close } = await startFleet(AppModule, 3));
  });
  afterAll(async () => { await close?.(); });

  it(`${CALLS} concurrent misses on each instance make one source call per instance`, async () => {
    reset();
    const calls = apps.flatMap((_, i) => Array.from({ length: CALLS }, () => prices(i).perInstance('A-1')));
    await expect.poll(() => source.calls, { timeout: 10_000 }).toBe(3);
    source.gate.resolve();
    const results = await Promise.all(calls);
    expect(results).toHaveLength(3 * CALLS);
    expect(new Set(results.map((r) => JSON.stringify(r)))).toEqual(new Set([JSON.stringify({ sku: 'A-1', cents: 1999 })]));
    expect(source.calls).toBe(3);
    for (const app of apps) expect(app.stats('Prices.perInstance')).toMatchObject({ sourceCalls: 1, coalesced: CALLS - 1 });
  });

  it(`with lock: ${CALLS} concurrent misses on each instance make one source call for the whole fleet`, async () => {
    reset();
    const calls = apps.flatMap((_, i) => Array.from({ length: CALLS }, () => prices(i).fleetWide('B-2')));
    // One instance holds the lock and calls the source; the two others wait for its value in L2.
    await expect.poll(() => apps.reduce((n, a) => n + a.stats('Prices.fleetWide').lockWaits, 0), { timeout: 10_000 }).toBe(2);
    expect(source.calls).toBe(1);
    source.gate.resolve();
    const results = await Promise.all(calls);
    expect(results.every((r) => r.cents === 1999)).toBe(true);
    expect(source.calls).toBe(1);
  });

  it('with lock: the lock is released when the source throws, so the next miss anywhere calls the source at once', async () => {
    reset();
    source.fail = true;
    const first = prices(0).fleetWide('C-3');
    await expect.poll(() => source.calls).toBe(1);
    source.gate.resolve();
    await expect(first).rejects.toThrow('the price service is down');

    source.fail = false;
    source.gate = deferred<void>();
    source.gate.resolve();
    const waitsBefore = apps[1]!.stats('Prices.fleetWide').lockWaits;
    await expect(prices(1).fleetWide('C-3')).resolves.toEqual({ sku: 'C-3', cents: 1999 });
    expect(apps[1]!.stats('Prices.fleetWide').lockWaits).toBe(waitsBefore); // it took the lock itself: nothing held it
    expect(source.calls).toBe(2);
  });

  it('with lock: waiters take over when the holder fails, and every caller gets the error or the value, never a hang', async () => {
    reset();
    source.fail = true;
    const holder = prices(0).fleetWide('D-4');
    await expect.poll(() => source.calls).toBe(1);
    const waitsBefore = apps[1]!.stats('Prices.fleetWide').lockWaits;
    const waiter = prices(1).fleetWide('D-4');
    await expect.poll(() => apps[1]!.stats('Prices.fleetWide').lockWaits).toBe(waitsBefore + 1);
    source.gate.resolve();
    await expect(holder).rejects.toThrow('the price service is down');
    await expect(waiter).rejects.toThrow('the price service is down'); // it took the lock and called the (still failing) source
    expect(source.calls).toBe(2);
  });

  it('a call after an invalidation does not join a read that began before it (it would return the old value)', async () => {
    reset();
    const old = source.gate;
    const before = prices(1).price('E-5');                  // reads the old price, slowly
    await expect.poll(() => source.calls).toBe(1);
    source.gate = deferred<void>();
    source.gate.resolve();
    await prices(0).reprice('E-5', 2999);                   // the write; its eviction reached instance 1
    await expect(prices(1).price('E-5')).resolves.toEqual({ sku: 'E-5', cents: 2999 });
    old.resolve();
    await expect(before).resolves.toEqual({ sku: 'E-5', cents: 1999 }); // its callers get what it read...
    expect(source.calls).toBe(2);
    await expect(prices(2).price('E-5')).resolves.toEqual({ sku: 'E-5', cents: 2999 }); // ...but it was not stored over the new value
    await expect(prices(1).price('E-5')).resolves.toEqual({ sku: 'E-5', cents: 2999 });
    expect(source.calls).toBe(2);
  });
});
