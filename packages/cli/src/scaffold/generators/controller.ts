import { join } from 'node:path';
import type { Generator } from './types.js';

/** A controller with one route, and an HTTP test that boots just that controller. */
export const controllerGenerator: Generator = {
  kind: 'controller',
  summary: 'a @Controller with GET /<name>, and its HTTP test (createTestApp)',
  suffix: 'controller',
  list: 'controllers',
  generate({ names, dir, className, file }) {
    const page = `${names.pascal}Page`;
    const source = `import { Controller, Get } from '@fleet/core';
import { z } from 'zod';

/** What GET /${names.kebab} answers: the schema validates and serializes the response. */
const ${page} = z.object({ items: z.array(z.object({ id: z.string() })) });

@Controller('/${names.kebab}')
export class ${className} {
  @Get('/', { response: ${page} })
  list(): z.infer<typeof ${page}> {
    return { items: [] };
  }
}
`;
    const test = `import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Module } from '@fleet/core';
import { createTestApp, type TestApp } from '@fleet/testing';
import { ${className} } from './${names.kebab}.controller.js';

/** Just this controller, over real HTTP; add the providers it injects (or override them) here. */
@Module({ controllers: [${className}] })
class ${className}TestModule {}

describe('${className}', () => {
  let t: TestApp;
  beforeAll(async () => { t = await createTestApp(${className}TestModule); });
  afterAll(async () => { await t?.close(); });

  it('GET /${names.kebab} answers 200 with a page of items', async () => {
    const res = await t.request().get('/${names.kebab}').expect(200);
    expect(res.body).toEqual({ items: [] });
  });
});
`;
    return {
      files: [
        { path: file, content: source, action: 'create' },
        { path: join(dir, `${names.kebab}.controller.test.ts`), content: test, action: 'create' },
      ],
    };
  },
};
