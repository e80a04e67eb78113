import { FaultProxy } from './fault-proxy.js';

type Fault =
  | { kind: 'fail'; error: unknown; times: number }
  | { kind: 'hang'; times: number }
  | { kind: 'slow'; ms: number; times: number };

const kFaults = Symbol('fleet.testing.faults');
type Instrumented = { [kFaults]?: Map<string, Fault> };

/** Which real service a proxy stands in front of. */
export type ServiceName = 'redis' | 'postgres-primary' | 'postgres-replica';

/**
 * Breaks things on purpose: provider methods that fail, hang or slow down for the next N calls,
 * and real network faults through TCP proxies the app connects through.
 */
export class Faults {
  constructor(private readonly resolve: (token: unknown) => object, private readonly proxies: Map<ServiceName, FaultProxy>) {}

  /** The next `times` calls of `token`'s `method` throw (or reject with) `error`. */
  fail(token: unknown, method: string, options: { times?: number; error?: unknown } = {}): void {
    this.set(token, method, { kind: 'fail', error: options.error ?? new Error(`fault injected into ${method}`), times: options.times ?? 1 });
  }

  /** The next `times` calls never settle (a dependency that stopped answering). */
  hang(token: unknown, method: string, options: { times?: number } = {}): void {
    this.set(token, method, { kind: 'hang', times: options.times ?? 1 });
  }

  /** The next `times` calls wait `ms` before running. */
  slow(token: unknown, method: string, ms: number, options: { times?: number } = {}): void {
    this.set(token, method, { kind: 'slow', ms, times: options.times ?? 1 });
  }

  /** Removes every method fault and heals every proxy. */
  clear(): void {
    for (const p of this.proxies.values()) p.restore();
  }

  /** The proxy in front of a service (needs `faultProxies: true`). */
  proxy(service: ServiceName): FaultProxy {
    const p = this.proxies.get(service);
    if (!p) throw new Error(`No fault proxy for ${service}: create the test app with { faultProxies: true }${service === 'postgres-replica' ? ' and DATABASE_REPLICA_URLS set' : ''}.`);
    return p;
  }

  /** Drops every connection to the service and refuses new ones. */
  cut(service: ServiceName): void { this.proxy(service).cut(); }
  /** Keeps connections open but forwards nothing (a partition). */
  stall(service: ServiceName): void { this.proxy(service).stall(); }
  /** Adds latency to every chunk. */
  delay(service: ServiceName, ms: number): void { this.proxy(service).delay(ms); }
  /** Heals the service's proxy. */
  restore(service: ServiceName): void { this.proxy(service).restore(); }

  private set(token: unknown, method: string, fault: Fault): void {
    const instance = this.resolve(token) as Instrumented;
    const faults = instance[kFaults];
    if (!faults || typeof (instance as Record<string, unknown>)[method] !== 'function') {
      throw new Error(`Cannot inject a fault into ${String((instance as object).constructor?.name)}.${method}: it is not a method of a provider built by the container.`);
    }
    faults.set(method, fault);
  }
}

/**
 * Wraps each prototype method of a built provider so `Faults` can make it misbehave. Installed
 * before decorator pipelines, so a fault is seen by @Retry and @CircuitBreaker like a real one.
 */
export function instrumentForFaults(instance: object): void {
  const proto = Object.getPrototypeOf(instance) as object | null;
  if (!proto || proto === Object.prototype) return;
  const faults = new Map<string, Fault>();
  Object.defineProperty(instance, kFaults, { value: faults, enumerable: false });
  for (let p: object | null = proto; p && p !== Object.prototype; p = Object.getPrototypeOf(p) as object | null) {
    for (const name of Object.getOwnPropertyNames(p)) {
      if (name === 'constructor' || Object.prototype.hasOwnProperty.call(instance, name)) continue;
      const d = Object.getOwnPropertyDescriptor(p, name);
      if (!d || typeof d.value !== 'function') continue;
      const original = d.value as (...a: unknown[]) => unknown;
      const isAsync = original.constructor.name === 'AsyncFunction';
      const wrapped = function (this: unknown, ...args: unknown[]): unknown {
        const fault = faults.get(name);
        if (!fault) return original.apply(this, args);
        if (--fault.times <= 0) faults.delete(name);
        if (fault.kind === 'fail') {
          if (isAsync) return Promise.reject(fault.error);
          throw fault.error;
        }
        if (fault.kind === 'hang') return new Promise(() => {});
        return new Promise((r) => setTimeout(r, fault.ms)).then(() => original.apply(this, args));
      };
      Object.defineProperty(wrapped, 'name', { value: name });
      // Lets decorator pipelines find their metadata through the wrapper (Symbol.for: no import of core internals).
      Object.defineProperty(wrapped, Symbol.for('fleet.instrumented.original'), { value: original });
      Object.defineProperty(instance, name, { value: wrapped, writable: true, configurable: true, enumerable: false });
    }
  }
}
