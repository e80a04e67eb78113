import { FleetError } from '../errors.js';
import { parseDuration, type Duration } from '../time/duration.js';

/** How long a failed attempt waits before the next one. */
export interface JobBackoff {
  /** `exponential`: `delay`, then 2x, 4x... `fixed`: `delay` every time. @default 'exponential' */
  type?: 'exponential' | 'fixed';
  /** The first wait (ms or `'1s'`). @default 1000 */
  delay?: Duration;
  /**
   * Randomises each wait down by up to this fraction (0.5: between 50% and 100% of it), so jobs
   * that failed together do not retry together. @default 0.5
   */
  jitter?: number;
}

/**
 * Options of `@Async`. The call enqueues a job and resolves to `{ jobId }` at once; a worker runs
 * the method later, with its other decorators (@Timeout, @CircuitBreaker, @Bulkhead...).
 */
export interface AsyncOptions {
  /** The BullMQ queue: each queue has its own workers (and concurrency) on every worker instance. @default 'default' */
  queue?: string;
  /** Attempts in all, the first included; after the last failure the job stays in the failed list. @default 3 */
  attempts?: number;
  /** Wait between attempts. @default { type: 'exponential', delay: 1000, jitter: 0.5 } */
  backoff?: JobBackoff;
  /** 1 (highest) to 2097152: a waiting job with a lower number runs first. @default none (first in, first out) */
  priority?: number;
  /** Run no earlier than this after the call (ms or `'10s'`). @default 0 */
  delay?: Duration;
  /**
   * Makes a second enqueue of the same work a no-op: calls with the same key get the same job id
   * and enqueue nothing while that job is kept (waiting, active, failed, or completed within
   * `FLEET_JOBS_KEEP_COMPLETED_S`). A function receives the call's arguments:
   * `dedupeKey: (orderId) => orderId`. A string makes every call the same job. @default none
   */
  dedupeKey?: string | ((...args: any[]) => string);
  /**
   * Longest run of one attempt on the worker (ms or `'30s'`): past it the attempt fails with
   * `FLEET_ERR_JOBS_TIMEOUT` (and is retried), and the job's signal aborts. @default none
   */
  timeout?: Duration;
  /**
   * The job's name in Redis, which workers resolve back to this method. Set it to keep jobs
   * already queued runnable across a rename of the class or method. @default 'Class.method'
   */
  name?: string;
}

/** Options of `@Scheduled`, besides the schedule itself. */
export interface ScheduledOptions {
  /** @default 'default' */
  queue?: string;
  /** Attempts per tick. @default 1 */
  attempts?: number;
  /** @default { type: 'exponential', delay: 1000, jitter: 0.5 } */
  backoff?: JobBackoff;
  /** Longest run of one attempt. @default none */
  timeout?: Duration;
  /** Time zone of a cron pattern, e.g. `'Europe/Paris'`. @default the server's */
  tz?: string;
  /** The scheduler's id and the job name. @default 'Class.method' */
  name?: string;
}

/** When a `@Scheduled` method runs: a cron pattern (`'*\/5 * * * *'`, seconds optional first) or a fixed interval. */
export type Schedule = string | { every: Duration };

/** @internal Options resolved and validated at decoration time. */
export interface ResolvedJobOptions {
  name: string;
  queue: string;
  attempts: number;
  backoff: { type: 'exponential' | 'fixed'; delay: number; jitter: number };
  priority?: number;
  delayMs: number;
  dedupeKey?: string | ((...args: unknown[]) => string);
  timeoutMs?: number;
}

/** @internal */
export interface ResolvedSchedule {
  /** The repeat options BullMQ's job scheduler takes. */
  repeat: { pattern: string; tz?: string } | { every: number };
  /** How `fleet jobs schedules` and logs show it. */
  label: string;
}

