import { FleetError } from '../errors.js';

/** Implemented by providers that need to do work after the graph is built (connect, warm up). */
export interface OnInit { onInit(): unknown }
/** Implemented by providers that hold resources to release on shutdown (close pools, flush). */
export interface OnShutdown { onShutdown(): unknown }

/** One hook's outcome, reported by name. */
export interface HookResult {
  name: string;
  hook: 'onInit' | 'onShutdown';
  outcome: 'ok' | 'failed' | 'timeout' | 'skipped';
  ms: number;
  error?: unknown;
  /** The instance the hook belongs to. */
  instance: unknown;
}

export interface HookTarget { name: string; instance: any; dependsOn: Set<any> }

/** Runs `fn` and settles within `deadlineMs`: the timer is unref'd so it never holds the process. */
async function withDeadline(fn: () => unknown, deadlineMs: number): Promise<'ok' | 'timeout'> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((resolve) => { timer = setTimeout(resolve, deadlineMs, 'timeout'); timer.unref(); });
  try {
    return await Promise.race([Promise.resolve().then(fn).then(() => 'ok' as const), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Runs one hook per target, in the given order, each under its own deadline. A failing or
 * hanging hook is recorded by name and the others still run; for onInit, a provider whose
 * dependency failed is skipped (it would start on a broken dependency).
 */
export async function runHooks(targets: HookTarget[], hook: 'onInit' | 'onShutdown', deadlineMs: number,
  runAs: <T>(name: string, fn: () => T) => T = (_n, fn) => fn(), onStart?: (name: string) => void): Promise<HookResult[]> {
  const results: HookResult[] = [];
  const broken = new Set<any>();
  for (const t of targets) {
    // A provider on a broken dependency is broken too, hook or not, so the breakage propagates.
    const onBroken = hook === 'onInit' && [...t.dependsOn].some((d) => broken.has(d));
    if (onBroken) broken.add(t.instance);
    if (typeof t.instance?.[hook] !== 'function') continue;
    if (onBroken) {
      results.push({ name: t.name, hook, outcome: 'skipped', ms: 0, instance: t.instance });
      continue;
    }
    const started = performance.now();
    onStart?.(`${t.name}.${hook}()`);
    try {
      const outcome = await withDeadline(() => runAs(t.name, () => t.instance[hook]()), deadlineMs);
      results.push({ name: t.name, hook, outcome, ms: performance.now() - started, instance: t.instance,
        ...(outcome === 'timeout' ? { error: new FleetError('FLEET_ERR_LIFECYCLE_HOOK_TIMEOUT', `${t.name}.${hook}() did not finish within ${deadlineMs} ms`) } : {}) });
      if (outcome === 'timeout') broken.add(t.instance);
    } catch (error) {
      broken.add(t.instance);
      results.push({ name: t.name, hook, outcome: 'failed', ms: performance.now() - started, error, instance: t.instance });
    }
  }
  return results;
}

/** A one-paragraph report of the hooks that did not succeed. */
export function describeHookFailures(results: HookResult[]): string {
  return results.filter((r) => r.outcome !== 'ok').map((r) => {
    const why = r.outcome === 'timeout' ? `timed out after ${Math.round(r.ms)} ms`
      : r.outcome === 'skipped' ? 'skipped: a dependency failed to initialise'
        : `failed: ${r.error instanceof Error ? r.error.message : String(r.error)}`;
    return `  - ${r.name}.${r.hook}() ${why}`;
  }).join('\n');
}
