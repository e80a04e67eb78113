import { afterAll, describe, expect, it } from 'vitest';
import * as core from '@fleet/core';
import { Jobs, createApp, enqueued } from '@fleet/core';
import { defineJobsApp, type WorkService } from './fixtures/jobs-app.mjs';
import { Records, jobsEnv, startWorker, type WorkerProcess } from './helpers.js';

// The web side of every test runs in this process (the TypeScript sources); the workers are real
// Node processes running the same job methods over packages/core/dist (built by `npm test`).
const { Work, JobsAppModule } = defineJobsApp(core);

async function fleet(extra: Record<string, string> = {}) {
  const env = jobsEnv(extra);
  const records = new Records(env);
  const web = await createApp(JobsAppModule, { logger: false, env: { ...env, FLEET_ROLE: 'web' } });
  const workers: WorkerProcess[] = [];
  return {
    env, records, web, workers,
    work: () => web.get(Work) as WorkService,
    status: (id: string) => web.get(Jobs).status(id),
    async start(more: Record<string, string> = {}) {
      const w = await startWorker({ ...env, ...more });
      workers.push(w);
      return w;
    },
    async close() {
      for (const w of workers) w.kill();
      await Promise.all(workers.map((w) => w.exited));
      await web.close();
      await records.cleanup();
    },
  };
}

describe('jobs across real worker processes', () => {
  const open: Array<{ close(): Promise<void> }> = [];
  afterAll(async () => { await Promise.allSettled(open.map((f) => f.close())); });

  it('a worker killed with SIGKILL mid-job loses nothing: another worker takes the stalled job and completes it', async () => {
    const f = await fleet();
    open.push(f);
    const [a, b] = await Promise.all([f.start(), f.start()]);
    const { jobId } = await enqueued(f.work().slow('kill-me', 2500));
    await expect.poll(() => f.records.of('start', 'kill-me'), { timeout: 20_000, interval: 50 }).toHaveLength(1);
    const [first] = await f.records.of('start', 'kill-me');
    const victim = first!.pid === a.pid ? a : b;
    const survivor = victim === a ? b : a;
    victim.child.kill('SIGKILL');
    expect(await victim.exited).toBeNull();

    await expect.poll(async () => (await f.status(jobId))?.state, { timeout: 30_000, interval: 100 }).toBe('completed');
    const done = await f.records.of('done', 'kill-me');
    expect(done.map((r) => r.pid)).toEqual([survivor.pid]);
    expect((await f.status(jobId))!.returnValue).toEqual({ id: 'kill-me', pid: survivor.pid });
    expect(survivor.out()).toContain('stalled');
  });

  it('a stopping worker takes no new job, finishes its running one, and exits 0', async () => {
    const f = await fleet({ FLEET_JOBS_DRAIN_MS: '20000' });
    open.push(f);
    const a = await f.start();
    const running = await enqueued(f.work().slow('finish-me', 1500));
    await expect.poll(() => f.records.of('start', 'finish-me'), { timeout: 20_000, interval: 50 }).toHaveLength(1);
    a.child.kill('SIGTERM');
    await expect.poll(() => a.out(), { timeout: 10_000, interval: 25 }).toContain('jobs: stopping workers');
    const later = await enqueued(f.work().slow('after-stop', 10));
    expect(await a.exited).toBe(0);
    expect((await f.records.of('done', 'finish-me')).map((r) => r.pid)).toEqual([a.pid]);
    expect((await f.status(running.jobId))?.state).toBe('completed');
    // Enqueued after the stop began: the stopping worker left it in the queue.
    expect(await f.status(later.jobId)).toMatchObject({ state: 'waiting', attemptsMade: 0 });
    const b = await f.start();
    await expect.poll(async () => (await f.status(later.jobId))?.state, { timeout: 20_000, interval: 50 }).toBe('completed');
    expect((await f.records.of('done', 'after-stop')).map((r) => r.pid)).toEqual([b.pid]);
  });

  it('past the drain deadline, a stopping worker puts its unfinished job back in the queue; another worker completes it', async () => {
    const f = await fleet({ FLEET_JOBS_DRAIN_MS: '300' });
    open.push(f);
    const a = await f.start();
    const { jobId } = await enqueued(f.work().slow('too-long', 4000));
    await expect.poll(() => f.records.of('start', 'too-long'), { timeout: 20_000, interval: 50 }).toHaveLength(1);
    a.child.kill('SIGTERM');
    expect(await a.exited).toBe(0);
    expect(a.out()).toContain('put back in the queue for another worker');
    // Not failed, not counted as an attempt: waiting for the next worker.
    expect(await f.status(jobId)).toMatchObject({ state: 'waiting', attemptsMade: 0 });
    const b = await f.start();
    await expect.poll(async () => (await f.status(jobId))?.state, { timeout: 30_000, interval: 100 }).toBe('completed');
    expect((await f.records.of('done', 'too-long')).map((r) => r.pid)).toEqual([b.pid]);
  });

  it('a schedule fires exactly once per tick with three worker instances running', async () => {
    const f = await fleet();
    open.push(f);
    await Promise.all([f.start({ TICK_EVERY: '1000' }), f.start({ TICK_EVERY: '1000' }), f.start({ TICK_EVERY: '1000' })]);
    await expect.poll(async () => (await f.records.of('tick')).length, { timeout: 30_000, interval: 200 }).toBeGreaterThanOrEqual(6);
    const ticks = await f.records.of('tick');
    const ids = ticks.map((t) => t.id);
    expect(new Set(ids).size).toBe(ids.length);
    // Each tick's job id carries its time: consecutive ticks are one interval apart (none doubled, none skipped).
    const times = ids.map((id) => Number(/:(\d+)$/.exec(id)![1])).sort((x, y) => x - y);
    expect(times.slice(1).map((t, i) => t - times[i]!)).toEqual(times.slice(1).map(() => 1000));
    expect(new Set(ticks.map((t) => t.pid)).size).toBeGreaterThanOrEqual(1);
    expect(await f.web.get(Jobs).schedules()).toEqual([expect.objectContaining({ name: 'Work.tick', every: 1000 })]);
  });
});
