import { FleetError } from '../errors.js';
import { Logger } from '../app/logger.js';
import { Database } from '../data/database.js';
import { DatabaseConfig } from '../data/database-config.js';
import { Inject, Injectable, Optional } from '../di/decorators.js';
import type { OnInit, OnShutdown } from '../di/lifecycle.js';
import type { HealthIndicator, HealthResult } from '../health/indicator.js';
import { RedisConfig } from '../redis/redis-config.js';
import { RedisConnection } from '../redis/redis-connection.js';
import type { Invoke } from '../resilience/pipeline-types.js';
import type { StageContext } from '../resilience/stage-context.js';
import { FrameworkOwned } from '../state/allow-state.js';
import { Clock } from '../time/clock.js';
import { CacheConfig } from './cache-config.js';
import type { CacheOps } from './cache-ops.js';
import { resolveCallPolicy, type CacheSetOptions, type CacheWrapOptions } from './cache-options.js';
import type { CacheRuntime } from './internal/runtime.js';
import { NO_TAGS } from './key-encoding.js';
import type { Tracer } from '@opentelemetry/api';
import { bootTracer } from '../telemetry/telemetry.js';
import { cacheOperationSpan, markCacheResult } from './cache-telemetry.js';

/** One cache's counters on this instance (`Cache.snapshot().caches`). */
export interface CacheStats {
  /** `UsersService.find`, or `Cache` for the `Cache` API. */
  name: string;
  l1Entries: number;
  l1Hits: number;
  l2Hits: number;
  misses: number;
  sourceCalls: number;
  staleServed: number;
  coalesced: number;
  lockWaits: number;
  refreshes: number;
  refreshFailures: number;
  notStored: number;
}

/** The cache's state on this instance, for health endpoints, metrics and tests. */
export interface CacheSnapshot {
  /** `degraded` while Redis (L2) or the invalidation bus is unreachable (calls then go to the source); never `down`. */
  status: 'up' | 'degraded';
  l2: 'up' | 'down';
  /** `up` while the invalidation bus is connected and L1 is trusted. */
  bus: 'up' | 'down';
  holdMs: number;
  l2Errors: number;
  invalidationsSent: number;
  invalidationsReceived: number;
  invalidationsDeferred: number;
  pendingInvalidations: number;
  ackTimeouts: number;
  l1Resets: number;
  caches: CacheStats[];
}

/**
 * The two-level cache of the app, for code that needs it directly (the decorators use it too):
 * `get`, `set`, `delete`, `deleteByTag`, `wrap`. L1 is in process and kept coherent across the
 * fleet by Fleet (the only in-process memory Fleet allows); L2 is Redis. Every write
 * (`set`, `delete`, `deleteByTag`) has reached every instance's L1 when its promise resolves;
 * inside `db.transaction()` it runs after the commit. Redis being unreachable never rejects a call.
 * Provided by `CacheModule` (needs `RedisModule`).
 */
@Injectable()
@FrameworkOwned()
export class Cache implements OnInit, OnShutdown, HealthIndicator {
  readonly healthName = 'cache';
  readonly healthCritical = false;
  private runtime?: CacheRuntime;
  /** Set at boot only when tracing is on: each API call then gets a span. */
  private tracer?: Tracer;

  constructor(
    private readonly config: CacheConfig,
    private readonly redis: RedisConnection,
    private readonly redisConfig: RedisConfig,
    private readonly log: Logger,
    private readonly clock: Clock,
    @Optional() @Inject(Database) private readonly database?: Database,
    @Optional() @Inject(DatabaseConfig) private readonly databaseConfig?: DatabaseConfig,
  ) {}

  /** The hold after invalidations: configured, else the replicas' lag limit (0 without replicas). */
  get holdMs(): number {
    const configured = this.config.CACHE_INVALIDATION_HOLD_MS;
    if (configured !== undefined) return configured;
    const db = this.databaseConfig;
    return db !== undefined && db.DATABASE_REPLICA_URLS.length > 0 ? db.DATABASE_REPLICA_MAX_LAG_MS : 0;
  }

