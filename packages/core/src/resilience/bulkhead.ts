import type { Clock, TimerHandle } from '../time/clock.js';
import type { CallSignal } from './call-signal.js';
import type { ResolvedBulkheadOptions } from './bulkhead-options.js';
import type { Invoke } from './pipeline-types.js';
import { BulkheadFullError } from './resilience-errors.js';

interface Waiter {
  start: () => void;
  cancelled: boolean;
}

/** One concurrency compartment on this instance: `maxConcurrent` slots and a FIFO queue of `maxQueue`. */
export class Compartment {
  active = 0;
  private queue: Waiter[] = [];
  private queued = 0;
  readonly stats = { admitted: 0, queued: 0, rejected: 0, queueTimeouts: 0, aborted: 0 };

  constructor(readonly options: ResolvedBulkheadOptions, private readonly clock: Clock) {}

  get name(): string { return this.options.name; }

  /** Shared completion handlers: free the slot, pass the outcome through. */
  readonly releaseValue = (value: unknown): unknown => { this.release(); return value; };
  readonly releaseError = (error: unknown): never => { this.release(); throw error; };

  /** Waits for a slot (the slot is taken when it resolves), or rejects on queue timeout or abort. */
  enqueue(signal: CallSignal | undefined): Promise<void> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    return new Promise<void>((resolve, reject) => {
      let timer: TimerHandle | undefined;
      let offAbort: (() => void) | undefined;
      const leave = (error: unknown) => {
        if (waiter.cancelled) return;
        waiter.cancelled = true;
        this.queued--;
        timer?.cancel();
        offAbort?.();
        reject(error);
      };
      const waiter: Waiter = {
        cancelled: false,
        start: () => { timer?.cancel(); offAbort?.(); resolve(); },
      };
      // Waiters that left are skipped lazily; compact when they pile up (slots held for a long time).
      if (this.queue.length > this.queued * 2 + 32) this.queue = this.queue.filter((w) => !w.cancelled);
      this.queue.push(waiter);
      this.queued++;
      this.stats.queued++;
      const { queueTimeoutMs, maxConcurrent, maxQueue } = this.options;
      if (queueTimeoutMs !== Infinity) {
        timer = this.clock.setTimer(queueTimeoutMs, () => {
          this.stats.queueTimeouts++;
          leave(new BulkheadFullError(this.name, 'queue-timeout', maxConcurrent, maxQueue));
        });
      }
      if (signal) offAbort = signal.onAbort((reason) => { this.stats.aborted++; leave(reason); });
    });
  }

  get waiting(): number { return this.queued; }

  snapshot() {
    return { name: this.name, active: this.active, waiting: this.queued, maxConcurrent: this.options.maxConcurrent, maxQueue: this.options.maxQueue, ...this.stats };
  }

  private release(): void {
    this.active--;
    const queue = this.queue;
    while (queue.length > 0) {
      const next = queue.shift()!;
      if (next.cancelled) continue;
      next.cancelled = true;
      this.queued--;
      this.active++;
      this.stats.admitted++;
      next.start();
      return;
    }
  }
}

/** The bulkhead stage: a free slot costs one comparison and one `then` with shared handlers. */
export function bulkheadStage(next: Invoke, compartment: Compartment): Invoke {
  const { maxConcurrent, maxQueue } = compartment.options;
  const c = compartment;
  return function bulkheaded(self, args, signal) {
    if (c.active < maxConcurrent) {
      c.active++;
      c.stats.admitted++;
      return next(self, args, signal).then(c.releaseValue, c.releaseError);
    }
    if (c.waiting >= maxQueue) {
      c.stats.rejected++;
      return Promise.reject(new BulkheadFullError(c.name, 'full', maxConcurrent, maxQueue));
    }
    return c.enqueue(signal).then(() => next(self, args, signal).then(c.releaseValue, c.releaseError));
  };
}
