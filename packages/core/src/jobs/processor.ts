import type { Context, Tracer } from '@opentelemetry/api';
import { otelApi } from '../telemetry/otel-api.js';
import type { Job } from 'bullmq';
import { FleetError } from '../errors.js';
import type { Logger } from '../app/logger.js';
import { decodeArgs, type JobData } from './job-data.js';
import { publicJobId } from './job-id.js';
import type { JobEntry } from './job-entry.js';
import type { JobContext } from './job-types.js';
import type { JobsMetrics } from './jobs-metrics.js';

/** What the processor needs, resolved at boot. @internal */
export interface ProcessorDeps {
  log: Logger;
  metrics: JobsMetrics;
  /** Only when an OpenTelemetry SDK is registered. */
  tracer?: Tracer;
  /** The app's Database: jobs carrying a read-your-writes token run inside `withConsistency`. */
  database?: { withConsistency<T>(token: string | undefined, fn: () => T): T };
  /** BullMQ's WaitingError: thrown after a job is put back in the queue, so BullMQ leaves it there. */
  waitingError: () => Error;
}

interface Running {
  job: Job;
  token: string | undefined;
  controller: AbortController;
  /** The method's promise settled (BullMQ is completing or failing the job). */
  settled: boolean;
  /** Set once the job is being put back in the queue at the drain deadline. */
  abandoning: boolean;
  /** Rejects (with BullMQ's WaitingError) once the job is back in the queue. */
  stopped: Promise<never>;
  stop(error: Error): void;
}

const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

/**
 * Runs jobs on a worker: finds the method by the job's name, rebuilds the arguments, gives the
 * `@CurrentJob()` and `@Signal()` parameters their values, and calls the method's pipeline inside
 * the job's span (child of the enqueuing span) and read-your-writes scope. Enforces the @Async
 * timeout, and at the drain deadline puts unfinished jobs back in the queue.
 * @internal
 */
export class JobProcessor {
  private readonly running = new Map<string, Running>();

  constructor(private readonly entries: ReadonlyMap<string, JobEntry>, private readonly deps: ProcessorDeps) {}

  /** Set when the worker starts stopping: a job it still fetched goes straight back to the queue. */
  private closing = false;

  get activeCount(): number { return this.running.size; }

  /** The worker is stopping: BullMQ may still hand over a job its blocked fetch had already claimed. */
  close(): void { this.closing = true; }

  readonly process = async (job: Job, token?: string): Promise<unknown> => {
    if (this.closing) {
      await job.moveToWait(token);
      throw this.deps.waitingError();
    }
    const entry = this.entries.get(job.name);
    if (!entry) {
      throw new FleetError('FLEET_ERR_JOBS_UNKNOWN_JOB',
        `Job ${publicJobId(job.queueName, job.id!)} is named '${job.name}', but no @Async or @Scheduled method of this app has that name (known: ${[...this.entries.keys()].join(', ') || 'none'}). ` +
        'Fix: deploy the code that declares it to the workers (it is retried meanwhile), or keep the old name with the name option after a rename.');
    }
    const data = job.data as JobData | undefined;
    const args = decodeArgs(data);
    const controller = new AbortController();
    const attempt = job.attemptsMade + 1;
    if (entry.jobIndex >= 0) args[entry.jobIndex] = jobContext(job, entry, controller.signal, attempt);
    if (entry.signalIndex >= 0) args[entry.signalIndex] = controller.signal;
    const { metrics } = this.deps;
    if (job.attemptsMade === 0 && job.stalledCounter === 0 && job.processedOn !== undefined) {
      metrics.waitTime.record(Math.max(0, job.processedOn - job.timestamp - (job.opts.delay ?? 0)) / 1000, entry.attributes);
    }
    let stop!: (error: Error) => void;
    const stopped = new Promise<never>((_, reject) => { stop = reject; });
    stopped.catch(() => undefined);
    const run: Running = { job, token, controller, settled: false, abandoning: false, stopped, stop };
    this.running.set(publicJobId(job.queueName, job.id!), run);
    const started = performance.now();
    let timer: NodeJS.Timeout | undefined;
    try {
      const racers: Array<Promise<unknown>> = [this.invoke(entry, args, data, job, attempt), stopped];
      const timeoutMs = entry.options.timeoutMs;
      if (timeoutMs !== undefined) {
        racers.push(new Promise((_, reject) => {
          timer = setTimeout(() => {
            const error = new FleetError('FLEET_ERR_JOBS_TIMEOUT',
              `Attempt ${attempt} of ${entry.where} (job ${publicJobId(entry.queue, job.id!)}) ran longer than its timeout of ${timeoutMs} ms; its signal was aborted. ` +
              'Fix: raise the timeout of @Async, or make the work shorter (split it into several jobs).');
            controller.abort(error);
            reject(error);
          }, timeoutMs);
        }));
      }
      const result = await Promise.race(racers);
      run.settled = true;
      if (run.abandoning) await stopped;
      metrics.duration.record((performance.now() - started) / 1000, { ...entry.attributes, 'fleet.job.outcome': 'completed' });
      return result;
    } catch (error) {
      run.settled = true;
      // Being put back in the queue: BullMQ gets the WaitingError, not the attempt's outcome.
      if (run.abandoning) await stopped;
      metrics.duration.record((performance.now() - started) / 1000, { ...entry.attributes, 'fleet.job.outcome': 'failed' });
      throw error;
    } finally {
      clearTimeout(timer);
      this.running.delete(publicJobId(job.queueName, job.id!));
    }
  };

