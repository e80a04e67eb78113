import { parseDuration, type Duration, type JobRef, type Jobs, type JobStatus, type PendingJob } from '@fleet/core';

/** Options of `jobs.drain()`. */
export interface DrainOptions {
  /** Give up after this long, with an error listing the jobs still pending. @default '20s' */
  timeout?: Duration;
  /**
   * Delayed jobs (a `delay` option, or a retry waiting for its backoff): `'promote'` makes them due
   * at once, so a drain runs every attempt without sleeping through backoffs; `'wait'` waits for
   * them in real time. A `@Scheduled` tick that is not due yet is never waited for (its scheduler
   * always keeps the next one queued).
   * @default 'promote'
   */
  delayed?: 'promote' | 'wait';
}

/** Options of `jobs.waitFor()`. */
export interface WaitForOptions {
  /** Give up after this long, with an error saying where the job is. @default '20s' */
  timeout?: Duration;
  /** The job is delayed (a `delay`, a retry's backoff): `'promote'` makes it due at once. @default 'promote' */
  delayed?: 'promote' | 'wait';
}

/** What a drain ran: every job that finished since the app started or the previous `drain()`. */
export interface DrainReport {
  /** Jobs that completed. */
  completed: number;
  /** Jobs that failed their last attempt. */
  failed: number;
  /** The failed ones: id, job name (`Class.method`) and the last attempt's error message. */
  failures: Array<{ id: string; name: string; error: string }>;
  /** Every finished job, in the order they finished (with `returnValue` for completed ones). */
  jobs: JobStatus[];
}

const DEFAULT_TIMEOUT = '20s';
const POLL_MS = 20;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * The `@Async` jobs of a test app (`t.jobs`), run to completion inside the test. When the app
 * runs workers (`FLEET_ROLE` `all`, the default, or `worker`) they do the work and `drain()`
 * waits; a web-only app (`FLEET_ROLE=web`) gets a worker in this process, running the app's own
 * job methods, for the duration of the call. Only the app's queues (under its Redis key prefix)
 * are looked at, so parallel test apps never run or wait for each other's jobs.
 */
export class TestJobs {
  /** Finished jobs already reported (`id@finishedAt`: a retried job that finishes again is new). */
  private readonly reported = new Set<string>();

  /**
   * @internal
   * @param jobs The app's `Jobs`; undefined when it does not import JobsModule.
   * @param since When the app started booting (ms since epoch): jobs that finished earlier (left
   *   under a shared key prefix by an earlier run) are never reported.
   */
  constructor(private readonly jobs: Jobs | undefined, private readonly since: number) {}

  /**
   * Runs (or waits for) every queued job of the app until no queue has a waiting, delayed or
   * active job (checked twice in a row, so a job that enqueues another is followed), then reports
   * what finished. A failed job does not make it reject: look at `failed` and `failures`.
   */
  async drain(options: DrainOptions = {}): Promise<DrainReport> {
    const jobs = this.need('drain');
    const timeoutMs = parseDuration(options.timeout ?? DEFAULT_TIMEOUT, 'jobs.drain() timeout');
    const deadline = Date.now() + timeoutMs;
    await this.withWorker(jobs, async () => {
      let emptyPasses = 0;
      for (;;) {
        const pending = (await jobs.pending()).filter((j) => !(j.scheduled && j.delayed));
        if (pending.length === 0) {
          if (++emptyPasses >= 2) return;
        } else {
          emptyPasses = 0;
          if (options.delayed !== 'wait') await Promise.all(pending.filter((j) => j.delayed).map((j) => jobs.promote(j.id)));
          if (Date.now() >= deadline) throw drainTimeout(pending, timeoutMs);
        }
        await sleep(POLL_MS);
      }
    });
    return this.report(jobs);
  }

  /**
   * Waits until one job finished: resolves with its status (`returnValue` holds what the method
   * returned), rejects naming the job and its error when it failed its last attempt, or when it is
   * still unfinished at the timeout. Takes the id or what calling the `@Async` method resolved to.
   */
  async waitFor(job: string | JobRef, options: WaitForOptions = {}): Promise<JobStatus> {
    const jobs = this.need('waitFor');
    const id = typeof job === 'string' ? job : job.jobId;
    const timeoutMs = parseDuration(options.timeout ?? DEFAULT_TIMEOUT, 'jobs.waitFor() timeout');
    const deadline = Date.now() + timeoutMs;
    return this.withWorker(jobs, async () => {
      for (;;) {
        const s = await jobs.status(id);
        if (!s) throw new Error(`jobs.waitFor('${id}'): no queue of this app has a job with this id. Fix: pass the jobId that calling the @Async method resolved to (enqueued(...)), on the test app that enqueued it.`);
        if (s.state === 'completed') return s;
        if (s.state === 'failed') {
          throw new Error(`Job ${id} (${s.name}) failed its last attempt (${s.attemptsMade} of ${s.attempts}): ${s.failedReason ?? 'no error message'}`);
        }
        if (Date.now() >= deadline) {
          throw new Error(`jobs.waitFor('${id}'): job ${s.name} is still ${describe(s)} after ${timeoutMs} ms. ` +
            'Fix: check that it cannot hang (give its @Async a timeout), or raise { timeout }.');
        }
        if (s.delayed && options.delayed !== 'wait') await jobs.promote(id);
        await sleep(POLL_MS);
      }
    });
  }

  /** The finished jobs not reported yet, oldest first. */
  private async report(jobs: Jobs): Promise<DrainReport> {
    const fresh = (await jobs.finished({ limit: 100_000 }))
      .filter((j) => (j.finishedAt ?? 0) >= this.since && !this.reported.has(finishKey(j))).reverse();
    for (const j of fresh) this.reported.add(finishKey(j));
    const failed = fresh.filter((j) => j.state === 'failed');
    return {
      completed: fresh.length - failed.length,
      failed: failed.length,
      failures: failed.map((j) => ({ id: j.id, name: j.name, error: j.failedReason ?? '' })),
      jobs: fresh,
    };
  }

  /** Runs `fn` with a worker taking the app's jobs: the app's own, or an extra one on a web-only app. */
  private async withWorker<T>(jobs: Jobs, fn: () => Promise<T>): Promise<T> {
    const extra = jobs.role === 'web' ? await jobs.runWorker() : undefined;
    try {
      return await fn();
    } finally {
      await extra?.close();
    }
  }

  private need(what: string): Jobs {
    if (!this.jobs) {
      throw new Error(`jobs.${what}(): this test app has no jobs (it does not import JobsModule, so nothing enqueues or runs @Async methods). Fix: import JobsModule in the module of the @Async methods.`);
    }
    return this.jobs;
  }
}

const finishKey = (j: JobStatus) => `${j.id}@${j.finishedAt ?? 0}`;

function describe(j: JobStatus): string {
  return `${j.delayed ? 'delayed' : j.state}, ${j.attemptsMade} of ${j.attempts} attempt(s) made${j.failedReason ? `, last error: ${j.failedReason}` : ''}`;
}

function drainTimeout(pending: PendingJob[], timeoutMs: number): Error {
  const shown = pending.slice(0, 20).map((j) => `  ${j.id} ${j.name} (${describe(j)})`);
  if (pending.length > shown.length) shown.push(`  ... and ${pending.length - shown.length} more`);
  return new Error(`jobs.drain(): ${pending.length} job(s) still pending after ${timeoutMs} ms:\n${shown.join('\n')}\n` +
    'Fix: a job that never settles needs a timeout on its @Async; a paused queue or a job that keeps enqueuing more never drains; or raise { timeout }.');
}
