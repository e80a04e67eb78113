import type { Job, Queue } from 'bullmq';
import { FleetError } from '../errors.js';
import { decodeArgs, type JobData } from './job-data.js';
import { parseJobId, publicJobId } from './job-id.js';
import type { FailedJob, JobState, JobStatus, PendingJob, ScheduleInfo } from './job-types.js';

const STATE: Record<string, JobState> = {
  waiting: 'waiting', delayed: 'waiting', prioritized: 'waiting', 'waiting-children': 'waiting', paused: 'waiting',
  active: 'active', completed: 'completed', failed: 'failed',
};

/**
 * Reads and retries jobs across the app's queues: what `Jobs` offers app code and `fleet jobs`
 * offers operators. Job ids are unique across queues, so a lookup asks every queue at once.
 * @internal
 */
export class JobsInspector {
  constructor(private readonly queues: () => Promise<Queue[]>) {}

  async status(id: string): Promise<JobStatus | undefined> {
    let job = await this.find(id);
    if (!job) return undefined;
    const state = await job.getState();
    // It finished between the two reads: read it again for its result (or error) and finish time.
    if ((state === 'completed' || state === 'failed') && job.finishedOn === undefined) job = (await this.find(id)) ?? job;
    return STATE[state] === undefined ? undefined : toStatus(job, state);
  }

  /** The jobs that failed their last attempt, most recent first. */
  async failed(options: { queue?: string; limit?: number } = {}): Promise<FailedJob[]> {
    const limit = options.limit ?? 50;
    const queues = (await this.queues()).filter((q) => options.queue === undefined || q.name === options.queue);
    const lists = await Promise.all(queues.map((q) => q.getFailed(0, limit - 1)));
    return lists.flat().filter((j): j is Job => j !== undefined && j !== null)
      .map(toFailed)
      .sort((a, b) => (b.failedAt ?? 0) - (a.failedAt ?? 0))
      .slice(0, limit);
  }

  /** Jobs not finished yet (waiting, delayed, prioritised, active) in every queue, oldest first. */
  async pending(): Promise<PendingJob[]> {
    const lists = await Promise.all((await this.queues()).flatMap((q) => PENDING.map(async (state) =>
      (await q.getJobs([state], 0, -1)).filter(isJob).map((job): PendingJob => ({ ...toStatus(job, state), scheduled: job.repeatJobKey !== undefined })))));
    return lists.flat().sort((a, b) => a.enqueuedAt - b.enqueuedAt);
  }

  /** Completed and failed jobs still kept (by age, FLEET_JOBS_KEEP_*_S), most recently finished first, at most `limit`. */
  async finished(options: { limit?: number } = {}): Promise<JobStatus[]> {
    const limit = options.limit ?? 1000;
    const lists = await Promise.all((await this.queues()).flatMap((q) => (['completed', 'failed'] as const).map(async (state) =>
      (await q.getJobs([state], 0, limit - 1)).filter(isJob).map((job) => toStatus(job, state)))));
    return lists.flat().sort((a, b) => (b.finishedAt ?? 0) - (a.finishedAt ?? 0)).slice(0, limit);
  }

  /** Makes a delayed job (a delay, or a retry's backoff) due now; false when it is not delayed (any more). */
  async promote(id: string): Promise<boolean> {
    const job = await this.find(id);
    if (!job || !(await job.isDelayed())) return false;
    try {
      await job.promote();
      return true;
    } catch {
      return false; // it came due (or was taken) meanwhile
    }
  }

  /** Runs a failed job again, with all its attempts; FLEET_ERR_JOBS_NOT_FOUND / _NOT_FAILED otherwise. */
  async retry(id: string): Promise<JobStatus> {
    const job = await this.find(id);
    if (!job) throw new FleetError('FLEET_ERR_JOBS_NOT_FOUND', `No job has the id '${id}' in the queues of this app. Fix: take the id from "fleet jobs failed" (ids are kept until the job is removed by age).`);
    const state = await job.getState();
    if (state !== 'failed') {
      throw new FleetError('FLEET_ERR_JOBS_NOT_FAILED', `Job '${id}' (${job.name}) is ${STATE[state] ?? state}, not failed: only failed jobs are retried. Fix: wait for it to finish; "fleet jobs status ${id}" shows where it is.`);
    }
    await job.retry('failed', { resetAttemptsMade: true, resetAttemptsStarted: true });
    return (await this.status(id))!;
  }

  /** The job schedulers in Redis (one per @Scheduled method). */
  async schedules(): Promise<ScheduleInfo[]> {
    const queues = await this.queues();
    const lists = await Promise.all(queues.map(async (q) => (await q.getJobSchedulers(0, -1, true)).map((s): ScheduleInfo => ({
      name: s.key, queue: q.name,
      ...(s.pattern ? { pattern: s.pattern } : {}), ...(s.every ? { every: Number(s.every) } : {}),
      ...(s.tz ? { tz: s.tz } : {}), ...(s.next ? { next: Number(s.next) } : {}),
    }))));
    return lists.flat().sort((a, b) => a.name.localeCompare(b.name));
  }

  /** `<queue>:<BullMQ id>` goes straight to its queue; a bare BullMQ id is looked for in every queue. */
  private async find(id: string): Promise<Job | undefined> {
    if (typeof id !== 'string' || id.length === 0) return undefined;
    const queues = await this.queues();
    const parsed = parseJobId(id);
    const queue = parsed && queues.find((q) => q.name === parsed.queue);
    if (queue) return (await queue.getJob(parsed!.bullId)) ?? undefined;
    const jobs = await Promise.all(queues.map((q) => q.getJob(id)));
    return jobs.find((j): j is Job => j !== undefined && j !== null);
  }
}

const PENDING = ['active', 'waiting', 'prioritized', 'delayed', 'waiting-children', 'paused'] as const;
const isJob = (j: Job | undefined | null): j is Job => j !== undefined && j !== null;

function toStatus(job: Job, state: string): JobStatus {
  const status: JobStatus = {
    id: publicJobId(job.queueName, job.id!), name: job.name, queue: job.queueName, state: STATE[state]!, delayed: state === 'delayed',
    attemptsMade: job.attemptsMade, attempts: job.opts.attempts ?? 1,
    progress: (job.progress ?? 0) as JobStatus['progress'], enqueuedAt: job.timestamp,
  };
  if (job.failedReason) status.failedReason = job.failedReason;
  if (state === 'completed') status.returnValue = job.returnvalue;
  if (job.processedOn) status.startedAt = job.processedOn;
  if (job.finishedOn) status.finishedAt = job.finishedOn;
  return status;
}

function toFailed(job: Job): FailedJob {
  return {
    id: publicJobId(job.queueName, job.id!), name: job.name, queue: job.queueName, attemptsMade: job.attemptsMade, failedReason: job.failedReason ?? '',
    stacktrace: job.stacktrace ?? [], args: decodeArgs(job.data as JobData | undefined), enqueuedAt: job.timestamp,
    ...(job.finishedOn ? { failedAt: job.finishedOn } : {}),
  };
}
