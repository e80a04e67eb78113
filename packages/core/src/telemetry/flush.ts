import { otelApi, otelRegistered } from './otel-api.js';

interface Flushable { forceFlush?(): Promise<unknown> }

/** What `flushTelemetry` did with each registered provider. */
export interface FlushOutcome {
  /** `trace` or `metrics`. */
  readonly name: string;
  readonly outcome: 'flushed' | 'failed' | 'timed out';
  readonly error?: unknown;
}

/**
 * Exports what the registered OpenTelemetry SDK still buffers (a batch span processor's queue, a
 * periodic metric reader's interval) through its providers' `forceFlush()`, each under
 * `timeoutMs`. Runs at the end of the shutdown sequence: the process then exits with
 * `process.exit`, which does not emit `beforeExit`, so an SDK's own shutdown hook would not run.
 * Loads nothing and returns [] when no SDK is registered. Never throws: the caller logs failures.
 */
export async function flushTelemetry(timeoutMs: number): Promise<FlushOutcome[]> {
  const providers: Array<[string, Flushable]> = [];
  if (otelRegistered('trace')) {
    const proxy = otelApi().trace.getTracerProvider() as Flushable & { getDelegate?(): Flushable };
    providers.push(['trace', proxy.getDelegate ? proxy.getDelegate() : proxy]);
  }
  if (otelRegistered('metrics')) providers.push(['metrics', otelApi().metrics.getMeterProvider() as Flushable]);
  return Promise.all(providers.filter(([, p]) => typeof p.forceFlush === 'function').map(([name, p]) => flushOne(name, p, timeoutMs)));
}

function flushOne(name: string, provider: Flushable, timeoutMs: number): Promise<FlushOutcome> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve({ name, outcome: 'timed out' }), timeoutMs);
    timer.unref();
    Promise.resolve()
      .then(() => provider.forceFlush!())
      .then(() => resolve({ name, outcome: 'flushed' }), (error: unknown) => resolve({ name, outcome: 'failed', error }))
      .finally(() => clearTimeout(timer));
  });
}
