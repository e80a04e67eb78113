import { randomBytes, randomUUID } from 'node:crypto';
import type { Logger } from '../../app/logger.js';
import type { Database } from '../../data/database.js';
import { dataStorage } from '../../data/transaction.js';
import type { RedisConnection } from '../../redis/redis-connection.js';
import type { Clock } from '../../time/clock.js';
import type { Invoke } from '../../resilience/pipeline-types.js';
import type { StageContext } from '../../resilience/stage-context.js';
import type { CacheOps } from '../cache-ops.js';
import type { CachePolicy } from '../cache-options.js';
import { encodeEnvelope, toJson } from '../json-value.js';
import { NO_TAGS } from '../key-encoding.js';
import { CacheBus, type BusMessage } from './bus.js';
import { CacheEngine } from './engine.js';
import { L1Coherence, L1Store } from './l1.js';
import { L2Store } from './l2.js';
import { buildCacheStage } from './stages.js';
import { fleetTracer } from '../../telemetry/telemetry.js';

export interface RuntimeSettings {
  redis: RedisConnection;
  redisUrl: string;
  app: string;
  log: Logger;
  clock: Clock;
  database: Database | undefined;
  l1Max: number;
  l2TimeoutMs: number;
  l2RetryMs: number;
  heartbeatMs: number;
  holdMs: number;
  /** Whether tracing is on (decided once at boot): the `Cache` API's reads then mark their span. */
  tracing: boolean;
}

/** An invalidation fill guard: fills running longer than this never store (their version check could have expired). */
const GUARD_MS = 60_000;
/** Invalidations that could not reach Redis, kept to send when it is back; beyond this, L2 may keep stale entries until their TTL (logged). */
const MAX_PENDING = 10_000;

/**
 * One instance's cache: the L1 stores and their coherence, L2, the invalidation bus, the engines
 * of the decorated methods and of the `Cache` API, and the write side (invalidate, put), which
 * waits until every instance has dropped its L1 entries, and runs after commit inside a transaction.
 * Loaded (with lru-cache) only when CacheModule boots.
 */
export class CacheRuntime {
  readonly instanceId = randomUUID();
  readonly coherence = new L1Coherence();
  readonly l2: L2Store;
  readonly bus: CacheBus;
  readonly clock: Clock;
  readonly log: Logger;
  readonly engines: CacheEngine[] = [];
  readonly api: CacheEngine;
  readonly stats = { invalidationsSent: 0, invalidationsFailed: 0, invalidationsDeferred: 0, invalidationsLost: 0 };
  private readonly channel: string;
  private readonly pending = new Set<string>();
  private pendingOverflow = false;
  private flushing = false;

  constructor(private readonly s: RuntimeSettings) {
    this.clock = s.clock;
    this.log = s.log;
    this.l2 = new L2Store(s.redis, s.log, { timeoutMs: s.l2TimeoutMs, retryMs: s.l2RetryMs, holdMs: s.holdMs, guardMs: GUARD_MS });
    this.channel = s.redis.key('ch', 'cache.invalidate');
    this.bus = new CacheBus({
      url: s.redisUrl,
      connectionName: `fleet:${s.app}:cache-bus`,
      invalidations: this.channel,
      acks: this.ackChannel(this.instanceId),
      heartbeatMs: s.heartbeatMs,
      instanceId: this.instanceId,
      log: s.log,
      onInvalidate: (m) => this.apply(m),
      onReset: () => this.coherence.clear(),
      sendAck: (origin, ackId) => { void this.l2.publish(this.ackChannel(origin), ackId); },
      onTick: () => this.flushPending(),
    });
    this.api = this.engine('Cache', s.l1Max, s.tracing);
  }

  start(): Promise<boolean> { return this.bus.start(2000); }

  async stop(): Promise<void> {
    await this.bus.stop();
    this.l2.stop();
  }

  /** The `cached` stage of a decorated method. */
  stage(ops: CacheOps, next: Invoke, context: StageContext): Invoke {
    return buildCacheStage(ops, next, context, this);
  }

  /** A read engine with its own L1 (`l1Max` entries on this instance), or none (`withL1` false: `l1: false`). */
  engine(name: string, l1Max: number | undefined, tracing: boolean, withL1 = true): CacheEngine {
    const store = withL1 ? new L1Store(l1Max ?? this.s.l1Max) : undefined;
    if (store) this.coherence.stores.add(store);
    const engine = new CacheEngine(name, this, store, tracing ? fleetTracer() : undefined);
    this.engines.push(engine);
    this.coherence.readers.add(engine);
    return engine;
  }

  /** Inside `db.transaction()`: cached reads go to the source, writes wait for the commit. */
  inTransaction(): boolean {
    return this.s.database !== undefined && dataStorage.getStore()?.tx !== undefined;
  }

  /** Whether this call must read its own writes (a request or scope with a read-your-writes position). */
  carriesPosition(): boolean {
    return this.s.database?.consistencyToken() !== undefined;
  }

