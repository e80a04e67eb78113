import type { Client } from 'pg';
import { FleetError } from '../errors.js';
import { lineAt, readMigrationFiles, type MigrationFile } from './migration-files.js';
import { redactUrl } from './db-node.js';
import { sql, type SqlQuery } from './sql.js';

/** Options of `migrate()` and `migrationStatus()`. */
export interface MigrateOptions {
  /** The primary's URL (DATABASE_URL). */
  url: string;
  /** The directory of `<version>_<name>.sql` files, e.g. `migrations/`. */
  dir: string | URL;
  /** The table recording applied migrations, in the connection's current schema. @default 'fleet_migrations' */
  table?: string;
  /**
   * Advisory lock key held while migrating. By default it is derived from the current schema and
   * the table name, so migrators of the same database and schema exclude each other and others
   * do not. @default derived
   */
  lockId?: bigint | number;
  /** How long to wait for the lock (another instance migrating) and for each table lock a migration takes. @default 60000 */
  lockTimeoutMs?: number;
  /** statement_timeout of the migration connection. @default 900000 (15 minutes) */
  statementTimeoutMs?: number;
  /** Called with one line per applied migration (e.g. `console.log`). */
  log?: (line: string) => void;
}

export interface AppliedMigration { version: string; name: string; ms: number }

export interface MigrateResult {
  /** Migrations this call applied, in order (empty when another instance already did). */
  applied: AppliedMigration[];
  /** How many were already applied. */
  alreadyApplied: number;
  /** The primary's WAL position after migrating (replicas must replay it to see the new schema). */
  lsn: string;
}

export interface MigrationStatus {
  applied: Array<{ version: string; name: string; appliedAt: Date; checksum: string; changed: boolean; missing: boolean }>;
  pending: Array<{ version: string; name: string; file: string }>;
}

/**
 * Applies the pending SQL migrations of `dir`, in version order, each in its own transaction
 * with its record in `table`. It holds a PostgreSQL advisory lock meanwhile, so instances that
 * start together apply each migration exactly once: the others wait, then find nothing to do.
 * An applied file that was edited afterwards stops the run (FLEET_ERR_DB_MIGRATION_CHANGED).
 */
export async function migrate(options: MigrateOptions): Promise<MigrateResult> {
  const files = await readMigrationFiles(options.dir);
  const table = options.table ?? 'fleet_migrations';
  const client = await connect(options);
  try {
    await lock(client, options, table);
    await client.query(sql`create table if not exists ${sql.id(table)} (
      version bigint primary key, name text not null, checksum text not null,
      applied_at timestamptz not null default now(), duration_ms integer not null)`.text);
    const done = new Map((await run(client, sql`select version::text as version, checksum from ${sql.id(table)}`)).rows.map((r) => [r.version as string, r.checksum as string]));
    const changed = files.filter((f) => done.has(f.version) && done.get(f.version) !== f.checksum);
    if (changed.length > 0) {
      throw new FleetError('FLEET_ERR_DB_MIGRATION_CHANGED',
        `Applied migration file${changed.length > 1 ? 's were' : ' was'} edited afterwards: ${changed.map((f) => f.file).join(', ')}. ` +
        'Fix: restore the applied content and put the change in a new migration file.');
    }
    const applied: AppliedMigration[] = [];
    for (const file of files) {
      if (done.has(file.version)) continue;
      const started = performance.now();
      await applyOne(client, file, table);
      const ms = Math.round(performance.now() - started);
      applied.push({ version: file.version, name: file.name, ms });
      options.log?.(`applied ${file.file} (${ms} ms)`);
    }
    const lsn = (await client.query('select pg_current_wal_lsn()::text as lsn')).rows[0].lsn as string;
    return { applied, alreadyApplied: files.length - applied.length, lsn };
  } finally {
    await client.end().catch(() => undefined); // ending the session also releases the advisory lock
  }
}

