import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';

export { LogCapture } from '../resilience/helpers.js';

/**
 * Env of one test file's fleet: its own key prefix (so its queues, schedules and records are
 * isolated on the shared Redis), and worker settings short enough for tests (a killed worker's
 * job comes back within a few seconds).
 */
export function jobsEnv(extra: Record<string, string> = {}): Record<string, string> {
  return {
    REDIS_KEY_PREFIX: `test:${randomUUID()}:`,
    FLEET_APP: 'jobs',
    FLEET_JOBS_LOCK_MS: '2000',
    FLEET_JOBS_STALLED_INTERVAL_MS: '1000',
    FLEET_JOBS_CONCURRENCY: '4',
    ...extra,
  };
}

export interface Record_ { event: string; id: string; pid: number; role?: string; at: number }

/** The test's own Redis client, reading what the jobs recorded under the fleet's prefix. */
export class Records {
  readonly redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', { maxRetriesPerRequest: 2 });
  constructor(private readonly env: Record<string, string>) {}

  key(...parts: string[]): string { return `${this.env.REDIS_KEY_PREFIX}${this.env.FLEET_APP}:${parts.join(':')}`; }

  async all(): Promise<Record_[]> {
    return (await this.redis.lrange(this.key('log'), 0, -1)).map((l) => JSON.parse(l) as Record_);
  }

  async of(event: string, id?: string): Promise<Record_[]> {
    return (await this.all()).filter((r) => r.event === event && (id === undefined || r.id === id));
  }

  /** Deletes every key of this fleet (only this test's unique prefix), then disconnects. */
  async cleanup(): Promise<void> {
    const pattern = `${this.env.REDIS_KEY_PREFIX}*`;
    let cursor = '0';
    do {
      const [next, keys] = await this.redis.scan(cursor, 'MATCH', pattern, 'COUNT', 500);
      cursor = next;
      if (keys.length > 0) await this.redis.del(...keys);
    } while (cursor !== '0');
    this.redis.disconnect();
  }
}

/** A real worker process (the fixture app over packages/core/dist), with its output and exit. */
export interface WorkerProcess {
  child: ChildProcess;
  pid: number;
  out(): string;
  exited: Promise<number | null>;
  /** SIGKILL if still running (for finally blocks). */
  kill(): void;
}

const workerScript = fileURLToPath(new URL('./fixtures/worker.mjs', import.meta.url));

export async function startWorker(env: Record<string, string>): Promise<WorkerProcess> {
  const child = spawn(process.execPath, [workerScript], { env: { ...process.env, FLEET_ROLE: 'worker', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (d) => { out += d; });
  child.stderr!.on('data', (d) => { out += d; });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const w: WorkerProcess = {
    child, pid: child.pid!, out: () => out, exited,
    kill: () => { if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL'); },
  };
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setInterval(() => { if (out.includes('MARK ready')) { clearInterval(timer); resolve(); } }, 25);
      void exited.then(() => { clearInterval(timer); reject(new Error(`worker exited before it was ready:\n${out}`)); });
      setTimeout(() => { clearInterval(timer); reject(new Error(`worker not ready after 60 s:\n${out}`)); }, 60_000).unref();
    });
  } catch (e) {
    w.kill();
    throw e;
  }
  return w;
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
