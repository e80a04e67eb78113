/**
 * The one registry of Fleet's error codes. Every code has an HTTP status (used when the error
 * reaches a client) and a one-line summary; `docs/errors.md` documents each with its cause and
 * fix, and a test keeps the two in step. Codes are stable: never rename or reuse a retired one.
 */
export const ERROR_CODES = {
  // Boot: dependency injection
  FLEET_ERR_DI_MISSING_PROVIDER: { status: 500, summary: 'A dependency has no provider visible from the module that needs it' },
  FLEET_ERR_DI_NOT_EXPORTED: { status: 500, summary: 'A provider exists in another module but is not exported to (or imported by) the module that needs it' },
  FLEET_ERR_DI_CYCLE: { status: 500, summary: 'Providers depend on each other in a cycle' },
  FLEET_ERR_DI_INVALID_PROVIDER: { status: 500, summary: 'A provider definition has the wrong shape' },
  FLEET_ERR_DI_INVALID_MODULE: { status: 500, summary: 'Something used as a module is not a @Module class or dynamic module' },
  FLEET_ERR_DI_INVALID_EXPORT: { status: 500, summary: 'A module exports a token it neither provides nor imports' },
  FLEET_ERR_DI_UNTYPED_DEPENDENCY: { status: 500, summary: 'A constructor parameter has no injectable type' },
  FLEET_ERR_DI_INSTANTIATION_FAILED: { status: 500, summary: 'A constructor or factory threw while the container built a provider' },
  FLEET_ERR_DI_UNKNOWN_TOKEN: { status: 500, summary: 'app.get() was asked for a token no module provides' },
  FLEET_ERR_DI_UNUSED_OVERRIDE: { status: 500, summary: 'An override names a token no module provides' },
  FLEET_ERR_BOOT_FAILED: { status: 500, summary: 'Several problems stopped the application from booting (listed in the message)' },
  // Boot and shutdown: lifecycle
  FLEET_ERR_LIFECYCLE_INIT_FAILED: { status: 500, summary: 'One or more onInit hooks failed or timed out' },
  FLEET_ERR_LIFECYCLE_HOOK_TIMEOUT: { status: 500, summary: 'A lifecycle hook did not finish within its deadline' },
  FLEET_ERR_LIFECYCLE_SHUTDOWN_FAILED: { status: 500, summary: 'One or more onShutdown hooks failed or timed out' },
  // Boot: configuration
  FLEET_ERR_CONFIG_INVALID: { status: 500, summary: 'Environment variables do not match the config schema' },
  // Boot: routes
  FLEET_ERR_HTTP_INVALID_ROUTE: { status: 500, summary: 'A controller route is declared in a way Fleet cannot compile' },
  // Requests
  FLEET_ERR_HTTP_VALIDATION: { status: 400, summary: 'The request does not match the route schema' },
  FLEET_ERR_HTTP_MALFORMED_JSON: { status: 400, summary: 'The request body is not valid JSON' },
  FLEET_ERR_HTTP_BAD_REQUEST: { status: 400, summary: 'The request is not acceptable' },
  FLEET_ERR_HTTP_UNAUTHORIZED: { status: 401, summary: 'Authentication is required' },
  FLEET_ERR_HTTP_FORBIDDEN: { status: 403, summary: 'The caller may not do this' },
  FLEET_ERR_HTTP_NOT_FOUND: { status: 404, summary: 'The resource does not exist' },
  FLEET_ERR_HTTP_ROUTE_NOT_FOUND: { status: 404, summary: 'No route matches the method and path' },
  FLEET_ERR_HTTP_METHOD_NOT_ALLOWED: { status: 405, summary: 'The method is not allowed here' },
  FLEET_ERR_HTTP_CONFLICT: { status: 409, summary: 'The request conflicts with the current state' },
  FLEET_ERR_HTTP_BODY_TOO_LARGE: { status: 413, summary: 'The request body is larger than the route allows' },
  FLEET_ERR_HTTP_UNSUPPORTED_MEDIA_TYPE: { status: 415, summary: 'The request body has a content type the route cannot parse' },
  FLEET_ERR_HTTP_UNPROCESSABLE: { status: 422, summary: 'The request is well formed but cannot be processed' },
  FLEET_ERR_HTTP_INTERNAL: { status: 500, summary: 'An unexpected error; details are in the server log under the request id' },
  FLEET_ERR_HTTP_SERVICE_UNAVAILABLE: { status: 503, summary: 'The service cannot answer right now' },
  // Statelessness
  FLEET_ERR_STATE_IN_MEMORY: { status: 500, summary: 'A singleton holds in-memory state (Map, array, mutable object, cache, timer) that would diverge across instances' },
  FLEET_ERR_STATE_FIELD_ASSIGNED: { status: 500, summary: 'A field of a frozen singleton was assigned after boot' },
  // Locks
  FLEET_ERR_LOCK_NOT_ACQUIRED: { status: 409, summary: 'A lock stayed held by another holder for the whole wait' },
  // Redis
  FLEET_ERR_REDIS_UNAVAILABLE: { status: 503, summary: 'Redis could not be reached' },
  FLEET_ERR_REDIS_NOT_CONNECTED: { status: 500, summary: 'Redis was used before the application finished booting' },
  // Resilience: boot (decorator options, wiring) and runtime (rejections, each with its HTTP status)
  FLEET_ERR_RESILIENCE_INVALID_OPTIONS: { status: 500, summary: 'A resilience decorator (@Retry, @CircuitBreaker, @Timeout, @Bulkhead, @RateLimit) has invalid options' },
  FLEET_ERR_RESILIENCE_REDIS_REQUIRED: { status: 500, summary: '@RateLimit is used but RedisModule is not imported' },
  FLEET_ERR_RESILIENCE_KEY_UNAVAILABLE: { status: 500, summary: "A @RateLimit key ('ip', 'user' or a key function) could not be computed for this call" },
  FLEET_ERR_RESILIENCE_CIRCUIT_OPEN: { status: 503, summary: 'A circuit breaker is open: the call failed fast without reaching the dependency' },
  FLEET_ERR_RESILIENCE_RATE_LIMITED: { status: 429, summary: 'The caller exceeded a fleet-wide rate limit' },
  FLEET_ERR_RESILIENCE_RATE_LIMIT_UNAVAILABLE: { status: 503, summary: "The rate-limit store (Redis) is unreachable and the limit is configured with onStoreError: 'deny'" },
  FLEET_ERR_RESILIENCE_BULKHEAD_FULL: { status: 503, summary: 'A bulkhead has no free slot and no room in its queue (or the queue wait timed out)' },
  FLEET_ERR_RESILIENCE_TIMEOUT: { status: 504, summary: 'A call did not finish within its @Timeout' },
  // Data: PostgreSQL (DatabaseModule, sql, migrations)
  FLEET_ERR_DB_PRIMARY_UNAVAILABLE: { status: 503, summary: 'The PostgreSQL primary cannot be reached: writes (and reads no replica can serve) fail fast' },
  FLEET_ERR_DB_NOT_PRIMARY: { status: 500, summary: 'DATABASE_URL points at a hot standby instead of the primary' },
  FLEET_ERR_DB_NOT_CONNECTED: { status: 500, summary: 'The database was used before the application finished booting (or after shutdown)' },
  FLEET_ERR_DB_NOT_SQL: { status: 500, summary: 'A query was given as a string (or anything else) instead of a sql`...` template' },
  FLEET_ERR_DB_INVALID_VALUE: { status: 500, summary: 'A sql`...` template was given undefined as a value' },
  FLEET_ERR_DB_INVALID_IDENTIFIER: { status: 500, summary: 'sql.id() was given an empty or invalid name' },
  FLEET_ERR_DB_INVALID_OPTIONS: { status: 500, summary: 'DatabaseModule.forRoot() or db.transaction() was given invalid options' },
  FLEET_ERR_DB_INVALID_TEXT: { status: 400, summary: 'A value holds a NUL character or an invalid Unicode sequence, which PostgreSQL text cannot store' },
  FLEET_ERR_DB_QUERY_FAILED: { status: 500, summary: 'PostgreSQL rejected a query (SQLSTATE and statement in the message)' },
  FLEET_ERR_DB_TIMEOUT: { status: 503, summary: 'A query, or the wait for a pooled connection, exceeded its timeout' },
  FLEET_ERR_DB_ROW_INVALID: { status: 500, summary: 'A result row does not match its zod row schema (the column is named)' },
  FLEET_ERR_DB_ROW_COUNT: { status: 500, summary: 'one() or maybeOne() got more rows (or, for one(), fewer) than it allows' },
  FLEET_ERR_DB_TRANSACTION_CLOSED: { status: 500, summary: 'A query ran on a transaction that had already ended' },
  FLEET_ERR_DB_MIGRATION_INVALID: { status: 500, summary: 'The migrations directory is missing or has badly named or duplicate files' },
  FLEET_ERR_DB_MIGRATION_CHANGED: { status: 500, summary: 'An applied migration file was edited afterwards' },
  FLEET_ERR_DB_MIGRATION_FAILED: { status: 500, summary: 'A migration file failed to apply (file and line in the message)' },
  FLEET_ERR_DB_MIGRATION_LOCK_TIMEOUT: { status: 500, summary: 'Another migrator held the migration lock for too long' },
  // OpenAPI: the document generated from the routes (at boot when served, else on app.openapi() / fleet openapi)
  FLEET_ERR_OPENAPI_INVALID_OPTIONS: { status: 500, summary: "createApp's openapi option is invalid (a path, the info, a security scheme)" },
  FLEET_ERR_OPENAPI_PATH_TAKEN: { status: 500, summary: 'The path of the OpenAPI document or of its reference page is already a route' },
  FLEET_ERR_OPENAPI_INVALID_METADATA: { status: 500, summary: '@ApiDoc is invalid: an unknown security scheme, a duplicate operationId, a field a controller cannot have, a status that is no error' },
  FLEET_ERR_OPENAPI_SCHEMA_CONFLICT: { status: 500, summary: 'Two different zod schemas are registered under the same .meta({ id }) (or an id clashes with a generated <id>Input)' },
  // Jobs: @Async and @Scheduled on BullMQ (boot, the enqueuing call, the worker, inspection)
  FLEET_ERR_JOBS_INVALID_OPTIONS: { status: 500, summary: '@Async, @Scheduled or @CurrentJob has invalid options (queue, attempts, backoff, schedule, duration)' },
  FLEET_ERR_JOBS_MODULE_REQUIRED: { status: 500, summary: '@Async or @Scheduled is used but JobsModule is not imported' },
  FLEET_ERR_JOBS_DUPLICATE_NAME: { status: 500, summary: 'Two job methods have the same job name (class and method name, or the name option)' },
  FLEET_ERR_JOBS_ARGUMENT_NOT_JSON: { status: 500, summary: 'An @Async method was called with an argument that does not survive JSON (Date, Map, class instance, function, cycle...)' },
  FLEET_ERR_JOBS_ENQUEUE_FAILED: { status: 503, summary: 'A job could not be enqueued: Redis is unreachable or refused the command' },
  FLEET_ERR_JOBS_TIMEOUT: { status: 504, summary: 'One attempt of a job ran longer than the timeout of its @Async' },
  FLEET_ERR_JOBS_UNKNOWN_JOB: { status: 500, summary: 'A worker took a job whose name no method of this app declares' },
  FLEET_ERR_JOBS_NOT_FOUND: { status: 404, summary: 'No job has this id (in any queue of the app)' },
  FLEET_ERR_JOBS_NOT_FAILED: { status: 409, summary: 'Only a failed job can be retried' },
  FLEET_ERR_JOBS_NOT_STARTED: { status: 500, summary: 'Jobs was used before the application booted it, or after shutdown' },
  // Cache: @Cached, @CacheEvict, @CachePut and the injectable Cache (L1 in process, L2 in Redis)
  FLEET_ERR_CACHE_INVALID_OPTIONS: { status: 500, summary: '@Cached, @CacheEvict, @CachePut or a Cache call has invalid options (ttl, key, tags, l1, staleWhileRevalidate, lock)' },
  FLEET_ERR_CACHE_MODULE_REQUIRED: { status: 500, summary: '@Cached, @CacheEvict or @CachePut is used but CacheModule is not imported' },
  FLEET_ERR_CACHE_KEY_INVALID: { status: 500, summary: 'A cache key could not be made: a key function returned no string, or an argument has no stable encoding' },
  FLEET_ERR_CACHE_NOT_SERIALIZABLE: { status: 500, summary: 'A cached method returned (or Cache.set was given) a value that does not survive JSON (Date, Map, class instance, NaN, cycle...)' },
  // Security: boot (headers, CORS, timeouts, trusted proxies, log redaction) and the client errors its defaults answer
  FLEET_ERR_SECURITY_INVALID_OPTIONS: { status: 500, summary: 'A security option (securityHeaders, cors, timeouts, trustProxy, redactHeaders, or their FLEET_* variables) is invalid' },
  FLEET_ERR_SECURITY_CORS_WILDCARD_CREDENTIALS: { status: 500, summary: "CORS allows any origin ('*') together with credentials" },
  FLEET_ERR_SECURITY_CORS_ORIGINS_REQUIRED: { status: 500, summary: 'CORS is configured in production without an explicit list of origins' },
  FLEET_ERR_SECURITY_CORS_ORIGIN_REFUSED: { status: 403, summary: 'A CORS preflight came from an origin that is not in the allowlist' },
  FLEET_ERR_SECURITY_REQUEST_TIMEOUT: { status: 408, summary: 'The client did not send its headers (headersTimeoutMs) or whole request (requestTimeoutMs) in time' },
  FLEET_ERR_SECURITY_HEADERS_TOO_LARGE: { status: 431, summary: "The request headers exceed Node's maximum header size" },
  FLEET_ERR_SECURITY_UNSAFE_JSON_STRING: { status: 400, summary: 'A string in the JSON body contains U+0000 or a lone surrogate' },
  // Runtime: request context
  FLEET_ERR_CONTEXT_UNAVAILABLE: { status: 500, summary: 'RequestContext was read outside a request' },
} as const satisfies Record<string, { status: number; summary: string }>;

