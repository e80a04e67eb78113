import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';

/** What isolation created for one test app, and how to remove it. */
export interface Isolation {
  /** The Redis key prefix of this app (`test:<random>:`), or undefined when Redis is not isolated. */
  keyPrefix?: string;
  /** The PostgreSQL schema of this app (migrations are applied into it), or undefined. */
  schema?: string;
  /** Environment to boot the app with. */
  env: Record<string, string | undefined>;
  /** Deletes the keys and drops the schema. */
  cleanup(): Promise<void>;
}

const DEFAULT_PG = 'postgres://postgres@127.0.0.1:5432/postgres';
const DEFAULT_REDIS = 'redis://127.0.0.1:6379';

/** Appends `-c search_path=<schema>` to a PostgreSQL URL's `options`, keeping what is there. */
export function withSearchPath(url: string, schema: string): string {
  const u = new URL(url);
  const options = u.searchParams.get('options');
  u.searchParams.set('options', `${options ? `${options} ` : ''}-c search_path=${schema}`);
  return u.toString();
}

/**
 * Gives one test app its own Redis key prefix and its own PostgreSQL schema, so test files run
 * in parallel without seeing each other's data. The schema is created on the primary; replicas
 * see it through replication, so replica routing still works.
 */
export async function isolate(env: Record<string, string | undefined>, what: { redis: boolean; database: boolean }): Promise<Isolation> {
  const out: Record<string, string | undefined> = { ...env };
  const id = randomBytes(5).toString('hex');
  let keyPrefix: string | undefined;
  let schema: string | undefined;
  if (what.redis) {
    keyPrefix = `test:${id}:`;
    out.REDIS_KEY_PREFIX = keyPrefix;
  }
  let primary: string | undefined;
  if (what.database) {
    schema = `fleet_test_${id}`;
    primary = env.DATABASE_URL ?? DEFAULT_PG;
    await adminQuery(primary, `create schema ${schema}`);
    out.DATABASE_URL = withSearchPath(primary, schema);
    if (env.DATABASE_REPLICA_URLS) out.DATABASE_REPLICA_URLS = env.DATABASE_REPLICA_URLS.split(',').map((u) => u.trim()).filter(Boolean).map((u) => withSearchPath(u, schema!)).join(',');
  }
  return {
    keyPrefix,
    schema,
    env: out,
    async cleanup() {
      const tasks: Promise<unknown>[] = [];
      if (keyPrefix) tasks.push(deleteKeys(env.REDIS_URL ?? DEFAULT_REDIS, keyPrefix));
      if (schema && primary) tasks.push(adminQuery(primary, `drop schema if exists ${schema} cascade`));
      await Promise.all(tasks);
    },
  };
}

async function adminQuery(url: string, text: string): Promise<void> {
  const { default: pg } = await import('pg');
  const client = new pg.Client({ connectionString: url, application_name: 'fleet-testing', connectionTimeoutMillis: 5000 });
  client.on('error', () => undefined);
  await client.connect();
  try {
    await client.query(text);
  } finally {
    await client.end();
  }
}

/** Removes every key under `prefix` (SCAN + UNLINK, never KEYS). */
export async function deleteKeys(url: string, prefix: string): Promise<number> {
  const { Redis: RedisClient } = await import('ioredis');
  const redis: Redis = new RedisClient(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  await redis.connect();
  let deleted = 0;
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
      cursor = next;
      if (keys.length > 0) deleted += await redis.unlink(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
  return deleted;
}
