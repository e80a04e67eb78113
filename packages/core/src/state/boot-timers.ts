import { AsyncLocalStorage } from 'node:async_hooks';

/** A timer a provider created while it was built or initialised. */
export interface BootTimer {
  owner: string;
  kind: 'setInterval' | 'setTimeout';
  /** Where user code created it (`file:line`), when the stack shows it. */
  site?: string;
  handle: NodeJS.Timeout;
  cleared: boolean;
}

const owner = new AsyncLocalStorage<string>();
const timers: BootTimer[] = [];
let active = 0;
let originals: { setInterval: typeof setInterval; setTimeout: typeof setTimeout; clearInterval: typeof clearInterval; clearTimeout: typeof clearTimeout } | undefined;

/** Runs `fn` with timers it creates (synchronously or in its async continuation) attributed to `name`. */
export function runAs<T>(name: string, fn: () => T): T {
  return active > 0 ? owner.run(name, fn) : fn();
}

/**
 * Watches timer creation during boot only: the global timer functions are wrapped while at
 * least one app boots and restored afterwards, so requests never pay for it.
 */
export function startWatchingTimers(): () => BootTimer[] {
  if (active++ === 0) {
    originals = { setInterval, setTimeout, clearInterval, clearTimeout };
    const o = originals;
    const track = (kind: BootTimer['kind'], create: (...a: any[]) => NodeJS.Timeout) => function (this: unknown, ...args: any[]) {
      const handle = create.apply(this, args);
      const name = owner.getStore();
      if (name !== undefined) {
        const site = userSite(new Error().stack);
        if (site !== null) timers.push({ owner: name, kind, site, handle, cleared: false });
      }
      return handle;
    };
    const untrack = (clear: (h: any) => void) => (h: any) => {
      for (const t of timers) if (t.handle === h) t.cleared = true;
      clear(h);
    };
    globalThis.setInterval = Object.assign(track('setInterval', o.setInterval as any), o.setInterval) as typeof setInterval;
    globalThis.setTimeout = Object.assign(track('setTimeout', o.setTimeout as any), o.setTimeout) as typeof setTimeout;
    globalThis.clearInterval = untrack(o.clearInterval) as typeof clearInterval;
    globalThis.clearTimeout = untrack(o.clearTimeout) as typeof clearTimeout;
  }
  const start = timers.length;
  return () => {
    const mine = timers.slice(start);
    if (--active === 0 && originals) {
      Object.assign(globalThis, originals);
      originals = undefined;
      timers.length = 0;
      // Leaves Node 20's promise hooks off after boot: an AsyncLocalStorage left enabled makes
      // every await of the process slower (about 35 -> 105 ns), which only RequestContext may cost.
      owner.disable();
    }
    return mine;
  };
}

/** Whether a timer is still scheduled: cleared, fired one-shot timers are not. */
export function isPending(t: BootTimer): boolean {
  if (t.cleared) return false;
  const h = t.handle as NodeJS.Timeout & { _destroyed?: boolean };
  return typeof h.hasRef === 'function' ? h._destroyed !== true : true;
}

/**
 * The first stack frame outside this file; `null` when that frame is inside node_modules (a
 * library's own timers, e.g. a pool's idle timeout, are not the provider's scheduler).
 */
function userSite(stack: string | undefined): string | undefined | null {
  const frames = (stack ?? '').split('\n').slice(1).map((l) => l.trim()).filter((l) => l.startsWith('at ') && !l.includes('boot-timers.'));
  const first = frames[0];
  if (!first) return undefined;
  if (first.includes('/node_modules/') || first.includes('node:internal')) return null;
  const m = /\(?((?:file:\/\/)?[^\s()]+:\d+):\d+\)?$/.exec(first);
  return m ? m[1]!.replace(/^file:\/\//, '') : undefined;
}
