import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyServerOptions } from 'fastify';
import { FleetError } from '../errors.js';
import { Container } from '../di/container.js';
import { describeHookFailures, runHooks, type HookResult } from '../di/lifecycle.js';
import type { Token } from '../di/tokens.js';
import { RequestContext } from '../context/request-context.js';
import { compileControllers, type RouteInfo } from '../http/route-compiler.js';
import { installErrorHandling } from '../http/error-handler.js';
import { validatorCompiler } from '../http/validation.js';
import { Logger } from './logger.js';
import { AppEnvironment } from './environment.js';
import { runAs, startWatchingTimers, type BootTimer } from '../state/boot-timers.js';
import { freezeSingletons, inspectSingletons, stateError } from '../state/guard.js';
import type { AppOptions } from './options.js';

/**
 * A Fleet application: providers built and routes mounted, not yet listening. Register Fastify
 * plugins on `fastify` (or in `options.setup`) before `listen()`.
 */
export interface FleetApp<C = unknown> {
  /** The underlying Fastify instance, for Fastify plugins and hooks. */
  readonly fastify: FastifyInstance;
  /** The parsed, frozen config (when `options.config` was given). */
  readonly config: C;
  /** The routes compiled at boot. */
  readonly routes: readonly RouteInfo[];
  /** Whether requests enter the RequestContext (someone injects it). */
  readonly requestContextEnabled: boolean;
  /** A provider's instance (singletons are shared; transients are new each call). */
  get<T>(token: Token<T>): T;
  /** Loads registered Fastify plugins and compiles route schemas (listen() does it too). */
  ready(): Promise<void>;
  /** Starts listening; resolves with the address, e.g. `http://127.0.0.1:3000`. */
  listen(options?: { port?: number; host?: string }): Promise<string>;
  /** Stops the server (in-flight requests finish), then runs onShutdown hooks in reverse dependency order. */
  close(): Promise<HookResult[]>;
}

const SAFE_REQUEST_ID = /^[\w.:-]{1,128}$/;

/**
 * Builds the application: validates config, resolves and builds every provider, runs onInit
 * hooks in dependency order and compiles the routes. Every boot problem is raised here, with
 * a `FLEET_ERR_*` code and the fix; nothing is resolved per request.
 */
export async function createApp<C = unknown>(rootModule: unknown, options: AppOptions<C> = {}): Promise<FleetApp<C>> {
  const production = options.production ?? process.env.NODE_ENV === 'production';
  const fastify = Fastify(fastifyOptions(options));
  installErrorHandling(fastify, { production });
  fastify.setValidatorCompiler(validatorCompiler());

  const stopWatchingTimers = startWatchingTimers();
  let bootTimers: BootTimer[] | undefined;
  const container = await Container.create(rootModule, {
    overrides: options.overrides,
    env: options.env,
    runAs,
    builtins: [
      RequestContext,
      { provide: Logger, useValue: fastify.log },
      { provide: AppEnvironment, useValue: new AppEnvironment(production) },
      ...(options.config ? [options.config as unknown as Function as never] : []),
    ],

  }).catch((e: unknown) => { stopWatchingTimers(); throw e; });

  const init = await runHooks(container.built, 'onInit', options.initTimeoutMs ?? 30_000, runAs)
    .finally(() => { bootTimers = stopWatchingTimers(); });
  if (init.some((r) => r.outcome !== 'ok')) {
    const notReady = new Set(init.filter((r) => r.outcome !== 'ok').map((r) => r.instance));
    const initialised = container.built.filter((t) => !notReady.has(t.instance));
    await runHooks([...initialised].reverse(), 'onShutdown', options.shutdownTimeoutMs ?? 10_000);
    throw new FleetError('FLEET_ERR_LIFECYCLE_INIT_FAILED', `The application did not start: onInit hooks failed:\n${describeHookFailures(init)}`,
      { cause: init.find((r) => r.error)?.error });
  }

  try {
    guardState(container, bootTimers ?? [], options, fastify.log);
  } catch (e) {
    await runHooks([...container.built].reverse(), 'onShutdown', options.shutdownTimeoutMs ?? 10_000);
    throw e;
  }

  const requestContextEnabled = options.requestContext === 'always' || container.isInjected(RequestContext);
  if (options.setup) await options.setup(fastify);
  const routes = compileControllers(fastify, container.controllers(), { requestContext: requestContextEnabled });

  const config = (options.config ? container.get(options.config) : undefined) as C;
  let closing: Promise<HookResult[]> | undefined;
  return {
    fastify,
    config,
    routes,
    requestContextEnabled,
    get: (token) => container.get(token),
    async ready() {
      await fastify.ready();
    },
    async listen({ port = 3000, host = '127.0.0.1' } = {}) {
      return fastify.listen({ port, host });
    },
    close() {
      closing ??= (async () => {
        await fastify.close();
        const results = await runHooks([...container.built].reverse(), 'onShutdown', options.shutdownTimeoutMs ?? 10_000);
        const failed = results.filter((r) => r.outcome !== 'ok');
        if (failed.length > 0) {
          fastify.log.error({ hooks: failed.map((f) => ({ name: f.name, outcome: f.outcome })) }, 'onShutdown hooks failed');
          throw new FleetError('FLEET_ERR_LIFECYCLE_SHUTDOWN_FAILED', `Shutdown hooks failed (the others still ran):\n${describeHookFailures(results)}`,
            { cause: failed[0]!.error });
        }
        return results;
      })();
      return closing;
    },
  };
}

/**
 * The statelessness guard (after onInit): refuse to boot on in-memory state, log each
 * @AllowState opt-out, then freeze the singletons. On refusal, what started is shut down first.
 */
function guardState(container: Container, timers: BootTimer[], options: AppOptions, log: FastifyBaseLogger): void {
  const targets = container.singletons();
  const report = inspectSingletons(targets, timers);
  for (const o of report.optOuts) {
    log.warn({ module: o.module, class: o.className, field: o.field, reason: o.reason }, `state allowed by @AllowState: ${o.className}${o.field ? `.${o.field}` : ''} (${o.reason})`);
  }
  if (report.violations.length > 0) {
    const error = stateError(report.violations);
    if (options.stateGuard !== 'warn') throw Object.assign(error, { report });
    log.error({ violations: report.violations }, error.message);
  }
  freezeSingletons(targets);
}

function fastifyOptions(options: AppOptions): FastifyServerOptions {
  const logger = options.logger === undefined || options.logger === true ? { level: process.env.LOG_LEVEL ?? 'info' } : options.logger;
  return {
    logger,
    bodyLimit: options.bodyLimit ?? 1_048_576,
    trustProxy: options.trustProxy ?? false,
    requestIdHeader: false,
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && SAFE_REQUEST_ID.test(given) ? given : randomUUID();
    },
  };
}
