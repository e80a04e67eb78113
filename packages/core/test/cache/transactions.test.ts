import { AsyncLocalStorage } from 'node:async_hooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CacheEvict, CacheModule, Cached, Database, DatabaseModule, Injectable, Module, RedisModule, Repository, sql } from '@fleet/core';
import { z } from 'zod';
import { admin, createSchema, dbEnv, PRIMARY_PORT } from '../data/helpers.js';
import { startFleet, type Instance } from './helpers.js';

const Row = z.object({ id: z.number(), name: z.string() });
const reads = { count: 0 };

@Injectable()
class UsersRepository extends Repository {
  @Cached({ ttl: '1h', key: (id: number) => `user:${id}` })
  async byId(id: number) {
    reads.count++;
    return this.read.maybeOne(sql`select id, name from users where id = ${id}`, Row);
  }

  @CacheEvict({ key: (id: number) => `user:${id}` })
  async rename(id: number, name: string) {
    await this.write.query(sql`update users set name = ${name} where id = ${id}`);
  }

  /** Renames inside a transaction, running `during` before the commit. */
  renameInTransaction(id: number, name: string, during: () => Promise<void>) {
    return this.transaction(async () => {
      await this.rename(id, name);
      await during();
    });
  }
}

@Module({ imports: [RedisModule, CacheModule, DatabaseModule], providers: [UsersRepository] })
class AppModule {}

describe('the cache and transactions (real PostgreSQL and Redis, two instances)', () => {
  let schema: { schema: string; drop: () => Promise<void> };
  let fleet: Awaited<ReturnType<typeof startFleet>> | undefined;
  let apps: Instance[];
  const repo = (i: number) => apps[i]!.get(UsersRepository);

  beforeAll(async () => {
    schema = await createSchema();
    await admin(PRIMARY_PORT, `create table ${schema.schema}.users (id int primary key, name text not null)`);
    await admin(PRIMARY_PORT, `insert into ${schema.schema}.users values (1, 'Ada'), (2, 'Grace'), (3, 'Edsger')`);
    // Reads on the primary here: what is tested is the order of commit and eviction, not replica lag.
    fleet = await startFleet(AppModule, 2, { env: dbEnv(schema.schema, { DATABASE_REPLICA_URLS: '' }) });
    apps = fleet.apps;
  });
  afterAll(async () => {
    await fleet?.close();
    await schema?.drop();
  });

  it('an eviction inside a transaction happens after the commit, not before: no reader can cache the old row again', async () => {
    await repo(0).byId(1);
    await repo(1).byId(1);
    reads.count = 0;
    // The instances share this process: instance 1's read must run outside instance 0's transaction context.
    const elsewhere = AsyncLocalStorage.snapshot();
    await repo(0).renameInTransaction(1, 'Ada Lovelace', async () => {
      // Not committed yet: the entry is still there on both instances (an eviction now would let
      // this read put the old row back into the cache until its TTL).
      await expect(elsewhere(() => repo(1).byId(1))).resolves.toEqual({ id: 1, name: 'Ada' });
      // Inside the transaction, cached reads go to the source (the transaction sees its own write)
      // and store nothing (the write may still roll back).
      await expect(repo(0).byId(1)).resolves.toEqual({ id: 1, name: 'Ada Lovelace' });
      expect(reads.count).toBe(1);
      expect(apps[0]!.cache.snapshot().invalidationsDeferred).toBe(1);
    });
    // The commit returned after the eviction had reached both instances.
    await expect(repo(1).byId(1)).resolves.toEqual({ id: 1, name: 'Ada Lovelace' });
    await expect(repo(0).byId(1)).resolves.toEqual({ id: 1, name: 'Ada Lovelace' });
    expect(reads.count).toBe(2);
  });

  it('a rolled-back transaction evicts nothing, and what it read was not cached', async () => {
    await repo(1).byId(2);
    reads.count = 0;
    const failed = repo(0).renameInTransaction(2, 'Hopper', async () => {
      await expect(repo(0).byId(2)).resolves.toEqual({ id: 2, name: 'Hopper' });
      throw new Error('rolled back');
    });
    await expect(failed).rejects.toThrow('rolled back');
    await expect(repo(1).byId(2)).resolves.toEqual({ id: 2, name: 'Grace' });
    await expect(repo(0).byId(2)).resolves.toEqual({ id: 2, name: 'Grace' });
    expect(reads.count).toBe(1); // the read inside the transaction; the others were served by the cache
  });

  it('outside a transaction, the eviction has reached every instance when the write returns', async () => {
    await repo(0).byId(3);
    await repo(1).byId(3);
    await repo(1).rename(3, 'Dijkstra');
    await expect(repo(0).byId(3)).resolves.toEqual({ id: 3, name: 'Dijkstra' });
  });
});

describe('the invalidation hold: read-your-writes is never defeated by a value cached from a lagging replica', () => {
  let schema: { schema: string; drop: () => Promise<void> };
  let fleet: Awaited<ReturnType<typeof startFleet>> | undefined;
  let apps: Instance[];
  const repo = (i: number) => apps[i]!.get(UsersRepository);
  const db = (i: number) => apps[i]!.get(Database);

  beforeAll(async () => {
    schema = await createSchema();
    await admin(PRIMARY_PORT, `create table ${schema.schema}.users (id int primary key, name text not null)`);
    await admin(PRIMARY_PORT, `insert into ${schema.schema}.users values (1, 'Ada')`);
    fleet = await startFleet(AppModule, 2, { env: dbEnv(schema.schema, { CACHE_INVALIDATION_HOLD_MS: '60000' }) });
    apps = fleet.apps;
  });
  afterAll(async () => {
    await fleet?.close();
    await schema?.drop();
  });

  it('after a write, values filled during the hold serve plain reads, but not reads that carry the writer\'s position', async () => {
    expect(apps[0]!.cache.snapshot().holdMs).toBe(60_000);
    const token = await db(0).withConsistency(undefined, async () => {
      await repo(0).rename(1, 'Ada Lovelace');
      return db(0).consistencyToken();
    });
    expect(token).toMatch(/^[0-9A-F]+\/[0-9A-F]+$/);
    // A plain read (no position) fills the entry during the hold: it is stored "held", in L2 only.
    await repo(1).byId(1);
    reads.count = 0;
    await repo(1).byId(1);
    expect(reads.count).toBe(0);
    // A read that carries the writer's position skips held entries and reads the database (routed by the position).
    await expect(db(1).withConsistency(token, () => repo(1).byId(1))).resolves.toEqual({ id: 1, name: 'Ada Lovelace' });
    expect(reads.count).toBe(1);
  });
});
