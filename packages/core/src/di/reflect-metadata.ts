/**
 * The part of the `reflect-metadata` API that decorator metadata needs, installed on the global
 * `Reflect` only when no implementation is there yet (decision 008). TypeScript's
 * `emitDecoratorMetadata` output calls `Reflect.metadata('design:paramtypes', [...])` when a class
 * is decorated, and the container reads it back with `Reflect.getMetadata`; importing the
 * `reflect-metadata` package for that cost about 13 ms of start-up.
 *
 * It interoperates with the package in either order:
 * - `reflect-metadata` imported first: `Reflect.getMetadata` exists, nothing is installed here.
 * - imported after: the package (0.2) finds `Reflect.defineMetadata` without its registry symbol
 *   and wraps these functions in a "fallback provider": metadata written here stays readable
 *   through its functions, which replace these on `Reflect` (they are defined configurable and
 *   writable, as its own are). So nothing here may use the registry symbol
 *   (`Symbol.for('@reflect-metadata:registry')`), and the functions must not depend on `this`.
 * `Reflect.decorate` is left out: TypeScript's `__decorate` helper applies decorators itself when it
 * is absent.
 */

type Key = string | symbol | undefined;
type MetadataMap = Map<unknown, unknown>;

export interface ReflectMetadataApi {
  metadata(metadataKey: unknown, metadataValue: unknown): (target: object, propertyKey?: string | symbol) => void;
  defineMetadata(metadataKey: unknown, metadataValue: unknown, target: object, propertyKey?: string | symbol): void;
  hasMetadata(metadataKey: unknown, target: object, propertyKey?: string | symbol): boolean;
  hasOwnMetadata(metadataKey: unknown, target: object, propertyKey?: string | symbol): boolean;
  getMetadata(metadataKey: unknown, target: object, propertyKey?: string | symbol): unknown;
  getOwnMetadata(metadataKey: unknown, target: object, propertyKey?: string | symbol): unknown;
  getMetadataKeys(target: object, propertyKey?: string | symbol): unknown[];
  getOwnMetadataKeys(target: object, propertyKey?: string | symbol): unknown[];
  deleteMetadata(metadataKey: unknown, target: object, propertyKey?: string | symbol): boolean;
}

/** A fresh implementation over its own store (installed on `Reflect` by `installReflectMetadata`). */
export function createReflectMetadata(): ReflectMetadataApi {
  const store = new WeakMap<object, Map<Key, MetadataMap>>();

  const checkTarget = (target: unknown): object => {
    if ((typeof target !== 'object' && typeof target !== 'function') || target === null) throw new TypeError('Reflect metadata: the target must be an object');
    return target;
  };
  const toKey = (propertyKey: unknown): Key => (propertyKey === undefined || typeof propertyKey === 'symbol' ? propertyKey : String(propertyKey));
  const own = (target: object, propertyKey: unknown, create: boolean): MetadataMap | undefined => {
    let byProperty = store.get(target);
    if (byProperty === undefined) {
      if (!create) return undefined;
      byProperty = new Map();
      store.set(target, byProperty);
    }
    const key = toKey(propertyKey);
    let map = byProperty.get(key);
    if (map === undefined && create) {
      map = new Map();
      byProperty.set(key, map);
    }
    return map;
  };

  const defineMetadata: ReflectMetadataApi['defineMetadata'] = (metadataKey, metadataValue, target, propertyKey) => {
    own(checkTarget(target), propertyKey, true)!.set(metadataKey, metadataValue);
  };
  const hasOwnMetadata: ReflectMetadataApi['hasOwnMetadata'] = (metadataKey, target, propertyKey) =>
    own(checkTarget(target), propertyKey, false)?.has(metadataKey) === true;
  const getOwnMetadata: ReflectMetadataApi['getOwnMetadata'] = (metadataKey, target, propertyKey) =>
    own(checkTarget(target), propertyKey, false)?.get(metadataKey);
  const getOwnMetadataKeys: ReflectMetadataApi['getOwnMetadataKeys'] = (target, propertyKey) =>
    [...(own(checkTarget(target), propertyKey, false)?.keys() ?? [])];
  const deleteMetadata: ReflectMetadataApi['deleteMetadata'] = (metadataKey, target, propertyKey) =>
    own(checkTarget(target), propertyKey, false)?.delete(metadataKey) === true;

  // Inherited lookups walk the prototype chain, as reflect-metadata's Ordinary* operations do.
  const hasMetadata: ReflectMetadataApi['hasMetadata'] = (metadataKey, target, propertyKey) => {
    for (let o: object | null = checkTarget(target); o !== null; o = Object.getPrototypeOf(o)) {
      if (own(o, propertyKey, false)?.has(metadataKey)) return true;
    }
    return false;
  };
  const getMetadata: ReflectMetadataApi['getMetadata'] = (metadataKey, target, propertyKey) => {
    for (let o: object | null = checkTarget(target); o !== null; o = Object.getPrototypeOf(o)) {
      const map = own(o, propertyKey, false);
      if (map?.has(metadataKey)) return map.get(metadataKey);
    }
    return undefined;
  };
  const getMetadataKeys: ReflectMetadataApi['getMetadataKeys'] = (target, propertyKey) => {
    const keys = new Set<unknown>();
    for (let o: object | null = checkTarget(target); o !== null; o = Object.getPrototypeOf(o)) {
      for (const k of own(o, propertyKey, false)?.keys() ?? []) keys.add(k);
    }
    return [...keys];
  };
  const metadata: ReflectMetadataApi['metadata'] = (metadataKey, metadataValue) => (target, propertyKey) => {
    defineMetadata(metadataKey, metadataValue, target, propertyKey);
  };

  return { metadata, defineMetadata, hasMetadata, hasOwnMetadata, getMetadata, getOwnMetadata, getMetadataKeys, getOwnMetadataKeys, deleteMetadata };
}

/**
 * Installs `createReflectMetadata()` on `target` (the global `Reflect` by default) unless it already
 * has a `getMetadata` function (`reflect-metadata`, or this, loaded before). Returns whether it did.
 */
export function installReflectMetadata(target: object = Reflect): boolean {
  if (typeof (target as { getMetadata?: unknown }).getMetadata === 'function') return false;
  for (const [name, value] of Object.entries(createReflectMetadata())) {
    // As reflect-metadata defines its own: so that it can replace these when it is imported later.
    Object.defineProperty(target, name, { configurable: true, writable: true, value });
  }
  return true;
}

installReflectMetadata();
