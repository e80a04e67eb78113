import { randomUUID } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  Body, Controller, Get, Module, Post, RedisConnection, RedisModule, Req, Res, Sessions, SessionsModule, UnauthorizedError, createApp,
  type FleetError,
} from '@fleet/core';
import { createTestApp, type TestApp } from '@fleet/testing';

@Controller()
class AuthController {
  constructor(private readonly sessions: Sessions) {}

  @Post('/login')
  async login(@Body(z.object({ userId: z.string().min(1) })) body: { userId: string }, @Req() req: FastifyRequest, @Res() reply: FastifyReply) {
    await this.sessions.start(req, reply, { userId: body.userId });
    return { userId: body.userId };
  }

  @Get('/me')
  async me(@Req() req: FastifyRequest) {
    const s = await this.sessions.get<{ userId: string }>(req);
    if (!s) throw new UnauthorizedError('not logged in');
    return { userId: s.data.userId };
  }

  @Post('/logout')
  async logout(@Req() req: FastifyRequest, @Res() reply: FastifyReply) {
    return { ended: await this.sessions.destroy(req, reply) };
  }
}

@Module({ imports: [RedisModule, SessionsModule], controllers: [AuthController] })
class AppModule {}

const env = { REDIS_KEY_PREFIX: `test:${randomUUID()}:`, FLEET_APP: 'auth', SESSION_SECRET: 's'.repeat(40), SESSION_TTL_SECONDS: '600' };
const cookieOf = (res: { headers: Record<string, unknown> }) => String((res.headers['set-cookie'] as string[])[0]).split(';')[0]!;

describe('Sessions across instances (real Redis)', () => {
  let a: TestApp;
  let b: TestApp;
  beforeAll(async () => {
    [a, b] = await Promise.all([createTestApp(AppModule, { env }), createTestApp(AppModule, { env })]);
  });
  afterAll(async () => { await Promise.all([a.close(), b.close()]); });

  it('a session created through instance A is read through instance B', async () => {
    expect(a.url).not.toBe(b.url);
    const login = await a.request().post('/login').send({ userId: 'u-1' }).expect(200);
    const cookie = cookieOf(login);
    expect((await b.request().get('/me').set('cookie', cookie).expect(200)).body).toEqual({ userId: 'u-1' });
  });

  it('sets a signed, HttpOnly, SameSite=Lax cookie that is not Secure outside production', async () => {
    const login = await a.request().post('/login').send({ userId: 'u-2' }).expect(200);
    const header = (login.headers['set-cookie'] as unknown as string[])[0]!;
    expect(header).toMatch(/^fleet\.sid=[\w-]{43}\.[\w-]{43}; Path=\/; Max-Age=600; HttpOnly; SameSite=Lax$/);
  });

  it('issues a new id at login (no fixation) and rejects tampered cookies', async () => {
    const first = cookieOf(await a.request().post('/login').send({ userId: 'u-3' }).expect(200));
    const second = cookieOf(await b.request().post('/login').set('cookie', first).send({ userId: 'u-3' }).expect(200));
    expect(second).not.toBe(first);
    await a.request().get('/me').set('cookie', first).expect(401);
    await a.request().get('/me').set('cookie', second).expect(200);
    const [name, value] = second.split('=') as [string, string];
    const forged = `${name}=${value.slice(0, 10)}${value[10] === 'A' ? 'B' : 'A'}${value.slice(11)}`;
    await a.request().get('/me').set('cookie', forged).expect(401);
  });

  it('destroys the session on logout for every instance and clears the cookie', async () => {
    const cookie = cookieOf(await a.request().post('/login').send({ userId: 'u-4' }).expect(200));
    const out = await b.request().post('/logout').set('cookie', cookie).expect(200);
    expect(out.body).toEqual({ ended: true });
    expect((out.headers['set-cookie'] as unknown as string[])[0]).toContain('Max-Age=0');
    await a.request().get('/me').set('cookie', cookie).expect(401);
  });

  it('slides the idle TTL on every read', async () => {
    const login = await a.request().post('/login').send({ userId: 'u-5' }).expect(200);
    const sessions = a.get(Sessions);
    const redis = a.get(RedisConnection);
    const id = cookieOf(login).split('=')[1]!.split('.')[0]!;
    await redis.client.expire(redis.key('sess', id), 5);
    await b.request().get('/me').set('cookie', cookieOf(login)).expect(200);
    expect(await redis.client.ttl(redis.key('sess', id))).toBeGreaterThan(500);
    expect(sessions).toBeInstanceOf(Sessions);
  });
});

describe('Sessions in production and misconfigured', () => {
  it('marks the cookie Secure in production', async () => {
    const t = await createTestApp(AppModule, { env, production: true });
    try {
      const login = await t.request().post('/login').send({ userId: 'u-6' }).expect(200);
      expect((login.headers['set-cookie'] as unknown as string[])[0]).toMatch(/; Secure$/);
    } finally {
      await t.close();
    }
  });

  it('refuses to boot without a strong SESSION_SECRET, without printing it', async () => {
    const err = await createApp(AppModule, { logger: false, env: { ...env, SESSION_SECRET: 'short-secret' } }).then(() => undefined, (e: FleetError) => e);
    expect(err?.code).toBe('FLEET_ERR_CONFIG_INVALID');
    expect(err?.message).toContain('SESSION_SECRET (SessionsConfig): each secret needs at least 32 characters; got <secret, not shown>');
    expect(err?.message).not.toContain('short-secret');
  });
});

describe('Sessions while Redis is unreachable', () => {
  it('answer 503 FLEET_ERR_REDIS_UNAVAILABLE (not a 500 with the driver message), and work again once Redis is back', async () => {
    const t = await createTestApp(AppModule, { env: { ...env, REDIS_KEY_PREFIX: `test:${randomUUID()}:`, REDIS_COMMAND_TIMEOUT_MS: '500' }, faultProxies: true });
    try {
      const cookie = cookieOf(await t.request().post('/login').send({ userId: 'u-9' }).expect(200));
      t.faults.cut('redis');
      try {
        for (const res of [await t.request().get('/me').set('cookie', cookie), await t.request().post('/login').send({ userId: 'u-10' })]) {
          expect(res.status).toBe(503);
          expect(res.body.code).toBe('FLEET_ERR_REDIS_UNAVAILABLE');
          expect(res.body.message).toMatch(/^Sessions are unavailable/);
        }
      } finally {
        t.faults.restore('redis');
      }
      await expect.poll(async () => (await t.request().get('/me').set('cookie', cookie)).status, { timeout: 15_000, interval: 200 }).toBe(200);
    } finally {
      await t.close();
    }
  });
});
