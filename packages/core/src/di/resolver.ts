import { FleetError } from '../errors.js';
import type { ModuleRecord, ProviderRecord } from './records.js';
import { tokenName, unwrapRef, type Token } from './tokens.js';

/**
 * Resolves every provider's dependencies at boot, before anything is built, so that every
 * missing provider, visibility problem and cycle is reported with its full chain.
 */
export class Resolver {
  readonly errors: FleetError[] = [];
  private readonly globals: ModuleRecord[];
  private readonly stack: ProviderRecord[] = [];
  private readonly failed = new Set<ProviderRecord>();

  constructor(private readonly modules: ModuleRecord[]) {
    this.globals = modules.filter((m) => m.global);
  }

  resolveAll(): void {
    // Controllers first: they are the entry points, so a problem is reported with its longest chain.
    for (const m of this.modules) for (const rec of m.controllers) this.resolve(rec, [m.name, tokenName(rec.token)]);
    for (const m of this.modules) for (const rec of m.providers.values()) this.resolve(rec, [m.name, tokenName(rec.token)]);
  }

  /** The provider visible from module `m` under `token`, if any. */
  lookup(m: ModuleRecord, token: Token): ProviderRecord | undefined {
    const own = m.providers.get(token);
    if (own) return own;
    for (const imp of m.imports) {
      const r = findExported(imp, token, new Set());
      if (r) return r;
    }
    for (const g of this.globals) {
      if (g === m) continue;
      const r = findExported(g, token, new Set());
      if (r) return r;
    }
    return undefined;
  }

  private resolve(rec: ProviderRecord, path: string[]): boolean {
    if (rec.deps) return true;
    if (this.failed.has(rec)) return false;
    const at = this.stack.indexOf(rec);
    if (at >= 0) {
      const cycle = [...this.stack.slice(at), rec].map((r) => tokenName(r.token)).join(' -> ');
      this.errors.push(new FleetError('FLEET_ERR_DI_CYCLE',
        `Dependency cycle: ${cycle}.\n  Chain: ${path.join(' -> ')}\n` +
        `Fix: break the cycle: move the shared logic into a third provider both can depend on, or pass data as method arguments instead of injecting each other.`));
      this.stack.slice(at).forEach((r) => this.failed.add(r));
      return false;
    }
    this.stack.push(rec);
    const chain = path;
    const deps = [];
    let ok = true;
    for (const w of rec.wanted) {
      const token = unwrapRef(w.token as Token);
      const found = this.lookup(rec.module, token);
      if (!found) {
        if (w.optional) { deps.push({ token, optional: true }); continue; }
        this.errors.push(this.missing(rec, token, w.index, chain));
        ok = false;
        continue;
      }
      if (!this.resolve(found, [...chain, tokenName(found.token)])) ok = false;
      deps.push({ token, optional: w.optional, record: found });
    }
    this.stack.pop();
    if (ok) rec.deps = deps;
    else this.failed.add(rec);
    return ok;
  }

  private missing(rec: ProviderRecord, token: Token, index: number, chain: string[]): FleetError {
    const owners = this.modules.filter((m) => m.providers.has(token));
    const arg = `argument #${index + 1}${rec.kind === 'factory' ? ' of its factory' : ''}`;
    const head = `${tokenName(rec.token)} cannot be built: no provider for ${tokenName(token)} (${arg}) is visible in ${rec.module.name}.\n` +
      `  Chain: ${[...chain, `? (${arg})`].join(' -> ')}\n`;
    if (owners.length > 0) {
      const owner = owners[0]!;
      const imported = rec.module.imports.includes(owner);
      const exported = owner.exports.has(token);
      const fixes = [
        ...(exported ? [] : [`add ${tokenName(token)} to the exports of ${owner.name}`]),
        ...(imported ? [] : [`add ${owner.name} to the imports of ${rec.module.name}`]),
      ];
      return new FleetError('FLEET_ERR_DI_NOT_EXPORTED', head +
        `${tokenName(token)} is provided by ${owner.name}, ${exported ? `which exports it, but ${rec.module.name} does not import ${owner.name}` : `which does not export it`}.\n` +
        `Fix: ${fixes.join(', and ')}.`);
    }
    return new FleetError('FLEET_ERR_DI_MISSING_PROVIDER', head +
      `Looked up in ${rec.module.name}: its own providers, the exports of its imports, and global modules.\n` +
      `Fix: add ${tokenName(token)} to the providers of ${rec.module.name} (or of a module it imports, exported from there), or mark the parameter @Optional().`);
  }
}

function findExported(m: ModuleRecord, token: Token, seen: Set<ModuleRecord>): ProviderRecord | undefined {
  if (seen.has(m)) return undefined;
  seen.add(m);
  if (m.exports.has(token)) {
    const own = m.providers.get(token);
    if (own) return own;
    for (const imp of m.imports) {
      const r = findExported(imp, token, seen);
      if (r) return r;
    }
  }
  for (const e of m.exportedModules) {
    const r = findExported(e, token, seen);
    if (r) return r;
  }
  return undefined;
}
