import type { Attributes, Counter, Histogram } from '@opentelemetry/api';
import { fleetMeter } from '../telemetry/telemetry.js';

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
    const meter = fleetMeter();
    this.enqueued = meter.createCounter('fleet.jobs.enqueued', { description: 'Jobs enqueued by @Async calls (a deduplicated call counts too)' });
    this.completed = meter.createCounter('fleet.jobs.completed', { description: 'Jobs whose method resolved' });
    this.failed = meter.createCounter('fleet.jobs.failed', { description: 'Jobs that failed their last attempt (now in the failed list)' });
    this.retried = meter.createCounter('fleet.jobs.retried', { description: 'Failed attempts that will be retried after their backoff' });
    this.stalled = meter.createCounter('fleet.jobs.stalled', { description: 'Jobs taken back from a worker that stopped renewing its lock (killed, or its event loop blocked)' });
    this.waitTime = meter.createHistogram('fleet.jobs.wait_time', { unit: 's', description: 'Time from enqueue (plus any delay) to the start of the first attempt' });
    this.duration = meter.createHistogram('fleet.jobs.duration', { unit: 's', description: 'Run time of one attempt, by outcome' });
  }

  static attributes(name: string, queue: string): Attributes {
    return Object.freeze({ 'fleet.job.name': name, 'fleet.job.queue': queue });
  }
}
