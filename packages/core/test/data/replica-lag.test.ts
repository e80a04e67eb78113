/**
 * A replica that is behind, made so without pausing the shared replica: the app reaches the
 * replica through its fault proxy with a delay on every chunk, so each probe reports a replay
 * position that is already that old when it arrives. The router then knows the replica only up
 * to a position before a write made a moment ago (read-your-writes sends the read to the
 * primary), and with a steady stream of writes its measured lag exceeds a small limit (the
 * replica is skipped). Which server answered is asserted with inet_server_port().
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { Body, Controller, Database, DatabaseModule, Get, Injectable, Module, Param, Put, Repository, sql } from '@fleet/core';
import { createTestApp, type TestApp } from '@fleet/testing';
import { PRIMARY_PORT, REPLICA_PORT, admin, until, url } from './helpers.js';

const Found = z.object({ port: z.number(), name: z.string().nullable() });

@Injectable()
class ItemsRepository extends Repository {
  put(id: number, name: string) {
    return this.write.execute(sql`insert into items (id, name) values (${id}, ${name}) on conflict (id) do update set name = excluded.name`);
  }
  find(id: number) {
    return this.read.one(sql`select inet_server_port() as port, (select name from items where id = ${id}) as name`, Found);
  }
}

@Controller('/items')
class ItemsController {
  constructor(private readonly items: ItemsRepository) {}

  /** Writes, then reads back in the same request. */
  @Put('/:id')
  async put(@Param('id', z.coerce.number().int().positive()) id: number, @Body(z.object({ name: z.string() })) body: { name: string }) {
    await this.items.put(id, body.name);
    return this.items.find(id);
  }

  @Get('/:id')
  get(@Param('id', z.coerce.number().int().positive()) id: number) {
    return this.items.find(id);
  }
}

@Module({ imports: [DatabaseModule], providers: [ItemsRepository], controllers: [ItemsController] })
class AppModule {}

const baseEnv = { DATABASE_URL: url(PRIMARY_PORT), DATABASE_REPLICA_URLS: url(REPLICA_PORT), DATABASE_PROBE_INTERVAL_MS: '200', DATABASE_POOL_SIZE: '4' };

async function bootReadingFromReplica(env: Record<string, string>): Promise<TestApp> {
  const t = await createTestApp(AppModule, { env: { ...baseEnv, ...env }, faultProxies: true });
  await admin(PRIMARY_PORT, `create table ${t.isolation.schema}.items (id int primary key, name text not null)`);
  await until(async () => (await t.get(Database).read.one(sql`select inet_server_port() as port, to_regclass('items') is not null as ready`)).port === REPLICA_PORT);
  return t;
}

describe('read-your-writes while the replica is behind (delayed replica link)', () => {
  let t: TestApp;
  beforeAll(async () => { t = await bootReadingFromReplica({ FLEET_APP: 'lag-ryw' }); });
  afterAll(async () => {
    t?.faults.clear();
    await t?.close();
  });

  it('a read that must see a fresh write is served by the primary with the new row; the replica stays in rotation', async () => {
    const db = t.get(Database);
    // 600 ms each way: a probe round trip (1.2 s) stays inside the prober's 2 s timeout, so the replica stays "up"
    t.faults.delay('postgres-replica', 600);
    let token: string;
    try {
      const put = await t.request().put('/items/7').send({ name: 'fresh' }).expect(200);
      expect(put.body).toEqual({ port: PRIMARY_PORT, name: 'fresh' }); // inside the writing request
      token = put.headers['x-fleet-lsn'] as string;
      // a later request carrying the token: the router's known replay position is older than it
      expect((await t.request().get('/items/7').set('x-fleet-lsn', token).expect(200)).body).toEqual({ port: PRIMARY_PORT, name: 'fresh' });
      expect((await t.request().get('/items/7').set('cookie', `fleet_lsn=${token}`).expect(200)).body).toEqual({ port: PRIMARY_PORT, name: 'fresh' });
      // skipped for this position only: it is up, within the lag limit, and serves reads that need nothing
      expect(db.health()).toMatchObject({ status: 'up', replicas: [{ state: 'up' }] });
      expect((await t.request().get('/items/7').expect(200)).body.port).toBe(REPLICA_PORT);
    } finally {
      t.faults.restore('postgres-replica');
    }
    // once a probe has seen the replica replay the write, the token's reads go to the replica, which has the row
    await until(async () => (await t.request().get('/items/7').set('x-fleet-lsn', token)).body.port === REPLICA_PORT);
    expect((await t.request().get('/items/7').set('x-fleet-lsn', token).expect(200)).body).toEqual({ port: REPLICA_PORT, name: 'fresh' });
  });
});

describe('a replica lagging beyond DATABASE_REPLICA_MAX_LAG_MS (delayed replica link, steady writes)', () => {
  let t: TestApp;
  beforeAll(async () => { t = await bootReadingFromReplica({ FLEET_APP: 'lag-max', DATABASE_REPLICA_MAX_LAG_MS: '300' }); });
  afterAll(async () => {
    t?.faults.clear();
    await t?.close();
  });

  it('is skipped (reads go to the primary, readiness degraded but ready) until it catches up', async () => {
    const db = t.get(Database);
    await t.request().put('/items/1').send({ name: 'one' }).expect(200);
    let writing = true;
    // writes keep the primary's WAL moving, so a replay position 700 ms old is 700 ms of lag
    const writer = (async () => {
      for (let n = 0; writing; n++) await db.write.execute(sql`update items set name = ${`one ${n}`} where id = 1`);
    })();
    t.faults.delay('postgres-replica', 700);
    try {
      await until(() => db.health().replicas[0]!.state === 'lagging', 15_000);
      expect(db.health()).toMatchObject({ status: 'degraded', ready: true, replicas: [{ name: 'replica-1', state: 'lagging' }] });
      expect(db.health().replicas[0]!.lagMs).toBeGreaterThan(300);
      // no token, nothing written in these requests: still the primary, since the replica is skipped
      expect((await t.request().get('/items/1').expect(200)).body.port).toBe(PRIMARY_PORT);
      expect((await db.replica().one(sql`select inet_server_port() as port`)).port).toBe(PRIMARY_PORT);
      const ready = await t.request().get('/health/ready').expect(200);
      expect(ready.body.checks.postgres).toMatchObject({ status: 'degraded', detail: { replicas: [{ state: 'lagging' }] } });
    } finally {
      writing = false;
      await writer;
      t.faults.restore('postgres-replica');
    }
    await until(() => db.health().status === 'up', 15_000);
    await until(async () => (await t.request().get('/items/1')).body.port === REPLICA_PORT);
  });
});
