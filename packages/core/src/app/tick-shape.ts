import { executionAsyncResource } from 'node:async_hooks';

/**
 * One of Node's own `process.nextTick` objects, kept alive for the life of the process.
 *
 * Why (decision 090): Node builds each tick as an object literal whose keys are added one by one
 * (`{ [async_id_symbol], [trigger_async_id_symbol], callback, args }`), so V8 gives it a chain
 * of hidden classes that only live instances keep alive. When the process idles (after boot,
 * between bursts), no tick object is alive; a garbage collection then drops that chain and the
 * next tick gets a new one. After a few such rounds the inline caches of `nextTick` and of the
 * tick loop have seen several shapes for the same object and stay polymorphic/megamorphic for
 * the rest of the process: every tick costs 3-5x more (0.08 µs -> 0.3-0.5 µs) and a small request
 * 10-15% more CPU. Measured on Node 20 (see docs/benchmarks.md, "The nextTick cliff"): production
 * Fleet processes fell off in 5 of 8 launches without this, 0 of 8 with it. One retained object
 * of four fields is the whole cost; nothing runs per request.
 */
let kept: object | undefined;

/** Keeps one tick object alive (once per process); later calls do nothing. */
export function keepTickObjectShape(): void {
  if (kept !== undefined) return;
  kept = {};
  // Inside a nextTick callback the execution resource is that tick's own object.
  process.nextTick(() => { kept = executionAsyncResource(); });
}

/** The kept tick object (for the test that checks it is one of Node's tick objects). */
export function keptTickObject(): object | undefined {
  return kept;
}
