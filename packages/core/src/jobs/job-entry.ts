import type { Attributes } from '@opentelemetry/api';
import type { ResolvedJobOptions, ResolvedSchedule } from './job-options.js';

/** One job method as the runtime knows it, built once at boot. @internal */
export interface JobEntry {
  /** The job name in Redis: `Class.method` or the `name` option. */
  readonly name: string;
  /** `Class.method`, for messages. */
  readonly where: string;
  readonly queue: string;
  /** The instance whose method workers run. */
  readonly instance: object;
  /** Every instance the enqueuer is installed on (more than one for a transient class). */
  readonly instances: object[];
  readonly method: string;
  /** What a worker runs: the method's compiled resilience pipeline, or the method itself. */
  readonly run: (...args: unknown[]) => unknown;
  /** Index of the `@CurrentJob()` parameter, or -1. */
  readonly jobIndex: number;
  /** Index of the `@Signal()` parameter (methods with resilience decorators), or -1. */
  readonly signalIndex: number;
  readonly options: ResolvedJobOptions;
  /** Set for @Async methods: calling the method enqueues. */
  readonly enqueues: boolean;
  readonly schedule?: ResolvedSchedule;
  /** Metric attributes, allocated once. */
  readonly attributes: Attributes;
}
