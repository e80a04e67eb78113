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

  it('serves the probes on their own port (not on the app\'s), answering readiness 503 there until the app has stopped', async () => {
    @Module({}) class Empty {}
    const t = await createTestApp(Empty, { health: { port: 0 }, shutdown: { drainDelayMs: 800, signals: false } });
    const health = t.app.healthAddress;
    expect(health).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(health).not.toBe(t.url);
    const ready = await fetch(`${health}/health/ready`);
    expect(ready.status).toBe(200);
    expect(ready.headers.get('cache-control')).toBe('no-store');
    expect(await ready.json()).toEqual({ status: 'up', checks: {} });
    expect((await fetch(`${health}/health/startup`)).status).toBe(200);
    const unknown = await fetch(`${health}/hello`);
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toMatchObject({ statusCode: 404, code: 'FLEET_ERR_HTTP_ROUTE_NOT_FOUND' });
    const onAppPort = await t.request().get('/health/ready').expect(404);
    expect(onAppPort.body.code).toBe('FLEET_ERR_HTTP_ROUTE_NOT_FOUND');

    const done = t.app.shutdown('test');
    try {
      const draining = await fetch(`${health}/health/ready`);
      expect(draining.status).toBe(503);
      expect(await draining.json()).toMatchObject({ status: 'down', shuttingDown: true });
      expect((await fetch(`${health}/health/live`)).status).toBe(200);
    } finally {
      expect(await done).toBe(0);
    }
    await expect(fetch(`${health}/health/live`)).rejects.toThrow();
  });

  it('refuses a health port that is not a port, from the option or FLEET_HEALTH_PORT, at boot', async () => {
    @Module({}) class Empty {}
    await expect(createTestApp(Empty, { health: { port: 70_000 } })).rejects.toMatchObject({ code: 'FLEET_ERR_CONFIG_INVALID', message: expect.stringContaining('health.port must be a TCP port') });
    await expect(createTestApp(Empty, { env: { FLEET_HEALTH_PORT: 'eighty' } })).rejects.toMatchObject({ code: 'FLEET_ERR_CONFIG_INVALID', message: expect.stringContaining('FLEET_HEALTH_PORT must be a TCP port') });
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
