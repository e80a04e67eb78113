import { availableParallelism } from 'node:os';
import { z } from 'zod';
import { LazyConfig, secret } from '../config/config.js';

const pgUrl = () => z.string().regex(/^postgres(?:ql)?:\/\//, 'must be a postgres:// or postgresql:// URL');
const ms = (fallback: number, what: string) => z.coerce.number().int().positive().default(fallback).describe(what);

/** Default connections per node: `(cores * 2) + 1`, the classic PostgreSQL sizing rule. */
export const defaultPoolSize = (): number => availableParallelism() * 2 + 1;

/**
 * Environment of `DatabaseModule`: one primary, any number of hot-standby replicas, one pool per
 * node. Every timeout is positive: nothing waits forever.
 */
// The schema is built when the module is used, not when core is imported (decision 008).
export class DatabaseConfig extends LazyConfig(() => z.object({
  DATABASE_URL: secret(pgUrl().default('postgres://postgres@127.0.0.1:5432/postgres').describe('Primary: writes, transactions, and reads no replica can serve')),
  DATABASE_REPLICA_URLS: secret(z.string().default('').describe('Comma-separated replica URLs (hot standbys of the primary); empty: reads go to the primary')
    .transform((s, ctx) => {
      const urls = s.split(',').map((u) => u.trim()).filter(Boolean);
      for (const u of urls) if (!pgUrl().safeParse(u).success) ctx.addIssue({ code: 'custom', message: 'every entry must be a postgres:// or postgresql:// URL' });
      return urls;
    })),
  DATABASE_POOL_SIZE: z.coerce.number().int().positive().max(1000).optional().describe('Connections per node (primary and each replica); default (cores * 2) + 1'),
  DATABASE_CONNECT_TIMEOUT_MS: ms(3000, 'How long to wait for a pooled connection (new or free) before failing'),
  DATABASE_IDLE_TIMEOUT_MS: ms(30_000, 'An idle pooled connection is closed after this'),
  DATABASE_STATEMENT_TIMEOUT_MS: ms(15_000, 'Server-side statement_timeout of every pooled connection'),
  DATABASE_QUERY_TIMEOUT_MS: ms(20_000, 'Client-side limit on one query, for a server that stops answering (keep it above the statement timeout)'),
  DATABASE_REPLICA_MAX_LAG_MS: ms(5000, 'A replica whose replay lag exceeds this is skipped until it catches up'),
  DATABASE_PROBE_INTERVAL_MS: ms(1000, 'How often each node is probed for health, WAL position and lag'),
  FLEET_APP: z.string().regex(/^[\w.-]+$/).default('app').describe('Application name, used in application_name (fleet:<app>:primary)'),
  FLEET_INSTANCES: z.coerce.number().int().positive().default(1).describe('How many instances of the app run at once: the boot check compares pool size x instances with max_connections'),
}).refine((c) => c.DATABASE_QUERY_TIMEOUT_MS > c.DATABASE_STATEMENT_TIMEOUT_MS, {
  message: 'must be greater than DATABASE_STATEMENT_TIMEOUT_MS, so the server cancels a slow statement before the client gives up on the connection',
  path: ['DATABASE_QUERY_TIMEOUT_MS'],
})) {}
