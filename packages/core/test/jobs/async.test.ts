import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  Async, CurrentJob, Injectable, Jobs, JobsModule, Module, RedisConnection, Scheduled, Signal, Timeout, createApp, describePipeline, enqueued,
  type FleetApp, type JobContext,
} from '@fleet/core';
import { LogCapture, Records, jobsEnv, sleep } from './helpers.js';

const env = jobsEnv();
const records = new Records(env);

@Injectable()
class Mailer {
  constructor(private readonly redis: RedisConnection, private readonly jobs: Jobs) {}

  private async record(event: string, id: string): Promise<void> {
    await this.redis.client.rpush(this.redis.key('log'), JSON.stringify({ event, id, pid: process.pid, role: this.jobs.role, at: Date.now() }));
  }

  @Async({ attempts: 1 })
  async send(to: string, ms: number, @CurrentJob() job?: JobContext) {
    await this.record('start', to);
    await job!.progress(50);
    await sleep(ms);
    await this.record('done', to);
    return { sent: to, attempt: job!.attempt };
  }

  @Async({ attempts: 3, backoff: { type: 'exponential', delay: 200, jitter: 0 } })
  async flaky(id: string, failures: number) {
    const n = await this.redis.client.incr(this.redis.key('attempts', id));
    await this.record('attempt', id);
    if (n <= failures) throw new Error(`flaky ${id} failed on attempt ${n}`);
    return n;
  }

  @Async({ attempts: 2, backoff: { type: 'fixed', delay: 100, jitter: 0 } })
  async fragile(id: string) {
    if (!(await this.redis.client.get(this.redis.key('healed', id)))) throw new Error(`fragile ${id} is broken`);
    await this.record('fragile-done', id);
  }

  @Async({ dedupeKey: (orderId: string) => `order:${orderId}` })
  async once(orderId: string) {
    await this.record('once', orderId);
  }

  @Async({ attempts: 1 })
  @Timeout('150ms')
  async tooSlow(@Signal() signal?: AbortSignal) {
    await sleep(1500);
    await this.record('too-slow-finished', String(signal?.aborted));
  }

  @Async({ attempts: 1, timeout: '150ms' })
  async overrun(@CurrentJob() job?: JobContext) {
    await sleep(1000);
    await this.record('overrun-signal', String(job!.signal.aborted));
  }
}

@Module({ imports: [JobsModule], providers: [Mailer] })
class MailModule {}

