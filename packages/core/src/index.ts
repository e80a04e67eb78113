/// <reference types="reflect-metadata" />
// First: decorator metadata (Reflect.metadata) must exist before any decorated class is evaluated.
import './di/reflect-metadata.js';

// Application
export { createApp, type FleetApp } from './app/create-app.js';
export type { AppOptions } from './app/options.js';
export type { ShutdownOptions } from './lifecycle/shutdown.js';
export type { HealthIndicator, HealthResult, HealthReport, CheckReport, HealthOptions } from './health/index.js';
export { Logger } from './app/logger.js';
export { exitOnBootFailure } from './app/boot-failure.js';
export { AppEnvironment } from './app/environment.js';

// Dependency injection
export { Injectable, Inject, Optional, Module, Global, type InjectableOptions } from './di/decorators.js';
export type { ModuleMetadata, DynamicModule, ModuleImport } from './di/module-def.js';
export { moduleTree } from './di/module-tree.js';
export type { Provider, ClassProvider, ValueProvider, FactoryProvider, ExistingProvider } from './di/provider.js';
export { InjectionToken, forwardRef, type Token, type Type, type AbstractType, type ForwardRef } from './di/tokens.js';
export type { OnInit, OnShutdown, HookResult } from './di/lifecycle.js';
export type { Scope } from './di/metadata.js';
export { RequestContext } from './context/request-context.js';

// Telemetry (@opentelemetry/api only; the SDK is the app's choice)
export { fleetTracer, fleetMeter } from './telemetry/index.js';

// Statelessness
export { AllowState, type StateViolation, type StateKind, type StateOptOut, type GuardReport } from './state/index.js';

// Sessions and locks (Redis)
export { Sessions, SessionsModule, SessionsConfig, type Session } from './sessions/index.js';
export { Locks, LocksModule, type Lock, type AcquireOptions } from './locks/index.js';

// Configuration
export { Config, secret, type ConfigClass } from './config/config.js';

// HTTP
export { Controller, Get, Post, Put, Patch, Delete, Head, Options, Param, Query, Body, Headers, Req, Res } from './http/decorators.js';
export type { RouteOptions, HttpMethod } from './http/metadata.js';
export type { RouteInfo } from './http/route-compiler.js';
export type { ErrorBody } from './http/error-handler.js';
export {
  HttpError, BadRequestError, UnauthorizedError, ForbiddenError, NotFoundError, ConflictError,
  UnprocessableEntityError, ServiceUnavailableError,
} from './http/http-errors.js';

// Redis (ioredis is loaded only when RedisModule is imported and booted)
export { RedisModule, RedisConnection, RedisConfig } from './redis/index.js';

// Data (pg is loaded only when DatabaseModule is booted)
export {
  DatabaseModule, Database, DatabaseConfig, Repository, sql, SqlQuery, SqlIdentifier, DatabaseQueryError, migrate, migrationStatus,
  type DatabaseOptions, type DatabaseHealth, type BootReport, type NodeStatus, type SqlTag, type Queryable, type Row, type Transaction,
  type TransactionOptions, type MigrateOptions, type MigrateResult, type MigrationStatus, type AppliedMigration,
} from './data/index.js';

// Resilience: decorators record options; each method's pipeline is compiled once at boot, in one fixed order
export {
  CircuitBreaker, Retry, Timeout, Bulkhead, RateLimit, Signal, describePipeline, ResilienceRegistry,
  CircuitOpenError, RateLimitedError, RateLimitUnavailableError, BulkheadFullError, TimeoutError,
  isClientError, isRetryable, isBreakerFailure, backoffDelay, backoffDelays, TIMEOUT_PRESETS,
  type CircuitBreakerOptions, type RetryOptions, type TimeoutSetting, type BulkheadOptions, type RateLimitOptions,
  type RateLimitKey, type ResilienceSnapshot, type CircuitState, type AsyncMethodDecorator,
} from './resilience/index.js';
export { Clock, SystemClock, parseDuration, parseRate, type TimerHandle, type AbortLike, type Rate, type Duration } from './time/index.js';

// OpenAPI: the document comes from the routes' zod schemas; @ApiDoc adds what they cannot say
export { ApiDoc } from './http/decorators.js';
export type { ApiDocOptions } from './http/metadata.js';
export type {
  OpenApiOptions, OpenApiDocument, OpenApiInfo, OpenApiServer, OpenApiSecurityScheme, OpenApiSecurityRequirement, OpenApiTag,
  OpenApiOperation, OpenApiParameter, OpenApiRequestBody, OpenApiResponse, OpenApiPathItem, JsonSchema,
} from './openapi/index.js';

// Security defaults: headers (helmet policy, computed once), CORS allowlist, server timeouts, trusted proxies, log redaction
export {
  JSON_API_POLICY, type SecurityHeadersOptions, type CorsOptions, type ServerTimeoutOptions, type TrustProxySetting,
} from './security/index.js';

// Jobs: @Async and @Scheduled on BullMQ (loaded at boot only by apps that import JobsModule)
export {
  Async, Scheduled, CurrentJob, enqueued, Jobs, JobsModule, JobsConfig, openJobsAdmin, SLOW_REQUEST_MS,
  type AsyncOptions, type ScheduledOptions, type Schedule, type JobBackoff, type JobRef, type JobContext, type JobState,
  type JobStatus, type FailedJob, type ScheduleInfo, type JobsAdmin,
} from './jobs/index.js';

// Cache: @Cached (L1 in process + L2 in Redis, invalidated fleet-wide), @CacheEvict, @CachePut, Cache (lru-cache loaded only when CacheModule boots)
export {
  Cached, CacheEvict, CachePut, Cache, CacheModule, CacheConfig,
  type CachedOptions, type CacheEvictOptions, type CachePutOptions, type CacheSetOptions, type CacheWrapOptions, type CacheKey,
  type CacheTags, type L1Option, type CacheSnapshot, type CacheStats,
} from './cache/index.js';

export type { PendingJob } from './jobs/index.js';
// Errors
export { FleetError, FleetBootError, ERROR_CODES, type FleetErrorCode, type ErrorDetail } from './errors.js';
