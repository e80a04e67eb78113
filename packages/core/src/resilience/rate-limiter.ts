import type { Redis } from 'ioredis';
import type { Logger } from '../app/logger.js';
import type { Clock } from '../time/clock.js';
import type { RedisConnection } from '../redis/redis-connection.js';
import type { DeadlineQueue, DeadlineTicker } from './deadline-ticker.js';
import type { ResolvedRateLimitOptions } from './rate-limit-options.js';
import { RateLimitedError, RateLimitUnavailableError } from './resilience-errors.js';
import { SLIDING_WINDOW_LUA, SLIDING_WINDOW_SHA } from './rate-limit-script.js';

/** After a store error, checks skip Redis (and apply `onStoreError` at once) for this long. */
const STORE_RETRY_MS = 1000;

/** What a check found: calls left in the current rolling period. */
export interface RateLimitDecision { remaining: number }

class StoreTimeoutError extends Error {
  constructor(ms: number) { super(`Redis did not answer the rate-limit check within ${ms} ms`); }
}

/**
 * One fleet-wide limit: one EVALSHA per check (the script is loaded on the first NOSCRIPT). When
 * Redis fails or is slower than `storeTimeout`, `onStoreError` applies, the outage is logged once
 * (and its end), every affected call is counted, and Redis is left alone for a second.
 */
export class FleetRateLimiter {
  readonly stats = { allowed: 0, limited: 0, storeErrors: 0 };
  private storeDownUntil = 0;
  private storeDown = false;
  private readonly io: DeadlineQueue;

  constructor(
    readonly options: ResolvedRateLimitOptions,
    private readonly redis: RedisConnection,
    private readonly clock: Clock,
    ioTicker: DeadlineTicker,
    private readonly log: Logger,
  ) {
    this.io = ioTicker.queue(options.storeTimeoutMs, () => new StoreTimeoutError(options.storeTimeoutMs));
  }

  get name(): string { return this.options.name; }

  /** Counts one call for `key`; rejects with `RateLimitedError` over the limit. */
  check(key: string): Promise<RateLimitDecision> {
    if (this.storeDownUntil !== 0 && performance.now() < this.storeDownUntil) return this.storeFailed(undefined);
    return this.io.race(runCheck, this, key, undefined, this.decide, this.recover);
  }

  snapshot() {
    const o = this.options;
    return { name: o.name, limit: o.limit, periodMs: o.periodMs, segments: o.segments, onStoreError: o.onStoreError, store: this.storeDown ? 'down' as const : 'up' as const, ...this.stats };
  }

  /** @internal the Redis key of a caller. */
  redisKey(key: string): string { return this.redis.key('rl', this.options.name, key); }

  /** @internal one EVALSHA per check (EVAL once after a script flush: see `recover`). */
  evaluate(key: string): Promise<[number, number, number]> {
    const o = this.options;
    let client: Redis;
    try {
      client = this.redis.client;
    } catch (e) {
      return Promise.reject(e);
    }
    return client.evalsha(SLIDING_WINDOW_SHA, 1, this.redisKey(key), Math.floor(this.clock.now()), o.segmentMs, o.segments, o.limit) as Promise<[number, number, number]>;
  }

  /** A store error or timeout applies `onStoreError`; a script Redis lost (a restart, SCRIPT FLUSH) is sent again with EVAL. */
  private readonly recover = (error: unknown, key: string): Promise<RateLimitDecision> => {
    if (!String((error as Error)?.message).startsWith('NOSCRIPT')) return this.storeFailed(error);
    return this.io.race(runEval, this, key, undefined, this.decide, this.storeFailed);
  };

  /** @internal EVAL: runs the script and caches it in Redis for the next EVALSHA. */
  evaluateLoading(key: string): Promise<[number, number, number]> {
    const o = this.options;
    return this.redis.client.eval(SLIDING_WINDOW_LUA, 1, this.redisKey(key), Math.floor(this.clock.now()), o.segmentMs, o.segments, o.limit) as Promise<[number, number, number]>;
  }

  private readonly decide = (reply: [number, number, number]): RateLimitDecision => {
    if (this.storeDown) {
      this.storeDown = false;
      this.storeDownUntil = 0;
      this.log.info({ rateLimit: this.name }, 'rate-limit store reachable again: limits are enforced fleet-wide');
    }
    if (reply[0] === 1) { this.stats.allowed++; return { remaining: reply[1] }; }
    this.stats.limited++;
    throw new RateLimitedError(this.name, this.options.limit, reply[2], this.options.periodMs);
  };

  private readonly storeFailed = (error: unknown): Promise<RateLimitDecision> => {
    this.stats.storeErrors++;
    if (error !== undefined) {
      this.storeDownUntil = performance.now() + STORE_RETRY_MS;
      if (!this.storeDown) {
        this.storeDown = true;
        this.log.warn({ err: error, rateLimit: this.name, onStoreError: this.options.onStoreError },
          `rate-limit store (Redis) unreachable: ${this.options.onStoreError === 'allow' ? 'allowing calls without a limit' : 'rejecting calls with 503'} until it is back`);
      }
    }
    if (this.options.onStoreError === 'allow') return Promise.resolve(UNCHECKED);
    return Promise.reject(new RateLimitUnavailableError(this.name, error));
  };
}

const runCheck = (limiter: FleetRateLimiter, key: string) => limiter.evaluate(key);
const runEval = (limiter: FleetRateLimiter, key: string) => limiter.evaluateLoading(key);
const UNCHECKED: RateLimitDecision = Object.freeze({ remaining: -1 });
