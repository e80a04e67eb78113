import type { FleetError } from '../errors.js';
import type { Invoke, StageKind } from './pipeline-types.js';
import type { StageContext } from './stage-context.js';

/**
 * What a decorator records for one method, at decoration time: its stage kind and resolved
 * options. Another capability (e.g. `@Cached`) records its own stage with a `build` function.
 */
export interface StageSpec<O = unknown> {
  kind: StageKind;
  /** `@Retry`, for messages. */
  decorator: string;
  options: O;
  /** Builds the stage around `next`, once per method at boot; built-in stages leave it out. */
  build?: (next: Invoke, context: StageContext) => Invoke;
  /** What `describePipeline` shows for the stage. @default STAGE_LABEL[kind] */
  label?: string;
}

/** The resilience metadata of one method. */
export interface MethodResilience {
  stages: Map<StageKind, StageSpec>;
  /** Index of the `@Signal()` parameter, or -1. */
  signalIndex: number;
  /** Option problems found at decoration time, reported together at boot. */
  problems: FleetError[];
}

const byClass = new WeakMap<Function, Map<string, MethodResilience>>();

function methodMeta(ctor: Function, method: string): MethodResilience {
  let methods = byClass.get(ctor);
  if (!methods) byClass.set(ctor, (methods = new Map()));
  let meta = methods.get(method);
  if (!meta) methods.set(method, (meta = { stages: new Map(), signalIndex: -1, problems: [] }));
  return meta;
}

/** Records a stage on `prototype[method]`; a second decorator of the same kind is a boot error. */
export function defineStage(prototype: object, method: string | symbol, spec: StageSpec | (() => StageSpec), onDuplicate: () => FleetError): void {
  const meta = methodMeta(prototype.constructor, String(method));
  try {
    const resolved = typeof spec === 'function' ? spec() : spec;
    if (meta.stages.has(resolved.kind)) meta.problems.push(onDuplicate());
    else meta.stages.set(resolved.kind, resolved);
  } catch (e) {
    meta.problems.push(e as FleetError);
  }
}

/** Records the `@Signal()` parameter of a method. */
export function defineSignalParam(prototype: object, method: string | symbol, index: number): void {
  methodMeta(prototype.constructor, String(method)).signalIndex = index;
}

/**
 * The decorated methods of an instance, walking its class chain (a subclass that overrides a
 * method without decorators drops the parent's). Read once per instance at boot.
 */
/** Set by @fleet/testing on the wrappers it installs: the method it wraps. */
export const INSTRUMENTED = Symbol.for('fleet.instrumented.original');

export function readResilience(instance: object): Map<string, MethodResilience> | undefined {
  let found: Map<string, MethodResilience> | undefined;
  for (let proto = Object.getPrototypeOf(instance); proto && proto !== Object.prototype; proto = Object.getPrototypeOf(proto)) {
    const methods = byClass.get(proto.constructor);
    if (!methods) continue;
    for (const [name, meta] of methods) {
      if (found?.has(name)) continue;
      if (meta.stages.size === 0 && meta.problems.length === 0) continue;
      // The method the instance really has (a test wrapper from @fleet/testing points at the original).
      const current = (instance as Record<string, { [INSTRUMENTED]?: unknown } | undefined>)[name];
      if ((current?.[INSTRUMENTED] ?? current) !== Object.getOwnPropertyDescriptor(proto, name)?.value) continue;
      (found ??= new Map()).set(name, meta);
    }
  }
  return found;
}
