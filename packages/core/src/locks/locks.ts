import { randomBytes } from 'node:crypto';
import { FleetError } from '../errors.js';
import { Injectable } from '../di/decorators.js';
import { FrameworkOwned } from '../state/allow-state.js';
import { RedisConnection } from '../redis/redis-connection.js';
import { parseDuration as toMs, type Duration } from '../time/duration.js';

// Only the holder (same token) may release or extend: compare and act in one atomic step.
const RELEASE = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`;
const EXTEND = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end`;

export interface AcquireOptions {
  /** How long the lock lives if its holder never releases it (crash). */
  ttl: Duration;
  /** How long to keep trying when it is held by someone else. @default 0 (one attempt) */
  wait?: Duration;
  /** Pause between attempts (with jitter). @default 50 ms */
  retryDelay?: Duration;
  /** Stops waiting when aborted. */
  signal?: AbortSignal;
}

/** A held lock. Release it in `finally`; extend it before `ttl` runs out for long work. */
export interface Lock {
  readonly name: string;
  /** The random value that proves ownership. */
  readonly token: string;
  /** Releases the lock if this holder still owns it; false when it had expired (someone else may hold it now). */
  release(): Promise<boolean>;
  /** Resets the TTL if this holder still owns it; false when it had expired. */
  extend(ttl: Duration): Promise<boolean>;
}

/**
 * Distributed locks in Redis, shared by every instance of the app: `SET key token NX PX ttl` to
 * take, compare-and-delete to release, so a lock is only ever released by its holder, and a
 * crashed holder's lock expires after its TTL.
 */
@Injectable()
@FrameworkOwned()
export class Locks {
  constructor(private readonly redis: RedisConnection) {}

  /** Takes the lock, retrying until `wait`; rejects with FLEET_ERR_LOCK_NOT_ACQUIRED when it stays held. */
  async acquire(name: string, options: AcquireOptions): Promise<Lock> {
    const ttl = toMs(options.ttl, 'Locks ttl');
    const deadline = Date.now() + toMs(options.wait ?? 0, 'Locks wait');
    const delay = toMs(options.retryDelay ?? 50, 'Locks retryDelay');
    const key = this.redis.key('lock', name);
    const token = randomBytes(16).toString('base64url');
    for (let attempt = 1; ; attempt++) {
      if ((await this.redis.client.set(key, token, 'PX', ttl, 'NX')) === 'OK') return this.lock(name, key, token);
      const left = deadline - Date.now();
      if (left <= 0 || options.signal?.aborted) {
        throw new FleetError('FLEET_ERR_LOCK_NOT_ACQUIRED', `Lock "${name}" is held by another holder; gave up after ${attempt} attempt${attempt > 1 ? 's' : ''}${options.wait ? ` within ${options.wait}` : ''}. Fix: wait longer (wait option), or retry later.`);
      }
      await new Promise((r) => setTimeout(r, Math.min(left, delay / 2 + Math.random() * delay)));
    }
  }

  /** Takes the lock once; undefined when someone else holds it. */
  async tryAcquire(name: string, ttl: Duration): Promise<Lock | undefined> {
    return this.acquire(name, { ttl }).catch((e: FleetError) => { if (e.code === 'FLEET_ERR_LOCK_NOT_ACQUIRED') return undefined; throw e; });
  }

  /** Runs `fn` while holding the lock, and releases it afterwards whatever happens. */
  async withLock<T>(name: string, options: AcquireOptions, fn: (lock: Lock) => Promise<T> | T): Promise<T> {
    const lock = await this.acquire(name, options);
    try {
      return await fn(lock);
    } finally {
      await lock.release();
    }
  }

  private lock(name: string, key: string, token: string): Lock {
    const client = this.redis.client;
    return Object.freeze({
      name,
      token,
      release: async () => (await client.eval(RELEASE, 1, key, token)) === 1,
      extend: async (ttl: Duration) => (await client.eval(EXTEND, 1, key, token, toMs(ttl, 'Lock extend ttl'))) === 1,
    });
  }
}