const NAME = /^[\w.-]{1,200}$/;
const CRON_FIELD = /^[\d*/,?LW#A-Za-z-]+$/;

/** @internal Checks one decorator's options; every problem names the method and the fix. */
export class JobOptionChecks {
  constructor(private readonly where: string, private readonly decorator: string) {}

  fail(message: string): never {
    throw new FleetError('FLEET_ERR_JOBS_INVALID_OPTIONS', `${this.decorator} on ${this.where}: ${message}`);
  }

  name(field: string, value: string | undefined, fallback: string): string {
    const v = value ?? fallback;
    if (typeof v !== 'string' || !NAME.test(v)) this.fail(`${field} must be 1-200 letters, digits, '_', '.' or '-'; got ${JSON.stringify(value)}.`);
    return v;
  }

  duration(field: string, value: Duration | undefined, fallback: number): number {
    if (value === undefined) return fallback;
    try {
      return parseDuration(value, field);
    } catch {
      return this.fail(`${field} must be milliseconds or a string like '500ms', '30s', '5m'; got ${JSON.stringify(value)}.`);
    }
  }

  int(field: string, value: number | undefined, fallback: number, min: number, max = Number.MAX_SAFE_INTEGER): number {
    const n = value ?? fallback;
    if (!Number.isInteger(n) || n < min || n > max) this.fail(`${field} must be an integer from ${min} to ${max}; got ${JSON.stringify(value)}.`);
    return n;
  }

  backoff(value: JobBackoff | undefined): ResolvedJobOptions['backoff'] {
    if (value !== undefined && (typeof value !== 'object' || value === null)) this.fail(`backoff must be an object like { type: 'exponential', delay: '1s' }; got ${JSON.stringify(value)}.`);
    const type = value?.type ?? 'exponential';
    if (type !== 'exponential' && type !== 'fixed') this.fail(`backoff.type must be 'exponential' or 'fixed'; got ${JSON.stringify(type)}.`);
    const jitter = value?.jitter ?? 0.5;
    if (typeof jitter !== 'number' || !(jitter >= 0 && jitter <= 1)) this.fail(`backoff.jitter must be a fraction from 0 to 1; got ${JSON.stringify(jitter)}.`);
    return { type, delay: this.duration('backoff.delay', value?.delay, 1000), jitter };
  }
}

/** @internal */
export function resolveAsyncOptions(options: AsyncOptions, where: string): ResolvedJobOptions {
  const c = new JobOptionChecks(where, '@Async');
  if (typeof options !== 'object' || options === null) c.fail(`options must be an object; got ${JSON.stringify(options)}.`);
  const dedupeKey = options.dedupeKey;
  if (dedupeKey !== undefined && typeof dedupeKey !== 'function' && (typeof dedupeKey !== 'string' || dedupeKey.length === 0)) {
    c.fail(`dedupeKey must be a non-empty string or a function of the arguments returning one; got ${JSON.stringify(dedupeKey)}.`);
  }
  const resolved: ResolvedJobOptions = {
    name: c.name('name', options.name, where),
    queue: c.name('queue', options.queue, 'default'),
    attempts: c.int('attempts', options.attempts, 3, 1, 1000),
    backoff: c.backoff(options.backoff),
    delayMs: c.duration('delay', options.delay, 0),
  };
  if (options.priority !== undefined) resolved.priority = c.int('priority', options.priority, 0, 1, 2_097_152);
  if (dedupeKey !== undefined) resolved.dedupeKey = dedupeKey as ResolvedJobOptions['dedupeKey'];
  if (options.timeout !== undefined) resolved.timeoutMs = positive(c, 'timeout', c.duration('timeout', options.timeout, 0));
  return Object.freeze(resolved);
}

/** @internal */
export function resolveScheduledOptions(schedule: Schedule, options: ScheduledOptions, where: string): { job: ResolvedJobOptions; schedule: ResolvedSchedule } {
  const c = new JobOptionChecks(where, '@Scheduled');
  if (typeof options !== 'object' || options === null) c.fail(`options must be an object; got ${JSON.stringify(options)}.`);
  const job: ResolvedJobOptions = {
    name: c.name('name', options.name, where),
    queue: c.name('queue', options.queue, 'default'),
    attempts: c.int('attempts', options.attempts, 1, 1, 1000),
    backoff: c.backoff(options.backoff),
    delayMs: 0,
  };
  if (options.timeout !== undefined) job.timeoutMs = positive(c, 'timeout', c.duration('timeout', options.timeout, 0));
  return { job: Object.freeze(job), schedule: Object.freeze(resolveSchedule(c, schedule, options.tz)) };
}

function resolveSchedule(c: JobOptionChecks, schedule: Schedule, tz: string | undefined): ResolvedSchedule {
  if (typeof schedule === 'string') {
    const fields = schedule.trim().split(/\s+/);
    if (fields.length < 5 || fields.length > 6 || !fields.every((f) => CRON_FIELD.test(f))) {
      c.fail(`${JSON.stringify(schedule)} is not a cron pattern. Fix: five fields (minute hour day-of-month month day-of-week), e.g. '*/5 * * * *', ` +
        `or six with seconds first; or an interval: { every: '30s' }.`);
    }
    if (tz !== undefined && (typeof tz !== 'string' || tz.length === 0)) c.fail(`tz must be an IANA time zone such as 'Europe/Paris'; got ${JSON.stringify(tz)}.`);
    return { repeat: tz === undefined ? { pattern: fields.join(' ') } : { pattern: fields.join(' '), tz }, label: fields.join(' ') + (tz ? ` (${tz})` : '') };
  }
  if (typeof schedule !== 'object' || schedule === null || !('every' in schedule)) {
    return c.fail(`the schedule must be a cron pattern ('*/5 * * * *') or { every: '30s' }; got ${JSON.stringify(schedule)}.`);
  }
  if (tz !== undefined) c.fail('tz applies to cron patterns only, not to { every }.');
  const every = positive(c, 'every', c.duration('every', schedule.every, 0));
  if (every < 100) c.fail(`every must be at least 100 ms; got ${JSON.stringify(schedule.every)}.`);
  return { repeat: { every }, label: `every ${every} ms` };
}

function positive(c: JobOptionChecks, field: string, ms: number): number {
  if (!(ms > 0)) c.fail(`${field} must be more than 0 ms.`);
  return ms;
}
