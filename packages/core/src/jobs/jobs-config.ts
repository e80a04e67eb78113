import { z } from 'zod';
import { LazyConfig } from '../config/config.js';

const ms = (fallback: number, what: string) => z.coerce.number().int().positive().default(fallback).describe(what);

/**
 * Environment of the jobs subsystem (JobsModule). The defaults suit production; tests shorten
 * the lock and stalled-check intervals so a killed worker's job comes back within seconds.
 */
// The schema is built when the module is used, not when core is imported (decision 008).
export class JobsConfig extends LazyConfig(() => z.object({
  FLEET_ROLE: z.enum(['web', 'worker', 'all']).default('all')
    .describe("What this instance runs: 'web' serves HTTP and enqueues, 'worker' runs jobs, 'all' both"),
  FLEET_JOBS_CONCURRENCY: z.coerce.number().int().min(1).max(1000).default(5)
    .describe('Jobs one worker instance runs at once, per queue'),
  FLEET_JOBS_LOCK_MS: ms(30_000, "How long a worker's lock on a running job lasts (renewed at half of it); a killed worker's jobs are taken back after it expires"),
  FLEET_JOBS_STALLED_INTERVAL_MS: ms(30_000, 'How often workers look for jobs whose lock expired (their worker died) and put them back in the queue'),
  FLEET_JOBS_MAX_STALLED: z.coerce.number().int().min(0).max(100).default(1)
    .describe('Times a job may be taken back from a dead worker before it fails (a job that kills its worker every time)'),
  FLEET_JOBS_DRAIN_MS: ms(15_000, 'On shutdown, how long a worker waits for its running jobs; past it they are put back in the queue for another worker'),
  FLEET_JOBS_KEEP_COMPLETED_S: ms(86_400, 'How long completed jobs stay inspectable (and their dedupe keys taken), in seconds'),
  FLEET_JOBS_KEEP_FAILED_S: ms(604_800, 'How long failed jobs stay in the failed list, in seconds'),
})) {}
