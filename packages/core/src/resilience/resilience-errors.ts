import { FleetError } from '../errors.js';

/** Response headers an error carries to the client (the error handler sends a FleetError's own `headers`). */
export type ErrorHeaders = Record<string, string>;

const seconds = (ms: number) => String(Math.max(1, Math.ceil(ms / 1000)));

/** A circuit breaker is open (or half-open with its trial calls taken): the call failed fast. HTTP 503 with `Retry-After`. */
export class CircuitOpenError extends FleetError {
  readonly headers: ErrorHeaders;
  constructor(readonly breaker: string, readonly retryAfterMs: number) {
    super('FLEET_ERR_RESILIENCE_CIRCUIT_OPEN',
      `Circuit breaker ${breaker} is open: the call was not attempted. It lets a trial call through in ${Math.ceil(retryAfterMs)} ms.`);
    this.headers = { 'retry-after': seconds(retryAfterMs) };
  }
}

/** The caller is over a fleet-wide `@RateLimit`. HTTP 429 with `Retry-After` and `RateLimit-*` headers. */
export class RateLimitedError extends FleetError {
  readonly headers: ErrorHeaders;
  constructor(readonly limiter: string, readonly limit: number, readonly retryAfterMs: number, readonly periodMs: number) {
    super('FLEET_ERR_RESILIENCE_RATE_LIMITED',
      `Rate limit exceeded: at most ${limit} calls per ${periodMs / 1000} s. Retry in ${Math.ceil(retryAfterMs / 1000)} s.`);
    this.headers = {
      'retry-after': seconds(retryAfterMs),
      'ratelimit-limit': String(limit),
      'ratelimit-remaining': '0',
      'ratelimit-reset': seconds(retryAfterMs),
    };
  }
}

/** Redis is unreachable and the limit says `onStoreError: 'deny'`. HTTP 503 with `Retry-After`. */
export class RateLimitUnavailableError extends FleetError {
  readonly headers: ErrorHeaders = { 'retry-after': '1' };
  constructor(readonly limiter: string, cause: unknown) {
    super('FLEET_ERR_RESILIENCE_RATE_LIMIT_UNAVAILABLE',
      `Rate limit ${limiter} cannot be checked (its store, Redis, is unreachable) and it is configured with onStoreError: 'deny'.`, { cause });
  }
}

/** The bulkhead has no free slot and no room in its queue, or the queue wait timed out. HTTP 503. */
export class BulkheadFullError extends FleetError {
  constructor(readonly compartment: string, reason: 'full' | 'queue-timeout', maxConcurrent: number, maxQueue: number) {
    super('FLEET_ERR_RESILIENCE_BULKHEAD_FULL', reason === 'full'
      ? `Bulkhead ${compartment} is full: ${maxConcurrent} calls running and ${maxQueue} queued.`
      : `Bulkhead ${compartment}: the call waited in the queue until its queueTimeout without getting a slot.`);
  }
}

/** The call did not finish within its `@Timeout`. HTTP 504. */
export class TimeoutError extends FleetError {
  constructor(readonly method: string, readonly timeoutMs: number) {
    super('FLEET_ERR_RESILIENCE_TIMEOUT', `${method} did not finish within ${timeoutMs} ms (@Timeout).`);
  }
}

/** A client error (4xx, validation): the caller must change the request, so it is neither retried nor counted by a breaker. */
export function isClientError(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const status = (error as { statusCode?: unknown }).statusCode ?? (error as { status?: unknown }).status;
  if (typeof status === 'number' && status >= 400 && status < 500) return true;
  return (error as { name?: unknown }).name === 'ZodError';
}

/**
 * Default `retryOn`: everything except client errors (4xx, validation), an open breaker, a rate
 * limit, and errors that say `retryable: false` (a `TimeoutError` or `BulkheadFullError` is retried).
 */
export function isRetryable(error: unknown): boolean {
  if (error instanceof CircuitOpenError || error instanceof RateLimitedError || error instanceof RateLimitUnavailableError) return false;
  if (isClientError(error)) return false;
  return !(typeof error === 'object' && error !== null && (error as { retryable?: unknown }).retryable === false);
}

/**
 * Default breaker `isFailure`: a client error says nothing about the dependency's health, and a
 * full bulkhead is this instance's own saturation, so neither counts.
 */
export function isBreakerFailure(error: unknown): boolean {
  return !(error instanceof CircuitOpenError) && !(error instanceof BulkheadFullError) && !isClientError(error);
}
