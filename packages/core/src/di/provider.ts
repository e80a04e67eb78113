import type { Scope } from './metadata.js';
import type { ForwardRef, Token, Type } from './tokens.js';

export interface ClassProvider<T = unknown> { provide: Token<T>; useClass: Type<T>; scope?: Scope }
export interface ValueProvider<T = unknown> { provide: Token<T>; useValue: T }
export interface FactoryProvider<T = unknown> {
  provide: Token<T>;
  /** Called once at boot (per injection for transient) with the `inject` tokens resolved; may be async. */
  useFactory: (...args: any[]) => T | Promise<T>;
  /** Tokens to resolve and pass to the factory, in order; `{ token, optional: true }` passes undefined when absent. */
  inject?: Array<Token | ForwardRef<Token> | { token: Token; optional: true }>;
  scope?: Scope;
}
export interface ExistingProvider<T = unknown> { provide: Token<T>; useExisting: Token<T> }

/** Every form a provider may take: a class, or `{ provide, useClass | useValue | useFactory | useExisting }`. */
export type Provider<T = unknown> = Type<T> | ClassProvider<T> | ValueProvider<T> | FactoryProvider<T> | ExistingProvider<T>;
