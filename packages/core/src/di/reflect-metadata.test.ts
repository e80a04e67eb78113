import { describe, expect, it } from 'vitest';
import { createReflectMetadata, installReflectMetadata } from './reflect-metadata.js';

describe('core\'s Reflect metadata', () => {
  it('stores own metadata per target and property, and deletes it', () => {
    const r = createReflectMetadata();
    class A {}
    r.defineMetadata('design:paramtypes', [String], A);
    r.metadata('role', 'getter')(A.prototype, 'name');
    expect(r.getOwnMetadata('design:paramtypes', A)).toEqual([String]);
    expect(r.hasOwnMetadata('role', A.prototype, 'name')).toBe(true);
    expect(r.hasOwnMetadata('role', A.prototype)).toBe(false);
    expect(r.getOwnMetadataKeys(A)).toEqual(['design:paramtypes']);
    expect(r.deleteMetadata('design:paramtypes', A)).toBe(true);
    expect(r.deleteMetadata('design:paramtypes', A)).toBe(false);
    expect(r.getOwnMetadata('design:paramtypes', A)).toBeUndefined();
  });

  it('reads inherited metadata through the prototype chain, own keys first', () => {
    const r = createReflectMetadata();
    class Base {}
    class Child extends Base {}
    r.defineMetadata('a', 1, Base);
    r.defineMetadata('b', 2, Child);
    expect(r.getMetadata('a', Child)).toBe(1);
    expect(r.getOwnMetadata('a', Child)).toBeUndefined();
    expect(r.hasMetadata('a', Child)).toBe(true);
    expect(r.getMetadataKeys(Child)).toEqual(['b', 'a']);
    r.defineMetadata('a', 3, Child);
    expect(r.getMetadata('a', Child)).toBe(3);
  });

  it('refuses a target that is not an object, as reflect-metadata does', () => {
    const r = createReflectMetadata();
    expect(() => r.defineMetadata('k', 1, 'x' as unknown as object)).toThrow(TypeError);
    expect(() => r.getMetadata('k', undefined as unknown as object)).toThrow(TypeError);
  });

  it('is installed only where no getMetadata exists, as replaceable properties', () => {
    const target: Record<string, unknown> = {};
    expect(installReflectMetadata(target)).toBe(true);
    expect(Object.getOwnPropertyDescriptor(target, 'getMetadata')).toMatchObject({ configurable: true, writable: true });
    const existing = target.getMetadata;
    expect(installReflectMetadata(target)).toBe(false);
    expect(target.getMetadata).toBe(existing);
  });
});
