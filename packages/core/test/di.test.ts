import { describe, expect, it } from 'vitest';
import {
  Controller, Global, Inject, Injectable, InjectionToken, Module, Optional, FleetBootError, FleetError, createApp,
  forwardRef, type DynamicModule, type OnInit, type OnShutdown,
} from '@fleet/core';

async function bootError(module: unknown, options = {}): Promise<FleetError> {
  try {
    const app = await createApp(module, { logger: false, ...options });
    await app.close();
  } catch (e) {
    return e as FleetError;
  }
  throw new Error('expected boot to fail');
}

describe('constructor injection', () => {
  @Injectable() class Clock { now() { return 42; } }
  @Injectable() class Service { constructor(readonly clock: Clock) {} }
  @Injectable() class Other { constructor(readonly clock: Clock, readonly service: Service) {} }
  @Module({ providers: [Clock, Service, Other] }) class AppModule {}

  it('injects by type and shares singletons', async () => {
    const app = await createApp(AppModule, { logger: false });
    const other = app.get(Other);
    expect(other.clock.now()).toBe(42);
    expect(other.service.clock).toBe(other.clock);
    expect(app.get(Service)).toBe(other.service);
    await app.close();
  });

  it('injects string, symbol, InjectionToken and class tokens with @Inject, and undefined with @Optional', async () => {
    const NAME = 'app.name';
    const SYM = Symbol('answer');
    const URL_TOKEN = new InjectionToken<string>('URL');
    abstract class Store { abstract kind(): string }
    @Injectable() class RedisStore extends Store { kind() { return 'redis'; } }
    @Injectable()
    class Uses {
      constructor(
        @Inject(NAME) readonly name: string,
        @Inject(SYM) readonly answer: number,
        @Inject(URL_TOKEN) readonly url: string,
        @Inject(Store) readonly store: Store,
        @Optional() @Inject('missing') readonly missing?: string,
      ) {}
    }
    @Module({ providers: [
      Uses, { provide: NAME, useValue: 'fleet' }, { provide: SYM, useValue: 42 }, { provide: URL_TOKEN, useValue: 'redis://x' },
      { provide: Store, useClass: RedisStore },
    ] })
    class M {}
    const app = await createApp(M, { logger: false });
    const u = app.get(Uses);
    expect([u.name, u.answer, u.url, u.store.kind(), u.missing]).toEqual(['fleet', 42, 'redis://x', 'redis', undefined]);
    await app.close();
  });
});

describe('provider forms and scopes', () => {
  it('supports useClass, useValue, sync and async useFactory with inject, and useExisting', async () => {
    const CONN = new InjectionToken<{ url: string }>('CONN');
    const ALIAS = new InjectionToken<{ url: string }>('ALIAS');
    const URL_ = new InjectionToken<string>('URL');
    const SIZE = new InjectionToken<number>('SIZE');
    @Module({ providers: [
      { provide: URL_, useValue: 'pg://db' },
      { provide: CONN, useFactory: async (url: string) => { await new Promise((r) => setTimeout(r, 5)); return { url }; }, inject: [URL_] },
      { provide: SIZE, useFactory: (c: { url: string }, missing?: string) => c.url.length + (missing ? 1000 : 0), inject: [CONN, { token: 'nope', optional: true }] },
      { provide: ALIAS, useExisting: CONN },
    ] })
    class M {}
    const app = await createApp(M, { logger: false });
    expect(app.get(CONN)).toEqual({ url: 'pg://db' });
    expect(app.get(ALIAS)).toBe(app.get(CONN));
    expect(app.get(SIZE)).toBe(7);
    await app.close();
  });

  it('builds a new transient instance for every injection point and every get()', async () => {
    @Injectable({ scope: 'transient' }) class Helper { readonly id = Math.random(); }
    @Injectable() class A { constructor(readonly h: Helper) {} }
    @Injectable() class B { constructor(readonly h: Helper) {} }
    @Module({ providers: [Helper, A, B] }) class M {}
    const app = await createApp(M, { logger: false });
    expect(app.get(A).h).toBeInstanceOf(Helper);
    expect(app.get(A).h).not.toBe(app.get(B).h);
    expect(app.get(Helper)).not.toBe(app.get(Helper));
    await app.close();
  });
});