  async onInit(): Promise<void> {
    const { CacheRuntime: Runtime } = await import('./internal/runtime.js');
    this.tracer = bootTracer();
    this.runtime = new Runtime({
      redis: this.redis,
      redisUrl: this.redisConfig.REDIS_URL,
      app: this.redisConfig.FLEET_APP,
      log: this.log,
      clock: this.clock,
      database: this.database,
      l1Max: this.config.CACHE_L1_MAX,
      l2TimeoutMs: this.config.CACHE_L2_TIMEOUT_MS,
      l2RetryMs: this.config.CACHE_L2_RETRY_MS,
      heartbeatMs: this.config.CACHE_BUS_HEARTBEAT_MS,
      holdMs: this.holdMs,
      tracing: this.tracer !== undefined,
    });
    await this.runtime.start();
    const { registerCacheMetrics } = await import('./internal/metrics.js');
    registerCacheMetrics(() => this.snapshot());
  }

  async onShutdown(): Promise<void> {
    await this.runtime?.stop();
  }

  /** The value of `key` (L1, then L2), or undefined. */
  get<T = unknown>(key: string): Promise<T | undefined> {
    const rt = this.started('get');
    if (this.tracer !== undefined) return cacheOperationSpan(this.tracer, 'get', [key], () => this.read<T>(rt, key));
    return this.read<T>(rt, key);
  }

  private async read<T>(rt: CacheRuntime, key: string): Promise<T | undefined> {
    const engine = rt.api;
    if (rt.bus.trusted()) {
      const e = engine.l1?.lru.get(key);
      if (e !== undefined && rt.clock.now() < e.hitUntil) {
        engine.stats.l1Hits++;
        if (this.tracer !== undefined) markCacheResult('Cache', 'l1', key);
        return e.value as T;
      }
    }
    const read = await rt.l2.readAny(key);
    const entry = read?.entry;
    if (entry === undefined || (read!.held && rt.carriesPosition()) || rt.clock.now() >= entry.fresh) {
      engine.stats.misses++;
      if (this.tracer !== undefined) markCacheResult('Cache', 'miss', key);
      return undefined;
    }
    engine.stats.l2Hits++;
    if (this.tracer !== undefined) markCacheResult('Cache', 'l2', key);
    return entry.value as T;
  }

  /** Writes `value` for `key` (write-through) and drops older copies from every instance's L1. */
  async set(key: string, value: unknown, options: CacheSetOptions): Promise<void> {
    checkKey(key, 'set');
    const policy = resolveCallPolicy('set', options);
    const rt = this.started('set');
    const tags = options.tags ?? NO_TAGS;
    if (this.tracer === undefined) await rt.put(key, value, policy, tags);
    else await cacheOperationSpan(this.tracer, 'set', [key], () => rt.put(key, value, policy, tags));
  }

  /** Deletes the entries of `key` (or keys) from L2 and every instance's L1. */
  async delete(key: string | readonly string[]): Promise<void> {
    const keys = typeof key === 'string' ? [key] : [...key];
    keys.forEach((k) => checkKey(k, 'delete'));
    const rt = this.started('delete');
    await (this.tracer === undefined ? rt.invalidate(keys, NO_TAGS) : cacheOperationSpan(this.tracer, 'delete', keys, () => rt.invalidate(keys, NO_TAGS)));
  }

  /** Invalidates every entry with `tag` (or any of the tags), on every instance. */
  async deleteByTag(tag: string | readonly string[]): Promise<void> {
    const tags = typeof tag === 'string' ? [tag] : [...tag];
    tags.forEach((t) => checkKey(t, 'deleteByTag'));
    const rt = this.started('deleteByTag');
    await (this.tracer === undefined ? rt.invalidate(NO_TAGS, tags) : cacheOperationSpan(this.tracer, 'deleteByTag', NO_TAGS, () => rt.invalidate(NO_TAGS, tags), tags.length));
  }

