import type { Attributes, Counter, Histogram } from '@opentelemetry/api';
import { bootMeter } from '../telemetry/telemetry.js';

/** What an instrument is without a MeterProvider (the API is then not loaded for no-ops). */
const NOOP: Counter & Histogram = Object.freeze({ add() {}, record() {} });

/**
 * OpenTelemetry instruments of the jobs subsystem, created once at boot (no-ops without an SDK).
 * Attributes: `fleet.job.name`, `fleet.job.queue`. A job costs milliseconds to seconds, so a
 * counter add per event is negligible here (unlike per-call resilience stages).
 * @internal
 */
export class JobsMetrics {
  readonly enqueued: Counter;
  readonly completed: Counter;
  readonly failed: Counter;
  readonly retried: Counter;
  readonly stalled: Counter;
  readonly waitTime: Histogram;
  readonly duration: Histogram;

  constructor() {
    const meter = bootMeter();
    this.enqueued = meter?.createCounter('fleet.jobs.enqueued', { description: 'Jobs enqueued by @Async calls (a deduplicated call counts too)' }) ?? NOOP;
    this.completed = meter?.createCounter('fleet.jobs.completed', { description: 'Jobs whose method resolved' }) ?? NOOP;
    this.failed = meter?.createCounter('fleet.jobs.failed', { description: 'Jobs that failed their last attempt (now in the failed list)' }) ?? NOOP;
    this.retried = meter?.createCounter('fleet.jobs.retried', { description: 'Failed attempts that will be retried after their backoff' }) ?? NOOP;
    this.stalled = meter?.createCounter('fleet.jobs.stalled', { description: 'Jobs taken back from a worker that stopped renewing its lock (killed, or its event loop blocked)' }) ?? NOOP;
    this.waitTime = meter?.createHistogram('fleet.jobs.wait_time', { unit: 's', description: 'Time from enqueue (plus any delay) to the start of the first attempt' }) ?? NOOP;
    this.duration = meter?.createHistogram('fleet.jobs.duration', { unit: 's', description: 'Run time of one attempt, by outcome' }) ?? NOOP;
  }

  static attributes(name: string, queue: string): Attributes {
    return Object.freeze({ 'fleet.job.name': name, 'fleet.job.queue': queue });
  }
}
