import type { CallSignal } from './call-signal.js';
import type { Circuit } from './circuit.js';
import type { Invoke } from './pipeline-types.js';
import { CircuitOpenError } from './resilience-errors.js';
import type { StageContext } from './stage-context.js';
import { spanAttributes, spanEvent } from './span-events.js';

/** Grants the fleet-wide half-open probe: resolves 0 to go ahead, or the ms another instance holds it for. */
export interface ProbeLease {
  acquire(circuit: Circuit): Promise<number>;
}

/**
 * The breaker stage. Closed (the hot path): one state check and one `then` with the circuit's
 * shared handlers, or a start time per call when slow-call detection is on. Open and half-open
 * take the trial path, which asks the fleet for the probe lease when Redis is there.
 */
export function circuitBreakerStage(next: Invoke, circuit: Circuit, lease: ProbeLease | undefined, context: StageContext): Invoke {
  const { clock } = context;

  function runTrial(self: object, args: unknown[], signal: CallSignal | undefined, generation: number): Promise<unknown> {
    const start = clock.monotonic();
    spanAttributes({ 'fleet.breaker.name': circuit.name, 'fleet.breaker.state': 'half-open', 'fleet.breaker.trial': true });
    return next(self, args, signal).then(
      (value) => { circuit.settleTrial(generation, undefined, false, clock.monotonic() - start); return value; },
      (error: unknown) => { circuit.settleTrial(generation, error, true, clock.monotonic() - start); throw error; },
    );
  }

  function notClosed(self: object, args: unknown[], signal: CallSignal | undefined): Promise<unknown> {
    const rejection = circuit.admitTrial();
    if (rejection) return rejected(rejection);
    const generation = circuit.generation;
    if (!lease) return runTrial(self, args, signal, generation);
    return lease.acquire(circuit).then((heldMs) => (heldMs > 0
      ? rejected(circuit.releaseTrial(generation, heldMs))
      : runTrial(self, args, signal, generation)));
  }

  function rejected(error: CircuitOpenError): Promise<never> {
    spanEvent('fleet.breaker.rejected', { 'fleet.breaker.name': circuit.name, 'fleet.breaker.state': circuit.state, 'fleet.breaker.retry_after_ms': Math.round(error.retryAfterMs) });
    return Promise.reject(error);
  }

  if (circuit.options.slowCallMs === Infinity) {
    const { onSuccess, onFailure } = circuit;
    if (context.tracing) {
      return function breaker(self, args, signal) {
        if (circuit.state !== 'closed') return notClosed(self, args, signal);
        spanAttributes({ 'fleet.breaker.name': circuit.name, 'fleet.breaker.state': 'closed' });
        return next(self, args, signal).then(onSuccess, onFailure);
      };
    }
    return function breaker(self, args, signal) {
      if (circuit.state !== 'closed') return notClosed(self, args, signal);
      return next(self, args, signal).then(onSuccess, onFailure);
    };
  }
  return function slowAwareBreaker(self, args, signal) {
    if (circuit.state !== 'closed') return notClosed(self, args, signal);
    const start = clock.monotonic();
    return next(self, args, signal).then(
      (value) => { circuit.settleTimed(undefined, false, clock.monotonic() - start); return value; },
      (error: unknown) => { circuit.settleTimed(error, true, clock.monotonic() - start); throw error; },
    );
  };
}
