import { FleetError } from '../errors.js';
import { paramTypes, readMeta } from './metadata.js';
import type { ProviderRecord } from './records.js';
import type { Type } from './tokens.js';

const NOT_INJECTABLE = new Set<unknown>([Object, String, Number, Boolean, Symbol, BigInt, Array, Function, Promise, undefined]);

/** Reads a class's constructor dependencies once, at boot: emitted types, overridden by @Inject. */
export function classDependencies(cls: Type, moduleName: string): ProviderRecord['wanted'] | FleetError {
  const meta = readMeta(cls);
  const types = paramTypes(cls);
  const count = Math.max(types?.length ?? 0, cls.length, ...(meta ? [...meta.params.keys()].map((i) => i + 1) : [0]));
  if (count > 0 && !types && !(meta && meta.params.size >= count)) {
    return new FleetError('FLEET_ERR_DI_UNTYPED_DEPENDENCY',
      `${cls.name} (in ${moduleName}) has ${count} constructor parameter(s) but no type metadata. ` +
      `Fix: decorate it with @Injectable() (or @Controller()), and compile with emitDecoratorMetadata (tsc and vitest do; tsx/esbuild do not).`);
  }
  const wanted: ProviderRecord['wanted'] = [];
  for (let index = 0; index < count; index++) {
    const explicit = meta?.params.get(index);
    const token = explicit?.token ?? types?.[index];
    if (explicit?.token === undefined && NOT_INJECTABLE.has(token)) {
      const what = token === undefined ? 'undefined (a circular import between files: use @Inject(forwardRef(() => TheClass)))'
        : `${(token as Function).name} (an interface, a union, a primitive or a type-only import has no runtime token)`;
      return new FleetError('FLEET_ERR_DI_UNTYPED_DEPENDENCY',
        `${cls.name} (in ${moduleName}), argument #${index + 1}: its type is ${what}. Fix: add @Inject(token) to the parameter.`);
    }
    wanted.push({ token, optional: !!explicit?.optional, index });
  }
  return wanted;
}
