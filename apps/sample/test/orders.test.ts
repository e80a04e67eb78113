import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Jobs } from '@fleet/core';
import { createTestApp, type TestApp } from '@fleet/testing';
import { AppModule } from '../src/app.module.js';
import { AppConfig } from '../src/config.js';
import { sampleEnv } from '../src/env.js';
import { OrdersService } from '../src/orders/orders.service.js';

const workerScript = fileURLToPath(new URL('../dist/worker.js', import.meta.url));

async function admin(text: string, values: unknown[] = []): Promise<pg.QueryResult> {
  const client = new pg.Client({ connectionString: 'postgres://postgres@127.0.0.1:5432/test', application_name: 'fleet-test-admin' });
  await client.connect();
  try { return await client.query(text, values); } finally { await client.end(); }
}

describe('sample orders: POST answers 202 at once, the work runs on a worker process, GET shows each job', () => {
  const schema = `t_${randomBytes(5).toString('hex')}`;
  const search = `?options=${encodeURIComponent(`-c search_path=${schema}`)}`;
  const env = sampleEnv({
    DATABASE_URL: `postgres://postgres@127.0.0.1:5432/test${search}`,
    DATABASE_REPLICA_URLS: `postgres://postgres@127.0.0.1:5433/test${search}`,
    REDIS_KEY_PREFIX: `test:${randomUUID()}:`,
    FLEET_APP: `sample${randomBytes(3).toString('hex')}`,
  });
  let web: TestApp;
  let worker: ChildProcess | undefined;
  let workerOut = '';
  let workerExit: Promise<number | null> | undefined;

  beforeAll(async () => {
    await admin(`create schema ${schema}`);
    web = await createTestApp(AppModule, { config: AppConfig, env: { ...env, FLEET_ROLE: 'web' } });
    worker = spawn(process.execPath, [workerScript], {
      env: { ...process.env, ...env, WORKER_PORT: '0', HOST: '127.0.0.1', FLEET_JOBS_LOCK_MS: '5000', FLEET_JOBS_STALLED_INTERVAL_MS: '2000' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    worker.stdout!.on('data', (d) => { workerOut += d; });
    worker.stderr!.on('data', (d) => { workerOut += d; });
    workerExit = new Promise((r) => worker!.once('exit', (code) => r(code)));
    await new Promise<void>((resolve, reject) => {
      const timer = setInterval(() => { if (workerOut.includes('Fleet sample worker running jobs')) { clearInterval(timer); resolve(); } }, 50);
      void workerExit!.then(() => { clearInterval(timer); reject(new Error(`the worker exited:\n${workerOut}`)); });
    });
  });
  afterAll(async () => {
    if (worker && worker.exitCode === null) worker.kill('SIGKILL');
    await workerExit;
    await web?.close();
    await admin(`drop schema if exists ${schema} cascade`);
    const redis = new Redis();
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${env.REDIS_KEY_PREFIX}*`, 'COUNT', 500);
      cursor = next;
      if (keys.length) await redis.del(...keys);
    } while (cursor !== '0');
    redis.disconnect();
  });

  it('the worker process serves its probes only: the API is not mounted there', async () => {
    const base = /health on (http:\/\/\S+)\/health\/ready/.exec(workerOut)?.[1];
    expect(base, workerOut).toBeDefined();
    expect((await fetch(`${base}/health/ready`)).status).toBe(200);
    const hello = await fetch(`${base}/hello`);
    expect(hello.status).toBe(404);
    expect(((await hello.json()) as { code: string }).code).toBe('FLEET_ERR_HTTP_ROUTE_NOT_FOUND');
    expect((await fetch(`${base}/orders`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"items":[{"sku":"A-1","qty":1}]}' })).status).toBe(404);
  });

  it('POST /orders saves the order and answers 202 { orderId, status: processing } without waiting for the work', async () => {
    await web.request().get('/hello').expect(200);
    const started = performance.now();
    const res = await web.request().post('/orders').send({ items: [{ sku: 'A-1', qty: 2 }] }).expect(202);
    const tookMs = performance.now() - started;
    expect(res.body).toEqual({ orderId: expect.stringMatching(/^[0-9a-f-]{36}$/), status: 'processing' });
    // The fastest of the three jobs takes 1 s, the slowest 3 s: the answer did not wait for any.
    expect(tookMs).toBeLessThan(1000);
    const token = res.headers['x-fleet-lsn'] as string;
    const first = (await web.request().get(`/orders/${res.body.orderId}`).set('x-fleet-lsn', token).expect(200)).body;
    expect(first).toMatchObject({ orderId: res.body.orderId, status: 'processing', items: [{ sku: 'A-1', qty: 2 }], invoicePdf: null });
    expect(Object.values(first.jobs as Record<string, { state: string } | null>).every((j) => j !== null && j.state !== 'completed')).toBe(true);

    await expect.poll(async () => {
      const order = (await web.request().get(`/orders/${res.body.orderId}`).set('x-fleet-lsn', token)).body as { jobs: Record<string, { state: string }> };
      return Object.values(order.jobs).map((j) => j.state);
    }, { timeout: 30_000, interval: 250 }).toEqual(['completed', 'completed', 'completed']);
    const done = (await web.request().get(`/orders/${res.body.orderId}`).set('x-fleet-lsn', token).expect(200)).body;
    expect(done).toMatchObject({
      invoicePdf: `https://invoices.example.com/${res.body.orderId}.pdf`,
      confirmationSentAt: expect.any(String), warehouseNotifiedAt: expect.any(String),
      jobs: { confirmationEmail: { state: 'completed', attemptsMade: 1, attempts: 5 }, invoicePdf: { state: 'completed' }, warehouse: { state: 'completed' } },
    });
  });

  it('enqueues each job of an order once: the job ids are keyed by the order', async () => {
    const res = await web.request().post('/orders').send({ items: [{ sku: 'B-2', qty: 1 }] }).expect(202);
    const { orderId } = res.body as { orderId: string };
    const order = (await web.request().get(`/orders/${orderId}`).set('x-fleet-lsn', res.headers['x-fleet-lsn'] as string).expect(200)).body;
    expect(order.jobs.invoicePdf.id).toBe(`default:OrdersService.generateInvoicePdf!${orderId}`);
    const again = await web.get(OrdersService).generateInvoicePdf(orderId) as unknown as { jobId: string };
    expect(again.jobId).toBe(order.jobs.invoicePdf.id);
  });

  it('registers the expiry schedule once for the fleet; the scheduled method expires unpaid orders', async () => {
    expect((await web.get(Jobs).schedules()).filter((s) => s.name === 'OrdersService.expireUnpaidOrders')).toEqual([
      expect.objectContaining({ pattern: '* * * * *', queue: 'default' }),
    ]);
    const res = await web.request().post('/orders').send({ items: [{ sku: 'C-3', qty: 1 }] }).expect(202);
    await admin(`update ${schema}.orders set created_at = now() - interval '31 minutes' where id = $1`, [res.body.orderId]);
    expect(await web.get(OrdersService).expireUnpaidOrders()).toBeGreaterThanOrEqual(1);
    const order = await web.request().get(`/orders/${res.body.orderId}`).set('x-fleet-lsn', res.headers['x-fleet-lsn'] as string).expect(200);
    expect(order.body.status).toBe('expired');
  });

  it('answers 400 for an empty order and 404 for an unknown one', async () => {
    expect((await web.request().post('/orders').send({ items: [] }).expect(400)).body.code).toBe('FLEET_ERR_HTTP_VALIDATION');
    await web.request().get(`/orders/${randomUUID()}`).expect(404);
  });
});
