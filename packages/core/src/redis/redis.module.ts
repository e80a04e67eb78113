import { Global, Module } from '../di/decorators.js';
import { RedisConfig } from './redis-config.js';
import { RedisConnection } from './redis-connection.js';

/** Provides `RedisConnection` (configured by `RedisConfig` from the environment) to every module. */
@Global()
@Module({ providers: [RedisConfig, RedisConnection], exports: [RedisConnection, RedisConfig] })
export class RedisModule {}
