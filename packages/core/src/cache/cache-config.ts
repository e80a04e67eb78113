import { z } from 'zod';
import { LazyConfig } from '../config/config.js';

const ms = (fallback: number, what: string) => z.coerce.number().int().positive().default(fallback).describe(what);

/** Environment of `CacheModule`. Every wait on Redis is bounded; see docs/caching.md. */
// The schema is built when the module is used, not when core is imported (decision 008).
export class CacheConfig extends LazyConfig(() => z.object({
  CACHE_L1_MAX: z.coerce.number().int().positive().default(1000).describe('Entries kept in process per @Cached method (and for the Cache API), on each instance'),
  CACHE_L2_TIMEOUT_MS: ms(250, 'A Redis read or write of the cache that takes longer is given up: the call goes to the source'),
  CACHE_L2_RETRY_MS: ms(1000, 'After a Redis failure, the cache skips Redis for this long (no wait per call while it is down)'),
  CACHE_BUS_HEARTBEAT_MS: ms(1000, 'How often the invalidation subscription is pinged; L1 is trusted for 3 heartbeats after the last answer'),
  CACHE_INVALIDATION_HOLD_MS: z.coerce.number().int().min(0).optional()
    .describe('After an invalidation, values read from the source are only cached as "held" (skipped by reads that carry a read-your-writes token) for this long; default: DATABASE_REPLICA_MAX_LAG_MS when replicas are configured, else 0'),
})) {}
