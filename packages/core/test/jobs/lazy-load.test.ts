import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { Records, jobsEnv } from './helpers.js';

const run = promisify(execFile);
const script = fileURLToPath(new URL('./fixtures/loaded-modules.mjs', import.meta.url));
const env = jobsEnv();
const records = new Records(env);
afterAll(() => records.cleanup());

describe('BullMQ is loaded at boot only by apps that use jobs', () => {
  it('an app without JobsModule never loads bullmq; one with it does', async () => {
    const boot = async (withJobs: boolean) => (await run(process.execPath, [script], { env: { ...process.env, ...env, WITH_JOBS: withJobs ? '1' : '0' } })).stdout;
    const [without, withJobs] = await Promise.all([boot(false), boot(true)]);
    expect(without).toContain('MARK bullmq-loaded false');
    expect(withJobs).toContain('MARK bullmq-loaded true');
  });
});
