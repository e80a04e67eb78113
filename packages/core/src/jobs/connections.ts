import type { Redis, RedisOptions } from 'ioredis';
import { FleetError } from '../errors.js';
import type { Logger } from '../app/logger.js';

/** Where the jobs of one app live in Redis (the same for the app and for `fleet jobs`). @internal */
export interface JobKeys {
  /** BullMQ's key prefix: `<REDIS_KEY_PREFIX><FLEET_APP>:jobs`, so every queue key is in the app's namespace. */
  bullPrefix: string;
  /** A set of the queue names the app has used (for `fleet jobs` and stale-scheduler cleanup). */
  queuesKey: string;
}

export function jobKeys(keyPrefix: string, app: string): JobKeys {
  return { bullPrefix: `${keyPrefix}${app}:jobs`, queuesKey: `${keyPrefix}${app}:jobs-registry:queues` };
}

/**
 * One ioredis connection for BullMQ. The producer fails fast (no offline queue, a command
 * timeout) so an enqueue during a Redis outage rejects at once instead of hanging the request;
 * the worker connection waits and reconnects (BullMQ requires `maxRetriesPerRequest: null`).
 * ioredis is loaded here, at boot, only by apps that use jobs.
 * @internal
 */
export async function openConnection(url: string, name: string, role: 'producer' | 'worker', commandTimeoutMs: number, log: Pick<Logger, 'warn'>): Promise<Redis> {
  const { Redis: RedisClient } = await import('ioredis');
  const options: RedisOptions = role === 'producer'
    ? { maxRetriesPerRequest: 1, enableOfflineQueue: false, commandTimeout: commandTimeoutMs }
    : { maxRetriesPerRequest: null, enableOfflineQueue: true };
  const client = new RedisClient(url, {
    lazyConnect: true,
    connectionName: name,
    connectTimeout: 2000,
    retryStrategy: (attempt) => Math.min(100 * 2 ** attempt, 2000),
    ...options,
  });
  client.on('error', (err: Error) => log.warn({ err, role: `jobs ${role}` }, 'redis connection error'));
  try {
    await client.connect();
  } catch (cause) {
    client.disconnect();
    throw new FleetError('FLEET_ERR_REDIS_UNAVAILABLE', `Cannot connect to Redis at ${url.replace(/\/\/([^@/]*)@/, '//***@')} (jobs ${role} connection): ${(cause as Error).message}. ` +
      'Fix: start Redis (bash scripts/services.sh up) or set REDIS_URL.', { cause });
  }
  return client;
}
