import { spawn, type ChildProcess } from 'node:child_process';
import { Agent, request } from 'node:http';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const script = fileURLToPath(new URL('./fixtures/shutdown-app.mjs', import.meta.url));

interface Running { child: ChildProcess; url: string; out: () => string; exited: Promise<number | null>; marks: string[] }

async function start(env: Record<string, string>): Promise<Running> {
  const child = spawn(process.execPath, [script], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const marks: string[] = [];
  child.stdout!.on('data', (d) => { out += d; for (const m of String(d).matchAll(/MARK (\S+)/g)) marks.push(m[1]!); });
  child.stderr!.on('data', (d) => { out += d; });
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  const url = await new Promise<string>((resolve, reject) => {
    const check = setInterval(() => {
      const m = /MARK listening (\S+)/.exec(out);
      if (m) { clearInterval(check); resolve(m[1]!); }
    }, 20);
    void exited.then(() => { clearInterval(check); reject(new Error(`exited before listening:\n${out}`)); });
  });
  return { child, url, out: () => out, exited, marks };
}

type Outcome = { status?: number; error?: string; connection?: string; reused?: boolean };

function get(url: string, agent: Agent | false): Promise<Outcome> {
  return new Promise((resolve) => {
    const req = request(url, { agent }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode, connection: res.headers.connection }));
      res.on('error', (e: NodeJS.ErrnoException) => resolve({ error: e.code ?? e.message }));
    });
    req.on('error', (e: NodeJS.ErrnoException) => resolve({ error: e.code ?? e.message, reused: req.reusedSocket }));
    req.end();
  });
}

describe('graceful shutdown of a real process', () => {
  it('drops no accepted request under keep-alive load, answers readiness 503 during the drain, refuses new connections, exits 0', async () => {
    const app = await start({ FLEET_DRAIN_DELAY_MS: '800', FLEET_SHUTDOWN_DEADLINE_MS: '15000' });
    const agent = new Agent({ keepAlive: true, maxSockets: 64 });
    const outcomes: Outcome[] = [];
    let running = true;
    const workers = Array.from({ length: 64 }, async () => {
      for (let i = 0; running && i < 2000; i++) {
        const o = await get(`${app.url}/work`, agent);
        outcomes.push(o);
        if (o.error === 'ECONNREFUSED') break;
      }
    });
    const readiness: number[] = [];
    let refusedWhileAlive: Outcome | undefined;
    try {
      await expect.poll(() => outcomes.filter((o) => o.status === 200).length, { timeout: 10_000 }).toBeGreaterThan(300);
      app.child.kill('SIGTERM');
      const probe = (async () => {
        for (let i = 0; i < 200 && !app.marks.includes('hook-running'); i++) {
          const r = await get(`${app.url}/health/ready`, false);
          if (r.status) readiness.push(r.status);
          await new Promise((res) => setTimeout(res, 25));
        }
        refusedWhileAlive = await get(`${app.url}/health/live`, false);
      })();
      const code = await app.exited;
      running = false;
      await Promise.all([probe, ...workers]);
      expect(code).toBe(0);
    } finally {
      running = false;
      agent.destroy();
      if (app.child.exitCode === null) app.child.kill('SIGKILL');
    }
    // What the server itself saw: every /work request it received, it answered.
    const stats = JSON.parse(/MARK stats (\{.*\})/.exec(app.out())![1]!) as { received: number; finished: number; accepted: number; closedUnserved: number };
    expect(stats.accepted).toBeGreaterThan(64);
    expect(stats.closedUnserved).toBe(0);
    const ok = outcomes.filter((o) => o.status === 200).length;
    expect(ok).toBeGreaterThan(300);
    expect(stats.finished).toBe(stats.received);
    // ...and every answer reached the client: no accepted request was reset or failed.
    expect(ok).toBe(stats.finished);
    expect(outcomes.filter((o) => o.status !== undefined && o.status !== 200)).toEqual([]);
    // The only errors are connections the server never accepted: refused after the listener
    // closed, or reset by the kernel from the accept queue as it closed (always fresh sockets).
    const errors = outcomes.filter((o) => o.error !== undefined);
    expect(errors.filter((o) => !(o.error === 'ECONNREFUSED' || (o.error === 'ECONNRESET' && o.reused === false)))).toEqual([]);
    expect(ok + errors.length).toBe(outcomes.length);
    expect(outcomes.some((o) => o.status === 200 && o.connection === 'close')).toBe(true);
    // Readiness turns 503 once the signal is handled (a probe sent before may still see 200) and stays 503.
    expect(readiness).toContain(503);
    expect(readiness.slice(readiness.indexOf(503))).not.toContain(200);
    expect(refusedWhileAlive?.error).toBe('ECONNREFUSED');
  });

  it('exits 1 at the deadline when an onShutdown hook hangs, naming the hook', async () => {
    const app = await start({ HANG: '1', FLEET_DRAIN_DELAY_MS: '0', FLEET_SHUTDOWN_DEADLINE_MS: '1500' });
    try {
      app.child.kill('SIGTERM');
      expect(await app.exited).toBe(1);
    } finally {
      if (app.child.exitCode === null) app.child.kill('SIGKILL');
    }
    const line = app.out().split('\n').find((l) => l.includes('shutdown deadline passed'));
    expect(line).toBeDefined();
    expect(JSON.parse(line!).pending).toBe('Hooks.onShutdown()');
  });

  it('exits at once on a second signal', async () => {
    const app = await start({ HANG: '1', FLEET_DRAIN_DELAY_MS: '0', FLEET_SHUTDOWN_DEADLINE_MS: '60000' });
    try {
      app.child.kill('SIGTERM');
      await expect.poll(() => app.marks.includes('hook-running'), { timeout: 10_000 }).toBe(true);
      app.child.kill('SIGINT');
      expect(await app.exited).toBe(1);
      expect(app.out()).toContain('second signal during shutdown: exiting now');
    } finally {
      if (app.child.exitCode === null) app.child.kill('SIGKILL');
    }
  });
});