  /**
   * `fn`'s value for `key`, through the cache: `cache.wrap(\`report:${day}\`, () => build(day), { ttl: '5m' })`.
   * The same behaviour as `@Cached` (single flight, `lock`, `staleWhileRevalidate`).
   */
  wrap<T>(key: string, fn: () => T | Promise<T>, options: CacheWrapOptions): Promise<T> {
    checkKey(key, 'wrap');
    const policy = resolveCallPolicy('wrap', options);
    const rt = this.started('wrap');
    if (rt.inTransaction()) return Promise.resolve().then(fn);
    const tags = options.tags ?? NO_TAGS;
    if (this.tracer !== undefined) return cacheOperationSpan(this.tracer, 'wrap', [key], () => rt.api.read(key, policy, () => tags, callThunk, fn, NO_ARGS) as Promise<T>);
    return rt.api.read(key, policy, () => tags, callThunk, fn, NO_ARGS) as Promise<T>;
  }

  snapshot(): CacheSnapshot {
    const rt = this.runtime;
    if (!rt) throw notStarted('snapshot');
    const l2 = rt.l2.isDown ? 'down' : 'up';
    const bus = rt.bus.trusted() ? 'up' : 'down';
    return {
      status: l2 === 'up' && bus === 'up' ? 'up' : 'degraded',
      l2, bus,
      holdMs: rt.l2.settings.holdMs,
      l2Errors: rt.l2.stats.errors,
      invalidationsSent: rt.stats.invalidationsSent,
      invalidationsReceived: rt.bus.stats.received,
      invalidationsDeferred: rt.stats.invalidationsDeferred,
      pendingInvalidations: rt.pendingInvalidations,
      ackTimeouts: rt.bus.stats.ackTimeouts,
      l1Resets: rt.bus.stats.resets,
      caches: rt.engines.map((e) => ({ name: e.name, l1Entries: e.l1?.size ?? 0, ...e.stats })),
    };
  }

  /** The counters of one cache by name (`'UsersService.find'`, `'Cache'`), summed over its methods of that name. */
  stats(name: string): CacheStats | undefined {
    const found = this.snapshot().caches.filter((c) => c.name === name);
    if (found.length === 0) return undefined;
    return found.reduce((a, b) => {
      const out = { ...a };
      for (const k of Object.keys(b) as Array<keyof CacheStats>) if (k !== 'name') (out[k] as number) += b[k] as number;
      return out;
    });
  }

  /** Readiness (not critical): `degraded` while Redis or the bus is unreachable. */
  checkHealth(): HealthResult {
    const s = this.snapshot();
    return { status: s.status, detail: { l2: s.l2, bus: s.bus, l2Errors: s.l2Errors, pendingInvalidations: s.pendingInvalidations } };
  }

  /** @internal */
  get internals(): CacheRuntime {
    return this.started('internals');
  }

  private started(method: string): CacheRuntime {
    if (!this.runtime) throw notStarted(method);
    return this.runtime;
  }
}

/** Builds a method's cache stage with the app's `Cache` (a boot error names the fix when CacheModule is missing). */
export function buildCacheStage(ops: CacheOps, next: Invoke, context: StageContext): Invoke {
  const cache = context.resolve(Cache);
  if (cache === undefined) {
    throw new FleetError('FLEET_ERR_CACHE_MODULE_REQUIRED',
      `${context.owner} has cache decorators, but CacheModule is not imported. Fix: import CacheModule (and RedisModule) in the root module.`);
  }
  return cache.internals.stage(ops, next, context);
}

const NO_ARGS: unknown[] = [];
const callThunk = (fn: () => unknown) => Promise.resolve().then(fn);

function checkKey(key: unknown, method: string): void {
  if (typeof key !== 'string' || key === '') throw new FleetError('FLEET_ERR_CACHE_KEY_INVALID', `Cache.${method}() needs non-empty string keys (and tags); got ${JSON.stringify(key) ?? String(key)}.`);
}

function notStarted(method: string): FleetError {
  return new FleetError('FLEET_ERR_REDIS_NOT_CONNECTED', `Cache.${method}() was used before the application finished booting. Fix: use the Cache from request handlers, jobs, or onInit hooks of providers that inject it.`);
}
