import { Module } from '../di/decorators.js';
import { Sessions } from './sessions.js';
import { SessionsConfig } from './sessions-config.js';

/** Provides `Sessions` (needs RedisModule imported by the app; reads SESSION_* variables). */
@Module({ providers: [SessionsConfig, Sessions], exports: [Sessions] })
export class SessionsModule {}