describe('modules', () => {
  it('makes global module exports visible everywhere, and dynamic modules carry their own providers', async () => {
    const OPTIONS = new InjectionToken<{ prefix: string }>('OPTIONS');
    @Global() @Module({ providers: [{ provide: 'region', useValue: 'eu-1' }], exports: ['region'] }) class RegionModule {}
    @Injectable() class Namer { constructor(@Inject(OPTIONS) readonly o: { prefix: string }, @Inject('region') readonly region: string) {} }
    @Module({}) class NamerModule {
      static forRoot(prefix: string): DynamicModule {
        return { module: NamerModule, providers: [Namer, { provide: OPTIONS, useValue: { prefix } }], exports: [Namer] };
      }
    }
    @Injectable() class Consumer { constructor(readonly namer: Namer) {} }
    @Module({ imports: [RegionModule, NamerModule.forRoot('svc')], providers: [Consumer] }) class AppModule {}
    const app = await createApp(AppModule, { logger: false });
    expect(app.get(Consumer).namer.o.prefix).toBe('svc');
    expect(app.get(Consumer).namer.region).toBe('eu-1');
    await app.close();
  });

  it('re-exports an imported module and accepts async dynamic modules and forwardRef imports', async () => {
    @Injectable() class Db {}
    @Module({ providers: [Db], exports: [Db] }) class DbModule {}
    @Module({ imports: [DbModule], exports: [DbModule] }) class CoreModule {}
    @Injectable() class Repo { constructor(readonly db: Db) {} }
    @Module({}) class AsyncModule { static async forRootAsync(): Promise<DynamicModule> { return { module: AsyncModule, providers: [{ provide: 'late', useValue: 1 }], exports: ['late'] }; } }
    @Injectable() class UsesLate { constructor(@Inject('late') readonly late: number) {} }
    @Module({ imports: [forwardRef(() => CoreModule), AsyncModule.forRootAsync()], providers: [Repo, UsesLate] }) class AppModule {}
    const app = await createApp(AppModule, { logger: false });
    expect(app.get(Repo).db).toBeInstanceOf(Db);
    expect(app.get(UsesLate).late).toBe(1);
    await app.close();
  });
});

