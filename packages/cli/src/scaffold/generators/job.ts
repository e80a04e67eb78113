import { join } from 'node:path';
import { projectImports, projectPath, rootModule } from '../project.js';
import type { Generator } from './types.js';

/**
 * A job: an injectable class whose `@Async` method runs on a worker instance (BullMQ on the app's
 * Redis), with a payload schema checked in the caller before anything is enqueued, and its test
 * (a real enqueue and worker run through `@fleet/testing`, against Redis). A project whose root
 * module does not import JobsModule gets it there.
 */
export const jobGenerator: Generator = {
  kind: 'job',
  summary: 'an @Async job (payload schema, enqueue() and its worker method), and its test',
  suffix: 'job',
  list: 'providers',
  generate({ project, names, dir, className, file }) {
    const payload = `${className}Payload`;
    const source = `import { Async, Injectable, enqueued, type JobRef } from '@fleet/core';
import { z } from 'zod';

/** The job's input: small and JSON-serializable (ids, not rows). */
export const ${payload} = z.object({ id: z.string().min(1) });
export type ${payload} = z.infer<typeof ${payload}>;

/**
 * ${names.pascal}: work done outside the request that asked for it. Its module needs JobsModule
 * (and so Redis); workers are instances with FLEET_ROLE=worker or all (the default).
 */
@Injectable()
export class ${className} {
  /** Checks the payload here, in the caller (a bad one rejects), then enqueues the job: resolves to { jobId, queue } at once. */
  async enqueue(input: ${payload}): Promise<JobRef> {
    return enqueued(this.run(${payload}.parse(input)));
  }

  /**
   * Runs on a worker, at least once (retried with backoff when it throws): make it idempotent,
   * and keep its state in PostgreSQL or Redis. What it returns is the job's result (jobs.status).
   */
  @Async({ attempts: 3 })
  async run(payload: ${payload}): Promise<{ id: string; done: boolean }> {
    // The work goes here.
    return { id: payload.id, done: true };
  }
}
`;
    const test = `import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JobsModule, Module } from '@fleet/core';
import { createTestApp, type TestApp } from '@fleet/testing';
import { ${className} } from './${names.kebab}.job.js';

@Module({ imports: [JobsModule], providers: [${className}] })
class TestModule {}

// Needs Redis at REDIS_URL (default redis://127.0.0.1:6379): the job is really enqueued and run by a worker.
describe('${className}', () => {
  let t: TestApp;
  beforeAll(async () => { t = await createTestApp(TestModule); });
  afterAll(async () => { await t?.close(); });

  it('enqueues the job at once, and a worker runs it', async () => {
    const { jobId } = await t.get(${className}).enqueue({ id: 'a-1' });
    expect((await t.jobs.waitFor(jobId)).returnValue).toEqual({ id: 'a-1', done: true });
  });

  it('rejects an invalid payload in the caller, before anything is enqueued', async () => {
    await t.jobs.drain(); // what ran before this test
    await expect(t.get(${className}).enqueue({ id: '' })).rejects.toThrow();
    expect((await t.jobs.drain()).completed).toBe(0);
  });
});
`;
    const root = rootModule(project);
    const wire = root !== undefined && !projectImports(project, 'JobsModule', '@fleet/core');
    return {
      files: [
        { path: file, content: source, action: 'create' },
        { path: join(dir, `${names.kebab}.job.test.ts`), content: test, action: 'create' },
      ],
      ...(wire ? {
        moduleEdits: [{ file: root, entries: [{ list: 'imports', name: 'JobsModule', from: '@fleet/core', expression: 'JobsModule' }] }],
        notes: [
          `${projectPath(project, root)} now imports JobsModule: the app and its tests need Redis at REDIS_URL`,
          '(default redis://127.0.0.1:6379; "docker compose up -d --wait" starts one).',
        ],
      } : {}),
    };
  },
};
