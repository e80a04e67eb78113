import { Global, Module } from '../di/decorators.js';
import { RedisModule } from '../redis/redis.module.js';
import { Jobs } from './jobs.js';
import { JobsConfig } from './jobs-config.js';

/**
 * Jobs on BullMQ, on the app's Redis: `@Async` and `@Scheduled` methods need it (a boot error
 * says so otherwise). Provides `Jobs` and `JobsConfig` everywhere, and imports RedisModule.
 */
@Global()
@Module({ imports: [RedisModule], providers: [JobsConfig, Jobs], exports: [Jobs, JobsConfig] })
export class JobsModule {}