export type FleetErrorCode = keyof typeof ERROR_CODES;

/** One problem in an error's `details`: where it is and which rule it broke. */
export interface ErrorDetail {
  /** Where the problem is, e.g. `body.items.0.qty` or `params.id`. */
  path: string;
  /** Human-readable description of the problem. */
  message: string;
  /** The rule that failed (`type`, `minimum`, `required`, `too_small`...). */
  rule?: string;
}

export interface FleetErrorOptions {
  cause?: unknown;
  details?: ErrorDetail[];
  /** Overrides the registry's HTTP status (the HttpError family uses it). */
  statusCode?: number;
}

/** Base class of every error Fleet raises. `code` is stable; `statusCode` comes from the registry. */
export class FleetError extends Error {
  readonly code: string;
  readonly statusCode: number;
  readonly details?: ErrorDetail[];

  constructor(code: FleetErrorCode, message: string, options: FleetErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.statusCode = options.statusCode ?? ERROR_CODES[code].status;
    if (options.details) this.details = options.details;
  }
}

/** Several boot problems at once; each is in `errors`, all are in the message. */
export class FleetBootError extends FleetError {
  readonly errors: FleetError[];
  constructor(errors: FleetError[]) {
    super('FLEET_ERR_BOOT_FAILED', `${errors.length} problems stopped the application from booting:\n\n` +
      errors.map((e, i) => `${i + 1}. [${e.code}] ${e.message}`).join('\n\n'));
    this.errors = errors;
  }
}

/** Throws the single error, or one FleetBootError listing all of them. */
export function throwAll(errors: FleetError[]): void {
  if (errors.length === 1) throw errors[0];
  if (errors.length > 1) throw new FleetBootError(errors);
}
