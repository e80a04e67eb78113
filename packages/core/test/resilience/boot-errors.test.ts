import { describe, expect, it } from 'vitest';
import { Bulkhead, CircuitBreaker, Injectable, Module, Retry, Timeout, createApp, type FleetError } from '@fleet/core';

describe('resilience decorators at boot', () => {
  it('reports every invalid option at once, naming the decorator, method and field', async () => {
    @Injectable()
    class Broken {
      @Retry({ maxAttempts: 0 }) async a() {}
      @Timeout('soon' as never) async b() {}
      @CircuitBreaker({ failureThreshold: 20, windowSize: 5 }) async c() {}
      @Retry() @Retry() async d() {}
    }
    @Module({ providers: [Broken] }) class M {}
    const e = (await createApp(M, { logger: false }).catch((x: unknown) => x)) as FleetError & { errors: FleetError[] };
    expect(e.code).toBe('FLEET_ERR_BOOT_FAILED');
    expect(e.errors.map((x) => x.code)).toEqual(Array(4).fill('FLEET_ERR_RESILIENCE_INVALID_OPTIONS'));
    expect(e.message).toContain('@Retry on Broken.a: maxAttempts must be an integer >= 1; got 0.');
    expect(e.message).toContain('@Timeout on Broken.b: timeout: "soon" is not a duration');
    expect(e.message).toContain('@CircuitBreaker on Broken.c: failureThreshold (20) is larger than windowSize (5)');
    expect(e.message).toContain('@Retry is applied twice to Broken.d');
  });

  it('a shared compartment name with different options is a boot error', async () => {
    @Injectable()
    class Exports {
      @Bulkhead({ name: 'exports', maxConcurrent: 2 }) async csv() {}
      @Bulkhead({ name: 'exports', maxConcurrent: 5 }) async pdf() {}
    }
    @Module({ providers: [Exports] }) class M {}
    const e = (await createApp(M, { logger: false }).catch((x: unknown) => x)) as FleetError;
    expect(e.code).toBe('FLEET_ERR_RESILIENCE_INVALID_OPTIONS');
    expect(e.message).toBe("The bulkhead 'exports' is declared by Exports.csv and Exports.pdf with different options. Fix: give them the same options, or different names.");
  });

  it('installs pipelines on subclasses, and an undecorated override drops the parent\'s', async () => {
    @Injectable() class Base { @Timeout('1s') async run() { return 'base'; } @Timeout('1s') async other() { return 'other'; } }
    @Injectable() class Child extends Base { override async run() { return 'child'; } }
    @Module({ providers: [Child] }) class M {}
    const app = await createApp(M, { logger: false });
    const child = app.get(Child);
    expect(Object.prototype.hasOwnProperty.call(child, 'run')).toBe(false);
    expect(Object.prototype.hasOwnProperty.call(child, 'other')).toBe(true);
    await expect(child.other()).resolves.toBe('other');
    await app.close();
  });
});
