import type { FastifyInstance, FastifyServerOptions } from 'fastify';
import type { ConfigClass } from '../config/config.js';
import type { Provider } from '../di/provider.js';
import type { HealthOptions } from '../health/health-routes.js';
import type { ShutdownOptions } from '../lifecycle/shutdown.js';
import type { CorsOptions, SecurityHeadersOptions, ServerTimeoutOptions, TrustProxySetting } from '../security/index.js';
import type { OpenApiOptions } from '../openapi/options.js';

/** Options of `createApp`. Every field is optional; defaults are production-safe. */
export interface AppOptions<C = unknown> {
  /** Health endpoints (`/health/live`, `/health/ready`, `/health/startup`); `false` removes them. @default {} */
  health?: HealthOptions | false;
  /** Graceful shutdown on SIGTERM/SIGINT: drain delay, deadline, whether to install the handlers. */
  shutdown?: ShutdownOptions;
  /**
   * The OpenAPI 3.1 document generated from the routes' zod schemas and `@ApiDoc`: `true` serves it
   * (at `/openapi.json`) in every environment, `false` never, or `OpenApiOptions` (path, `ui`
   * reference page, info, servers, security schemes). Other routes pay nothing for it.
   * @default served with its reference page (`/docs`) in development; neither in production
   */
  openapi?: boolean | OpenApiOptions;
  /** Runs on the Fastify instance before the controllers are mounted: register plugins and hooks here. */
  setup?: (fastify: FastifyInstance) => unknown;
  /** The app's config class (`class AppConfig extends Config(schema) {}`): validated at boot, injectable, and `app.config`. */
  config?: ConfigClass<C>;
  /** Environment variables to read config from. @default process.env */
  env?: Record<string, string | undefined>;
  /**
   * Logger: `false` for none, pino options, or `true` for `{ level: LOG_LEVEL ?? 'info' }`.
   * @default true
   */
  logger?: boolean | NonNullable<FastifyServerOptions['logger']>;
  /** Hide the message of unexpected (500) errors from clients. @default NODE_ENV === 'production' */
  production?: boolean;
  /** Maximum request body in bytes (per route: `@Post(path, { bodyLimit })`). @default 1048576 (1 MiB) */
  bodyLimit?: number;
  /**
   * Which proxies may set the client address (`X-Forwarded-For`), and so `request.ip`, the key of
   * `@RateLimit` and the address in request logs: addresses or CIDRs (`['10.0.0.0/8']`, or
   * `'loopback'`), a hop count behind proxies nothing can bypass, or a function. `true` is refused
   * at boot (any client could choose its address). Env `FLEET_TRUST_PROXY` (`1`, `10.0.0.0/8,127.0.0.1`).
   * @default false (the TCP peer is the client; X-Forwarded-For is ignored)
   */
  trustProxy?: TrustProxySetting | boolean;
  /**
   * Security headers on every response (routes, errors, 404s): helmet's options merged over
   * Fleet's policy for JSON APIs (CSP `default-src 'none'`, HSTS, nosniff, `X-Frame-Options: DENY`,
   * `Referrer-Policy: no-referrer`, CORP `same-origin`, `Cache-Control: no-store`), computed once
   * at boot. A handler's own `reply.header()` wins. `false` sends none.
   * @default Fleet's JSON API policy (docs/security.md)
   */
  securityHeaders?: SecurityHeadersOptions | false;
  /**
   * CORS through @fastify/cors, for browsers on other origins: an explicit origin allowlist
   * (required in production; `'*'` with `credentials` is refused at boot). Refused preflights get 403.
   * @default false (no CORS headers: browsers allow same-origin calls only)
   */
  cors?: CorsOptions | false;
  /**
   * Node server timeouts against slow clients: headers (10 s), whole request (30 s), idle
   * keep-alive (72 s, keep it above your load balancer's idle timeout). Env `FLEET_HEADERS_TIMEOUT_MS`,
   * `FLEET_REQUEST_TIMEOUT_MS`, `FLEET_KEEP_ALIVE_TIMEOUT_MS`.
   * @default { headersTimeoutMs: 10000, requestTimeoutMs: 30000, keepAliveTimeoutMs: 72000 }
   */
  timeouts?: ServerTimeoutOptions;
  /**
   * More header names whose values never reach the logs (`x-api-key`...). `authorization`,
   * `proxy-authorization`, `cookie` and `set-cookie` always are redacted, and so are the values
   * of config fields marked `secret()`. @default []
   */
  redactHeaders?: readonly string[];
  /**
   * Refuse JSON bodies whose strings contain U+0000 or a lone surrogate (400
   * `FLEET_ERR_SECURITY_UNSAFE_JSON_STRING`): PostgreSQL cannot store either in text or jsonb, and
   * U+0000 ends strings in C libraries. Costs one `indexOf` per JSON body without `\u` escapes.
   * @default true
   */
  strictJsonStrings?: boolean;
  /**
   * Called once for each built provider and controller, before onInit hooks and decorator
   * pipelines (used by @fleet/testing to inject method faults). Not for production code.
   */
  instrument?: (instance: object, name: string) => void;
  /** Replace providers by token, wherever they are declared (used by @fleet/testing). */
  overrides?: Provider[];
  /** Deadline of each onInit hook. @default 30000 ms */
  initTimeoutMs?: number;
  /** Deadline of each onShutdown hook. @default 10000 ms */
  shutdownTimeoutMs?: number;
  /**
   * OpenTelemetry: a span per request, trace ids in request logs, request metrics. `'auto'`
   * turns it on when an SDK is registered before `createApp` (with no SDK it costs nothing).
   * @default 'auto'
   */
  telemetry?: 'auto' | boolean;
  /**
   * What the statelessness guard does with in-memory state found at boot: `'error'` refuses to
   * boot (listing every place); `'warn'` logs it and boots (for migrating an existing service).
   * @default 'error'
   */
  stateGuard?: 'error' | 'warn';
  /**
   * When to enter the RequestContext per request: `'auto'` only if some provider injects it
   * (entering it costs about 4 us per request on Node 20). @default 'auto'
   */
  requestContext?: 'auto' | 'always';
}
