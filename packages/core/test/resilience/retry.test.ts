import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  BadRequestError, CircuitOpenError, Clock, FleetError, Injectable, Module, ResilienceRegistry, Retry, Signal,
} from '@fleet/core';
import { boot, state } from './helpers.js';

const attempts: number[] = [];
const script = { impl: (): unknown => Promise.reject(new Error('flaky')) };

@Injectable()
class Inventory {
  constructor(private readonly clock: Clock) {}
  private attempt() { attempts.push(this.clock.monotonic()); return script.impl(); }

  @Retry({ maxAttempts: 4, base: '100ms', cap: '250ms', jitter: 'none' })
  async reserve() { return this.attempt(); }

  @Retry({ maxAttempts: 10, maxTime: '1s', base: '200ms', jitter: 'none' })
  async budgeted() { return this.attempt(); }

  @Retry({ maxAttempts: 5, base: '1s', jitter: 'none' })
  async cancellable(sku: string, @Signal() signal?: AbortSignal) { void sku; void signal; return this.attempt(); }

  @Retry({ maxAttempts: 3, base: '10ms', jitter: 'none', retryOn: (e) => (e as Error).message === 'transient' })
  async selective() { return this.attempt(); }
}

@Module({ providers: [Inventory] })
class AppModule {}

function reset(impl: () => unknown) { script.impl = impl; attempts.length = 0; }

describe('@Retry', () => {
  it('makes exactly maxAttempts calls, waiting the capped backoff between them (no real waiting)', async () => {
    const { app, clock } = await boot(AppModule);
    try {
      reset(() => Promise.reject(new Error('flaky')));
      const started = clock.monotonic();
      const result = app.get(Inventory).reserve().catch((e: Error) => e.message);
      await clock.advance('10s');
      await expect(result).resolves.toBe('flaky');     // the last error, as it was
      expect(attempts.map((t) => t - started)).toEqual([0, 100, 300, 550]); // delays 100, 200, 250 (capped)
      expect(app.get(ResilienceRegistry).snapshot().retries.find((r) => r.method === 'Inventory.reserve')).toMatchObject({ calls: 1, retries: 3, exhausted: 1 });
    } finally {
      await app.close();
    }
  });

  it('returns the first success', async () => {
    const { app, clock } = await boot(AppModule);
    try {
      let n = 0;
      reset(() => (++n < 3 ? Promise.reject(new Error('flaky')) : 'reserved'));
      const result = app.get(Inventory).reserve();
      await clock.advance('1s');
      await expect(result).resolves.toBe('reserved');
      expect(attempts).toHaveLength(3);
    } finally {
      await app.close();
    }
  });

  it('stops when the next attempt would start after maxTime', async () => {
    const { app, clock } = await boot(AppModule);
    try {
      reset(() => Promise.reject(new Error('flaky')));
      const result = app.get(Inventory).budgeted().catch((e: Error) => e.message);
      await clock.advance('10s');
      await expect(result).resolves.toBe('flaky');
      // delays 200, 400 (at 600 ms); the next, 800 ms, would end at 1.4 s > 1 s: give up at 600 ms
      expect(attempts).toEqual([0, 200, 600].map((d) => d + attempts[0]!));
    } finally {
      await app.close();
    }
  });

  it("stops at once when the caller's signal aborts, during the backoff", async () => {
    const { app, clock } = await boot(AppModule);
    try {
      reset(() => Promise.reject(new Error('flaky')));
      const controller = new AbortController();
      const result = app.get(Inventory).cancellable('A-1', controller.signal).catch((e: unknown) => e);
      await clock.advance('500ms');
      expect(attempts).toHaveLength(1);
      controller.abort(new Error('client went away'));
      expect(await state(result)).toBe('fulfilled');
      expect(((await result) as Error).message).toBe('client went away');
      await clock.advance('10s');
      expect(attempts).toHaveLength(1);

      const before = new AbortController();
      before.abort(new Error('already cancelled'));
      await expect(app.get(Inventory).cancellable('A-2', before.signal)).rejects.toThrow('already cancelled');
      expect(attempts).toHaveLength(2); // the first attempt runs; no retry after an abort
    } finally {
      await app.close();
    }
  });

  it('never retries an open breaker, a validation error, a client error or a retryable: false error', async () => {
    const { app } = await boot(AppModule);
    try {
      const zodError = z.object({ qty: z.number() }).safeParse({ qty: 'x' }).error!;
      const errors = [
        new CircuitOpenError('Payments.charge', 1000),
        new FleetError('FLEET_ERR_HTTP_VALIDATION', 'invalid'),
        zodError,
        new BadRequestError('no'),
        Object.assign(new Error('card declined'), { retryable: false }),
      ];
      for (const error of errors) {
        reset(() => Promise.reject(error));
        await expect(app.get(Inventory).reserve()).rejects.toBe(error);
        expect(attempts).toHaveLength(1);
      }
    } finally {
      await app.close();
    }
  });

  it('retryOn decides which errors are retried', async () => {
    const { app, clock } = await boot(AppModule);
    try {
      reset(() => Promise.reject(new Error('permanent')));
      await expect(app.get(Inventory).selective()).rejects.toThrow('permanent');
      expect(attempts).toHaveLength(1);
      reset(() => Promise.reject(new Error('transient')));
      const r = app.get(Inventory).selective().catch((e: Error) => e.message);
      await clock.advance('1s');
      await expect(r).resolves.toBe('transient');
      expect(attempts).toHaveLength(3);
    } finally {
      await app.close();
    }
  });
});