  /**
   * Deletes `keys` and invalidates `tags` everywhere: this instance's L1 at once, L2, then every
   * instance's L1 through the bus; resolves when all have acknowledged (or after one lease).
   * Inside a transaction it runs after the commit. Never rejects: if Redis is unreachable, it is
   * logged, counted and sent again when Redis is back.
   */
  invalidate(keys: readonly string[], tags: readonly string[]): Promise<void> {
    const tx = this.s.database === undefined ? undefined : dataStorage.getStore()?.tx;
    if (tx !== undefined) {
      this.stats.invalidationsDeferred++;
      tx.afterCommit(() => this.invalidateNow(keys, tags));
      return Promise.resolve();
    }
    return this.invalidateNow(keys, tags);
  }

  /** Write-through: the value becomes the entry of `key` for every instance. Same guarantees as `invalidate`. */
  put(key: string, value: unknown, policy: CachePolicy, tags: readonly string[]): Promise<void> {
    const json = toJson(value, policy.name);
    const tx = this.s.database === undefined ? undefined : dataStorage.getStore()?.tx;
    if (tx !== undefined) {
      this.stats.invalidationsDeferred++;
      tx.afterCommit(() => this.putNow(key, json, policy, tags));
      return Promise.resolve();
    }
    return this.putNow(key, json, policy, tags);
  }

  private async invalidateNow(keys: readonly string[], tags: readonly string[]): Promise<void> {
    if (keys.length === 0 && tags.length === 0) return;
    this.coherence.dropKeys(keys);
    this.coherence.dropTags(tags);
    const ackId = randomBytes(9).toString('base64url');
    const message = JSON.stringify({ o: this.instanceId, a: ackId, k: keys, t: tags } satisfies BusMessage);
    this.bus.expect(ackId);
    const received = await this.l2.invalidate(keys, tags, this.channel, message);
    if (received === undefined) {
      this.bus.cancel(ackId);
      this.defer(keys, tags);
      return;
    }
    this.stats.invalidationsSent += keys.length + tags.length;
    await this.bus.settle(ackId, received);
  }

  private async putNow(key: string, json: string | undefined, policy: CachePolicy, tags: readonly string[]): Promise<void> {
    this.coherence.dropKeys([key]);
    const now = this.clock.now();
    const envelope = encodeEnvelope(json, now + policy.ttlMs, now + policy.ttlMs + policy.graceMs, tags);
    const ackId = randomBytes(9).toString('base64url');
    const message = JSON.stringify({ o: this.instanceId, a: ackId, k: [key] } satisfies BusMessage);
    this.bus.expect(ackId);
    const received = await this.l2.put(key, tags, envelope, policy.ttlMs + policy.graceMs, this.channel, message);
    if (received === undefined) {
      this.bus.cancel(ackId);
      this.defer([key], NO_TAGS);
      return;
    }
    this.stats.invalidationsSent++;
    await this.bus.settle(ackId, received);
  }

  /** Another instance's invalidation. */
  private apply(m: BusMessage): void {
    if (Array.isArray(m.k) && m.k.length > 0) this.coherence.dropKeys(m.k.map(String));
    if (Array.isArray(m.t) && m.t.length > 0) this.coherence.dropTags(m.t.map(String));
  }

  private ackChannel(instanceId: string): string {
    return this.s.redis.key('ch', 'cache.ack', instanceId);
  }

  /** Keeps an invalidation that could not reach Redis, to send it when Redis is back. */
  private defer(keys: readonly string[], tags: readonly string[]): void {
    this.stats.invalidationsFailed += keys.length + tags.length;
    for (const k of keys) this.remember(`k${k}`);
    for (const t of tags) this.remember(`t${t}`);
  }

  private remember(item: string): void {
    if (this.pending.size < MAX_PENDING) { this.pending.add(item); return; }
    this.stats.invalidationsLost++;
    if (!this.pendingOverflow) {
      this.pendingOverflow = true;
      this.log.error(`cache: more than ${MAX_PENDING} invalidations are waiting for Redis; further ones are lost, and their entries may be served until their TTL`);
    }
  }

  /** On each heartbeat: sends the invalidations Redis missed, once it answers again. */
  private flushPending(): void {
    if (this.pending.size === 0 || this.flushing || !this.l2.available()) return;
    const items = [...this.pending];
    this.pending.clear();
    this.pendingOverflow = false;
    const keys = items.filter((i) => i[0] === 'k').map((i) => i.slice(1));
    const tags = items.filter((i) => i[0] === 't').map((i) => i.slice(1));
    this.flushing = true;
    this.invalidateNow(keys, tags).then(() => {
      if (this.pending.size === 0) this.log.info({ keys: keys.length, tags: tags.length }, 'cache: invalidations that could not reach Redis were sent');
    }).finally(() => { this.flushing = false; });
  }

  /** Invalidations waiting for Redis. */
  get pendingInvalidations(): number { return this.pending.size; }
}
