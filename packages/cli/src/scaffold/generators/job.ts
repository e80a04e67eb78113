import { join } from 'node:path';
import type { Generator } from './types.js';

/**
 * A job: an injectable class with a validated payload and a `run` method, and its unit test.
 * Until @fleet/core ships queues, services call `run` themselves; the class keeps the shape a
 * queue worker needs (a small serializable payload, no state between runs).
 */
export const jobGenerator: Generator = {
  kind: 'job',
  summary: 'a background job (payload schema + run), and its unit test',
  suffix: 'job',
  list: 'providers',
  generate({ names, dir, className, file }) {
    const payload = `${className}Payload`;
    const source = `import { Injectable } from '@fleet/core';
import { z } from 'zod';

/** The job's input: small and serializable (ids, not rows), validated before the job runs. */
export const ${payload} = z.object({ id: z.string().min(1) });
export type ${payload} = z.infer<typeof ${payload}>;

/**
 * ${names.pascal}: work done outside the request that asked for it. Any instance may run it, any
 * number of times: make it idempotent, and keep its state in PostgreSQL or Redis.
 */
@Injectable()
export class ${className} {
  async run(input: ${payload}): Promise<{ id: string; done: boolean }> {
    const payload = ${payload}.parse(input);
    // The work goes here.
    return { id: payload.id, done: true };
  }
}
`;
    const test = `import { describe, expect, it } from 'vitest';
import { ${className} } from './${names.kebab}.job.js';

describe('${className}', () => {
  const job = new ${className}();

  it('runs with a valid payload', async () => {
    expect(await job.run({ id: 'a-1' })).toEqual({ id: 'a-1', done: true });
  });

  it('rejects an invalid payload before doing any work', async () => {
    await expect(job.run({ id: '' })).rejects.toThrow();
  });
});
`;
    return {
      files: [
        { path: file, content: source, action: 'create' },
        { path: join(dir, `${names.kebab}.job.test.ts`), content: test, action: 'create' },
      ],
    };
  },
};
