/** A class that can be constructed with any arguments. */
export type Type<T = unknown> = new (...args: any[]) => T;
/** An abstract class also works as a token (it is never constructed by the container). */
export type AbstractType<T = unknown> = abstract new (...args: any[]) => T;

/** A typed token for values that have no class: `new InjectionToken<Pool>('DB_POOL')`. */
export class InjectionToken<T = unknown> {
  declare readonly __type?: T;
  constructor(readonly description: string) {}
  toString(): string { return `InjectionToken(${this.description})`; }
}

/** What a provider is registered under and looked up by. */
export type Token<T = unknown> = Type<T> | AbstractType<T> | InjectionToken<T> | string | symbol;

/** A lazy reference, for classes that import each other (`@Inject(forwardRef(() => B))`). */
export interface ForwardRef<T = unknown> { readonly forwardRef: () => T }
export function forwardRef<T>(fn: () => T): ForwardRef<T> { return { forwardRef: fn }; }
export function isForwardRef(x: unknown): x is ForwardRef { return typeof x === 'object' && x !== null && typeof (x as ForwardRef).forwardRef === 'function'; }

export function unwrapRef<T>(x: T | ForwardRef<T>): T { return isForwardRef(x) ? (x.forwardRef() as T) : x; }

/** A human name for a token in error messages. */
export function tokenName(token: unknown): string {
  if (typeof token === 'function') return token.name || '<anonymous class>';
  if (typeof token === 'symbol') return token.toString();
  if (token instanceof InjectionToken) return token.description;
  if (typeof token === 'string') return JSON.stringify(token);
  if (isForwardRef(token)) return tokenName(token.forwardRef());
  return String(token);
}
