import type { Logger } from '../app/logger.js';
import { FleetError } from '../errors.js';
import { defaultPoolSize, type DatabaseConfig } from './database-config.js';
import type { ResolvedDatabaseOptions } from './database-options.js';
import { redactUrl, type DbNode } from './db-node.js';
import { parseLsn } from './lsn.js';
import { migrate } from './migrate.js';

/** What the boot checks found, per node: the connection budget. */
export interface BootReport {
  poolSize: number;
  budgets: Array<{ node: string; maxConnections: number; reserved: number; wanted: number; exceeded: boolean }>;
  /** The primary's position after boot-time migrations: reads wait for replicas to replay it. */
  floorLsn?: number;
}

const INFO = `select current_setting('max_connections')::int as max_connections,
  current_setting('superuser_reserved_connections')::int as reserved, pg_is_in_recovery() as in_recovery,
  case when pg_is_in_recovery() then null else pg_current_wal_lsn()::text end as lsn`;

/**
 * Loads pg (only now: apps without a database never load it), opens one pool per node, checks
 * the primary (reachable, not a standby), warns when pool size x instances exceeds a node's
 * max_connections, and applies boot-time migrations.
 */
export async function openPools(primary: DbNode, replicas: DbNode[], config: DatabaseConfig, options: ResolvedDatabaseOptions, log: Logger): Promise<BootReport> {
  const { Pool } = await import('pg');
  const poolSize = config.DATABASE_POOL_SIZE ?? defaultPoolSize();
  const poolConfig = {
    max: poolSize,
    connectionTimeoutMillis: config.DATABASE_CONNECT_TIMEOUT_MS,
    idleTimeoutMillis: config.DATABASE_IDLE_TIMEOUT_MS,
    statement_timeout: config.DATABASE_STATEMENT_TIMEOUT_MS,
    query_timeout: config.DATABASE_QUERY_TIMEOUT_MS,
  };
  for (const node of [primary, ...replicas]) node.open(Pool, poolConfig, log);
  const report: BootReport = { poolSize, budgets: [] };

  let info: Record<string, unknown>;
  try {
    info = (await primary.pool.query(INFO)).rows[0] as Record<string, unknown>;
  } catch (cause) {
    await Promise.allSettled([primary, ...replicas].map((n) => n.pool.end()));
    throw new FleetError('FLEET_ERR_DB_PRIMARY_UNAVAILABLE',
      `Cannot connect to the PostgreSQL primary at ${redactUrl(primary.url)}: ${(cause as Error).message}. Fix: start PostgreSQL (bash scripts/services.sh up) or set DATABASE_URL.`, { cause });
  }
  if (info.in_recovery === true) {
    await Promise.allSettled([primary, ...replicas].map((n) => n.pool.end()));
    throw new FleetError('FLEET_ERR_DB_NOT_PRIMARY',
      `DATABASE_URL (${redactUrl(primary.url)}) points at a hot standby, which cannot take writes. Fix: set DATABASE_URL to the primary and list standbys in DATABASE_REPLICA_URLS.`);
  }
  primary.lsnText = info.lsn as string;
  primary.lsn = parseLsn(primary.lsnText) ?? 0;
  report.budgets.push(checkBudget('primary', info, poolSize, config, log));

  if (options.migrateOnBoot) {
    const result = await migrate({ url: config.DATABASE_URL, dir: options.migrateOnBoot.dir, table: options.migrateOnBoot.table,
      log: (line) => log.info({ node: 'primary' }, `migration ${line}`) });
    report.floorLsn = parseLsn(result.lsn);
  }

  await Promise.all(replicas.map(async (node) => {
    try {
      report.budgets.push(checkBudget(node.name, (await node.pool.query(INFO)).rows[0] as Record<string, unknown>, poolSize, config, log));
    } catch {
      // Unreachable replicas are ejected by the first probe, right after this; the budget is checked when they are up.
    }
  }));
  return report;
}

function checkBudget(node: string, info: Record<string, unknown>, poolSize: number, config: DatabaseConfig, log: Logger): BootReport['budgets'][number] {
  const maxConnections = Number(info.max_connections);
  const reserved = Number(info.reserved);
  const wanted = poolSize * config.FLEET_INSTANCES;
  const exceeded = wanted > maxConnections - reserved;
  if (exceeded) {
    log.warn({ node, poolSize, instances: config.FLEET_INSTANCES, maxConnections, reserved },
      `PostgreSQL ${node}: pool size ${poolSize} x ${config.FLEET_INSTANCES} instances = ${wanted} connections, more than its max_connections ` +
      `(${maxConnections}, ${reserved} reserved for superusers). Fix: lower DATABASE_POOL_SIZE, put PgBouncer in front, or raise max_connections.`);
  }
  return { node, maxConnections, reserved, wanted, exceeded };
}
