import { randomUUID } from 'node:crypto';
import { FleetError } from '../errors.js';
import type { Logger } from '../app/logger.js';
import type { RedisConnection } from '../redis/redis-connection.js';
import { SystemClock, type Clock } from '../time/clock.js';
import type { ResolvedBreakerOptions } from './breaker-options.js';
import { circuitBreakerStage } from './breaker-stage.js';
import { Compartment, bulkheadStage } from './bulkhead.js';
import type { ResolvedBulkheadOptions } from './bulkhead-options.js';
import { callerSignal } from './call-signal.js';
import { Circuit, type CircuitListener } from './circuit.js';
import { DeadlineTicker } from './deadline-ticker.js';
import { kPipeline, type PipelineDescription } from './describe-pipeline.js';
import { fallbackStage } from './fallback-stage.js';
import { FleetBreakers } from './fleet-breakers.js';
import type { MethodResilience, StageSpec } from './metadata.js';
import { STAGE_LABEL, STAGE_ORDER, type Invoke } from './pipeline-types.js';
import type { ResolvedRateLimitOptions } from './rate-limit-options.js';
import { rateLimitStage } from './rate-limit-stage.js';
import { FleetRateLimiter } from './rate-limiter.js';
import type { ResilienceRegistry } from './registry.js';
import { registerResilienceMetrics } from './resilience-metrics.js';
import type { ResolvedRetryOptions } from './retry-options.js';
import { retryStage } from './retry-stage.js';
import { spanEvent, tracingEnabled } from './span-events.js';
import { methodSpanStage } from '../telemetry/method-span.js';
import { fleetTracer } from '../telemetry/telemetry.js';
import type { StageContext } from './stage-context.js';
import { timeoutStage } from './timeout-stage.js';

export interface DecoratedInstance {
  instance: object;
  className: string;
  methods: Map<string, MethodResilience>;
}

export interface CompileDependencies {
  clock: Clock;
  log: Logger;
  registry: ResilienceRegistry;
  redis: RedisConnection | undefined;
  /** A provider of the app, or undefined (see `StageContext.resolve`). */
  resolve?: StageContext['resolve'];
}

/** Redis deadlines are real time whatever the app's clock (a ManualClock does not advance the network). */
const realTicker = new DeadlineTicker(new SystemClock());

/**
 * Compiles each decorated method's pipeline once, in STAGE_ORDER, and installs it as an own
 * property of its instance. Then joins the fleet for breakers (when Redis is there).
 */
