import { describe, expect, it } from 'vitest';
import { dedupeIdFor, parseJobId, publicJobId } from './job-id.js';
import { resolveAsyncOptions, resolveScheduledOptions } from './job-options.js';

const codeOf = (fn: () => unknown) => {
  try { fn(); } catch (e) { return { code: (e as { code: string }).code, message: (e as Error).message }; }
  return undefined;
};

describe('@Async and @Scheduled options', () => {
  it('resolves defaults once: queue default, 3 attempts, exponential backoff from 1 s with jitter', () => {
    expect(resolveAsyncOptions({}, 'A.m')).toEqual({ name: 'A.m', queue: 'default', attempts: 3, backoff: { type: 'exponential', delay: 1000, jitter: 0.5 }, delayMs: 0 });
    const o = resolveAsyncOptions({ queue: 'pdf', attempts: 5, backoff: { type: 'fixed', delay: '2s', jitter: 0 }, priority: 1, delay: '1m', timeout: '30s', name: 'Billing.pdf' }, 'A.m');
    expect(o).toMatchObject({ name: 'Billing.pdf', queue: 'pdf', attempts: 5, backoff: { type: 'fixed', delay: 2000, jitter: 0 }, priority: 1, delayMs: 60_000, timeoutMs: 30_000 });
    expect(Object.isFrozen(o)).toBe(true);
  });

  it.each([
    [{ attempts: 0 }, 'attempts must be an integer from 1'],
    [{ queue: 'a b' }, 'queue must be 1-200'],
    [{ backoff: { type: 'linear' } }, "backoff.type must be 'exponential' or 'fixed'"],
    [{ backoff: { jitter: 2 } }, 'backoff.jitter must be a fraction'],
    [{ delay: '5 sec' }, 'delay must be milliseconds'],
    [{ priority: 0 }, 'priority must be an integer from 1 to 2097152'],
    [{ timeout: 0 }, 'timeout must be more than 0 ms'],
    [{ dedupeKey: '' }, 'dedupeKey must be a non-empty string'],
  ])('refuses %o naming the method', (options, message) => {
    const e = codeOf(() => resolveAsyncOptions(options as never, 'Orders.email'));
    expect(e?.code).toBe('FLEET_ERR_JOBS_INVALID_OPTIONS');
    expect(e?.message).toContain('@Async on Orders.email: ');
    expect(e?.message).toContain(message);
  });

  it('takes a cron pattern (with a time zone) or an interval, and refuses anything else', () => {
    expect(resolveScheduledOptions('*/5 * * * *', {}, 'A.t').schedule.repeat).toEqual({ pattern: '*/5 * * * *' });
    expect(resolveScheduledOptions('0 0 9 * * MON-FRI', { tz: 'Europe/Paris' }, 'A.t').schedule.repeat).toEqual({ pattern: '0 0 9 * * MON-FRI', tz: 'Europe/Paris' });
    expect(resolveScheduledOptions({ every: '30s' }, {}, 'A.t')).toMatchObject({ schedule: { repeat: { every: 30_000 } }, job: { attempts: 1 } });
    expect(codeOf(() => resolveScheduledOptions('every five minutes', {}, 'A.t'))?.message).toContain('is not a cron pattern');
    expect(codeOf(() => resolveScheduledOptions({ every: 10 }, {}, 'A.t'))?.message).toContain('at least 100 ms');
    expect(codeOf(() => resolveScheduledOptions({ every: '1m' }, { tz: 'UTC' }, 'A.t'))?.message).toContain('tz applies to cron patterns only');
  });

  it('derives dedupe job ids from the key, encoding what BullMQ refuses in ids; app ids carry the queue', () => {
    expect(dedupeIdFor('Orders.email', (id: unknown) => `order:${String(id)}`, ['42'], 'Orders.email')).toBe('Orders.email!order%3A42');
    expect(dedupeIdFor('Orders.email', 'once', [], 'Orders.email')).toBe('Orders.email!once');
    expect(dedupeIdFor('A.m', undefined, [], 'A.m')).toBeUndefined();
    expect(codeOf(() => dedupeIdFor('A.m', () => '' as string, [], 'A.m'))?.code).toBe('FLEET_ERR_JOBS_INVALID_OPTIONS');
    expect(publicJobId('pdf', '17')).toBe('pdf:17');
    expect(parseJobId('default:repeat:Work.tick:1700000000000')).toEqual({ queue: 'default', bullId: 'repeat:Work.tick:1700000000000' });
    expect(parseJobId('17')).toBeUndefined();
  });
});
