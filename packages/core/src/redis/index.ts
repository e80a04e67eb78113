export { RedisModule } from './redis.module.js';
export { RedisConnection } from './redis-connection.js';
export { RedisConfig } from './redis-config.js';
