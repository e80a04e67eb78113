/// <reference types="reflect-metadata" />
// Reflect.metadata/getMetadata, installed unless reflect-metadata (or another copy) is loaded already.
import './reflect-metadata.js';
import type { ForwardRef, Token, Type } from './tokens.js';

export type Scope = 'singleton' | 'transient';

/** What `@Injectable`, `@Inject` and `@Optional` record on a class; read once, at boot. */
export interface ClassMeta {
  scope: Scope;
  /** Per constructor argument: the explicit token (from @Inject) and whether it is optional. */
  params: Map<number, { token?: Token | ForwardRef<Token>; optional?: boolean }>;
  injectable: boolean;
}

const classMeta = new WeakMap<Function, ClassMeta>();

export function ownMeta(target: Function): ClassMeta {
  let meta = classMeta.get(target);
  if (!meta) {
    meta = { scope: 'singleton', params: new Map(), injectable: false };
    classMeta.set(target, meta);
  }
  return meta;
}

export function readMeta(target: Function): ClassMeta | undefined {
  return classMeta.get(target);
}

/** The constructor parameter types TypeScript emitted (`emitDecoratorMetadata`), if any. */
export function paramTypes(target: Type): unknown[] | undefined {
  return Reflect.getMetadata('design:paramtypes', target) as unknown[] | undefined;
}