describe('boot errors', () => {
  it('names the whole chain and the module for a missing provider', async () => {
    class PaymentClient {}
    @Injectable() class OrdersService { constructor(readonly payments: PaymentClient) {} }
    @Controller('/orders') class OrdersController { constructor(readonly orders: OrdersService) {} }
    @Module({ providers: [OrdersService], controllers: [OrdersController] }) class AppModule {}
    const err = await bootError(AppModule);
    expect(err.code).toBe('FLEET_ERR_DI_MISSING_PROVIDER');
    expect(err.message).toContain('AppModule -> OrdersController -> OrdersService -> ? (argument #1)');
    expect(err.message).toContain('no provider for PaymentClient (argument #1) is visible in AppModule');
    expect(err.message).toContain('Fix: add PaymentClient to the providers of AppModule');
  });

  it('prints the full cycle', async () => {
    @Injectable() class A { constructor(@Inject(forwardRef(() => C)) readonly c: unknown) {} }
    @Injectable() class B { constructor(readonly a: A) {} }
    @Injectable() class C { constructor(readonly b: B) {} }
    @Module({ providers: [A, B, C] }) class AppModule {}
    const err = await bootError(AppModule);
    expect(err.code).toBe('FLEET_ERR_DI_CYCLE');
    expect(err.message).toContain('Dependency cycle: A -> C -> B -> A');
  });

  it('says which module to export a provider from', async () => {
    @Injectable() class Mailer {}
    @Module({ providers: [Mailer] }) class MailModule {}
    @Injectable() class Signup { constructor(readonly mailer: Mailer) {} }
    @Module({ imports: [MailModule], providers: [Signup] }) class AppModule {}
    const err = await bootError(AppModule);
    expect(err.code).toBe('FLEET_ERR_DI_NOT_EXPORTED');
    expect(err.message).toContain('Mailer is provided by MailModule, which does not export it');
    expect(err.message).toContain('Fix: add Mailer to the exports of MailModule');
  });

  it('says which module to import when the provider is exported but not imported', async () => {
    @Injectable() class Mailer {}
    @Module({ providers: [Mailer], exports: [Mailer] }) class MailModule {}
    @Injectable() class Signup { constructor(readonly mailer: Mailer) {} }
    @Module({ providers: [Signup] }) class UsersModule {}
    @Module({ imports: [UsersModule, MailModule] }) class AppModule {}
    const err = await bootError(AppModule);
    expect(err.code).toBe('FLEET_ERR_DI_NOT_EXPORTED');
    expect(err.message).toContain('add MailModule to the imports of UsersModule');
  });

  it('lists every problem at once', async () => {
    class X {}
    class Y {}
    @Injectable() class NeedsX { constructor(readonly x: X) {} }
    @Injectable() class NeedsY { constructor(readonly y: Y) {} }
    @Module({ providers: [NeedsX, NeedsY] }) class AppModule {}
    const err = await bootError(AppModule);
    expect(err).toBeInstanceOf(FleetBootError);
    expect(err.code).toBe('FLEET_ERR_BOOT_FAILED');
    expect((err as FleetBootError).errors.map((e) => e.code)).toEqual(['FLEET_ERR_DI_MISSING_PROVIDER', 'FLEET_ERR_DI_MISSING_PROVIDER']);
    expect(err.message).toContain('no provider for X');
    expect(err.message).toContain('no provider for Y');
  });

  it('rejects parameters typed by an interface, and classes with parameters but no metadata', async () => {
    interface Repo { find(): void }
    @Injectable() class UsesInterface { constructor(readonly repo: Repo) {} }
    @Module({ providers: [UsesInterface] }) class M1 {}
    const e1 = await bootError(M1);
    expect(e1.code).toBe('FLEET_ERR_DI_UNTYPED_DEPENDENCY');
    expect(e1.message).toContain('UsesInterface (in M1), argument #1');
    expect(e1.message).toContain('@Inject(token)');

    class Plain { constructor(readonly a: unknown, readonly b: unknown) {} }
    @Module({ providers: [Plain] }) class M2 {}
    const e2 = await bootError(M2);
    expect(e2.code).toBe('FLEET_ERR_DI_UNTYPED_DEPENDENCY');
    expect(e2.message).toContain('has 2 constructor parameter(s) but no type metadata');
  });

  it('rejects invalid modules, providers and exports', async () => {
    class NotAModule {}
    @Module({ imports: [NotAModule] }) class M1 {}
    expect((await bootError(M1)).code).toBe('FLEET_ERR_DI_INVALID_MODULE');

    @Module({ providers: [{ provide: 'x' } as never] }) class M2 {}
    expect((await bootError(M2)).code).toBe('FLEET_ERR_DI_INVALID_PROVIDER');

    @Module({ exports: ['ghost'] }) class M3 {}
    const e3 = await bootError(M3);
    expect(e3.code).toBe('FLEET_ERR_DI_INVALID_EXPORT');
    expect(e3.message).toContain('M3 exports "ghost"');
  });

  it('wraps a throwing constructor with the chain and keeps the cause', async () => {
    @Injectable() class Broken { constructor() { throw new Error('no socket'); } }
    @Injectable() class Top { constructor(readonly b: Broken) {} }
    @Module({ providers: [Top, Broken] }) class AppModule {}
    const err = await bootError(AppModule);
    expect(err.code).toBe('FLEET_ERR_DI_INSTANTIATION_FAILED');
    expect(err.message).toContain('Building Broken (in AppModule) failed: no socket');
    expect(err.message).toContain('AppModule -> Top -> Broken');
    expect((err.cause as Error).message).toBe('no socket');
  });

  it('fails app.get for an unknown token', async () => {
    @Module({}) class M {}
    const app = await createApp(M, { logger: false });
    expect(() => app.get('nothing')).toThrow(expect.objectContaining({ code: 'FLEET_ERR_DI_UNKNOWN_TOKEN' }));
    await app.close();
  });
});

