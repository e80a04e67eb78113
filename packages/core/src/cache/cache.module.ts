import { Global, Module } from '../di/decorators.js';
import { Cache } from './cache.js';
import { CacheConfig } from './cache-config.js';

/**
 * Provides `Cache` (and makes `@Cached`, `@CacheEvict`, `@CachePut` work) everywhere. Needs
 * `RedisModule`. lru-cache and the cache runtime are loaded only when this module boots.
 */
@Global()
@Module({ providers: [CacheConfig, Cache], exports: [Cache, CacheConfig] })
export class CacheModule {}
