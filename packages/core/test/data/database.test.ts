import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  Database, DatabaseModule, Injectable, Module, Repository, createApp, sql, type FleetApp, type FleetError,
} from '@fleet/core';
import { PRIMARY_PORT, REPLICA_PORT, admin, captureLogs, createSchema, dbEnv, until } from './helpers.js';

const Where = z.object({ port: z.number(), pid: z.number() });

@Injectable()
class NotesRepository extends Repository {
  where() { return this.read.one(sql`select inet_server_port() as port, pg_backend_pid() as pid`, Where); }
  add(id: number, body: string) { return this.write.one(sql`insert into notes (id, body) values (${id}, ${body}) returning id, body`); }
  body(id: number) { return this.primary().maybeOne<{ body: string }>(sql`select body from notes where id = ${id}`); }
  inTransaction<T>(fn: () => Promise<T>) { return this.transaction(fn); }
}

@Module({ imports: [DatabaseModule], providers: [NotesRepository] })
class AppModule {}

const fails = async (p: Promise<unknown>) => p.then(() => { throw new Error('did not fail'); }, (e: FleetError) => e);

describe('Database (real primary and replica)', () => {
  let schema: { schema: string; drop: () => Promise<void> };
  let env: Record<string, string>;
  let app: FleetApp;
  let db: Database;
  let notes: NotesRepository;
  const logs = captureLogs();

  beforeAll(async () => {
    schema = await createSchema();
    await admin(PRIMARY_PORT, `create table ${schema.schema}.notes (id int primary key, body text)`);
    await admin(PRIMARY_PORT, `create table ${schema.schema}.users (id int primary key, name text, email text, meta jsonb)`);
    await admin(PRIMARY_PORT, `insert into ${schema.schema}.users values (1, 'Ada', 'ada@example.com', '{}')`);
    env = dbEnv(schema.schema, { FLEET_INSTANCES: '1000' });
    app = await createApp(AppModule, { env, logger: { level: 'warn', stream: logs.stream } });
    db = app.get(Database);
    notes = app.get(NotesRepository);
  });
  afterAll(async () => {
    await app?.close();
    await schema?.drop();
  });

  it('names every pool fleet:<app>:primary / fleet:<app>:replica-N in pg_stat_activity', async () => {
    await notes.add(1, 'hello');
    await notes.where();
    const names = async (port: number) => (await admin(port, 'select distinct application_name as n from pg_stat_activity where application_name like $1', [`fleet:${env.FLEET_APP}:%`])).rows.map((r) => r.n);
    expect(await names(PRIMARY_PORT)).toContain(`fleet:${env.FLEET_APP}:primary`);
    // The replica may be stopped by the failover tests running in parallel: then its pool is empty.
    const onReplica = await names(REPLICA_PORT).catch(() => []);
    for (const n of onReplica) expect(n).toBe(`fleet:${env.FLEET_APP}:replica-1`);
  });

  it('warns at boot when pool size x instances exceeds max_connections', () => {
    const warning = logs.lines.find((l) => typeof l.msg === 'string' && l.msg.includes('max_connections'));
    expect(warning?.msg).toMatch(/pool size 4 x 1000 instances = 4000 connections, more than its max_connections \(\d+, \d+ reserved for superusers\)/);
    expect(db.boot?.budgets.find((b) => b.node === 'primary')).toMatchObject({ wanted: 4000, exceeded: true });
  });

  it('sends writes to the primary and reads to a replica or, failing that, the primary', async () => {
    const w = await db.write.one(sql`select inet_server_port() as port`);
    expect(w.port).toBe(PRIMARY_PORT);
    const r = await notes.where();
    expect([PRIMARY_PORT, REPLICA_PORT]).toContain(r.port);
    expect((await db.primary().one(sql`select inet_server_port() as port`)).port).toBe(PRIMARY_PORT);
  });

  it('stores and compares injection attempts as plain values, in every parameter position', async () => {
    const attacks = [
      "'; drop table users; --",
      "' or '1'='1",
      "1; drop table users",
      "\\'; drop table users; --",
      '"; drop table users; --',
      '$1', '$$; drop table users; $$', "E'\\x27'", '%', '_', '*/ drop table users /*', 'Robert\'); DROP TABLE users;--',
    ];
    for (const [i, attack] of attacks.entries()) {
      const id = 100 + i;
      await db.write.execute(sql`insert into users (id, name, email, meta) values (${id}, ${attack}, ${attack}, ${JSON.stringify({ attack })})`);
      const byName = await db.primary().query(sql`select id from users where name = ${attack} and starts_with(email, ${attack}) and meta->>'attack' = ${attack}`);
      expect(byName.map((r) => r.id)).toEqual([id]);
      const row = await db.primary().one(sql`select name, email, meta from users where id = ${id}`);
      expect(row).toEqual({ name: attack, email: attack, meta: { attack } });
      expect(await db.primary().query(sql`select id from users where id = any(${[id, attack.length]}::int[]) and name = ${attack}`)).toHaveLength(1);
      await db.write.execute(sql`update users set name = ${attack + attack} where name = ${attack}`);
      expect((await db.primary().one(sql`select name from users where id = ${id}`)).name).toBe(attack + attack);
    }
    // A value in a LIMIT position is a number or an error, never SQL.
    const err = await fails(db.primary().query(sql`select id from users limit ${'1; drop table users'}`));
    expect(err.code).toBe('FLEET_ERR_DB_QUERY_FAILED');
    expect((err as FleetError & { sqlState?: string }).sqlState).toBe('22P02');
    // An identifier is one quoted name, whatever it contains.
    const weird = 'users"; drop table users; --';
    await db.write.execute(sql`create table ${sql.id(weird)} (${sql.id('x"y')} text)`);
    await db.write.execute(sql`insert into ${sql.id(weird)} values (${"'; drop table users; --"})`);
    expect(await db.primary().query(sql`select ${sql.id('x"y')} as v from ${sql.id(weird)}`)).toEqual([{ v: "'; drop table users; --" }]);
    const orderBy = await fails(db.primary().query(sql`select id from users order by ${sql.id('id; drop table users')}`));
    expect(orderBy.message).toContain('column "id; drop table users" does not exist');
    // users is intact: the seed row and every attack row are there.
    expect((await db.primary().one(sql`select count(*)::int as n from users`)).n).toBe(1 + attacks.length);
  });

  it('refuses strings and hand-made arrays as queries', async () => {
    const err = await fails(db.read.query('select 1' as never));
    expect(err.code).toBe('FLEET_ERR_DB_NOT_SQL');
    expect(err.message).toContain('db.read.query() was given a string');
    expect((await fails(db.write.execute({ text: 'drop table users', values: [] } as never))).code).toBe('FLEET_ERR_DB_NOT_SQL');
  });

  it('parses rows with a zod schema and names the column that does not match', async () => {
    const User = z.object({ id: z.number(), name: z.string(), email: z.string().email() });
    expect(await db.primary().one(sql`select id, name, email from users where id = ${1}`, User)).toEqual({ id: 1, name: 'Ada', email: 'ada@example.com' });
    const err = await fails(db.primary().one(sql`select id, name, null as email from users where id = ${1}`, User));
    expect(err.code).toBe('FLEET_ERR_DB_ROW_INVALID');
    expect(err.message).toContain('column "email"');
    expect(err.details?.[0]?.path).toBe('row.email');
  });

  it('one() and maybeOne() enforce their row counts', async () => {
    expect(await db.primary().maybeOne(sql`select 1 from users where id = ${-1}`)).toBeUndefined();
    expect((await fails(db.primary().one(sql`select 1 from users where id = ${-1}`))).code).toBe('FLEET_ERR_DB_ROW_COUNT');
    expect((await fails(db.primary().maybeOne(sql`select 1 from generate_series(1, 2)`))).message).toContain('returned 2');
  });

  it('reports query errors with the SQLSTATE and the statement, without the values', async () => {
    const err = await fails(db.write.execute(sql`insert into users (id, name) values (${1}, ${'secret-value'})`));
    expect(err.code).toBe('FLEET_ERR_DB_QUERY_FAILED');
    expect(err.message).toContain('SQLSTATE 23505, constraint users_pkey');
    expect(err.message).toContain('insert into users (id, name) values ($1, $2)');
    expect(err.message).not.toContain('secret-value');
  });

  describe('transactions', () => {
    it('commits, and rolls back when the callback throws', async () => {
      await db.transaction(async (tx) => { await tx.execute(sql`insert into notes values (${10}, ${'kept'})`); });
      await expect(db.transaction(async (tx) => {
        await tx.execute(sql`insert into notes values (${11}, ${'dropped'})`);
        throw new Error('nope');
      })).rejects.toThrow('nope');
      expect(await notes.body(10)).toEqual({ body: 'kept' });
      expect(await notes.body(11)).toBeUndefined();
    });

    it('runs every query inside on the transaction connection, reads and repositories included', async () => {
      await db.transaction(async (tx) => {
        const own = await tx.one(sql`select pg_backend_pid() as pid`);
        await tx.execute(sql`insert into notes values (${12}, ${'uncommitted'})`);
        const viaRead = await notes.where();
        expect(viaRead).toEqual({ port: PRIMARY_PORT, pid: own.pid });
        expect(await db.read.maybeOne(sql`select body from notes where id = ${12}`)).toEqual({ body: 'uncommitted' });
        // a repository method that opens its own transaction joins this one (as a savepoint)
        await notes.inTransaction(async () => {
          expect((await notes.where()).pid).toBe(own.pid);
        });
      });
    });

    it('uses savepoints for nested calls: an inner failure rolls back only the inner part', async () => {
      await db.transaction(async (tx) => {
        await tx.execute(sql`insert into notes values (${20}, ${'outer'})`);
        await expect(tx.transaction(async (inner) => {
          await inner.execute(sql`insert into notes values (${21}, ${'inner'})`);
          throw new Error('inner failed');
        })).rejects.toThrow('inner failed');
        await db.transaction(async () => { await db.write.execute(sql`insert into notes values (${22}, ${'nested via db'})`); });
      });
      expect(await notes.body(20)).toEqual({ body: 'outer' });
      expect(await notes.body(21)).toBeUndefined();
      expect(await notes.body(22)).toEqual({ body: 'nested via db' });
    });

    it('refuses queries on a transaction that has ended', async () => {
      let leaked: { execute(q: unknown): Promise<number> } | undefined;
      await db.transaction(async (tx) => { leaked = tx as never; });
      expect((await fails(leaked!.execute(sql`select 1`))).code).toBe('FLEET_ERR_DB_TRANSACTION_CLOSED');
    });

    it('honours the isolation level and read-only', async () => {
      const level = await db.transaction((tx) => tx.one(sql`select current_setting('transaction_isolation') as level`), { isolation: 'serializable' });
      expect(level.level).toBe('serializable');
      const err = await fails(db.transaction((tx) => tx.execute(sql`insert into notes values (${30}, ${'x'})`), { readOnly: true }));
      expect((err as FleetError & { sqlState?: string }).sqlState).toBe('25006');
      expect((await fails(db.transaction(async () => 1, { isolation: 'chaos' as never }))).code).toBe('FLEET_ERR_DB_INVALID_OPTIONS');
    });
  });

  describe('killed connections', () => {
    const terminate = async (port: number, role: string) => {
      const name = `fleet:${env.FLEET_APP}:${role}`;
      const { rows } = await admin(port, 'select pg_terminate_backend(pid) as ok, pid from pg_stat_activity where application_name = $1', [name]);
      await until(async () => (await admin(port, 'select count(*)::int as n from pg_stat_activity where application_name = $1 and pid = any($2::int[])', [name, rows.map((r) => r.pid)])).rows[0].n === 0);
      await new Promise((r) => setTimeout(r, 50)); // let the pool see the closed sockets
      return rows.length;
    };

    it('survives pg_terminate_backend of pooled idle connections: the next queries succeed', async () => {
      await Promise.all([1, 2, 3].map(() => db.primary().one(sql`select pg_sleep(0.01)`)));
      expect(await terminate(PRIMARY_PORT, 'primary')).toBeGreaterThan(0);
      expect((await db.write.one(sql`select inet_server_port() as port`)).port).toBe(PRIMARY_PORT);
      await notes.add(40, 'after kill');
      expect(await notes.body(40)).toEqual({ body: 'after kill' });
      await terminate(REPLICA_PORT, 'replica-1').catch(() => 0);
      expect([PRIMARY_PORT, REPLICA_PORT]).toContain((await notes.where()).port);
    });

    it('survives a backend killed inside a transaction: that transaction fails, the next one works', async () => {
      const err = await fails(db.transaction(async (tx) => {
        const { pid } = await tx.one(sql`select pg_backend_pid() as pid`);
        await admin(PRIMARY_PORT, 'select pg_terminate_backend($1)', [pid]);
        await new Promise((r) => setTimeout(r, 100));
        await tx.execute(sql`insert into notes values (${41}, ${'lost'})`);
      }));
      expect(err.code).toBe('FLEET_ERR_DB_PRIMARY_UNAVAILABLE');
      await db.transaction((tx) => tx.execute(sql`insert into notes values (${42}, ${'next'})`));
      expect(await notes.body(42)).toEqual({ body: 'next' });
    });
  });

  it('reports health: up or degraded (replicas), ready while the primary answers', () => {
    const health = db.health();
    expect(health.ready).toBe(true);
    expect(['up', 'degraded']).toContain(health.status);
    expect(health.primary).toMatchObject({ name: 'primary', state: 'up', url: expect.stringContaining('127.0.0.1:5432') });
    expect(health.replicas.map((r) => r.name)).toEqual(['replica-1']);
    expect(db.checkHealth().status).toBe(health.status);
  });

  it('fails boot with a clear error when the primary cannot be reached, or is a standby', async () => {
    const down = await fails(createApp(AppModule, { logger: false, env: { ...env, DATABASE_URL: 'postgres://postgres@127.0.0.1:1/test' } }));
    expect(down.code).toBe('FLEET_ERR_LIFECYCLE_INIT_FAILED');
    expect((down.cause as FleetError).code).toBe('FLEET_ERR_DB_PRIMARY_UNAVAILABLE');
    const standby = await fails(createApp(AppModule, { logger: false, env: { ...env, DATABASE_URL: env.DATABASE_REPLICA_URLS! } }));
    if ((standby.cause as FleetError).code !== 'FLEET_ERR_DB_PRIMARY_UNAVAILABLE') { // the replica may be stopped by the failover tests
      expect((standby.cause as FleetError).code).toBe('FLEET_ERR_DB_NOT_PRIMARY');
    }
  });

  it('rejects invalid configuration at boot, listing every problem', async () => {
    const err = await fails(createApp(AppModule, { logger: false, env: { ...env, DATABASE_URL: 'mysql://x', DATABASE_STATEMENT_TIMEOUT_MS: '0', DATABASE_QUERY_TIMEOUT_MS: '10' } }));
    expect(err.code).toBe('FLEET_ERR_CONFIG_INVALID');
    expect(err.message).toContain('DATABASE_URL');
    expect(err.message).toContain('DATABASE_STATEMENT_TIMEOUT_MS');
    expect(err.message).not.toContain('mysql://x'); // URLs are secrets
  });
});

describe('pg is loaded lazily', () => {
  it('importing @fleet/core does not load pg; booting DatabaseModule does', () => {
    const core = fileURLToPath(new URL('../../dist/index.js', import.meta.url));
    const script = `
      import { createRequire } from 'node:module';
      const cache = createRequire(import.meta.url).cache;
      const loaded = () => Object.keys(cache).some((k) => /[\\\\/]node_modules[\\\\/]pg[\\\\/]/.test(k));
      const core = await import(${JSON.stringify(core)});
      const before = loaded();
      const { Module, DatabaseModule, createApp } = core;
      class App {}
      Module({ imports: [DatabaseModule] })(App);
      const app = await createApp(App, { logger: false, env: { DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/test' } });
      const after = loaded();
      await app.close();
      console.log(JSON.stringify({ before, after }));`;
    const run = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 20_000 });
    expect(run.stderr).toBe('');
    expect(JSON.parse(run.stdout.trim().split('\n').pop()!)).toEqual({ before: false, after: true });
  });
});
