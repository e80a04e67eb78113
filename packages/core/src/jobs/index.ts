export { Async, Scheduled, CurrentJob } from './decorators.js';
export type { AsyncOptions, ScheduledOptions, Schedule, JobBackoff } from './job-options.js';
export { enqueued, type JobRef, type JobContext, type JobState, type JobStatus, type PendingJob, type FailedJob, type ScheduleInfo } from './job-types.js';
export { Jobs } from './jobs.js';
export { JobsModule } from './jobs.module.js';
export { JobsConfig } from './jobs-config.js';
export { openJobsAdmin, type JobsAdmin } from './jobs-admin.js';
export { SLOW_REQUEST_MS } from './slow-requests.js';
