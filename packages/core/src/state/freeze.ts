import { FleetError } from '../errors.js';
import { fieldOptOut } from './allow-state.js';

/**
 * Freezes a singleton after boot: each own field becomes read-only, and assigning it throws
 * FLEET_ERR_STATE_FIELD_ASSIGNED naming the class and field (a counter or "last seen" value
 * would silently differ between instances). New fields cannot be added. Fields marked
 * @AllowState stay writable.
 */
export function freezeSingleton(instance: object, cls: Function): void {
  for (const key of Object.keys(instance)) {
    if (fieldOptOut(cls, key)) continue;
    const value = (instance as Record<string, unknown>)[key];
    Object.defineProperty(instance, key, {
      enumerable: true,
      configurable: false,
      get: () => value,
      set: () => { throw assignedError(cls.name, key); },
    });
  }
  Object.preventExtensions(instance);
}

export function assignedError(className: string, field: string): FleetError {
  return new FleetError('FLEET_ERR_STATE_FIELD_ASSIGNED',
    `${className}.${field} was assigned after boot. Singletons are frozen: a field changed on one instance silently differs on the others. ` +
    `Fix: keep the value in Redis (Sessions, Locks, @Cached) or PostgreSQL, or pass it through method arguments; mark the field @AllowState('reason') only if it is truly per-instance.`);
}

const NOT_EXTENSIBLE = /^Cannot add property (\S+), object is not extensible$/;

/** Maps V8's TypeError for a new field on a frozen singleton to the same coded error. */
export function asFrozenFieldError(error: unknown): FleetError | undefined {
  if (!(error instanceof TypeError)) return undefined;
  const m = NOT_EXTENSIBLE.exec(error.message);
  if (!m) return undefined;
  const frame = /\n\s+at (?:async )?([A-Za-z_$][\w$]*)\.[\w$<>]+ /.exec(error.stack ?? '');
  return assignedError(frame?.[1] ?? 'A singleton', m[1]!);
}
