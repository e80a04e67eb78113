import type { Provider } from './provider.js';
import type { ForwardRef, Token, Type } from './tokens.js';

/** What a module may import: a @Module class, a dynamic module, or a promise of one (async forRoot). */
export type ModuleImport = Type | DynamicModule | ForwardRef<Type> | Promise<DynamicModule>;

export interface ModuleMetadata {
  /** Modules whose exports this module's providers and controllers may inject. */
  imports?: ModuleImport[];
  /** Classes and `{ provide, use* }` definitions owned by this module. */
  providers?: Provider[];
  /** Controller classes whose routes are mounted on the HTTP server. */
  controllers?: Type[];
  /** Tokens (of own providers or of imported modules' exports) and whole modules to re-export. */
  exports?: Array<Token | Type | DynamicModule>;
  /** Whether the exports are visible everywhere without an import. @default false */
  global?: boolean;
}

/** What `forRoot`-style static methods return: the module class plus extra metadata. */
export interface DynamicModule extends ModuleMetadata {
  module: Type;
}

const moduleMeta = new WeakMap<Function, ModuleMetadata>();

export function defineModule(target: Function, metadata: ModuleMetadata): void {
  moduleMeta.set(target, { ...moduleMeta.get(target), ...metadata, global: metadata.global ?? moduleMeta.get(target)?.global });
}

export function readModule(target: Function): ModuleMetadata | undefined {
  return moduleMeta.get(target);
}

export function isDynamicModule(x: unknown): x is DynamicModule {
  return typeof x === 'object' && x !== null && typeof (x as DynamicModule).module === 'function';
}
