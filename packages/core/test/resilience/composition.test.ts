import { describe, expect, it } from 'vitest';
import {
  Bulkhead, CircuitBreaker, Clock, Injectable, Module, Retry, Signal, Timeout, TimeoutError, createApp, describePipeline,
} from '@fleet/core';
import { ManualClock } from '@fleet/testing';

let calls = 0;

@Injectable()
class Scrambled {
  // Written in the reverse of the fixed order on purpose.
  @Bulkhead({ maxConcurrent: 1 })
  @Timeout('1s')
  @CircuitBreaker({ failureThreshold: 3, fallback: () => 'fallback' })
  @Retry({ maxAttempts: 3, base: '10ms', jitter: 'none' })
  async all(@Signal() signal?: AbortSignal) {
    calls++;
    return new Promise((_resolve, reject) => signal?.addEventListener('abort', () => reject(signal.reason)));
  }

  @Timeout('1s') @Retry({ maxAttempts: 2 })
  async two() { return 2; }

  plain() { return 'plain'; }
}

@Module({ providers: [Scrambled] })
class AppModule {}

describe('composition', () => {
  it('composes the stages in one fixed order, whatever order the decorators are written in', async () => {
    const app = await createApp(AppModule, { logger: false });
    const s = app.get(Scrambled);
    expect(describePipeline(s, 'all')).toEqual(['CircuitBreaker.fallback', 'Retry', 'CircuitBreaker', 'Timeout', 'Bulkhead', 'method']);
    expect(describePipeline(s, 'two')).toEqual(['Retry', 'Timeout', 'method']);
    expect(describePipeline(s, 'plain')).toBeUndefined();
    expect(Object.prototype.hasOwnProperty.call(s, 'plain')).toBe(false); // an undecorated method costs nothing
    await app.close();
  });

  it('times out per attempt inside the retries, and the fallback answers only once they are exhausted', async () => {
    const clock = new ManualClock();
    const app = await createApp(AppModule, { logger: false, overrides: [{ provide: Clock, useValue: clock }] });
    const s = app.get(Scrambled);
    calls = 0;
    const result = s.all();
    await clock.advance('1s');      // attempt 1 times out (its signal aborts)
    expect(calls).toBe(1);
    await clock.advance('10ms');    // backoff, attempt 2 starts
    expect(calls).toBe(2);
    await clock.advance('1s');      // attempt 2 times out
    await clock.advance('20ms');    // attempt 3
    await clock.advance('1s');
    expect(calls).toBe(3);
    await expect(result).resolves.toBe('fallback');
    await app.close();
  });

  it('without a fallback, the caller sees the last attempt\'s TimeoutError', async () => {
    @Injectable()
    class Slow {
      @Retry({ maxAttempts: 2, base: '5ms', jitter: 'none' }) @Timeout(100)
      async run() { return new Promise(() => {}); }
    }
    @Module({ providers: [Slow] }) class M {}
    const clock = new ManualClock();
    const app = await createApp(M, { logger: false, overrides: [{ provide: Clock, useValue: clock }] });
    const result = app.get(Slow).run().catch((e: unknown) => e);
    await clock.advance('300ms');
    const error = await result;
    expect(error).toBeInstanceOf(TimeoutError);
    expect((error as TimeoutError).code).toBe('FLEET_ERR_RESILIENCE_TIMEOUT');
    await app.close();
  });
});