describe('overrides', () => {
  it('replace providers inside imported and dynamic modules, and an unused override is an error', async () => {
    @Injectable() class Payments { charge() { return 'real'; } }
    @Module({}) class PayModule { static forRoot(): DynamicModule { return { module: PayModule, providers: [Payments], exports: [Payments] }; } }
    @Module({ imports: [PayModule.forRoot()], exports: [PayModule] }) class BillingModule {}
    @Injectable() class Checkout { constructor(readonly p: Payments) {} }
    @Module({ imports: [BillingModule], providers: [Checkout] }) class AppModule {}
    const app = await createApp(AppModule, { logger: false, overrides: [{ provide: Payments, useValue: { charge: () => 'fake' } }] });
    expect(app.get(Checkout).p.charge()).toBe('fake');
    await app.close();

    const err = await bootError(AppModule, { overrides: [{ provide: 'typo', useValue: 1 }] });
    expect(err.code).toBe('FLEET_ERR_DI_UNUSED_OVERRIDE');
  });
});

describe('lifecycle', () => {
  it('runs onInit in dependency order and onShutdown in reverse', async () => {
    const log: string[] = [];
    @Injectable() class Db implements OnInit, OnShutdown { onInit() { log.push('init db'); } onShutdown() { log.push('stop db'); } }
    @Injectable() class Repo implements OnInit, OnShutdown {
      constructor(readonly db: Db) {}
      async onInit() { await new Promise((r) => setTimeout(r, 5)); log.push('init repo'); }
      onShutdown() { log.push('stop repo'); }
    }
    @Injectable() class Api implements OnInit, OnShutdown { constructor(readonly repo: Repo) {} onInit() { log.push('init api'); } onShutdown() { log.push('stop api'); } }
    @Module({ providers: [Api, Repo, Db] }) class AppModule {}
    const app = await createApp(AppModule, { logger: false });
    expect(log).toEqual(['init db', 'init repo', 'init api']);
    await app.close();
    expect(log.slice(3)).toEqual(['stop api', 'stop repo', 'stop db']);
  });

  it('reports failing and hanging shutdown hooks by name and still runs the others', async () => {
    const ran: string[] = [];
    @Injectable() class First { onShutdown() { ran.push('first'); } }
    @Injectable() class Hangs { constructor(readonly f: First) {} onShutdown() { return new Promise(() => {}); } }
    @Injectable() class Fails { constructor(readonly h: Hangs) {} onShutdown() { throw new Error('flush failed'); } }
    @Module({ providers: [First, Hangs, Fails] }) class AppModule {}
    const app = await createApp(AppModule, { logger: false, shutdownTimeoutMs: 50 });
    const err = await app.close().then(() => undefined, (e: FleetError) => e);
    expect(err?.code).toBe('FLEET_ERR_LIFECYCLE_SHUTDOWN_FAILED');
    expect(err?.message).toContain('Fails.onShutdown() failed: flush failed');
    expect(err?.message).toMatch(/Hangs\.onShutdown\(\) timed out after \d+ ms/);
    expect(ran).toEqual(['first']);
  });

  it('fails boot when an onInit hook fails or hangs, skips its dependents and shuts down what started', async () => {
    const log: string[] = [];
    @Injectable() class Cache { onInit() { log.push('init cache'); } onShutdown() { log.push('stop cache'); } }
    @Injectable() class Db { onInit(): Promise<void> { return new Promise(() => {}); } onShutdown() { log.push('stop db'); } }
    @Injectable() class Repo { constructor(readonly db: Db) {} onInit() { log.push('init repo'); } }
    @Injectable() class Broker { onInit() { throw new Error('broker refused'); } }
    @Module({ providers: [Cache, Db, Repo, Broker] }) class AppModule {}
    const err = await bootError(AppModule, { initTimeoutMs: 50 });
    expect(err.code).toBe('FLEET_ERR_LIFECYCLE_INIT_FAILED');
    expect(err.message).toMatch(/Db\.onInit\(\) timed out/);
    expect(err.message).toContain('Repo.onInit() skipped: a dependency failed to initialise');
    expect(err.message).toContain('Broker.onInit() failed: broker refused');
    expect(log).toEqual(['init cache', 'stop cache']);
  });
});
