import type { Redis, RedisOptions } from 'ioredis';
import { FleetError } from '../errors.js';
import { Injectable } from '../di/decorators.js';
import type { OnInit, OnShutdown } from '../di/lifecycle.js';
import { Logger } from '../app/logger.js';
import { RedisConfig } from './redis-config.js';
import { FrameworkOwned } from '../state/allow-state.js';
import type { HealthResult } from '../health/indicator.js';

/**
 * The application's Redis connections: one command connection (`client`) and, on demand, one
 * subscriber connection for fleet-wide messages. ioredis is loaded only when this provider is
 * used, so apps without Redis never load it.
 *
 * Defaults favour failing fast over waiting: commands are not queued while disconnected and time
 * out after `REDIS_COMMAND_TIMEOUT_MS`, so callers can degrade (allow, fall back) instead of hanging.
 */
@Injectable()
@FrameworkOwned()
export class RedisConnection implements OnInit, OnShutdown {
  private redis?: Redis;
  private sub?: Redis;
  private readonly handlers = new Map<string, Array<(message: string) => void>>();

  constructor(private readonly config: RedisConfig, private readonly log: Logger) {}

  /** The command connection. */
  get client(): Redis {
    if (!this.redis) throw new FleetError('FLEET_ERR_REDIS_NOT_CONNECTED', 'Redis is used before the application finished booting. Fix: use RedisConnection from request handlers or onInit hooks of providers that depend on it.');
    return this.redis;
  }

  /** A key in this app's namespace: `key('sess', id)` -> `fleet:orders:sess:<id>`. */
  key(...parts: Array<string | number>): string {
    return `${this.config.REDIS_KEY_PREFIX}${this.config.FLEET_APP}:${parts.join(':')}`;
  }

  async onInit(): Promise<void> {
    this.redis = await this.connect('command');
  }

  /** Receives messages published on `channel` (in this app's namespace) by any instance. */
  async subscribe(channel: string, handler: (message: string) => void): Promise<void> {
    const name = this.key('ch', channel);
    if (!this.sub) {
      this.sub = await this.connect('subscriber', { enableOfflineQueue: true });
      this.sub.on('message', (ch: string, message: string) => { for (const h of this.handlers.get(ch) ?? []) h(message); });
    }
    const list = this.handlers.get(name);
    if (list) { list.push(handler); return; }
    this.handlers.set(name, [handler]);
    await this.sub.subscribe(name);
  }

  /** Publishes to every instance of this app subscribed to `channel`. */
  async publish(channel: string, message: string): Promise<void> {
    await this.client.publish(this.key('ch', channel), message);
  }

  readonly healthName = 'redis';

  /** Readiness: a PING answered within the check's timeout (Redis down makes the app not ready). */
  async checkHealth(): Promise<HealthResult> {
    try {
      await this.client.ping();
      return { status: 'up' };
    } catch (error) {
      return { status: 'down', detail: { error: (error as Error).message } };
    }
  }

  async onShutdown(): Promise<void> {
    await Promise.allSettled([this.sub?.quit(), this.redis?.quit()]);
  }

  private async connect(role: string, extra: RedisOptions = {}): Promise<Redis> {
    const { Redis: RedisClient } = await import('ioredis');
    const client = new RedisClient(this.config.REDIS_URL, {
      lazyConnect: true,
      connectionName: `fleet:${this.config.FLEET_APP}:${role}`,
      connectTimeout: 2000,
      commandTimeout: role === 'subscriber' ? undefined : this.config.REDIS_COMMAND_TIMEOUT_MS,
      maxRetriesPerRequest: 1,
      enableOfflineQueue: false,
      retryStrategy: (attempt) => Math.min(100 * 2 ** attempt, 2000),
      ...extra,
    });
    client.on('error', (err: Error) => this.log.warn({ err, role }, 'redis connection error'));
    try {
      await client.connect();
    } catch (cause) {
      client.disconnect();
      throw new FleetError('FLEET_ERR_REDIS_UNAVAILABLE', `Cannot connect to Redis at ${redact(this.config.REDIS_URL)} (${role} connection): ${(cause as Error).message}. Fix: start Redis (bash scripts/services.sh up) or set REDIS_URL.`, { cause });
    }
    return client;
  }
}

function redact(url: string): string {
  return url.replace(/\/\/([^@/]*)@/, '//***@');
}
