import '../di/reflect-metadata.js';
import { randomBytes } from 'node:crypto';
import Fastify, { type FastifyBaseLogger, type FastifySchemaCompiler, type FastifyServerOptions } from 'fastify';
import { FleetError } from '../errors.js';
import { Container } from '../di/container.js';
import { describeHookFailures, runHooks } from '../di/lifecycle.js';
import { RequestContext } from '../context/request-context.js';
import { compileControllers } from '../http/route-compiler.js';
import { Application, shutdownSettings, type FleetApp } from './application.js';
import { tracingRegistered } from '../telemetry/telemetry.js';
import { installHttpTelemetry } from '../telemetry/http-telemetry.js';
import { installErrorHandling } from '../http/error-handler.js';
import { validatorCompiler } from '../http/validation.js';
import { Logger } from './logger.js';
import { AppEnvironment } from './environment.js';
import { runAs, startWatchingTimers, type BootTimer } from '../state/boot-timers.js';
import { freezeSingletons, inspectSingletons, stateError } from '../state/guard.js';
import { installPipelines, type InstalledPipelines } from '../resilience/install-pipelines.js';
import { installJobs } from '../jobs/install-jobs.js';
import { ResilienceRegistry } from '../resilience/registry.js';
import { Clock, SystemClock } from '../time/clock.js';
import { installOpenApi } from '../openapi/install.js';
import { collectSecrets, installSecurity, resolveSecurity, securityServerOptions, type SecuritySettings } from '../security/security-settings.js';
import type { AppOptions } from './options.js';
import { keepTickObjectShape } from './tick-shape.js';

const SAFE_REQUEST_ID = /^[\w.:-]{1,128}$/;

/**
 * Request ids unique across the fleet without a UUID per request (which costs about 4% of a small
 * request): a random per-process prefix and a counter. A valid incoming `x-request-id` is kept.
 */
function requestIds(): (req: { headers: Record<string, string | string[] | undefined> }) => string {
  const prefix = randomBytes(6).toString('base64url');
  let n = 0;
  return (req) => {
    const given = req.headers['x-request-id'];
    return typeof given === 'string' && SAFE_REQUEST_ID.test(given) ? given : `${prefix}-${(++n).toString(36)}`;
  };
}

/**
 * Builds the application: validates config, resolves and builds every provider, runs onInit
 * hooks in dependency order and compiles the routes. Every boot problem is raised here, with
 * a `FLEET_ERR_*` code and the fix; nothing is resolved per request.
 */
export type { FleetApp } from './application.js';

export async function createApp<C = unknown>(rootModule: unknown, options: AppOptions<C> = {}): Promise<FleetApp<C>> {
  keepTickObjectShape();
  const production = options.production ?? process.env.NODE_ENV === 'production';
  const shutdown = shutdownSettings(options, production);
  // Security defaults are resolved (and refused) before anything is built; headers and CORS run before the app's own hooks.
  const security = resolveSecurity(options, production);
  const validate = validatorCompiler();
  const fastify = Fastify(fastifyOptions(options, security, validate));
  installErrorHandling(fastify, { production, redact: security.failures });
  await installSecurity(fastify, security);
  fastify.setValidatorCompiler(validate);

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
      { provide: Clock, useClass: SystemClock },
      ResilienceRegistry,
      ...(options.config ? [options.config as unknown as Function as never] : []),
    ],

  }).catch((e: unknown) => { stopWatchingTimers(); throw e; });
  collectSecrets(security, container.singletons().map((s) => s.instance));

  if (options.instrument) for (const t of container.built) options.instrument(t.instance as object, t.name);
  const init = await runHooks(container.built, 'onInit', options.initTimeoutMs ?? 30_000, runAs)
    .finally(() => { bootTimers = stopWatchingTimers(); });
  if (init.some((r) => r.outcome !== 'ok')) {
    const notReady = new Set(init.filter((r) => r.outcome !== 'ok').map((r) => r.instance));
    const initialised = container.built.filter((t) => !notReady.has(t.instance));
    await runHooks([...initialised].reverse(), 'onShutdown', options.shutdownTimeoutMs ?? 10_000);
    throw new FleetError('FLEET_ERR_LIFECYCLE_INIT_FAILED', `The application did not start: onInit hooks failed:\n${describeHookFailures(init)}`,
      { cause: init.find((r) => r.error)?.error });
  }

  // Everything after onInit can still fail (pipelines, the state guard, setup, routes): then what
  // started is shut down before the error is raised, so a failed boot leaves nothing open.
  try {
    // Decorator pipelines are installed on their instances before the guard freezes them (and before routes read them).
    const pipelines: InstalledPipelines = await installPipelines(container);
    // @Async/@Scheduled: enqueuers replace the methods (before the guard freezes), schedules synced; workers start once ready.
    const role = await installJobs(container, fastify, options);
    guardState(container, bootTimers ?? [], options, fastify.log);
    const requestContextEnabled = options.requestContext === 'always' || container.isInjected(RequestContext) || pipelines.needsRequestContext === true;
    const telemetry = options.telemetry === 'auto' || options.telemetry === undefined ? tracingRegistered() : options.telemetry;
    if (telemetry) installHttpTelemetry(fastify);
    if (options.setup) await options.setup(fastify);
    // A worker instance (FLEET_ROLE=worker) runs jobs and serves its probes, never the API: its
    // controllers are not mounted, so a request routed to it by mistake is a 404, not served twice over.
    const controllers = role === 'worker' ? [] : container.controllers();
    if (role === 'worker' && container.controllers().length > 0) fastify.log.info(`FLEET_ROLE=worker: ${container.controllers().length} controller(s) not mounted; this instance serves the health probes only`);
    const routes = compileControllers(fastify, controllers, { requestContext: requestContextEnabled, telemetry });
    const openapi = await installOpenApi({ fastify, controllers: controllers.map((c) => c.cls), setting: options.openapi, production, rootModule });
    const config = (options.config ? container.get(options.config) : undefined) as C;
    return new Application<C>({ fastify, container, config, routes, requestContextEnabled, options, shutdown, openapi });
  } catch (e) {
    await runHooks([...container.built].reverse(), 'onShutdown', options.shutdownTimeoutMs ?? 10_000);
    throw e;
  }
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

function fastifyOptions(options: AppOptions, security: SecuritySettings, validate: FastifySchemaCompiler<unknown>): FastifyServerOptions {
  const logger = options.logger === undefined || options.logger === true ? { level: process.env.LOG_LEVEL ?? 'info' } : options.logger;
  return {
    // logger (with redaction), trustProxy, server timeouts and client-error answers
    ...securityServerOptions(security, logger),
    bodyLimit: options.bodyLimit ?? 1_048_576,
    requestIdHeader: false,
    // While closing, requests on connections still open are served (not 503): the drain answers them with Connection: close.
    return503OnClosing: false,
    genReqId: requestIds(),
    // Fleet's validator compiler from the start (it is also set below, as before): otherwise Fastify
    // loads its default one, @fastify/ajv-compiler with ajv's JTD build, only to replace it (decision 008).
    // (`as never`: Fastify types the factory after @fastify/ajv-compiler's signature.)
    schemaController: { compilersFactory: { buildValidator: () => validate as never } },
  };
}
