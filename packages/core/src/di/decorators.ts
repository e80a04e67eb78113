import { ownMeta, type Scope } from './metadata.js';
import type { ForwardRef, Token } from './tokens.js';
import { defineModule, type ModuleMetadata } from './module-def.js';

export interface InjectableOptions {
  /**
   * `singleton`: one instance for the application, built at boot.
   * `transient`: a new instance for every class that injects it.
   * There is no request scope: per-request data lives in `RequestContext`.
   * @default 'singleton'
   */
  scope?: Scope;
}

/** Marks a class as a provider whose constructor arguments are injected by type. */
export function Injectable(options: InjectableOptions = {}): ClassDecorator {
  return (target) => {
    const meta = ownMeta(target);
    meta.injectable = true;
    meta.scope = options.scope ?? 'singleton';
  };
}

/** Injects by an explicit token (string, symbol, InjectionToken, class or forwardRef) instead of the parameter's type. */
export function Inject(token: Token | ForwardRef<Token>): ParameterDecorator {
  return (target, _key, index) => {
    const meta = ownMeta(target as Function);
    meta.params.set(index, { ...meta.params.get(index), token });
  };
}

/** Injects `undefined` instead of failing at boot when no provider is visible. */
export function Optional(): ParameterDecorator {
  return (target, _key, index) => {
    const meta = ownMeta(target as Function);
    meta.params.set(index, { ...meta.params.get(index), optional: true });
  };
}

/** Declares a module: its providers, controllers, imports and what it exports to importers. */
export function Module(metadata: ModuleMetadata = {}): ClassDecorator {
  return (target) => { defineModule(target, metadata); };
}

/** Makes a module's exports visible to every module without importing it. */
export function Global(): ClassDecorator {
  return (target) => { defineModule(target, { global: true }); };
}
