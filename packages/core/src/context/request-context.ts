import { AsyncLocalStorage } from 'node:async_hooks';
import type { FastifyRequest } from 'fastify';
import { FleetError } from '../errors.js';
import { Injectable } from '../di/decorators.js';

const kValues = Symbol('fleet.context.values');
type Store = FastifyRequest & { [kValues]?: Map<unknown, unknown> };

/** @internal The storage is entered per request only when some provider injects RequestContext. */
export const contextStorage = new AsyncLocalStorage<Store>();

/**
 * Per-request data (request id, the request, values you set), readable from any provider during
 * a request. Inject it like any provider; Fleet switches the AsyncLocalStorage on at boot only
 * when something injects it, so apps that don't pay nothing.
 */
@Injectable()
export class RequestContext {
  /** Whether the caller runs inside a request. */
  get active(): boolean { return contextStorage.getStore() !== undefined; }

  /** The request id (from `x-request-id` when the client sent a valid one, else a UUID). */
  get id(): string { return this.store().id; }

  /** The Fastify request being handled. */
  get request(): FastifyRequest { return this.store(); }

  get<T>(key: unknown): T | undefined { return this.store()[kValues]?.get(key) as T | undefined; }

  set(key: unknown, value: unknown): void {
    const s = this.store();
    (s[kValues] ??= new Map()).set(key, value);
  }

  private store(): Store {
    const s = contextStorage.getStore();
    if (!s) throw new FleetError('FLEET_ERR_CONTEXT_UNAVAILABLE', 'RequestContext was read outside a request (at boot, in a timer or a job). Fix: read it only while handling a request, or pass the value explicitly.');
    return s;
  }
}
