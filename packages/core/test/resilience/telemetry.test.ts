import { AsyncLocalStorage } from 'node:async_hooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ROOT_CONTEXT, context, createNoopMeter, metrics, trace, type Attributes, type Context, type ContextManager, type Meter, type MeterProvider, type Span,
  type SpanContext, type Tracer, type TracerProvider,
} from '@opentelemetry/api';
import { CircuitBreaker, Injectable, Module, RateLimit, RedisModule, Retry, type FleetApp } from '@fleet/core';
import { ManualClock } from '@fleet/testing';
import { boot, fleetEnv } from './helpers.js';

// A minimal OpenTelemetry SDK stand-in (only @opentelemetry/api is installed): an AsyncLocalStorage
// context manager, spans that record what they get, and meters that keep their batch callback.
class AlsContextManager implements ContextManager {
  private readonly als = new AsyncLocalStorage<Context>();
  active(): Context { return this.als.getStore() ?? ROOT_CONTEXT; }
  with<A extends unknown[], F extends (...args: A) => ReturnType<F>>(ctx: Context, fn: F, thisArg?: ThisParameterType<F>, ...args: A): ReturnType<F> {
    return this.als.run(ctx, () => fn.apply(thisArg, args));
  }
  bind<T>(_ctx: Context, target: T): T { return target; }
  enable(): this { return this; }
  disable(): this { this.als.disable(); return this; }
}

class RecordingSpan {
  constructor(readonly name: string) {}
  readonly events: Array<{ name: string; attributes?: Attributes }> = [];
  readonly attributes: Attributes = {};
  spanContext(): SpanContext { return { traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', traceFlags: 1 }; }
  setAttribute(k: string, v: never) { this.attributes[k] = v; return this; }
  setAttributes(a: Attributes) { Object.assign(this.attributes, a); return this; }
  addEvent(name: string, attributes?: Attributes) { this.events.push({ name, attributes }); return this; }
  addLink() { return this; }
  addLinks() { return this; }
  setStatus() { return this; }
  updateName() { return this; }
  end() {}
  isRecording() { return true; }
  recordException() {}
}

const started: RecordingSpan[] = [];
const tracer = {
  startSpan: (name: string, options?: { attributes?: Attributes }) => {
    const span = new RecordingSpan(name).setAttributes(options?.attributes ?? {});
    started.push(span);
    return span as unknown as Span;
  },
  startActiveSpan: (name: string, fn: (span: Span) => unknown) => {
    const span = new RecordingSpan(name) as unknown as Span;
    return context.with(trace.setSpan(context.active(), span), () => fn(span));
  },
} as unknown as Tracer;

const observed: Array<{ name: string; value: number; attributes: Attributes }> = [];
let collect: (() => void) | undefined;
const meter = Object.assign(createNoopMeter(), {
  createObservableCounter: (name: string) => ({ name }),
  createObservableGauge: (name: string) => ({ name }),
  addBatchObservableCallback: (cb: (r: unknown) => void) => {
    collect = () => { observed.length = 0; cb({ observe: (i: { name: string }, value: number, attributes: Attributes) => observed.push({ name: i.name, value, attributes }) }); };
  },
}) as unknown as Meter;

const outcome = { fail: true };

@Injectable()
class Payments {
  @Retry({ maxAttempts: 2, base: 1, jitter: 'none' })
  @CircuitBreaker({ failureThreshold: 2, recoveryTimeout: '1m' })
  async charge() { if (outcome.fail) throw new Error('declined by upstream'); return 'ok'; }

  @RateLimit('5/minute', { key: 'global' })
  async limited() { return 'ok'; }
}

@Module({ imports: [RedisModule], providers: [Payments] })
class AppModule {}

describe('OpenTelemetry', () => {
  let app: FleetApp;
  let clock: ManualClock;
  // The span of the decorated method's call (its pipeline starts one per call when tracing is on), under a caller's span.
  const inSpan = <T>(fn: () => Promise<T>) => tracer.startActiveSpan('test', async () => {
    const from = started.length;
    const result = await fn().catch((e: unknown) => e);
    return { span: started[from]!, result };
  }) as unknown as Promise<{ span: RecordingSpan; result: unknown }>;

  beforeAll(async () => {
    context.setGlobalContextManager(new AlsContextManager());
    trace.setGlobalTracerProvider({ getTracer: () => tracer } as TracerProvider);
    metrics.setGlobalMeterProvider({ getMeter: () => meter } as MeterProvider);
    ({ app, clock } = await boot(AppModule, { env: fleetEnv() }));
  });
  afterAll(async () => {
    await app.close();
    trace.disable();
    metrics.disable();
    context.disable();
  });

  it('adds span events and attributes: retry attempt, breaker state and transitions, limiter remaining', async () => {
    outcome.fail = false;
    const ok = await inSpan(() => app.get(Payments).charge());
    expect(ok.span.name).toBe('Payments.charge');
    expect(ok.span.attributes).toMatchObject({ 'code.function.name': 'Payments.charge' });
    expect(ok.span.attributes).toMatchObject({ 'fleet.breaker.name': 'Payments.charge', 'fleet.breaker.state': 'closed' });

    outcome.fail = true;
    const pending = inSpan(() => app.get(Payments).charge());
    await clock.advance(10); // the retry's backoff
    const failed = await pending;
    expect(failed.span.events.map((e) => e.name)).toEqual(['fleet.retry', 'fleet.breaker.transition']);
    expect(failed.span.events[0]!.attributes).toMatchObject({ 'fleet.retry.attempt': 2, 'fleet.resilience.method': 'Payments.charge' });
    expect(failed.span.events[1]!.attributes).toMatchObject({ 'fleet.breaker.from': 'closed', 'fleet.breaker.to': 'open', 'fleet.breaker.source': 'local' });

    const rejected = await inSpan(() => app.get(Payments).charge());
    expect(rejected.span.events[0]).toMatchObject({ name: 'fleet.breaker.rejected', attributes: { 'fleet.breaker.state': 'open' } });

    const limited = await inSpan(() => app.get(Payments).limited());
    expect(limited.span.attributes).toMatchObject({ 'fleet.ratelimit.limit': 5, 'fleet.ratelimit.remaining': 4 });
  });

  it('counts calls by outcome, transitions and rejections, read only when metrics are collected', () => {
    collect!();
    const find = (name: string, attrs: Attributes) => observed.find((o) => o.name === name && Object.entries(attrs).every(([k, v]) => o.attributes[k] === v))?.value;
    expect(find('fleet.resilience.calls', { 'fleet.resilience.stage': 'circuit_breaker', 'fleet.resilience.outcome': 'success' })).toBe(1);
    expect(find('fleet.resilience.calls', { 'fleet.resilience.stage': 'circuit_breaker', 'fleet.resilience.outcome': 'failure' })).toBe(2);
    expect(find('fleet.resilience.rejections', { 'fleet.resilience.stage': 'circuit_breaker', 'fleet.resilience.reason': 'circuit_open' })).toBe(1);
    expect(find('fleet.resilience.breaker.transitions', { 'fleet.breaker.from': 'closed', 'fleet.breaker.to': 'open' })).toBe(1);
    expect(find('fleet.resilience.breaker.state', { 'fleet.resilience.name': 'Payments.charge' })).toBe(2);
    expect(find('fleet.resilience.calls', { 'fleet.resilience.stage': 'retry', 'fleet.resilience.outcome': 'retries' })).toBe(1);
    expect(find('fleet.resilience.calls', { 'fleet.resilience.stage': 'rate_limit', 'fleet.resilience.outcome': 'allowed' })).toBe(1);
  });
});
