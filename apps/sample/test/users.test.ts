import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { createTestApp, type TestApp } from '@fleet/testing';
import { AppModule } from '../src/app.module.js';
import { AppConfig } from '../src/config.js';
import { sampleEnv } from '../src/env.js';

/** Runs one statement on the primary, outside the app (to create and drop the test schema). */
async function admin(text: string): Promise<void> {
  const client = new pg.Client({ connectionString: 'postgres://postgres@127.0.0.1:5432/test', application_name: 'fleet-test-admin' });
  await client.connect();
  try { await client.query(text); } finally { await client.end(); }
}

describe('sample users: PUT on the primary, GET from a replica, read-your-writes across two instances', () => {
  const schema = `t_${randomBytes(5).toString('hex')}`;
  const search = `?options=${encodeURIComponent(`-c search_path=${schema}`)}`;
  const env = sampleEnv({
    DATABASE_URL: `postgres://postgres@127.0.0.1:5432/test${search}`,
    DATABASE_REPLICA_URLS: `postgres://postgres@127.0.0.1:5433/test${search}`,
    REDIS_KEY_PREFIX: `test:${randomUUID()}:`,
    FLEET_APP: `sample${randomBytes(3).toString('hex')}`,
  });
  let a: TestApp;
  let b: TestApp;

  beforeAll(async () => {
    await admin(`create schema ${schema}`);
    // Both instances boot together: the users migration is applied once, under the advisory lock.
    [a, b] = await Promise.all([createTestApp(AppModule, { config: AppConfig, env }), createTestApp(AppModule, { config: AppConfig, env })]);
  });
  afterAll(async () => {
    await Promise.all([a?.close(), b?.close()]);
    await admin(`drop schema if exists ${schema} cascade`);
  });

  it('PUT creates the user on the primary and returns it with a read-your-writes token', async () => {
    const res = await a.request().put('/users/7').send({ name: 'Ada Lovelace', email: 'ada@example.com' }).expect(200);
    expect(res.body).toEqual({ id: 7, name: 'Ada Lovelace', email: 'ada@example.com' });
    expect(res.headers['x-fleet-lsn']).toMatch(/^[0-9A-F]+\/[0-9A-F]+$/);
    expect(String(res.headers['set-cookie'])).toContain(`fleet_lsn=${res.headers['x-fleet-lsn']}`);
  });

  it('GET through the other instance sees the write right away when the client carries the token (header or cookie)', async () => {
    for (let round = 0; round < 5; round++) {
      const name = `Grace ${round}`;
      const put = await a.request().put('/users/8').send({ name, email: 'grace@example.com' }).expect(200);
      const token = put.headers['x-fleet-lsn'] as string;
      expect((await b.request().get('/users/8').set('x-fleet-lsn', token).expect(200)).body).toEqual({ id: 8, name, email: 'grace@example.com' });
      const cookie = String((put.headers['set-cookie'] as unknown as string[])[0]).split(';')[0]!;
      expect((await b.request().get('/users/8').set('cookie', cookie).expect(200)).body.name).toBe(name);
    }
  });

  it('PUT replaces an existing user', async () => {
    await a.request().put('/users/9').send({ name: 'Old', email: 'old@example.com' }).expect(200);
    const put = await b.request().put('/users/9').send({ name: 'New', email: 'new@example.com' }).expect(200);
    expect(put.body).toEqual({ id: 9, name: 'New', email: 'new@example.com' });
    const got = await a.request().get('/users/9').set('x-fleet-lsn', put.headers['x-fleet-lsn'] as string).expect(200);
    expect(got.body).toEqual({ id: 9, name: 'New', email: 'new@example.com' });
  });

  it('stores hostile input as plain text', async () => {
    const name = "Robert'); DROP TABLE users; --";
    const put = await a.request().put('/users/10').send({ name, email: 'bobby@example.com' }).expect(200);
    expect((await b.request().get('/users/10').set('x-fleet-lsn', put.headers['x-fleet-lsn'] as string).expect(200)).body.name).toBe(name);
    await b.request().get('/users/7').expect(200);
  });

  it('answers 404 for an absent user and 400 for an invalid id or body', async () => {
    expect((await a.request().get('/users/424242').expect(404)).body).toEqual({ statusCode: 404, code: 'FLEET_ERR_HTTP_NOT_FOUND', message: 'user 424242 not found' });
    expect((await a.request().get('/users/0').expect(400)).body.details[0]).toMatchObject({ path: 'params.id' });
    expect((await a.request().get('/users/abc').expect(400)).body.code).toBe('FLEET_ERR_HTTP_VALIDATION');
    const bad = await a.request().put('/users/11').send({ name: '', email: 'not-an-email' }).expect(400);
    expect([...new Set(bad.body.details.map((d: { path: string }) => d.path))].sort()).toEqual(['body.email', 'body.name']);
    await a.request().put('/users/-1').send({ name: 'x', email: 'x@example.com' }).expect(400);
  });
});
