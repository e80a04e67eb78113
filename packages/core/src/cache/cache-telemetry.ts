import { createHash } from 'node:crypto';
import type { Attributes, Tracer } from '@opentelemetry/api';
import { otelApi } from '../telemetry/otel-api.js';
import { endWithError } from '../telemetry/span-status.js';

/** Which level answered a cached read (`fleet.cache.result`); the same words as the `fleet.cache.level` metric attribute. */
export type CacheResult = 'l1' | 'l2' | 'stale' | 'miss' | 'coalesced';

/**
 * A short, stable digest of a cache key (`fleet.cache.key_hash`): it tells calls of the same key
 * apart across spans and instances without exporting the key itself, which may hold an email or
 * another value a trace backend must not keep. Computed only when tracing is on.
 */
export function cacheKeyHash(key: string): string {
  return createHash('sha256').update(key).digest('hex').slice(0, 16);
}

/**
 * Sets on the active span (the decorated method's span, or the `Cache.*` operation's) which level
 * answered. Called only when tracing was on at boot (the API is loaded then).
 */
export function markCacheResult(name: string, result: CacheResult, key: string): void {
  const span = otelApi().trace.getActiveSpan();
  if (span?.isRecording()) span.setAttributes({ 'fleet.cache.name': name, 'fleet.cache.result': result, 'fleet.cache.key_hash': cacheKeyHash(key) });
}

/**
 * Runs the source of a cache miss (the rest of the method's pipeline, or the `wrap` function)
 * inside a `fleet.cache.load` span, child of the span that missed: the queries it makes are its
 * children. Background refreshes of stale values get one too.
 */
export function loadInSpan<T>(tracer: Tracer, name: string, key: string, load: () => Promise<T>): Promise<T> {
  return inSpan(tracer, 'fleet.cache.load', { 'fleet.cache.name': name, 'fleet.cache.key_hash': cacheKeyHash(key) }, load);
}

/** A span around one `Cache` API call (`Cache.get`, `Cache.wrap`, `Cache.set`, `Cache.delete`, `Cache.deleteByTag`). */
export function cacheOperationSpan<T>(tracer: Tracer, operation: string, keys: readonly string[], run: () => Promise<T>, tagCount?: number): Promise<T> {
  const attributes: Attributes = { 'fleet.cache.name': 'Cache', 'fleet.cache.operation': operation };
  if (keys.length === 1) attributes['fleet.cache.key_hash'] = cacheKeyHash(keys[0]!);
  else if (tagCount === undefined) attributes['fleet.cache.key_count'] = keys.length;
  if (tagCount !== undefined) attributes['fleet.cache.tag_count'] = tagCount;
  return inSpan(tracer, `Cache.${operation}`, attributes, run);
}

function inSpan<T>(tracer: Tracer, name: string, attributes: Attributes, run: () => Promise<T>): Promise<T> {
  const { context, SpanKind, trace } = otelApi();
  const parent = context.active();
  const span = tracer.startSpan(name, { kind: SpanKind.INTERNAL, attributes }, parent);
  let pending: Promise<T>;
  try {
    pending = context.with(trace.setSpan(parent, span), run);
  } catch (error) {
    pending = Promise.reject(error);
  }
  return pending.then((value) => { span.end(); return value; }, (error: unknown) => { endWithError(span, error); throw error; });
}
