import { FleetError } from '../errors.js';
import { Injectable } from '../di/decorators.js';
import type { OnShutdown } from '../di/lifecycle.js';
import { Logger } from '../app/logger.js';
import type { HealthResult } from '../health/indicator.js';
import { RedisConfig } from '../redis/redis-config.js';
import { FrameworkOwned } from '../state/allow-state.js';
import type { JobEntry } from './job-entry.js';
import type { FailedJob, JobStatus, PendingJob, ScheduleInfo } from './job-types.js';
import { JobsConfig } from './jobs-config.js';
import type { JobsRuntime, RuntimeOptions } from './runtime.js';
import type { ProcessorDeps } from './processor.js';

/** @internal What the boot step hands to `Jobs.start`. */
export interface JobsStartPlan {
  entries: JobEntry[];
  processor: Omit<ProcessorDeps, 'waitingError' | 'metrics'>;
  /** Builds the enqueue function of an @Async entry, once the queues exist. */
  install(runtime: JobsRuntime, entry: JobEntry): void;
}

/**
 * The app's jobs (provided by JobsModule): status by id for app code (`GET /orders/:id`), the
 * failed list and retry (also `fleet jobs failed` / `fleet jobs retry <id>`), the schedules.
 * BullMQ is loaded at boot, and only by apps that import JobsModule. It is also a readiness
 * check named `jobs` (critical on worker instances).
 */
@Injectable()
@FrameworkOwned()
export class Jobs implements OnShutdown {
  readonly healthName = 'jobs';
  private runtime?: JobsRuntime;
  private plan?: JobsStartPlan;
  private workersStarted = false;
  /** Extra in-process workers (`runWorker()`), closed on shutdown. */
  private readonly extraWorkers = new Set<JobsRuntime>();

  constructor(private readonly config: JobsConfig, private readonly redisConfig: RedisConfig, private readonly log: Logger) {}

  /** What this instance runs (`FLEET_ROLE`): `web` enqueues only, `worker` runs jobs, `all` both. */
  get role(): 'web' | 'worker' | 'all' { return this.config.FLEET_ROLE; }

  /** A `jobs` readiness failure makes a worker instance not ready; a web instance only degraded. */
  get healthCritical(): boolean { return this.role === 'worker'; }

  /** Where a job is (`waiting | active | completed | failed`), its attempts and progress; undefined when no queue has it. */
  status(jobId: string): Promise<JobStatus | undefined> {
    return this.started('status').inspector.status(jobId);
  }

  /** Jobs that failed their last attempt, most recent first (each with its error and arguments). */
  failed(options: { queue?: string; limit?: number } = {}): Promise<FailedJob[]> {
    return this.started('failed').inspector.failed(options);
  }

  /** Runs a failed job again with all its attempts. FLEET_ERR_JOBS_NOT_FOUND or _NOT_FAILED otherwise. */
  retry(jobId: string): Promise<JobStatus> {
    return this.started('retry').inspector.retry(jobId);
  }

  /** Jobs not finished yet (waiting, delayed, active) in the app's queues, oldest first. */
  pending(): Promise<PendingJob[]> {
    return this.started('pending').inspector.pending();
  }

  /** Completed and failed jobs still kept (FLEET_JOBS_KEEP_*_S), most recently finished first. @default limit 1000 */
  finished(options: { limit?: number } = {}): Promise<JobStatus[]> {
    return this.started('finished').inspector.finished(options);
  }

  /** Makes a delayed job (its delay, or a retry's backoff) due now; false when it is not delayed. */
  promote(jobId: string): Promise<boolean> {
    return this.started('promote').inspector.promote(jobId);
  }

  /**
   * Runs this app's job methods on an extra worker in this process, whatever FLEET_ROLE says,
   * until `close()` (or shutdown): how `@fleet/testing` drains the queues of a web-only test app.
   * It has its own Redis connections and the app's concurrency and lock settings.
   */
  async runWorker(): Promise<{ close(): Promise<void> }> {
    this.started('runWorker');
    const plan = this.plan!;
    const [{ JobsRuntime }, options] = await Promise.all([import('./runtime.js'), this.runtimeOptions()]);
    const runtime = await JobsRuntime.open(options);
    this.extraWorkers.add(runtime);
    const close = async () => { this.extraWorkers.delete(runtime); await runtime.close(); };
    try {
      await runtime.startWorkers(new Map(plan.entries.map((e) => [e.name, e])), plan.processor);
      await runtime.workersReady();
    } catch (error) {
      await close();
      throw error;
    }
    return { close };
  }

  /** The job schedulers in Redis (one per @Scheduled method). */
  schedules(): Promise<ScheduleInfo[]> {
    return this.started('schedules').inspector.schedules();
  }

  checkHealth(): HealthResult {
    return this.runtime ? this.runtime.health(this.role) : { status: 'down', detail: { role: this.role, error: 'not started' } };
  }

  /**
   * @internal The boot step: loads BullMQ, registers the queues, installs the enqueuers and syncs
   * the schedules. Workers start later, when the app is ready (`startWorkers`). On failure, what it
   * opened is closed.
   */
  async start(plan: JobsStartPlan): Promise<void> {
    if (this.runtime) return;
    const [{ JobsRuntime }, options] = await Promise.all([import('./runtime.js'), this.runtimeOptions()]);
    const runtime = await JobsRuntime.open(options);
    this.runtime = runtime;
    try {
      await runtime.register([...new Set(plan.entries.map((e) => e.queue))]);
      for (const entry of plan.entries) if (entry.enqueues) plan.install(runtime, entry);
      await runtime.syncSchedules(plan.entries.filter((e) => e.schedule !== undefined));
    } catch (error) {
      await runtime.close();
      this.runtime = undefined;
      throw error;
    }
    this.plan = plan;
  }

  /**
   * @internal On worker instances, starts the workers: when the app is ready (`listen()` or
   * `ready()`), so a boot that only inspects the app (`fleet routes`) takes no job.
   */
  async startWorkers(): Promise<void> {
    const plan = this.plan;
    if (!this.runtime || !plan || this.workersStarted || this.role === 'web' || plan.entries.length === 0) return;
    this.workersStarted = true;
    await this.runtime.startWorkers(new Map(plan.entries.map((e) => [e.name, e])), plan.processor);
  }

  /** @internal Stops taking jobs and waits for running ones (up to FLEET_JOBS_DRAIN_MS): the first step of shutdown. */
  stopWorkers(): Promise<void> {
    return Promise.all([this.runtime?.stopWorkers(), ...[...this.extraWorkers].map((r) => r.stopWorkers())]).then(() => undefined);
  }

  async onShutdown(): Promise<void> {
    await Promise.all([this.runtime?.close(), ...[...this.extraWorkers].map((r) => r.close())]);
    this.extraWorkers.clear();
  }

  private async runtimeOptions(): Promise<RuntimeOptions> {
    const r = this.redisConfig;
    return {
      bullmq: await import('bullmq'), config: this.config, log: this.log,
      redis: { url: r.REDIS_URL, keyPrefix: r.REDIS_KEY_PREFIX, app: r.FLEET_APP, commandTimeoutMs: r.REDIS_COMMAND_TIMEOUT_MS },
    };
  }

  private started(what: string): JobsRuntime {
    if (!this.runtime) {
      throw new FleetError('FLEET_ERR_JOBS_NOT_STARTED', `Jobs.${what}() was called before the application booted the jobs subsystem (or after shutdown). ` +
        'Fix: call it from request handlers, jobs or onInit-free code paths after createApp() resolved.');
    }
    return this.runtime;
  }
}
