import { Writable } from 'node:stream';
import { context, metrics, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import type { ExportResult } from '@opentelemetry/core';
import { AggregationTemporality, InMemoryMetricExporter, MeterProvider, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import { BasicTracerProvider, BatchSpanProcessor, InMemorySpanExporter, type ReadableSpan, type SpanExporter } from '@opentelemetry/sdk-trace-base';
import { afterEach, describe, expect, it } from 'vitest';
import { Controller, Get, Module } from '@fleet/core';
import { createTestApp } from '@fleet/testing';

@Controller('/ping')
class PingController {
  @Get() ping() { return { pong: true }; }
}

@Module({ controllers: [PingController] })
class AppModule {}

/** An exporter whose collector never answers. */
class StuckExporter implements SpanExporter {
  export(_spans: ReadableSpan[], _done: (result: ExportResult) => void): void {}
  shutdown(): Promise<void> { return Promise.resolve(); }
}

function logLines(): { stream: Writable; lines: Array<Record<string, unknown>> } {
  const lines: Array<Record<string, unknown>> = [];
  return { lines, stream: new Writable({ write(c, _e, cb) { lines.push(JSON.parse(String(c))); cb(); } }) };
}

describe('telemetry at shutdown', () => {
  afterEach(() => {
    trace.disable();
    metrics.disable();
    context.disable();
  });

  it('exports the spans and metrics the SDK still buffers before the shutdown sequence ends', async () => {
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
    const spans = new InMemorySpanExporter();
    // Batches every minute: without the flush, nothing below would be exported yet.
    trace.setGlobalTracerProvider(new BasicTracerProvider({ spanProcessors: [new BatchSpanProcessor(spans, { scheduledDelayMillis: 60_000 })] }));
    const metricExporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
    metrics.setGlobalMeterProvider(new MeterProvider({ readers: [new PeriodicExportingMetricReader({ exporter: metricExporter, exportIntervalMillis: 60_000 })] }));
    const t = await createTestApp(AppModule, { shutdown: { signals: false } });
    await t.request().get('/ping').expect(200);
    expect(spans.getFinishedSpans()).toEqual([]);
    expect(metricExporter.getMetrics()).toEqual([]);

    expect(await t.app.shutdown('test')).toBe(0);

    expect(spans.getFinishedSpans().map((s) => s.name)).toContain('GET /ping');
    const names = metricExporter.getMetrics().flatMap((m) => m.scopeMetrics.flatMap((s) => s.metrics.map((x) => x.descriptor.name)));
    expect(names).toContain('http.server.request.duration');
    await t.close();
  });

  it('does not wait past its deadline for a collector that never answers, and logs the loss', async () => {
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
    trace.setGlobalTracerProvider(new BasicTracerProvider({
      spanProcessors: [new BatchSpanProcessor(new StuckExporter(), { scheduledDelayMillis: 60_000, exportTimeoutMillis: 120_000 })],
    }));
    const { stream, lines } = logLines();
    const t = await createTestApp(AppModule, { shutdown: { signals: false }, shutdownTimeoutMs: 300, logger: { level: 'info', stream } });
    await t.request().get('/ping').expect(200);
    const started = Date.now();
    expect(await t.app.shutdown('test')).toBe(0);
    expect(Date.now() - started).toBeLessThan(20_000);
    expect(lines.find((l) => l.provider === 'trace')).toMatchObject({ level: 50, msg: expect.stringContaining('OpenTelemetry trace flush timed out at shutdown') });
    await t.close();
  });
});
