import { bootMeter } from '../../telemetry/telemetry.js';
import type { CacheSnapshot } from '../cache.js';

/**
 * OpenTelemetry metrics of the cache. The read path only bumps plain counters; these observable
 * instruments read them when the SDK collects (no metrics API call per cached call).
 */
export function registerCacheMetrics(snapshot: () => CacheSnapshot): void {
  const meter = bootMeter();
  if (meter === undefined) return; // no MeterProvider: nothing would ever collect them
  const hits = meter.createObservableCounter('fleet.cache.hits', { description: 'Cached calls answered from the cache, by level (l1, l2, stale)' });
  const misses = meter.createObservableCounter('fleet.cache.misses', { description: 'Cached calls the cache could not answer' });
  const sourceCalls = meter.createObservableCounter('fleet.cache.source_calls', { description: 'Calls of the cached method itself (fills and background refreshes)' });
  const coalesced = meter.createObservableCounter('fleet.cache.coalesced', { description: 'Calls that shared a source call already running on this instance' });
  const evictions = meter.createObservableCounter('fleet.cache.evictions', { description: 'Keys and tags invalidated by this instance (delete, tag delete, put)' });
  const received = meter.createObservableCounter('fleet.cache.invalidations_received', { description: 'Invalidation messages received from the bus' });
  const errors = meter.createObservableCounter('fleet.cache.l2_errors', { description: 'Redis calls of the cache that failed or timed out (the call went to the source)' });
  const resets = meter.createObservableCounter('fleet.cache.l1_resets', { description: 'Times L1 was cleared because the invalidation bus dropped or reconnected' });
  const entries = meter.createObservableGauge('fleet.cache.l1.entries', { description: 'Entries in this instance\'s L1' });
  const available = meter.createObservableGauge('fleet.cache.l2.up', { description: '1 while Redis (L2) is used, 0 while it is skipped after a failure' });

  meter.addBatchObservableCallback((result) => {
    const s = snapshot();
    for (const c of s.caches) {
      const name = { 'fleet.cache.name': c.name };
      result.observe(hits, c.l1Hits, { ...name, 'fleet.cache.level': 'l1' });
      result.observe(hits, c.l2Hits, { ...name, 'fleet.cache.level': 'l2' });
      result.observe(hits, c.staleServed, { ...name, 'fleet.cache.level': 'stale' });
      result.observe(misses, c.misses, name);
      result.observe(sourceCalls, c.sourceCalls, name);
      result.observe(coalesced, c.coalesced, name);
      result.observe(entries, c.l1Entries, name);
    }
    result.observe(evictions, s.invalidationsSent);
    result.observe(received, s.invalidationsReceived);
    result.observe(errors, s.l2Errors);
    result.observe(resets, s.l1Resets);
    result.observe(available, s.l2 === 'up' ? 1 : 0);
  }, [hits, misses, sourceCalls, coalesced, evictions, received, errors, resets, entries, available]);
}
