import { execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../../../', import.meta.url));
const app = fileURLToPath(new URL('./fixtures/bundle-app.mjs', import.meta.url));
// Under packages/core/dist (so the bundle resolves zod, fastify and the rest from the workspace),
// never dist/bundle itself: the package entry would pick that up for every other test process.
const out = fileURLToPath(new URL(`../dist/bundle-test-${randomBytes(4).toString('hex')}/`, import.meta.url));

/**
 * What the published package ships (decision 006): the single-file bundle of core's tsc output.
 * It is made here from the current build and an app boots on it, so a bundling problem (a lost
 * export, a lazy chunk that does not load, decorator metadata split across copies) fails CI
 * rather than a user's deployment.
 */
describe('the single-file bundle of @fleet/core', () => {
  beforeAll(async () => {
    await run(process.execPath, ['scripts/bundle-core.mjs', '--out', out], { cwd: root });
  }, 120_000);
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  it('has the runtime exports of the per-file build, and lazy chunks beside its index', async () => {
    const bundled = Object.keys(await import(`${out}index.js`)).sort();
    const perFile = Object.keys(await import('../dist/index.js')).sort();
    expect(bundled).toEqual(perFile);
    expect(existsSync(`${out}build.json`)).toBe(true);
    expect(readdirSync(out).filter((f) => f.endsWith('.js') && f !== 'index.js').length).toBeGreaterThan(0);
  });

  it('boots an app: injection, a validated route, the security headers, a Redis-backed module', async () => {
    const child = spawn(process.execPath, [app], { env: { ...process.env, CORE_BUNDLE: `${out}index.js`, REDIS_KEY_PREFIX: `test:${randomBytes(4).toString('hex')}:` }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d) => { output += d; });
    child.stderr.on('data', (d) => { output += d; });
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      const url = await new Promise<string>((resolve, reject) => {
        const timer = setInterval(() => { const m = /MARK listening (\S+)/.exec(output); if (m) { clearInterval(timer); resolve(m[1]!); } }, 20);
        void exited.then(() => { clearInterval(timer); reject(new Error(`the app exited:\n${output}`)); });
      });
      const ok = await fetch(`${url}/hello/ada`);
      expect(ok.status).toBe(200);
      expect(await ok.json()).toEqual({ message: 'hello ada' });
      expect(ok.headers.get('x-content-type-options')).toBe('nosniff');
      const bad = await fetch(`${url}/hello/a`);
      expect(bad.status).toBe(400);
      expect(((await bad.json()) as { code: string }).code).toBe('FLEET_ERR_HTTP_VALIDATION');
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  }, 60_000);
});