  /**
   * The drain deadline passed: every job still running is put back in the queue (its lock
   * released, its attempt not counted) for another worker, and its signal aborts. Returns their ids.
   */
  async abandonAll(reason: string): Promise<string[]> {
    const ids: string[] = [];
    await Promise.all([...this.running.values()].map(async (run) => {
      if (run.settled || run.abandoning) return;
      ids.push(publicJobId(run.job.queueName, run.job.id!));
      run.abandoning = true;
      run.controller.abort(new Error(reason));
      try {
        await run.job.moveToWait(run.token);
      } catch (error) {
        // The lock was lost already: the stalled-job check puts it back instead.
        this.deps.log.warn({ err: error, jobId: publicJobId(run.job.queueName, run.job.id!) }, 'could not put a running job back in the queue; the stalled-job check will');
      }
      run.stop(this.deps.waitingError());
    }));
    return ids;
  }

  private invoke(entry: JobEntry, args: unknown[], data: JobData | undefined, job: Job, attempt: number): Promise<unknown> {
    const call = async () => entry.run.apply(entry.instance, args);
    const database = this.deps.database;
    const lsn = data?.lsn;
    const scoped = database !== undefined && lsn !== undefined ? () => database.withConsistency(lsn, call) : call;
    const tracer = this.deps.tracer;
    if (tracer === undefined) return scoped();
    const { context, SpanKind, SpanStatusCode, trace } = otelApi();
    const parent = parentContext(data?.traceparent);
    const link = trace.getSpanContext(parent);
    const span = tracer.startSpan(`${entry.name} process`, {
      kind: SpanKind.CONSUMER,
      attributes: {
        'messaging.system': 'bullmq', 'messaging.operation.type': 'process', 'messaging.destination.name': entry.queue,
        'messaging.message.id': publicJobId(entry.queue, job.id!), 'fleet.job.name': entry.name, 'fleet.job.attempt': attempt,
      },
      ...(link ? { links: [{ context: link }] } : {}),
    }, parent);
    return context.with(trace.setSpan(parent, span), async () => {
      try {
        return await scoped();
      } catch (error) {
        span.recordException(error as Error);
        span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error)?.message });
        throw error;
      } finally {
        span.end();
      }
    });
  }
}

/** The enqueuing span's context, from the job's W3C traceparent (root when there is none). */
function parentContext(traceparent: string | undefined): Context {
  const { ROOT_CONTEXT, trace } = otelApi();
  const m = traceparent === undefined ? null : TRACEPARENT.exec(traceparent);
  if (!m) return ROOT_CONTEXT;
  return trace.setSpanContext(ROOT_CONTEXT, { traceId: m[1]!, spanId: m[2]!, traceFlags: parseInt(m[3]!, 16), isRemote: true });
}

function jobContext(job: Job, entry: JobEntry, signal: AbortSignal, attempt: number): JobContext {
  return Object.freeze({
    id: publicJobId(entry.queue, job.id!),
    name: entry.name,
    queue: entry.queue,
    attempt,
    attempts: job.opts.attempts ?? 1,
    enqueuedAt: job.timestamp,
    dueAt: job.timestamp + (job.opts.delay ?? 0),
    signal,
    progress: (value: number | Record<string, unknown>) => job.updateProgress(value),
  });
}
