import { FleetError } from '../errors.js';
import { readMeta, type Scope } from './metadata.js';
import { isDynamicModule, readModule, type DynamicModule, type ModuleMetadata } from './module-def.js';
import type { Provider } from './provider.js';
import type { ModuleRecord, ProviderRecord } from './records.js';
import { classDependencies } from './class-deps.js';
import { tokenName, unwrapRef, type Token, type Type } from './tokens.js';

/**
 * Walks the module tree from the root, normalising every provider, and records which tokens
 * each module exports. Static modules are shared by class; each dynamic module definition is
 * its own module.
 */
export class ModuleScanner {
  readonly modules: ModuleRecord[] = [];
  private readonly byKey = new Map<unknown, ModuleRecord>();
  private readonly names = new Map<string, number>();
  readonly errors: FleetError[] = [];

  constructor(private readonly overrides: Map<Token, Provider>, private readonly usedOverrides: Set<Token>) {}

  async scan(entry: unknown, importer?: ModuleRecord): Promise<ModuleRecord | undefined> {
    const resolved = await unwrapRef(entry as any);
    const dynamic = isDynamicModule(resolved) ? resolved : undefined;
    const cls = (dynamic ? dynamic.module : resolved) as Type;
    const key = dynamic ?? cls;
    const existing = this.byKey.get(key);
    if (existing) return existing;

    const staticMeta = typeof cls === 'function' ? readModule(cls) : undefined;
    if (!staticMeta && !dynamic) {
      this.errors.push(new FleetError('FLEET_ERR_DI_INVALID_MODULE',
        `${describe(resolved)}${importer ? ` (imported by ${importer.name})` : ''} is not a module: decorate the class with @Module({...}) or return { module, ... } from a forRoot-style method.` +
        (resolved === undefined ? ' An undefined import usually means two files import each other: use forwardRef(() => TheModule).' : '')));
      return undefined;
    }
    const meta: ModuleMetadata = merge(staticMeta ?? {}, dynamic);
    const record: ModuleRecord = {
      name: this.uniqueName(cls.name), cls, global: !!meta.global, imports: [], providers: new Map(),
      controllers: [], exports: new Set(), exportedModules: [], rawExports: meta.exports ?? [],
    };
    this.byKey.set(key, record);
    this.modules.push(record);

    for (const imp of meta.imports ?? []) {
      const child = await this.scan(imp, record);
      if (child) record.imports.push(child);
    }
    for (const p of meta.providers ?? []) {
      const rec = this.normalise(p, record, false);
      if (rec) record.providers.set(rec.token, rec);
    }
    for (const c of meta.controllers ?? []) {
      const rec = this.normalise(c, record, true);
      if (rec) record.controllers.push(rec);
    }
    return record;
  }

  /** Resolves `exports` once every module is known. */
  linkExports(): void {
    for (const m of this.modules) {
      for (const raw of m.rawExports) {
        const item = unwrapRef(raw as any);
        const exportedModule = m.imports.find((i) => i.cls === item || this.byKey.get(item) === i);
        if (exportedModule) { m.exportedModules.push(exportedModule); continue; }
        const token = item as Token;
        if (m.providers.has(token) || m.imports.some((i) => exportsToken(i, token))) { m.exports.add(token); continue; }
        this.errors.push(new FleetError('FLEET_ERR_DI_INVALID_EXPORT',
          `${m.name} exports ${tokenName(token)}, but neither provides it nor imports a module that exports it. ` +
          `Fix: add ${tokenName(token)} to ${m.name}'s providers, or import the module that exports it.`));
      }
    }
  }

  private normalise(p: Provider, module: ModuleRecord, isController: boolean): ProviderRecord | undefined {
    const base = { module, isController, built: false, wanted: [] as ProviderRecord['wanted'] };
    const token = typeof p === 'function' ? p : (p as { provide?: Token })?.provide;
    const override = token !== undefined && !isController ? this.overrides.get(token) : undefined;
    if (override !== undefined) this.usedOverrides.add(token as Token);
    const def = override ?? p;
    if (typeof def === 'function') {
      return this.classRecord(def as Type, def as Type, base, undefined);
    }
    if (typeof def !== 'object' || def === null || !('provide' in def)) {
      this.errors.push(new FleetError('FLEET_ERR_DI_INVALID_PROVIDER',
        `${module.name} lists ${describe(def)} as a ${isController ? 'controller' : 'provider'}. A provider is a class or { provide, useClass | useValue | useFactory | useExisting }.`));
      return undefined;
    }
    const d = def as Record<string, any>;
    const provide = d.provide as Token;
    if ('useClass' in d && typeof d.useClass === 'function') return this.classRecord(provide, d.useClass, base, d.scope);
    if ('useValue' in d) return { ...base, token: provide, kind: 'value', scope: 'singleton', useValue: d.useValue };
    if ('useFactory' in d && typeof d.useFactory === 'function') {
      const wanted = ((d.inject ?? []) as unknown[]).map((t, index) => {
        const opt = typeof t === 'object' && t !== null && 'optional' in t && 'token' in t;
        return { token: opt ? (t as { token: unknown }).token : t, optional: opt ? !!(t as { optional: boolean }).optional : false, index };
      });
      return { ...base, token: provide, kind: 'factory', scope: d.scope ?? 'singleton', useFactory: d.useFactory, wanted };
    }
    if ('useExisting' in d && d.useExisting !== undefined) {
      return { ...base, token: provide, kind: 'existing', scope: 'singleton', wanted: [{ token: d.useExisting, optional: false, index: 0 }] };
    }
    this.errors.push(new FleetError('FLEET_ERR_DI_INVALID_PROVIDER',
      `${module.name} provides ${tokenName(provide)} without a valid useClass (a class), useValue, useFactory (a function) or useExisting (a token).`));
    return undefined;
  }

  private classRecord(token: Token, cls: Type, base: Omit<ProviderRecord, 'token' | 'kind' | 'scope'>, scope: Scope | undefined): ProviderRecord | undefined {
    const deps = classDependencies(cls, base.module.name);
    if (deps instanceof FleetError) { this.errors.push(deps); return undefined; }
    return { ...base, token, kind: 'class', useClass: cls, scope: scope ?? readMeta(cls)?.scope ?? 'singleton', wanted: deps };
  }

  private uniqueName(name: string): string {
    const n = (this.names.get(name) ?? 0) + 1;
    this.names.set(name, n);
    return n === 1 ? name : `${name}#${n}`;
  }
}

/** Whether a module makes `token` visible to its importers (directly or through re-exported modules). */
export function exportsToken(m: ModuleRecord, token: Token, seen = new Set<ModuleRecord>()): boolean {
  if (seen.has(m)) return false;
  seen.add(m);
  return m.exports.has(token) || m.exportedModules.some((e) => exportsToken(e, token, seen));
}

function merge(a: ModuleMetadata, b?: DynamicModule): ModuleMetadata {
  if (!b) return a;
  const cat = <T>(x?: T[], y?: T[]) => [...(x ?? []), ...(y ?? [])];
  return {
    imports: cat(a.imports, b.imports), providers: cat(a.providers, b.providers),
    controllers: cat(a.controllers, b.controllers), exports: cat(a.exports, b.exports),
    global: b.global ?? a.global,
  };
}

function describe(x: unknown): string {
  if (typeof x === 'function') return x.name || '<anonymous class>';
  if (x === undefined) return 'undefined';
  try { return JSON.stringify(x) ?? String(x); } catch { return String(x); }
}
