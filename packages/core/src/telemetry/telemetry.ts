import type { Meter, Tracer } from '@opentelemetry/api';
import { otelApi, otelRegistered } from './otel-api.js';

const NAME = '@fleet/core';

/**
 * The tracer every Fleet subsystem uses (a no-op until the app registers an OpenTelemetry SDK).
 * Loads `@opentelemetry/api` on first call; Fleet itself calls it only once an SDK is registered.
 */
export function fleetTracer(): Tracer {
  return otelApi().trace.getTracer(NAME);
}

/** The meter every Fleet subsystem uses (a no-op until the app registers a MeterProvider). Loads the API on first call, as `fleetTracer()`. */
export function fleetMeter(): Meter {
  return otelApi().metrics.getMeter(NAME);
}

/**
 * Whether an OpenTelemetry SDK is registered: a span started now would be real. Checked once at
 * boot, so apps without an SDK pay nothing per request. Without a global tracer provider it is
 * false at once and the API is not loaded; with one, the API decides (a probe span, never ended,
 * so never exported: the registered provider may be of an incompatible API version, or a no-op).
 */
export function tracingRegistered(): boolean {
  if (!otelRegistered('trace')) return false;
  const { context, isSpanContextValid } = otelApi();
  return isSpanContextValid(fleetTracer().startSpan('fleet.probe', {}, context.active()).spanContext());
}

/**
 * Whether a MeterProvider is registered (the API hands out no-op meters until then). Checked once
 * at boot: subsystems record per-call metrics (a clock read and an attribute object per call)
 * only when it is. Without a global meter provider the API is not loaded.
 */
export function metricsRegistered(): boolean {
  if (!otelRegistered('metrics')) return false;
  const NoopMeter = otelApi().createNoopMeter().constructor as new () => Meter;
  return !(fleetMeter() instanceof NoopMeter);
}

/** The tracer when an SDK is registered, else undefined: what a subsystem compiles its hot path from at boot. */
export function bootTracer(): Tracer | undefined {
  return tracingRegistered() ? fleetTracer() : undefined;
}

/**
 * The meter when a global MeterProvider is registered, else undefined: without one the API's meter
 * is a no-op for good (it has no proxy provider), so instruments need not be created, nor the API
 * loaded. Instruments that cost something per call check `metricsRegistered()` instead.
 */
export function bootMeter(): Meter | undefined {
  return otelRegistered('metrics') ? fleetMeter() : undefined;
}
