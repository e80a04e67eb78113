import type { Invoke } from './pipeline-types.js';
import { TimeoutError } from './resilience-errors.js';
import type { StageContext } from './stage-context.js';

/** Per-attempt deadline on the shared ticker: no timer and no AbortSignal per call. */
export function timeoutStage(next: Invoke, timeoutMs: number, context: StageContext): Invoke {
  const stats = { calls: 0, timeouts: 0 };
  const queue = context.ticker.queue(timeoutMs, () => {
    stats.timeouts++;
    return new TimeoutError(context.owner, timeoutMs);
  });
  context.registry.addTimeout(context.owner, timeoutMs, stats, queue);
  return function timed(self, args, signal) {
    stats.calls++;
    return queue.race(next, self, args, signal);
  };
}
