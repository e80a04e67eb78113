/** What calling an `@Async` method resolves to. */
export interface JobRef {
  /** Look it up with `jobs.status(jobId)` (or `fleet jobs status <id>`). */
  readonly jobId: string;
  readonly queue: string;
}

/**
 * Types the result of calling an `@Async` method, whose declared return type is the real method's:
 * `const { jobId } = await enqueued(this.generateInvoicePdf(orderId))`.
 */
export function enqueued(call: Promise<unknown>): Promise<JobRef> {
  return call as Promise<JobRef>;
}

/** The running job, given to the `@CurrentJob()` parameter on the worker. */
export interface JobContext {
  readonly id: string;
  /** `Class.method`, or the `name` option. */
  readonly name: string;
  readonly queue: string;
  /** This attempt, from 1. */
  readonly attempt: number;
  /** Attempts in all. */
  readonly attempts: number;
  /** When the job was enqueued (ms since epoch). */
  readonly enqueuedAt: number;
  /** When it was due: the enqueue plus its `delay`; for a scheduled job, its tick. */
  readonly dueAt: number;
  /** Aborts when the attempt times out or the worker stops past its drain deadline. */
  readonly signal: AbortSignal;
  /** Records progress (a number such as a percentage, or a JSON object), shown by `jobs.status()`. */
  progress(value: number | Record<string, unknown>): Promise<void>;
}

/** Where a job is: `waiting` includes delayed (a delay or a retry's backoff) and prioritised jobs. */
export type JobState = 'waiting' | 'active' | 'completed' | 'failed';

/** A job as `jobs.status(id)` reports it. */
export interface JobStatus {
  id: string;
  name: string;
  queue: string;
  state: JobState;
  /** Waiting for a delay or a retry's backoff (a kind of `waiting`). */
  delayed: boolean;
  /** Attempts that ended (failed or completed). */
  attemptsMade: number;
  /** Attempts allowed in all. */
  attempts: number;
  /** What the job last reported with `progress()`; 0 until then. */
  progress: number | Record<string, unknown>;
  /** The last attempt's error message, when one failed. */
  failedReason?: string;
  /** What the method returned (completed jobs). */
  returnValue?: unknown;
  enqueuedAt: number;
  startedAt?: number;
  finishedAt?: number;
}

/** A job not finished yet, as `jobs.pending()` lists it. */
export interface PendingJob extends JobStatus {
  /** A tick of a `@Scheduled` method (its scheduler always keeps the next one delayed). */
  scheduled: boolean;
}

/** A job that failed its last attempt: kept, with its error, until retried (or removed by age). */
export interface FailedJob {
  id: string;
  name: string;
  queue: string;
  attemptsMade: number;
  failedReason: string;
  /** Stack traces of the failed attempts, most recent last. */
  stacktrace: string[];
  /** The call's arguments. */
  args: unknown[];
  enqueuedAt: number;
  failedAt?: number;
}

/** A job scheduler in Redis (one per `@Scheduled` method). */
export interface ScheduleInfo {
  name: string;
  queue: string;
  /** Cron pattern, when it has one. */
  pattern?: string;
  /** Interval in ms, when it has one. */
  every?: number;
  tz?: string;
  /** When the next tick is due (ms since epoch). */
  next?: number;
}
