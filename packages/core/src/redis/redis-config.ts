import { z } from 'zod';
import { LazyConfig, secret } from '../config/config.js';

/** Environment of the Redis connection shared by sessions, locks, rate limits, breakers and L2 cache. */
// The schema is built when the module is used, not when core is imported (decision 008).
export class RedisConfig extends LazyConfig(() => z.object({
  REDIS_URL: secret(z.string().default('redis://127.0.0.1:6379').describe('Redis URL (redis:// or rediss://); may hold a password, so it is secret')),
  /** Every key Fleet writes starts with `<prefix><app>:`; tests use a unique prefix per app for isolation. */
  REDIS_KEY_PREFIX: z.string().default('fleet:').describe('Prefix of every key Fleet writes'),
  FLEET_APP: z.string().regex(/^[\w.-]+$/).default('app').describe('Application name: instances of one app share state in Redis'),
  REDIS_COMMAND_TIMEOUT_MS: z.coerce.number().int().positive().default(1000).describe('A command that gets no answer within this fails (a paused or partitioned Redis)'),
})) {}
