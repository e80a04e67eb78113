import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acquireFaultReplica, startRedisServer, type FaultReplica, type RedisServer } from '@fleet/testing';
import { startFakePartners, type FakePartners } from '../../src/partners/fake-partners.js';
import { Balancer, LoadGenerator, type LoadRequest } from './balancer.js';
import { SampleFleet, eventually } from './harness.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * The sample fleet through what operations do to it: a rolling restart under load, and outages
 * of Redis and of the replica. This fleet has its own Redis server (a private redis-server that
 * the test stops and starts for real) and the exclusive fault replica, so nothing here disturbs
 * the other test files.
 */
describe('the sample fleet through a rolling restart and outages', () => {
  let partners: FakePartners;
  let redis: RedisServer;
  let replica: FaultReplica;
  let fleet: SampleFleet;

  beforeAll(async () => {
    partners = await startFakePartners();
    // AOF on, so a stop and start is a restart, not a wipe (sessions and queues survive it).
    redis = await startRedisServer({ args: ['--appendonly', 'yes'] });
    replica = await acquireFaultReplica();
    fleet = await SampleFleet.start({ redisUrl: redis.url, replicaUrls: replica.url, partnersUrl: partners.url });
  }, 120_000);

  afterAll(async () => {
    await fleet?.close();
    await replica?.release();
    await redis?.close();
    await partners?.close();
  }, 60_000);

  const ready = (url: string) => fetch(`${url}/health/ready`).then(async (r) => ({ status: r.status, body: await r.json() as any }));

  it('rolling restart under load: each instance is sent SIGTERM and restarted in turn, and no accepted request fails', async () => {
    await fetch(`${fleet.instances[0]!.url}/users/5`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'Five', email: 'five@example.com' }) });
    const mix: LoadRequest[] = [
      { method: 'GET', path: '/hello' },
      { method: 'GET', path: '/users/5' },
      { method: 'PUT', path: '/users/6', body: { name: 'Six', email: 'six@example.com' } },
      { method: 'GET', path: '/inventory/A-1' },
    ];
    const balancer = new Balancer(fleet.instances);
    await balancer.start();
    const load = new LoadGenerator(balancer, mix, 8);
    try {
      await sleep(1000);
      for (const instance of fleet.instances) {
        const exit = await instance.stop();
        expect(exit, `${instance.name} exits 0 after SIGTERM:\n${instance.output}`).toEqual({ code: 0, signal: null });
        await instance.start();
        await eventually(`${instance.name} ready again`, async () => (await ready(instance.url)).status === 200);
        await sleep(500);
      }
      await sleep(1000);
    } finally {
      var result = await load.stop();
      balancer.stop();
    }
    console.log(`[fleet e2e] rolling restart: ${result.sent} requests, ${result.ok} ok, ${result.failed.length} failed, ${result.refused} refused; by instance ${JSON.stringify(result.byInstance)}`);
    expect(result.failed).toEqual([]);
    expect(result.refused).toBe(0);
    expect(result.ok).toBe(result.sent);
    for (const instance of fleet.instances) expect(result.byInstance[instance.name] ?? 0).toBeGreaterThan(50);
  }, 120_000);

  const call = async (url: string, method = 'GET', body?: unknown, headers: Record<string, string> = {}) => {
    const res = await fetch(url, { method, headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers }, body: body === undefined ? undefined : JSON.stringify(body), signal: AbortSignal.timeout(15_000) });
    const text = await res.text();
    return { status: res.status, headers: res.headers, body: (text ? JSON.parse(text) : undefined) as any };
  };

  it('stopping Redis: readiness fails on every instance, the API keeps answering from PostgreSQL, and all recovers with no restart', async () => {
    const [a, b, c] = fleet.instances.map((p) => p.url) as [string, string, string];
    const put = await call(`${a}/users/9`, 'PUT', { name: 'Nine', email: 'nine@example.com' });
    expect(put.status).toBe(200);
    const lsn = { 'x-fleet-lsn': put.headers.get('x-fleet-lsn')! };
    const login = await call(`${a}/login`, 'POST', { userId: 'grace' });
    const cookie = login.headers.getSetCookie().map((x) => x.split(';')[0]).join('; ');

    await redis.stop();
    try {
      for (const url of [a, b, c]) {
        const probe = await eventually(`readiness of ${url} fails`, async () => { const r = await ready(url); return r.status === 503 ? r : undefined; });
        expect(probe.body.checks.redis.status).toBe('down');
        expect((await fetch(`${url}/health/live`)).status).toBe(200); // alive: no restart wanted
      }
      // What does not need Redis keeps working: plain routes, cached reads (from PostgreSQL), and
      // the rate-limited list (onStoreError: 'allow').
      expect((await call(`${b}/hello`)).status).toBe(200);
      expect(await call(`${b}/users/9`, 'GET', undefined, lsn)).toMatchObject({ status: 200, body: { id: 9, name: 'Nine' } });
      expect((await call(`${c}/api/users?limit=1`)).status).toBe(200);
      // What cannot work without Redis says so with a 503 and a stable code, never a 500.
      for (const res of [await call(`${c}/me`, 'GET', undefined, { cookie }), await call(`${c}/login`, 'POST', { userId: 'x' })]) {
        expect([res.status, res.body.code]).toEqual([503, 'FLEET_ERR_REDIS_UNAVAILABLE']);
      }
      const order = await call(`${c}/orders`, 'POST', { items: [{ sku: 'A-1', qty: 1 }] });
      expect([order.status, order.body.code]).toEqual([503, 'FLEET_ERR_JOBS_ENQUEUE_FAILED']);
    } finally {
      await redis.start();
    }
    for (const url of [a, b, c]) await eventually(`readiness of ${url} back`, async () => (await ready(url)).status === 200, 30_000);
    // Back without a restart: the session (Redis kept it on disk), enqueueing, the cache.
    expect(await call(`${b}/me`, 'GET', undefined, { cookie })).toMatchObject({ status: 200, body: { userId: 'grace' } });
    const placed = await eventually('an order is accepted again', async () => { const r = await call(`${a}/orders`, 'POST', { items: [{ sku: 'A-1', qty: 1 }] }); return r.status === 202 ? r : undefined; });
    const token = { 'x-fleet-lsn': placed.headers.get('x-fleet-lsn')! };
    await eventually('its jobs complete on the worker', async () => {
      const { body } = await call(`${c}/orders/${placed.body.orderId}`, 'GET', undefined, token);
      return body.warehouseNotifiedAt && body.confirmationSentAt && body.invoicePdf;
    }, 30_000);
    expect(fleet.processes.every((p) => p.exits.length === 0 || p.name.startsWith('instance'))).toBe(true);
  }, 120_000);

  it('stopping the replica: readiness says degraded (still 200), reads go to the primary, and the replica is used again when it is back', async () => {
    const [a, b] = fleet.instances.map((p) => p.url) as [string, string, string];
    await replica.stop();
    try {
      for (const url of fleet.instances.map((p) => p.url)) {
        const probe = await eventually(`readiness of ${url} degraded`, async () => {
          const r = await ready(url);
          return r.body.checks.postgres.detail.replicas[0].state === 'down' ? r : undefined;
        });
        expect([probe.status, probe.body.status, probe.body.checks.postgres.status]).toEqual([200, 'degraded', 'degraded']);
      }
      const put = await call(`${a}/users/10`, 'PUT', { name: 'Ten', email: 'ten@example.com' });
      expect(put.status).toBe(200);
      // No token: an ordinary read, which would go to the replica, is served by the primary.
      expect(await call(`${b}/users/10`)).toMatchObject({ status: 200, body: { id: 10, name: 'Ten' } });
    } finally {
      await replica.start();
    }
    for (const url of fleet.instances.map((p) => p.url)) {
      await eventually(`readiness of ${url} up again`, async () => {
        const r = await ready(url);
        return r.body.checks.postgres.status === 'up' && r.body.checks.postgres.detail.replicas[0].state === 'up';
      }, 30_000);
    }
  }, 120_000);
});
