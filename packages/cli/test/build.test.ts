import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ExitCode, run } from '../src/index.js';
import { captureIo } from './capture-io.js';

const sample = fileURLToPath(new URL('../../../apps/sample/', import.meta.url));
const diFixture = fileURLToPath(new URL('./fixtures/build-di/', import.meta.url));
const PRIMARY = 'postgres://postgres@127.0.0.1:5432/test';

async function admin(text: string): Promise<void> {
  const client = new pg.Client({ connectionString: PRIMARY, application_name: 'fleet-test-admin' });
  await client.connect();
  try { await client.query(text); } finally { await client.end(); }
}

/** A bundled entry started as a real process; `started` resolves with its URL once `pattern` is printed. */
function start(file: string, env: Record<string, string>, pattern: RegExp): { child: ChildProcess; output: () => string; started: Promise<string>; exited: Promise<number | null> } {
  const child = spawn(process.execPath, ['--enable-source-maps', file], { env: { ...process.env, LOG_LEVEL: 'warn', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  const started = new Promise<string>((resolve, reject) => {
    const onData = (d: Buffer) => {
      output += d;
      const m = pattern.exec(output);
      if (m) resolve(m[1]!);
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    void exited.then((code) => reject(new Error(`${file} exited (${code}) before it started:\n${output}`)));
  });
  started.catch(() => {});
  return { child, output: () => output, started, exited };
}

describe('fleet build', () => {
  it('fails with FLEET_ERR_CLI_FILE_NOT_FOUND when the entry does not exist, naming the flag', async () => {
    const io = captureIo(sample);
    expect(await run(['build', '--entry', 'dist/nope.js', '--out', 'dist/bundle-never'], io)).toBe(ExitCode.Failure);
    expect(io.err()).toContain('[FLEET_ERR_CLI_FILE_NOT_FOUND] --entry: no file at dist/nope.js');
    expect(io.err()).toContain('npx tsc -b');
    expect(existsSync(join(sample, 'dist/bundle-never'))).toBe(false);
  });

  it('refuses an --out folder that holds the entry (it is emptied first)', async () => {
    const io = captureIo(sample);
    expect(await run(['build', '--entry', 'dist/main.js', '--out', 'dist'], io)).toBe(ExitCode.Usage);
    expect(io.err()).toContain('holds the entry dist/main.js');
  });

  it('keeps the names of the app\'s classes: a DI error from a bundled app names them', async () => {
    const out = join(diFixture, `.bundle-${randomBytes(4).toString('hex')}`);
    try {
      const io = captureIo(diFixture);
      expect(await run(['build', '--entry', 'main.js', '--out', out], io), io.err()).toBe(ExitCode.Ok);
      const r = spawnSync(process.execPath, [join(out, 'main.js')], { encoding: 'utf8' });
      const result = JSON.parse(r.stdout.trim()) as { code: string; message: string; audit: string[] };
      expect(result.code).toBe('FLEET_ERR_DI_MISSING_PROVIDER');
      expect(result.message).toContain('Chain: ShopModule -> OrdersService -> ? (argument #1)');
      expect(result.message).toContain('no provider for PaymentGateway');
      // The same names in another module, which the bundler renamed (OrdersService$1 without keepNames).
      expect(result.audit).toEqual(['OrdersService', 'PaymentGateway']);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});

describe('fleet build: the sample app bundled, run as processes against PostgreSQL and Redis', () => {
  const out = join(sample, 'dist', `bundle-test-${randomBytes(4).toString('hex')}`);
  const schema = `t_${randomBytes(5).toString('hex')}`;
  const search = `?options=${encodeURIComponent(`-c search_path=${schema}`)}`;
  const env = {
    DATABASE_URL: `${PRIMARY}${search}`,
    DATABASE_REPLICA_URLS: `postgres://postgres@127.0.0.1:5433/test${search}`,
    REDIS_KEY_PREFIX: `test:${randomUUID()}:`,
    FLEET_APP: `bundle${randomBytes(3).toString('hex')}`,
    HOST: '127.0.0.1',
  };
  let summary = '';
  let web: ReturnType<typeof start> | undefined;
  let worker: ReturnType<typeof start> | undefined;

  beforeAll(async () => {
    await admin(`create schema ${schema}`);
    const io = captureIo(sample);
    const code = await run(['build', '--entry', 'dist/main.js,dist/worker.js', '--out', out], io);
    summary = io.out();
    expect(code, io.err()).toBe(ExitCode.Ok);
  });

  afterAll(async () => {
    for (const p of [web, worker]) if (p && p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGKILL');
    await Promise.all([web?.exited, worker?.exited]);
    rmSync(out, { recursive: true, force: true });
    await admin(`drop schema if exists ${schema} cascade`);
    const redis = new Redis();
    try {
      let cursor = '0';
      do {
        const [next, keys] = await redis.scan(cursor, 'MATCH', `${env.REDIS_KEY_PREFIX}*`, 'COUNT', 500);
        cursor = next;
        if (keys.length) await redis.del(...keys);
      } while (cursor !== '0');
    } finally {
      redis.disconnect();
    }
  });

  it('writes one file per entry plus shared chunks, source maps, and prints the files and the externals', () => {
    expect(existsSync(join(out, 'main.js'))).toBe(true);
    expect(existsSync(join(out, 'worker.js'))).toBe(true);
    expect(existsSync(join(out, 'main.js.map'))).toBe(true);
    expect(summary).toMatch(/main\.js .*\(entry\)/);
    expect(summary).toMatch(/External \(loaded from node_modules at run time\): .*bullmq.*ioredis/);
  });

  it('serves PostgreSQL- and Redis-backed routes, a worker bundle completes the @Async jobs, /health/ready is 200, both exit 0 on SIGTERM', async () => {
    worker = start(join(out, 'worker.js'), { ...env, WORKER_PORT: '0' }, /health on (http:\/\/\S+)\/health\/ready/);
    web = start(join(out, 'main.js'), { ...env, PORT: '0' }, /listening on (http:\/\/\S+)/);
    const [base, workerBase] = await Promise.all([web.started, worker.started]);

    expect((await fetch(`${base}/health/ready`)).status).toBe(200);
    expect((await fetch(`${workerBase}/health/ready`)).status).toBe(200);
    // PostgreSQL (the migrations folder found through import.meta.url of the bundled module) and the cache.
    const put = await fetch(`${base}/users/7`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'User 7', email: 'user7@example.com' }) });
    expect(put.status).toBe(200);
    const lsn = put.headers.get('x-fleet-lsn')!;
    expect(await (await fetch(`${base}/users/7`, { headers: { 'x-fleet-lsn': lsn } })).json()).toEqual({ id: 7, name: 'User 7', email: 'user7@example.com' });
    expect((await (await fetch(`${base}/users/-3`)).json() as { code: string }).code).toBe('FLEET_ERR_HTTP_VALIDATION');

    // Redis: the order's three @Async jobs are enqueued by the web bundle (BullMQ's Lua scripts) and run by the worker bundle.
    const placed = await fetch(`${base}/orders`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ items: [{ sku: 'A-1', qty: 2 }] }) });
    expect(placed.status).toBe(202);
    const { orderId } = await placed.json() as { orderId: string };
    const token = placed.headers.get('x-fleet-lsn')!;
    await expect.poll(async () => {
      const order = await (await fetch(`${base}/orders/${orderId}`, { headers: { 'x-fleet-lsn': token } })).json() as { jobs: Record<string, { state: string } | null> };
      return Object.values(order.jobs).map((j) => j?.state);
    }, { timeout: 30_000, interval: 250 }).toEqual(['completed', 'completed', 'completed']);
    expect(worker.output()).not.toMatch(/FLEET_ERR_|Error:/);

    web.child.kill('SIGTERM');
    worker.child.kill('SIGTERM');
    expect(await web.exited, web.output()).toBe(0);
    expect(await worker.exited, worker.output()).toBe(0);
  }, 60_000);
});
