import { randomBytes } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import type { Tracer } from '@opentelemetry/api';
import { loadInSpan, markCacheResult } from '../cache-telemetry.js';
import type { CachePolicy } from '../cache-options.js';
import { deepFreeze, encodeEnvelope, toJson, type Envelope } from '../json-value.js';
import type { InflightReads, L1Store } from './l1.js';
import type { L2Read } from './l2.js';
import type { CacheRuntime } from './runtime.js';

/** Calls the source: `this` and the arguments of the decorated call (or the thunk of `Cache.wrap`). */
export type Load = (self: any, args: unknown[]) => Promise<unknown>;
/** The tags of a call, computed only when a read goes past L1. */
export type TagsOf = (args: unknown[]) => readonly string[];

/** Per-method counters, read by metrics and `Cache.snapshot()`. */
export interface EngineStats {
  l1Hits: number;
  l2Hits: number;
  misses: number;
  sourceCalls: number;
  staleServed: number;
  /** Calls that joined a read already running for their key on this instance. */
  coalesced: number;
  /** Misses that waited for another instance's fill (lock). */
  lockWaits: number;
  refreshes: number;
  refreshFailures: number;
  /** Fills not stored because the key or a tag was invalidated while the source ran. */
  notStored: number;
}

/** Back-off after a failed background refresh, per key. */
const REFRESH_BACKOFF_MS = 1000;

/**
 * The read path of one cached method (or of `Cache.wrap`/`get`): L1 (when the bus is trusted),
 * then one L2 round trip, then the source, once per key at a time on this instance (concurrent
 * misses share one call), or once for the fleet with a lock. Stale values are served within the
 * grace period while one background call refreshes them. Errors of the source reach the caller
 * and are never cached; Redis problems never do (L2 returns undefined and the source answers).
 */
export class CacheEngine implements InflightReads {
  readonly stats: EngineStats = { l1Hits: 0, l2Hits: 0, misses: 0, sourceCalls: 0, staleServed: 0, coalesced: 0, lockWaits: 0, refreshes: 0, refreshFailures: 0, notStored: 0 };
  private readonly inflight = new Map<string, Promise<unknown>>();
  private readonly refreshing = new Set<string>();
  private readonly backoff = new LRUCache<string, number>({ max: 10_000 });

  /** `tracer` is set at boot only when tracing is on: then results become span attributes and the source runs in a child span. */
  constructor(readonly name: string, private readonly rt: CacheRuntime, readonly l1: L1Store | undefined, private readonly tracer: Tracer | undefined) {}

  /** A read through the cache. */
  read(key: string, policy: CachePolicy, tagsOf: TagsOf, load: Load, self: unknown, args: unknown[]): Promise<unknown> {
    const l1 = this.l1;
    if (l1 !== undefined && policy.l1TtlMs > 0 && this.rt.bus.trustedUntil > performance.now()) {
      const e = l1.lru.get(key);
      if (e !== undefined) {
        const now = this.rt.clock.now();
        if (now < e.hitUntil) {
          this.stats.l1Hits++;
          if (this.tracer) markCacheResult(this.name, 'l1', key);
          return Promise.resolve(e.value);
        }
        if (now >= e.fresh && now < e.staleUntil) {
          this.stats.staleServed++;
          if (this.tracer) markCacheResult(this.name, 'stale', key);
          this.refresh(key, policy, e.tags, load, self, args, undefined);
          return Promise.resolve(e.value);
        }
        l1.lru.delete(key);
      }
    }
    const running = this.inflight.get(key);
    if (running !== undefined) {
      this.stats.coalesced++;
      if (this.tracer) markCacheResult(this.name, 'coalesced', key);
      return running;
    }
    let tags: readonly string[];
    try {
      tags = tagsOf(args);
    } catch (e) {
      return Promise.reject(e);
    }
    const p = this.resolve(key, policy, tags, load, self, args);
    this.inflight.set(key, p);
    return p;
  }

