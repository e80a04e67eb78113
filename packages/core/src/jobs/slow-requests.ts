import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { FleetError } from '../errors.js';
import { bootMeter, metricsRegistered } from '../telemetry/telemetry.js';

/** The default threshold of the slow-request advisory: the rule that work over ~500 ms leaves the request path. */
export const SLOW_REQUEST_MS = 500;

/**
 * The slow-request advisory: a response that took `thresholdMs` or more is counted in
 * `fleet.http.slow_requests` (method, route), and the first one of each route is logged at warn
 * with its duration and the hint to move the work to @Async. It reads Fastify's `reply.elapsedTime`
 * in one synchronous onResponse hook: with a logger, Fastify times every response anyway, and the
 * hook costs one call and one comparison per fast response. With neither a logger nor a
 * MeterProvider it would have nowhere to report, and an onResponse hook would make Fastify track
 * the end of every response (about 1.3 us, 7% of a hello request): then it is not installed.
 * @internal
 */
export function installSlowRequestAdvisory(fastify: FastifyInstance, thresholdMs: number, exclude: ReadonlySet<string>, logging: boolean): void {
  if (thresholdMs <= 0 || !(logging || metricsRegistered())) return;
  const warned = new Set<string>();
  const slow = bootMeter()?.createCounter('fleet.http.slow_requests', { description: `HTTP requests that took the slow-request threshold (${thresholdMs} ms) or more` });
  const report = (req: FastifyRequest, reply: FastifyReply): void => {
    const route = req.routeOptions.url;
    if (route === undefined || exclude.has(route)) return;
    const durationMs = Math.round(reply.elapsedTime);
    slow?.add(1, { 'http.request.method': req.method, 'http.route': route });
    const key = `${req.method} ${route}`;
    if (warned.has(key)) return;
    warned.add(key);
    req.log.warn({ route: key, durationMs, thresholdMs, statusCode: reply.statusCode },
      `slow request: ${key} took ${durationMs} ms (threshold ${thresholdMs} ms). Work over ~${thresholdMs} ms does not belong in a request: ` +
      'move it to an @Async method (it returns { jobId } at once and a worker runs it) and answer 202. Logged once per route; every slow request is counted in fleet.http.slow_requests.');
  };
  fastify.addHook('onResponse', function slowRequestAdvisory(req, reply, done) {
    if (reply.elapsedTime >= thresholdMs) report(req, reply);
    done();
  });
}

/** `FLEET_SLOW_REQUEST_MS` (a non-negative integer; 0 turns the advisory off), else 500. */
export function slowRequestThreshold(env: Record<string, string | undefined>): number {
  const raw = env.FLEET_SLOW_REQUEST_MS;
  if (raw === undefined || raw === '') return SLOW_REQUEST_MS;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0) {
    throw new FleetError('FLEET_ERR_CONFIG_INVALID', `Invalid configuration: FLEET_SLOW_REQUEST_MS must be a non-negative integer of milliseconds (0 turns the slow-request advisory off); got ${JSON.stringify(raw)}.`);
  }
  return n;
}
