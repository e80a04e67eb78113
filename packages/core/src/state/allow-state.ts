const allowedFields = new WeakMap<Function, Map<string, string>>();
const allowedClasses = new WeakMap<Function, string>();
const frameworkOwned = new WeakSet<Function>();

/**
 * The visible opt-out from the state guard, for the rare state that is right in a fleet
 * (e.g. a per-instance metric). On a field: that field may hold state and stay writable.
 * On a class: none of its fields are checked or frozen. Every opt-out is logged at boot and
 * listed by `fleet doctor`; the reason is required.
 */
export function AllowState(reason: string): ClassDecorator & PropertyDecorator {
  if (typeof reason !== 'string' || reason.trim().length < 3) throw new TypeError('@AllowState needs a reason: @AllowState(\'why this state is safe in a fleet\')');
  return ((target: object, key?: string | symbol) => {
    if (key === undefined) { allowedClasses.set(target as Function, reason); return; }
    const cls = (target as { constructor: Function }).constructor;
    const fields = allowedFields.get(cls) ?? new Map<string, string>();
    fields.set(String(key), reason);
    allowedFields.set(cls, fields);
  }) as ClassDecorator & PropertyDecorator;
}

/** @internal Framework classes that own operational state (connections, subscriptions, breaker windows). */
export function FrameworkOwned(): ClassDecorator {
  return (target) => { frameworkOwned.add(target); };
}

export function isFrameworkOwned(cls: Function): boolean {
  for (let c: Function | null = cls; c && c !== Function.prototype; c = Object.getPrototypeOf(c)) if (frameworkOwned.has(c)) return true;
  return false;
}

export function classOptOut(cls: Function): string | undefined {
  for (let c: Function | null = cls; c && c !== Function.prototype; c = Object.getPrototypeOf(c)) {
    const r = allowedClasses.get(c);
    if (r) return r;
  }
  return undefined;
}

export function fieldOptOut(cls: Function, field: string): string | undefined {
  for (let c: Function | null = cls; c && c !== Function.prototype; c = Object.getPrototypeOf(c)) {
    const r = allowedFields.get(c)?.get(field);
    if (r) return r;
  }
  return undefined;
}
