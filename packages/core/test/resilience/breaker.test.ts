import { describe, expect, it } from 'vitest';
import {
  CircuitBreaker, CircuitOpenError, Clock, Injectable, Module, NotFoundError, ResilienceRegistry, Retry,
} from '@fleet/core';
import { boot, deferred, state } from './helpers.js';

const script = { impl: (): unknown => 'ok', calls: 0 };
const run = () => { script.calls++; return script.impl(); };
const failing = () => Promise.reject(new Error('payments are down'));

@Injectable()
class Payments {
  constructor(private readonly clock: Clock) {}

  @CircuitBreaker({ failureThreshold: 2, recoveryTimeout: '10s', halfOpenTrials: 3 })
  async charge() { return run(); }

  @CircuitBreaker({ failureThreshold: 2, recoveryTimeout: '10s' })
  async refund() { return run(); }

  @CircuitBreaker({ failureThreshold: 5, slowCallDuration: '2s', slowCallThreshold: 2 })
  async slow(ms: number) { await this.clock.sleep(ms); return 'done'; }

  @Retry({ maxAttempts: 3, base: '10ms', jitter: 'none' })
  @CircuitBreaker({ failureThreshold: 10, fallback(this: Payments, error: unknown, id: string) { return { fallback: id, error: (error as Error).message, self: this instanceof Payments }; } })
  async quote(id: string) { void id; return run(); }
}

@Module({ providers: [Payments] })
class AppModule {}

function reset(impl: () => unknown) { script.impl = impl; script.calls = 0; }

describe('@CircuitBreaker', () => {
  it('opens after the threshold, fails fast without calling, then admits exactly N half-open trials and re-opens on a failed one', async () => {
    const { app, clock } = await boot(AppModule);
    const p = app.get(Payments);
    const breaker = app.get(ResilienceRegistry).breaker('Payments.charge')!;
    try {
      reset(failing);
      await expect(p.charge()).rejects.toThrow('payments are down');
      await expect(p.charge()).rejects.toThrow('payments are down');
      expect(breaker.state).toBe('open');
      const open = await p.charge().catch((e: unknown) => e);
      expect(open).toBeInstanceOf(CircuitOpenError);
      expect(open).toMatchObject({ code: 'FLEET_ERR_RESILIENCE_CIRCUIT_OPEN', statusCode: 503, headers: { 'retry-after': '10' } });
      expect(script.calls).toBe(2);

      await clock.advance('10s');
      const trials = [deferred(), deferred(), deferred()];
      let t = 0;
      reset(() => trials[t++]!.promise);
      const calls = Array.from({ length: 5 }, () => p.charge());
      expect(script.calls).toBe(3);                      // exactly N trials reached the dependency
      expect(await Promise.all(calls.slice(3).map(state))).toEqual(['rejected', 'rejected']);
      await expect(calls[3]).rejects.toBeInstanceOf(CircuitOpenError);
      expect(breaker.state).toBe('half-open');

      trials[0]!.resolve('ok');
      await calls[0];
      expect(breaker.state).toBe('half-open');          // one of three trials passed
      trials[1]!.reject(new Error('still down'));
      await expect(calls[1]).rejects.toThrow('still down');
      expect(breaker.state).toBe('open');               // a failed trial re-opens at once
      trials[2]!.resolve('late');
      await expect(calls[2]).resolves.toBe('late');     // its outcome no longer counts
      expect(breaker.state).toBe('open');
      expect(breaker.openForMs()).toBe(10_000);
    } finally {
      await app.close();
    }
  });

  it('closes after all trials pass; ignored errors neither count nor consume a trial', async () => {
    const { app, clock } = await boot(AppModule);
    const p = app.get(Payments);
    const breaker = app.get(ResilienceRegistry).breaker('Payments.refund')!;
    try {
      reset(() => Promise.reject(new NotFoundError('no such refund')));
      for (let i = 0; i < 5; i++) await expect(p.refund()).rejects.toBeInstanceOf(NotFoundError);
      expect(breaker.state).toBe('closed');             // 4xx: the dependency is fine

      reset(failing);
      await p.refund().catch(() => {});
      await p.refund().catch(() => {});
      expect(breaker.state).toBe('open');
      await clock.advance('10s');

      reset(() => Promise.reject(new NotFoundError('no such refund')));
      await expect(p.refund()).rejects.toBeInstanceOf(NotFoundError);
      expect(breaker.state).toBe('half-open');          // the trial did not count...
      const trial = deferred();
      reset(() => trial.promise);
      const admitted = p.refund();                        // ...and gave its slot back
      expect(script.calls).toBe(1);
      await expect(p.refund()).rejects.toBeInstanceOf(CircuitOpenError);
      trial.resolve('refunded');
      await expect(admitted).resolves.toBe('refunded');
      expect(breaker.state).toBe('closed');
    } finally {
      await app.close();
    }
  });

  it('a slow-call threshold opens the breaker', async () => {
    const { app, clock } = await boot(AppModule);
    const p = app.get(Payments);
    try {
      const fast = p.slow(100);
      await clock.advance('100ms');
      await fast;
      const slow = [p.slow(3000), p.slow(2500)];
      await clock.advance('3s');
      await expect(Promise.all(slow)).resolves.toEqual(['done', 'done']); // slow calls still return their value
      expect(app.get(ResilienceRegistry).breaker('Payments.slow')?.state).toBe('open');
      await expect(p.slow(1)).rejects.toBeInstanceOf(CircuitOpenError);
    } finally {
      await app.close();
    }
  });

  it('runs the fallback only after the retries are exhausted, with the arguments and the instance; ignored errors pass through', async () => {
    const { app, clock } = await boot(AppModule);
    const p = app.get(Payments);
    try {
      reset(failing);
      const quote = p.quote('q-1');
      await clock.advance('100ms');
      await expect(quote).resolves.toEqual({ fallback: 'q-1', error: 'payments are down', self: true });
      expect(script.calls).toBe(3);                     // the fallback hid nothing from @Retry

      reset(() => Promise.reject(new NotFoundError('no quote')));
      await expect(p.quote('q-2')).rejects.toBeInstanceOf(NotFoundError);
      expect(script.calls).toBe(1);                     // 4xx: not retried, not replaced by the fallback
    } finally {
      await app.close();
    }
  });

  it('says in a log line that breakers are per instance without RedisModule', async () => {
    const { app, log } = await boot(AppModule);
    await app.close();
    expect(log.messages()).toContain('circuit breakers are per instance: RedisModule is not imported, so an open breaker is not shared with the fleet');
  });
});
