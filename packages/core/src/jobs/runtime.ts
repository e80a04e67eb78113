import { hostname } from 'node:os';
import type * as BullMQ from 'bullmq';
import type { Job, Queue, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { FleetError } from '../errors.js';
import type { Logger } from '../app/logger.js';
import type { HealthResult } from '../health/indicator.js';
import { jobKeys, openConnection, type JobKeys } from './connections.js';
import { publicJobId } from './job-id.js';
import type { JobEntry } from './job-entry.js';
import { JobsInspector } from './inspector.js';
import type { JobsConfig } from './jobs-config.js';
import { JobsMetrics } from './jobs-metrics.js';
import { JobProcessor, type ProcessorDeps } from './processor.js';

/** What the runtime is opened with. @internal */
export interface RuntimeOptions {
  bullmq: typeof BullMQ;
  config: JobsConfig;
  redis: { url: string; keyPrefix: string; app: string; commandTimeoutMs: number };
  log: Logger;
}

/**
 * The BullMQ side of an app, opened at boot only by apps that use jobs (this module is loaded
 * with `await import()`): one producer connection shared by the queues, one worker connection
 * shared by the workers (each also opens its blocking connection), the job schedulers, and the
 * stop sequence of the workers.
 * @internal
 */
export class JobsRuntime {
  readonly keys: JobKeys;
  readonly metrics = new JobsMetrics();
  readonly inspector = new JobsInspector(() => this.knownQueues());
  private readonly queues = new Map<string, Queue>();
  private readonly workers: Worker[] = [];
  private processor?: JobProcessor;
  private workerConnection?: Redis;
  private stopping?: Promise<void>;
  private closing?: Promise<void>;

  private constructor(private readonly options: RuntimeOptions, private readonly producer: Redis) {
    this.keys = jobKeys(options.redis.keyPrefix, options.redis.app);
  }

  static async open(options: RuntimeOptions): Promise<JobsRuntime> {
    const { redis, log } = options;
    const producer = await openConnection(redis.url, `fleet:${redis.app}:jobs-producer`, 'producer', redis.commandTimeoutMs, log);
    return new JobsRuntime(options, producer);
  }

  /** The queue by name, created on first use (queues share the producer connection). */
  queue(name: string): Queue {
    let queue = this.queues.get(name);
    if (!queue) {
      queue = new this.options.bullmq.Queue(name, { connection: this.producer, prefix: this.keys.bullPrefix });
      queue.on('error', (err: Error) => this.options.log.warn({ err, queue: name }, 'jobs queue error'));
      this.queues.set(name, queue);
    }
    return queue;
  }

  /** Records the queue names in Redis, so `fleet jobs` and later boots find every queue the app used. */
  async register(names: string[]): Promise<void> {
    for (const name of names) this.queue(name);
    if (names.length > 0) await this.producer.sadd(this.keys.queuesKey, ...names);
  }

  /** Every queue the app has used (this boot's and earlier ones'). */
  async knownQueues(): Promise<Queue[]> {
    for (const name of await this.producer.smembers(this.keys.queuesKey)) this.queue(name);
    return [...this.queues.values()];
  }

  /**
   * One job scheduler per @Scheduled method, upserted (created, or updated when the schedule
   * changed); schedulers no method declares any more are removed. Every instance does it at boot:
   * it is idempotent, and BullMQ gives each tick one job id, so a tick runs once in the fleet.
   */
  async syncSchedules(scheduled: JobEntry[]): Promise<{ upserted: string[]; removed: string[] }> {
    const wanted = new Map<string, Set<string>>();
    const { completedS, failedS } = this.keep;
    for (const e of scheduled) {
      const o = e.options;
      wanted.set(e.queue, (wanted.get(e.queue) ?? new Set()).add(e.name));
      try {
        await this.queue(e.queue).upsertJobScheduler(e.name, e.schedule!.repeat, {
          name: e.name,
          data: { args: [] },
          opts: { attempts: o.attempts, backoff: o.backoff, removeOnComplete: { age: completedS }, removeOnFail: { age: failedS } },
        });
      } catch (cause) {
        throw new FleetError('FLEET_ERR_JOBS_INVALID_OPTIONS', `@Scheduled on ${e.where}: the schedule ${e.schedule!.label} was refused: ${(cause as Error).message}. ` +
          "Fix: use a valid cron pattern ('*/5 * * * *'; check the time zone name) or { every: '30s' }.", { cause });
      }
    }
    const removed: string[] = [];
    for (const queue of await this.knownQueues()) {
      for (const s of await queue.getJobSchedulers(0, -1)) {
        if (wanted.get(queue.name)?.has(s.key)) continue;
        await queue.removeJobScheduler(s.key);
        removed.push(`${queue.name}/${s.key}`);
      }
    }
    if (removed.length > 0) this.options.log.info({ removed }, `jobs: removed ${removed.length} schedule(s) no @Scheduled method declares any more`);
    return { upserted: scheduled.map((e) => `${e.queue}/${e.name}`), removed };
  }

  /** Starts one BullMQ worker per queue that has job methods. */
  async startWorkers(entries: ReadonlyMap<string, JobEntry>, deps: Omit<ProcessorDeps, 'waitingError' | 'metrics'>): Promise<void> {
    if (this.stopping) return;
    const { bullmq, config, redis, log } = this.options;
    this.processor = new JobProcessor(entries, { ...deps, metrics: this.metrics, waitingError: () => new bullmq.WaitingError() });
    this.workerConnection = await openConnection(redis.url, `fleet:${redis.app}:jobs-worker`, 'worker', redis.commandTimeoutMs, log);
    const byName = (job: Job | undefined) => (job ? entries.get(job.name)?.attributes : undefined) ?? {};
    for (const queue of new Set([...entries.values()].map((e) => e.queue))) {
      const worker = new bullmq.Worker(queue, this.processor.process, {
        connection: this.workerConnection,
        prefix: this.keys.bullPrefix,
        name: `${hostname()}:${process.pid}`,
        concurrency: config.FLEET_JOBS_CONCURRENCY,
        lockDuration: config.FLEET_JOBS_LOCK_MS,
        stalledInterval: config.FLEET_JOBS_STALLED_INTERVAL_MS,
        maxStalledCount: config.FLEET_JOBS_MAX_STALLED,
        removeOnComplete: { age: this.keep.completedS },
        removeOnFail: { age: this.keep.failedS },
      });
      worker.on('completed', (job) => this.metrics.completed.add(1, byName(job)));
      worker.on('failed', (job, error) => {
        if (!job) return;
        const attempts = job.opts.attempts ?? 1;
        const id = publicJobId(queue, job.id!);
        const fields = { jobId: id, job: job.name, queue, attemptsMade: job.attemptsMade, attempts, err: error };
        if (job.attemptsMade < attempts && error?.name !== 'UnrecoverableError') {
          this.metrics.retried.add(1, byName(job));
          log.info(fields, `job ${job.name} attempt ${job.attemptsMade} of ${attempts} failed; retried after its backoff`);
        } else {
          this.metrics.failed.add(1, byName(job));
          log.warn(fields, `job ${job.name} (${id}) failed its last attempt; it stays in the failed list ("fleet jobs failed"; "fleet jobs retry ${id}")`);
        }
      });
      worker.on('stalled', (bullId) => {
        const jobId = publicJobId(queue, bullId);
        this.metrics.stalled.add(1, { 'fleet.job.queue': queue });
        log.warn({ jobId, queue }, `job ${jobId} stalled (its worker stopped renewing the lock: killed, or its event loop blocked); it is back in the queue`);
      });
      worker.on('error', (err) => log.warn({ err, queue }, 'jobs worker error'));
      this.workers.push(worker);
    }
    log.info({ queues: this.workers.map((w) => w.name), concurrency: config.FLEET_JOBS_CONCURRENCY }, `jobs: worker running ${entries.size} job method(s)`);
  }

  /** Resolves once every worker's connections are ready (closing a worker before that leaves BullMQ rejections behind). */
  async workersReady(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.waitUntilReady()));
  }

  /**
   * Stops the workers once (idempotent): they take no new jobs at once and wait for running ones
   * up to FLEET_JOBS_DRAIN_MS; past it the unfinished ones are put back in the queue (not
   * dropped, their attempt not counted) for another worker, and their signals abort.
   */
  stopWorkers(): Promise<void> {
    this.stopping ??= (async () => {
      if (this.workers.length === 0) return;
      const { log, config } = this.options;
      const drainMs = config.FLEET_JOBS_DRAIN_MS;
      this.processor?.close();
      // A worker closed while its connections still initialise makes BullMQ disconnect them, and the
      // rejected init commands surface as unhandled rejections (a boot followed at once by a close, as
      // in tests): let them finish first, for at most 2 s (Redis may be the reason we are stopping).
      await within(Promise.allSettled(this.workers.map((w) => w.waitUntilReady())), 2000);
      log.info({ running: this.processor?.activeCount ?? 0, drainMs }, 'jobs: stopping workers: no new jobs; waiting for running ones');
      const closed = Promise.allSettled(this.workers.map((w) => w.close())).then(() => 'closed' as const);
      if (await within(closed, drainMs) === 'closed') return;
      const ids = await this.processor!.abandonAll(`the worker is stopping and its drain deadline (${drainMs} ms) passed`);
      log.warn({ jobs: ids, drainMs }, `jobs: ${ids.length} running job(s) did not finish within ${drainMs} ms; put back in the queue for another worker`);
      if (await within(closed, 2000) !== 'closed') await Promise.allSettled(this.workers.map((w) => w.close(true)));
    })();
    return this.stopping;
  }

  /** Stops the workers, then closes the queues and connections. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      await this.stopWorkers();
      await Promise.allSettled([...this.queues.values()].map((q) => q.close()));
      await Promise.allSettled([this.producer.quit(), this.workerConnection?.quit()]);
    })();
    return this.closing;
  }

  /** Readiness of the jobs subsystem: the producer connection, and the workers when this instance runs them. */
  health(role: string): HealthResult {
    const producer = this.producer.status;
    const workersUp = this.workers.every((w) => w.isRunning());
    const up = producer === 'ready' && (this.stopping !== undefined || workersUp);
    return {
      status: up ? 'up' : 'down',
      detail: { role, redis: producer, queues: [...this.queues.keys()], workers: this.workers.length, running: this.processor?.activeCount ?? 0 },
    };
  }

  /** Retention of finished jobs, in seconds. */
  get keep(): { completedS: number; failedS: number } {
    return { completedS: this.options.config.FLEET_JOBS_KEEP_COMPLETED_S, failedS: this.options.config.FLEET_JOBS_KEEP_FAILED_S };
  }
}

/** Resolves with what `p` resolves to when it settles within `ms`, else with 'deadline'. */
async function within<T>(p: Promise<T>, ms: number): Promise<T | 'deadline'> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<'deadline'>((resolve) => { timer = setTimeout(resolve, ms, 'deadline'); });
  try {
    return await Promise.race([p, deadline]);
  } finally {
    clearTimeout(timer);
  }
}
