import type { ResolvedCached, ResolvedEvict, ResolvedPut } from './cache-options.js';

/** @internal The cache decorators of one method, merged into its one `cached` pipeline stage. */
export interface CacheOps {
  cached?: ResolvedCached;
  puts: ResolvedPut[];
  evicts: ResolvedEvict[];
}

/** @internal The stage label `describePipeline` shows. */
export function opsLabel(ops: CacheOps): string {
  if (ops.cached !== undefined) return 'Cached';
  if (ops.puts.length > 0 && ops.evicts.length > 0) return 'CachePut+CacheEvict';
  return ops.puts.length > 0 ? 'CachePut' : 'CacheEvict';
}