  /**
   * The read of `key` that concurrent callers on this instance share. A hit is answered in the
   * promise reaction that decodes the L2 reply (no async frame, no extra hop); a miss or a stale
   * entry continues in `afterMiss`. `inflight` loses the key when the read is over.
   */
  private resolve(key: string, policy: CachePolicy, tags: readonly string[], load: Load, self: unknown, args: unknown[]): Promise<unknown> {
    // Without an L1 there is nothing to keep coherent: no ticket (a key hash) to take.
    const ticket = this.l1 === undefined ? 0 : this.rt.coherence.ticket(key);
    return this.rt.l2.readThen(key, tags, (read) => {
      try {
        const hit = read && this.usable(read);
        if (hit !== undefined && this.rt.clock.now() < hit.fresh) {
          this.stats.l2Hits++;
          if (this.tracer) markCacheResult(this.name, 'l2', key);
          if (!read!.held) this.toL1(key, hit, policy, ticket);
          this.inflight.delete(key);
          return hit.value;
        }
      } catch (e) {
        this.inflight.delete(key);
        throw e;
      }
      return this.afterMiss(key, policy, tags, load, self, args, read, ticket);
    });
  }

  /** A read that L2 could not answer fresh: the stale value (and a refresh), or the source. */
  private async afterMiss(key: string, policy: CachePolicy, tags: readonly string[], load: Load, self: unknown, args: unknown[], read: L2Read | undefined, ticket: number): Promise<unknown> {
    try {
      const hit = read && this.usable(read);
      if (hit !== undefined && this.rt.clock.now() < hit.stale) {
        this.stats.staleServed++;
        if (this.tracer) markCacheResult(this.name, 'stale', key);
        if (!read!.held) this.toL1(key, hit, policy, ticket);
        this.refresh(key, policy, tags, load, self, args, read);
        return hit.value;
      }
      this.stats.misses++;
      if (this.tracer) markCacheResult(this.name, 'miss', key);
      if (policy.lockMs > 0 && read !== undefined) return await this.loadLocked(key, policy, tags, load, self, args, read, ticket);
      return await this.fill(key, policy, tags, load, self, args, read, ticket);
    } finally {
      // (After a detach, this may remove a newer read of the key: its later callers then start another one.)
      this.inflight.delete(key);
    }
  }

  /** The entry of a read, unless it is missing, or held and this call must read its own writes. */
  private usable(read: L2Read): Envelope | undefined {
    if (read.entry === undefined) return undefined;
    if (read.held && this.rt.carriesPosition()) return undefined;
    return read.entry;
  }

  /** Calls the source; stores its value (if nothing was invalidated meanwhile) and returns the frozen copy every caller gets. */
  private async fill(key: string, policy: CachePolicy, tags: readonly string[], load: Load, self: unknown, args: unknown[], read: L2Read | undefined, ticket: number): Promise<unknown> {
    const rt = this.rt;
    const started = performance.now();
    this.stats.sourceCalls++;
    const tracer = this.tracer;
    const value = await (tracer === undefined ? load(self, args) : loadInSpan(tracer, this.name, key, () => load(self, args)));
    const json = toJson(value, this.name);
    const now = rt.clock.now();
    const entry: Envelope = { fresh: now + policy.ttlMs, stale: now + policy.ttlMs + policy.graceMs, tags, value: json === undefined ? undefined : deepFreeze(JSON.parse(json)) };
    if (read !== undefined && performance.now() - started < rt.l2.settings.guardMs) {
      const outcome = await rt.l2.store(key, tags, encodeEnvelope(json, entry.fresh, entry.stale, tags), policy.ttlMs + policy.graceMs, read);
      if (outcome === 'stored') this.toL1(key, entry, policy, ticket);
      else if (outcome === 'conflict') this.stats.notStored++;
    }
    return entry.value;
  }

