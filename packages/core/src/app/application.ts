import type { FastifyInstance } from 'fastify';
import { FleetError } from '../errors.js';
import type { Container } from '../di/container.js';
import { describeHookFailures, runHooks, type HookResult } from '../di/lifecycle.js';
import type { Token } from '../di/tokens.js';
import type { RouteInfo } from '../http/route-compiler.js';
import type { OpenApiDocument } from '../openapi/types.js';
import { registerHealthRoutes, startEventLoopTicker, type ProbeState } from '../health/health-routes.js';
import { healthPortSetting, startHealthServer, type HealthServer } from '../health/health-server.js';
import { isHealthIndicator, type HealthIndicator } from '../health/indicator.js';
import { GracefulShutdown } from '../lifecycle/shutdown.js';
import { flushTelemetry } from '../telemetry/flush.js';

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
  /** Where the probes listen when they have their own port (`health.port`), once `listen()` resolved. */
  readonly healthAddress: string | undefined;
  /**
   * The OpenAPI 3.1 document of the routes (a fresh copy per call): generated at boot when it is
   * served (`openapi` option), else on the first call. `fleet openapi` writes it.
   */
  openapi(): Promise<OpenApiDocument>;
  /** A provider's instance (singletons are shared; transients are new each call). */
  get<T>(token: Token<T>): T;
  /** Loads registered Fastify plugins and compiles route schemas (listen() does it too). */
  ready(): Promise<void>;
  /**
   * Starts listening; resolves with the address, e.g. `http://127.0.0.1:3000`. Installs the
   * SIGTERM/SIGINT handlers of graceful shutdown unless `shutdown.signals` is false.
   */
  listen(options?: { port?: number; host?: string }): Promise<string>;
  /**
   * The graceful shutdown sequence without exiting: readiness 503, drain delay, close the
   * listener (in-flight requests finish), onShutdown hooks. Resolves with the exit code it would use.
   */
  shutdown(reason?: string): Promise<number>;
  /** Stops the server (in-flight requests finish), then runs onShutdown hooks in reverse dependency order. */
  close(): Promise<HookResult[]>;
}

export interface ApplicationParts<C> {
  fastify: FastifyInstance;
  container: Container;
  config: C;
  routes: RouteInfo[];
  requestContextEnabled: boolean;
  options: AppOptions<C>;
  /** Resolved drain delay and deadline (validated before boot). */
  shutdown: { drainDelayMs: number; deadlineMs: number };
  /** The OpenAPI document (see `installOpenApi`). */
  openapi: () => Promise<OpenApiDocument>;
}

export class Application<C> implements FleetApp<C> {
  readonly fastify: FastifyInstance;
  readonly config: C;
  readonly routes: readonly RouteInfo[];
  readonly requestContextEnabled: boolean;
  readonly openapi: () => Promise<OpenApiDocument>;
  private readonly container: Container;
  private readonly options: AppOptions<C>;
  private readonly probes: ProbeState = { started: false, shuttingDown: false, lastTick: Date.now(), worstLagMs: 0 };
  private readonly graceful: GracefulShutdown;
  private closing?: Promise<HookResult[]>;
  private stopTicker?: () => void;
  private removeHandlers?: () => void;
  /** The probes' own port (`health.port`), or undefined when they are routes of the app. */
  private readonly healthPort: number | undefined;
  private readonly registerProbes?: (fastify: FastifyInstance) => void;
  private healthServer?: HealthServer;

  constructor(parts: ApplicationParts<C>) {
    this.fastify = parts.fastify;
    this.config = parts.config;
    this.routes = parts.routes;
    this.requestContextEnabled = parts.requestContextEnabled;
    this.openapi = parts.openapi;
    this.container = parts.container;
    this.options = parts.options;
    const indicators: HealthIndicator[] = this.container.built.map((t) => t.instance).filter(isHealthIndicator);
    const health = parts.options.health;
    this.healthPort = healthPortSetting(health, parts.options.env ?? process.env);
    if (health !== false) {
      this.registerProbes = (fastify) => registerHealthRoutes(fastify, () => indicators, this.probes, health || {});
      if (this.healthPort === undefined) this.registerProbes(this.fastify);
    }
    const s = parts.shutdown;
    this.graceful = new GracefulShutdown({
      log: this.fastify.log,
      server: this.fastify.server,
      markShuttingDown: () => { this.probes.shuttingDown = true; },
      close: async (onStep) => { await this.closeWith(onStep); },
    }, s.drainDelayMs, s.deadlineMs);
  }

