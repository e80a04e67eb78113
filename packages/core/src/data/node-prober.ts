import { performance } from 'node:perf_hooks';
import type { Logger } from '../app/logger.js';
import type { DbNode } from './db-node.js';
import { parseLsn } from './lsn.js';
import type { ReplicaRouter } from './replica-router.js';
import type { WalHistory } from './wal-history.js';

const PRIMARY_PROBE = 'select pg_current_wal_lsn()::text as lsn';
const REPLICA_PROBE = 'select pg_is_in_recovery() as recovery, pg_last_wal_replay_lsn()::text as lsn';
const PROBE_TIMEOUT_MS = 2000;

/**
 * Health of every node, kept by probes on one unref'd timer: the primary's WAL position (for
 * lag), each replica's replayed position and lag. A failed node is marked down and probed again
 * with exponential backoff (250 ms doubling to 5 s); state changes are logged once.
 */
export class NodeProber {
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly primary: DbNode,
    private readonly router: ReplicaRouter,
    private readonly history: WalHistory,
    private readonly intervalMs: number,
    private readonly maxLagMs: number,
    private readonly log: Logger,
  ) {}

  start(): void {
    const now = performance.now();
    for (const n of [this.primary, ...this.router.replicas]) n.nextProbeAt = now + this.intervalMs;
    this.timer = setInterval(() => this.tick(), Math.min(this.intervalMs, 250));
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Probes the nodes that are due; the primary first, so replica lag is measured against a fresh position. */
  tick(): Promise<void> {
    const now = performance.now();
    const due = (n: DbNode) => n.probing === undefined && (n.down ? now >= n.retryAt : now >= n.nextProbeAt);
    const primary = due(this.primary) ? this.probe(this.primary) : Promise.resolve();
    return primary.then(() => Promise.all(this.router.replicas.filter(due).map((r) => this.probe(r)))).then(() => undefined);
  }

  /** Probes every up replica now (their known positions are behind what a read needs). */
  refreshReplicas(): void {
    for (const r of this.router.replicas) if (!r.down && r.probing === undefined) void this.probe(r);
  }

  /** A query on `node` failed at the connection level: eject a replica at once; have the primary probed now. */
  suspect(node: DbNode, err: unknown): void {
    if (node.role === 'replica') {
      this.markDown(node, errorText(err));
      this.router.refresh();
    } else if (node.probing === undefined) {
      void this.probe(node);
    }
  }

  probe(node: DbNode): Promise<void> {
    const running = (node.role === 'primary' ? this.probePrimary(node) : this.probeReplica(node))
      .catch((err: unknown) => {
        this.markDown(node, errorText(err));
        if (node.role === 'replica') this.router.refresh();
      })
      .finally(() => {
        node.probing = undefined;
        node.nextProbeAt = performance.now() + this.intervalMs;
      });
    node.probing = running;
    return running;
  }

  private async probePrimary(node: DbNode): Promise<void> {
    const { rows } = await node.pool.query({ text: PRIMARY_PROBE, query_timeout: PROBE_TIMEOUT_MS } as never);
    const text = (rows[0] as { lsn: string }).lsn;
    const lsn = parseLsn(text);
    if (lsn !== undefined) {
      this.history.record(lsn, performance.now());
      node.lsn = lsn;
      node.lsnText = text;
    }
    this.markUp(node);
  }

  private async probeReplica(node: DbNode): Promise<void> {
    const { rows } = await node.pool.query({ text: REPLICA_PROBE, query_timeout: PROBE_TIMEOUT_MS } as never);
    const row = rows[0] as { recovery: boolean; lsn: string | null };
    const wasUsable = !node.down && node.inRecovery && node.lagMs <= this.maxLagMs;
    node.inRecovery = row.recovery;
    const lsn = parseLsn(row.lsn);
    if (lsn !== undefined) {
      node.lsn = lsn;
      node.lsnText = row.lsn!;
    }
    node.lagMs = this.history.lagOf(node.lsn, performance.now());
    const wasDown = node.down;
    this.markUp(node);
    const usable = node.inRecovery && node.lagMs <= this.maxLagMs;
    if (!usable && (wasUsable || wasDown)) {
      this.log.warn({ node: node.name, lagMs: Math.round(node.lagMs), inRecovery: node.inRecovery },
        node.inRecovery ? 'PostgreSQL replica skipped: replay lag over DATABASE_REPLICA_MAX_LAG_MS' : 'PostgreSQL replica skipped: it is not in recovery (promoted?)');
    } else if (usable && !wasUsable && !wasDown) {
      this.log.info({ node: node.name, lagMs: Math.round(node.lagMs) }, 'PostgreSQL replica caught up: reading from it again');
    }
    this.router.refresh();
  }

  private markDown(node: DbNode, reason: string): void {
    if (!node.down) {
      this.log.warn({ node: node.name, reason }, node.role === 'primary'
        ? 'PostgreSQL primary is down: writes fail fast (503) until it answers again'
        : 'PostgreSQL replica ejected: reads go to the other replicas or the primary');
    }
    node.markDown(reason, performance.now());
  }

  private markUp(node: DbNode): void {
    if (node.down) this.log.info({ node: node.name, after: node.failures }, `PostgreSQL ${node.role} is back`);
    node.markUp();
  }
}

function errorText(err: unknown): string {
  const e = err as { message?: unknown; code?: unknown };
  const msg = typeof e?.message === 'string' && e.message !== '' ? e.message : String(err);
  return typeof e?.code === 'string' ? `${msg} (${e.code})` : msg;
}
