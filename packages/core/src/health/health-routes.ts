import type { FastifyInstance } from 'fastify';
import { runChecks, type HealthReport } from './health-report.js';
import type { HealthIndicator } from './indicator.js';

/** Options of the health endpoints (`createApp(..., { health })`). */
export interface HealthOptions {
  /** @default '/health/live' */
  livePath?: string;
  /** @default '/health/ready' */
  readyPath?: string;
  /** @default '/health/startup' */
  startupPath?: string;
  /** Timeout of each readiness check. @default 2000 ms */
  checkTimeoutMs?: number;
  /** Liveness fails when the event loop was blocked longer than this. @default 5000 ms */
  eventLoopBlockedMs?: number;
  /**
   * Serves the probes on a listener of their own at this port, and not on the app's port: the
   * kubelet's probes then never queue behind application traffic or its connection limits, and a
   * public load balancer that only routes the app's port cannot reach them. `0` takes a free port
   * (read it from `app.healthAddress`). Also set by `FLEET_HEALTH_PORT`.
   * @default the app's own port
   */
  port?: number;
  /** Host of the probes' own listener (with `port`). @default the host given to `listen()` */
  host?: string;
}

/** What the probes read: set by boot and by the shutdown sequence. */
export interface ProbeState {
  started: boolean;
  shuttingDown: boolean;
  /** Last time the event-loop ticker ran (ms since epoch). */
  lastTick: number;
  /** The longest event-loop stall seen in the current window, in ms. */
  worstLagMs: number;
}

const NO_STORE = { 'cache-control': 'no-store' };

/**
 * Registers the three probes as plain Fastify routes (no controller pipeline: never rate-limited,
 * never cached). Readiness runs every indicator; liveness never checks external systems.
 */
export function registerHealthRoutes(fastify: FastifyInstance, indicators: () => HealthIndicator[], state: ProbeState, options: HealthOptions = {}): void {
  const timeoutMs = options.checkTimeoutMs ?? 2000;
  const blockedMs = options.eventLoopBlockedMs ?? 5000;
  fastify.get(options.livePath ?? '/health/live', async (_req, reply) => {
    const blocked = state.worstLagMs > blockedMs;
    return reply.code(blocked ? 503 : 200).headers(NO_STORE).send({ status: blocked ? 'down' : 'up', eventLoopLagMs: state.worstLagMs });
  });
  fastify.get(options.startupPath ?? '/health/startup', async (_req, reply) =>
    reply.code(state.started ? 200 : 503).headers(NO_STORE).send({ status: state.started ? 'up' : 'down' }));
  fastify.get(options.readyPath ?? '/health/ready', async (_req, reply) => {
    const report: HealthReport & { shuttingDown?: boolean } = state.shuttingDown
      ? { status: 'down', checks: {}, shuttingDown: true }
      : !state.started ? { status: 'down', checks: {} } : await runChecks(indicators(), timeoutMs);
    return reply.code(report.status === 'down' ? 503 : 200).headers(NO_STORE).send(report);
  });
}

const TICK_MS = 250;
const WINDOW_MS = 30_000;

/**
 * An unref'd ticker: when it runs late, the event loop was blocked for that long. The worst
 * stall is remembered for a 30 s window, so a probe that runs right after a stall still sees it.
 */
export function startEventLoopTicker(state: ProbeState): () => void {
  let windowStart = Date.now();
  state.lastTick = windowStart;
  const timer = setInterval(() => {
    const now = Date.now();
    const lag = Math.max(0, now - state.lastTick - TICK_MS);
    if (now - windowStart > WINDOW_MS) { windowStart = now; state.worstLagMs = lag; } else if (lag > state.worstLagMs) state.worstLagMs = lag;
    state.lastTick = now;
  }, TICK_MS);
  timer.unref();
  return () => clearInterval(timer);
}
