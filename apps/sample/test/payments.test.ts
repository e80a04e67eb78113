import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '@fleet/testing';
import { AppModule } from '../src/app.module.js';
import { AppConfig } from '../src/config.js';
import { sampleEnv } from '../src/env.js';
import { ITEM_PRICE_CENTS } from '../src/orders/orders.service.js';
import { startFakePartners, type FakePartners } from '../src/partners/fake-partners.js';

/**
 * The sample's calls to other services: POST /orders/:id/pay through the payment client (retry,
 * fleet-wide breaker, timeout, bulkhead), GET /inventory/:sku through the inventory client (its
 * own bulkhead), against simulated partners that are made to fail or hang for real.
 */
describe('sample payments and inventory', () => {
  let partners: FakePartners;
  let t: TestApp;
  beforeAll(async () => {
    partners = await startFakePartners();
    t = await createTestApp(AppModule, { config: AppConfig, env: sampleEnv({ PAYMENT_URL: partners.url, INVENTORY_URL: partners.url, FLEET_ROLE: 'web' }) });
  });
  afterAll(async () => {
    await t?.close();
    await partners?.close();
  });

  const placeOrder = async (qty = 2) => (await t.request().post('/orders').send({ items: [{ sku: 'A-1', qty }, { sku: 'B-2', qty: 1 }] }).expect(202)).body.orderId as string;

  it('pays an order once: the charge is idempotent by order, and the order shows paid', async () => {
    const orderId = await placeOrder();
    const first = await t.request().post(`/orders/${orderId}/pay`).expect(200);
    expect(first.body).toEqual({ orderId, status: 'paid', chargeId: expect.stringMatching(/^ch_/) });
    const again = await t.request().post(`/orders/${orderId}/pay`).set('x-fleet-lsn', first.headers['x-fleet-lsn'] as string).expect(200);
    expect(again.body.chargeId).toBe(first.body.chargeId);
    const order = await t.request().get(`/orders/${orderId}`).set('x-fleet-lsn', again.headers['x-fleet-lsn'] as string).expect(200);
    expect(order.body.status).toBe('paid');
    expect(ITEM_PRICE_CENTS * 3).toBe(3000);
  });

  it('an unknown order is a 404 and a malformed id a 400, without calling the payment service', async () => {
    const before = partners.counters.charges;
    await t.request().post('/orders/6c1f4d1e-1111-4c4c-8888-000000000000/pay').expect(404);
    expect((await t.request().post('/orders/not-a-uuid/pay').expect(400)).body.code).toBe('FLEET_ERR_HTTP_VALIDATION');
    expect(partners.counters.charges).toBe(before);
  });

  it('GET /inventory/:sku answers from the inventory service; a bad sku is a 400', async () => {
    const res = await t.request().get('/inventory/A-1').expect(200);
    expect(res.body).toEqual({ sku: 'A-1', available: expect.any(Number) });
    expect((await t.request().get('/inventory/a%20b').expect(400)).body.code).toBe('FLEET_ERR_HTTP_VALIDATION');
  });

  it('a hanging payment service fills only the payment bulkhead: inventory keeps answering', async () => {
    const orderId = await placeOrder();
    partners.set('payments', { mode: 'hang' });
    try {
      // 10 in flight + 10 queued; the rest are turned away at once with 503 BulkheadFull.
      const pays = Array.from({ length: 30 }, () => t.request().post(`/orders/${orderId}/pay`).then((r) => r));
      await new Promise((r) => setTimeout(r, 300));
      const stock = await Promise.all(Array.from({ length: 10 }, (_, i) => t.request().get(`/inventory/SKU-${i}`)));
      expect(stock.map((r) => r.status)).toEqual(Array(10).fill(200));
      partners.set('payments', { mode: 'ok' });
      const codes = (await Promise.all(pays)).map((r) => r.body.code ?? r.body.status);
      // 10 run, 10 queue; the others are turned away (a retry may later find a free slot).
      expect(codes.filter((c) => c === 'FLEET_ERR_RESILIENCE_BULKHEAD_FULL').length).toBeGreaterThanOrEqual(5);
      for (const c of codes) expect(['FLEET_ERR_RESILIENCE_BULKHEAD_FULL', 'FLEET_ERR_RESILIENCE_TIMEOUT', 'PAYMENT_UNAVAILABLE', 'FLEET_ERR_RESILIENCE_CIRCUIT_OPEN', 'paid']).toContain(c);
    } finally {
      partners.set('payments', { mode: 'ok' });
    }
  });

  it('a failing payment service is retried, then opens the breaker: callers get 503 at once and the service is left alone', async () => {
    // The hang test may have counted failures: wait until the breaker lets calls through again.
    const orderId = await placeOrder();
    await until(async () => (await t.request().post(`/orders/${orderId}/pay`)).status === 200, 15_000);
    const other = await placeOrder();
    partners.set('payments', { mode: 'fail' });
    try {
      const before = partners.counters.charges;
      const first = await t.request().post(`/orders/${other}/pay`).expect(502);
      expect(first.body.code).toBe('PAYMENT_UNAVAILABLE');
      expect(partners.counters.charges - before).toBe(3); // maxAttempts: 3
      // The 5th failure in the window opens it: during this call's second attempt.
      expect((await t.request().post(`/orders/${other}/pay`).expect(503)).body.code).toBe('FLEET_ERR_RESILIENCE_CIRCUIT_OPEN');
      const charges = partners.counters.charges;
      expect(charges - before).toBe(5);
      const open = await t.request().post(`/orders/${other}/pay`).expect(503);
      expect(open.body.code).toBe('FLEET_ERR_RESILIENCE_CIRCUIT_OPEN');
      expect(Number(open.headers['retry-after'])).toBeGreaterThan(0);
      expect(partners.counters.charges).toBe(charges);
      partners.set('payments', { mode: 'ok' });
      // After the 5 s recovery timeout a trial call goes through and closes it.
      await until(async () => (await t.request().post(`/orders/${other}/pay`)).status === 200, 15_000);
    } finally {
      partners.set('payments', { mode: 'ok' });
    }
  });
});

async function until(check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 250));
  }
}
