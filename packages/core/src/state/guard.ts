import { FleetError } from '../errors.js';
import { classOptOut, fieldOptOut, isFrameworkOwned } from './allow-state.js';
import { isPending, type BootTimer } from './boot-timers.js';
import { freezeSingleton } from './freeze.js';
import { fixFor, inspectInstance, isResource, type StateViolation } from './inspect.js';

/** A singleton as the guard sees it. */
export interface GuardTarget {
  module: string;
  name: string;
  cls?: Function;
  instance: unknown;
  /** `value` providers are given, not built: only containers of state (Map, array...) are reported. */
  kind: 'class' | 'factory' | 'value' | 'existing';
}

/** An explicit `@AllowState` opt-out, reported at boot and by `fleet doctor`. */
export interface StateOptOut {
  module: string;
  className: string;
  field?: string;
  reason: string;
}

export interface GuardReport {
  violations: StateViolation[];
  optOuts: StateOptOut[];
}

/**
 * The statelessness guard: after every singleton is built and initialised, report each piece
 * of state that would live between requests (fields holding Maps, arrays, mutable objects,
 * caches; timers created during boot), then freeze what passed.
 */
export function inspectSingletons(targets: GuardTarget[], timers: BootTimer[]): GuardReport {
  const known = new Set<unknown>(targets.map((t) => t.instance));
  const violations: StateViolation[] = [];
  const optOuts: StateOptOut[] = [];
  const byName = new Map<string, GuardTarget>();
  for (const t of targets) {
    if (t.kind === 'existing' || typeof t.instance !== 'object' || t.instance === null) continue;
    if (t.kind === 'value' || t.kind === 'factory') {
      // Given or factory-made objects are often library clients: only a provided Map, array or
      // cache is reported (a plain options object is configuration, a pool is a resource).
      if (isResource(t.instance as object)) continue;
      const v = inspectInstance({ value: t.instance }, Object, t.module, new Set()).filter((x) => x.kind !== 'object');
      for (const x of v) violations.push({ ...x, className: t.name, field: '(provided value)', fix: fixFor(x.kind, t.name) });
      continue;
    }
    const cls = t.cls ?? (t.instance as object).constructor;
    byName.set(t.name, t);
    if (isFrameworkOwned(cls)) continue;
    const classReason = classOptOut(cls);
    if (classReason) { optOuts.push({ module: t.module, className: cls.name, reason: classReason }); continue; }
    for (const key of Object.keys(t.instance as object)) {
      const reason = fieldOptOut(cls, key);
      if (reason) optOuts.push({ module: t.module, className: cls.name, field: key, reason });
    }
    violations.push(...inspectInstance(t.instance as object, cls, t.module, known));
  }
  for (const timer of timers) {
    if (!isPending(timer)) continue;
    const t = byName.get(timer.owner);
    const cls = t?.cls ?? (t?.instance as object | undefined)?.constructor;
    if (cls && (isFrameworkOwned(cls) || classOptOut(cls))) continue;
    violations.push({
      module: t?.module ?? '?', className: cls?.name ?? timer.owner, field: timer.site ? `${timer.kind} at ${timer.site}` : timer.kind,
      kind: 'timer', found: timer.kind === 'setInterval' ? 'a setInterval created during boot' : 'a setTimeout created during boot and still pending (a repeating timer)',
      fix: fixFor('timer', ''),
    });
  }
  return { violations, optOuts };
}

export function stateError(violations: StateViolation[]): FleetError {
  const lines = violations.map((v) => `  - ${v.module} > ${v.className}.${v.field}: ${v.found}.\n    Fix: ${v.fix}`);
  return new FleetError('FLEET_ERR_STATE_IN_MEMORY',
    `The application keeps state in memory (${violations.length} place${violations.length === 1 ? '' : 's'}). In a fleet, each instance would hold a different copy, and a restart loses it:\n` +
    `${lines.join('\n')}\n` +
    `Frozen config, primitives set in the constructor, injected providers and framework resources (pools, clients, loggers) are not state. ` +
    `Opt out only where state is right in a fleet: @AllowState('reason') on the field or class.`);
}

/** Freezes every user singleton the container constructed that is not opted out (framework-owned classes manage their own state). */
export function freezeSingletons(targets: GuardTarget[]): void {
  for (const t of targets) {
    // Only instances the container constructed: factory results may be library objects.
    if (t.kind !== 'class' || typeof t.instance !== 'object' || t.instance === null) continue;
    const cls = t.cls ?? (t.instance as object).constructor;
    if (isFrameworkOwned(cls) || classOptOut(cls) || Object.isFrozen(t.instance)) continue;
    freezeSingleton(t.instance as object, cls);
  }
}
