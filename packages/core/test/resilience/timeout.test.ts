import { describe, expect, it } from 'vitest';
import { Injectable, Module, Signal, Timeout, TimeoutError, createApp } from '@fleet/core';
import { boot } from './helpers.js';

const seen: AbortSignal[] = [];

@Injectable()
class Reports {
  @Timeout('2s')
  async fetch(id: string, @Signal() signal?: AbortSignal) {
    void id;
    seen.push(signal!);
    return new Promise((resolve, reject) => signal!.addEventListener('abort', () => reject(new Error('aborted by the signal'))));
  }

  @Timeout() async service() { return new Promise(() => {}); }
  @Timeout('batch') async batch() { return new Promise(() => {}); }
  @Timeout(50) async fast() { return 'fast'; }
  // @ts-expect-error decorating a synchronous method is a compile error (a pipeline returns a promise)
  @Timeout(50) sync() { return 'sync value'; }
  @Timeout(50) async realSlow() { await new Promise((r) => setTimeout(r, 1000)); }
}

@Module({ providers: [Reports] })
class AppModule {}

describe('@Timeout', () => {
  it('rejects with TimeoutError at the deadline and aborts the signal the method was given', async () => {
    const { app, clock } = await boot(AppModule);
    try {
      const r = app.get(Reports).fetch('r-1').catch((e: unknown) => e);
      await clock.advance('1999ms');
      expect(seen.at(-1)!.aborted).toBe(false);
      await clock.advance('1ms');
      const error = await r;
      expect(error).toBeInstanceOf(TimeoutError);
      expect(error).toMatchObject({ code: 'FLEET_ERR_RESILIENCE_TIMEOUT', statusCode: 504, timeoutMs: 2000 });
      expect(seen.at(-1)!.aborted).toBe(true);
      expect(seen.at(-1)!.reason).toBe(error);
    } finally {
      await app.close();
    }
  });

  it('defaults to 5 s for calls to other services and 30 s for batch work', async () => {
    const { app, clock } = await boot(AppModule);
    try {
      const service = app.get(Reports).service().catch((e: TimeoutError) => e.timeoutMs);
      const batch = app.get(Reports).batch().catch((e: TimeoutError) => e.timeoutMs);
      await clock.advance('30s');
      await expect(service).resolves.toBe(5000);
      await expect(batch).resolves.toBe(30_000);
    } finally {
      await app.close();
    }
  });

  it('pays no timer per call: a thousand calls in flight share one timer', async () => {
    const { app, clock } = await boot(AppModule);
    try {
      const before = clock.pendingTimers;
      const calls = Array.from({ length: 1000 }, (_, i) => app.get(Reports).fetch(`r-${i}`).catch(() => 'timed out'));
      expect(clock.pendingTimers - before).toBe(1);
      await clock.advance('2s');
      expect(new Set(await Promise.all(calls))).toEqual(new Set(['timed out']));
      expect(clock.pendingTimers).toBe(before);
    } finally {
      await app.close();
    }
  });

  it('passes values through, synchronous methods included', async () => {
    const { app } = await boot(AppModule);
    try {
      await expect(app.get(Reports).fast()).resolves.toBe('fast');
      await expect(app.get(Reports).sync()).resolves.toBe('sync value');
    } finally {
      await app.close();
    }
  });

  it('works on the real clock too', async () => {
    const app = await createApp(AppModule, { logger: false });
    try {
      const started = performance.now();
      await expect(app.get(Reports).realSlow()).rejects.toBeInstanceOf(TimeoutError);
      expect(performance.now() - started).toBeLessThan(500);
    } finally {
      await app.close();
    }
  });
});
