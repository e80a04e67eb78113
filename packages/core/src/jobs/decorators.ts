import { FleetError } from '../errors.js';
import type { AsyncMethodDecorator } from '../resilience/decorators.js';
import { resolveAsyncOptions, resolveScheduledOptions, type AsyncOptions, type Schedule, type ScheduledOptions } from './job-options.js';
import { jobMethodMeta, type JobMethodMeta } from './metadata.js';

// Decorators only record resolved options; at boot the jobs step installs an enqueuer in place of
// each @Async method and registers each method with the workers and job schedulers.

function record(target: object, key: string | symbol, decorator: string, apply: (meta: JobMethodMeta, where: string) => void): void {
  const where = `${(target.constructor as Function).name}.${String(key)}`;
  const meta = jobMethodMeta(target, key);
  try {
    apply(meta, where);
  } catch (error) {
    meta.problems.push(error instanceof FleetError ? error : new FleetError('FLEET_ERR_JOBS_INVALID_OPTIONS', `${decorator} on ${where}: ${String(error)}`));
  }
}

/**
 * Moves a method off the request path: calling it checks that the arguments survive JSON,
 * enqueues a job (BullMQ, on the app's Redis) and resolves to `{ jobId }` at once. A worker
 * instance runs the real method later, with its other decorators applied there; at least once,
 * retried with backoff, and kept in the failed list after its last attempt. Needs JobsModule.
 *
 * ```ts
 * @Async({ attempts: 5, backoff: { type: 'exponential', delay: '1s' } })
 * async sendConfirmationEmail(orderId: string) { ... }   // this.sendConfirmationEmail(id) // => { jobId }
 * ```
 */
export function Async(options: AsyncOptions = {}): AsyncMethodDecorator {
  return (target, key) => record(target, key, '@Async', (meta, where) => {
    if (meta.async) throw new FleetError('FLEET_ERR_JOBS_INVALID_OPTIONS', `@Async is applied twice to ${where}. Fix: keep one (merge the options).`);
    meta.async = resolveAsyncOptions(options, where);
  });
}

/**
 * Runs the method on a schedule, exactly once per tick across the fleet: it is registered at boot
 * as a BullMQ job scheduler (one per method, in Redis), and whichever worker takes the tick's job
 * runs it. Changing or removing the decorator updates or removes the schedule at the next boot.
 *
 * ```ts
 * @Scheduled('*\/5 * * * *')            // cron: every 5 minutes
 * @Scheduled({ every: '30s' })           // a fixed interval
 * ```
 */
export function Scheduled(schedule: Schedule, options: ScheduledOptions = {}): AsyncMethodDecorator {
  return (target, key) => record(target, key, '@Scheduled', (meta, where) => {
    if (meta.scheduled) throw new FleetError('FLEET_ERR_JOBS_INVALID_OPTIONS', `@Scheduled is applied twice to ${where}. Fix: keep one schedule per method.`);
    meta.scheduled = resolveScheduledOptions(schedule, options, where);
  });
}

/**
 * Marks the parameter that receives the running job (`JobContext`: id, attempt, `progress()`, an
 * AbortSignal) when a worker runs the method. Callers leave it out: it is not enqueued. Put it last.
 */
export function CurrentJob(): ParameterDecorator {
  return (target, key, index) => {
    if (key === undefined) {
      throw new FleetError('FLEET_ERR_JOBS_INVALID_OPTIONS', `@CurrentJob() is on a constructor parameter of ${(target as Function).name}; it belongs on a parameter of an @Async or @Scheduled method.`);
    }
    jobMethodMeta(target, key).jobIndex = index;
  };
}
