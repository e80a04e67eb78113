import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Cache } from '@fleet/core';
import { createTestFleet, type TestApp } from '@fleet/testing';
import { AppModule } from '../src/app.module.js';
import { AppConfig } from '../src/config.js';
import { sampleEnv } from '../src/env.js';

/**
 * GET /users/:id reads through the cache; PUT /users/:id evicts the user on every instance before
 * it answers. Three instances share one Redis namespace and one schema (with the replica).
 */
describe('sample users cache across three instances', () => {
  let apps: TestApp[];
  const stats = (i: number) => apps[i]!.get(Cache).stats('UsersService.find')!;

  beforeAll(async () => {
    apps = await createTestFleet(AppModule, 3, {
      config: AppConfig,
      env: sampleEnv({ DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/test', DATABASE_REPLICA_URLS: 'postgres://postgres@127.0.0.1:5433/test' }),
    });
  });
  afterAll(async () => { await Promise.all((apps ?? []).map((a) => a.close())); });

  it('serves GET from the cache, and a read through another instance right after a PUT returns the new value', async () => {
    const [a, b, c] = apps as [TestApp, TestApp, TestApp];
    await a.request().put('/users/21').send({ name: 'Barbara', email: 'barbara@example.com' }).expect(200);
    for (let round = 0; round < 5; round++) {
      // The other instances have the user cached before the write (plain reads, without a token).
      for (const app of [b, c]) {
        await app.request().get('/users/21').expect(200);
        await app.request().get('/users/21').expect(200);
      }
      const hits = stats(1).l1Hits + stats(1).l2Hits;

      const name = `Barbara Liskov ${round}`;
      const put = await a.request().put('/users/21').send({ name, email: 'barbara@example.com' }).expect(200);
      const cookie = String((put.headers['set-cookie'] as unknown as string[])[0]).split(';')[0]!;
      expect((await b.request().get('/users/21').set('cookie', cookie).expect(200)).body).toEqual({ id: 21, name, email: 'barbara@example.com' });
      expect((await c.request().get('/users/21').set('x-fleet-lsn', put.headers['x-fleet-lsn'] as string).expect(200)).body.name).toBe(name);
      expect(hits).toBeGreaterThan(0); // the cache was in use before the write
    }
  });

  it('an absent user is cached as absent, and a PUT that creates it is seen at once', async () => {
    const [a, b] = apps as [TestApp, TestApp];
    await b.request().get('/users/22').expect(404);
    await b.request().get('/users/22').expect(404);
    const put = await a.request().put('/users/22').send({ name: 'Frances', email: 'fran@example.com' }).expect(200);
    await b.request().get('/users/22').set('x-fleet-lsn', put.headers['x-fleet-lsn'] as string).expect(200, { id: 22, name: 'Frances', email: 'fran@example.com' });
  });
});
