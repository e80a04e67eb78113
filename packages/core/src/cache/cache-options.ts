import { FleetError } from '../errors.js';
import { parseDuration, type Duration } from '../time/duration.js';

/**
 * Which entry a call reads or writes: a fixed string, or a function of the method's arguments.
 * Give `@Cached`, `@CacheEvict`, `@CachePut` and `Cache.delete` the same key to reach one entry:
 * `key: (id: number) => \`user:${id}\``.
 */
export type CacheKey = string | ((...args: any[]) => string);

/** Tags of an entry (to invalidate a group at once): a fixed list, or a function of the arguments. */
export type CacheTags = readonly string[] | ((...args: any[]) => readonly string[]);

/** The in-process level of an entry: `false` keeps it in Redis only. */
export type L1Option = { ttl?: Duration; max?: number } | false;

/** Options of `@Cached` (and of `Cache.wrap`, without `key`). */
export interface CachedOptions {
  /** How long a value stays fresh, counted from when the source returned it (L2 and L1). Required: `'30s'`, `'5m'` or milliseconds. */
  ttl: Duration;
  /**
   * The entry of a call. @default `'<Class>.<method>(<stable encoding of the arguments>)'`
   * (strings, numbers, booleans, null, dates, plain objects and arrays; a `@Signal()` argument is left out).
   */
  key?: CacheKey;
  /** Tags, for `@CacheEvict({ tags })` / `Cache.deleteByTag`. @default none */
  tags?: CacheTags;
  /**
   * The in-process LRU in front of Redis, kept coherent across the fleet by Fleet. `ttl` caps how
   * long an entry stays in it (never longer than the entry's remaining L2 life); `max` is the
   * number of entries for this method on each instance. `false`: Redis only.
   * @default { ttl: the ttl, max: CACHE_L1_MAX (1000) }
   */
  l1?: L1Option;
  /**
   * Grace period after `ttl`: an expired value is served at once while one background call
   * refreshes it, and keeps being served while the source fails, until the grace period ends.
   * @default 0 (no stale values)
   */
  staleWhileRevalidate?: Duration;
  /**
   * Single flight for the whole fleet: on a miss, one instance takes a Redis lock and calls the
   * source; the others wait for its value in L2 (polling), and take over if it fails. Without
   * it, concurrent misses make one source call per instance. `ttl` bounds how long a lock
   * outlives a crashed holder and how long others wait.
   * @default false ({ ttl: '10s' } when true)
   */
  lock?: boolean | { ttl?: Duration };
}

/** Options of `@CacheEvict`: the entries (by key) and groups (by tag) to invalidate after the method succeeds. */
export interface CacheEvictOptions {
  key?: CacheKey | readonly CacheKey[];
  tags?: CacheTags;
}

/** Options of `@CachePut`: where to write the method's result (write-through), and for how long. */
export interface CachePutOptions extends Omit<CachedOptions, 'key' | 'lock' | 'staleWhileRevalidate'> {
  /** The entry to write; the same key the reading `@Cached` uses. Required. */
  key: CacheKey;
  staleWhileRevalidate?: Duration;
}

/** Options of `Cache.set`. */
export interface CacheSetOptions {
  ttl: Duration;
  tags?: readonly string[];
  /** `false`: do not keep it in this instance's L1. `ttl` caps its L1 life. @default { ttl: the ttl } */
  l1?: { ttl?: Duration } | false;
  staleWhileRevalidate?: Duration;
}

/** Options of `Cache.wrap`. */
export type CacheWrapOptions = Omit<CachedOptions, 'key' | 'tags'> & { tags?: readonly string[] };

/** @internal What every read or write of an entry follows, resolved once (at decoration time for decorators). */
export interface CachePolicy {
  /** `UsersService.find` or `Cache`: in messages and metrics. */
  readonly name: string;
  readonly ttlMs: number;
  readonly graceMs: number;
  /** L1 life cap, or 0 when the entry stays out of L1. */
  readonly l1TtlMs: number;
  /** Lock TTL, or 0 without a fleet-wide lock. */
  readonly lockMs: number;
}

/** @internal Resolved `@Cached` options. */
export interface ResolvedCached extends CachePolicy {
  readonly key: CacheKey | undefined;
  readonly tags: CacheTags | undefined;
  readonly l1Max: number | undefined;
}

/** @internal Resolved `@CachePut`. */
export interface ResolvedPut extends CachePolicy {
  readonly key: CacheKey;
  readonly tags: CacheTags | undefined;
}

/** @internal Resolved `@CacheEvict`. */
export interface ResolvedEvict {
  readonly keys: readonly CacheKey[];
  readonly tags: CacheTags | undefined;
}

/** Validates cache options where they are declared; problems name the decorator and method. */
class CacheChecks {
  constructor(private readonly where: string) {}

  fail(message: string): never {
    throw new FleetError('FLEET_ERR_CACHE_INVALID_OPTIONS', `${this.where}: ${message}`);
  }

  duration(field: string, value: Duration | undefined, min: number): number {
    let ms: number;
    try {
      ms = parseDuration(value as Duration, `${this.where}: ${field}`);
    } catch (e) {
      throw new FleetError('FLEET_ERR_CACHE_INVALID_OPTIONS', (e as Error).message);
    }
    if (ms < min) this.fail(`${field} must be at least ${min} ms; got ${JSON.stringify(value)}.`);
    return ms;
  }

