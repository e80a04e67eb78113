/**
 * Routing, read-your-writes and failover against the real primary and a real streaming replica:
 * the exclusive fault replica (127.0.0.1:5434, `acquireFaultReplica`), so pausing and stopping it
 * never disturbs the test files that read from the shared replica on 5433. Every test restores it
 * in `finally`, and `release()` heals it whatever happened. Tests in this file run one after the other.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  Body, Controller, Database, DatabaseModule, Get, Injectable, Module, NotFoundError, Param, Put, Repository, sql, type FleetError,
} from '@fleet/core';
import { acquireFaultReplica, createTestApp, type FaultReplica, type TestApp } from '@fleet/testing';
import {
  CuttableProxy, PRIMARY_PORT, admin, createSchema, dbEnv, until, url,
} from './helpers.js';

const Item = z.object({ id: z.number(), name: z.string() });

@Injectable()
class ItemsRepository extends Repository {
  put(id: number, name: string) {
    return this.write.one(sql`insert into items (id, name) values (${id}, ${name}) on conflict (id) do update set name = excluded.name returning id, name`, Item);
  }
  /** The item (if the answering server has it) and which server answered. */
  find(id: number) {
    return this.read.one(sql`select inet_server_port() as port, (select row_to_json(i) from items i where i.id = ${id}) as item`,
      z.object({ port: z.number(), item: Item.nullable() }));
  }
}

@Controller('/items')
class ItemsController {
  constructor(private readonly items: ItemsRepository) {}

  /** Writes, then reads back in the same request (read-your-writes inside one request). */
  @Put('/:id')
  async put(@Param('id', z.coerce.number().int().positive()) id: number, @Body(z.object({ name: z.string() })) body: { name: string }) {
    await this.items.put(id, body.name);
    return this.items.find(id);
  }

  @Get('/:id')
  async get(@Param('id', z.coerce.number().int().positive()) id: number) {
    const found = await this.items.find(id);
    if (!found.item) throw new NotFoundError(`item ${id} not found (answered by ${found.port})`);
    return found;
  }
}

@Module({ imports: [DatabaseModule], providers: [ItemsRepository], controllers: [ItemsController] })
class AppModule {}

/** The fault replica's port: this file's only replica. */
const REPLICA_PORT = 5434;
const port = (db: Database) => db.read.one(sql`select inet_server_port() as port`).then((r) => r.port as number);

