import { join } from 'node:path';
import type { Generator } from './types.js';

/** An injectable service and its unit test. */
export const serviceGenerator: Generator = {
  kind: 'service',
  summary: 'an @Injectable service, and its unit test',
  suffix: 'service',
  list: 'providers',
  generate({ names, dir, className, file }) {
    const source = `import { Injectable } from '@fleet/core';

/**
 * ${names.pascal}: the logic controllers and jobs call. One instance serves every request of this
 * process, and every instance of the fleet must answer alike: keep data in PostgreSQL or Redis,
 * not in fields (the app refuses to boot with in-memory state).
 */
@Injectable()
export class ${className} {
  /** A placeholder to replace with the first real method. */
  describe(id: string): string {
    return \`${names.kebab} \${id}\`;
  }
}
`;
    const test = `import { describe, expect, it } from 'vitest';
import { ${className} } from './${names.kebab}.service.js';

describe('${className}', () => {
  const service = new ${className}(); // a unit test: pass fakes for what the constructor injects

  it('describes an id', () => {
    expect(service.describe('42')).toBe('${names.kebab} 42');
  });
});
`;
    return {
      files: [
        { path: file, content: source, action: 'create' },
        { path: join(dir, `${names.kebab}.service.test.ts`), content: test, action: 'create' },
      ],
    };
  },
};
