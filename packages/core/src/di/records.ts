import type { Scope } from './metadata.js';
import type { Token, Type } from './tokens.js';

/** One dependency of a provider, resolved at boot. */
export interface Dependency {
  token: Token;
  optional: boolean;
  /** Undefined only when optional and nothing provides it. */
  record?: ProviderRecord;
}

export type ProviderKind = 'class' | 'value' | 'factory' | 'existing';

/** A provider as the container sees it: normalised, owned by a module, resolved at boot. */
export interface ProviderRecord {
  token: Token;
  module: ModuleRecord;
  kind: ProviderKind;
  scope: Scope;
  useClass?: Type;
  useValue?: unknown;
  useFactory?: (...args: any[]) => unknown;
  /** Raw dependency declarations; `deps` is filled by the resolver. */
  wanted: Array<{ token: unknown; optional: boolean; index: number }>;
  deps?: Dependency[];
  isController: boolean;
  instance?: unknown;
  built: boolean;
}

export interface ModuleRecord {
  name: string;
  cls: Type;
  global: boolean;
  imports: ModuleRecord[];
  providers: Map<Token, ProviderRecord>;
  controllers: ProviderRecord[];
  /** Tokens this module makes visible to importers (own or re-exported). */
  exports: Set<Token>;
  /** Imported modules whose exports are re-exported whole. */
  exportedModules: ModuleRecord[];
  /** Raw exports, checked once all modules are scanned. */
  rawExports: unknown[];
}
