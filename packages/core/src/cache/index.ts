export { Cached, CacheEvict, CachePut } from './decorators.js';
export { Cache, type CacheSnapshot, type CacheStats } from './cache.js';
export { CacheModule } from './cache.module.js';
export { CacheConfig } from './cache-config.js';
export type {
  CachedOptions, CacheEvictOptions, CachePutOptions, CacheSetOptions, CacheWrapOptions, CacheKey, CacheTags, L1Option,
} from './cache-options.js';
