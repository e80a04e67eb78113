import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '@fleet/testing';
import { AppModule } from '../src/app.module.js';
import { AppConfig } from '../src/config.js';
import { sampleEnv } from '../src/env.js';

describe('sample login, me, logout across two instances', () => {
  let a: TestApp;
  let b: TestApp;
  const env = sampleEnv({ REDIS_KEY_PREFIX: `test:${randomUUID()}:`, FLEET_APP: 'sample' });
  beforeAll(async () => {
    [a, b] = await Promise.all([createTestApp(AppModule, { config: AppConfig, env }), createTestApp(AppModule, { config: AppConfig, env })]);
  });
  afterAll(async () => { await Promise.all([a.close(), b.close()]); });

  it('logs in on A, is known on B, logs out on B, and is unknown on A', async () => {
    await a.request().get('/me').expect(401);
    const login = await a.request().post('/login').send({ userId: 'ada' }).expect(200);
    expect(login.body).toEqual({ userId: 'ada' });
    const cookie = String((login.headers['set-cookie'] as unknown as string[])[0]).split(';')[0]!;
    expect((await b.request().get('/me').set('cookie', cookie).expect(200)).body).toEqual({ userId: 'ada' });
    await b.request().post('/logout').set('cookie', cookie).expect(204);
    const after = await a.request().get('/me').set('cookie', cookie).expect(401);
    expect(after.body).toEqual({ statusCode: 401, code: 'FLEET_ERR_HTTP_UNAUTHORIZED', message: 'not logged in' });
  });

  it('rejects a login without a userId with the validation details', async () => {
    const res = await a.request().post('/login').send({}).expect(400);
    expect(res.body.details).toEqual([{ path: 'body.userId', message: 'is required', rule: 'required' }]);
  });

  it('fills a development session secret only outside production', () => {
    expect(sampleEnv({}).SESSION_SECRET).toMatch(/development-only/);
    expect(sampleEnv({ NODE_ENV: 'production' }).SESSION_SECRET).toBeUndefined();
    expect(sampleEnv({ SESSION_SECRET: 'x'.repeat(32) }).SESSION_SECRET).toBe('x'.repeat(32));
    expect(sampleEnv({})).toMatchObject({ DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/test', DATABASE_REPLICA_URLS: 'postgres://postgres@127.0.0.1:5433/test' });
    expect(sampleEnv({ DATABASE_URL: 'postgres://db.internal/app' }).DATABASE_URL).toBe('postgres://db.internal/app');
    expect(sampleEnv({ NODE_ENV: 'production' }).DATABASE_URL).toBeUndefined();
  });
});
