import { describe, expect, it } from 'vitest';

describe('package entry', () => {
  it('exports every runtime name of index.ts (add a new export to package-entry.ts too)', async () => {
    const index = Object.keys(await import('./index.js')).sort();
    const entry = Object.keys(await import('./package-entry.js')).sort();
    expect(index.filter((n) => !entry.includes(n)), 'missing from package-entry.ts').toEqual([]);
    expect(entry.filter((n) => !index.includes(n)), 'not exported by index.ts').toEqual([]);
  });
});
