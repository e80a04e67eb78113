import type { FaultProxy } from './fault-proxy.js';
import type { FaultReplica } from './fault-replica.js';
import type { RedisServer } from './redis-server.js';

type Fault =
  | { kind: 'fail'; error: unknown; times: number }
  | { kind: 'hang'; times: number }
  | { kind: 'slow'; ms: number; times: number };

const kFaults = Symbol('fleet.testing.faults');
type Instrumented = { [kFaults]?: Map<string, Fault> };

/** Which real service a proxy stands in front of. */
export type ServiceName = 'redis' | 'postgres-primary' | 'postgres-replica';

/** Servers a test app has to itself, so they can be broken without disturbing parallel tests. */
export interface PrivateServers {
  /** With `privateRedis: true`. */
  redis?: RedisServer;
  /** With `faultReplica`. */
  replica?: FaultReplica;
}

/**
 * Breaks things on purpose: provider methods that fail, hang or slow down for the next N calls,
 * real network faults through TCP proxies the app connects through, and real server faults on
 * servers the app has to itself (a private Redis, the fault replica).
 */
export class Faults {
  /** The fault tables `fail`/`hang`/`slow` wrote into, so `clear()` can empty them. */
  private readonly armed = new Set<Map<string, Fault>>();

  constructor(
    private readonly resolve: (token: unknown) => object,
    private readonly proxies: Map<ServiceName, FaultProxy>,
    private readonly servers: PrivateServers = {},
  ) {}

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
    for (const faults of this.armed) faults.clear();
    this.armed.clear();
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

  /** The app's private Redis server (needs `privateRedis: true`). */
  get redisServer(): RedisServer {
    if (!this.servers.redis) throw new Error('This test app has no private Redis server: create it with { privateRedis: true } (the shared Redis is never paused or stopped by tests).');
    return this.servers.redis;
  }

  /** The fault replica the app reads from (needs `faultReplica: true`). */
  get replica(): FaultReplica {
    if (!this.servers.replica) throw new Error('This test app does not read from the fault replica: create it with { faultReplica: true } (the shared replica is never paused or stopped by tests).');
    return this.servers.replica;
  }

  /** `CLIENT PAUSE ms mode` on the app's private Redis: commands wait until the pause ends. @default mode 'ALL' */
  pauseRedis(ms: number, mode: 'ALL' | 'WRITE' = 'ALL'): Promise<void> { return this.redisServer.pause(ms, mode); }
  /** `CLIENT UNPAUSE` (under an `'ALL'` pause, Redis runs it only when the pause ends). */
  unpauseRedis(): Promise<void> { return this.redisServer.unpause(); }
  /** Stops the private Redis (SIGTERM, or SIGKILL with `{ kill: true }`). */
  stopRedis(options: { kill?: boolean } = {}): Promise<void> { return this.redisServer.stop(options); }
  /** Starts the private Redis again on its port (empty). */
  startRedis(): Promise<void> { return this.redisServer.start(); }

  /** Pauses WAL replay on the app's replica: what the app writes stops showing there (replica lag). */
  pauseReplay(): Promise<void> { return this.replica.pauseReplay(); }
  /** Resumes WAL replay on the app's replica. */
  resumeReplay(): Promise<void> { return this.replica.resumeReplay(); }
  /** Stops the app's replica server (pg_ctl stop -m fast). */
  stopReplica(): Promise<void> { return this.replica.stop(); }
  /** Starts the app's replica again and waits until it streams. */
  startReplica(): Promise<void> { return this.replica.start(); }

  private set(token: unknown, method: string, fault: Fault): void {
    const instance = this.resolve(token) as Instrumented;
    const faults = instance[kFaults];
    if (!faults || typeof (instance as Record<string, unknown>)[method] !== 'function') {
      throw new Error(`Cannot inject a fault into ${String((instance as object).constructor?.name)}.${method}: it is not a method of a provider built by the container.`);
    }
    faults.set(method, fault);
    this.armed.add(faults);
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
