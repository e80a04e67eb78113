import { Writable } from 'node:stream';
import { context, propagation, trace } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { AggregationTemporality, InMemoryMetricExporter, MeterProvider, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { metrics } from '@opentelemetry/api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { Controller, Get, Injectable, Module, Param, createApp, fleetTracer } from '@fleet/core';
import { createTestApp, type TestApp } from '@fleet/testing';

const spans = new InMemorySpanExporter();
const metricExporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
const reader = new PeriodicExportingMetricReader({ exporter: metricExporter, exportIntervalMillis: 60_000 });

@Injectable()
class Inventory {
  count(sku: string) {
    return fleetTracer().startActiveSpan('inventory.count', (span) => { span.setAttribute('sku', sku); span.end(); return 3; });
  }
}

@Controller('/stock')
class StockController {
  constructor(private readonly inventory: Inventory) {}
  @Get('/:sku') async get(@Param('sku', z.string().min(2)) sku: string) {
    await new Promise((r) => setTimeout(r, 1));
    return { sku, count: this.inventory.count(sku) };
  }
  @Get('/fail/now') fail() { throw new Error('boom'); }
}

@Module({ providers: [Inventory], controllers: [StockController] })
class AppModule {}

describe('OpenTelemetry with an SDK registered (in-memory exporters)', () => {
  let t: TestApp;
  const lines: Array<Record<string, unknown>> = [];
  beforeAll(async () => {
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
    propagation.setGlobalPropagator(new W3CTraceContextPropagator());
    trace.setGlobalTracerProvider(new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(spans)] }));
    metrics.setGlobalMeterProvider(new MeterProvider({ readers: [reader] }));
    const stream = new Writable({ write(c, _e, cb) { lines.push(JSON.parse(String(c))); cb(); } });
    t = await createTestApp(AppModule, { logger: { level: 'info', stream } });
  });
  afterAll(async () => {
    await t.close();
    trace.disable();
    propagation.disable();
    context.disable();
    metrics.disable();
  });

  it('records a server span per request with the route template, continuing the caller trace, with child spans inside', async () => {
    spans.reset();
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    await t.request().get('/stock/ab-1').set('traceparent', `00-${traceId}-00f067aa0ba902b7-01`).set('x-request-id', 'req-otel-1').expect(200);
    const finished = spans.getFinishedSpans();
    const server = finished.find((s) => s.name === 'GET /stock/:sku')!;
    expect(server).toBeDefined();
    expect(server.spanContext().traceId).toBe(traceId);
    expect(server.attributes).toMatchObject({ 'http.route': '/stock/:sku', 'http.request.method': 'GET', 'http.response.status_code': 200, 'fleet.request_id': 'req-otel-1' });
    const child = finished.find((s) => s.name === 'inventory.count')!;
    expect(child.parentSpanContext?.spanId).toBe(server.spanContext().spanId);
    const logged = lines.find((l) => l.reqId === 'req-otel-1' && l.msg === 'request completed');
    expect(logged?.trace_id).toBe(traceId);
  });

  it('marks failed requests and records the exception; 400s get a span too', async () => {
    spans.reset();
    await t.request().get('/stock/fail/now').expect(500);
    await t.request().get('/stock/x').expect(400);
    const failed = spans.getFinishedSpans().find((s) => s.name === 'GET /stock/fail/now')!;
    expect(failed.status.code).toBe(2);
    expect(failed.events.some((e) => e.name === 'exception')).toBe(true);
    expect(spans.getFinishedSpans().find((s) => s.name === 'GET /stock/:sku')?.attributes['http.response.status_code']).toBe(400);
  });

  it('records request durations per route and status', async () => {
    await reader.forceFlush();
    const points = metricExporter.getMetrics().flatMap((m) => m.scopeMetrics).flatMap((s) => s.metrics)
      .filter((m) => m.descriptor.name === 'http.server.request.duration').flatMap((m) => m.dataPoints as Array<{ attributes: Record<string, unknown> }>);
    expect(points.some((p) => p.attributes['http.route'] === '/stock/:sku' && p.attributes['http.response.status_code'] === 200)).toBe(true);
  });
});

describe('OpenTelemetry without an SDK', () => {
  it('installs nothing per request', async () => {
    // Off here so that no hook of theirs can be mistaken for telemetry's (they use one only where Node's response internals differ).
    const app = await createApp(AppModule, { logger: false, securityHeaders: false });
    await app.ready();
    expect(app.fastify.hasRoute({ method: 'GET', url: '/stock/:sku' })).toBe(true);
    const hooks = app.fastify.printRoutes({ includeHooks: true });
    expect(hooks).not.toContain('onRequest');
    await app.close();
  });
});
