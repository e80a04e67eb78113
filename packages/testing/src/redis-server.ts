import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Options of `startRedisServer`. */
export interface RedisServerOptions {
  /** Port to listen on (127.0.0.1). @default a free port */
  port?: number;
  /** How long a start may take until the server answers PING, in ms. @default 10000 */
  readyTimeoutMs?: number;
  /** More `redis-server` arguments, e.g. `['--maxmemory', '8mb']`. @default [] */
  args?: string[];
  /** The `redis-server` binary. @default 'redis-server' (from PATH) */
  binary?: string;
}

/** A private `redis-server` owned by one test: break it freely, nothing else uses it. */
export interface RedisServer {
  /** `redis://127.0.0.1:<port>`. */
  readonly url: string;
  readonly port: number;
  /** The server process is running (false between `stop()` and `start()`). */
  readonly running: boolean;
  /**
   * `CLIENT PAUSE ms mode`: for `ms`, Redis holds back every command (`'ALL'`) or only writes
   * (`'WRITE'`) of its clients; they run when the pause ends. @default mode 'ALL'
   */
  pause(ms: number, mode?: 'ALL' | 'WRITE'): Promise<void>;
  /**
   * `CLIENT UNPAUSE`. After a `'WRITE'` pause it takes effect at once; under `'ALL'` Redis holds
   * back this command too, so it resolves when the pause's `ms` run out: choose `ms` accordingly.
   */
  unpause(): Promise<void>;
  /** Stops the server process: SIGTERM, or SIGKILL with `{ kill: true }` (a crash). Clients see the connection drop. */
  stop(options?: { kill?: boolean }): Promise<void>;
  /** Starts it again on the same port (empty: it keeps no data) and waits until it answers PING. */
  start(): Promise<void>;
  /** Stops it for good and removes its directory. Idempotent. */
  close(): Promise<void>;
}

const live = new Set<ChildProcess>();
let exitHook = false;

/**
 * Starts a private `redis-server` on 127.0.0.1 (a free port, no persistence: `--save ''
 * --appendonly no`) and waits until it answers PING. Pausing, stopping or killing it cannot disturb
 * tests running in parallel against the shared Redis. If the test process dies, it dies too (an
 * exit hook, and a watchdog process for deaths no hook sees).
 */
