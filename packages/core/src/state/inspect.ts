import { EventEmitter } from 'node:events';
import { fieldOptOut } from './allow-state.js';

export type StateKind = 'Map' | 'Set' | 'WeakMap' | 'WeakSet' | 'array' | 'object' | 'cache' | 'timer';

/** One piece of in-memory state found on a singleton. */
export interface StateViolation {
  module: string;
  className: string;
  /** Field path, e.g. `sessions` or `store.entries`; for timers, where it was created. */
  field: string;
  kind: StateKind;
  found: string;
  fix: string;
}

const RESOURCE = Symbol.for('fleet.resource');
/** Classes that are connections, pools, clients or loggers: resources, not state. */
const RESOURCE_NAMES = new Set(['Pool', 'BoundPool', 'Client', 'Redis', 'Cluster', 'Queue', 'Worker', 'QueueEvents', 'FlowProducer',
  'Agent', 'Dispatcher', 'Socket', 'Server', 'EventEmitter', 'AbortController', 'AbortSignal', 'URL', 'Date', 'RegExp', 'Promise', 'TextEncoder', 'TextDecoder']);

/** Marks an object as a framework-managed resource (pools, clients...), never reported as state. */
export function markResource<T extends object>(value: T): T {
  Object.defineProperty(value, RESOURCE, { value: true });
  return value;
}

export function isResource(v: object): boolean {
  if ((v as Record<symbol, unknown>)[RESOURCE]) return true;
  if (v instanceof EventEmitter) return true;
  const name = v.constructor?.name;
  if (name && RESOURCE_NAMES.has(name)) return true;
  // pino and console-like loggers
  const l = v as Record<string, unknown>;
  return typeof l.child === 'function' && typeof l.info === 'function' && typeof l.error === 'function';
}

function describeKind(v: object): { kind: StateKind; found: string } | undefined {
  if (v instanceof Map) return { kind: 'Map', found: `a Map (${v.size} entries)` };
  if (v instanceof Set) return { kind: 'Set', found: `a Set (${v.size} entries)` };
  if (v instanceof WeakMap) return { kind: 'WeakMap', found: 'a WeakMap' };
  if (v instanceof WeakSet) return { kind: 'WeakSet', found: 'a WeakSet' };
  if (Array.isArray(v)) return { kind: 'array', found: `a mutable array (${v.length} items)` };
  const tag = (v as { [Symbol.toStringTag]?: unknown })[Symbol.toStringTag];
  const name = typeof tag === 'string' ? tag : (v.constructor?.name ?? '');
  const c = v as Record<string, unknown>;
  const mapLike = typeof c.get === 'function' && typeof c.set === 'function' && typeof c.has === 'function' && typeof c.delete === 'function';
  if (/cache|lru|memo/i.test(name) || mapLike) return { kind: 'cache', found: `an in-process cache (${name || 'map-like object'})` };
  const proto = Object.getPrototypeOf(v);
  if (proto === Object.prototype || proto === null) return { kind: 'object', found: 'a mutable plain object' };
  return undefined;
}

/** The fix for a kind of state, picked from what the field is used for (by its name and type). */
export function fixFor(kind: StateKind, field: string): string {
  const f = field.toLowerCase();
  if (kind === 'timer') return 'in-process schedulers run on every instance: use @Scheduled (one run per tick across the fleet, on Redis).';
  if (/session/.test(f)) return 'sessions belong in Redis: inject Sessions.';
  if (kind === 'cache' || /cache|memo/.test(f)) return 'cache with @Cached on the method (L1 managed by the framework, invalidated fleet-wide; L2 Redis).';
  if (/lock|mutex|semaphore/.test(f)) return 'locks must hold across instances: inject Locks (Redis).';
  if (/upload|file|blob/.test(f)) return 'files belong in object storage, not in an instance.';
  return 'keep shared state in Redis (Sessions, Locks, @Cached, @RateLimit) or PostgreSQL; if it is a constant, freeze it (Object.freeze) or make it a module-level constant; if it is truly per-instance, mark the field @AllowState(\'reason\').';
}

/**
 * Finds state in a singleton's own fields. Injected dependencies (`known`), framework resources,
 * frozen values, primitives and functions are not state. Other objects the singleton owns are
 * looked into, so a Map kept one level down is still found.
 */
export function inspectInstance(instance: object, cls: Function, module: string, known: Set<unknown>): StateViolation[] {
  const out: StateViolation[] = [];
  const seen = new Set<object>([instance]);
  const walk = (obj: object, path: string, depth: number) => {
    for (const key of Object.keys(obj)) {
      const field = path ? `${path}.${key}` : key;
      if (depth === 0 && fieldOptOut(cls, key)) continue;
      const v = (obj as Record<string, unknown>)[key];
      if (v === null || (typeof v !== 'object' && typeof v !== 'function')) continue;
      if (typeof v === 'function' || known.has(v) || seen.has(v as object) || Object.isFrozen(v) || isResource(v as object)) continue;
      seen.add(v as object);
      const kind = describeKind(v as object);
      if (kind) { out.push({ module, className: cls.name, field, ...kind, fix: fixFor(kind.kind, field) }); continue; }
      if (depth < 3) walk(v as object, field, depth + 1);
    }
  };
  walk(instance, '', 0);
  return out;
}
