import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const src = fileURLToPath(new URL('../../src/', import.meta.url));

/** Every module `@fleet/core` loads when it is imported: static imports from index.ts, not `import type`, not `await import()`. */
function staticGraph(entry: string): { files: Set<string>; packages: Set<string> } {
  const files = new Set<string>();
  const packages = new Set<string>();
  const visit = (file: string) => {
    if (files.has(file)) return;
    files.add(file);
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/^(?:import|export)\s+(?!type\b)(?:[^'";]*?\sfrom\s+)?['"]([^'"]+)['"]/gm)) {
      const spec = m[1]!;
      if (spec.startsWith('.')) visit(resolve(dirname(file), spec.replace(/\.js$/, '.ts')));
      else packages.add(spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]!);
    }
  };
  visit(resolve(src, 'index.ts'));
  return { files, packages };
}

describe('the cache loads lazily', () => {
  it('importing @fleet/core loads neither lru-cache nor the cache runtime (CacheModule loads them at boot)', () => {
    const { files, packages } = staticGraph(src);
    expect(files.has(resolve(src, 'cache/decorators.ts'))).toBe(true);
    expect(packages.has('lru-cache')).toBe(false);
    expect([...files].filter((f) => f.includes(`${resolve(src, 'cache/internal')}`))).toEqual([]);
    expect(readFileSync(resolve(src, 'cache/cache.ts'), 'utf8')).toContain("await import('./internal/runtime.js')");
  });
});
