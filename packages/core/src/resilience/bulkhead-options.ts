import type { Duration } from '../time/duration.js';
import { OptionChecks } from './option-checks.js';

/** Options of `@Bulkhead`: a per-instance concurrency compartment. */
export interface BulkheadOptions {
  /** Calls running at once in this compartment, on this instance. @default 10 */
  maxConcurrent?: number;
  /** Calls that may wait for a slot; beyond it calls are rejected at once with `BulkheadFullError`. @default 0 */
  maxQueue?: number;
  /** How long a queued call waits for a slot before it is rejected with `BulkheadFullError`. @default no limit (an outer @Timeout still applies) */
  queueTimeout?: Duration;
  /** Share one compartment between methods that give the same name (with the same options). @default '<Class>.<method>' */
  name?: string;
}

export interface ResolvedBulkheadOptions {
  readonly name: string;
  readonly maxConcurrent: number;
  readonly maxQueue: number;
  readonly queueTimeoutMs: number;
}

export function resolveBulkheadOptions(o: BulkheadOptions, where: string): ResolvedBulkheadOptions {
  const check = new OptionChecks(`@Bulkhead on ${where}`);
  return Object.freeze({
    name: check.name('name', o.name, where),
    maxConcurrent: check.int('maxConcurrent', o.maxConcurrent, 10, 1),
    maxQueue: check.int('maxQueue', o.maxQueue, 0, 0),
    queueTimeoutMs: o.queueTimeout === undefined ? Infinity : check.duration('queueTimeout', o.queueTimeout, 0, 1),
  });
}
