import type { FastifyInstance, FastifyServerOptions } from 'fastify';
import type { ConfigClass } from '../config/config.js';
import type { Provider } from '../di/provider.js';
import type { HealthOptions } from '../health/health-routes.js';
import type { ShutdownOptions } from '../lifecycle/shutdown.js';

/** Options of `createApp`. Every field is optional; defaults are production-safe. */
export interface AppOptions<C = unknown> {
  /** Health endpoints (`/health/live`, `/health/ready`, `/health/startup`); `false` removes them. @default {} */
  health?: HealthOptions | false;
  /** Graceful shutdown on SIGTERM/SIGINT: drain delay, deadline, whether to install the handlers. */
  shutdown?: ShutdownOptions;
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
  /** Fastify's `trustProxy`: which proxies may set X-Forwarded-For. @default false */
  trustProxy?: FastifyServerOptions['trustProxy'];
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
