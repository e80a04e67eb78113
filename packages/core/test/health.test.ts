import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Injectable, Module, RedisModule, type HealthIndicator, type HealthResult } from '@fleet/core';
import { FaultProxy, createTestApp, type TestApp } from '@fleet/testing';

const state: { payments: HealthResult['status']; hang: boolean } = { payments: 'up', hang: false };

@Injectable()
class PaymentsHealth implements HealthIndicator {
  readonly healthName = 'payments';
  readonly healthCritical = false;
  checkHealth() { return { status: state.payments, detail: { endpoint: 'https://pay.example' } }; }
}

@Injectable()
class SlowHealth implements HealthIndicator {
  readonly healthName = 'slow';
  async checkHealth(signal: AbortSignal): Promise<HealthResult> {
    if (!state.hang) return { status: 'up' };
    return new Promise((resolve) => signal.addEventListener('abort', () => resolve({ status: 'up' })));
  }
}

@Module({ imports: [RedisModule], providers: [PaymentsHealth, SlowHealth] })
class AppModule {}

describe('health endpoints', () => {
  let t: TestApp;
  let proxy: FaultProxy;
  beforeAll(async () => {
    proxy = await FaultProxy.start({ target: { port: 6379 } });
    t = await createTestApp(AppModule, {
      health: { checkTimeoutMs: 300 },
      env: { REDIS_URL: `redis://${proxy.address}`, REDIS_KEY_PREFIX: `test:${randomUUID()}:`, REDIS_COMMAND_TIMEOUT_MS: '200' },
    });
  });
  afterAll(async () => { await t.close(); await proxy.close(); });

  it('reports live, started and ready with each check, never cached', async () => {
    const live = await t.request().get('/health/live').expect(200);
    expect(live.body.status).toBe('up');
    expect(live.headers['cache-control']).toBe('no-store');
    expect((await t.request().get('/health/startup').expect(200)).body).toEqual({ status: 'up' });
    const ready = await t.request().get('/health/ready').expect(200);
    expect(ready.body.status).toBe('up');
    expect(Object.keys(ready.body.checks).sort()).toEqual(['payments', 'redis', 'slow']);
    expect(ready.body.checks.redis).toMatchObject({ status: 'up' });
    expect(typeof ready.body.checks.redis.latencyMs).toBe('number');
  });

  it('is degraded (still 200) when a non-critical check is down', async () => {
    state.payments = 'down';
    try {
      const ready = await t.request().get('/health/ready').expect(200);
      expect(ready.body.status).toBe('degraded');
      expect(ready.body.checks.payments).toMatchObject({ status: 'down', detail: { endpoint: 'https://pay.example' } });
    } finally {
      state.payments = 'up';
    }
  });

  it('does not hang on a hanging check: it is down after its timeout, and readiness fails', async () => {
    state.hang = true;
    try {
      const ready = await t.request().get('/health/ready').expect(503);
      expect(ready.body.checks.slow).toMatchObject({ status: 'down', detail: { error: 'timed out after 300 ms' } });
    } finally {
      state.hang = false;
    }
  });

  it('fails readiness while Redis is cut off and recovers without a restart', async () => {
    proxy.cut();
    try {
      const down = await t.request().get('/health/ready').expect(503);
      expect(down.body.checks.redis.status).toBe('down');
      expect((await t.request().get('/health/live').expect(200)).body.status).toBe('up');
    } finally {
      proxy.restore();
    }
    await expect.poll(async () => (await t.request().get('/health/ready')).status, { timeout: 10_000, interval: 100 }).toBe(200);
  });
});

describe('health options', () => {
  it('moves the probes to custom paths, or removes them', async () => {
    @Module({}) class Empty {}
    const custom = await createTestApp(Empty, { health: { readyPath: '/ready', livePath: '/live', startupPath: '/started' } });
    try {
      expect((await custom.request().get('/ready').expect(200)).body).toEqual({ status: 'up', checks: {} });
      await custom.request().get('/live').expect(200);
      await custom.request().get('/health/ready').expect(404);
    } finally {
      await custom.close();
    }
    const none = await createTestApp(Empty, { health: false });
    try {
      await none.request().get('/health/live').expect(404);
    } finally {
      await none.close();
    }
  });

  it('answers readiness 503 from the moment shutdown starts, while still serving during the drain', async () => {
    @Module({}) class Empty {}
    const t = await createTestApp(Empty, { shutdown: { drainDelayMs: 1500, signals: false } });
    const done = t.app.shutdown('test');
    try {
      const ready = await t.request().get('/health/ready').expect(503);
      expect(ready.body).toMatchObject({ status: 'down', shuttingDown: true });
      expect(ready.headers.connection).toBe('close');
      await t.request().get('/health/live').expect(200);
    } finally {
      expect(await done).toBe(0);
    }
  });
});