/** Lists applied migrations (flagging edited or missing files) and pending ones; changes nothing. */
export async function migrationStatus(options: Omit<MigrateOptions, 'lockId' | 'lockTimeoutMs' | 'log'>): Promise<MigrationStatus> {
  const files = await readMigrationFiles(options.dir);
  const table = options.table ?? 'fleet_migrations';
  const client = await connect(options);
  try {
    const exists = (await run(client, sql`select to_regclass(${sql.id(table).quoted}) is not null as exists`)).rows[0]!.exists as boolean;
    const rows = exists
      ? (await run(client, sql`select m.version::text as version, m.name, m.checksum, m.applied_at from ${sql.id(table)} m order by m.version`)).rows
      : [];
    const byVersion = new Map(files.map((f) => [f.version, f]));
    const appliedVersions = new Set(rows.map((r) => r.version as string));
    return {
      applied: rows.map((r) => ({
        version: r.version as string, name: r.name as string, appliedAt: r.applied_at as Date, checksum: r.checksum as string,
        changed: byVersion.has(r.version as string) && byVersion.get(r.version as string)!.checksum !== r.checksum,
        missing: !byVersion.has(r.version as string),
      })),
      pending: files.filter((f) => !appliedVersions.has(f.version)).map((f) => ({ version: f.version, name: f.name, file: f.file })),
    };
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function connect(options: Pick<MigrateOptions, 'url' | 'statementTimeoutMs'>): Promise<Client> {
  const { Client: PgClient } = await import('pg');
  const client = new PgClient({
    connectionString: options.url, application_name: 'fleet:migrate', connectionTimeoutMillis: 5000,
    statement_timeout: options.statementTimeoutMs ?? 900_000,
  });
  client.on('error', () => undefined); // a dropped connection fails the pending query instead of crashing
  try {
    await client.connect();
  } catch (cause) {
    throw new FleetError('FLEET_ERR_DB_PRIMARY_UNAVAILABLE', `Cannot connect to PostgreSQL at ${redactUrl(options.url)} to migrate: ${(cause as Error).message}. Fix: start it (bash scripts/services.sh up) or set DATABASE_URL.`, { cause });
  }
  return client;
}

async function lock(client: Client, options: MigrateOptions, table: string): Promise<void> {
  const timeout = options.lockTimeoutMs ?? 60_000;
  await run(client, sql`select set_config('lock_timeout', ${String(timeout)}, false)`);
  try {
    await run(client, options.lockId === undefined
      ? sql`select pg_advisory_lock(hashtext('fleet:migrate'), hashtext(current_schema() || '.' || ${table}))`
      : sql`select pg_advisory_lock(${BigInt(options.lockId).toString()}::bigint)`);
  } catch (cause) {
    if ((cause as { code?: string }).code === '55P03') {
      throw new FleetError('FLEET_ERR_DB_MIGRATION_LOCK_TIMEOUT', `Another migrator held the migration lock for more than ${timeout} ms. Fix: wait for it to finish (see pg_stat_activity, application_name 'fleet:migrate'), or raise lockTimeoutMs.`, { cause });
    }
    throw cause;
  }
}

async function applyOne(client: Client, file: MigrationFile, table: string): Promise<void> {
  const started = performance.now();
  const record = () => sql`insert into ${sql.id(table)} (version, name, checksum, duration_ms) values (${file.version}::bigint, ${file.name}, ${file.checksum}, ${Math.round(performance.now() - started)})`;
  try {
    if (!file.transactional) {
      await client.query(file.sql);
      await run(client, record());
      return;
    }
    await client.query('begin');
    await client.query(file.sql);
    await run(client, record());
    await client.query('commit');
  } catch (cause) {
    if (file.transactional) await client.query('rollback').catch(() => undefined);
    const position = Number((cause as { position?: string }).position);
    const where = Number.isFinite(position) && position > 0 ? ` at line ${lineAt(file.sql, position)}` : '';
    throw new FleetError('FLEET_ERR_DB_MIGRATION_FAILED',
      `Migration ${file.file} failed${where}: ${(cause as Error).message}. ${file.transactional ? 'Nothing of it was applied (it ran in a transaction).' : 'It ran without a transaction (fleet:no-transaction): check what was applied before fixing it.'} Fix: correct the file and run migrate again.`,
      { cause });
  }
}

function run(client: Client, q: SqlQuery) {
  return client.query(q.text, q.values as unknown[]);
}
