import { describe, expect, it } from 'vitest';
import { ManualClock } from '@fleet/testing';
import { DeadlineTicker } from './deadline-ticker.js';

const never = () => new Promise<never>(() => {});

describe('DeadlineTicker', () => {
  it('expires calls at their deadline with one timer for the whole queue, and stops when idle', async () => {
    const clock = new ManualClock();
    const ticker = new DeadlineTicker(clock);
    const queue = ticker.queue(100, () => new Error('late'));
    const results: string[] = [];
    for (let i = 0; i < 50; i++) void queue.race(never, null, null, undefined).catch((e: Error) => { results.push(e.message); });
    expect(clock.pendingTimers).toBe(1);
    await clock.advance(99);
    expect(results).toHaveLength(0);
    await clock.advance(1);
    expect(results).toHaveLength(50);
    expect(ticker.inFlight).toBe(0);
    expect(clock.pendingTimers).toBe(0);
  });

  it('drops finished calls at once; a later deadline re-arms the timer only when it fires', async () => {
    const clock = new ManualClock();
    const ticker = new DeadlineTicker(clock);
    const queue = ticker.queue(100, () => new Error('late'));
    await expect(queue.race(async () => 'ok', null, null, undefined)).resolves.toBe('ok');
    expect(queue.size).toBe(0);
    await clock.advance(50);
    const late = queue.race(never, null, null, undefined).catch((e: Error) => e.message);
    await clock.advance(50); // the first call's timer fires; the new head is due at 150
    expect(clock.pendingTimers).toBe(1);
    await clock.advance(50);
    await expect(late).resolves.toBe('late');
  });

  it('a call that finishes behind a slow one is let go at once (nothing retained until the slow one expires)', async () => {
    const clock = new ManualClock();
    const queue = new DeadlineTicker(clock).queue(100, () => new Error('late'));
    const slow = queue.race(never, null, null, undefined).catch((e: Error) => e.message);
    await Promise.all(Array.from({ length: 100 }, (_, i) => queue.race(async () => i, null, null, undefined)));
    expect(queue.size).toBe(1);
    await clock.advance(100);
    await expect(slow).resolves.toBe('late');
    expect(queue.size).toBe(0);
  });

  it('queues with shorter timeouts re-arm the shared timer earlier', async () => {
    const clock = new ManualClock();
    const ticker = new DeadlineTicker(clock);
    const slow = ticker.queue(1000, () => new Error('slow'));
    const fast = ticker.queue(10, () => new Error('fast'));
    const a = slow.race(never, null, null, undefined).catch((e: Error) => e.message);
    const b = fast.race(never, null, null, undefined).catch((e: Error) => e.message);
    await clock.advance(10);
    await expect(b).resolves.toBe('fast');
    await clock.advance(990);
    await expect(a).resolves.toBe('slow');
  });

  it("aborts the signal it hands to the work, and follows the caller's abort", async () => {
    const clock = new ManualClock();
    const queue = new DeadlineTicker(clock).queue(100, () => new Error('late'));
    let seen: AbortSignal | undefined;
    const timed = queue.race((_s, _a, signal) => { seen = signal.toAbortSignal(); return never(); }, null, null, undefined).catch((e: Error) => e.message);
    await clock.advance(100);
    await expect(timed).resolves.toBe('late');
    expect(seen?.aborted).toBe(true);

    const listeners: Array<(r: unknown) => void> = [];
    const parent = { aborted: false, reason: undefined as unknown, onAbort: (fn: (r: unknown) => void) => { listeners.push(fn); return () => {}; }, toAbortSignal: () => new AbortController().signal };
    const child = queue.race(never, null, null, parent).catch((e: unknown) => e);
    listeners.forEach((fn) => fn('caller gave up'));
    await expect(child).resolves.toBe('caller gave up');
  });
});
