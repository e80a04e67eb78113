import { describe, expect, it } from 'vitest';
import { CircuitBreaker, CircuitOpenError, Injectable, Module, RedisModule, ResilienceRegistry, type FleetApp } from '@fleet/core';
import { ManualClock } from '@fleet/testing';
import { boot, deferred, fleetEnv } from './helpers.js';

const dependency = { impl: (): unknown => 'ok', calls: 0 };

@Injectable()
class PaymentClient {
  @CircuitBreaker({ failureThreshold: 2, recoveryTimeout: '5s' })
  async charge() { dependency.calls++; return dependency.impl(); }
}

@Module({ imports: [RedisModule], providers: [PaymentClient] })
class AppModule {}

const breakerOf = (app: FleetApp) => app.get(ResilienceRegistry).breaker('PaymentClient.charge')!;

async function openOn(app: FleetApp): Promise<number> {
  dependency.impl = () => Promise.reject(new Error('payments are down'));
  await app.get(PaymentClient).charge().catch(() => {});
  await app.get(PaymentClient).charge().catch(() => {});
  expect(breakerOf(app).state).toBe('open');
  return performance.now();
}

describe('fleet-wide circuit breaker (real Redis)', () => {
  it('an open breaker reaches every instance within 100 ms, and an instance that boots later starts open', async () => {
    const env = fleetEnv();
    const a = await boot(AppModule, { env, clock: new ManualClock() });
    const b = await boot(AppModule, { env, clock: new ManualClock() });
    let c: Awaited<ReturnType<typeof boot>> | undefined;
    try {
      expect(a.app.get(ResilienceRegistry).fleetWide).toBe(true);
      const openedAt = await openOn(a.app);
      while (breakerOf(b.app).state !== 'open' && performance.now() - openedAt < 1000) await new Promise((r) => setImmediate(r));
      const lag = performance.now() - openedAt;
      expect(breakerOf(b.app).state).toBe('open');
      expect(lag).toBeLessThan(100);
      dependency.calls = 0;
      await expect(b.app.get(PaymentClient).charge()).rejects.toBeInstanceOf(CircuitOpenError);
      expect(dependency.calls).toBe(0); // b never hammered the dead dependency itself
      expect(b.log.messages()).toContain('circuit breaker PaymentClient.charge opened (by another instance)');

      c = await boot(AppModule, { env, clock: new ManualClock() });
      expect(breakerOf(c.app).state).toBe('open');
      expect(breakerOf(c.app).openForMs()).toBeGreaterThan(3000);
    } finally {
      await Promise.all([a.app.close(), b.app.close(), c?.app.close()]);
    }
  });

  it('in half-open only one instance of the fleet probes; its outcome closes (or re-opens) the others', async () => {
    const env = fleetEnv();
    const clock = new ManualClock();
    const a = await boot(AppModule, { env, clock });
    const b = await boot(AppModule, { env, clock });
    try {
      await openOn(a.app);
      await expect.poll(() => breakerOf(b.app).state).toBe('open');
      await clock.advance('5s');

      const trial = deferred();
      dependency.calls = 0;
      dependency.impl = () => trial.promise;
      const probing = a.app.get(PaymentClient).charge();
      await expect.poll(() => dependency.calls).toBe(1);
      const refused = await b.app.get(PaymentClient).charge().catch((e: unknown) => e);
      expect(refused).toBeInstanceOf(CircuitOpenError);
      expect(dependency.calls).toBe(1);                   // b did not probe: a holds the lease
      expect(breakerOf(b.app).state).toBe('half-open');

      trial.resolve('paid');
      await expect(probing).resolves.toBe('paid');
      expect(breakerOf(a.app).state).toBe('closed');
      await expect.poll(() => breakerOf(b.app).state).toBe('closed');
      dependency.impl = () => 'paid again';
      await expect(b.app.get(PaymentClient).charge()).resolves.toBe('paid again');

      // A failed probe re-opens the whole fleet.
      await openOn(b.app);
      await expect.poll(() => breakerOf(a.app).state).toBe('open');
      await clock.advance('5s');
      dependency.impl = () => Promise.reject(new Error('still down'));
      await expect(b.app.get(PaymentClient).charge()).rejects.toThrow('still down');
      expect(breakerOf(b.app).state).toBe('open');
      await expect.poll(() => breakerOf(a.app).openForMs()).toBeGreaterThan(4000); // a new open period, from b
      expect(breakerOf(a.app).state).toBe('open');
    } finally {
      await Promise.all([a.app.close(), b.app.close()]);
    }
  });
});
