import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as core from '@fleet/core';
import { Async, Injectable, Jobs, JobsModule, Module, createApp, enqueued, type FleetApp } from '@fleet/core';
import { ExitCode, run } from '../src/index.js';
import { captureIo } from './capture-io.js';
import { defineJobsApp, type WorkService } from '../../core/test/jobs/fixtures/jobs-app.mjs';
import { Records } from '../../core/test/jobs/helpers.js';

const bin = fileURLToPath(new URL('../dist/bin.js', import.meta.url));
const workerModule = fileURLToPath(new URL('../../core/test/jobs/fixtures/worker-module.mjs', import.meta.url));
const env = { REDIS_KEY_PREFIX: `test:${randomUUID()}:`, FLEET_APP: 'clijobs' };

@Injectable()
class Billing {
  @Async({ attempts: 2, backoff: { type: 'fixed', delay: 50, jitter: 0 } })
  async charge(orderId: string) { throw new Error(`card declined for ${orderId}`); }
}
@Module({ imports: [JobsModule], providers: [Billing] })
class BillingModule {}

async function fleet(argv: string[]) {
  const io = captureIo(process.cwd());
  const code = await run(argv, io);
  return { code, out: io.out(), err: io.err() };
}

describe('fleet jobs and fleet worker', () => {
  let app: FleetApp;
  const saved = { ...process.env };
  beforeAll(async () => {
    Object.assign(process.env, env);
    app = await createApp(BillingModule, { logger: false, env: { ...env, FLEET_ROLE: 'all' } });
    await app.ready();
  });
  afterAll(async () => {
    await app?.close();
    for (const k of Object.keys(env)) { if (saved[k] === undefined) delete process.env[k]; else process.env[k] = saved[k]; }
    await new Records(env).cleanup();
  });

  it('fleet jobs failed lists a job that failed its last attempt, with its error; retry runs it again; status shows it', async () => {
    const { jobId } = await enqueued(app.get(Billing).charge('o-9'));
    await expect.poll(async () => (await app.get(Jobs).status(jobId))?.state, { timeout: 20_000 }).toBe('failed');

    const failed = await fleet(['jobs', 'failed']);
    expect(failed.code).toBe(ExitCode.Ok);
    expect(failed.out).toMatch(/^ID +NAME +QUEUE +ATTEMPTS +FAILED AT +ERROR$/m);
    expect(failed.out).toContain(jobId);
    expect(failed.out).toContain('Billing.charge');
    expect(failed.out).toContain('card declined for o-9');
    const json = JSON.parse((await fleet(['jobs', 'failed', '--json', '--queue', 'default'])).out) as Array<{ id: string; args: unknown[]; attemptsMade: number }>;
    expect(json.find((j) => j.id === jobId)).toMatchObject({ args: ['o-9'], attemptsMade: 2 });

    const status = await fleet(['jobs', 'status', jobId]);
    expect(status.out).toMatch(/state: +failed/);
    expect(status.out).toMatch(/attempts: +2 of 2/);

    const retried = await fleet(['jobs', 'retry', jobId]);
    expect(retried).toMatchObject({ code: ExitCode.Ok, out: expect.stringContaining(`Retrying job ${jobId} (Billing.charge, queue default)`) });
    await expect.poll(async () => (await app.get(Jobs).status(jobId))?.state, { timeout: 20_000 }).toBe('failed');
    expect((await app.get(Jobs).status(jobId))!.attemptsMade).toBe(2);
  });

  it('explains a wrong command line and a wrong id', async () => {
    expect(await fleet(['jobs'])).toMatchObject({ code: ExitCode.Usage, err: expect.stringContaining('jobs: missing subcommand') });
    expect(await fleet(['jobs', 'retry'])).toMatchObject({ code: ExitCode.Usage, err: expect.stringContaining('missing job id') });
    expect(await fleet(['jobs', 'retry', 'nope'])).toMatchObject({ code: ExitCode.Failure, err: expect.stringContaining('[FLEET_ERR_JOBS_NOT_FOUND]') });
    expect(await fleet(['jobs', 'status', 'nope'])).toMatchObject({ code: ExitCode.Failure, err: expect.stringContaining("no job has the id 'nope'") });
  });

  it('fleet worker runs the app as a worker-only process: it takes jobs, serves readiness, stops gracefully on SIGTERM', async () => {
    const workerEnv = { ...process.env, REDIS_KEY_PREFIX: `test:${randomUUID()}:`, FLEET_APP: 'cliworker', LOG_LEVEL: 'warn' };
    const child = spawn(process.execPath, [bin, 'worker', '--module', workerModule, '--export', 'JobsAppModule', '--port', '0', '--host', '127.0.0.1'],
      { env: workerEnv, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => { out += d; });
    child.stderr.on('data', (d) => { out += d; });
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    const { JobsAppModule, Work } = defineJobsApp(core);
    const web = await createApp(JobsAppModule, { logger: false, env: { ...workerEnv, FLEET_ROLE: 'web' } as Record<string, string> });
    try {
      await expect.poll(() => out, { timeout: 60_000 }).toMatch(/health on (\S+)\/health\/ready/);
      const health = /health on (\S+)\/health\/ready/.exec(out)![1]!;
      const ready = await (await fetch(`${health}/health/ready`)).json() as { checks: Record<string, { status: string; detail: { role: string } }> };
      expect(ready.checks.jobs).toMatchObject({ status: 'up', detail: { role: 'worker' } });
      const { jobId } = await enqueued((web.get(Work) as WorkService).slow('via-cli', 10));
      await expect.poll(async () => (await web.get(Jobs).status(jobId))?.state, { timeout: 20_000 }).toBe('completed');
      expect((await web.get(Jobs).status(jobId))!.returnValue).toEqual({ id: 'via-cli', pid: child.pid });
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
      await web.close();
      await new Records({ REDIS_KEY_PREFIX: workerEnv.REDIS_KEY_PREFIX, FLEET_APP: workerEnv.FLEET_APP }).cleanup();
    }
  });
});
