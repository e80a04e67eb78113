import type { Clock } from '../time/clock.js';
import type { ResolvedBreakerOptions } from './breaker-options.js';
import { CircuitOpenError } from './resilience-errors.js';

export type CircuitState = 'closed' | 'open' | 'half-open';
/** Where a transition came from: this instance's calls, or another instance of the fleet. */
export type TransitionSource = 'local' | 'fleet';

export interface CircuitListener {
  onTransition(circuit: Circuit, from: CircuitState, to: CircuitState, source: TransitionSource): void;
}

const FAILED = 1;
const SLOW = 2;

/**
 * The state machine of one circuit breaker on this instance: a count-based sliding window of the
 * last `windowSize` outcomes (a ring of bit flags), CLOSED -> OPEN -> HALF_OPEN -> CLOSED | OPEN.
 * The closed-state success and failure handlers are shared by every call (no allocation per call).
 */
export class Circuit {
  state: CircuitState = 'closed';
  /** Incremented on every transition: outcomes of calls admitted in an older state are ignored. */
  generation = 0;
  openUntil = 0;
  private readonly ring: Uint8Array;
  private index = 0;
  private recorded = 0;
  private failures = 0;
  private slows = 0;
  private trialsRunning = 0;
  private trialsPassed = 0;
  private since: number;
  readonly stats = { success: 0, failure: 0, ignored: 0, rejected: 0, slow: 0 };
  readonly transitions = new Map<string, number>();

  constructor(readonly options: ResolvedBreakerOptions, private readonly clock: Clock, private readonly listener: CircuitListener) {
    this.ring = new Uint8Array(options.windowSize);
    this.since = clock.monotonic();
  }

  get name(): string { return this.options.name; }

  /** Closed-state success handler (`then(onSuccess, onFailure)`), shared by all calls. */
  readonly onSuccess = (value: unknown): unknown => {
    this.stats.success++;
    if (this.state === 'closed') this.record(0);
    return value;
  };

  /** Closed-state failure handler: counts the error if it is a failure, then rethrows it. */
  readonly onFailure = (error: unknown): never => {
    if (!this.options.isFailure(error)) { this.stats.ignored++; throw error; }
    this.stats.failure++;
    if (this.state === 'closed') this.record(FAILED);
    throw error;
  };

  /** Closed-state outcome of a timed call (slow-call detection on). */
  settleTimed(error: unknown, failed: boolean, durationMs: number): void {
    const slow = durationMs >= this.options.slowCallMs;
    if (failed && !this.options.isFailure(error)) { this.stats.ignored++; return; }
    if (failed) this.stats.failure++; else this.stats.success++;
    if (slow) this.stats.slow++;
    if (this.state === 'closed') this.record((failed ? FAILED : 0) | (slow ? SLOW : 0));
  }

  /** For a call that finds the breaker not closed: the error to fail fast with, or undefined to run it as a trial. */
  admitTrial(): CircuitOpenError | undefined {
    const now = this.clock.monotonic();
    if (this.state === 'open') {
      if (now < this.openUntil) return this.reject(this.openUntil - now);
      this.transition('half-open', 'local');
    }
    if (this.trialsRunning + this.trialsPassed >= this.options.halfOpenTrials) return this.reject(1000);
    this.trialsRunning++;
    return undefined;
  }

  /** Gives back a trial slot that was not used (the fleet lease is held elsewhere). */
  releaseTrial(generation: number, retryAfterMs: number): CircuitOpenError {
    if (generation === this.generation) this.trialsRunning--;
    return this.reject(retryAfterMs);
  }

  /** The outcome of a trial call admitted in `generation`. */
  settleTrial(generation: number, error: unknown, failed: boolean, durationMs: number): void {
    if (generation !== this.generation) return;
    this.trialsRunning--;
    if (failed && !this.options.isFailure(error)) { this.stats.ignored++; return; }
    const slow = durationMs >= this.options.slowCallMs;
    if (failed) this.stats.failure++; else this.stats.success++;
    if (failed || slow) { this.open(this.options.recoveryMs, 'local'); return; }
    if (++this.trialsPassed >= this.options.halfOpenTrials) this.close('local');
  }

  /** Opens for `ms` (from this instance's failures, or because another instance opened it). */
  open(ms: number, source: TransitionSource): void {
    const until = this.clock.monotonic() + ms;
    if (this.state === 'open' && source === 'fleet') { if (until > this.openUntil) this.openUntil = until; return; }
    this.openUntil = until;
    this.transition('open', source);
  }

  close(source: TransitionSource): void {
    if (this.state !== 'closed') this.transition('closed', source);
  }

  /** Half-open without waiting (a new instance booting while another instance probes). */
  halfOpen(source: TransitionSource): void {
    if (this.state !== 'half-open') this.transition('half-open', source);
  }

  /** Milliseconds until an open breaker admits a trial (0 when not open). */
  openForMs(): number {
    return this.state === 'open' ? Math.max(0, this.openUntil - this.clock.monotonic()) : 0;
  }

  /** For health and metrics: an open breaker whose recovery timeout has passed lets the next call through as a trial. */
  snapshot() {
    const state: CircuitState = this.state === 'open' && this.openForMs() === 0 ? 'half-open' : this.state;
    return {
      name: this.name, state, openForMs: this.openForMs(), windowCalls: this.recorded, windowFailures: this.failures,
      windowSlowCalls: this.slows, sinceMs: this.clock.monotonic() - this.since, ...this.stats,
    };
  }

  private reject(retryAfterMs: number): CircuitOpenError {
    this.stats.rejected++;
    return new CircuitOpenError(this.name, retryAfterMs);
  }

  private record(bits: number): void {
    const ring = this.ring;
    const old = ring[this.index]!;
    if (old & FAILED) this.failures--;
    if (old & SLOW) this.slows--;
    ring[this.index] = bits;
    if (++this.index === ring.length) this.index = 0;
    if (this.recorded < ring.length) this.recorded++;
    if (bits === 0) return;
    if (bits & FAILED) this.failures++;
    if (bits & SLOW) this.slows++;
    if (this.tripped()) this.open(this.options.recoveryMs, 'local');
  }

  private tripped(): boolean {
    const o = this.options;
    if (o.mode === 'count') return this.failures >= o.failureThreshold || this.slows >= o.slowCallThreshold;
    if (this.recorded < o.minimumCalls) return false;
    return this.failures >= o.failureRate * this.recorded || this.slows >= o.slowCallRate * this.recorded;
  }

  private transition(to: CircuitState, source: TransitionSource): void {
    const from = this.state;
    this.state = to;
    this.generation++;
    this.since = this.clock.monotonic();
    this.trialsRunning = 0;
    this.trialsPassed = 0;
    if (to !== 'half-open') { this.ring.fill(0); this.index = 0; this.recorded = 0; this.failures = 0; this.slows = 0; }
    const key = `${from}->${to}`;
    this.transitions.set(key, (this.transitions.get(key) ?? 0) + 1);
    this.listener.onTransition(this, from, to, source);
  }
}
