/**
 * The slow suite of `fleet new` (a couple of minutes): a project is created in a temporary folder
 * with this checkout's packages linked, then its own `npm install`, `npm test`, `npm run build`,
 * `npm start` and `npm run dev` must work as a user runs them; then every generator runs in it
 * through the project's own `fleet`, and its tests pass again. The install prefers npm's cache
 * (--prefer-offline); PostgreSQL (127.0.0.1:5432) serves the generated repository's test, in a
 * schema of its own.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const bin = fileURLToPath(new URL('../dist/bin.js', import.meta.url));
const schema = `fleet_new_${randomBytes(4).toString('hex')}`;
const databaseUrl = `postgres://postgres@127.0.0.1:5432/test?options=${encodeURIComponent(`-c search_path=${schema}`)}`;
let work: string;
let app: string;

/**
 * The environment of the commands run in the project, as a user's shell has it: without what
 * vitest and the outer npm script set (VITEST_*, npm_package_*, npm_lifecycle_*, npm_config_* of
 * the workspace), which would describe this repository to them.
 */
function userEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(VITEST|npm_|NODE_ENV$|TEST$)/i.test(k)));
  return { ...env, ...extra };
}

interface Run { code: number | null; out: string }

/** Runs a command to completion; resolves with its exit code and interleaved output (never rejects). */
function sh(command: string, args: string[], options: { cwd: string; env?: NodeJS.ProcessEnv; timeoutMs?: number }): Promise<Run> {
  return new Promise((resolve) => {
    execFile(command, args, { cwd: options.cwd, env: options.env ?? userEnv(), timeout: options.timeoutMs ?? 180_000, maxBuffer: 20 * 1024 * 1024 },
      (error, stdout, stderr) => resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, out: plain(`${stdout}${stderr}`) }));
  });
}

// eslint-disable-next-line no-control-regex
const plain = (text: string) => text.replace(/\x1b\[[0-9;]*m/g, '');

/** Starts a long-running command in its own process group; resolves with the URL it prints. */
function serve(command: string, args: string[], env: NodeJS.ProcessEnv): Promise<{ url: string; child: ChildProcess; output: () => string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: app, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const timer = setTimeout(() => { stop(child); reject(new Error(`no "listening on" within 60 s:\n${output}`)); }, 60_000);
    const onData = (d: Buffer) => {
      output += d.toString();
      const url = /listening on (http:\/\/[\d.:]+)/.exec(output)?.[1];
      if (url) { clearTimeout(timer); resolve({ url, child, output: () => output }); }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => { clearTimeout(timer); reject(new Error(`exited with ${code} before listening:\n${output}`)); });
  });
}

/** SIGTERM to the whole group (npm, node --watch, tsc --watch); resolves with the exit code. */
function stop(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<number | null> {
  const exited = new Promise<number | null>((r) => (child.exitCode !== null ? r(child.exitCode) : child.once('exit', (code) => r(code))));
  try { process.kill(-child.pid!, signal); } catch { /* already gone */ }
  return exited;
}

async function admin(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: 'postgres://postgres@127.0.0.1:5432/test' });
  await client.connect();
  try { await client.query(sql); } finally { await client.end(); }
}

