export { CircuitBreaker, Retry, Timeout, Bulkhead, RateLimit, Signal, type AsyncMethodDecorator } from './decorators.js';
export type { CircuitBreakerOptions } from './breaker-options.js';
export type { RetryOptions } from './retry-options.js';
export { TIMEOUT_PRESETS, type TimeoutSetting } from './timeout-options.js';
export type { BulkheadOptions } from './bulkhead-options.js';
export type { RateLimitOptions, RateLimitKey } from './rate-limit-options.js';
export {
  CircuitOpenError, RateLimitedError, RateLimitUnavailableError, BulkheadFullError, TimeoutError,
  isClientError, isRetryable, isBreakerFailure,
} from './resilience-errors.js';
export { backoffDelay, backoffDelays } from './backoff.js';
export { describePipeline } from './describe-pipeline.js';
export { ResilienceRegistry, type ResilienceSnapshot } from './registry.js';
export type { CircuitState } from './circuit.js';