describe('@Async on BullMQ (in-process web and worker instances, real Redis)', () => {
  let web: FleetApp;
  let worker: FleetApp | undefined;
  const workerLog = new LogCapture();
  const jobs = () => web.get(Jobs);
  const settled = async (jobId: string, state: 'completed' | 'failed' = 'completed') => {
    await expect.poll(async () => (await jobs().status(jobId))?.state, { timeout: 20_000, interval: 50 }).toBe(state);
    return (await jobs().status(jobId))!;
  };

  beforeAll(async () => {
    web = await createApp(MailModule, { logger: false, env: { ...env, FLEET_ROLE: 'web' } });
  });
  afterAll(async () => {
    await Promise.allSettled([web?.close(), worker?.close()]);
    await records.cleanup();
  });

  it('enqueue resolves to { jobId } before the work runs; the job completes on another (worker) instance', async () => {
    const ref = await enqueued(web.get(Mailer).send('ada@example.com', 300));
    expect(ref).toEqual({ jobId: expect.stringMatching(/^default:\d+$/), queue: 'default' });
    // Nothing runs jobs yet: the web instance only enqueues.
    expect(await jobs().status(ref.jobId)).toMatchObject({ state: 'waiting', attemptsMade: 0, progress: 0, name: 'Mailer.send' });
    expect(await records.of('start')).toEqual([]);

    worker = await createApp(MailModule, { logger: { level: 'info', stream: workerLog.stream } as never, env: { ...env, FLEET_ROLE: 'worker' } });
    // Workers take jobs once the app is ready (listen() or ready()).
    expect(await jobs().status(ref.jobId)).toMatchObject({ state: 'waiting' });
    await worker.ready();
    const done = await settled(ref.jobId);
    expect(done).toMatchObject({ state: 'completed', progress: 50, returnValue: { sent: 'ada@example.com', attempt: 1 } });
    expect((await records.of('done', 'ada@example.com')).map((r) => r.role)).toEqual(['worker']);
    expect(describePipeline(web.get(Mailer), 'send')).toEqual(['Async', 'method']);
  });

  it('a worker instance closed right after it became ready leaves no unhandled rejection behind (BullMQ connections still initialising)', async () => {
    const rejections: unknown[] = [];
    const collect = (reason: unknown) => { rejections.push(reason); };
    process.on('unhandledRejection', collect);
    try {
      for (let i = 0; i < 3; i++) {
        const app = await createApp(MailModule, { logger: false, env: { ...env, FLEET_ROLE: 'worker' } });
        await app.ready();
        await app.close();
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    } finally {
      process.off('unhandledRejection', collect);
    }
    expect(rejections.map(String)).toEqual([]);
  });

  it('checks at the call that the arguments survive JSON', async () => {
    await expect(web.get(Mailer).send(new Date(0) as never, 1)).rejects.toMatchObject({
      code: 'FLEET_ERR_JOBS_ARGUMENT_NOT_JSON', message: expect.stringContaining('Mailer.send() was called with argument #1 = a Date'),
    });
  });

  it('retries a failing job with exponential backoff until it succeeds', async () => {
    const { jobId } = await enqueued(web.get(Mailer).flaky('f1', 2));
    const done = await settled(jobId);
    expect(done).toMatchObject({ returnValue: 3, attemptsMade: 3, attempts: 3 });
    const at = (await records.of('attempt', 'f1')).map((r) => r.at);
    expect(at).toHaveLength(3);
    // Backoff waits are lower bounds: 200 ms, then 400 ms.
    expect(at[1]! - at[0]!).toBeGreaterThanOrEqual(180);
    expect(at[2]! - at[1]!).toBeGreaterThanOrEqual(380);
    expect(workerLog.messages().filter((m) => m.startsWith('job Mailer.flaky attempt'))).toHaveLength(2);
  });

  it('keeps a job that failed its last attempt in the failed list, with its error, and retries it on demand', async () => {
    const { jobId } = await enqueued(web.get(Mailer).fragile('x1'));
    const failed = await settled(jobId, 'failed');
    expect(failed).toMatchObject({ attemptsMade: 2, failedReason: 'fragile x1 is broken' });
    const list = await jobs().failed();
    expect(list.find((j) => j.id === jobId)).toMatchObject({ name: 'Mailer.fragile', args: ['x1'], failedReason: 'fragile x1 is broken', attemptsMade: 2 });
    expect(list.find((j) => j.id === jobId)!.stacktrace.join('\n')).toContain('fragile x1 is broken');
    expect(workerLog.lines.some((l) => l.jobId === jobId && String(l.msg).includes('failed its last attempt'))).toBe(true);

    await records.redis.set(records.key('healed', 'x1'), '1');
    expect((await jobs().retry(jobId)).state).toMatch(/waiting|active|completed/);
    expect((await settled(jobId)).attemptsMade).toBe(1);
    expect(await records.of('fragile-done', 'x1')).toHaveLength(1);
    await expect(jobs().retry(jobId)).rejects.toMatchObject({ code: 'FLEET_ERR_JOBS_NOT_FAILED', statusCode: 409 });
    await expect(jobs().retry('no-such-job')).rejects.toMatchObject({ code: 'FLEET_ERR_JOBS_NOT_FOUND', statusCode: 404 });
  });

  it('makes a second enqueue with the same dedupeKey a no-op: same job id, one run', async () => {
    const mailer = web.get(Mailer);
    const [a, b] = await Promise.all([enqueued(mailer.once('o-1')), enqueued(mailer.once('o-1'))]);
    expect(a.jobId).toBe('default:Mailer.once!order%3Ao-1');
    expect(b).toEqual(a);
    await settled(a.jobId);
    expect(await enqueued(mailer.once('o-1'))).toEqual(a);
    expect(await jobs().status(a.jobId)).toMatchObject({ state: 'completed', attemptsMade: 1 });
    expect(await records.of('once', 'o-1')).toHaveLength(1);
    expect((await enqueued(mailer.once('o-2'))).jobId).toBe('default:Mailer.once!order%3Ao-2');
  });

  it('runs the method with its other decorators on the worker (@Timeout aborts the @Signal)', async () => {
    expect(describePipeline(web.get(Mailer), 'tooSlow')).toEqual(['Async', 'Timeout', 'method']);
    const { jobId } = await enqueued(web.get(Mailer).tooSlow());
    expect((await settled(jobId, 'failed')).failedReason).toMatch(/did not finish within 150 ms/);
  });

  it('fails an attempt that runs past the timeout of @Async, aborting the job signal', async () => {
    const { jobId } = await enqueued(web.get(Mailer).overrun());
    const failed = await settled(jobId, 'failed');
    expect(failed.failedReason).toContain('ran longer than its timeout of 150 ms');
    await expect.poll(() => records.of('overrun-signal'), { timeout: 5000 }).toEqual([expect.objectContaining({ id: 'true' })]);
  });
});

describe('boot checks of job methods', () => {
  it('refuses @Async without JobsModule, invalid options and two methods with one job name, all at once', async () => {
    @Injectable()
    class A {
      @Async() async one() {}
      @Async({ attempts: -1 }) async two() {}
    }
    @Injectable()
    class B {
      @Async({ name: 'A.one' }) async other() {}
      @Scheduled('not a cron') async tick() {}
    }
    @Module({ providers: [A, B] })
    class NoJobs {}
    const error = await createApp(NoJobs, { logger: false }).then(() => undefined, (e: unknown) => e as { code: string; errors: Array<{ code: string; message: string }> });
    expect(error?.code).toBe('FLEET_ERR_BOOT_FAILED');
    expect(error!.errors.map((e) => e.code).sort()).toEqual([
      'FLEET_ERR_JOBS_DUPLICATE_NAME', 'FLEET_ERR_JOBS_INVALID_OPTIONS', 'FLEET_ERR_JOBS_INVALID_OPTIONS', 'FLEET_ERR_JOBS_MODULE_REQUIRED',
    ]);
    expect(error!.errors.find((e) => e.code === 'FLEET_ERR_JOBS_MODULE_REQUIRED')!.message).toContain('A.one, A.two, B.other, B.tick');
  });
});

describe('@Scheduled: the schedule follows the code at each boot', () => {
  const scheduleEnv = { ...jobsEnv(), FLEET_ROLE: 'web' };
  const scheduleRecords = new Records(scheduleEnv);
  afterAll(() => scheduleRecords.cleanup());

  it('creates the job scheduler, updates it when the decorator changes, removes it when the decorator goes', async () => {
    const boot = async (module: unknown) => {
      const app = await createApp(module, { logger: false, env: scheduleEnv });
      try { return await app.get(Jobs).schedules(); } finally { await app.close(); }
    };
    @Injectable() class ReportsV1 { @Scheduled({ every: '1h' }, { name: 'Reports.hourly' }) async run() {} }
    @Injectable() class ReportsV2 { @Scheduled('0 * * * *', { name: 'Reports.hourly', tz: 'Europe/Paris' }) async run() {} }
    @Injectable() class ReportsV3 { async run() {} }
    @Module({ imports: [JobsModule], providers: [ReportsV1] }) class V1 {}
    @Module({ imports: [JobsModule], providers: [ReportsV2] }) class V2 {}
    @Module({ imports: [JobsModule], providers: [ReportsV3] }) class V3 {}

    expect(await boot(V1)).toEqual([expect.objectContaining({ name: 'Reports.hourly', queue: 'default', every: 3_600_000 })]);
    const v2 = await boot(V2);
    expect(v2).toEqual([expect.objectContaining({ name: 'Reports.hourly', pattern: '0 * * * *', tz: 'Europe/Paris' })]);
    expect(v2[0]!.every).toBeUndefined();
    expect(await boot(V3)).toEqual([]);
  });
});
