import type { Attributes } from '@opentelemetry/api';
import { bootMeter } from '../telemetry/telemetry.js';
import type { ResilienceRegistry } from './registry.js';

const STATE_VALUE = { closed: 0, 'half-open': 1, open: 2 } as const;

/**
 * OpenTelemetry metrics of the app's resilience stages. The stages only bump plain counters; these
 * observable instruments read them when the SDK collects, so the hot path never calls the
 * metrics API (with an SDK registered, a `counter.add` with attributes costs about as much as a stage).
 */
export function registerResilienceMetrics(registry: ResilienceRegistry): void {
  const meter = bootMeter();
  if (meter === undefined) return; // no MeterProvider: nothing would ever collect them
  const calls = meter.createObservableCounter('fleet.resilience.calls', { description: 'Calls through a resilience stage, by outcome' });
  const rejections = meter.createObservableCounter('fleet.resilience.rejections', { description: 'Calls a resilience stage rejected, by reason' });
  const transitions = meter.createObservableCounter('fleet.resilience.breaker.transitions', { description: 'Circuit breaker state transitions' });
  const state = meter.createObservableGauge('fleet.resilience.breaker.state', { description: 'Circuit breaker state: 0 closed, 1 half-open, 2 open' });
  const active = meter.createObservableGauge('fleet.resilience.bulkhead.active', { description: 'Calls running in a bulkhead compartment' });
  const queued = meter.createObservableGauge('fleet.resilience.bulkhead.queued', { description: 'Calls waiting in a bulkhead queue' });
  const storeErrors = meter.createObservableCounter('fleet.resilience.ratelimit.store_errors', { description: 'Rate-limit checks that could not reach Redis (onStoreError applied)' });

  meter.addBatchObservableCallback((result) => {
    const s = registry.snapshot();
    const observe = (instrument: Parameters<typeof result.observe>[0], value: number, attributes: Attributes) => result.observe(instrument, value, attributes);
    const outcomes = (stage: string, name: string, counts: Record<string, unknown>, keys: string[]) => {
      for (const k of keys) observe(calls, Number(counts[k] ?? 0), { 'fleet.resilience.stage': stage, 'fleet.resilience.name': name, 'fleet.resilience.outcome': k });
    };
    for (const b of s.breakers) {
      outcomes('circuit_breaker', b.name, b, ['success', 'failure', 'ignored', 'slow']);
      observe(rejections, b.rejected, { 'fleet.resilience.stage': 'circuit_breaker', 'fleet.resilience.name': b.name, 'fleet.resilience.reason': 'circuit_open' });
      observe(state, STATE_VALUE[b.state], { 'fleet.resilience.name': b.name });
      const circuit = registry.breaker(b.name);
      for (const [key, n] of circuit?.transitions ?? []) {
        const [from, to] = key.split('->');
        observe(transitions, n, { 'fleet.resilience.name': b.name, 'fleet.breaker.from': from!, 'fleet.breaker.to': to! });
      }
    }
    for (const b of s.bulkheads) {
      outcomes('bulkhead', b.name, b, ['admitted', 'queued']);
      for (const [reason, n] of [['full', b.rejected], ['queue_timeout', b.queueTimeouts], ['aborted', b.aborted]] as const) {
        observe(rejections, n, { 'fleet.resilience.stage': 'bulkhead', 'fleet.resilience.name': b.name, 'fleet.resilience.reason': reason });
      }
      observe(active, b.active, { 'fleet.resilience.name': b.name });
      observe(queued, b.waiting, { 'fleet.resilience.name': b.name });
    }
    for (const r of s.rateLimits) {
      outcomes('rate_limit', r.name, r, ['allowed', 'limited', 'storeErrors']);
      observe(rejections, r.limited, { 'fleet.resilience.stage': 'rate_limit', 'fleet.resilience.name': r.name, 'fleet.resilience.reason': 'rate_limited' });
      observe(storeErrors, r.storeErrors, { 'fleet.resilience.name': r.name, 'fleet.ratelimit.on_store_error': r.onStoreError });
    }
    for (const r of s.retries) outcomes('retry', r.method, r, ['calls', 'retries', 'recovered', 'exhausted', 'notRetried', 'gaveUpOnTime', 'aborted']);
    for (const t of s.timeouts) {
      outcomes('timeout', t.method, t, ['calls']);
      observe(rejections, Number(t.timeouts ?? 0), { 'fleet.resilience.stage': 'timeout', 'fleet.resilience.name': t.method, 'fleet.resilience.reason': 'timeout' });
    }
  }, [calls, rejections, transitions, state, active, queued, storeErrors]);
}

