import type { Logger } from '../app/logger.js';
import type { Clock } from '../time/clock.js';
import type { DeadlineTicker } from './deadline-ticker.js';
import type { ResilienceRegistry } from './registry.js';

/** What a stage may use when it is built at boot. @internal */
export interface StageContext {
  /** `PaymentClient.charge`: the default name of breakers, compartments and limits. */
  readonly owner: string;
  /** The instance whose method is decorated (fallbacks run with it as `this`). */
  readonly instance: object;
  /** Index of the method's `@Signal()` parameter, or -1. */
  readonly signalIndex: number;
  readonly clock: Clock;
  /** Deadlines on the app's clock (@Timeout, bulkhead queue waits). */
  readonly ticker: DeadlineTicker;
  readonly registry: ResilienceRegistry;
  readonly log: Logger;
  /** Whether a tracer provider is registered: per-call span attributes are compiled in only then. */
  readonly tracing: boolean;
  /** A provider of the app, or undefined when no module provides it (for stages of other capabilities, e.g. `Cache`). */
  readonly resolve: <T>(token: abstract new (...args: any[]) => T) => T | undefined;
}
