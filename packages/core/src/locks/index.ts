export { Locks, type Lock, type AcquireOptions } from './locks.js';
export { LocksModule } from './locks.module.js';
