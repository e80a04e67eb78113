import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ExitCode, run } from '../src/index.js';
import { captureIo } from './capture-io.js';

const schema = `cli_db_${process.pid}_${Date.now()}`;
const base = 'postgres://postgres@127.0.0.1:5432/test';
let dir: string;

async function fleet(argv: string[]) {
  const io = captureIo(dir);
  const code = await run(argv, io);
  return { code, out: io.out(), err: io.err() };
}

describe('fleet db (real PostgreSQL, a schema of its own)', () => {
  const admin = new pg.Client({ connectionString: base });
  beforeAll(async () => {
    await admin.connect();
    await admin.query(`create schema ${schema}`);
    process.env.DATABASE_URL = `${base}?options=${encodeURIComponent(`-c search_path=${schema}`)}`;
    dir = mkdtempSync(join(tmpdir(), 'fleet-db-'));
    writeFileSync(join(dir, '0001_create_widgets.sql'), 'create table widgets (id int primary key, name text not null);\n');
    writeFileSync(join(dir, '0002_add_color.sql'), 'alter table widgets add column color text;\n');
  });
  afterAll(async () => {
    await admin.query(`drop schema ${schema} cascade`);
    await admin.end();
    rmSync(dir, { recursive: true, force: true });
    delete process.env.DATABASE_URL;
  });

  it('lists pending migrations, applies them once, then lists them as applied', async () => {
    const before = await fleet(['db', 'status', '--dir', '.']);
    expect(before.code).toBe(ExitCode.Ok);
    expect(before.out).toContain('pending  1  create_widgets');
    expect(before.out).toContain('0 applied, 2 pending.');

    const first = await fleet(['db', 'migrate', '--dir', '.']);
    expect(first.err).toBe('');
    expect(first.code).toBe(ExitCode.Ok);
    expect(first.out).toContain('2 applied, 0 already applied.');
    const cols = await admin.query(`select column_name from information_schema.columns where table_schema = $1 and table_name = 'widgets' order by ordinal_position`, [schema]);
    expect(cols.rows.map((r) => r.column_name)).toEqual(['id', 'name', 'color']);

    const again = await fleet(['db', 'migrate', '--dir', '.', '--json']);
    expect(JSON.parse(again.out)).toMatchObject({ applied: [], alreadyApplied: 2 });

    const after = await fleet(['db', 'status', '--dir', '.', '--json']);
    const status = JSON.parse(after.out) as { applied: Array<{ version: string }>; pending: unknown[] };
    expect(status.applied.map((m) => m.version)).toEqual(['1', '2']);
    expect(status.pending).toEqual([]);
  });

  it('fails status (exit 1) when an applied file was edited, and migrate refuses to run', async () => {
    writeFileSync(join(dir, '0002_add_color.sql'), 'alter table widgets add column colour text;\n');
    const status = await fleet(['db', 'status', '--dir', '.']);
    expect(status.code).toBe(ExitCode.Failure);
    expect(status.out).toContain('applied  2  add_color');
    expect(status.out).toContain('CHANGED since applied');
    const migrate = await fleet(['db', 'migrate', '--dir', '.']);
    expect(migrate.code).toBe(ExitCode.Failure);
    expect(migrate.err).toContain('[FLEET_ERR_DB_MIGRATION_CHANGED]');
  });

  it('rejects a missing or unknown subcommand and a missing directory with exit 2', async () => {
    expect((await fleet(['db'])).code).toBe(ExitCode.Usage);
    const unknown = await fleet(['db', 'rollback']);
    expect(unknown.code).toBe(ExitCode.Usage);
    expect(unknown.err).toContain('db: unknown subcommand "rollback"');
    const missing = await fleet(['db', 'status', '--dir', 'nope']);
    expect(missing.code).toBe(ExitCode.Usage);
    expect(missing.err).toContain('--dir: no directory at nope');
  });
});