export async function compilePipelines(targets: DecoratedInstance[], deps: CompileDependencies): Promise<void> {
  const { clock, log, registry, redis } = deps;
  const ticker = new DeadlineTicker(clock);
  registry.onStop(() => ticker.stop());
  const tracing = tracingEnabled();
  const tracer = tracing ? fleetTracer() : undefined;
  const circuits = new Map<string, Circuit>();
  const fleet = redis ? new FleetBreakers(redis, circuits, clock, log, randomUUID(), realTicker) : undefined;
  const listener: CircuitListener = {
    onTransition(circuit, from, to, source) {
      const fields = { breaker: circuit.name, from, to, source };
      if (to === 'open') log.warn({ ...fields, openForMs: Math.round(circuit.openForMs()) }, `circuit breaker ${circuit.name} opened${source === 'fleet' ? ' (by another instance)' : ''}`);
      else log.info(fields, `circuit breaker ${circuit.name} is ${to}`);
      spanEvent('fleet.breaker.transition', { 'fleet.breaker.name': circuit.name, 'fleet.breaker.from': from, 'fleet.breaker.to': to, 'fleet.breaker.source': source });
      if (source === 'local') fleet?.published(circuit, from, to);
    },
  };

  const build = (spec: StageSpec, next: Invoke, context: StageContext): Invoke => {
    switch (spec.kind) {
      case 'retry': return retryStage(next, spec.options as ResolvedRetryOptions, context);
      case 'timeout': return timeoutStage(next, spec.options as number, context);
      case 'fallback': return fallbackStage(next, spec.options as ResolvedBreakerOptions);
      case 'circuitBreaker': {
        const o = spec.options as ResolvedBreakerOptions;
        const circuit = registry.shared('breaker', o.name, context.owner, o, () => {
          const c = new Circuit(o, clock, listener);
          circuits.set(o.name, c);
          return c;
        });
        return circuitBreakerStage(next, circuit, fleet, context);
      }
      case 'bulkhead': {
        const o = spec.options as ResolvedBulkheadOptions;
        return bulkheadStage(next, registry.shared('bulkhead', o.name, context.owner, o, () => new Compartment(o, clock)));
      }
      case 'rateLimit': {
        const o = spec.options as ResolvedRateLimitOptions;
        const limiter = registry.shared('rate limit', o.name, context.owner, o, () => new FleetRateLimiter(o, redis!, clock, realTicker, log));
        return rateLimitStage(next, limiter, context);
      }
      default:
        if (spec.build) return spec.build(next, context);
        throw new FleetError('FLEET_ERR_RESILIENCE_INVALID_OPTIONS', `${spec.decorator} on ${context.owner} records a '${spec.kind}' stage without a build function.`);
    }
  };

  for (const { instance, className, methods } of targets) {
    for (const [method, meta] of methods) {
      const owner = `${className}.${method}`;
      const original = (instance as Record<string, unknown>)[method] as (...args: unknown[]) => unknown;
      const context: StageContext = { owner, instance, signalIndex: meta.signalIndex, clock, ticker, registry, log, tracing, resolve: deps.resolve ?? (() => undefined) };
      let invoke = terminal(original, meta.signalIndex);
      const stages: string[] = ['method'];
      for (let i = STAGE_ORDER.length - 1; i >= 0; i--) {
        const spec = meta.stages.get(STAGE_ORDER[i]!);
        if (!spec) continue;
        invoke = build(spec, invoke, context);
        stages.unshift(spec.label ?? STAGE_LABEL[spec.kind]);
      }
      // A span per call, outside every stage (only with tracing on: otherwise nothing is added).
      if (tracer !== undefined) invoke = methodSpanStage(invoke, owner, tracer);
      const pipeline = entry(instance, invoke, meta.signalIndex) as ReturnType<typeof entry> & { [kPipeline]: PipelineDescription };
      Object.defineProperty(pipeline, 'name', { value: method });
      pipeline[kPipeline] = Object.freeze({ method: owner, stages: Object.freeze(stages) });
      Object.defineProperty(instance, method, { value: pipeline, writable: true, configurable: true, enumerable: false });
    }
  }

  if (circuits.size > 0) {
    if (fleet) registry.fleetWide = await fleet.start();
    else log.info({ breakers: [...circuits.keys()] }, 'circuit breakers are per instance: RedisModule is not imported, so an open breaker is not shared with the fleet');
  }
  registerResilienceMetrics(registry);
  registry.enableHealth();
}

/** The decorated method itself: always a promise, a synchronous throw becomes a rejection. */
function terminal(fn: (...args: unknown[]) => unknown, signalIndex: number): Invoke {
  if (signalIndex < 0) {
    return function method(self, args) {
      try {
        const result = fn.apply(self, args);
        return result instanceof Promise ? result : Promise.resolve(result);
      } catch (error) {
        return Promise.reject(error);
      }
    };
  }
  return function methodWithSignal(self, args, signal) {
    try {
      args[signalIndex] = signal === undefined ? undefined : signal.toAbortSignal();
      const result = fn.apply(self, args);
      return result instanceof Promise ? result : Promise.resolve(result);
    } catch (error) {
      return Promise.reject(error);
    }
  };
}

/** What callers (and compiled routes) call: the instance is bound, so a detached method still works. */
function entry(instance: object, invoke: Invoke, signalIndex: number): (...args: unknown[]) => Promise<unknown> {
  if (signalIndex < 0) return (...args) => invoke(instance, args, undefined);
  return (...args) => invoke(instance, args, callerSignal(args[signalIndex]));
}
