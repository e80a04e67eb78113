import type { FastifyRequest } from 'fastify';
import { FleetError } from '../errors.js';
import { contextStorage } from '../context/request-context.js';
import type { Invoke } from './pipeline-types.js';
import type { RateLimitKey } from './rate-limit-options.js';
import type { FleetRateLimiter, RateLimitDecision } from './rate-limiter.js';
import type { StageContext } from './stage-context.js';
import { spanAttributes, spanEvent } from './span-events.js';

function currentRequest(owner: string, key: RateLimitKey): FastifyRequest {
  const request = contextStorage.getStore();
  if (request) return request;
  throw new FleetError('FLEET_ERR_RESILIENCE_KEY_UNAVAILABLE',
    `@RateLimit on ${owner} counts by ${typeof key === 'function' ? 'a key function that reads the request' : `'${key}'`}, but it was called outside an HTTP request (at boot, in a job or a timer). ` +
    `Fix: call it while handling a request, or use key: 'global' or a key function of the arguments.`);
}

/** Compiles the key of a call once, at boot: 'ip' reads `request.ip` (Fastify applies `trustProxy`). */
export function compileKey(key: RateLimitKey, owner: string): (args: unknown[]) => string {
  if (key === 'global') return () => 'global';
  if (key === 'ip') return () => `ip:${currentRequest(owner, key).ip}`;
  if (key === 'user') {
    return () => {
      const request = currentRequest(owner, key);
      const user = (request as FastifyRequest & { user?: unknown }).user as { id?: unknown; sub?: unknown } | string | undefined;
      const id = typeof user === 'string' ? user : user?.id ?? user?.sub;
      return id === undefined || id === null || id === '' ? `ip:${request.ip}` : `user:${String(id)}`;
    };
  }
  const fn = key;
  const withRequest = fn.length >= 2;
  return (args) => {
    const value = withRequest ? fn(args, currentRequest(owner, key)) : fn(args, undefined as never);
    if (typeof value !== 'string' || value === '') {
      throw new FleetError('FLEET_ERR_RESILIENCE_KEY_UNAVAILABLE', `The @RateLimit key function of ${owner} returned ${JSON.stringify(value)}; it must return a non-empty string.`);
    }
    return `fn:${value}`;
  };
}

/** Outermost stage: one Redis round trip, then the rest of the pipeline. */
export function rateLimitStage(next: Invoke, limiter: FleetRateLimiter, context: StageContext): Invoke {
  const keyOf = compileKey(limiter.options.key, context.owner);
  const limit = limiter.options.limit;
  const rejected = (error: unknown): never => {
    spanEvent('fleet.ratelimit.rejected', { 'fleet.ratelimit.name': limiter.name, 'fleet.ratelimit.limit': limit, 'fleet.ratelimit.remaining': 0, 'fleet.error.code': (error as { code?: string })?.code ?? 'unknown' });
    throw error;
  };
  return function rateLimited(self, args, signal) {
    let key: string;
    try {
      key = keyOf(args);
    } catch (e) {
      return Promise.reject(e);
    }
    return limiter.check(key).then((decision: RateLimitDecision) => {
      if (context.tracing) spanAttributes({ 'fleet.ratelimit.name': limiter.name, 'fleet.ratelimit.limit': limit, 'fleet.ratelimit.remaining': decision.remaining });
      return next(self, args, signal);
    }, rejected);
  };
}
