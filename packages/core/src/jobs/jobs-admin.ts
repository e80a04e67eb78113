import type { Queue } from 'bullmq';
import { FleetError } from '../errors.js';
import { RedisConfig } from '../redis/redis-config.js';
import { jobKeys, openConnection } from './connections.js';
import { JobsInspector } from './inspector.js';
import type { FailedJob, JobStatus, ScheduleInfo } from './job-types.js';

/** The app's jobs seen from outside the app (`fleet jobs`): the same queues, found through Redis. */
export interface JobsAdmin {
  /** Queue names the app has used. */
  queues(): Promise<string[]>;
  status(jobId: string): Promise<JobStatus | undefined>;
  failed(options?: { queue?: string; limit?: number }): Promise<FailedJob[]>;
  retry(jobId: string): Promise<JobStatus>;
  schedules(): Promise<ScheduleInfo[]>;
  close(): Promise<void>;
}

/**
 * Opens the jobs of an app without booting it, from the environment the app reads (REDIS_URL,
 * REDIS_KEY_PREFIX, FLEET_APP): what `fleet jobs failed | retry | status | schedules` uses.
 */
export async function openJobsAdmin(env: Record<string, string | undefined> = process.env): Promise<JobsAdmin> {
  const parsed = RedisConfig.schema.safeParse(env);
  if (!parsed.success) {
    throw new FleetError('FLEET_ERR_CONFIG_INVALID', `Invalid configuration: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}. Fix: set the variables the app runs with.`);
  }
  const c = parsed.data;
  const keys = jobKeys(c.REDIS_KEY_PREFIX, c.FLEET_APP);
  const [bullmq, connection] = await Promise.all([
    import('bullmq'),
    openConnection(c.REDIS_URL, `fleet:${c.FLEET_APP}:jobs-admin`, 'producer', Math.max(c.REDIS_COMMAND_TIMEOUT_MS, 5000), { warn: () => undefined } as never),
  ]);
  const queues = new Map<string, Queue>();
  const names = async () => (await connection.smembers(keys.queuesKey)).sort();
  const known = async (): Promise<Queue[]> => {
    for (const name of await names()) {
      if (queues.has(name)) continue;
      const q = new bullmq.Queue(name, { connection, prefix: keys.bullPrefix });
      q.on('error', () => undefined);
      queues.set(name, q);
    }
    return [...queues.values()];
  };
  const inspector = new JobsInspector(known);
  return {
    queues: names,
    status: (id) => inspector.status(id),
    failed: (options) => inspector.failed(options),
    retry: (id) => inspector.retry(id),
    schedules: () => inspector.schedules(),
    async close() {
      await Promise.allSettled([...queues.values()].map((q) => q.close()));
      await connection.quit().catch(() => connection.disconnect());
    },
  };
}
