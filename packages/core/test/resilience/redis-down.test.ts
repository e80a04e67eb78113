import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  Bulkhead, CircuitBreaker, CircuitOpenError, Injectable, Module, RateLimit, RateLimitUnavailableError, RateLimitedError, RedisModule,
  ResilienceRegistry, Retry, Timeout, TimeoutError, type FleetApp,
} from '@fleet/core';
import { FaultProxy, ManualClock } from '@fleet/testing';
import { boot, fleetEnv, type LogCapture } from './helpers.js';

const dependency = { impl: (): unknown => 'ok' };

@Injectable()
class Orders {
  @RateLimit('2/minute', { key: 'global' }) async allow() { return 'allowed'; }
  @RateLimit('2/minute', { key: 'global', onStoreError: 'deny' }) async deny() { return 'allowed'; }
  @CircuitBreaker({ failureThreshold: 2, recoveryTimeout: '5s' }) async charge() { return dependency.impl(); }
  @Retry({ maxAttempts: 3, base: '10ms', jitter: 'none' }) async retried() { return dependency.impl(); }
  @Timeout('1s') async timed() { return new Promise(() => {}); }
  @Bulkhead({ maxConcurrent: 1 }) async limited() { return 'bulkhead'; }
}

@Module({ imports: [RedisModule], providers: [Orders] })
class AppModule {}

/**
 * Redis really unreachable, not mocked: the apps talk to Redis through a TCP proxy that the test
 * cuts (connections reset and refused: a stopped server) or stalls (connections open, nothing
 * answers: a paused or partitioned Redis). The shared Redis itself is never paused, so other
 * suites running at the same time are not disturbed.
 */
describe('resilience with Redis unreachable', () => {
  let proxy: FaultProxy;
  let a: { app: FleetApp; clock: ManualClock; log: LogCapture };
  let b: { app: FleetApp; clock: ManualClock; log: LogCapture };
  const heal = async () => {
    proxy.cut();      // drop connections that saw a stall (their replies were lost)
    proxy.restore();
    await expect.poll(async () => (await a.app.get(Orders).allow().then(() => a.app.get(ResilienceRegistry).rateLimit('Orders.allow')!.snapshot().store)), { timeout: 8000, interval: 200 }).toBe('up');
  };

  beforeAll(async () => {
    proxy = await FaultProxy.start({ target: { port: 6379 } });
    const env = fleetEnv({ REDIS_URL: `redis://${proxy.address}`, REDIS_COMMAND_TIMEOUT_MS: '1000' });
    a = await boot(AppModule, { env });
    b = await boot(AppModule, { env });
  });
  afterAll(async () => {
    proxy.restore();
    await Promise.all([a?.app.close(), b?.app.close()]);
    await proxy.close();
  });

  it('with the server gone, every decorator keeps working: limits follow onStoreError (logged, counted), breakers work per instance', async () => {
    proxy.cut();
    const orders = a.app.get(Orders);
    for (let i = 0; i < 5; i++) await expect(orders.allow()).resolves.toBe('allowed'); // over the limit, but allowed
    const denied = await orders.deny().catch((e: unknown) => e);
    expect(denied).toBeInstanceOf(RateLimitUnavailableError);
    expect(denied).toMatchObject({ code: 'FLEET_ERR_RESILIENCE_RATE_LIMIT_UNAVAILABLE', statusCode: 503, headers: { 'retry-after': '1' } });
    const registry = a.app.get(ResilienceRegistry);
    expect(registry.rateLimit('Orders.allow')!.snapshot()).toMatchObject({ store: 'down', storeErrors: 5, allowed: 0 });
    expect(registry.snapshot().status).toBe('degraded');
    expect(a.log.lines.filter((l) => String(l.msg).startsWith('rate-limit store (Redis) unreachable'))).toHaveLength(2); // once per limit, not per call

    dependency.impl = () => Promise.reject(new Error('payments are down'));
    await orders.charge().catch(() => {});
    await orders.charge().catch(() => {});
    await expect(orders.charge()).rejects.toBeInstanceOf(CircuitOpenError);
    await expect.poll(() => a.log.messages().includes('could not share a breaker transition (Redis did not answer): other instances judge on their own')).toBe(true);
    expect(b.app.get(ResilienceRegistry).breaker('Orders.charge')!.state).toBe('closed'); // b judges on its own

    let n = 0;
    dependency.impl = () => (++n < 3 ? Promise.reject(new Error('flaky')) : 'third time');
    const retried = orders.retried();
    await a.clock.advance('100ms');
    await expect(retried).resolves.toBe('third time');
    const timed = orders.timed().catch((e: unknown) => e);
    await a.clock.advance('1s');
    expect(await timed).toBeInstanceOf(TimeoutError);
    await expect(orders.limited()).resolves.toBe('bulkhead');

    // The half-open probe needs no Redis either: this instance probes on its own.
    await a.clock.advance('5s');
    dependency.impl = () => 'recovered';
    await expect(orders.charge()).resolves.toBe('recovered');
    expect(registry.breaker('Orders.charge')!.state).toBe('closed');

    await heal();
    expect(a.log.messages()).toContain('rate-limit store reachable again: limits are enforced fleet-wide');
    await a.clock.advance('2m');
    await orders.allow();
    await orders.allow();
    await expect(orders.allow()).rejects.toBeInstanceOf(RateLimitedError); // fleet-wide limits are back
  });

  it('with Redis stalled (paused, partitioned), a check gives up after storeTimeout and then skips Redis for a second', async () => {
    await a.clock.advance('2m');
    proxy.stall();
    const orders = a.app.get(Orders);
    const started = performance.now();
    await expect(orders.allow()).resolves.toBe('allowed');
    const first = performance.now() - started;
    expect(first).toBeGreaterThanOrEqual(240);
    expect(first).toBeLessThan(800);                    // the storeTimeout (250 ms), not the command timeout (1 s)
    const again = performance.now();
    for (let i = 0; i < 10; i++) await orders.allow();
    expect(performance.now() - again).toBeLessThan(50); // no Redis round trip while it is known down
    await expect(orders.deny()).rejects.toBeInstanceOf(RateLimitUnavailableError);

    // A breaker opening while Redis is stalled still opens at once, locally.
    dependency.impl = () => Promise.reject(new Error('payments are down'));
    const b0 = performance.now();
    await orders.charge().catch(() => {});
    await orders.charge().catch(() => {});
    await expect(orders.charge()).rejects.toBeInstanceOf(CircuitOpenError);
    expect(performance.now() - b0).toBeLessThan(100);
    await a.clock.advance('5s');
    dependency.impl = () => 'recovered';
    const probe = performance.now();
    await expect(orders.charge()).resolves.toBe('recovered'); // lease unavailable: probes on its own
    expect(performance.now() - probe).toBeLessThan(800);
    await heal();
  });
});
