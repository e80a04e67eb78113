/**
 * A hung replica: the TCP connections to it stay open but nothing comes back (a partition, a
 * frozen host), through the replica's fault proxy (`faults.stall`). The shared replica itself is
 * never paused or stopped. Reads must fall back to the primary within the configured timeouts,
 * the replica must show as down in health, and it must be used again once the stall ends.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { Controller, Database, DatabaseModule, Get, Injectable, Module, Param, Repository, sql } from '@fleet/core';
import { createTestApp, type TestApp } from '@fleet/testing';
import { PRIMARY_PORT, REPLICA_PORT, admin, until, url } from './helpers.js';

const Found = z.object({ port: z.number(), name: z.string().nullable() });

@Injectable()
class ItemsRepository extends Repository {
  /** The item's name as the answering server has it, and which server answered. */
  find(id: number) {
    return this.read.one(sql`select inet_server_port() as port, (select name from items where id = ${id}) as name`, Found);
  }
}

@Controller('/items')
class ItemsController {
  constructor(private readonly items: ItemsRepository) {}

  @Get('/:id')
  get(@Param('id', z.coerce.number().int().positive()) id: number) {
    return this.items.find(id);
  }
}

@Module({ imports: [DatabaseModule], providers: [ItemsRepository], controllers: [ItemsController] })
class AppModule {}

const env = {
  DATABASE_URL: url(PRIMARY_PORT),
  DATABASE_REPLICA_URLS: url(REPLICA_PORT),
  DATABASE_PROBE_INTERVAL_MS: '200',
  DATABASE_POOL_SIZE: '4',
  // the limits a hung server runs into: a new connection, and a query on an open one
  DATABASE_CONNECT_TIMEOUT_MS: '1000',
  DATABASE_STATEMENT_TIMEOUT_MS: '1000',
  DATABASE_QUERY_TIMEOUT_MS: '1500',
  FLEET_APP: 'hung-replica',
};

/** Fails when `p` has not settled after `ms`: far above the timeouts configured here, far below a hang. */
function settlesWithin<T>(ms: number, p: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const bound = new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Error(`still pending after ${ms} ms: it hangs`)), ms); });
  return Promise.race([p, bound]).finally(() => clearTimeout(timer));
}

describe('a hung replica (stalled through its fault proxy)', () => {
  let t: TestApp;
  let db: Database;
  const read = () => t.request().get('/items/1').then((r) => ({ status: r.status, body: r.body as z.infer<typeof Found> }));

  beforeAll(async () => {
    t = await createTestApp(AppModule, { env, faultProxies: true });
    db = t.get(Database);
    await admin(PRIMARY_PORT, `create table ${t.isolation.schema}.items (id int primary key, name text not null); insert into ${t.isolation.schema}.items values (1, 'kept')`);
    await until(async () => {
      const r = await read();
      return r.status === 200 && r.body.port === REPLICA_PORT && r.body.name === 'kept';
    });
  });
  afterAll(async () => {
    t?.faults.clear();
    await t?.close();
  });

  it('reads fall back to the primary within the timeouts, the replica is reported down, and it is used again after the stall', async () => {
    // a pooled connection is idle on the replica: the next reads go out on it, into the stall
    expect(db.health().replicas).toMatchObject([{ state: 'up' }]);
    t.faults.stall('postgres-replica');
    try {
      // several reads at once: queries sent on open pooled connections hit the query timeout,
      // new connections hit the connect timeout; both count as a failed node. Ten, more than the
      // pool of 4 holds: callers still queued for a connection when DATABASE_CONNECT_TIMEOUT_MS
      // passes are read from the primary too, not failed.
      const during = await settlesWithin(15_000, Promise.all(Array.from({ length: 10 }, read)));
      for (const r of during) expect(r).toEqual({ status: 200, body: { port: PRIMARY_PORT, name: 'kept' } });

      await until(() => db.health().replicas[0]!.state === 'down', 10_000);
      const health = db.health();
      expect(health).toMatchObject({ status: 'degraded', ready: true, primary: { state: 'up' }, replicas: [{ name: 'replica-1', state: 'down' }] });
      expect(health.replicas[0]!.reason).toMatch(/timeout|terminated/i);
      const ready = await t.request().get('/health/ready').expect(200); // degraded is still ready
      expect(ready.body.checks.postgres).toMatchObject({ status: 'degraded', detail: { replicas: [{ state: 'down' }] } });

      // ejected: reads no longer wait on it at all
      expect(await settlesWithin(5_000, read())).toEqual({ status: 200, body: { port: PRIMARY_PORT, name: 'kept' } });
      // the override that prefers a replica falls back too
      expect((await settlesWithin(5_000, db.replica().one(sql`select inet_server_port() as port`))).port).toBe(PRIMARY_PORT);
    } finally {
      t.faults.restore('postgres-replica');
    }
    // the backoff probe reaches it again: back in rotation
    await until(async () => (await read()).body.port === REPLICA_PORT, 30_000);
    expect(await read()).toEqual({ status: 200, body: { port: REPLICA_PORT, name: 'kept' } });
    await until(() => db.health().status === 'up', 10_000);
    expect(db.health().replicas).toMatchObject([{ state: 'up' }]);
  });
});
