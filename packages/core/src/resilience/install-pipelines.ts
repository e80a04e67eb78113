import { FleetError, throwAll } from '../errors.js';
import { Logger } from '../app/logger.js';
import type { Container } from '../di/container.js';
import { RedisConnection } from '../redis/redis-connection.js';
import { Clock } from '../time/clock.js';
import { readResilience } from './metadata.js';
import { keyNeedsRequest, type ResolvedRateLimitOptions } from './rate-limit-options.js';
import { ResilienceRegistry } from './registry.js';
import { sameOptions } from './same-options.js';
import type { DecoratedInstance } from './compile-pipelines.js';

/** What `installPipelines` did. */
export interface InstalledPipelines {
  /** Decorated methods found on the built providers and controllers. */
  readonly methods: number;
  /** Whether a @RateLimit key reads the request ('ip', 'user', a key function with a request parameter). */
  readonly needsRequestContext: boolean;
}

/**
 * The boot step of the resilience decorators, after the onInit hooks (Redis is connected) and
 * before the state guard freezes singletons and routes are compiled: finds every decorated method
 * of the built providers and controllers, reports every decorator problem at once (invalid
 * options, @RateLimit without RedisModule, a shared name with different options), then compiles
 * each method's pipeline once and installs it on its instance. Apps without resilience
 * decorators load nothing more.
 */
export async function installPipelines(container: Container): Promise<InstalledPipelines> {
  const targets: DecoratedInstance[] = [];
  const problems: FleetError[] = [];
  const redis = provided(container, RedisConnection);
  let methods = 0;
  let needsRequestContext = false;
  for (const { instance } of container.built) {
    if (typeof instance !== 'object' || instance === null) continue;
    const found = readResilience(instance);
    if (!found) continue;
    const className = (instance.constructor as Function).name;
    targets.push({ instance, className, methods: found });
    for (const [method, meta] of found) {
      methods++;
      problems.push(...meta.problems);
      const rateLimit = meta.stages.get('rateLimit')?.options as ResolvedRateLimitOptions | undefined;
      if (!rateLimit) continue;
      if (keyNeedsRequest(rateLimit.key)) needsRequestContext = true;
      if (!redis) {
        problems.push(new FleetError('FLEET_ERR_RESILIENCE_REDIS_REQUIRED',
          `@RateLimit on ${className}.${method} needs Redis: its limit is shared by every instance of the app. ` +
          `Fix: import RedisModule in the root module (and set REDIS_URL), or remove @RateLimit.`));
      }
    }
  }
  problems.push(...conflictingShares(targets));
  throwAll(dedupe(problems));
  if (targets.length > 0) {
    const { compilePipelines } = await import('./compile-pipelines.js');
    await compilePipelines(targets, {
      clock: container.get(Clock), log: container.get(Logger), registry: container.get(ResilienceRegistry), redis,
      resolve: (token) => provided(container, token),
    });
  }
  return { methods, needsRequestContext };
}

/** Breakers, compartments and limits shared by name must be declared with the same options everywhere. */
function conflictingShares(targets: DecoratedInstance[]): FleetError[] {
  const seen = new Map<string, { owner: string; options: object }>();
  const errors: FleetError[] = [];
  const kinds = { circuitBreaker: 'breaker', bulkhead: 'bulkhead', rateLimit: 'rate limit' } as const;
  for (const { className, methods } of targets) {
    for (const [method, meta] of methods) {
      for (const [kind, label] of Object.entries(kinds) as Array<[keyof typeof kinds, string]>) {
        const options = meta.stages.get(kind)?.options as { name: string } | undefined;
        if (!options) continue;
        const owner = `${className}.${method}`;
        const key = `${label}:${options.name}`;
        const first = seen.get(key);
        if (!first) { seen.set(key, { owner, options }); continue; }
        if (first.owner !== owner && !sameOptions(first.options, options)) {
          errors.push(new FleetError('FLEET_ERR_RESILIENCE_INVALID_OPTIONS',
            `The ${label} '${options.name}' is declared by ${first.owner} and ${owner} with different options. Fix: give them the same options, or different names.`));
        }
      }
    }
  }
  return errors;
}

function provided<T>(container: Container, token: abstract new (...a: any[]) => T): T | undefined {
  try {
    return container.get(token);
  } catch {
    return undefined;
  }
}

/** A class listed twice (e.g. a transient) would report its problems twice. */
function dedupe(errors: FleetError[]): FleetError[] {
  return [...new Set(errors)];
}
