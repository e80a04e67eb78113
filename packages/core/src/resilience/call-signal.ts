import type { AbortLike } from '../time/clock.js';

/**
 * How a pipeline tells its inner stages that a call is over (the caller aborted, or @Timeout
 * expired). It is cheaper than an AbortSignal (about 2.7 us to create on Node 20): a real
 * AbortSignal is made only when the method asks for one with `@Signal()`.
 * @internal
 */
export interface CallSignal extends AbortLike {
  /** A real AbortSignal that aborts with this call, for the method (`fetch(url, { signal })`). */
  toAbortSignal(): AbortSignal;
}

/** The caller's own AbortSignal (passed in the `@Signal()` argument), seen as a CallSignal. */
export class ExternalSignal implements CallSignal {
  constructor(private readonly signal: AbortSignal) {}
  get aborted(): boolean { return this.signal.aborted; }
  get reason(): unknown { return this.signal.reason; }
  onAbort(fn: (reason: unknown) => void): () => void {
    const listener = () => fn(this.signal.reason);
    this.signal.addEventListener('abort', listener, { once: true });
    return () => this.signal.removeEventListener('abort', listener);
  }
  toAbortSignal(): AbortSignal { return this.signal; }
}

/** The caller's signal if the argument is one (anything else, e.g. undefined, means no signal). */
export function callerSignal(arg: unknown): CallSignal | undefined {
  return arg instanceof AbortSignal ? new ExternalSignal(arg) : undefined;
}