describe('routing, read-your-writes and failover (real replica)', () => {
  let schema: { schema: string; drop: () => Promise<void> };
  let env: Record<string, string>;
  let a: TestApp;
  let b: TestApp;
  let db: Database;
  let nextId = 1;
  let replica: FaultReplica;
  const pauseReplay = () => replica.pauseReplay();
  const resumeReplay = () => replica.resumeReplay();

  beforeAll(async () => {
    replica = await acquireFaultReplica();
    expect(replica.port).toBe(REPLICA_PORT);
    schema = await createSchema();
    await admin(PRIMARY_PORT, `create table ${schema.schema}.items (id int primary key, name text not null); create sequence ${schema.schema}.items_seq`);
    env = dbEnv(schema.schema, { DATABASE_REPLICA_URLS: url(REPLICA_PORT, schema.schema) });
    a = await createTestApp(AppModule, { env });
    b = await createTestApp(AppModule, { env }); // a second instance of the same app
    db = a.get(Database);
    // the replica has replayed the schema and is in rotation
    await until(async () => (await port(db)) === REPLICA_PORT);
  });
  afterAll(async () => {
    await replica?.release();
    await a?.close();
    await b?.close();
    await schema?.drop();
  });

  it('reads go to the replica, writes and transactions to the primary (asserted by inet_server_port)', async () => {
    expect(await Promise.all([1, 2, 3, 4].map(() => port(db)))).toEqual([REPLICA_PORT, REPLICA_PORT, REPLICA_PORT, REPLICA_PORT]);
    expect((await db.write.one(sql`select inet_server_port() as port`)).port).toBe(PRIMARY_PORT);
    // through `read`, a statement that is not a plain SELECT still goes to the primary
    expect((await db.read.one(sql`select inet_server_port() as port for update`)).port).toBe(PRIMARY_PORT);
    expect((await db.read.one(sql`with n as (select nextval('items_seq')) select inet_server_port() as port`)).port).toBe(PRIMARY_PORT);
    expect(await db.transaction((tx) => tx.one(sql`select inet_server_port() as port`))).toEqual({ port: PRIMARY_PORT });
    expect((await db.primary().one(sql`select inet_server_port() as port`)).port).toBe(PRIMARY_PORT);
    expect((await db.replica().one(sql`select inet_server_port() as port`)).port).toBe(REPLICA_PORT);
    expect(db.health()).toMatchObject({ status: 'up', ready: true, replicas: [{ name: 'replica-1', state: 'up' }] });
  });

  it('replay paused: a read after a write is served by the primary with the new row; resumed: reads return to the replica', async () => {
    const id = nextId++;
    try {
      await pauseReplay();
      await db.withConsistency(undefined, async () => {
        await db.write.execute(sql`insert into items (id, name) values (${id}, ${'fresh'})`);
        expect(await db.read.one(sql`select inet_server_port() as port, (select name from items where id = ${id}) as name`)).toEqual({ port: PRIMARY_PORT, name: 'fresh' });
        // the override skips read-your-writes: the paused replica does not have the row
        expect(await db.replica().one(sql`select inet_server_port() as port, (select name from items where id = ${id}) as name`)).toEqual({ port: REPLICA_PORT, name: null });
      });
      // outside any request or scope, the instance remembers its last write the same way
      await db.write.execute(sql`update items set name = ${'fresher'} where id = ${id}`);
      expect(await db.read.one(sql`select inet_server_port() as port, (select name from items where id = ${id}) as name`)).toEqual({ port: PRIMARY_PORT, name: 'fresher' });
    } finally {
      await resumeReplay();
    }
    await until(async () => (await db.read.one(sql`select inet_server_port() as port, (select name from items where id = ${id}) as name`)).port === REPLICA_PORT);
    expect(await db.read.one(sql`select (select name from items where id = ${id}) as name`)).toEqual({ name: 'fresher' });
  });

  it('over HTTP: the writing request reads its write, and the token it returns makes another instance read it too', async () => {
    const id = nextId++;
    try {
      await pauseReplay();
      const put = await a.request().put(`/items/${id}`).send({ name: 'mine' }).expect(200);
      expect(put.body).toEqual({ port: PRIMARY_PORT, item: { id, name: 'mine' } });
      const token = put.headers['x-fleet-lsn'] as string;
      expect(token).toMatch(/^[0-9A-F]+\/[0-9A-F]+$/);
      expect(put.headers['set-cookie']).toEqual([expect.stringMatching(new RegExp(`^fleet_lsn=${token.replace('/', '\\/')}; Path=/; Max-Age=60; HttpOnly; SameSite=Lax$`))]);

      // Another client (no token), through the other instance: the paused replica answers, without the row.
      const stale = await b.request().get(`/items/${id}`).expect(404);
      expect(stale.body.message).toContain(`answered by ${REPLICA_PORT}`);
      // The writer, through the other instance, with the token (header or cookie): the primary answers, with the row.
      expect((await b.request().get(`/items/${id}`).set('x-fleet-lsn', token).expect(200)).body).toEqual({ port: PRIMARY_PORT, item: { id, name: 'mine' } });
      expect((await b.request().get(`/items/${id}`).set('cookie', `theme=dark; fleet_lsn=${token}`).expect(200)).body.port).toBe(PRIMARY_PORT);
      // A job on the other instance, handed the token, reads the write too (and without it, does not).
      const other = b.get(Database);
      const job = () => other.read.one(sql`select inet_server_port() as port, (select name from items where id = ${id}) as name`);
      expect(await other.withConsistency(token, job)).toEqual({ port: PRIMARY_PORT, name: 'mine' });
      expect(await other.withConsistency(undefined, job)).toEqual({ port: REPLICA_PORT, name: null });
      // A garbage token is ignored, never an error.
      expect((await b.request().get(`/items/${id}`).set('x-fleet-lsn', "0/0'; drop table items; --").expect(404)).body.code).toBe('FLEET_ERR_HTTP_NOT_FOUND');
      // Reads without a write carry no token.
      expect((await b.request().get(`/items/${id}`).set('x-fleet-lsn', token)).headers['x-fleet-lsn']).toBeUndefined();
    } finally {
      await resumeReplay();
    }
    const token = (await a.request().put(`/items/${id}`).send({ name: 'mine again' }).expect(200)).headers['x-fleet-lsn'] as string;
    await until(async () => (await b.request().get(`/items/${id}`).set('x-fleet-lsn', token)).body.port === REPLICA_PORT);
    expect((await b.request().get(`/items/${id}`).set('x-fleet-lsn', token).expect(200)).body.item).toEqual({ id, name: 'mine again' });
  });

  it('replica stopped: reads keep succeeding through the primary, readiness degraded; started again: it is used again', async () => {
    const id = nextId++;
    await db.write.execute(sql`insert into items (id, name) values (${id}, ${'survives'})`);
    try {
      await replica.stop();
      await expect(admin(REPLICA_PORT, 'select 1')).rejects.toThrow();
      for (let i = 0; i < 20; i++) {
        const r = await db.read.one(sql`select inet_server_port() as port, (select name from items where id = ${id}) as name`);
        expect(r).toEqual({ port: PRIMARY_PORT, name: 'survives' });
      }
      expect((await b.request().get(`/items/${id}`).expect(200)).body).toEqual({ port: PRIMARY_PORT, item: { id, name: 'survives' } });
      expect(db.health()).toMatchObject({ status: 'degraded', ready: true, replicas: [{ name: 'replica-1', state: 'down' }] });
      const ready = await a.request().get('/health/ready').expect(200); // degraded is still ready
      expect(ready.body.checks.postgres).toMatchObject({ status: 'degraded', detail: { primary: { state: 'up' }, replicas: [{ state: 'down' }] } });
    } finally {
      await replica.start();
    }
    await until(async () => (await port(db)) === REPLICA_PORT, 30_000);
    await until(async () => (await b.request().get(`/items/${id}`)).body.port === REPLICA_PORT, 30_000);
    expect(db.health().status).toBe('up');
    expect((await a.request().get('/health/ready').expect(200)).body.checks.postgres.status).toBe('up');
  });

  it('primary down: writes fail fast with a 503 and a stable code, readiness fails, reads still work; back: writes work', async () => {
    const proxy = await CuttableProxy.start(PRIMARY_PORT);
    const viaProxy = await createTestApp(AppModule, { env: { ...env, DATABASE_URL: env.DATABASE_URL!.replace(`:${PRIMARY_PORT}/`, `:${proxy.port}/`) } });
    try {
      await viaProxy.request().put(`/items/${nextId}`).send({ name: 'before' }).expect(200);
      proxy.cut();
      const res = await viaProxy.request().put(`/items/${nextId}`).send({ name: 'during' }).expect(503);
      expect(res.body).toMatchObject({ statusCode: 503, code: 'FLEET_ERR_DB_PRIMARY_UNAVAILABLE' });
      const viaDb = viaProxy.get(Database);
      await until(() => !viaDb.health().ready);
      expect(viaDb.health()).toMatchObject({ status: 'down', ready: false, primary: { state: 'down' } });
      const ready = await viaProxy.request().get('/health/ready').expect(503);
      expect(ready.body.checks.postgres).toMatchObject({ status: 'down', detail: { primary: { state: 'down' } } });
      // fail fast: the next write does not try the network
      const fast = await viaDb.write.execute(sql`update items set name = ${'x'} where id = ${nextId}`).then(() => undefined, (e: FleetError) => e);
      expect(fast?.code).toBe('FLEET_ERR_DB_PRIMARY_UNAVAILABLE');
      expect(fast?.message).toContain('fail fast');
      // reads without a token are served by the replica
      expect((await viaProxy.request().get(`/items/${nextId}`).expect(200)).body).toEqual({ port: REPLICA_PORT, item: { id: nextId, name: 'before' } });
      proxy.restore();
      await until(() => viaDb.health().ready);
      await viaProxy.request().put(`/items/${nextId}`).send({ name: 'after' }).expect(200);
    } finally {
      proxy.restore();
      await viaProxy.close();
      await proxy.close();
      nextId++;
    }
  });
});
