import { Clock, parseDuration, type Duration, type TimerHandle } from '@fleet/core';

interface Timer { at: number; seq: number; fn: () => void; cancelled: boolean }

/**
 * A clock that moves only when the test says so: breakers, retries, timeouts, bulkhead queues
 * and rate-limit windows read it instead of real time.
 *
 * ```ts
 * const clock = new ManualClock();
 * const app = await createTestApp(AppModule, { overrides: [{ provide: Clock, useValue: clock }] });
 * await clock.advance('30s');   // due timers fire in order, awaiting the work each one starts
 * ```
 */
export class ManualClock extends Clock {
  // Private fields: the state guard does not see them (a clock is a test resource, not app state).
  #wall: number;
  #mono = 0;
  #seq = 0;
  #timers: Timer[] = [];

  /** @param start wall-clock start in epoch ms. @default 1_700_000_000_000 */
  constructor(start = 1_700_000_000_000) {
    super();
    this.#wall = start;
  }

  now(): number { return this.#wall + this.#mono; }
  monotonic(): number { return this.#mono; }

  setTimer(ms: number, fn: () => void): TimerHandle {
    const timer: Timer = { at: this.#mono + Math.max(0, ms), seq: this.#seq++, fn, cancelled: false };
    this.#timers.push(timer);
    return { cancel: () => { timer.cancelled = true; } };
  }

  /** Timers scheduled and not yet fired or cancelled. */
  get pendingTimers(): number { return this.#timers.filter((t) => !t.cancelled).length; }

  /**
   * Moves time forward by `by`, firing every timer that falls due on the way, in time order, at
   * its own time. After each, pending promise callbacks run, so a timer scheduled by the work a
   * timer started (the next retry's sleep) fires too if it falls within `by`.
   */
  async advance(by: Duration): Promise<void> {
    const end = this.#mono + parseDuration(by, 'ManualClock.advance');
    await settle();
    for (;;) {
      const next = this.#next(end);
      if (!next) break;
      this.#mono = Math.max(this.#mono, next.at);
      next.cancelled = true;
      next.fn();
      await settle();
    }
    this.#mono = end;
    this.#timers = this.#timers.filter((t) => !t.cancelled);
    await settle();
  }

  /** Fires what is due now (timers of 0 ms) without moving time. */
  async flush(): Promise<void> { await this.advance(0); }

  #next(end: number): Timer | undefined {
    let best: Timer | undefined;
    for (const t of this.#timers) {
      if (t.cancelled || t.at > end) continue;
      if (!best || t.at < best.at || (t.at === best.at && t.seq < best.seq)) best = t;
    }
    return best;
  }
}

/** Lets promise callbacks (and the timers they create) run: a macrotask turn drains the microtask queue. */
function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