  get healthAddress(): string | undefined {
    return this.healthServer?.address;
  }

  get<T>(token: Token<T>): T {
    return this.container.get(token);
  }

  async ready(): Promise<void> {
    await this.fastify.ready();
  }

  async listen({ port = 3000, host = '127.0.0.1' }: { port?: number; host?: string } = {}): Promise<string> {
    this.stopTicker ??= startEventLoopTicker(this.probes);
    // The probes' own listener first: the startup probe answers 503 until the app listens.
    if (this.healthPort !== undefined && this.registerProbes && !this.healthServer) {
      this.healthServer = await startHealthServer(this.registerProbes, {
        port: this.healthPort, host: this.options.health ? this.options.health.host ?? host : host, appPort: port, log: this.fastify.log,
      });
    }
    let address: string;
    try {
      address = await this.fastify.listen({ port, host });
    } catch (error) {
      await this.healthServer?.close();
      this.healthServer = undefined;
      throw error;
    }
    this.probes.started = true;
    if (this.options.shutdown?.signals !== false && !this.removeHandlers) {
      this.removeHandlers = this.graceful.installProcessHandlers((code) => process.exit(code));
    }
    return address;
  }

  shutdown(reason = 'shutdown requested'): Promise<number> {
    return this.graceful.run(reason).finally(() => this.removeHandlers?.());
  }

  close(): Promise<HookResult[]> {
    return this.closeWith(() => undefined).finally(() => this.removeHandlers?.());
  }

  private closeWith(onStep: (step: string) => void): Promise<HookResult[]> {
    this.closing ??= (async () => {
      this.probes.shuttingDown = true;
      onStep('closing the listener and finishing in-flight requests');
      await this.fastify.close();
      this.stopTicker?.();
      const hookTimeoutMs = this.options.shutdownTimeoutMs ?? 10_000;
      const results = await runHooks([...this.container.built].reverse(), 'onShutdown', hookTimeoutMs, undefined, onStep);
      // What the SDK still buffers, spans of the hooks included; `process.exit` skips an SDK's `beforeExit` hook.
      onStep('flushing telemetry');
      for (const f of await flushTelemetry(hookTimeoutMs)) {
        if (f.outcome !== 'flushed') this.fastify.log.error({ err: f.error, provider: f.name }, `OpenTelemetry ${f.name} flush ${f.outcome} at shutdown: what it still buffered is lost`);
      }
      // The probes answer (readiness 503) until everything else has stopped.
      if (this.healthServer) {
        onStep('closing the health probes\' listener');
        await this.healthServer.close();
      }
      const failed = results.filter((r) => r.outcome !== 'ok');
      if (failed.length > 0) {
        this.fastify.log.error({ hooks: failed.map((f) => ({ name: f.name, outcome: f.outcome })) }, 'onShutdown hooks failed');
        throw new FleetError('FLEET_ERR_LIFECYCLE_SHUTDOWN_FAILED', `Shutdown hooks failed (the others still ran):\n${describeHookFailures(results)}`,
          { cause: failed[0]!.error });
      }
      return results;
    })();
    return this.closing;
  }
}

/** Drain delay and deadline from the options, else env (`FLEET_DRAIN_DELAY_MS`, `FLEET_SHUTDOWN_DEADLINE_MS`), else defaults. */
export function shutdownSettings(options: AppOptions, production: boolean): { drainDelayMs: number; deadlineMs: number } {
  const fromEnv = (name: string): number | undefined => {
    const raw = (options.env ?? process.env)[name];
    if (raw === undefined || raw === '') return undefined;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < 0) {
      throw new FleetError('FLEET_ERR_CONFIG_INVALID', `Invalid configuration: ${name} must be a non-negative integer of milliseconds; got ${JSON.stringify(raw)}.`);
    }
    return n;
  };
  return {
    drainDelayMs: options.shutdown?.drainDelayMs ?? fromEnv('FLEET_DRAIN_DELAY_MS') ?? (production ? 5000 : 0),
    deadlineMs: options.shutdown?.deadlineMs ?? fromEnv('FLEET_SHUTDOWN_DEADLINE_MS') ?? 25_000,
  };
}
