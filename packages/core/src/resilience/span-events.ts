import type { Attributes, Span } from '@opentelemetry/api';
import { otelApi, otelRegistered } from '../telemetry/otel-api.js';
import { tracingRegistered } from '../telemetry/telemetry.js';

/**
 * The active span: there is none unless a context manager is registered (the API's `context.active()`
 * is then always the root context), so without one the API is not even loaded.
 */
function activeSpan(): Span | undefined {
  return otelRegistered('context') ? otelApi().trace.getActiveSpan() : undefined;
}

/** Adds an event to the active span, if one is recording (a few ns when tracing is off). */
export function spanEvent(name: string, attributes: Attributes): void {
  const span = activeSpan();
  if (span?.isRecording()) span.addEvent(name, attributes);
}

/** Sets attributes on the active span, if one is recording. */
export function spanAttributes(attributes: Attributes): void {
  const span = activeSpan();
  if (span?.isRecording()) span.setAttributes(attributes);
}

/**
 * Whether a tracer provider is registered (an OpenTelemetry SDK started before the app): only then
 * are per-call span attributes compiled into the hot path.
 */
export function tracingEnabled(): boolean {
  return tracingRegistered();
}
