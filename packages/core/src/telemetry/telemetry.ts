import { context, createNoopMeter, isSpanContextValid, metrics, trace, type Meter, type Tracer } from '@opentelemetry/api';

const NAME = '@fleet/core';

/** The tracer every Fleet subsystem uses (a no-op until the app registers an OpenTelemetry SDK). */
export function fleetTracer(): Tracer {
  return trace.getTracer(NAME);
}

/** The meter every Fleet subsystem uses (a no-op until the app registers a MeterProvider). */
export function fleetMeter(): Meter {
  return metrics.getMeter(NAME);
}

/**
 * Whether an OpenTelemetry SDK is registered: a span started now would be real. Checked once at
 * boot, so apps without an SDK pay nothing per request. The probe span is never ended, so it is
 * never exported.
 */
export function tracingRegistered(): boolean {
  return isSpanContextValid(fleetTracer().startSpan('fleet.probe', {}, context.active()).spanContext());
}

const NoopMeter = createNoopMeter().constructor as new () => Meter;

/**
 * Whether a MeterProvider is registered (the API hands out no-op meters until then). Checked once
 * at boot: subsystems record per-call metrics (a clock read and an attribute object per call)
 * only when it is.
 */
export function metricsRegistered(): boolean {
  return !(fleetMeter() instanceof NoopMeter);
}

/** The tracer when an SDK is registered, else undefined: what a subsystem compiles its hot path from at boot. */
export function bootTracer(): Tracer | undefined {
  return tracingRegistered() ? fleetTracer() : undefined;
}