  key(field: string, value: unknown): void {
    if (typeof value === 'function') return;
    if (typeof value !== 'string' || value === '') this.fail(`${field} must be a non-empty string or a function of the arguments that returns one; got ${describe(value)}.`);
  }

  tags(value: unknown): void {
    if (value === undefined || typeof value === 'function') return;
    if (!Array.isArray(value) || value.some((t) => typeof t !== 'string' || t === '')) this.fail(`tags must be a list of non-empty strings or a function of the arguments that returns one; got ${describe(value)}.`);
  }
}

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(describe).join(', ')}]`;
  return value === null ? 'null' : typeof value;
}

const DEFAULT_LOCK_MS = 10_000;

function policy(check: CacheChecks, name: string, o: { ttl?: Duration; l1?: L1Option; staleWhileRevalidate?: Duration; lock?: boolean | { ttl?: Duration } }): CachePolicy & { l1Max: number | undefined } {
  if (o === null || typeof o !== 'object') check.fail(`options must be an object with a ttl, e.g. { ttl: '30s' }; got ${describe(o)}.`);
  if (o.ttl === undefined) check.fail(`ttl is required (how long a value stays fresh), e.g. { ttl: '30s' }.`);
  const ttlMs = check.duration('ttl', o.ttl, 1);
  const graceMs = o.staleWhileRevalidate === undefined ? 0 : check.duration('staleWhileRevalidate', o.staleWhileRevalidate, 0);
  let l1TtlMs = ttlMs;
  let l1Max: number | undefined;
  if (o.l1 === false) l1TtlMs = 0;
  else if (o.l1 !== undefined) {
    if (typeof o.l1 !== 'object' || o.l1 === null) check.fail(`l1 must be { ttl?, max? } or false; got ${describe(o.l1)}.`);
    if (o.l1.ttl !== undefined) l1TtlMs = check.duration('l1.ttl', o.l1.ttl, 1);
    if (l1TtlMs > ttlMs + graceMs) check.fail(`l1.ttl (${l1TtlMs} ms) is longer than the entry lives (ttl ${ttlMs} ms + staleWhileRevalidate ${graceMs} ms): an L1 entry never outlives its L2 entry.`);
    if (o.l1.max !== undefined && (!Number.isInteger(o.l1.max) || o.l1.max < 1)) check.fail(`l1.max must be an integer >= 1 (entries on each instance); got ${describe(o.l1.max)}.`);
    l1Max = o.l1.max;
  }
  let lockMs = 0;
  if (o.lock === true) lockMs = DEFAULT_LOCK_MS;
  else if (o.lock !== undefined && o.lock !== false) {
    if (typeof o.lock !== 'object' || o.lock === null) check.fail(`lock must be true, false or { ttl }; got ${describe(o.lock)}.`);
    lockMs = o.lock.ttl === undefined ? DEFAULT_LOCK_MS : check.duration('lock.ttl', o.lock.ttl, 1);
  }
  return { name, ttlMs, graceMs, l1TtlMs, lockMs, l1Max };
}

/** `@Cached('30s')` is `@Cached({ ttl: '30s' })`. */
export function resolveCached(options: CachedOptions | Duration, where: string): ResolvedCached {
  const check = new CacheChecks(`@Cached on ${where}`);
  const o = typeof options === 'object' && options !== null ? options : { ttl: options };
  const p = policy(check, where, o);
  if (o.key !== undefined) check.key('key', o.key);
  check.tags(o.tags);
  return Object.freeze({ ...p, key: o.key, tags: o.tags });
}

export function resolvePut(options: CachePutOptions, where: string): ResolvedPut {
  const check = new CacheChecks(`@CachePut on ${where}`);
  const p = policy(check, where, options);
  if (options.key === undefined) check.fail(`key is required: the entry the result is written to, the same key its @Cached reader uses, e.g. { key: (id) => \`user:\${id}\` }.`);
  check.key('key', options.key);
  check.tags(options.tags);
  return Object.freeze({ name: p.name, ttlMs: p.ttlMs, graceMs: p.graceMs, l1TtlMs: p.l1TtlMs, lockMs: 0, key: options.key, tags: options.tags });
}

export function resolveEvict(options: CacheEvictOptions, where: string): ResolvedEvict {
  const check = new CacheChecks(`@CacheEvict on ${where}`);
  if (options === null || typeof options !== 'object') check.fail(`options must be { key } and/or { tags }; got ${describe(options)}.`);
  const keys = options.key === undefined ? [] : Array.isArray(options.key) ? [...(options.key as CacheKey[])] : [options.key as CacheKey];
  keys.forEach((k, i) => check.key(keys.length > 1 ? `key[${i}]` : 'key', k));
  check.tags(options.tags);
  if (keys.length === 0 && (options.tags === undefined || (Array.isArray(options.tags) && options.tags.length === 0))) {
    check.fail('give the entries to invalidate: { key } (the key the @Cached reader uses) and/or { tags }.');
  }
  return Object.freeze({ keys: Object.freeze(keys), tags: options.tags });
}

/** @internal Resolves the options of one `Cache.set` / `Cache.wrap` call. */
export function resolveCallPolicy(method: string, o: CacheSetOptions | CacheWrapOptions): CachePolicy {
  const check = new CacheChecks(`Cache.${method}()`);
  const p = policy(check, 'Cache', o as CacheWrapOptions);
  check.tags(o?.tags);
  if (o.tags !== undefined && typeof o.tags === 'function') check.fail('tags must be a list of strings here.');
  return p;
}
