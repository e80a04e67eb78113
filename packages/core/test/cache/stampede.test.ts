import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setTimeout as sleep } from 'node:timers/promises';
import { CacheEvict, CacheModule, CachePut, Cached, Injectable, Module, RedisModule } from '@fleet/core';
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

  /** Entries that live one second in Redis (real time; the app's clock does not move here). */
  @Cached({ ttl: '1s', key: (sku: string) => `brief:${sku}` })
  async brief(sku: string) { return slowSource(sku); }

  @CacheEvict({ key: (sku: string) => `brief:${sku}` })
  async repriceBrief(sku: string, cents: number) { source.cents = cents; }

  @CachePut({ key: (sku: string) => `brief:${sku}`, ttl: '1s' })
  async putBrief(sku: string, cents: number) { source.cents = cents; return { sku, cents }; }
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

  // A fill stores only if nothing invalidated its key since it read L2 (decision 048: a plain read is
  // one GET, and the fill stores on the value it saw). These read the source before a write, finish after it.
  it('a fill that read the source before an eviction does not store, even when nothing was stored after the eviction', async () => {
    reset();
    const old = source.gate;
    const before = prices(1).price('F-6');                  // nothing cached: reads 1999, slowly
    await expect.poll(() => source.calls).toBe(1);
    await prices(0).reprice('F-6', 2999);                   // the eviction, while that fill runs
    old.resolve();
    await expect(before).resolves.toEqual({ sku: 'F-6', cents: 1999 });
    await expect(prices(2).price('F-6')).resolves.toEqual({ sku: 'F-6', cents: 2999 }); // not the old value: it was not stored
    expect(source.calls).toBe(2);
  });

  /** Starts a read of `sku` on instance 1 whose source call (1999) waits for `old`; later source calls answer at once. */
  async function slowBriefRead(sku: string) {
    reset();
    const old = source.gate;
    const before = prices(1).brief(sku);
    await expect.poll(() => source.calls).toBe(1);
    source.gate = deferred<void>();
    source.gate.resolve();
    return { old, before };
  }

  it('a value stored after an eviction keeps the eviction\'s guard: when it expires first, an older fill still does not store', async () => {
    const { old, before } = await slowBriefRead('H-8');
    await prices(0).repriceBrief('H-8', 2999);
    await expect(prices(2).brief('H-8')).resolves.toEqual({ sku: 'H-8', cents: 2999 }); // a new fill stores 2999, for 1 s
    await sleep(1300);                                      // its Redis lifetime is over
    old.resolve();
    await expect(before).resolves.toEqual({ sku: 'H-8', cents: 1999 });
    await expect(prices(0).brief('H-8')).resolves.toEqual({ sku: 'H-8', cents: 2999 }); // instance 0 has no L1 copy: this is L2 or the source
  });

  it('a write-through keeps the guard too: when its entry expires, a fill that read before it still does not store', async () => {
    const { old, before } = await slowBriefRead('J-9');
    await prices(0).putBrief('J-9', 2999);                  // written through, for 1 s
    await sleep(1300);
    old.resolve();
    await expect(before).resolves.toEqual({ sku: 'J-9', cents: 1999 });
    await expect(prices(2).brief('J-9')).resolves.toEqual({ sku: 'J-9', cents: 2999 });
  });
});
