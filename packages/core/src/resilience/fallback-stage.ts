import type { ResolvedBreakerOptions } from './breaker-options.js';
import type { Invoke } from './pipeline-types.js';
import { CircuitOpenError } from './resilience-errors.js';
import { spanEvent } from './span-events.js';

/**
 * @CircuitBreaker's fallback, outside @Retry (and outside @Cached): it answers for an open
 * breaker and for failures that count, once the retries are exhausted; ignored errors pass through.
 */
export function fallbackStage(next: Invoke, o: ResolvedBreakerOptions): Invoke {
  const fallback = o.fallback!;
  return function withFallback(self, args, signal) {
    return next(self, args, signal).catch((error: unknown) => {
      if (!(error instanceof CircuitOpenError) && !o.isFailure(error)) throw error;
      spanEvent('fleet.breaker.fallback', { 'fleet.breaker.name': o.name, 'fleet.breaker.error': (error as { code?: string })?.code ?? String((error as Error)?.name) });
      return fallback.call(self, error, ...args);
    });
  };
}
