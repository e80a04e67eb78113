import type { Pool, PoolClient, PoolConfig } from 'pg';
import type { Logger } from '../app/logger.js';
import { sendPlain, type SendStatement } from './query-telemetry.js';

export type NodeRole = 'primary' | 'replica';

/** What `db.health()` reports for one node. */
export interface NodeStatus {
  /** `primary` or `replica-N` (1-based, in DATABASE_REPLICA_URLS order). */
  name: string;
  /** The URL without its password. */
  url: string;
  /** `up`; `lagging` (replica skipped until it catches up); `down` (ejected, re-probed with backoff). */
  state: 'up' | 'lagging' | 'down';
  /** Replicas: estimated replay lag in milliseconds. */
  lagMs?: number;
  /** Replicas: the last replayed WAL position seen; primary: the last WAL position seen. */
  lsn?: string;
  /** Why the node is down or lagging. */
  reason?: string;
  /** Connections in the pool: total, idle, and callers waiting for one. */
  pool: { total: number; idle: number; waiting: number };
}

const BACKOFF_START_MS = 250;
const BACKOFF_MAX_MS = 5000;

/** One PostgreSQL server: its pool and what the health probes know about it. */
export class DbNode {
  pool!: Pool;
  down = false;
  failures = 0;
  /** When a down node is probed next (ms, performance.now()). */
  retryAt = 0;
  /** When an up node is probed next. */
  nextProbeAt = 0;
  probing?: Promise<void>;
  reason?: string;
  /** Replicas: the last replayed position; primary: the last position seen. */
  lsn = 0;
  lsnText?: string;
  lagMs = 0;
  /** Replicas: false when the server is not in recovery (promoted): it is then never read from. */
  inRecovery = true;
  /** Sends one statement on this node: the plain pg call, or (set at boot when telemetry is on) one with a span and a duration. */
  send: SendStatement = sendPlain;

  constructor(readonly name: string, readonly role: NodeRole, readonly url: string, readonly appName: string) {}

  open(PoolClass: typeof Pool, config: Omit<PoolConfig, 'connectionString' | 'application_name'>, log: Logger): void {
    const pool = new PoolClass({ ...config, connectionString: withoutAppName(this.url), application_name: this.appName });
    // An idle connection killed by the server (restart, pg_terminate_backend, network) is
    // reported here and dropped by the pool; without a listener it would crash the process.
    pool.on('error', (err) => log.warn({ err, node: this.name }, 'idle PostgreSQL connection failed; the pool drops it'));
    // A checked-out client emits `error` between queries (e.g. inside a transaction waiting on
    // user code); the pending or next query reports it, so this listener only keeps it from crashing.
    pool.on('connect', (client: PoolClient) => { client.on('error', ignoreClientError); });
    this.pool = pool;
  }

  markDown(reason: string, now: number): void {
    this.failures++;
    this.down = true;
    this.reason = reason;
    this.retryAt = now + Math.min(BACKOFF_START_MS * 2 ** (this.failures - 1), BACKOFF_MAX_MS);
  }

  markUp(): void {
    this.down = false;
    this.failures = 0;
    this.reason = undefined;
  }

  status(maxLagMs: number): NodeStatus {
    const lagging = this.role === 'replica' && !this.down && (!this.inRecovery || this.lagMs > maxLagMs);
    return {
      name: this.name,
      url: redactUrl(this.url),
      state: this.down ? 'down' : lagging ? 'lagging' : 'up',
      ...(this.role === 'replica' ? { lagMs: Math.round(this.lagMs) } : {}),
      ...(this.lsnText ? { lsn: this.lsnText } : {}),
      ...(this.down || lagging ? { reason: this.reason ?? (this.inRecovery ? `replay lag ${Math.round(this.lagMs)} ms > ${maxLagMs} ms` : 'not in recovery (promoted?)') } : {}),
      pool: this.pool ? { total: this.pool.totalCount, idle: this.pool.idleCount, waiting: this.pool.waitingCount } : { total: 0, idle: 0, waiting: 0 },
    };
  }
}

function ignoreClientError(): void {}

/** Our application_name must win: pg lets a URL parameter override the config field. */
function withoutAppName(url: string): string {
  if (!/[?&]application_name=/.test(url)) return url;
  const u = new URL(url);
  u.searchParams.delete('application_name');
  return u.toString();
}

export function redactUrl(url: string): string {
  return url.replace(/\/\/([^:@/]*):[^@/]*@/, '//$1:***@');
}
