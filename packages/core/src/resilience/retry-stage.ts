import { backoffDelay } from './backoff.js';
import type { CallSignal } from './call-signal.js';
import type { Invoke } from './pipeline-types.js';
import type { ResolvedRetryOptions } from './retry-options.js';
import type { StageContext } from './stage-context.js';
import { spanEvent } from './span-events.js';

/**
 * Retries in the pipeline: the happy path is one `catch` on the first attempt; the retry loop (and
 * its async frame) exists only once an attempt has failed.
 */
export function retryStage(next: Invoke, o: ResolvedRetryOptions, context: StageContext): Invoke {
  const { clock } = context;
  const stats = { calls: 0, retries: 0, recovered: 0, exhausted: 0, notRetried: 0, gaveUpOnTime: 0, aborted: 0 };
  context.registry.addRetry(context.owner, o, stats);

  async function retrying(error: unknown, started: number, self: object, args: unknown[], signal: CallSignal | undefined): Promise<unknown> {
    for (let attempt = 1; ; attempt++) {
      if (signal?.aborted) { stats.aborted++; throw signal.reason; }
      if (attempt >= o.maxAttempts) { stats.exhausted++; throw error; }
      if (!o.retryOn(error, attempt)) { stats.notRetried++; throw error; }
      const delay = backoffDelay(attempt, o);
      if (clock.monotonic() - started + delay > o.maxTimeMs) { stats.gaveUpOnTime++; throw error; }
      stats.retries++;
      spanEvent('fleet.retry', { 'fleet.resilience.method': context.owner, 'fleet.retry.attempt': attempt + 1, 'fleet.retry.delay_ms': Math.round(delay), 'fleet.retry.error': errorName(error) });
      try {
        await clock.sleep(delay, signal);
      } catch (reason) {
        stats.aborted++;
        throw reason;
      }
      try {
        const value = await next(self, args, signal);
        stats.recovered++;
        return value;
      } catch (e) {
        error = e;
      }
    }
  }

  return function retried(self, args, signal) {
    stats.calls++;
    const started = clock.monotonic();
    return next(self, args, signal).catch((error: unknown) => retrying(error, started, self, args, signal));
  };
}

function errorName(error: unknown): string {
  return (error as { code?: string })?.code ?? (error as Error)?.name ?? typeof error;
}
