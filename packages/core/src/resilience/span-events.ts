import { trace, type Attributes } from '@opentelemetry/api';
import { tracingRegistered } from '../telemetry/telemetry.js';

/** Adds an event to the active span, if one is recording (a few ns when tracing is off). */
export function spanEvent(name: string, attributes: Attributes): void {
  const span = trace.getActiveSpan();
  if (span?.isRecording()) span.addEvent(name, attributes);
}

/** Sets attributes on the active span, if one is recording. */
export function spanAttributes(attributes: Attributes): void {
  const span = trace.getActiveSpan();
  if (span?.isRecording()) span.setAttributes(attributes);
}

/**
 * Whether a tracer provider is registered (an OpenTelemetry SDK started before the app): only then
 * are per-call span attributes compiled into the hot path.
 */
export function tracingEnabled(): boolean {
  return tracingRegistered();
}
