import type { ResolvedRetryOptions } from './retry-options.js';

type BackoffOptions = Pick<ResolvedRetryOptions, 'backoff' | 'baseMs' | 'capMs' | 'jitter'>;

/**
 * The delay before retry number `retry` (1 for the first retry), in ms: capped, then jittered.
 * Pure, so the sequence is tested without waiting: `backoffDelay(3, o, () => 1)` is the upper bound.
 */
export function backoffDelay(retry: number, o: BackoffOptions, random: () => number = Math.random): number {
  const raw = o.backoff === 'constant' ? o.baseMs : o.baseMs * 2 ** (retry - 1);
  const delay = raw < o.capMs ? raw : o.capMs;
  switch (o.jitter) {
    case 'full': return random() * delay;
    case 'equal': return delay / 2 + (random() * delay) / 2;
    default: return delay;
  }
}

/** The first `count` delays (for docs, tests and `fleet` tooling). */
export function backoffDelays(count: number, o: BackoffOptions, random: () => number = Math.random): number[] {
  return Array.from({ length: count }, (_, i) => backoffDelay(i + 1, o, random));
}
