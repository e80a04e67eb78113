import type { FastifyRequest } from 'fastify';
import type { Duration, Rate } from '../time/duration.js';
import { parseRate } from '../time/duration.js';
import { OptionChecks } from './option-checks.js';

/**
 * Who a limit is counted for: `'ip'` (the client address, `request.ip`, which honours the app's
 * `trustProxy`), `'user'` (`request.user.id`/`.sub`, else the ip), `'global'` (one count for all
 * callers), or a function of the call's arguments. A function that declares a second parameter
 * gets the current request (this turns the RequestContext on).
 */
export type RateLimitKey = 'ip' | 'user' | 'global' | ((args: readonly unknown[], request: FastifyRequest) => string);

/** Options of `@RateLimit`. */
export interface RateLimitOptions {
  /** @default 'ip' */
  key?: RateLimitKey;
  /** When Redis cannot be reached: let calls through (`allow`) or reject them with 503 (`deny`). Logged and counted either way. @default 'allow' */
  onStoreError?: 'allow' | 'deny';
  /**
   * Sub-windows per period. The window slides by one sub-window, and counts conservatively: never
   * more than the limit in any rolling period, at the price of up to one sub-window (period /
   * segments) of extra wait when a key is at its limit. @default 10
   */
  segments?: number;
  /** How long a check waits for Redis before `onStoreError` applies. @default '250ms' */
  storeTimeout?: Duration;
  /** Share one limit between methods that give the same name (with the same rate). @default '<Class>.<method>' */
  name?: string;
}

export interface ResolvedRateLimitOptions {
  readonly name: string;
  readonly limit: number;
  readonly periodMs: number;
  readonly segments: number;
  /** Width of one sub-window, rounded up so that `segments` of them cover the period. */
  readonly segmentMs: number;
  readonly key: RateLimitKey;
  readonly onStoreError: 'allow' | 'deny';
  readonly storeTimeoutMs: number;
}

export function resolveRateLimitOptions(rate: Rate | string, o: RateLimitOptions, where: string): ResolvedRateLimitOptions {
  const check = new OptionChecks(`@RateLimit on ${where}`);
  const { limit, periodMs } = parseRate(rate, `@RateLimit on ${where}`);
  const segments = check.int('segments', o.segments, 10, 1);
  const key = o.key ?? 'ip';
  if (typeof key !== 'function' && !['ip', 'user', 'global'].includes(key)) check.fail(`key must be 'ip', 'user', 'global' or a function; got ${JSON.stringify(key)}.`);
  return Object.freeze({
    name: check.name('name', o.name, where),
    limit,
    periodMs,
    segments,
    segmentMs: Math.ceil(periodMs / segments),
    key,
    onStoreError: check.oneOf('onStoreError', o.onStoreError, ['allow', 'deny'], 'allow'),
    storeTimeoutMs: check.duration('storeTimeout', o.storeTimeout, '250ms', 1),
  });
}

/** Whether a key needs the current request (the app then enters the RequestContext per request). */
export function keyNeedsRequest(key: RateLimitKey): boolean {
  return key === 'ip' || key === 'user' || (typeof key === 'function' && key.length >= 2);
}
