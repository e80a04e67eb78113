import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { FastifyRequest } from 'fastify';
import { Controller, Get, Module, RateLimit, RedisModule, Req, createApp, type AppOptions, type FleetError } from '@fleet/core';
import { createTestApp, type TestApp } from '@fleet/testing';

@Controller()
class QuotesController {
  @Get('/quote')
  @RateLimit('3/minute')
  async quote(@Req() request: FastifyRequest) { return { ip: request.ip }; }
}

@Module({ imports: [RedisModule], controllers: [QuotesController] })
class AppModule {}

/** An app with its own Redis key space (so counts never mix with other tests) and its log lines. */
async function boot(options: AppOptions): Promise<{ t: TestApp; logs: Array<Record<string, any>> }> {
  const logs: Array<Record<string, any>> = [];
  const stream = new Writable({ write(chunk, _e, cb) { for (const l of String(chunk).split('\n')) if (l) logs.push(JSON.parse(l)); cb(); } });
  const t = await createTestApp(AppModule, { logger: { level: 'info', stream }, ...options, env: { REDIS_KEY_PREFIX: `test:${randomUUID()}:`, ...options.env } });
  return { t, logs };
}

async function statuses(t: TestApp, forwardedFor: string[]): Promise<number[]> {
  const out: number[] = [];
  for (const xff of forwardedFor) out.push((await t.request().get('/quote').set('x-forwarded-for', xff)).status);
  return out;
}

describe('trusted proxies and the rate-limit key', () => {
  it('with trustProxy off, a spoofed X-Forwarded-For does not change the key (nor the logged address)', async () => {
    const { t, logs } = await boot({});
    try {
      expect(await statuses(t, ['1.1.1.1', '2.2.2.2', '3.3.3.3', '4.4.4.4'])).toEqual([200, 200, 200, 429]);
      const res = await t.request().get('/quote').set('x-forwarded-for', '5.5.5.5').expect(429);
      expect(res.body.code).toBe('FLEET_ERR_RESILIENCE_RATE_LIMITED');
      const addresses = logs.filter((l) => l.msg === 'incoming request').map((l) => l.req.remoteAddress);
      expect(new Set(addresses)).toEqual(new Set(['127.0.0.1']));
    } finally {
      await t.close();
    }
  });

  it('with trustProxy 127.0.0.1, the forwarded client address is the key, and the logged address', async () => {
    const { t, logs } = await boot({ trustProxy: ['127.0.0.1'] });
    try {
      expect(await statuses(t, ['1.1.1.1', '2.2.2.2', '3.3.3.3', '4.4.4.4'])).toEqual([200, 200, 200, 200]);
      expect(await statuses(t, ['9.9.9.9', '9.9.9.9', '9.9.9.9', '9.9.9.9'])).toEqual([200, 200, 200, 429]);
      // A client cannot push an address in front of the proxy's: the nearest untrusted hop counts.
      expect((await t.request().get('/quote').set('x-forwarded-for', '9.9.9.9, 8.8.8.8').expect(200)).body).toEqual({ ip: '8.8.8.8' });
      expect(logs.filter((l) => l.msg === 'incoming request').map((l) => l.req.remoteAddress)).toContain('8.8.8.8');
    } finally {
      await t.close();
    }
  });

  it('takes a hop count, also from FLEET_TRUST_PROXY', async () => {
    const { t } = await boot({ env: { FLEET_TRUST_PROXY: '1' } });
    try {
      expect((await t.request().get('/quote').set('x-forwarded-for', '6.6.6.6, 7.7.7.7').expect(200)).body).toEqual({ ip: '7.7.7.7' });
      expect((await t.request().get('/quote').expect(200)).body).toEqual({ ip: '127.0.0.1' });
    } finally {
      await t.close();
    }
  });

  it('refuses `true` and malformed addresses at boot', async () => {
    const bootError = (options: AppOptions) => createApp(AppModule, { logger: false, ...options })
      .then(async (a) => { await a.close(); throw new Error('booted'); }, (e: FleetError) => e);
    const all = await bootError({ trustProxy: true });
    expect(all.code).toBe('FLEET_ERR_SECURITY_INVALID_OPTIONS');
    expect(all.message).toContain('trustProxy: true would trust X-Forwarded-For from any peer');
    const env = await bootError({ env: { FLEET_TRUST_PROXY: 'true' } });
    expect(env.message).toContain('FLEET_TRUST_PROXY: true would trust');
    const bad = await bootError({ trustProxy: ['10.0.0.0/8', '10.0.0.300', '192.168.0.0/33', 'proxy.internal'] });
    expect(bad.message).toContain('"10.0.0.300", "192.168.0.0/33", "proxy.internal" are not an IP address, a CIDR');
  });
});
