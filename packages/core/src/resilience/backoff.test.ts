import { describe, expect, it } from 'vitest';
import { backoffDelay, backoffDelays } from './backoff.js';
import { resolveRetryOptions } from './retry-options.js';

describe('backoff', () => {
  const o = resolveRetryOptions({ base: '100ms', cap: '1s', jitter: 'none' }, 'A.b');

  it('doubles from base and stops at cap', () => {
    expect(backoffDelays(6, o)).toEqual([100, 200, 400, 800, 1000, 1000]);
    expect(backoffDelay(60, o)).toBe(1000); // no overflow far out
  });

  it('constant backoff stays at base', () => {
    expect(backoffDelays(3, { ...o, backoff: 'constant' })).toEqual([100, 100, 100]);
  });

  it('full jitter is uniform in [0, delay], equal jitter in [delay/2, delay]', () => {
    const full = { ...o, jitter: 'full' as const };
    const equal = { ...o, jitter: 'equal' as const };
    expect(backoffDelays(6, full, () => 0)).toEqual([0, 0, 0, 0, 0, 0]);
    expect(backoffDelays(6, full, () => 0.999999).map(Math.round)).toEqual([100, 200, 400, 800, 1000, 1000]);
    expect(backoffDelays(4, equal, () => 0)).toEqual([50, 100, 200, 400]);
    for (let retry = 1; retry <= 8; retry++) {
      const cap = Math.min(1000, 100 * 2 ** (retry - 1));
      for (let i = 0; i < 500; i++) {
        const d = backoffDelay(retry, full);
        expect(d).toBeGreaterThanOrEqual(0);
        expect(d).toBeLessThanOrEqual(cap);
        const e = backoffDelay(retry, equal);
        expect(e).toBeGreaterThanOrEqual(cap / 2);
        expect(e).toBeLessThanOrEqual(cap);
      }
    }
  });

  it('resolves the defaults once: 5 attempts, 60 s, exponential from 100 ms to 10 s, full jitter', () => {
    const d = resolveRetryOptions({}, 'A.b');
    expect(d).toMatchObject({ maxAttempts: 5, maxTimeMs: 60_000, backoff: 'exponential', baseMs: 100, capMs: 10_000, jitter: 'full' });
    expect(Object.isFrozen(d)).toBe(true);
    expect(() => resolveRetryOptions({ maxAttempts: 0 }, 'A.b')).toThrow(/@Retry on A.b: maxAttempts must be an integer >= 1/);
    expect(() => resolveRetryOptions({ base: '2s', cap: '1s' }, 'A.b')).toThrow(/cap \(1000 ms\) is smaller than base/);
  });
});
