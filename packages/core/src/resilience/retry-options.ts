import type { Duration } from '../time/duration.js';
import { OptionChecks } from './option-checks.js';
import { isRetryable } from './resilience-errors.js';

/** Options of `@Retry`. */
export interface RetryOptions {
  /** Attempts in all, the first call included: `maxAttempts: 1` never retries. @default 5 */
  maxAttempts?: number;
  /**
   * Overall budget, from the start of the first attempt: no retry is started (nor slept for) when it
   * would begin after this. A running attempt is not cut short: that is @Timeout's job. @default '60s'
   */
  maxTime?: Duration;
  /** How the delay grows: `exponential` (base * 2^(retry-1)) or `constant` (base). @default 'exponential' */
  backoff?: 'exponential' | 'constant';
  /** The delay before the first retry, before jitter. @default '100ms' */
  base?: Duration;
  /** The largest delay, before jitter. @default '10s' */
  cap?: Duration;
  /**
   * `full`: uniform in [0, delay] (spreads a fleet's retries best), `equal`: uniform in
   * [delay/2, delay], `none`: exactly the delay. @default 'full'
   */
  jitter?: 'full' | 'equal' | 'none';
  /**
   * Which errors are retried (`attempt` is the number of the attempt that failed, from 1).
   * @default not a client error (4xx, validation), not `CircuitOpenError`/`RateLimitedError`, not `retryable: false`
   */
  retryOn?: (error: unknown, attempt: number) => boolean;
}

export interface ResolvedRetryOptions {
  readonly maxAttempts: number;
  readonly maxTimeMs: number;
  readonly backoff: 'exponential' | 'constant';
  readonly baseMs: number;
  readonly capMs: number;
  readonly jitter: 'full' | 'equal' | 'none';
  readonly retryOn: (error: unknown, attempt: number) => boolean;
}

export function resolveRetryOptions(o: RetryOptions, where: string): ResolvedRetryOptions {
  const check = new OptionChecks(`@Retry on ${where}`);
  const baseMs = check.duration('base', o.base, '100ms');
  const capMs = check.duration('cap', o.cap, '10s');
  if (capMs < baseMs) check.fail(`cap (${capMs} ms) is smaller than base (${baseMs} ms).`);
  return Object.freeze({
    maxAttempts: check.int('maxAttempts', o.maxAttempts, 5, 1),
    maxTimeMs: check.duration('maxTime', o.maxTime, '60s'),
    backoff: check.oneOf('backoff', o.backoff, ['exponential', 'constant'], 'exponential'),
    baseMs,
    capMs,
    jitter: check.oneOf('jitter', o.jitter, ['full', 'equal', 'none'], 'full'),
    retryOn: check.fn('retryOn', o.retryOn) ?? isRetryable,
  });
}
