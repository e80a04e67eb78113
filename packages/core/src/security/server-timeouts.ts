import type { Problems } from './problems.js';

/**
 * Timeouts of the Node HTTP server (`createApp(..., { timeouts })`), so that a slow client cannot
 * hold a connection. Environment variables set them per deployment; an option given in code wins.
 * `0` turns one off (not recommended).
 */
export interface ServerTimeoutOptions {
  /**
   * How long a client may take to send the request line and headers, from its first byte (or
   * from connecting). A client that trickles headers (slowloris) is answered 408 and disconnected.
   * Env `FLEET_HEADERS_TIMEOUT_MS`. @default 10000 ms
   */
  headersTimeoutMs?: number;
  /**
   * How long a client may take to send the whole request, headers and body (the response time of
   * the handler does not count). Must be at least `headersTimeoutMs`. With the 1 MiB body limit,
   * 30 s allows clients down to about 35 KB/s; raise it for slow uploads.
   * Env `FLEET_REQUEST_TIMEOUT_MS`. @default 30000 ms
   */
  requestTimeoutMs?: number;
  /**
   * How long an idle keep-alive connection stays open after a response (at least 1). Behind a load balancer
   * it must be LONGER than the balancer's idle timeout (AWS ALB 60 s, the default here fits;
   * Google Cloud load balancers 600 s: use 620000), so that the balancer, not Fleet, closes idle
   * connections; otherwise a request can race the close and get a 502.
   * Env `FLEET_KEEP_ALIVE_TIMEOUT_MS`. @default 72000 ms
   */
  keepAliveTimeoutMs?: number;
}

export interface ResolvedTimeouts {
  readonly headersTimeoutMs: number;
  readonly requestTimeoutMs: number;
  readonly keepAliveTimeoutMs: number;
  /** How often Node checks connections against headers/request timeouts (its default is 30 s). */
  readonly checkIntervalMs: number;
}

export const TIMEOUT_DEFAULTS = Object.freeze({ headersTimeoutMs: 10_000, requestTimeoutMs: 30_000, keepAliveTimeoutMs: 72_000 });

const ENV: Record<keyof ServerTimeoutOptions, string> = {
  headersTimeoutMs: 'FLEET_HEADERS_TIMEOUT_MS',
  requestTimeoutMs: 'FLEET_REQUEST_TIMEOUT_MS',
  keepAliveTimeoutMs: 'FLEET_KEEP_ALIVE_TIMEOUT_MS',
};

/**
 * Options, else env, else defaults; every problem is collected. Node only checks the headers and
 * request timeouts every `connectionsCheckingInterval` (30 s by default, which would let a
 * 10 s timeout run 40 s): Fleet checks at a quarter of the shorter timeout, at most every second.
 */
export function resolveTimeouts(options: ServerTimeoutOptions | undefined, env: Record<string, string | undefined>, problems: Problems): ResolvedTimeouts {
  const value = (field: keyof ServerTimeoutOptions): number => {
    const given = options?.[field];
    const raw = given ?? env[ENV[field]];
    if (raw === undefined || raw === '') return TIMEOUT_DEFAULTS[field];
    const n = typeof raw === 'number' ? raw : Number(raw);
    if (!Number.isInteger(n) || n < 0) {
      problems.add(`${given !== undefined ? `timeouts.${field}` : ENV[field]} must be a non-negative integer of milliseconds; got ${JSON.stringify(raw)}.`);
      return TIMEOUT_DEFAULTS[field];
    }
    return n;
  };
  const headersTimeoutMs = value('headersTimeoutMs');
  const requestTimeoutMs = value('requestTimeoutMs');
  const keepAliveTimeoutMs = value('keepAliveTimeoutMs');
  if (requestTimeoutMs > 0 && headersTimeoutMs > requestTimeoutMs) {
    problems.add(`timeouts.headersTimeoutMs (${headersTimeoutMs}) must not exceed requestTimeoutMs (${requestTimeoutMs}): the headers are part of the request. Fix: raise requestTimeoutMs or lower headersTimeoutMs.`);
  }
  if (keepAliveTimeoutMs === 0) problems.add('timeouts.keepAliveTimeoutMs must be at least 1 ms (0 would keep idle connections open forever). Fix: set it above your load balancer\'s idle timeout, e.g. 72000.');
  const shortest = Math.min(...[headersTimeoutMs, requestTimeoutMs].filter((t) => t > 0), 4000);
  return Object.freeze({ headersTimeoutMs, requestTimeoutMs, keepAliveTimeoutMs, checkIntervalMs: Math.max(50, Math.floor(shortest / 4)) });
}

/** The Fastify options that apply them to the Node server. */
export function timeoutServerOptions(t: ResolvedTimeouts): { keepAliveTimeout: number; requestTimeout: number; http: { headersTimeout: number; requestTimeout: number; connectionsCheckingInterval: number } } {
  return {
    // Fastify sets server.keepAliveTimeout and server.requestTimeout itself; headersTimeout and the
    // checking interval can only be given to http.createServer.
    keepAliveTimeout: t.keepAliveTimeoutMs,
    requestTimeout: t.requestTimeoutMs,
    http: { headersTimeout: t.headersTimeoutMs, requestTimeout: t.requestTimeoutMs, connectionsCheckingInterval: t.checkIntervalMs },
  };
}
