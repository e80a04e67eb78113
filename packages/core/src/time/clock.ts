/** A scheduled callback; `cancel()` is idempotent. */
export interface TimerHandle { cancel(): void }

/**
 * Where Fleet reads time and schedules timers: breakers, retries, timeouts, bulkhead queues and
 * rate limits all go through the app's Clock, so tests move time (`ManualClock` from
 * `@fleet/testing`) instead of sleeping. Inject it by type; override it with
 * `{ provide: Clock, useValue: clock }`.
 */
export abstract class Clock {
  /** Wall-clock time in epoch milliseconds: for timestamps shared between instances (rate-limit windows). */
  abstract now(): number;
  /** Milliseconds from an arbitrary origin that never go backwards: for deadlines and elapsed time. */
  abstract monotonic(): number;
  /** Runs `fn` once after `ms`; the timer never keeps the process alive. */
  abstract setTimer(ms: number, fn: () => void): TimerHandle;

  /** Resolves after `ms`, or rejects with the signal's reason as soon as `signal` aborts. */
  sleep(ms: number, signal?: AbortLike): Promise<void> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    return new Promise<void>((resolve, reject) => {
      let off: (() => void) | undefined;
      const timer = this.setTimer(ms, () => { off?.(); resolve(); });
      if (signal) off = signal.onAbort((reason) => { timer.cancel(); reject(reason); });
    });
  }
}

/** The minimal abort surface `Clock.sleep` needs (Fleet's internal call signal implements it). */
export interface AbortLike {
  readonly aborted: boolean;
  readonly reason: unknown;
  /** Calls `fn` once on abort; returns a function that removes it. */
  onAbort(fn: (reason: unknown) => void): () => void;
}

/** The real clock: `Date.now()`, `performance.now()` and unref'd `setTimeout`. */
export class SystemClock extends Clock {
  now(): number { return Date.now(); }
  monotonic(): number { return performance.now(); }
  setTimer(ms: number, fn: () => void): TimerHandle {
    const t = setTimeout(fn, ms);
    t.unref();
    return { cancel: () => clearTimeout(t) };
  }
}
