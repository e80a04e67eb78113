import { randomBytes } from 'node:crypto';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { Writable } from 'node:stream';
import pg from 'pg';

export const PRIMARY_PORT = 5432;
export const REPLICA_PORT = 5433;
const DB = 'test';

export const url = (port: number, schema?: string) =>
  `postgres://postgres@127.0.0.1:${port}/${DB}${schema ? `?options=${encodeURIComponent(`-c search_path=${schema}`)}` : ''}`;

/** A fresh schema on the primary (replicated to the replica), so test files never share tables. */
export async function createSchema(): Promise<{ schema: string; drop: () => Promise<void> }> {
  const schema = `t_${randomBytes(5).toString('hex')}`;
  await admin(PRIMARY_PORT, `create schema ${schema}`);
  return { schema, drop: () => admin(PRIMARY_PORT, `drop schema if exists ${schema} cascade`).then(() => undefined) };
}

/** The environment of a test app whose tables live in `schema`. */
export function dbEnv(schema: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    DATABASE_URL: url(PRIMARY_PORT, schema),
    DATABASE_REPLICA_URLS: url(REPLICA_PORT, schema),
    FLEET_APP: `t${randomBytes(4).toString('hex')}`,
    DATABASE_PROBE_INTERVAL_MS: '200',
    DATABASE_POOL_SIZE: '4',
    ...extra,
  };
}

/** One statement on a short-lived superuser connection (outside the code under test). */
export async function admin(port: number, text: string, values: unknown[] = []): Promise<pg.QueryResult> {
  const client = new pg.Client({ connectionString: url(port), application_name: 'fleet-test-admin', connectionTimeoutMillis: 3000 });
  client.on('error', () => undefined);
  await client.connect();
  try {
    return await client.query(text, values);
  } finally {
    await client.end().catch(() => undefined);
  }
}

export async function until(check: () => Promise<boolean> | boolean, timeoutMs = 20_000, everyMs = 100): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** A pino stream that keeps the log lines, to assert on warnings. */
export function captureLogs(): { stream: Writable; lines: Array<Record<string, unknown>> } {
  const lines: Array<Record<string, unknown>> = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      for (const line of String(chunk).split('\n')) if (line.trim()) lines.push(JSON.parse(line));
      done();
    },
  });
  return { stream, lines };
}

/** A TCP proxy to the primary that can be cut (connections dropped, new ones refused) and restored. */
export class CuttableProxy {
  private readonly sockets = new Set<Socket>();
  private cutOff = false;
  private constructor(private readonly server: Server, readonly port: number) {}

  static async start(targetPort: number): Promise<CuttableProxy> {
    let proxy: CuttableProxy | undefined;
    const server = createServer((client) => proxy!.accept(client, targetPort));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    proxy = new CuttableProxy(server, (server.address() as { port: number }).port);
    return proxy;
  }

  cut(): void {
    this.cutOff = true;
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
  }

  restore(): void { this.cutOff = false; }

  async close(): Promise<void> {
    this.cut();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(client: Socket, targetPort: number): void {
    if (this.cutOff) { client.destroy(); return; }
    const upstream = connect(targetPort, '127.0.0.1');
    this.sockets.add(client).add(upstream);
    const drop = () => { client.destroy(); upstream.destroy(); this.sockets.delete(client); this.sockets.delete(upstream); };
    client.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
    client.pipe(upstream);
    upstream.pipe(client);
  }
}
