import type { FastifyInstance } from 'fastify';
import type { Tracer } from '@opentelemetry/api';
import { FleetError, throwAll } from '../errors.js';
import type { AppOptions } from '../app/options.js';
import type { Container } from '../di/container.js';
import { Database } from '../data/database.js';
import { kPipeline, type PipelineDescription } from '../resilience/describe-pipeline.js';
import { readResilience } from '../resilience/metadata.js';
import { fleetTracer, tracingRegistered } from '../telemetry/telemetry.js';
import { makeEnqueuer } from './enqueue.js';
import type { JobEntry } from './job-entry.js';
import { Jobs } from './jobs.js';
import { JobsMetrics } from './jobs-metrics.js';
import { readJobMethods } from './metadata.js';
import type { JobsRuntime } from './runtime.js';
import { installSlowRequestAdvisory, slowRequestThreshold } from './slow-requests.js';

/**
 * The boot step of jobs, after the resilience pipelines are installed and before the state guard
 * freezes singletons: finds every @Async and @Scheduled method of the built providers, reports
 * every problem at once (options, a missing JobsModule, two methods with one job name), then
 * lets `Jobs` load BullMQ, install an enqueuer in place of each @Async method and sync the
 * schedules; worker instances start their workers when the app is ready. Also installs the
 * slow-request advisory. Apps without JobsModule and
 * without job methods load nothing more.
 */
/** Installs the job methods; returns the instance's role (`FLEET_ROLE`), or undefined without JobsModule. */
export async function installJobs(container: Container, fastify: FastifyInstance, options: AppOptions): Promise<'web' | 'worker' | 'all' | undefined> {
  installSlowRequestAdvisory(fastify, slowRequestThreshold(options.env ?? process.env), healthPaths(options), options.logger !== false);
  const { entries, declared, problems, database } = findJobMethods(container);
  const jobs = provided(container);
  if (declared.length > 0 && !jobs) {
    problems.push(new FleetError('FLEET_ERR_JOBS_MODULE_REQUIRED', `${declared.join(', ')} ${declared.length === 1 ? 'is a job method' : 'are job methods'} (@Async/@Scheduled), ` +
      'but JobsModule is not imported: nothing would enqueue or run them. Fix: import JobsModule (from @fleet/core) in the root module or the module of these providers.'));
  }
  throwAll([...new Set(problems)]);
  if (!jobs) return undefined;

  const tracer = tracingRegistered() ? fleetTracer() : undefined;
  await jobs.start({
    entries,
    processor: { log: fastify.log, ...(tracer ? { tracer } : {}), ...(database ? { database } : {}) },
    install: (runtime, entry) => installEnqueuer(runtime, entry, tracer, database),
  });
  // Workers take jobs once the app is ready (listen() or ready()). On shutdown they stop taking
  // jobs when the listener starts closing, and their running jobs end (or are put back) before any
  // onShutdown hook closes what those jobs use (pools, clients).
  fastify.addHook('onReady', async () => { await jobs.startWorkers(); });
  fastify.addHook('preClose', (done) => { void jobs.stopWorkers(); done(); });
  fastify.addHook('onClose', async () => { await jobs.stopWorkers(); });
  return jobs.role;
}

/** Every job method of the built providers (one entry per job name), and the problems found. */
function findJobMethods(container: Container): { entries: JobEntry[]; declared: string[]; problems: FleetError[]; database?: Database } {
  const problems: FleetError[] = [];
  const byName = new Map<string, JobEntry>();
  const declared = new Set<string>();
  let database: Database | undefined;
  for (const { instance } of container.built) {
    if (typeof instance !== 'object' || instance === null) continue;
    if (instance instanceof Database) database ??= instance;
    const found = readJobMethods(instance);
    if (!found) continue;
    const className = (instance.constructor as Function).name;
    // Read on a bare object of the class: the installed pipelines shadow the prototype's methods.
    const pipelines = readResilience(Object.create(Object.getPrototypeOf(instance) as object) as object);
    for (const [method, meta] of found) {
      problems.push(...meta.problems);
      const where = `${className}.${method}`;
      declared.add(where);
      const jobOptions = meta.async ?? meta.scheduled?.job;
      const run = (instance as Record<string, unknown>)[method];
      if (!jobOptions || typeof run !== 'function') continue;
      const first = byName.get(jobOptions.name);
      if (first && first.instance.constructor === instance.constructor) { first.instances.push(instance); continue; } // a transient class
      if (first) {
        problems.push(new FleetError('FLEET_ERR_JOBS_DUPLICATE_NAME', `${first.where} and ${where} both use the job name '${jobOptions.name}': a worker could not tell which to run. ` +
          "Fix: give one of them another name ({ name: 'Billing.sendInvoice' }), or rename one of the classes."));
        continue;
      }
      if (meta.async && meta.scheduled && meta.async.queue !== meta.scheduled.job.queue) {
        problems.push(new FleetError('FLEET_ERR_JOBS_INVALID_OPTIONS', `@Async and @Scheduled on ${where} name different queues ('${meta.async.queue}', '${meta.scheduled.job.queue}'). Fix: give both the same queue.`));
      }
      byName.set(jobOptions.name, {
        name: jobOptions.name, where, queue: jobOptions.queue, instance, instances: [instance], method, run: run as JobEntry['run'],
        jobIndex: meta.jobIndex, signalIndex: pipelines?.get(method)?.signalIndex ?? -1, options: jobOptions,
        enqueues: meta.async !== undefined, ...(meta.scheduled ? { schedule: meta.scheduled.schedule } : {}),
        attributes: JobsMetrics.attributes(jobOptions.name, jobOptions.queue),
      });
    }
  }
  return { entries: [...byName.values()], declared: [...declared], problems, ...(database ? { database } : {}) };
}

/** Defines the enqueuer as the method on each instance; `describePipeline` shows `Async` then the worker's stages. */
function installEnqueuer(runtime: JobsRuntime, entry: JobEntry, tracer: Tracer | undefined, database: Database | undefined): void {
  const enqueue = makeEnqueuer(entry, {
    queue: runtime.queue(entry.queue), metrics: runtime.metrics, keep: runtime.keep,
    ...(tracer ? { tracer } : {}), ...(database ? { consistency: database } : {}),
  });
  const stages = (entry.run as { [kPipeline]?: PipelineDescription })[kPipeline]?.stages ?? ['method'];
  Object.defineProperty(enqueue, 'name', { value: entry.method });
  (enqueue as unknown as { [kPipeline]: PipelineDescription })[kPipeline] = Object.freeze({ method: entry.where, stages: Object.freeze(['Async', ...stages]) });
  for (const instance of entry.instances) Object.defineProperty(instance, entry.method, { value: enqueue, writable: true, configurable: true, enumerable: false });
}

function provided(container: Container): Jobs | undefined {
  try {
    return container.get(Jobs);
  } catch {
    return undefined;
  }
}

function healthPaths(options: AppOptions): Set<string> {
  if (options.health === false) return new Set();
  const h = options.health ?? {};
  return new Set([h.livePath ?? '/health/live', h.readyPath ?? '/health/ready', h.startupPath ?? '/health/startup']);
}
