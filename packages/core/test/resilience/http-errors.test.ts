import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Bulkhead, CircuitBreaker, Controller, Get, Module, Query, ResilienceRegistry, Signal, Timeout } from '@fleet/core';
import { createTestApp, type TestApp } from '@fleet/testing';
import { deferred } from './helpers.js';

const gate = { current: deferred() };

@Controller('/r')
class ResilientController {
  @Get('/breaker')
  @CircuitBreaker({ failureThreshold: 1, recoveryTimeout: '42s' })
  async breaker() { throw new Error('upstream down'); }

  @Get('/bulkhead')
  @Bulkhead({ maxConcurrent: 1 })
  async bulkhead() { return gate.current.promise; }

  @Get('/timeout')
  @Timeout(30)
  async timeout() { return new Promise(() => {}); }

  @Get('/signal')
  @Timeout(30)
  async withSignal(@Query('q') q: string, @Signal() signal?: AbortSignal) {
    signals.push(signal!);
    return new Promise((resolve) => signal!.addEventListener('abort', () => resolve({ q, aborted: true })));
  }
}

const signals: AbortSignal[] = [];

@Module({ controllers: [ResilientController] })
class AppModule {}

describe('resilience errors over HTTP', () => {
  let t: TestApp;
  beforeAll(async () => { t = await createTestApp(AppModule, { production: false }); });
  afterAll(async () => { gate.current.resolve({ ok: true }); await t.close(); });

  it('CircuitOpenError: 503 with Retry-After and a stable code', async () => {
    await t.request().get('/r/breaker').expect(500);
    const res = await t.request().get('/r/breaker').expect(503);
    expect(res.body).toEqual({ statusCode: 503, code: 'FLEET_ERR_RESILIENCE_CIRCUIT_OPEN', message: expect.stringContaining('Circuit breaker ResilientController.breaker is open') });
    expect(res.headers['retry-after']).toBe('42');
    expect(t.get(ResilienceRegistry).snapshot().status).toBe('degraded');
  });

  it('BulkheadFullError: 503', async () => {
    const first = t.request().get('/r/bulkhead').then((r) => r);
    await expect.poll(() => t.get(ResilienceRegistry).bulkhead('ResilientController.bulkhead')!.active).toBe(1);
    const res = await t.request().get('/r/bulkhead').expect(503);
    expect(res.body).toMatchObject({ statusCode: 503, code: 'FLEET_ERR_RESILIENCE_BULKHEAD_FULL' });
    gate.current.resolve({ ok: true });
    expect((await first).status).toBe(200);
  });

  it('TimeoutError: 504', async () => {
    const res = await t.request().get('/r/timeout').expect(504);
    expect(res.body).toEqual({ statusCode: 504, code: 'FLEET_ERR_RESILIENCE_TIMEOUT', message: 'ResilientController.timeout did not finish within 30 ms (@Timeout).' });
  });

  it('a controller method takes its @Signal() as the last parameter; the timeout aborts it', async () => {
    const res = await t.request().get('/r/signal?q=x').expect(504);
    expect(res.body.code).toBe('FLEET_ERR_RESILIENCE_TIMEOUT');
    expect(signals[0]?.aborted).toBe(true);
  });

  it('exposes the state to the readiness check, not critical: a degraded dependency does not take the instance out', async () => {
    const ready = await t.request().get('/health/ready');
    expect(ready.status).toBe(200);
    expect(ready.body.checks.resilience).toMatchObject({ status: 'degraded', detail: { notClosed: [{ name: 'ResilientController.breaker', state: 'open' }] } });
  });
});
