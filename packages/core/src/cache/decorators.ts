import { FleetError } from '../errors.js';
import type { AsyncMethodDecorator } from '../resilience/decorators.js';
import { defineStage, type StageSpec } from '../resilience/metadata.js';
import { methodName } from '../resilience/option-checks.js';
import type { Duration } from '../time/duration.js';
import { buildCacheStage } from './cache.js';
import { opsLabel, type CacheOps } from './cache-ops.js';
import {
  resolveCached, resolveEvict, resolvePut, type CachedOptions, type CacheEvictOptions, type CachePutOptions,
} from './cache-options.js';

// Decorators only record resolved options: all cache decorators of a method share its one
// `cached` stage (between @RateLimit/fallback and @Retry), compiled once at boot.

const specs = new WeakMap<Function, Map<string, StageSpec<CacheOps>>>();

function record(target: object, key: string | symbol, decorator: string, add: (ops: CacheOps, where: string) => void): void {
  const where = methodName(target, key);
  let byMethod = specs.get(target.constructor);
  if (!byMethod) specs.set(target.constructor, (byMethod = new Map()));
  const existing = byMethod.get(String(key));
  if (existing) {
    // Another cache decorator of the same method joins the stage already recorded.
    try {
      add(existing.options, where);
      existing.label = opsLabel(existing.options);
    } catch (e) {
      defineStage(target, key, () => { throw e; }, () => e as FleetError);
    }
    return;
  }
  const methods = byMethod;
  defineStage(target, key, () => {
    const ops: CacheOps = { puts: [], evicts: [] };
    add(ops, where);
    const spec: StageSpec<CacheOps> = { kind: 'cached', decorator, label: opsLabel(ops), options: ops, build: (next, context) => buildCacheStage(ops, next, context) };
    methods.set(String(key), spec);
    return spec as StageSpec;
  }, () => conflict(where, decorator));
}

function conflict(where: string, decorator: string): FleetError {
  return new FleetError('FLEET_ERR_CACHE_INVALID_OPTIONS',
    `${decorator} on ${where}: a method either reads through the cache (@Cached) or writes to it (@CacheEvict, @CachePut), not both; ` +
    `and it has at most one @Cached. Fix: keep @Cached on the reading method and put @CacheEvict/@CachePut on the method that changes the data.`);
}

/**
 * Caches the method's result: in-process L1 (about 1 us) in front of Redis L2 (about 1 ms) in
 * front of the method; invalidated fleet-wide, with stampede protection, optional fleet-wide
 * lock and stale-while-revalidate. Values must be plain JSON data; every caller gets a
 * deep-frozen copy. Needs CacheModule. `@Cached('30s')` is `@Cached({ ttl: '30s' })`.
 */
export function Cached(options: CachedOptions | Duration): AsyncMethodDecorator {
  return (target, key) => record(target, key, '@Cached', (ops, where) => {
    if (ops.cached !== undefined || ops.puts.length > 0 || ops.evicts.length > 0) throw conflict(where, '@Cached');
    ops.cached = resolveCached(options, where);
  });
}

/**
 * After the method succeeds (after the commit, inside a transaction), deletes the entries of
 * `key` and the groups of `tags` from L2 and from every instance's L1, and returns only once
 * every instance has dropped them.
 */
export function CacheEvict(options: CacheEvictOptions): AsyncMethodDecorator {
  return (target, key) => record(target, key, '@CacheEvict', (ops, where) => {
    if (ops.cached !== undefined) throw conflict(where, '@CacheEvict');
    ops.evicts.push(resolveEvict(options, where));
  });
}

/**
 * Write-through: after the method succeeds (after the commit, inside a transaction), its result
 * becomes the cache entry of `key`, and every instance drops its older L1 copy before the call returns.
 */
export function CachePut(options: CachePutOptions): AsyncMethodDecorator {
  return (target, key) => record(target, key, '@CachePut', (ops, where) => {
    if (ops.cached !== undefined) throw conflict(where, '@CachePut');
    ops.puts.push(resolvePut(options, where));
  });
}
