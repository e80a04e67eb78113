import { FleetError } from '../errors.js';

/**
 * Job ids are `<queue>:<BullMQ id>`: unique across the app's queues, and `jobs.status(id)` goes
 * straight to the queue. The BullMQ id is BullMQ's own counter (a custom id costs BullMQ about
 * 2-3 us more per add), or, with `dedupeKey`, `<job name>!<key>` (BullMQ ignores a second add with
 * an id it has). BullMQ refuses ':' in ids, so ':' and '%' in keys are percent-encoded. @internal
 */
export function dedupeIdFor(name: string, dedupeKey: string | ((...args: unknown[]) => string) | undefined, args: unknown[], where: string): string | undefined {
  if (dedupeKey === undefined) return undefined;
  const key = typeof dedupeKey === 'string' ? dedupeKey : dedupeKey(...args);
  if (typeof key !== 'string' || key.length === 0 || key.length > 512) {
    throw new FleetError('FLEET_ERR_JOBS_INVALID_OPTIONS',
      `The dedupeKey function of @Async on ${where} returned ${JSON.stringify(key)}. Fix: return a non-empty string of at most 512 characters built from the arguments, e.g. (orderId) => orderId.`);
  }
  return `${name}!${key.replace(/[%:]/g, (c) => (c === '%' ? '%25' : '%3A'))}`;
}

/** The app's id of a BullMQ job. @internal */
export function publicJobId(queue: string, bullId: string): string {
  return `${queue}:${bullId}`;
}

/** The queue and BullMQ id of an app job id; undefined when it has no queue part. @internal */
export function parseJobId(id: string): { queue: string; bullId: string } | undefined {
  const at = id.indexOf(':');
  return at > 0 && at < id.length - 1 ? { queue: id.slice(0, at), bullId: id.slice(at + 1) } : undefined;
}
