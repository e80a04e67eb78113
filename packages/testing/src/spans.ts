import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';

/** The spans the test app finished, with helpers to find them and check the tree. */
export class Spans {
  constructor(private readonly exporter: { getFinishedSpans(): ReadableSpan[]; reset(): void }) {}

  /** Every finished span, oldest first. */
  all(): ReadableSpan[] { return this.exporter.getFinishedSpans(); }

  /** Spans whose name equals (or matches) `name`. */
  find(name: string | RegExp): ReadableSpan[] {
    return this.all().filter((s) => (typeof name === 'string' ? s.name === name : name.test(s.name)));
  }

  /** The one span with this name; throws when there is none or several. */
  one(name: string | RegExp): ReadableSpan {
    const found = this.find(name);
    if (found.length !== 1) throw new Error(`Expected one span named ${String(name)}, found ${found.length}: ${this.all().map((s) => s.name).join(', ')}`);
    return found[0]!;
  }

  /** The direct children of `span`. */
  children(span: ReadableSpan): ReadableSpan[] {
    const id = span.spanContext().spanId;
    return this.all().filter((s) => s.parentSpanContext?.spanId === id);
  }

  /** Whether `descendant` is below `ancestor` in the same trace. */
  isDescendant(descendant: ReadableSpan, ancestor: ReadableSpan): boolean {
    const byId = new Map(this.all().map((s) => [s.spanContext().spanId, s]));
    for (let s: ReadableSpan | undefined = descendant; s; s = s.parentSpanContext ? byId.get(s.parentSpanContext.spanId) : undefined) {
      if (s.parentSpanContext?.spanId === ancestor.spanContext().spanId) return true;
    }
    return false;
  }

  /** Forgets the spans recorded so far. */
  reset(): void { this.exporter.reset(); }
}

let installed: Spans | undefined;

/**
 * Registers an in-memory OpenTelemetry SDK for the process (once): AsyncLocalStorage context,
 * W3C propagation and a simple span processor. Must run before `createApp`, which checks for an
 * SDK at boot.
 */
export async function installSpans(): Promise<Spans> {
  if (installed) return installed;
  const [{ context, propagation, trace }, { AsyncLocalStorageContextManager }, { W3CTraceContextPropagator }, sdk] = await Promise.all([
    import('@opentelemetry/api'), import('@opentelemetry/context-async-hooks'), import('@opentelemetry/core'), import('@opentelemetry/sdk-trace-base'),
  ]);
  const exporter = new sdk.InMemorySpanExporter();
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  trace.setGlobalTracerProvider(new sdk.BasicTracerProvider({ spanProcessors: [new sdk.SimpleSpanProcessor(exporter)] }));
  installed = new Spans(exporter);
  return installed;
}
