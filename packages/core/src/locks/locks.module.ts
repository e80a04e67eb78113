import { Module } from '../di/decorators.js';
import { Locks } from './locks.js';

/** Provides `Locks` (needs RedisModule imported by the app). */
@Module({ providers: [Locks], exports: [Locks] })
export class LocksModule {}
