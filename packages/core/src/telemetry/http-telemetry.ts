import type { Span } from '@opentelemetry/api';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { otelApi } from './otel-api.js';
import { fleetMeter, fleetTracer } from './telemetry.js';

const kSpan = Symbol('fleet.span');
type Traced = FastifyRequest & { [kSpan]?: Span };

/**
 * A server span per request (route template, method, status, request id), continued from an
 * incoming `traceparent`; request logs carry `trace_id`/`span_id`; a duration histogram per
 * route and status. Installed only when an SDK is registered.
 */
export function installHttpTelemetry(fastify: FastifyInstance): void {
  const { context, propagation, SpanKind, SpanStatusCode } = otelApi();
  const tracer = fleetTracer();
  const duration = fleetMeter().createHistogram('http.server.request.duration', { unit: 's', description: 'Duration of HTTP server requests' });
  fastify.addHook('onRequest', (req, reply, done) => {
    const parent = propagation.extract(context.active(), req.headers);
    const route = req.routeOptions.url ?? 'unmatched';
    const span = tracer.startSpan(`${req.method} ${route}`, {
      kind: SpanKind.SERVER,
      attributes: { 'http.request.method': req.method, 'http.route': route, 'url.path': req.url.split('?', 1)[0], 'fleet.request_id': req.id },
    }, parent);
    (req as Traced)[kSpan] = span;
    const c = span.spanContext();
    reply.log = req.log = req.log.child({ trace_id: c.traceId, span_id: c.spanId });
    done();
  });
  fastify.addHook('onError', (req, _reply, error, done) => {
    const span = (req as Traced)[kSpan];
    span?.recordException(error);
    done();
  });
  fastify.addHook('onResponse', (req, reply, done) => {
    const span = (req as Traced)[kSpan];
    if (span) {
      span.setAttribute('http.response.status_code', reply.statusCode);
      if (reply.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
      span.end();
    }
    duration.record(reply.elapsedTime / 1000, { 'http.request.method': req.method, 'http.route': req.routeOptions.url ?? 'unmatched', 'http.response.status_code': reply.statusCode });
    done();
  });
}

/**
 * Runs the handler inside the request span's context, so spans it starts are its children. Compiled
 * into a route only when telemetry is on, i.e. after `installHttpTelemetry` loaded the API.
 */
export function inSpanContext<R>(req: FastifyRequest, fn: () => R): R {
  const span = (req as Traced)[kSpan];
  if (span === undefined) return fn();
  const { context, trace } = otelApi();
  return context.with(trace.setSpan(context.active(), span), fn);
}
