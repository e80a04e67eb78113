import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '@fleet/testing';
import { AppModule } from '../src/app.module.js';
import { AppConfig } from '../src/config.js';
import { sampleEnv } from '../src/env.js';

describe('GET /api/users: paginated, 100 calls per minute per client address', () => {
  let t: TestApp;
  beforeAll(async () => { t = await createTestApp(AppModule, { config: AppConfig, env: sampleEnv({ FLEET_ROLE: 'web' }) }); });
  afterAll(async () => { await t?.close(); });

  it('pages through users in id order, then answers 429 with Retry-After on the 101st call', async () => {
    let token = '';
    for (const id of [3, 1, 2]) token = (await t.request().put(`/users/${id}`).send({ name: `U${id}`, email: `u${id}@example.com` }).expect(200)).headers['x-fleet-lsn'] as string;
    const first = await t.request().get('/api/users?limit=2').set('x-fleet-lsn', token).expect(200);
    expect(first.body).toEqual({ users: [{ id: 1, name: 'U1', email: 'u1@example.com' }, { id: 2, name: 'U2', email: 'u2@example.com' }], next: 2 });
    const second = await t.request().get('/api/users?limit=2&after=2').set('x-fleet-lsn', token).expect(200);
    expect(second.body).toEqual({ users: [{ id: 3, name: 'U3', email: 'u3@example.com' }], next: null });
    expect((await t.request().get('/api/users?limit=500').expect(400)).body.code).toBe('FLEET_ERR_HTTP_VALIDATION');
    // 2 calls counted so far (a request that fails validation never reaches the limit): 98 more pass.
    for (let i = 0; i < 98; i++) await t.request().get('/api/users?limit=1').expect(200);
    const limited = await t.request().get('/api/users').expect(429);
    expect(limited.body.code).toBe('FLEET_ERR_RESILIENCE_RATE_LIMITED');
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
  });
});