beforeAll(async () => {
  // The binary, and the dist/ of the packages the project links, must be current.
  const build = await sh(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-b', 'packages/core', 'packages/testing', 'packages/cli'], { cwd: root });
  expect(build.out).toBe('');
  work = mkdtempSync(join(tmpdir(), 'fleet-new-e2e-'));
  app = join(work, 'e2e-app');
  await admin(`create schema ${schema}; create schema ${schema}_full`);
}, 180_000);

afterAll(async () => {
  if (work) rmSync(work, { recursive: true, force: true });
  await admin(`drop schema if exists ${schema} cascade; drop schema if exists ${schema}_full cascade`);
});

describe('fleet new, end to end (slow)', () => {
  it('creates and installs a project whose own npm test passes on the first try', async () => {
    const created = await sh(process.execPath, [bin, 'new', 'e2e-app', '--yes', '--link', root], { cwd: work });
    expect(created.out).toContain('Installing dependencies: npm install --prefer-offline --no-audit --no-fund ...');
    expect(created.out).toMatch(/Installed dependencies in \d+\.\d s\./);
    expect(created.code).toBe(0);

    // One copy of @fleet/core: @fleet/testing and @fleet/cli use the app's (decorator metadata is per copy).
    const copies = readdirSync(join(app, 'node_modules'), { recursive: true }).map(String).filter((p) => /(^|\/)@fleet\/core\/package\.json$/.test(p));
    expect(copies).toEqual(['@fleet/core/package.json']);

    const test = await sh('npm', ['test'], { cwd: app });
    expect(test.out).toMatch(/Test Files\s+2 passed \(2\)/);
    expect(test.code).toBe(0);
  }, 240_000);

  it('builds, starts and serves a request with npm run build && npm start, and stops on SIGTERM', async () => {
    const build = await sh('npm', ['run', 'build'], { cwd: app });
    expect(build.code).toBe(0);
    const server = await serve('npm', ['start'], userEnv({ PORT: '0' }));
    try {
      const res = await fetch(`${server.url}/hello?name=Fleet`);
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ message: 'Hello, Fleet!' });
    } finally {
      await stop(server.child);
    }
    // npm itself dies of the signal (and may exit first); the app under it shuts down gracefully,
    // and its last line can arrive after npm is gone: wait for it.
    await expect.poll(() => server.output(), { timeout: 15_000, interval: 50 }).toContain('"msg":"shutdown complete"');
    const routes = await sh(process.execPath, ['node_modules/@fleet/cli/dist/bin.js', 'routes'], { cwd: app });
    expect(routes.out).toBe('METHOD  PATH    HANDLER                DECORATORS\nGET     /hello  HelloController.greet\n');
  }, 120_000);

  it('serves with npm run dev (tsc --watch and node --watch)', async () => {
    const server = await serve('npm', ['run', 'dev'], userEnv({ PORT: '0', LOG_LEVEL: 'warn' }));
    try {
      expect(await (await fetch(`${server.url}/hello`)).json()).toEqual({ message: 'Hello, world!' });
    } finally {
      await stop(server.child, 'SIGINT');
    }
  }, 120_000);

  it('with --features database,redis: installs, and its tests pass against PostgreSQL and Redis', async () => {
    const created = await sh(process.execPath, [bin, 'new', 'full-app', '--yes', '--features', 'database,redis', '--link', root], { cwd: work });
    expect(created.code, created.out).toBe(0);
    const test = await sh('npm', ['test'], {
      cwd: join(work, 'full-app'),
      env: userEnv({ DATABASE_URL: databaseUrl.replace(schema, `${schema}_full`), REDIS_KEY_PREFIX: `test:${schema}:` }),
    });
    expect(test.out).toMatch(/Test Files\s+3 passed \(3\)/);
    expect(test.code).toBe(0);
  }, 240_000);

  it('runs every generator through the project\'s own fleet, and the project still type-checks and passes its tests', async () => {
    const fleet = (...args: string[]) => sh(process.execPath, ['node_modules/@fleet/cli/dist/bin.js', ...args], { cwd: app });
    for (const args of [['controller', 'orders'], ['service', 'orders'], ['repository', 'orders'], ['module', 'billing'],
      ['service', 'billing/invoices'], ['controller', 'billing/payments'], ['job', 'send-receipt']]) {
      const result = await fleet('generate', ...args);
      expect(result.out, args.join(' ')).toMatch(/^CREATE /);
      expect(result.code, `${args.join(' ')}\n${result.out}`).toBe(0);
    }
    const again = await fleet('g', 'service', 'orders');
    expect(again.code).toBe(1);
    expect(again.out).toContain('FLEET_ERR_CLI_FILE_EXISTS');

    expect(readFileSync(join(app, 'src/billing/billing.module.ts'), 'utf8')).toContain('@Module({ providers: [InvoicesService], controllers: [PaymentsController] })');
    const test = await sh('npm', ['test'], { cwd: app, env: userEnv({ DATABASE_URL: databaseUrl }) });
    expect(test.out).toMatch(/Test Files\s+9 passed \(9\)/);
    expect(test.code).toBe(0);

    // What fleet new and fleet generate write keeps the instances stateless.
    const doctor = await fleet('doctor');
    expect(doctor.out).toContain('No findings.');
    expect(doctor.code).toBe(0);
  }, 240_000);
});
