import type { Attributes, Tracer } from '@opentelemetry/api';
import { otelApi } from '../telemetry/otel-api.js';
import type { JobsOptions, Queue } from 'bullmq';
import { FleetError } from '../errors.js';
import { encodeArgs, type JobData } from './job-data.js';
import type { JobEntry } from './job-entry.js';
import { dedupeIdFor, publicJobId } from './job-id.js';
import type { JobRef } from './job-types.js';
import type { JobsMetrics } from './jobs-metrics.js';

/** What an enqueuer needs, resolved at boot. @internal */
export interface EnqueueDeps {
  queue: Queue;
  metrics: JobsMetrics;
  /** Set only when an OpenTelemetry SDK is registered: then each enqueue is a PRODUCER span. */
  tracer?: Tracer;
  /** The app's Database, when it has one: the job reads at the enqueuing request's write position. */
  consistency?: { consistencyToken(): string | undefined };
  /** Retention of finished jobs (seconds). */
  keep: { completedS: number; failedS: number };
}

/**
 * The function installed in place of an @Async method: checks the arguments, adds the job and
 * resolves to `{ jobId, queue }` as soon as Redis has it. Everything but the arguments and the id
 * is computed here, once per method.
 * @internal
 */
export function makeEnqueuer(entry: JobEntry, deps: EnqueueDeps): (...args: unknown[]) => Promise<JobRef> {
  const { name, where, options: o, attributes } = entry;
  const { queue, metrics, tracer, consistency } = deps;
  const skip = [entry.jobIndex, entry.signalIndex].filter((i) => i >= 0);
  const base: JobsOptions = Object.freeze({
    attempts: o.attempts,
    backoff: o.backoff,
    ...(o.priority !== undefined ? { priority: o.priority } : {}),
    ...(o.delayMs > 0 ? { delay: o.delayMs } : {}),
    removeOnComplete: { age: deps.keep.completedS },
    removeOnFail: { age: deps.keep.failedS },
  });

  const add = async (data: JobData, dedupeId: string | undefined): Promise<JobRef> => {
    let bullId: string | undefined;
    try {
      bullId = (await queue.add(name, data, dedupeId === undefined ? base : { ...base, jobId: dedupeId })).id;
    } catch (cause) {
      throw new FleetError('FLEET_ERR_JOBS_ENQUEUE_FAILED',
        `${where}() could not be enqueued on queue '${queue.name}': ${(cause as Error)?.message ?? String(cause)}. ` +
        'Fix: check that Redis is reachable (REDIS_URL; GET /health/ready shows it); the caller may retry, with a dedupeKey to make retries safe.', { cause });
    }
    metrics.enqueued.add(1, attributes);
    return { jobId: publicJobId(queue.name, bullId!), queue: queue.name };
  };

  return function enqueue(...args: unknown[]): Promise<JobRef> {
    let data: JobData;
    let dedupeId: string | undefined;
    try {
      data = encodeArgs(args, skip, where);
      dedupeId = dedupeIdFor(name, o.dedupeKey, args, where);
    } catch (error) {
      return Promise.reject(error);
    }
    const lsn = consistency?.consistencyToken();
    if (lsn !== undefined) data.lsn = lsn;
    return tracer === undefined ? add(data, dedupeId) : tracedAdd(tracer, entry, queue.name, data, dedupeId, add);
  };
}

/** The enqueue as a PRODUCER span, child of the caller's span; its context travels in the job as a W3C traceparent. */
async function tracedAdd(tracer: Tracer, entry: JobEntry, queue: string, data: JobData, dedupeId: string | undefined,
  add: (data: JobData, dedupeId: string | undefined) => Promise<JobRef>): Promise<JobRef> {
  const attributes: Attributes = { 'messaging.system': 'bullmq', 'messaging.operation.type': 'send', 'messaging.destination.name': queue, 'fleet.job.name': entry.name };
  const { SpanKind, SpanStatusCode } = otelApi();
  const span = tracer.startSpan(`${entry.name} publish`, { kind: SpanKind.PRODUCER, attributes });
  const c = span.spanContext();
  data.traceparent = `00-${c.traceId}-${c.spanId}-${(c.traceFlags & 0xff).toString(16).padStart(2, '0')}`;
  try {
    const ref = await add(data, dedupeId);
    span.setAttribute('messaging.message.id', ref.jobId);
    return ref;
  } catch (error) {
    span.recordException(error as Error);
    span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error)?.message });
    throw error;
  } finally {
    span.end();
  }
}
