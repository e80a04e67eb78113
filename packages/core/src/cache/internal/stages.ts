import type { Invoke } from '../../resilience/pipeline-types.js';
import type { StageContext } from '../../resilience/stage-context.js';
import type { CacheOps } from '../cache-ops.js';
import type { CacheKey, CacheTags } from '../cache-options.js';
import { encodeArgs, keyFrom, NO_TAGS, tagsFrom } from '../key-encoding.js';
import type { Load } from './engine.js';
import type { CacheRuntime } from './runtime.js';

/** The source of a decorated read: the rest of the pipeline, without the caller's signal (one call serves every waiter). */
function sourceOf(next: Invoke): Load {
  return (self, args) => next(self as object, args, undefined);
}

/** Builds the `cached` stage of one method from the cache decorators it carries. */
export function buildCacheStage(ops: CacheOps, next: Invoke, context: StageContext, rt: CacheRuntime): Invoke {
  if (ops.cached !== undefined) return cachedStage(ops, next, context, rt);
  return writeStage(ops, next, context, rt);
}

function cachedStage(ops: CacheOps, next: Invoke, context: StageContext, rt: CacheRuntime): Invoke {
  const o = ops.cached!;
  const owner = context.owner;
  const engine = rt.engine(owner, o.l1Max, context.tracing, o.l1TtlMs > 0);
  const keyOf = compileKey(o.key, owner, '@Cached', context.signalIndex);
  const tagsOf = compileTags(o.tags, owner, '@Cached');
  const load = sourceOf(next);
  return function cached(self, args, signal) {
    if (rt.inTransaction()) return next(self, args, signal);
    let key: string;
    try {
      key = keyOf(args);
    } catch (e) {
      return Promise.reject(e);
    }
    return engine.read(key, o, tagsOf, load, self, args);
  };
}

/** @CacheEvict and @CachePut: run the method, then write or invalidate (after commit inside a transaction). */
function writeStage(ops: CacheOps, next: Invoke, context: StageContext, rt: CacheRuntime): Invoke {
  const owner = context.owner;
  const puts = ops.puts.map((p) => ({ policy: p, keyOf: compileKey(p.key, owner, '@CachePut', context.signalIndex), tagsOf: compileTags(p.tags, owner, '@CachePut') }));
  const evictKeys = ops.evicts.flatMap((e) => e.keys.map((k) => compileKey(k, owner, '@CacheEvict', context.signalIndex)));
  const evictTags = ops.evicts.filter((e) => e.tags !== undefined).map((e) => compileTags(e.tags, owner, '@CacheEvict'));
  return async function cacheWrite(self, args, signal) {
    // Keys and tags come from the arguments as they were passed (before the method could change them).
    const putKeys = puts.map((p) => p.keyOf(args));
    const putTags = puts.map((p) => p.tagsOf(args));
    const keys = evictKeys.map((k) => k(args));
    const tags = evictTags.flatMap((t) => t(args));
    const result = await next(self, args, signal);
    for (let i = 0; i < puts.length; i++) await rt.put(putKeys[i]!, result, puts[i]!.policy, putTags[i]!);
    if (keys.length > 0 || tags.length > 0) await rt.invalidate(keys, tags);
    return result;
  };
}

function compileKey(key: CacheKey | undefined, owner: string, decorator: string, signalIndex: number): (args: unknown[]) => string {
  if (key === undefined) {
    const prefix = `${owner}(`;
    return (args) => `${prefix}${encodeArgs(args, signalIndex, owner)})`;
  }
  if (typeof key === 'string') return () => key;
  return (args) => keyFrom(key, args, owner, decorator);
}

function compileTags(tags: CacheTags | undefined, owner: string, decorator: string): (args: unknown[]) => readonly string[] {
  if (tags === undefined) return () => NO_TAGS;
  if (typeof tags !== 'function') {
    const fixed = Object.freeze([...tags]);
    return () => fixed;
  }
  return (args) => tagsFrom(tags, args, owner, decorator);
}
