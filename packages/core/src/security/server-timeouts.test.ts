import { describe, expect, it } from 'vitest';
import { Problems } from './problems.js';
import { resolveTimeouts, timeoutServerOptions } from './server-timeouts.js';

function resolve(options: Parameters<typeof resolveTimeouts>[0], env: Record<string, string> = {}) {
  const problems = new Problems();
  const value = resolveTimeouts(options, env, problems);
  let error: string | undefined;
  try { problems.throwIfAny(); } catch (e) { error = (e as Error).message; }
  return { value, error };
}

describe('resolveTimeouts', () => {
  it('defaults to 10 s headers, 30 s request, 72 s keep-alive, checked every second', () => {
    expect(resolve(undefined).value).toEqual({ headersTimeoutMs: 10_000, requestTimeoutMs: 30_000, keepAliveTimeoutMs: 72_000, checkIntervalMs: 1000 });
  });

  it('reads the environment; options win', () => {
    const env = { FLEET_HEADERS_TIMEOUT_MS: '5000', FLEET_KEEP_ALIVE_TIMEOUT_MS: '620000' };
    expect(resolve(undefined, env).value).toMatchObject({ headersTimeoutMs: 5000, keepAliveTimeoutMs: 620_000 });
    expect(resolve({ headersTimeoutMs: 2000 }, env).value).toMatchObject({ headersTimeoutMs: 2000, keepAliveTimeoutMs: 620_000 });
  });

  it('checks connections at a quarter of the shortest timeout, so a short one is enforced on time', () => {
    expect(resolve({ headersTimeoutMs: 1000, requestTimeoutMs: 2000 }).value.checkIntervalMs).toBe(250);
    expect(resolve({ headersTimeoutMs: 0, requestTimeoutMs: 0 }).value.checkIntervalMs).toBe(1000);
  });

  it('refuses headers longer than the request, a zero keep-alive and non-integers', () => {
    expect(resolve({ headersTimeoutMs: 40_000 }).error).toContain('headersTimeoutMs (40000) must not exceed requestTimeoutMs (30000)');
    expect(resolve({ keepAliveTimeoutMs: 0 }).error).toContain('keepAliveTimeoutMs must be at least 1 ms');
    expect(resolve({ requestTimeoutMs: -1 }).error).toContain('timeouts.requestTimeoutMs must be a non-negative integer');
    expect(resolve(undefined, { FLEET_HEADERS_TIMEOUT_MS: '10s' }).error).toContain('FLEET_HEADERS_TIMEOUT_MS must be a non-negative integer of milliseconds; got "10s"');
  });

  it('becomes Fastify options for the Node server', () => {
    expect(timeoutServerOptions(resolve(undefined).value)).toEqual({
      keepAliveTimeout: 72_000, requestTimeout: 30_000, http: { headersTimeout: 10_000, requestTimeout: 30_000, connectionsCheckingInterval: 1000 },
    });
  });
});
