import { describe, expect, it } from 'vitest';
import { Async, Injectable, JobsModule, Module, RedisConnection, Scheduled, enqueued } from '@fleet/core';
import { createTestApp, type TestApp } from '@fleet/testing';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

@Injectable()
class Orders {
  constructor(private readonly redis: RedisConnection) {}

  /** What ran, in this app's own key space: a job run by another app's worker would land elsewhere. */
  log(): Promise<string[]> { return this.redis.client.lrange(this.redis.key('log'), 0, -1); }
  private async record(entry: string): Promise<void> { await this.redis.client.rpush(this.redis.key('log'), entry); }

  @Async({ attempts: 1 })
  async sendEmail(to: string) {
    await this.record(`email:${to}`);
    return { sent: to };
  }

  // A minute of backoff: a drain that waited for it would time out; it promotes the retry instead.
  @Async({ queue: 'billing', attempts: 2, backoff: { type: 'fixed', delay: '1m', jitter: 0 } })
  async renderInvoice(orderId: string) {
    await this.record(`invoice:${orderId}`);
    if (orderId.startsWith('bad')) throw new Error(`invoice ${orderId} cannot be rendered`);
    return orderId.length;
  }

  /** A job that enqueues another: the drain follows it. */
  @Async({ queue: 'billing' })
  async closeOrder(orderId: string) {
    await this.record(`close:${orderId}`);
    await this.sendEmail(`receipt-${orderId}`);
  }

  @Async({ delay: '1h' })
  async remindLater(orderId: string) {
    await this.record(`remind:${orderId}`);
  }

  @Async({ attempts: 1 })
  async slow(ms: number) {
    await sleep(ms);
    await this.record(`slow:${ms}`);
  }

  // Its scheduler always keeps the next tick (1 January) delayed: a drain must neither wait for it nor run it.
  @Scheduled('0 3 1 1 *')
  async hourly() {
    await this.record('hourly');
  }
}

@Module({ imports: [JobsModule], providers: [Orders] })
class OrdersApp {}

const webOnly = { FLEET_ROLE: 'web', FLEET_JOBS_DRAIN_MS: '2000' };

describe('jobs.drain()', () => {
  it('runs every queued job of a web-only app on an in-process worker, follows jobs enqueued by jobs, and reports the failures', async () => {
    const t = await createTestApp(OrdersApp, { env: { ...process.env, ...webOnly } });
    try {
      const orders = t.get(Orders);
      await Promise.all([orders.sendEmail('ada'), orders.sendEmail('bob'), orders.renderInvoice('o-1'), orders.renderInvoice('bad-2'), orders.closeOrder('o-3')]);
      await orders.remindLater('o-4');
      await sleep(200);
      expect(await orders.log()).toEqual([]); // a web instance runs nothing by itself

      const report = await t.jobs.drain();
      expect(report.completed).toBe(6); // 2 emails, o-1, the close, its receipt email, o-4's reminder (promoted)
      expect(report.failed).toBe(1);
      expect(report.failures).toEqual([{ id: expect.stringMatching(/^billing:/), name: 'Orders.renderInvoice', error: 'invoice bad-2 cannot be rendered' }]);
      expect(report.jobs.find((j) => j.name === 'Orders.renderInvoice' && j.state === 'completed')?.returnValue).toBe(3);
      const log = await orders.log();
      expect(log.filter((e) => e === 'invoice:bad-2')).toHaveLength(2); // both attempts ran: the backoff was promoted
      expect(new Set(log)).toEqual(new Set(['email:ada', 'email:bob', 'invoice:o-1', 'invoice:bad-2', 'close:o-3', 'email:receipt-o-3', 'remind:o-4']));
      expect(log).not.toContain('hourly');

      // The next drain reports only what finished since.
      await orders.sendEmail('cy');
      expect(await t.jobs.drain()).toMatchObject({ completed: 1, failed: 0, failures: [] });
      expect(await t.jobs.drain()).toMatchObject({ completed: 0, failed: 0, jobs: [] });
    } finally {
      await t.close();
    }
  });

  it('waits for the workers of an app that runs them itself', async () => {
    const t = await createTestApp(OrdersApp, { env: { ...process.env, FLEET_ROLE: 'all' } });
    try {
      const orders = t.get(Orders);
      for (let i = 0; i < 8; i++) await orders.sendEmail(`user-${i}`);
      await orders.renderInvoice('bad-9');
      const report = await t.jobs.drain();
      expect(report).toMatchObject({ completed: 8, failed: 1 });
      expect(report.failures[0]!.error).toBe('invoice bad-9 cannot be rendered');
      expect((await orders.log()).filter((e) => e.startsWith('email:'))).toHaveLength(8);
    } finally {
      await t.close();
    }
  });

  it('gives up at its timeout, naming the jobs still pending', async () => {
    const t = await createTestApp(OrdersApp, { env: { ...process.env, ...webOnly } });
    try {
      const { jobId } = await enqueued(t.get(Orders).slow(1500));
      const error = await t.jobs.drain({ timeout: '300ms' }).catch((e: Error) => e);
      expect(error).toBeInstanceOf(Error);
      expect((error as Error).message).toContain('1 job(s) still pending');
      expect((error as Error).message).toContain(`${jobId} Orders.slow`);
    } finally {
      await t.close();
    }
  });

  it('keeps two apps draining at once to their own jobs', async () => {
    const [a, b] = await Promise.all([createTestApp(OrdersApp, { env: { ...process.env, ...webOnly } }), createTestApp(OrdersApp, { env: { ...process.env, ...webOnly } })]);
    try {
      for (const n of [1, 2]) await a.get(Orders).sendEmail(`a-${n}`);
      for (const n of [1, 2, 3]) await b.get(Orders).sendEmail(`b-${n}`);
      const [ra, rb] = await Promise.all([a.jobs.drain(), b.jobs.drain()]);
      expect([ra.completed, rb.completed]).toEqual([2, 3]);
      expect((await a.get(Orders).log()).sort()).toEqual(['email:a-1', 'email:a-2']);
      expect((await b.get(Orders).log()).sort()).toEqual(['email:b-1', 'email:b-2', 'email:b-3']);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });
});

describe('jobs.waitFor()', () => {
  it("resolves with a job's result, and rejects naming a job that failed with its error", async () => {
    const t: TestApp = await createTestApp(OrdersApp, { env: { ...process.env, ...webOnly } });
    try {
      const orders = t.get(Orders);
      const done = await t.jobs.waitFor(await enqueued(orders.sendEmail('dee')));
      expect(done).toMatchObject({ state: 'completed', name: 'Orders.sendEmail', returnValue: { sent: 'dee' } });
      const { jobId } = await enqueued(orders.renderInvoice('bad-5'));
      await expect(t.jobs.waitFor(jobId, { timeout: '10s' })).rejects.toThrow(`Job ${jobId} (Orders.renderInvoice) failed its last attempt (2 of 2): invoice bad-5 cannot be rendered`);
      await expect(t.jobs.waitFor('billing:no-such-job')).rejects.toThrow(/no queue of this app has a job/);
    } finally {
      await t.close();
    }
  });

  it('says the app has no jobs when it does not import JobsModule', async () => {
    @Module({}) class Plain {}
    const t = await createTestApp(Plain);
    try {
      await expect(t.jobs.drain()).rejects.toThrow(/does not import JobsModule/);
    } finally {
      await t.close();
    }
  });
});
