import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Database, DatabaseModule, Module, createApp, migrate, migrationStatus, sql, type FleetError } from '@fleet/core';
import { PRIMARY_PORT, admin, createSchema, dbEnv, url } from './helpers.js';

const fails = async (p: Promise<unknown>) => p.then(() => { throw new Error('did not fail'); }, (e: FleetError) => e);

describe('migrations (real primary)', () => {
  let schema: { schema: string; drop: () => Promise<void> };
  let dir: string;
  const write = (file: string, text: string) => writeFileSync(join(dir, file), text);
  const opts = () => ({ url: url(PRIMARY_PORT, schema.schema), dir });

  beforeAll(async () => {
    schema = await createSchema();
    dir = mkdtempSync(join(tmpdir(), 'fleet-migrations-'));
    // Each migration also counts how many times it ran: exactly once is the point.
    write('0001_create_runs.sql', 'create table runs (migration text not null);\ninsert into runs values (\'0001\');\n');
    write('0002_create_users.sql', 'create table users (id int primary key, email text not null);\ninsert into runs values (\'0002\');\n');
    write('0010_add_name.sql', 'alter table users add column name text;\ninsert into runs values (\'0010\');\n');
    write('README.txt', 'not a migration');
  });
  afterAll(async () => {
    rmSync(dir, { recursive: true, force: true });
    await schema?.drop();
  });

  it('lists every file as pending before the first run', async () => {
    const status = await migrationStatus(opts());
    expect(status.applied).toEqual([]);
    expect(status.pending.map((p) => p.file)).toEqual(['0001_create_runs.sql', '0002_create_users.sql', '0010_add_name.sql']);
  });

  it('ten concurrent migrators apply each migration exactly once', async () => {
    const results = await Promise.all(Array.from({ length: 10 }, () => migrate(opts())));
    expect(results.flatMap((r) => r.applied.map((a) => a.version)).sort()).toEqual(['1', '10', '2']);
    expect(results.filter((r) => r.applied.length > 0)).toHaveLength(1);
    const runs = await admin(PRIMARY_PORT, `select migration, count(*)::int as n from ${schema.schema}.runs group by migration order by migration`);
    expect(runs.rows).toEqual([{ migration: '0001', n: 1 }, { migration: '0002', n: 1 }, { migration: '0010', n: 1 }]);
  });

  it('status lists applied and pending; a second run applies only the new file', async () => {
    write('0011_add_index.sql', '-- fleet:no-transaction\ncreate index concurrently users_email on users (email);\n');
    const before = await migrationStatus(opts());
    expect(before.applied.map((a) => [a.version, a.name, a.changed, a.missing])).toEqual([['1', 'create_runs', false, false], ['2', 'create_users', false, false], ['10', 'add_name', false, false]]);
    expect(before.applied[0]!.appliedAt).toBeInstanceOf(Date);
    expect(before.pending).toEqual([{ version: '11', name: 'add_index', file: '0011_add_index.sql' }]);
    const result = await migrate(opts());
    expect(result.applied.map((a) => a.name)).toEqual(['add_index']);
    expect(result.alreadyApplied).toBe(3);
    expect((await migrationStatus(opts())).pending).toEqual([]);
  });

  it('stops when an applied file was edited, naming it', async () => {
    write('0002_create_users.sql', 'create table users (id bigint primary key);\n');
    try {
      const err = await fails(migrate(opts()));
      expect(err.code).toBe('FLEET_ERR_DB_MIGRATION_CHANGED');
      expect(err.message).toContain('0002_create_users.sql');
      expect((await migrationStatus(opts())).applied.find((a) => a.version === '2')?.changed).toBe(true);
    } finally {
      write('0002_create_users.sql', 'create table users (id int primary key, email text not null);\ninsert into runs values (\'0002\');\n');
    }
  });

  it('rolls a failing migration back and reports its file and line', async () => {
    write('0012_broken.sql', 'create table half (id int);\n\nselect * from no_such_table;\n');
    try {
      const err = await fails(migrate(opts()));
      expect(err.code).toBe('FLEET_ERR_DB_MIGRATION_FAILED');
      expect(err.message).toContain('0012_broken.sql failed at line 3');
      expect(err.message).toContain('relation "no_such_table" does not exist');
      expect((await admin(PRIMARY_PORT, `select to_regclass('${schema.schema}.half') as t`)).rows[0].t).toBeNull();
      expect((await migrationStatus(opts())).pending.map((p) => p.file)).toEqual(['0012_broken.sql']);
    } finally {
      rmSync(join(dir, '0012_broken.sql'));
    }
  });

  it('rejects badly named and duplicate files, listing them all', async () => {
    const bad = mkdtempSync(join(tmpdir(), 'fleet-migrations-bad-'));
    try {
      writeFileSync(join(bad, 'create_users.sql'), 'select 1');
      writeFileSync(join(bad, '0001_a.sql'), 'select 1');
      writeFileSync(join(bad, '001_b.sql'), 'select 1');
      const err = await fails(migrate({ url: url(PRIMARY_PORT, schema.schema), dir: bad }));
      expect(err.code).toBe('FLEET_ERR_DB_MIGRATION_INVALID');
      expect(err.message).toContain('create_users.sql: the name must be <version>_<name>.sql');
      expect(err.message).toMatch(/version 1 is also used by/);
    } finally {
      rmSync(bad, { recursive: true, force: true });
    }
  });

  it('DatabaseModule.forRoot({ migrateOnBoot }) migrates before serving, once across instances booting together', async () => {
    const own = await createSchema();
    const bootDir = mkdtempSync(join(tmpdir(), 'fleet-migrations-boot-'));
    writeFileSync(join(bootDir, '0001_things.sql'), 'create table things (id int primary key);\ncreate table boots (n int);\ninsert into boots values (1);\n');
    @Module({ imports: [DatabaseModule.forRoot({ migrateOnBoot: { dir: bootDir } })] })
    class BootModule {}
    const env = dbEnv(own.schema);
    const apps = await Promise.all([1, 2, 3].map(() => createApp(BootModule, { logger: false, env })));
    try {
      expect((await admin(PRIMARY_PORT, `select count(*)::int as n from ${own.schema}.boots`)).rows[0].n).toBe(1);
      // reads right after boot see the new schema (they wait for a replica that replayed it, or use the primary)
      expect(await apps[0]!.get(Database).read.query(sql`select id from things`)).toEqual([]);
    } finally {
      await Promise.all(apps.map((a) => a.close()));
      rmSync(bootDir, { recursive: true, force: true });
      await own.drop();
    }
  });
});
