import type { CallSignal } from './call-signal.js';

/**
 * One step of a compiled pipeline: the instance, the call's arguments (one array, reused by every
 * stage and attempt) and the call's signal (undefined when nothing can abort it).
 * @internal
 */
export type Invoke = (self: object, args: unknown[], signal: CallSignal | undefined) => Promise<unknown>;

/**
 * The fixed order of the stages, outermost first, whatever order the decorators are written in.
 * `fallback` is @CircuitBreaker's fallback: outside `cached` (a fallback value is never cached) and
 * outside `retry` (it runs only when retries are exhausted, so it never hides failures from @Retry).
 */
export const STAGE_ORDER = ['rateLimit', 'fallback', 'cached', 'retry', 'circuitBreaker', 'timeout', 'bulkhead'] as const;
export type StageKind = (typeof STAGE_ORDER)[number];

/** The name `describePipeline` shows for each stage. */
export const STAGE_LABEL: Record<StageKind, string> = {
  rateLimit: 'RateLimit', fallback: 'CircuitBreaker.fallback', cached: 'Cached', retry: 'Retry',
  circuitBreaker: 'CircuitBreaker', timeout: 'Timeout', bulkhead: 'Bulkhead',
};
