import { context, metrics, propagation, trace, SpanKind } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { AggregationTemporality, InMemoryMetricExporter, MeterProvider, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Async, Controller, Get, Injectable, Jobs, JobsModule, Module, Param, Post, enqueued } from '@fleet/core';
import { createTestApp, type TestApp } from '@fleet/testing';
import { LogCapture, Records, jobsEnv, sleep } from './helpers.js';

const spans = new InMemorySpanExporter();
const metricExporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
const reader = new PeriodicExportingMetricReader({ exporter: metricExporter, exportIntervalMillis: 600_000 });
const env = jobsEnv();
const records = new Records(env);

@Injectable()
class Invoices {
  @Async({ attempts: 1 })
  async render(orderId: string) {
    trace.getActiveSpan()?.addEvent('rendering', { orderId });
    return { orderId };
  }

  @Async({ attempts: 2, backoff: { type: 'fixed', delay: 50, jitter: 0 } })
  async broken(orderId: string) {
    throw new Error(`renderer down for ${orderId}`);
  }
}

@Controller('/orders')
class OrdersController {
  constructor(private readonly invoices: Invoices) {}
  @Post('/:id/invoice', { status: 202 })
  async invoice(@Param('id') id: string) { return enqueued(this.invoices.render(id)); }
  @Get('/slow/:n')
  async slow(@Param('n') n: string) { await sleep(600); return { n }; }
  @Get('/fast/:n')
  fast(@Param('n') n: string) { return { n }; }
}

@Module({ imports: [JobsModule], providers: [Invoices], controllers: [OrdersController] })
class AppModule {}

/** The value of a counter or the count of a histogram, summed over its points matching `attrs`. */
async function metric(name: string, attrs: Record<string, unknown> = {}): Promise<number> {
  await reader.forceFlush();
  const all = metricExporter.getMetrics().at(-1)?.scopeMetrics.flatMap((s) => s.metrics) ?? [];
  const m = all.find((x) => x.descriptor.name === name);
  return (m?.dataPoints ?? [])
    .filter((p) => Object.entries(attrs).every(([k, v]) => p.attributes[k] === v))
    .reduce((sum, p) => sum + (typeof p.value === 'number' ? p.value : (p.value as { count: number }).count), 0);
}

describe('jobs telemetry: trace context crosses into the job; metrics; the slow-request advisory', () => {
  let t: TestApp;
  const log = new LogCapture();
  beforeAll(async () => {
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
    propagation.setGlobalPropagator(new W3CTraceContextPropagator());
    trace.setGlobalTracerProvider(new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(spans)] }));
    metrics.setGlobalMeterProvider(new MeterProvider({ readers: [reader] }));
    t = await createTestApp(AppModule, { logger: { level: 'info', stream: log.stream } as never, env });
  });
  afterAll(async () => {
    await t?.close();
    await records.cleanup();
    trace.disable();
    propagation.disable();
    context.disable();
    metrics.disable();
  });

  it('the job span continues the trace of the request that enqueued it (child of its publish span)', async () => {
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    const res = await t.request().post('/orders/o-7/invoice').set('traceparent', `00-${traceId}-00f067aa0ba902b7-01`).expect(202);
    const { jobId } = res.body as { jobId: string };
    await expect.poll(async () => (await t.get(Jobs).status(jobId))?.state, { timeout: 20_000 }).toBe('completed');
    await expect.poll(() => spans.getFinishedSpans().some((s) => s.name === 'Invoices.render process'), { timeout: 5000 }).toBe(true);
    const finished = spans.getFinishedSpans();
    const server = finished.find((s) => s.kind === SpanKind.SERVER && s.name === 'POST /orders/:id/invoice')!;
    const publish = finished.find((s) => s.name === 'Invoices.render publish')!;
    const processSpan = finished.find((s) => s.name === 'Invoices.render process')!;
    expect(server.spanContext().traceId).toBe(traceId);
    expect(publish).toMatchObject({ kind: SpanKind.PRODUCER, attributes: expect.objectContaining({ 'messaging.message.id': jobId, 'messaging.destination.name': 'default' }) });
    expect(publish.spanContext().traceId).toBe(traceId);
    expect(publish.parentSpanContext?.spanId).toBe(server.spanContext().spanId);
    expect(processSpan.kind).toBe(SpanKind.CONSUMER);
    expect(processSpan.spanContext().traceId).toBe(traceId);
    expect(processSpan.parentSpanContext?.spanId).toBe(publish.spanContext().spanId);
    expect(processSpan.links.map((l) => l.context.spanId)).toEqual([publish.spanContext().spanId]);
    // Spans the method starts are children of the job span.
    expect(processSpan.events.map((e) => e.name)).toContain('rendering');
  });

  it('counts enqueued, completed, retried and failed jobs and records their queue wait time', async () => {
    const attrs = { 'fleet.job.name': 'Invoices.render', 'fleet.job.queue': 'default' };
    expect(await metric('fleet.jobs.enqueued', attrs)).toBeGreaterThanOrEqual(1);
    expect(await metric('fleet.jobs.completed', attrs)).toBeGreaterThanOrEqual(1);
    expect(await metric('fleet.jobs.wait_time', attrs)).toBeGreaterThanOrEqual(1);
    expect(await metric('fleet.jobs.duration', { ...attrs, 'fleet.job.outcome': 'completed' })).toBeGreaterThanOrEqual(1);

    const { jobId } = await enqueued(t.get(Invoices).broken('o-8'));
    await expect.poll(async () => (await t.get(Jobs).status(jobId))?.state, { timeout: 20_000 }).toBe('failed');
    const broken = { 'fleet.job.name': 'Invoices.broken', 'fleet.job.queue': 'default' };
    await expect.poll(() => metric('fleet.jobs.failed', broken), { timeout: 5000 }).toBe(1);
    expect(await metric('fleet.jobs.retried', broken)).toBe(1);
    expect(await metric('fleet.jobs.duration', { ...broken, 'fleet.job.outcome': 'failed' })).toBe(2);
  });

  it('logs a slow route once, with its duration and the hint to use @Async, and counts every slow request', async () => {
    await t.request().get('/orders/slow/1').expect(200);
    await t.request().get('/orders/slow/2').expect(200);
    await t.request().get('/orders/fast/1').expect(200);
    const advisories = log.lines.filter((l) => String(l.msg).startsWith('slow request:'));
    expect(advisories).toHaveLength(1);
    expect(advisories[0]).toMatchObject({ level: 40, route: 'GET /orders/slow/:n', thresholdMs: 500 });
    expect(advisories[0]!.durationMs).toBeGreaterThanOrEqual(500);
    expect(String(advisories[0]!.msg)).toContain('@Async');
    expect(await metric('fleet.http.slow_requests', { 'http.route': '/orders/slow/:n' })).toBe(2);
    expect(await metric('fleet.http.slow_requests', { 'http.route': '/orders/fast/:n' })).toBe(0);
  });
});
