import { FleetError, throwAll } from '../errors.js';
import { defineModule } from './module-def.js';
import type { Provider } from './provider.js';
import type { ModuleRecord, ProviderRecord } from './records.js';
import { Resolver } from './resolver.js';
import { ModuleScanner } from './scanner.js';
import { tokenName, type Token, type Type } from './tokens.js';
import type { HookTarget } from './lifecycle.js';
import { isConfigClass, loadConfigs, type ConfigClass } from '../config/config.js';

export interface ContainerOptions {
  /** Replace providers by token wherever they are declared (tests). */
  overrides?: Provider[];
  /** Providers of the framework itself, visible everywhere. */
  builtins?: Provider[];
  /** Where config classes read their variables. @default process.env */
  env?: Record<string, string | undefined>;
  /** Runs each constructor/factory call, so work done inside can be attributed to the provider (boot timers). */
  runAs?: <T>(name: string, fn: () => T) => T;
}

/**
 * The dependency-injection container. Everything happens in `create`: scan modules, resolve the
 * whole graph (reporting every problem at once), then build singletons in dependency order.
 * After that, `get` is a map lookup.
 */
export class Container {
  /** Built instances in the order they were built: dependencies before dependents. */
  readonly built: HookTarget[] = [];
  private readonly byToken = new Map<Token, ProviderRecord>();

  private constructor(readonly modules: ModuleRecord[], readonly root: ModuleRecord, private readonly runAs: <T>(name: string, fn: () => T) => T) {
    for (const m of modules) for (const [t, r] of m.providers) if (!this.byToken.has(t)) this.byToken.set(t, r);
  }

  static async create(rootModule: unknown, options: ContainerOptions = {}): Promise<Container> {
    const overrides = new Map<Token, Provider>();
    for (const o of options.overrides ?? []) overrides.set(typeof o === 'function' ? o : o.provide, o);
    const used = new Set<Token>();
    const scanner = new ModuleScanner(overrides, used);

    class FleetCoreModule {}
    const builtins = options.builtins ?? [];
    defineModule(FleetCoreModule, { providers: builtins, exports: builtins.map((p) => (typeof p === 'function' ? p : p.provide)), global: true });
    const root = await scanner.scan(rootModule);
    await scanner.scan(FleetCoreModule);
    scanner.linkExports();
    for (const token of overrides.keys()) {
      if (!used.has(token)) {
        scanner.errors.push(new FleetError('FLEET_ERR_DI_UNUSED_OVERRIDE',
          `An override is given for ${tokenName(token)}, but no module provides it. Fix: override a token that the app provides (check the import of the class you override).`));
      }
    }
    throwAll(scanner.errors);
    // Config and graph problems are independent: report both in one go.
    const configErrors: FleetError[] = [];
    try {
      loadConfigProviders(scanner.modules, options.env ?? process.env);
    } catch (e) {
      configErrors.push(e as FleetError);
    }
    const resolver = new Resolver(scanner.modules);
    resolver.resolveAll();
    throwAll([...configErrors, ...resolver.errors]);

    const container = new Container(scanner.modules, root!, options.runAs ?? ((_n, fn) => fn()));
    for (const m of scanner.modules) {
      // Transients are built where they are injected, never on their own.
      for (const rec of [...m.providers.values(), ...m.controllers]) if (rec.scope !== 'transient') await container.instantiate(rec, [m.name]);
    }
    return container;
  }

  /** The instance for a token: singletons are shared, transients are built anew. */
  get<T>(token: Token<T>): T {
    const rec = this.byToken.get(token);
    if (!rec) {
      throw new FleetError('FLEET_ERR_DI_UNKNOWN_TOKEN', `No module provides ${tokenName(token)}. Fix: add it to a module's providers.`);
    }
    if (rec.built) return rec.instance as T;
    return this.buildSync(rec) as T;
  }

  /** Whether any built provider depends on `token` (used to switch optional machinery on at boot). */
  isInjected(token: Token): boolean {
    for (const m of this.modules) {
      for (const rec of [...m.providers.values(), ...m.controllers]) {
        if (rec.deps?.some((d) => d.record?.token === token)) return true;
      }
    }
    return false;
  }

  /** Every singleton with its module and how it was provided (for the state guard). */
  singletons(): Array<{ module: string; name: string; cls?: Type; instance: unknown; kind: ProviderRecord['kind'] }> {
    return this.modules.flatMap((m) => [...m.providers.values(), ...m.controllers]
      .filter((r) => r.built)
      .map((r) => ({ module: m.name, name: tokenName(r.token), cls: r.kind === 'class' ? r.useClass : undefined, instance: r.instance, kind: r.kind })));
  }

  /** The controllers, with their instances, in module order. */
  controllers(): Array<{ cls: Type; instance: object; module: ModuleRecord }> {
    return this.modules.flatMap((m) => m.controllers.map((c) => ({ cls: c.useClass!, instance: c.instance as object, module: m })));
  }

  private async instantiate(rec: ProviderRecord, chain: string[]): Promise<unknown> {
    if (rec.built) return rec.instance;
    const path = [...chain, tokenName(rec.token)];
    const args: unknown[] = [];
    for (const d of rec.deps!) args.push(d.record ? await this.instantiate(d.record, path) : undefined);
    let instance: unknown;
    try {
      instance = await this.runAs(tokenName(rec.token), () => this.construct(rec, args));
    } catch (cause) {
      throw new FleetError('FLEET_ERR_DI_INSTANTIATION_FAILED',
        `Building ${tokenName(rec.token)} (in ${rec.module.name}) failed: ${cause instanceof Error ? cause.message : String(cause)}\n  Chain: ${path.join(' -> ')}`, { cause });
    }
    if (rec.scope === 'singleton' || rec.kind === 'existing') {
      rec.instance = instance;
      rec.built = true;
    }
    if (rec.kind !== 'value' && rec.kind !== 'existing' && typeof instance === 'object' && instance !== null) {
      this.built.push({ name: tokenName(rec.token), instance, dependsOn: new Set(rec.deps!.map((d) => d.record?.instance).filter(Boolean)) });
    }
    return instance;
  }

  private construct(rec: ProviderRecord, args: unknown[]): unknown {
    switch (rec.kind) {
      case 'class': return new rec.useClass!(...args);
      case 'value': return rec.useValue;
      case 'factory': return rec.useFactory!(...args);
      case 'existing': return args[0];
    }
  }

  private buildSync(rec: ProviderRecord): unknown {
    const args = rec.deps!.map((d) => (d.record ? (d.record.built ? d.record.instance : this.buildSync(d.record)) : undefined));
    return this.construct(rec, args);
  }
}

/** Config classes are not constructed: they become frozen values parsed from the environment. */
function loadConfigProviders(modules: ModuleRecord[], env: Record<string, string | undefined>): void {
  const records = modules.flatMap((m) => [...m.providers.values()]).filter((r) => r.kind === 'class' && isConfigClass(r.useClass));
  if (records.length === 0) return;
  const loaded = loadConfigs([...new Set(records.map((r) => r.useClass as unknown as ConfigClass))], env);
  for (const r of records) {
    r.kind = 'value';
    r.useValue = loaded.get(r.useClass as unknown as ConfigClass);
    r.wanted = [];
  }
}
