import type { FleetError } from '../errors.js';
import type { ResolvedJobOptions, ResolvedSchedule } from './job-options.js';

/** What `@Async`, `@Scheduled` and `@CurrentJob` record on one method, at decoration time. @internal */
export interface JobMethodMeta {
  /** Set by @Async: calling the method enqueues. */
  async?: ResolvedJobOptions;
  /** Set by @Scheduled: a job scheduler runs the method on every tick. */
  scheduled?: { job: ResolvedJobOptions; schedule: ResolvedSchedule };
  /** Index of the `@CurrentJob()` parameter, or -1. */
  jobIndex: number;
  /** Option problems, reported together at boot. */
  problems: FleetError[];
}

const byClass = new WeakMap<Function, Map<string, JobMethodMeta>>();

/** @internal */
export function jobMethodMeta(prototype: object, method: string | symbol): JobMethodMeta {
  const ctor = prototype.constructor;
  let methods = byClass.get(ctor);
  if (!methods) byClass.set(ctor, (methods = new Map()));
  let meta = methods.get(String(method));
  if (!meta) methods.set(String(method), (meta = { jobIndex: -1, problems: [] }));
  return meta;
}

/**
 * The job methods of an instance, walking its class chain (a subclass that overrides a method
 * without decorators drops the parent's). Read once per instance at boot; a plain WeakMap lookup
 * per class, so apps without jobs pay nothing more.
 * @internal
 */
export function readJobMethods(instance: object): Map<string, JobMethodMeta> | undefined {
  let found: Map<string, JobMethodMeta> | undefined;
  const shadowed = new Set<string>();
  for (let proto = Object.getPrototypeOf(instance); proto && proto !== Object.prototype; proto = Object.getPrototypeOf(proto)) {
    const methods = byClass.get(proto.constructor);
    for (const [name, meta] of methods ?? []) {
      if (shadowed.has(name)) continue;
      if (!meta.async && !meta.scheduled && meta.problems.length === 0) continue;
      (found ??= new Map()).set(name, meta);
    }
    for (const name of Object.getOwnPropertyNames(proto)) shadowed.add(name);
  }
  return found;
}
