import { createServer, connect, type Server, type Socket } from 'node:net';

/** Options of a fault proxy: where it forwards to. */
export interface FaultProxyOptions {
  target: { host?: string; port: number };
  /** Port to listen on. @default 0 (any free port) */
  port?: number;
}

/**
 * A TCP proxy between the app and a real service (PostgreSQL, Redis) that breaks the network on
 * command: `cut()` drops every connection and refuses new ones, `delay(ms)` adds latency to every
 * chunk, `stall()` keeps connections open but forwards nothing, `restore()` heals.
 */
export class FaultProxy {
  private mode: 'pass' | 'cut' | 'stall' = 'pass';
  private latencyMs = 0;
  private readonly sockets = new Set<Socket>();

  private constructor(private readonly server: Server, readonly port: number, private readonly target: { host: string; port: number }) {}

  static async start(options: FaultProxyOptions): Promise<FaultProxy> {
    const target = { host: options.target.host ?? '127.0.0.1', port: options.target.port };
    let proxy: FaultProxy | undefined;
    const server = createServer((client) => proxy!.accept(client));
    await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;
    proxy = new FaultProxy(server, port, target);
    return proxy;
  }

  /** `host:port` to point the app at. */
  get address(): string { return `127.0.0.1:${this.port}`; }

  /** Drops every open connection and refuses (resets) new ones until `restore()`. */
  cut(): void {
    this.mode = 'cut';
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
  }

  /** Keeps connections open but forwards nothing (a partition): callers hit their timeouts. */
  stall(): void { this.mode = 'stall'; }

  /** Adds latency to every chunk in both directions. */
  delay(ms: number): void { this.latencyMs = ms; }

  /** Back to a transparent proxy. */
  restore(): void { this.mode = 'pass'; this.latencyMs = 0; }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(client: Socket): void {
    if (this.mode === 'cut') { client.destroy(); return; }
    const upstream = connect(this.target.port, this.target.host);
    this.sockets.add(client).add(upstream);
    const forget = () => { this.sockets.delete(client); this.sockets.delete(upstream); client.destroy(); upstream.destroy(); };
    client.on('error', forget).on('close', forget);
    upstream.on('error', forget).on('close', forget);
    const pipe = (from: Socket, to: Socket) => from.on('data', (chunk) => {
      if (this.mode !== 'pass') return;
      if (this.latencyMs > 0) setTimeout(() => { if (!to.destroyed) to.write(chunk); }, this.latencyMs);
      else to.write(chunk);
    });
    pipe(client, upstream);
    pipe(upstream, client);
  }
}
