import { FleetError } from '../errors.js';
import type { OnShutdown } from '../di/lifecycle.js';
import type { HealthResult } from '../health/indicator.js';
import { FrameworkOwned } from '../state/allow-state.js';
import type { Compartment } from './bulkhead.js';
import type { Circuit } from './circuit.js';
import type { DeadlineQueue } from './deadline-ticker.js';
import type { FleetRateLimiter } from './rate-limiter.js';
import type { ResolvedRetryOptions } from './retry-options.js';
import { sameOptions } from './same-options.js';

/** What the health endpoints read: every breaker, compartment, limit, retry and timeout of the app. */
export interface ResilienceSnapshot {
  /** `degraded` while a breaker is not closed or a rate-limit store is unreachable; never `down` (the app still answers). */
  status: 'up' | 'degraded';
  breakers: Array<ReturnType<Circuit['snapshot']> & { fleetWide: boolean }>;
  bulkheads: Array<ReturnType<Compartment['snapshot']>>;
  rateLimits: Array<ReturnType<FleetRateLimiter['snapshot']>>;
  retries: Array<{ method: string; maxAttempts: number } & Record<string, number | string>>;
  timeouts: Array<{ method: string; timeoutMs: number; inFlight: number } & Record<string, number | string>>;
}

/**
 * The app's resilience state, for health endpoints and tests: `app.get(ResilienceRegistry).snapshot()`.
 * It is filled at boot when the pipelines are compiled; shared names (a breaker, compartment or
 * limit used by several methods) resolve to one object here. When the app has decorated methods,
 * it is also a (non-critical) readiness check named `resilience`: `degraded` while a breaker is
 * not closed or a rate-limit store is unreachable.
 */
@FrameworkOwned()
export class ResilienceRegistry implements OnShutdown {
  readonly healthName = 'resilience';
  readonly healthCritical = false;
  private readonly circuits = new Map<string, { item: Circuit; owner: string }>();
  private readonly compartments = new Map<string, { item: Compartment; owner: string }>();
  private readonly limiters = new Map<string, { item: FleetRateLimiter; owner: string }>();
  private readonly byKind = { breaker: this.circuits, bulkhead: this.compartments, 'rate limit': this.limiters };
  private readonly retries: Array<{ method: string; maxAttempts: number; stats: Record<string, number> }> = [];
  private readonly timeouts: Array<{ method: string; timeoutMs: number; stats: Record<string, number>; queue: DeadlineQueue }> = [];
  private readonly stops: Array<() => unknown> = [];
  /** Whether breakers are shared with the fleet (RedisModule imported and subscribed). */
  fleetWide = false;

  /** A breaker by name (state, window, counters), or undefined. */
  breaker(name: string): Circuit | undefined { return this.circuits.get(name)?.item; }
  /** A bulkhead compartment by name, or undefined. */
  bulkhead(name: string): Compartment | undefined { return this.compartments.get(name)?.item; }
  /** A rate limit by name, or undefined. */
  rateLimit(name: string): FleetRateLimiter | undefined { return this.limiters.get(name)?.item; }

  snapshot(): ResilienceSnapshot {
    const breakers = [...this.circuits.values()].map(({ item }) => ({ ...item.snapshot(), fleetWide: this.fleetWide }));
    const rateLimits = [...this.limiters.values()].map(({ item }) => item.snapshot());
    const degraded = breakers.some((b) => b.state !== 'closed') || rateLimits.some((r) => r.store === 'down');
    return {
      status: degraded ? 'degraded' : 'up',
      breakers,
      bulkheads: [...this.compartments.values()].map(({ item }) => item.snapshot()),
      rateLimits,
      retries: this.retries.map((r) => ({ method: r.method, maxAttempts: r.maxAttempts, ...r.stats })),
      timeouts: this.timeouts.map((t) => ({ method: t.method, timeoutMs: t.timeoutMs, inFlight: t.queue.size, ...t.stats })),
    };
  }

  /** @internal one object per name: a second declaration of the name gets the first one's object. */
  shared<T extends { options: object }>(kind: 'breaker' | 'bulkhead' | 'rate limit', name: string, owner: string, options: object, make: () => T): T {
    const map = this.byKind[kind] as unknown as Map<string, { item: T; owner: string }>;
    const existing = map.get(name);
    if (existing) {
      if (!sameOptions(existing.item.options, options)) {
        throw new FleetError('FLEET_ERR_RESILIENCE_INVALID_OPTIONS',
          `The ${kind} '${name}' is declared by ${existing.owner} and ${owner} with different options. Fix: give them the same options, or different names.`);
      }
      return existing.item;
    }
    const item = make();
    map.set(name, { item, owner });
    return item;
  }

  /** @internal */
  addRetry(method: string, o: ResolvedRetryOptions, stats: Record<string, number>): void {
    this.retries.push({ method, maxAttempts: o.maxAttempts, stats });
  }

  /** @internal */
  addTimeout(method: string, timeoutMs: number, stats: Record<string, number>, queue: DeadlineQueue): void {
    this.timeouts.push({ method, timeoutMs, stats, queue });
  }

  /** @internal makes the registry a readiness check (only apps with decorated methods get one). */
  enableHealth(): void {
    Object.defineProperty(this, 'checkHealth', {
      value: (): HealthResult => {
        const s = this.snapshot();
        const open = s.breakers.filter((b) => b.state !== 'closed').map((b) => ({ name: b.name, state: b.state, openForMs: Math.round(b.openForMs) }));
        const storesDown = s.rateLimits.filter((r) => r.store === 'down').map((r) => ({ name: r.name, onStoreError: r.onStoreError }));
        return { status: s.status, detail: { breakers: s.breakers.length, notClosed: open, rateLimitStoresDown: storesDown, fleetWideBreakers: this.fleetWide } };
      },
      enumerable: false,
    });
  }

  /** @internal runs on shutdown (stop tickers, unsubscribe). */
  onStop(fn: () => unknown): void { this.stops.push(fn); }

  async onShutdown(): Promise<void> {
    const stops = this.stops.splice(0);
    await Promise.allSettled(stops.map((fn) => fn()));
  }
}

