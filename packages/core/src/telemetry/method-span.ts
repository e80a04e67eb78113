import type { Attributes, Tracer } from '@opentelemetry/api';
import { otelApi } from './otel-api.js';
import type { Invoke } from '../resilience/pipeline-types.js';
import { endWithError } from './span-status.js';

/**
 * The outermost step of a decorated method's pipeline, compiled in only when tracing is on: one
 * `INTERNAL` span per call, named `Class.method`, active while the pipeline runs, so that the
 * retry, breaker and rate-limit events, the cache attributes, and the spans of what the method
 * calls (queries, other decorated methods) land on it or below it. A rejection marks it `ERROR`.
 */
export function methodSpanStage(next: Invoke, owner: string, tracer: Tracer): Invoke {
  // One frozen attribute object per method, built at boot (the SDK copies attributes into the span).
  const { context, SpanKind, trace } = otelApi();
  const options = Object.freeze({ kind: SpanKind.INTERNAL, attributes: Object.freeze({ 'code.function.name': owner }) as Attributes });
  return function traced(self, args, signal) {
    const parent = context.active();
    const span = tracer.startSpan(owner, options, parent);
    let pending: Promise<unknown>;
    try {
      pending = context.with(trace.setSpan(parent, span), next, undefined, self, args, signal);
    } catch (error) {
      pending = Promise.reject(error);
    }
    return pending.then((value) => { span.end(); return value; }, (error: unknown) => { endWithError(span, error); throw error; });
  };
}
