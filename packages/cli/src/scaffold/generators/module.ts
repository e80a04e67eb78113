import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { importPath, rootModule } from '../project.js';
import type { Generator } from './types.js';

/** A feature module, registered in the imports of the module above it, and a test that boots the app with it. */
export const moduleGenerator: Generator = {
  kind: 'module',
  summary: 'a @Module, imported by the module above it, and a test that boots the app with it',
  suffix: 'module',
  list: 'imports',
  generate({ project, names, dir, className, file }) {
    const source = `import { Module } from '@fleet/core';

/**
 * ${names.pascal}: its controllers, providers, and the providers other modules may use (exports).
 * \`fleet generate service ${names.kebab}/<name>\` registers new classes here.
 */
@Module({})
export class ${className} {}
`;
    const testFile = join(dir, `${names.kebab}.module.test.ts`);
    const root = rootModule(project);
    const config = join(project.sourceRoot, 'config.ts');
    const hasConfig = existsSync(config) && /export class AppConfig\b/.test(readFileSync(config, 'utf8'));
    const test = root && root !== file ? `import { describe, it } from 'vitest';
import { createTestApp } from '@fleet/testing';
import { AppModule } from '${importPath(testFile, root)}';
${hasConfig ? `import { AppConfig } from '${importPath(testFile, config)}';\n` : ''}
// ${className} is part of AppModule: booting the app builds its providers and mounts its controllers.
describe('${className}', () => {
  it('boots with the app: everything its providers inject is provided', async () => {
    const t = await createTestApp(AppModule${hasConfig ? ', { config: AppConfig }' : ''});
    await t.close();
  });
});
` : `import { describe, it } from 'vitest';
import { createTestApp } from '@fleet/testing';
import { ${className} } from './${names.kebab}.module.js';

describe('${className}', () => {
  it('boots on its own: everything its providers inject is provided', async () => {
    const t = await createTestApp(${className});
    await t.close();
  });
});
`;
    return {
      files: [
        { path: file, content: source, action: 'create' },
        { path: testFile, content: test, action: 'create' },
      ],
    };
  },
};
