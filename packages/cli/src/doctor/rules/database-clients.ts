import ts from 'typescript';
import { describeFunction, walk } from '../ast.js';
import { packageRef, refIs, type PackageRef } from '../imports.js';
import type { CodeContext } from '../contexts.js';
import type { RuleContext } from '../rule-context.js';

export interface ClientKind {
  /** How messages name it: `new pg.Client()`. */
  label: string;
  /** A single connection, not a pool: wrong even when created once. */
  single: boolean;
  /** What one call opens: `a connection`, `a pool of connections`. */
  opens: string;
  fix: string;
}

const PG_FIX = 'use one pool for the app: Fleet\'s DatabaseModule (repositories on a pg pool, reads routed to replicas), or a pg.Pool built once by a provider and ended in onShutdown.';
const MYSQL_FIX = 'create one pool at boot (mysql.createPool in a provider, closed in onShutdown) and query through it.';
const REDIS_FIX = 'import RedisModule and inject RedisConnection: one connection per instance, opened at boot and closed at shutdown.';
const POOL_FIX = 'create the client once, in a provider (built at boot, closed in onShutdown), and inject it.';

/** What `new X(...)` or `x(...)` opens, if it is a database or Redis connection. */
function clientKind(ref: PackageRef | undefined, isNew: boolean): ClientKind | undefined {
  if (!ref) return undefined;
  if (isNew && refIs(ref, 'pg', 'Client')) return { label: 'new pg.Client()', single: true, opens: 'a connection', fix: PG_FIX };
  if (isNew && (refIs(ref, 'pg', 'Pool') || refIs(ref, 'pg-pool'))) return { label: 'new pg.Pool()', single: false, opens: 'a pool of connections', fix: PG_FIX };
  if (refIs(ref, ['mysql', 'mysql2', 'mysql2/promise'], 'createConnection')) return { label: `${ref.module}.createConnection()`, single: true, opens: 'a connection', fix: MYSQL_FIX };
  if (refIs(ref, ['mysql', 'mysql2', 'mysql2/promise'], 'createPool')) return { label: `${ref.module}.createPool()`, single: false, opens: 'a pool of connections', fix: MYSQL_FIX };
  if (isNew && (refIs(ref, 'ioredis') || refIs(ref, 'ioredis', 'Redis') || refIs(ref, 'ioredis', 'Cluster'))) return { label: 'new Redis()', single: false, opens: 'a connection', fix: REDIS_FIX };
  if (refIs(ref, 'redis', 'createClient') || refIs(ref, 'redis', 'createCluster')) return { label: 'redis.createClient()', single: false, opens: 'a connection', fix: REDIS_FIX };
  if (isNew && refIs(ref, 'mongodb', 'MongoClient')) return { label: 'new MongoClient()', single: false, opens: 'a pool of connections', fix: POOL_FIX };
  if (isNew && refIs(ref, '@prisma/client', 'PrismaClient')) return { label: 'new PrismaClient()', single: false, opens: 'a pool of connections', fix: POOL_FIX };
  if (!isNew && (refIs(ref, 'postgres') || refIs(ref, 'knex'))) return { label: `${ref.module}()`, single: false, opens: 'a pool of connections', fix: POOL_FIX };
  return undefined;
}

/** A database or Redis client created somewhere in the app. */
export interface DatabaseClient {
  node: ts.NewExpression | ts.CallExpression;
  kind: ClientKind;
  context: CodeContext;
}

export function findDatabaseClients(ctx: RuleContext): DatabaseClient[] {
  const out: DatabaseClient[] = [];
  for (const sf of ctx.app.sources) {
    walk(sf, (node) => {
      if (!ts.isNewExpression(node) && !ts.isCallExpression(node)) return;
      const kind = clientKind(packageRef(node.expression, ctx.checker), ts.isNewExpression(node));
      if (kind) out.push({ node, kind, context: ctx.contexts.of(node) });
    });
  }
  return out;
}

/**
 * db/unpooled-client: a connection (or a whole pool) opened by request code costs a TCP and
 * TLS handshake and authentication per request, and exhausts the server's connections under
 * load; a single pg.Client or mysql connection shared by every request runs one query at a
 * time and does not reconnect.
 */
export function databaseClients(ctx: RuleContext): void {
  for (const { node, kind, context } of findDatabaseClients(ctx)) {
    if (context.runs === 'request') {
      ctx.report('db/unpooled-client', node,
        `${kind.label} in ${describeFunction(context.fn)} opens ${kind.opens} per call: a handshake and login each time, and the server runs out of connections under load.`,
        kind.fix);
    } else if (kind.single) {
      ctx.report('db/unpooled-client', node,
        `${kind.label} (in ${describeFunction(context.fn)}) is one connection shared by every request: queries wait for each other, and nothing reconnects when it drops.`,
        kind.fix);
    }
  }
}