export async function startRedisServer(options: RedisServerOptions = {}): Promise<RedisServer> {
  const dir = mkdtempSync(join(tmpdir(), 'fleet-redis-'));
  const pidFile = join(dir, 'server.pid');
  const readyTimeoutMs = options.readyTimeoutMs ?? 10_000;
  // Reads the pid file when this process's end closes its stdin: kills a server left behind.
  const watchdog = spawn('sh', ['-c', 'cat >/dev/null; p=$(cat "$1" 2>/dev/null); [ -n "$p" ] && kill -9 "$p" 2>/dev/null; rm -rf "$2"', 'sh', pidFile, dir], { stdio: ['pipe', 'ignore', 'ignore'] });
  watchdog.unref();
  (watchdog.stdin as unknown as { unref?: () => void }).unref?.();
  watchdog.stdin!.on('error', () => undefined);
  let port = options.port ?? 0;
  let child: ChildProcess | undefined;
  let closed = false;
  let pausedUntil = 0;

  const launch = async (): Promise<void> => {
    for (let attempt = 0; ; attempt++) {
      const p = port || await freePort();
      const { proc, output, exited } = spawnServer(options.binary ?? 'redis-server', [
        '--port', String(p), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir, '--daemonize', 'no', '--logfile', '', ...(options.args ?? []),
      ]);
      child = proc;
      void exited.then(() => { if (child === proc) child = undefined; }); // died on its own (or was killed from outside)
      writeFileSync(pidFile, String(proc.pid ?? ''));
      const ready = await waitForPing(p, readyTimeoutMs, exited);
      if (ready === 'ready') { port = p; return; }
      await terminate(proc, 'SIGKILL');
      child = undefined;
      // The free port was taken between our probe and the server's bind: try another one.
      if (!options.port && !port && attempt < 4 && /address already in use/i.test(output())) continue;
      throw new Error(`redis-server on 127.0.0.1:${p} ${ready === 'exited' ? 'exited' : `did not answer PING within ${readyTimeoutMs} ms`}:\n${output().slice(-2000)}` +
        '\nFix: check that redis-server is installed (apt-get install redis-server) and the port is free.');
    }
  };
  const halt = async (signal: NodeJS.Signals): Promise<void> => {
    const proc = child;
    child = undefined;
    pausedUntil = 0;
    writeFileSync(pidFile, '');
    if (proc) await terminate(proc, signal);
  };

  try {
    await launch();
  } catch (error) {
    watchdog.stdin!.end();
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  return {
    get url() { return `redis://127.0.0.1:${port}`; },
    get port() { return port; },
    get running() { return child !== undefined; },
    async pause(ms, mode = 'ALL') {
      const reply = await command(port, ['CLIENT', 'PAUSE', String(ms), mode], 5000);
      if (reply !== '+OK') throw new Error(`CLIENT PAUSE ${ms} ${mode} on 127.0.0.1:${port} answered ${reply}`);
      pausedUntil = Date.now() + ms;
    },
    async unpause() {
      await command(port, ['CLIENT', 'UNPAUSE'], Math.max(0, pausedUntil - Date.now()) + 5000);
      pausedUntil = 0;
    },
    async stop(o = {}) { await halt(o.kill ? 'SIGKILL' : 'SIGTERM'); },
    async start() {
      if (closed) throw new Error('This Redis server was closed: start a new one with startRedisServer().');
      if (!child) await launch();
    },
    async close() {
      if (closed) return;
      closed = true;
      await halt('SIGKILL');
      watchdog.stdin!.end();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function spawnServer(binary: string, args: string[]): { proc: ChildProcess; output: () => string; exited: Promise<void> } {
  const proc = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const keep = (d: Buffer) => { out = (out + d.toString()).slice(-8000); };
  proc.stdout!.on('data', keep);
  proc.stderr!.on('data', keep);
  proc.on('error', (e) => keep(Buffer.from(String(e))));
  // A server the test forgot to close must not keep vitest alive: the exit hook kills it.
  proc.unref();
  (proc.stdout as unknown as { unref?: () => void }).unref?.();
  (proc.stderr as unknown as { unref?: () => void }).unref?.();
  live.add(proc);
  const exited = new Promise<void>((resolve) => proc.once('exit', () => { live.delete(proc); resolve(); }));
  if (!exitHook) {
    exitHook = true;
    process.on('exit', () => { for (const p of live) p.kill('SIGKILL'); });
  }
  return { proc, output: () => out, exited };
}

/** Signals the process and waits for its exit (SIGKILL after 10 s). */
async function terminate(proc: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  if (proc.exitCode !== null || proc.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  proc.kill(signal);
  let timer: NodeJS.Timeout | undefined;
  const late = await Promise.race([exited.then(() => false), new Promise<boolean>((r) => { timer = setTimeout(r, 10_000, true); })]);
  clearTimeout(timer);
  if (late) {
    proc.kill('SIGKILL');
    await exited;
  }
}

async function waitForPing(port: number, timeoutMs: number, exited: Promise<void>): Promise<'ready' | 'exited' | 'timeout'> {
  let gone = false;
  void exited.then(() => { gone = true; });
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (gone) return 'exited';
    if (await command(port, ['PING'], 1000).catch(() => '') === '+PONG') return 'ready';
    await new Promise((r) => setTimeout(r, 50));
  }
  return 'timeout';
}

/** Sends one command on a fresh connection and resolves with the first line of the reply. */
function command(port: number, args: string[], timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    let buf = '';
    const done = (error?: Error, line?: string) => {
      clearTimeout(timer);
      socket.destroy();
      if (error) reject(error); else resolve(line!);
    };
    const timer = setTimeout(() => done(new Error(`${args.join(' ')} on 127.0.0.1:${port}: no reply within ${timeoutMs} ms`)), timeoutMs);
    socket.on('error', (e) => done(e));
    socket.on('data', (d) => {
      buf += d.toString();
      const at = buf.indexOf('\r\n');
      if (at >= 0) done(undefined, buf.slice(0, at));
    });
    socket.write(`*${args.length}\r\n${args.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join('')}`);
  });
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}
