/**
 * The package entry (`exports["."]` of @fleet/core): the single-file build that
 * scripts/bundle-core.mjs writes to dist/bundle/ when it was made from the current tsc build,
 * else the per-file modules tsc wrote. Importing the bundle takes about a quarter of the time
 * (Node 20 loads ES modules file by file; decision 006), and checking which build to load costs
 * reading two small files. After `tsc -b` alone (a stale or missing bundle) the per-file modules
 * load: a bundle older than the code is never used.
 *
 * The names below are `index.ts`'s runtime exports; `package-entry.test.ts` fails when one is
 * missing (types come from `index.d.ts`, the package's `types`).
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';

type Core = typeof import('./index.js');

/**
 * Whether dist/bundle was made from the tsc build beside it: its build.json holds a digest of
 * core's .tsbuildinfo, which `tsc -b` rewrites on every emit (reading and hashing it: about 0.3 ms).
 */
function bundleIsCurrent(): boolean {
  let stamp: { tscBuild?: unknown };
  try {
    stamp = JSON.parse(readFileSync(new URL('./bundle/build.json', import.meta.url), 'utf8')) as { tscBuild?: unknown };
  } catch {
    return false;
  }
  let info: Buffer;
  try {
    info = readFileSync(new URL('../tsconfig.tsbuildinfo', import.meta.url));
  } catch {
    return true; // a published package has no .tsbuildinfo: its bundle and per-file modules come from one build
  }
  return stamp.tscBuild === createHash('sha256').update(info).digest('hex');
}

const BUNDLE = './bundle/index.js';
const core = (bundleIsCurrent() ? await import(BUNDLE) : await import('./index.js')) as Core;

export const {
  AllowState, ApiDoc, AppEnvironment, Async, BadRequestError, Body, Bulkhead, BulkheadFullError, Cache,
  CacheConfig, CacheEvict, CacheModule, CachePut, Cached, CircuitBreaker, CircuitOpenError, Clock, Config,
  ConflictError, Controller, CurrentJob, Database, DatabaseConfig, DatabaseModule, DatabaseQueryError, Delete,
  ERROR_CODES, FleetBootError, FleetError, ForbiddenError, Get, Global, Head, Headers, HttpError, Inject,
  Injectable, InjectionToken, JSON_API_POLICY, Jobs, JobsConfig, JobsModule, Locks, LocksModule, Logger,
  Module, NotFoundError, Optional, Options, Param, Patch, Post, Put, Query, RateLimit,
  RateLimitUnavailableError, RateLimitedError, RedisConfig, RedisConnection, RedisModule, Repository, Req,
  RequestContext, Res, ResilienceRegistry, Retry, SLOW_REQUEST_MS, Scheduled, ServiceUnavailableError,
  Sessions, SessionsConfig, SessionsModule, Signal, SqlIdentifier, SqlQuery, SystemClock, TIMEOUT_PRESETS,
  Timeout, TimeoutError, UnauthorizedError, UnprocessableEntityError, backoffDelay, backoffDelays, createApp,
  describePipeline, enqueued, exitOnBootFailure, fleetMeter, fleetTracer, forwardRef, isBreakerFailure,
  isClientError, isRetryable, migrate, migrationStatus, moduleTree, openJobsAdmin, parseDuration, parseRate,
  secret, sql
} = core;
