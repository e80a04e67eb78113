import type { Duration } from '../time/duration.js';
import { OptionChecks } from './option-checks.js';
import { isBreakerFailure } from './resilience-errors.js';

/**
 * Options of `@CircuitBreaker`. Count mode (the default) opens after `failureThreshold` failures
 * among the last `windowSize` calls; rate mode (set `failureRate`) opens when that share of the
 * window fails, once it holds `minimumCalls` calls.
 */
export interface CircuitBreakerOptions {
  /** Count mode: failures among the last `windowSize` calls that open the breaker. @default 5 */
  failureThreshold?: number;
  /** Rate mode when set: the failing share of the window, in (0, 1], that opens the breaker (0.5 = 50%). */
  failureRate?: number;
  /** The sliding window, in calls (count-based). @default 10 in count mode, 20 in rate mode */
  windowSize?: number;
  /** Rate mode: calls the window must hold before a rate is judged. @default 10 (at most `windowSize`) */
  minimumCalls?: number;
  /** A successful call that takes at least this long is slow. Slow calls are not counted unless this is set. */
  slowCallDuration?: Duration;
  /** Count mode: slow calls in the window that open the breaker. @default failureThreshold */
  slowCallThreshold?: number;
  /** Rate mode: the slow share of the window that opens the breaker. @default failureRate */
  slowCallRate?: number;
  /** How long the breaker stays open before it lets trial calls through. @default '30s' */
  recoveryTimeout?: Duration;
  /** Trial calls admitted while half-open; all must succeed to close it, one failure re-opens it. @default 1 */
  halfOpenTrials?: number;
  /**
   * Which errors count as failures. Errors that do not count are passed through, do not change the
   * window and, in half-open, give the trial slot back.
   * @default not a client error (4xx, validation), not `CircuitOpenError`, not `BulkheadFullError`
   */
  isFailure?: (error: unknown) => boolean;
  /**
   * Answers instead of failing, with `this` the instance: for `CircuitOpenError` and for failures
   * that count (not for ignored errors). It runs outside @Retry, after the retries are exhausted.
   */
  fallback?: (this: any, error: unknown, ...args: any[]) => unknown;
  /**
   * The breaker's name, shared by the fleet (every instance of the app) and by methods that give
   * the same name (with the same options). @default '<Class>.<method>'
   */
  name?: string;
}

export interface ResolvedBreakerOptions {
  readonly name: string;
  readonly mode: 'count' | 'rate';
  readonly failureThreshold: number;
  readonly failureRate: number;
  readonly windowSize: number;
  readonly minimumCalls: number;
  readonly slowCallMs: number;
  readonly slowCallThreshold: number;
  readonly slowCallRate: number;
  readonly recoveryMs: number;
  readonly halfOpenTrials: number;
  readonly isFailure: (error: unknown) => boolean;
  readonly fallback: ((this: any, error: unknown, ...args: any[]) => unknown) | undefined;
}

export function resolveBreakerOptions(o: CircuitBreakerOptions, where: string): ResolvedBreakerOptions {
  const check = new OptionChecks(`@CircuitBreaker on ${where}`);
  const failureRate = check.fraction('failureRate', o.failureRate);
  const mode = failureRate === undefined ? 'count' : 'rate';
  const failureThreshold = check.int('failureThreshold', o.failureThreshold, 5, 1);
  const windowSize = check.int('windowSize', o.windowSize, mode === 'count' ? Math.max(10, failureThreshold) : 20, 1);
  if (mode === 'count' && failureThreshold > windowSize) check.fail(`failureThreshold (${failureThreshold}) is larger than windowSize (${windowSize}): the breaker could never open.`);
  const minimumCalls = check.int('minimumCalls', o.minimumCalls, Math.min(10, windowSize), 1);
  if (minimumCalls > windowSize) check.fail(`minimumCalls (${minimumCalls}) is larger than windowSize (${windowSize}).`);
  const slowCallMs = o.slowCallDuration === undefined ? Infinity : check.duration('slowCallDuration', o.slowCallDuration, 0, 1);
  const slowCallThreshold = check.int('slowCallThreshold', o.slowCallThreshold, failureThreshold, 1);
  const slowCallRate = check.fraction('slowCallRate', o.slowCallRate) ?? failureRate ?? 1;
  return Object.freeze({
    name: check.name('name', o.name, where),
    mode,
    failureThreshold,
    failureRate: failureRate ?? 1,
    windowSize,
    minimumCalls,
    slowCallMs,
    slowCallThreshold,
    slowCallRate,
    recoveryMs: check.duration('recoveryTimeout', o.recoveryTimeout, '30s', 1),
    halfOpenTrials: check.int('halfOpenTrials', o.halfOpenTrials, 1, 1),
    isFailure: check.fn('isFailure', o.isFailure) ?? isBreakerFailure,
    fallback: check.fn('fallback', o.fallback),
  });
}