  /** A miss with `lock`: one instance of the fleet fills; the others wait for its value in L2. */
  private async loadLocked(key: string, policy: CachePolicy, tags: readonly string[], load: Load, self: unknown, args: unknown[], read: L2Read, ticket: number): Promise<unknown> {
    const rt = this.rt;
    const token = randomBytes(12).toString('base64url');
    const deadline = performance.now() + policy.lockMs;
    let latest = read;
    for (;;) {
      const taken = await rt.l2.lock(key, token, policy.lockMs);
      if (taken === undefined) return this.fill(key, policy, tags, load, self, args, undefined, ticket);
      if (taken) {
        try {
          return await this.fill(key, policy, tags, load, self, args, latest, ticket);
        } finally {
          await rt.l2.unlock(key, token);
        }
      }
      this.stats.lockWaits++;
      for (;;) {
        if (performance.now() >= deadline) return this.fill(key, policy, tags, load, self, args, latest, ticket);
        await pause(10 + Math.random() * 20);
        const r = await rt.l2.read(key, tags, true);
        if (r === undefined) return this.fill(key, policy, tags, load, self, args, undefined, ticket);
        const hit = this.usable(r);
        if (hit !== undefined && rt.clock.now() < hit.fresh) {
          this.stats.l2Hits++;
          if (this.tracer) markCacheResult(this.name, 'l2', key);
          if (!r.held) this.toL1(key, hit, policy, ticket);
          return hit.value;
        }
        latest = r;
        if (!r.lockHeld) break; // the holder failed or stored nothing: take the lock
      }
    }
  }

  /** One background refresh per key at a time; a failure keeps the stale value and backs off. */
  private refresh(key: string, policy: CachePolicy, tags: readonly string[], load: Load, self: unknown, args: unknown[], read: L2Read | undefined): void {
    if (this.refreshing.has(key)) return;
    const until = this.backoff.get(key);
    if (until !== undefined && performance.now() < until) return;
    this.refreshing.add(key);
    this.stats.refreshes++;
    const rt = this.rt;
    const ticket = rt.coherence.ticket(key);
    const run = async () => {
      const r = read ?? await rt.l2.read(key, tags, false);
      if (policy.lockMs === 0 || r === undefined) return this.fill(key, policy, tags, load, self, args, r, ticket);
      const token = randomBytes(12).toString('base64url');
      const taken = await rt.l2.lock(key, token, policy.lockMs);
      if (taken === false) return undefined; // another instance refreshes it
      try {
        return await this.fill(key, policy, tags, load, self, args, taken ? r : undefined, ticket);
      } finally {
        if (taken) await rt.l2.unlock(key, token);
      }
    };
    run().then(() => { this.backoff.delete(key); }, (err: unknown) => {
      this.stats.refreshFailures++;
      this.backoff.set(key, performance.now() + REFRESH_BACKOFF_MS);
      rt.log.warn({ err, cache: this.name }, `cache: refreshing a stale value of ${this.name} failed; the stale value is served until its grace period ends`);
    }).finally(() => { this.refreshing.delete(key); });
  }

  private toL1(key: string, entry: Envelope, policy: CachePolicy, ticket: number): void {
    if (this.l1 === undefined || policy.l1TtlMs === 0 || !this.rt.bus.trusted()) return;
    this.rt.coherence.set(this.l1, key, entry, policy.l1TtlMs, this.rt.clock.now(), ticket);
  }

  /**
   * After an invalidation of `keys` (undefined: any key, for tags and clears), calls already
   * running keep their result, but later calls do not join them: they began before the write.
   */
  detach(keys: readonly string[] | undefined): void {
    if (this.inflight.size === 0) return;
    if (keys === undefined) this.inflight.clear();
    else for (const k of keys) this.inflight.delete(k);
  }

  /** Reads that are running now (for shutdown and tests). */
  get running(): number { return this.inflight.size + this.refreshing.size; }
}

function pause(ms: number): Promise<void> {
  return new Promise((resolve) => { setTimeout(resolve, ms).unref(); });
}
