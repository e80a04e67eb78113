import { FleetError } from '../errors.js';
import type { Rate } from '../time/duration.js';
import { resolveBreakerOptions, type CircuitBreakerOptions } from './breaker-options.js';
import { resolveBulkheadOptions, type BulkheadOptions } from './bulkhead-options.js';
import { defineSignalParam, defineStage, type StageSpec } from './metadata.js';
import { methodName } from './option-checks.js';
import type { StageKind } from './pipeline-types.js';
import { resolveRateLimitOptions, type RateLimitOptions } from './rate-limit-options.js';
import { resolveRetryOptions, type RetryOptions } from './retry-options.js';
import { resolveTimeout, type TimeoutSetting } from './timeout-options.js';

// Decorators only record resolved options; the pipeline is compiled once per method at boot,
// in the fixed order of STAGE_ORDER, whatever order the decorators are written in.

/**
 * A decorator for methods that return a promise: a decorated method always returns one (its
 * pipeline is asynchronous), so declaring it `async` keeps its type true. A synchronous method
 * is a compile error.
 */
export type AsyncMethodDecorator = <T extends (...args: any[]) => PromiseLike<unknown>>(
  target: object, key: string | symbol, descriptor: TypedPropertyDescriptor<T>) => void;

function stage(decorator: string, kind: StageKind, resolve: (where: string) => unknown): AsyncMethodDecorator {
  return (target, key) => {
    const where = methodName(target, key);
    defineStage(target, key, () => ({ kind, decorator, options: resolve(where) }), () => duplicate(decorator, where));
  };
}

function duplicate(decorator: string, where: string): FleetError {
  return new FleetError('FLEET_ERR_RESILIENCE_INVALID_OPTIONS', `${decorator} is applied twice to ${where}. Fix: keep one (merge the options).`);
}

/**
 * Retries a failing call with exponential backoff and full jitter: 5 attempts in all within 60 s by
 * default. Client errors (4xx, validation), `CircuitOpenError` and `retryable: false` errors are
 * not retried. Each attempt runs the stages inside it (breaker, timeout, bulkhead) again.
 */
export function Retry(options: RetryOptions = {}): AsyncMethodDecorator {
  return stage('@Retry', 'retry', (where) => resolveRetryOptions(options, where));
}

/**
 * Fails fast with `CircuitOpenError` (HTTP 503) while a dependency keeps failing, for every
 * instance of the app at once when RedisModule is imported. See `CircuitBreakerOptions`.
 */
export function CircuitBreaker(options: CircuitBreakerOptions = {}): AsyncMethodDecorator {
  return (target, key) => {
    const where = methodName(target, key);
    let resolved: ReturnType<typeof resolveBreakerOptions> | undefined;
    defineStage(target, key, () => ({ kind: 'circuitBreaker', decorator: '@CircuitBreaker', options: (resolved = resolveBreakerOptions(options, where)) }),
      () => duplicate('@CircuitBreaker', where));
    if (resolved?.fallback) {
      const spec: StageSpec = { kind: 'fallback', decorator: '@CircuitBreaker', options: resolved };
      defineStage(target, key, spec, () => duplicate('@CircuitBreaker', where));
    }
  };
}

/**
 * Rejects with `TimeoutError` (HTTP 504) when one attempt takes longer than `timeout`, and aborts
 * the `@Signal()` argument so the work stops. `'call'` is 5 s, `'batch'` 30 s. No timer per call.
 */
export function Timeout(timeout: TimeoutSetting = 'call'): AsyncMethodDecorator {
  return stage('@Timeout', 'timeout', (where) => resolveTimeout(timeout, where));
}

/**
 * Caps the calls running at once on this instance (10 by default); when full, rejects at once
 * with `BulkheadFullError` (HTTP 503), or queues up to `maxQueue` calls.
 */
export function Bulkhead(options: BulkheadOptions = {}): AsyncMethodDecorator {
  return stage('@Bulkhead', 'bulkhead', (where) => resolveBulkheadOptions(options, where));
}

/**
 * A limit shared by every instance of the app, in Redis: `@RateLimit('100/minute', { key: 'ip' })`.
 * Over the limit: `RateLimitedError` (HTTP 429 with Retry-After and RateLimit-* headers). Never
 * more than the limit in any rolling period. Needs RedisModule (a boot error says so).
 */
export function RateLimit(rate: Rate | string, options: RateLimitOptions = {}): AsyncMethodDecorator {
  return stage('@RateLimit', 'rateLimit', (where) => resolveRateLimitOptions(rate, options, where));
}

/**
 * Marks the parameter that carries the call's AbortSignal: the caller may pass one, and the
 * pipeline passes the method a signal that also aborts on @Timeout. Put it last on controller methods.
 */
export function Signal(): ParameterDecorator {
  return (target, key, index) => {
    if (key === undefined) throw new FleetError('FLEET_ERR_RESILIENCE_INVALID_OPTIONS', `@Signal() is on a constructor parameter of ${(target as Function).name}; it belongs on a method parameter.`);
    defineSignalParam(target, key, index);
  };
}
