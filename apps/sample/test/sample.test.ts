import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '@fleet/testing';
import { AppModule } from '../src/app.module.js';
import { AppConfig } from '../src/config.js';
import { sampleEnv } from '../src/env.js';

const main = fileURLToPath(new URL('../dist/main.js', import.meta.url));

describe('sample app (in-process, real HTTP)', () => {
  let t: TestApp;
  beforeAll(async () => { t = await createTestApp(AppModule, { config: AppConfig, env: sampleEnv({ GREETING: 'hi from test' }) }); });
  afterAll(async () => { await t.close(); });

  it('GET /hello answers with the configured greeting', async () => {
    expect((await t.request().get('/hello').expect(200)).body).toEqual({ message: 'hi from test' });
  });

  it('PUT then GET /users/:id (PostgreSQL); the id is validated and an absent user is a 404 in the common shape', async () => {
    const put = await t.request().put('/users/12').send({ name: 'User 12', email: 'user12@example.com' }).expect(200);
    expect(put.body).toEqual({ id: 12, name: 'User 12', email: 'user12@example.com' });
    const token = put.headers['x-fleet-lsn'] as string; // read-your-writes: see apps/sample/test/users.test.ts
    expect((await t.request().get('/users/12').set('x-fleet-lsn', token).expect(200)).body).toEqual({ id: 12, name: 'User 12', email: 'user12@example.com' });
    expect((await t.request().get('/users/-3').expect(400)).body.details[0]).toEqual({ path: 'params.id', message: 'must be > 0', rule: 'exclusiveMinimum' });
    expect((await t.request().get('/users/5000000').expect(404)).body).toEqual({ statusCode: 404, code: 'FLEET_ERR_HTTP_NOT_FOUND', message: 'user 5000000 not found' });
  });
});

/** Runs the built sample as a real process (what `npm start` runs after the build). */
function runSample(env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string; url?: string; stop: () => Promise<number | null> }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [main], { env: { ...process.env, LOG_LEVEL: 'warn', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    const stop = async () => { if (child.exitCode === null) child.kill('SIGTERM'); return exited; };
    child.stdout.on('data', (d) => {
      stdout += d;
      const m = /listening on (http:\/\/\S+)/.exec(stdout);
      if (m) resolve({ code: null, stdout, stderr, url: m[1], stop });
    });
    child.stderr.on('data', (d) => { stderr += d; });
    child.once('error', reject);
    void exited.then((code) => resolve({ code, stdout, stderr, stop }));
  });
}

describe('sample app (built, as a process)', () => {
  it('starts, prints its URL, serves, and exits 0 on SIGTERM', async () => {
    const run = await runSample({ PORT: '0' });
    try {
      expect(run.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const res = await fetch(`${run.url}/hello`);
      expect(await res.json()).toEqual({ message: 'hello' });
    } finally {
      expect(await run.stop()).toBe(0);
    }
  });

  it('exits non-zero before listening when the config is invalid, listing every problem', async () => {
    const run = await runSample({ PORT: 'not-a-port', GREETING: '' });
    expect(run.url).toBeUndefined();
    expect(run.code).not.toBe(0);
    expect(run.stderr).toContain('FLEET_ERR_CONFIG_INVALID');
    expect(run.stderr).toContain('PORT (AppConfig)');
    expect(run.stderr).toContain('GREETING (AppConfig)');
    expect(run.stdout).not.toContain('listening');
  });
});
