import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import pg from 'pg';

const MAIN = fileURLToPath(new URL('../../dist/main.js', import.meta.url));
const WORKER = fileURLToPath(new URL('../../dist/worker.js', import.meta.url));
const PRIMARY = 'postgres://postgres@127.0.0.1:5432/test';

/** A free loopback port (the kernel's pick, released at once so a process can take it). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Runs SQL on the primary as the admin (outside the fleet's pools). */
export async function admin<R extends pg.QueryResultRow = pg.QueryResultRow>(text: string, values: unknown[] = []): Promise<pg.QueryResult<R>> {
  const client = new pg.Client({ connectionString: PRIMARY, application_name: 'fleet-e2e-admin' });
  client.on('error', () => undefined);
  await client.connect();
  try { return await client.query<R>(text, values); } finally { await client.end(); }
}

const withSchema = (url: string, schema: string) => `${url}${url.includes('?') ? '&' : '?'}options=${encodeURIComponent(`-c search_path=${schema}`)}`;

/**
 * One real process of the built sample (`dist/main.js`, or `dist/worker.js` for the worker) on a
 * fixed port, so it can be restarted where the balancer expects it.
 */
export class SampleProcess {
  child: ChildProcess | undefined;
  output = '';
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }> = Promise.resolve({ code: null, signal: null });
  /** Every exit of this process, in order. */
  readonly exits: Array<{ code: number | null; signal: NodeJS.Signals | null }> = [];

  constructor(readonly name: string, readonly port: number, private readonly env: Record<string, string>, private readonly role: 'web' | 'worker') {}

  get url(): string { return `http://127.0.0.1:${this.port}`; }
  get running(): boolean { return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null; }

  /** Starts the process and resolves when it listens (its "listening"/"running jobs" line). */
  async start(timeoutMs = 60_000): Promise<void> {
    const env = { ...process.env, ...this.env, ...(this.role === 'worker' ? { WORKER_PORT: String(this.port) } : { PORT: String(this.port) }) };
    const child = spawn(process.execPath, [this.role === 'worker' ? WORKER : MAIN], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    const mark = this.output.length;
    child.stdout!.on('data', (d) => { this.output += d; });
    child.stderr!.on('data', (d) => { this.output += d; });
    this.exited = new Promise((resolve) => child.once('exit', (code, signal) => { this.exits.push({ code, signal }); resolve({ code, signal }); }));
    const ready = this.role === 'worker' ? 'Fleet sample worker running jobs' : 'Fleet sample listening on';
    await new Promise<void>((resolve, reject) => {
      const timer = setInterval(() => { if (this.output.indexOf(ready, mark) >= 0) { cleanup(); resolve(); } }, 20);
      const deadline = setTimeout(() => { cleanup(); reject(new Error(`${this.name} not ready after ${timeoutMs} ms:\n${this.output.slice(mark)}`)); }, timeoutMs);
      const onExit = () => { cleanup(); reject(new Error(`${this.name} exited during boot:\n${this.output.slice(mark)}`)); };
      const cleanup = () => { clearInterval(timer); clearTimeout(deadline); child.off('exit', onExit); };
      child.once('exit', onExit);
    });
  }

  /** SIGTERM (graceful) and wait for the exit. */
  async stop(): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    if (this.running) this.child!.kill('SIGTERM');
    return this.exited;
  }

  /** SIGKILL: the process dies mid-whatever, as on an OOM kill or a lost node. */
  async kill(): Promise<void> {
    if (this.running) this.child!.kill('SIGKILL');
    await this.exited;
  }
}

export interface SampleFleetOptions {
  /** Web instances (FLEET_ROLE=web). @default 3 */
  instances?: number;
  /** Also run the worker process (dist/worker.js). @default true */
  worker?: boolean;
  /** Redis the fleet uses. @default redis://127.0.0.1:6379 */
  redisUrl?: string;
  /** Replica URLs (comma-separated) the fleet reads from. */
  replicaUrls: string;
  /** Payment and inventory services. */
  partnersUrl: string;
  /** More environment for every process. */
  env?: Record<string, string>;
}

/**
 * Three (or n) instances of the built sample and a worker, as production runs them: one shared
 * PostgreSQL schema (the sample migrates it at boot under its advisory lock) and one Redis
 * namespace, both unique to this fleet and removed by `close()`.
 */
export class SampleFleet {
  readonly schema = `e2e_${randomBytes(5).toString('hex')}`;
  readonly keyPrefix = `e2e:${randomBytes(5).toString('hex')}:`;
  readonly env: Record<string, string>;
  readonly instances: SampleProcess[] = [];
  worker: SampleProcess | undefined;

  private constructor(options: SampleFleetOptions) {
    this.env = {
      LOG_LEVEL: 'warn',
      HOST: '127.0.0.1',
      FLEET_APP: 'sample',
      REDIS_URL: options.redisUrl ?? 'redis://127.0.0.1:6379',
      REDIS_KEY_PREFIX: this.keyPrefix,
      DATABASE_URL: withSchema(PRIMARY, this.schema),
      DATABASE_REPLICA_URLS: options.replicaUrls.split(',').map((u) => withSchema(u, this.schema)).join(','),
      DATABASE_PROBE_INTERVAL_MS: '200',
      DATABASE_POOL_SIZE: '4',
      FLEET_INSTANCES: '4',
      PAYMENT_URL: options.partnersUrl,
      INVENTORY_URL: options.partnersUrl,
      FLEET_DRAIN_DELAY_MS: '1500',
      FLEET_JOBS_LOCK_MS: '3000',
      FLEET_JOBS_STALLED_INTERVAL_MS: '1000',
      ...options.env,
    };
  }

  static async start(options: SampleFleetOptions): Promise<SampleFleet> {
    const fleet = new SampleFleet(options);
    await admin(`create schema ${fleet.schema}`);
    try {
      const n = options.instances ?? 3;
      for (let i = 1; i <= n; i++) fleet.instances.push(new SampleProcess(`instance-${i}`, await freePort(), { ...fleet.env, FLEET_ROLE: 'web' }, 'web'));
      if (options.worker ?? true) fleet.worker = new SampleProcess('worker', await freePort(), fleet.env, 'worker');
      // Boot them at once, as a deployment does: migrations run once under the advisory lock.
      await Promise.all([...fleet.instances, ...(fleet.worker ? [fleet.worker] : [])].map((p) => p.start()));
    } catch (error) {
      await fleet.close();
      throw error;
    }
    return fleet;
  }

  get processes(): SampleProcess[] { return [...this.instances, ...(this.worker ? [this.worker] : [])]; }

  /** Everything the processes printed, for failure messages. */
  output(): string { return this.processes.map((p) => `--- ${p.name}\n${p.output}`).join('\n'); }

  /** Stops every process (SIGKILL after 30 s), then drops the schema and the keys. */
  async close(): Promise<void> {
    await Promise.all(this.processes.map(async (p) => {
      if (!p.running) return;
      const timer = setTimeout(() => void p.kill(), 30_000);
      await p.stop();
      clearTimeout(timer);
    }));
    await admin(`drop schema if exists ${this.schema} cascade`).catch(() => undefined);
    const { deleteKeys } = await import('@fleet/testing');
    await deleteKeys(this.env.REDIS_URL!, this.keyPrefix).catch(() => undefined);
  }
}

/** Polls until `check` holds, every 100 ms, up to `timeoutMs`; the error says what was waited for. */
export async function eventually<T>(what: string, check: () => Promise<T | undefined | false>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined && value !== false) return value;
    } catch (error) { last = error; }
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms${last ? ` (last error: ${String(last)})` : ''}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
