import type { SampleProcess } from './harness.js';

/**
 * What a load balancer does in front of the fleet: it polls each instance's readiness every
 * `intervalMs` and sends requests, round robin, only to instances that answered 200 last time.
 */
export class Balancer {
  private readonly ready = new Set<SampleProcess>();
  private next = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly instances: SampleProcess[], private readonly intervalMs = 100) {}

  async start(): Promise<void> {
    await this.poll();
    this.timer = setInterval(() => void this.poll(), this.intervalMs);
  }

  stop(): void { clearInterval(this.timer); }

  private async poll(): Promise<void> {
    await Promise.all(this.instances.map(async (p) => {
      const ok = p.running && (await fetch(`${p.url}/health/ready`, { signal: AbortSignal.timeout(500) }).then((r) => r.status === 200, () => false));
      if (ok) this.ready.add(p); else this.ready.delete(p);
    }));
  }

  /** The next ready instance (waits, bounded, while none is). */
  async pick(): Promise<SampleProcess> {
    const deadline = Date.now() + 10_000;
    for (;;) {
      const ready = this.instances.filter((p) => this.ready.has(p));
      if (ready.length > 0) return ready[this.next++ % ready.length]!;
      if (Date.now() > deadline) throw new Error('no instance ready for 10 s');
      await new Promise((r) => setTimeout(r, 20));
    }
  }
}

export interface LoadRequest { method: 'GET' | 'PUT' | 'POST'; path: string; body?: unknown }

export interface LoadResult {
  sent: number;
  ok: number;
  /** Requests an instance accepted and then failed: a 5xx, a reset connection, a timeout. */
  failed: Array<{ instance: string; request: string; outcome: string }>;
  /** Connections refused before any request was accepted (the balancer routed to a closed port). */
  refused: number;
  byInstance: Record<string, number>;
}

/**
 * A bounded load generator: `concurrency` clients, each sending the requests of `mix` in turn,
 * one at a time, through the balancer, until `stop()`.
 */
export class LoadGenerator {
  private running = true;
  private readonly done: Promise<void>;
  readonly result: LoadResult = { sent: 0, ok: 0, failed: [], refused: 0, byInstance: {} };

  constructor(private readonly balancer: Balancer, private readonly mix: LoadRequest[], concurrency: number) {
    this.done = Promise.all(Array.from({ length: concurrency }, (_, i) => this.client(i))).then(() => undefined);
  }

  private async client(offset: number): Promise<void> {
    for (let i = offset; this.running; i++) {
      const request = this.mix[i % this.mix.length]!;
      const instance = await this.balancer.pick();
      const label = `${request.method} ${request.path}`;
      this.result.sent++;
      try {
        const res = await fetch(`${instance.url}${request.path}`, {
          method: request.method,
          headers: request.body === undefined ? {} : { 'content-type': 'application/json' },
          body: request.body === undefined ? undefined : JSON.stringify(request.body),
          signal: AbortSignal.timeout(10_000),
        });
        await res.arrayBuffer();
        if (res.ok) {
          this.result.ok++;
          this.result.byInstance[instance.name] = (this.result.byInstance[instance.name] ?? 0) + 1;
        } else {
          this.result.failed.push({ instance: instance.name, request: label, outcome: `HTTP ${res.status}` });
        }
      } catch (error) {
        const code = (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).name;
        if (code === 'ECONNREFUSED') this.result.refused++;
        else this.result.failed.push({ instance: instance.name, request: label, outcome: String(code) });
      }
    }
  }

  async stop(): Promise<LoadResult> {
    this.running = false;
    await this.done;
    return this.result;
  }
}
