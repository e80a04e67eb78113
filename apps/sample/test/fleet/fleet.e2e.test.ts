import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { acquireFaultReplica, type FaultReplica } from '@fleet/testing';
import { startFakePartners, type FakePartners } from '../../src/partners/fake-partners.js';
import { SampleFleet, admin, eventually } from './harness.js';

/**
 * The sample run as production runs it: three web instances of the built app (real processes)
 * and a worker, on one PostgreSQL primary with a streaming replica, and one Redis. Every claim
 * of the fleet is checked across processes: what one instance does, the others see.
 *
 * The replica is the exclusive fault replica (127.0.0.1:5434), so pausing its replay here cannot
 * disturb the other test files, which read from the shared one.
 */
describe('the sample as a fleet: three instances and a worker behave as one', () => {
  let partners: FakePartners;
  let replica: FaultReplica;
  let fleet: SampleFleet;
  let i1: string, i2: string, i3: string;

  beforeAll(async () => {
    partners = await startFakePartners();
    replica = await acquireFaultReplica();
    fleet = await SampleFleet.start({ replicaUrls: replica.url, partnersUrl: partners.url });
    [i1, i2, i3] = fleet.instances.map((p) => p.url) as [string, string, string];
  }, 120_000);

  afterAll(async () => {
    await fleet?.close();
    await replica?.release();
    await partners?.close();
  }, 60_000);

  const json = async (res: Response) => {
    const text = await res.text();
    return { status: res.status, headers: res.headers, body: (text ? JSON.parse(text) : undefined) as any };
  };
  const get = (base: string, path: string, headers: Record<string, string> = {}) => fetch(`${base}${path}`, { headers }).then(json);
  const send = (base: string, method: string, path: string, body?: unknown, headers: Record<string, string> = {}) =>
    fetch(`${base}${path}`, { method, headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers }, body: body === undefined ? undefined : JSON.stringify(body) }).then(json);

  it('shares the rate limit: 100 calls spread over the three instances pass, the 101st is a 429 on any of them', async () => {
    const bases = [i1, i2, i3];
    const statuses: number[] = [];
    for (let i = 0; i < 100; i++) statuses.push((await get(bases[i % 3]!, '/api/users?limit=1')).status);
    expect(statuses.filter((s) => s === 200)).toHaveLength(100);
    for (const base of bases) {
      const limited = await get(base, '/api/users?limit=1');
      expect(limited.status).toBe(429);
      expect(limited.body.code).toBe('FLEET_ERR_RESILIENCE_RATE_LIMITED');
      expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    }
  });

  it('a session started on one instance is the same session on the others, and logging out anywhere ends it everywhere', async () => {
    const login = await send(i1, 'POST', '/login', { userId: 'ada' });
    expect(login.status).toBe(200);
    const cookie = login.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
    expect(cookie).toMatch(/=/);
    const [on2, on3] = await Promise.all([get(i2, '/me', { cookie }), get(i3, '/me', { cookie })]);
    expect([on2.status, on2.body, on3.status, on3.body]).toEqual([200, { userId: 'ada' }, 200, { userId: 'ada' }]);
    expect((await send(i3, 'POST', '/logout', undefined, { cookie })).status).toBe(204);
    expect((await get(i1, '/me', { cookie })).status).toBe(401);
  });

  it('PUT through instance 1, then GET through instances 2 and 3 at once, sees the write: also while the replica replay is paused', async () => {
    const first = await send(i1, 'PUT', '/users/77', { name: 'Before', email: 'before@example.com' });
    expect(first.status).toBe(200);
    const token1 = first.headers.get('x-fleet-lsn')!;
    const reads1 = await Promise.all([get(i2, '/users/77', { 'x-fleet-lsn': token1 }), get(i3, '/users/77', { 'x-fleet-lsn': token1 })]);
    expect(reads1.map((r) => r.body.name)).toEqual(['Before', 'Before']);

    await replica.pauseReplay();
    try {
      const second = await send(i1, 'PUT', '/users/77', { name: 'After', email: 'after@example.com' });
      expect(second.status).toBe(200);
      // The cookie form of the token, as a browser would carry it.
      const cookie = second.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
      expect(cookie).toContain('fleet_lsn=');
      const reads2 = await Promise.all([get(i2, '/users/77', { cookie }), get(i3, '/users/77', { cookie })]);
      expect(reads2.map((r) => [r.status, r.body.name])).toEqual([[200, 'After'], [200, 'After']]);
      // The replica really is behind: it still has the old row.
      const stale = new pg.Client({ connectionString: replica.url });
      await stale.connect();
      try {
        expect((await stale.query(`select name from ${fleet.schema}.users where id = 77`)).rows[0]?.name).toBe('Before');
      } finally { await stale.end(); }
    } finally {
      await replica.resumeReplay();
    }
  });

  it('POST /orders answers 202 without waiting for its jobs; the worker completes all three, even when it is SIGKILLed mid-job', async () => {
    const started = performance.now();
    const placed = await send(i1, 'POST', '/orders', { items: [{ sku: 'A-1', qty: 1 }] });
    const tookMs = performance.now() - started;
    expect(placed.status).toBe(202);
    expect(placed.body).toEqual({ orderId: expect.any(String), status: 'processing' });
    // The jobs take about 2, 3 and 1 s: an answer that waited for them would take seconds.
    expect(tookMs).toBeLessThan(1000);
    console.log(`[fleet e2e] POST /orders answered in ${tookMs.toFixed(1)} ms`);

    const done = (order: any) => order.jobs.confirmationEmail?.state === 'completed' && order.jobs.invoicePdf?.state === 'completed'
      && order.jobs.warehouse?.state === 'completed' && order.confirmationSentAt && order.invoicePdf && order.warehouseNotifiedAt;
    const token = placed.headers.get('x-fleet-lsn')!;
    await eventually('all three jobs of the first order completed', async () => done((await get(i2, `/orders/${placed.body.orderId}`, { 'x-fleet-lsn': token })).body), 30_000);

    // Now kill the worker while it runs a job, start a new one, and lose nothing.
    const second = await send(i2, 'POST', '/orders', { items: [{ sku: 'B-2', qty: 2 }] });
    const token2 = second.headers.get('x-fleet-lsn')!;
    await eventually('a job of the second order is active on the worker', async () => {
      const { body } = await get(i3, `/orders/${second.body.orderId}`, { 'x-fleet-lsn': token2 });
      return Object.values(body.jobs as Record<string, { state: string } | null>).some((j) => j?.state === 'active');
    }, 20_000);
    await fleet.worker!.kill();
    expect(fleet.worker!.exits.at(-1)?.signal).toBe('SIGKILL');
    await fleet.worker!.start();
    const order = await eventually('all three jobs of the second order completed after the worker was killed', async () => {
      const { body } = await get(i1, `/orders/${second.body.orderId}`, { 'x-fleet-lsn': token2 });
      return done(body) ? body : undefined;
    }, 60_000);
    expect(order.status).toBe('processing');
  }, 120_000);

  it('the scheduled job runs once per tick for the whole fleet, not once per instance', async () => {
    // Every 5 s; four processes registered the schedule at boot. Wait for at least three ticks.
    const ticks = await eventually('three scheduled ticks recorded', async () => {
      const { rows } = await admin<{ tick: Date; runs: number }>(`select tick, count(*)::int as runs from ${fleet.schema}.order_stats group by tick order by tick`);
      return rows.length >= 3 ? rows : undefined;
    }, 30_000);
    expect(ticks.map((t) => t.runs)).toEqual(ticks.map(() => 1));
    // One schedule, not one per instance: no two ticks close together, about one per 5 s.
    const gaps = ticks.slice(1).map((t, i) => t.tick.getTime() - ticks[i]!.tick.getTime());
    for (const gap of gaps) expect(gap).toBeGreaterThanOrEqual(1000);
    const span = ticks.at(-1)!.tick.getTime() - ticks[0]!.tick.getTime();
    expect(ticks.length).toBeLessThanOrEqual(Math.floor(span / 5000) + 2);
  }, 60_000);

  it('a failing payment service opens the breaker on one instance and the others fail fast; after recovery all close again', async () => {
    const placed = await send(i1, 'POST', '/orders', { items: [{ sku: 'C-3', qty: 1 }] });
    const orderId = placed.body.orderId as string;
    const lsn = { 'x-fleet-lsn': placed.headers.get('x-fleet-lsn')! };
    partners.set('payments', { mode: 'fail' });
    try {
      const failing = await send(i1, 'POST', `/orders/${orderId}/pay`, undefined, lsn);
      expect([failing.status, failing.body.code]).toEqual([502, 'PAYMENT_UNAVAILABLE']);
      const opening = await send(i1, 'POST', `/orders/${orderId}/pay`, undefined, lsn);
      expect([opening.status, opening.body.code]).toEqual([503, 'FLEET_ERR_RESILIENCE_CIRCUIT_OPEN']);
      const charges = partners.counters.charges;

      // Instances 2 and 3 have not called the payment service once: they learned it over Redis.
      const t0 = performance.now();
      const [on2, on3] = await Promise.all([send(i2, 'POST', `/orders/${orderId}/pay`, undefined, lsn), send(i3, 'POST', `/orders/${orderId}/pay`, undefined, lsn)]);
      const fastMs = performance.now() - t0;
      expect([on2.status, on2.body.code, on3.status, on3.body.code]).toEqual([503, 'FLEET_ERR_RESILIENCE_CIRCUIT_OPEN', 503, 'FLEET_ERR_RESILIENCE_CIRCUIT_OPEN']);
      expect(partners.counters.charges).toBe(charges);
      expect(fastMs).toBeLessThan(1000); // no call, no timeout: a few ms (logged below)
      console.log(`[fleet e2e] instances 2 and 3 failed fast in ${fastMs.toFixed(1)} ms`);

      partners.set('payments', { mode: 'ok' });
      // After the 5 s recovery timeout one instance sends the trial call; its success closes all.
      const paid = await eventually('the breaker closed after recovery', async () => {
        const res = await send(i2, 'POST', `/orders/${orderId}/pay`, undefined, lsn);
        return res.status === 200 ? res.body : undefined;
      }, 30_000);
      const again = await Promise.all([i1, i3].map((base) => send(base, 'POST', `/orders/${orderId}/pay`, undefined, lsn)));
      expect(again.map((r) => [r.status, r.body.chargeId])).toEqual([[200, paid.chargeId], [200, paid.chargeId]]);
    } finally {
      partners.set('payments', { mode: 'ok' });
    }
  }, 60_000);
});
