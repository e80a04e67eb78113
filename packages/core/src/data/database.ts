import type { QueryResult } from 'pg';
import type { z } from 'zod';
import { FleetError } from '../errors.js';
import type { OnInit, OnShutdown } from '../di/lifecycle.js';
import { Logger } from '../app/logger.js';
import { contextStorage } from '../context/request-context.js';
import { Inject, Injectable } from '../di/decorators.js';
import { advance, RequestConsistency, stateFromToken, tokenOf, type ConsistencyState } from './consistency.js';
import { DatabaseConfig } from './database-config.js';
import { DATABASE_OPTIONS, type ResolvedDatabaseOptions } from './database-options.js';
import { DbNode, type NodeStatus } from './db-node.js';
import { parseLsn } from './lsn.js';
import { NodeProber } from './node-prober.js';
import { isConnectionFailure, isPoolWaitTimeout, isRecoveryConflict, neverSent, primaryUnavailable, wrapQueryError } from './pg-errors.js';
import { QueryRunner, shapeResult, type Queryable, type Shape } from './queryable.js';
import { linkReplies } from './reply-link.js';
import { ReplicaRouter } from './replica-router.js';
import type { SqlQuery } from './sql.js';
import { beginStatement, dataStorage, TransactionRunner, type DataScope, type Transaction, type TransactionOptions } from './transaction.js';
import { WalHistory } from './wal-history.js';
import { instrumentQueries, type QueryReason, type QueryTelemetry } from './query-telemetry.js';
import { openPools, type BootReport } from './boot.js';
import type { HealthIndicator, HealthResult } from '../health/indicator.js';
import { FrameworkOwned } from '../state/allow-state.js';

/** Where a runner sends statements. */
const enum Route { Read, Write, Primary, Replica }

const CURRENT_LSN = 'select pg_current_wal_lsn()::text as lsn';

/** What `db.health()` returns; readiness uses `ready`. */
export interface DatabaseHealth {
  /** `up`; `degraded` (replicas configured, none usable: reads go to the primary, still ready); `down` (primary unavailable). */
  status: 'up' | 'degraded' | 'down';
  /** False only when the primary is down. */
  ready: boolean;
  primary: NodeStatus;
  replicas: NodeStatus[];
}

/**
 * The application's PostgreSQL: one pool per node, reads routed to replicas, writes and
 * transactions to the primary, read-your-writes by WAL position. Inject it (or extend
 * `Repository`); `pg` is loaded only when it boots.
 *
 * - `read`: replica-routed (round-robin over healthy, caught-up replicas; the primary when none
 *   qualifies). Statements that are not plain reads still go to the primary.
 * - `write`: the primary; records the WAL position for read-your-writes.
 * - `primary()` / `replica()`: explicit overrides for reads (`replica()` ignores read-your-writes).
 * - `transaction(fn)`: the primary, one connection; every query inside runs on it (reads through
 *   `db.read` too); nested calls use savepoints.
 *
 * Its pools, node health and routing state are per instance and operational (framework-owned):
 * the state guard does not report or freeze them.
 */
@Injectable()
@FrameworkOwned()
export class Database implements OnInit, OnShutdown, HealthIndicator {
  /** Name of the readiness check (`GET /health/ready`). */
  readonly healthName = 'postgres';
  /** Replica-routed, read-your-writes aware. */
  readonly read: Queryable;
  /** The primary; records the write's position for later reads. */
  readonly write: Queryable;
  private readonly onPrimary: Queryable;
  private readonly onReplica: Queryable;
  private readonly primaryNode: DbNode;
  private readonly replicaNodes: DbNode[];
  private readonly history: WalHistory;
  private readonly router: ReplicaRouter;
  private readonly prober: NodeProber;
  /** Read-your-writes inside requests (set by `RequestAwareDatabase`; undefined when switched off). */
  private requests?: RequestConsistency;
  /** Writes outside any request or scope (boot, timers, jobs without a scope) move this one. */
  private readonly instanceState: ConsistencyState = { lsn: 0 };
  private started = false;
  private unlinkReplies?: () => void;
  /** Query spans and metrics, decided at boot (undefined when no SDK is registered). */
  private telemetry?: QueryTelemetry;
  /** What the boot checks found (max_connections budget). */
  boot?: BootReport;

  constructor(private readonly config: DatabaseConfig, private readonly log: Logger, @Inject(DATABASE_OPTIONS) private readonly options: ResolvedDatabaseOptions) {
    const app = config.FLEET_APP;
    this.primaryNode = new DbNode('primary', 'primary', config.DATABASE_URL, `fleet:${app}:primary`);
    this.replicaNodes = config.DATABASE_REPLICA_URLS.map((url, i) => new DbNode(`replica-${i + 1}`, 'replica', url, `fleet:${app}:replica-${i + 1}`));
    const maxLag = config.DATABASE_REPLICA_MAX_LAG_MS;
    this.history = new WalHistory(256, Math.max(50, maxLag / 100));
    this.router = new ReplicaRouter(this.replicaNodes, maxLag, () => this.prober.refreshReplicas());
    this.prober = new NodeProber(this.primaryNode, this.router, this.history, config.DATABASE_PROBE_INTERVAL_MS, maxLag, log);
    const runner = (route: Route, label: string) => new RoutedRunner((q, shape, schema) => this.exec(route, q, shape, schema, label), label);
    this.read = runner(Route.Read, 'db.read');
    this.write = runner(Route.Write, 'db.write');
    this.onPrimary = runner(Route.Primary, 'db.primary()');
    this.onReplica = runner(Route.Replica, 'db.replica()');
  }

  /** @internal Switches read-your-writes inside HTTP requests on (the request's position lives in its RequestContext store). */
  protected trackRequests(): void {
    if (this.options.readYourWrites) this.requests = new RequestConsistency(this.options);
  }

  /** Reads on the primary (e.g. a read that must not lag at all). Writes through it are tracked as through `write`. */
  primary(): Queryable { return this.onPrimary; }

  /** Reads on a replica even right after a write (stale is fine here); the primary only when no replica is usable. */
  replica(): Queryable { return this.onReplica; }

  /**
   * Runs `fn` in a transaction on the primary: commit when it resolves, rollback when it throws.
   * Inside it, every query (through `tx`, `db.read`, `db.write` or a repository) runs on the
   * transaction's connection; a nested `transaction()` is a savepoint.
   */
  transaction<T>(fn: (tx: Transaction) => Promise<T>, options?: TransactionOptions): Promise<T> {
    const scope = dataStorage.getStore();
    if (scope?.tx !== undefined) return scope.tx.transaction(fn);
    if (!this.started) return Promise.reject(this.notStarted('db.transaction()'));
    // Not async: without telemetry this adds no promise to the transaction's own.
    const traced = this.telemetry?.transaction;
    if (traced !== undefined) return traced(options, () => this.runTransaction(fn, options, scope));
    return this.runTransaction(fn, options, scope);
  }

  private async runTransaction<T>(fn: (tx: Transaction) => Promise<T>, options: TransactionOptions | undefined, scope: DataScope | undefined): Promise<T> {
    const begin = beginStatement(options);
    const state = this.stateForWrite(scope);
    const client = await this.connectPrimary();
    const tx = new TransactionRunner(client, this.primaryNode);
    try {
      await tx.raw(begin);
      const result = await dataStorage.run({ tx, consistency: scope?.consistency }, fn, tx);
      if (state === undefined || options?.readOnly) await tx.raw('commit');
      else this.afterWrite(state, lsnOf(await tx.raw(`commit; ${CURRENT_LSN}`)));
      tx.markCommitted();
      return result;
    } catch (err) {
      if (tx.broken) this.prober.suspect(this.primaryNode, tx.broken);
      else await tx.raw('rollback').catch(() => undefined);
      throw err;
    } finally {
      tx.close();
      client.release(tx.broken ?? false);
      await tx.runAfterCommit();
    }
  }

  /**
   * Runs `fn` with its own read-your-writes position, seeded from `token` (from
   * `consistencyToken()` of the request or job that wrote). For jobs, scripts and timers:
   * requests get one automatically.
   */
  withConsistency<T>(token: string | undefined, fn: () => T): T {
    const outer = dataStorage.getStore();
    return dataStorage.run({ tx: outer?.tx, consistency: stateFromToken(token) }, fn);
  }

  /** The current read-your-writes token (request or scope), to hand to a job or another service. */
  consistencyToken(): string | undefined {
    const scope = dataStorage.getStore();
    if (scope?.consistency !== undefined) return tokenOf(scope.consistency);
    if (this.requests === undefined) return undefined;
    const req = contextStorage.getStore();
    return req === undefined ? tokenOf(this.instanceState) : tokenOf(this.requests.peek(req));
  }

  /** Health of every node; `ready` is false only when the primary is down. */
  health(): DatabaseHealth {
    const maxLag = this.config.DATABASE_REPLICA_MAX_LAG_MS;
    const primaryDown = this.primaryNode.down;
    return {
      status: primaryDown ? 'down' : this.replicaNodes.length > 0 && !this.router.hasUsable ? 'degraded' : 'up',
      ready: !primaryDown,
      primary: this.primaryNode.status(maxLag),
      replicas: this.replicaNodes.map((r) => r.status(maxLag)),
    };
  }

  /** Readiness: `down` (not ready) when the primary is down; `degraded` (still ready) when no replica is usable. */
  checkHealth(): HealthResult {
    const h = this.health();
    return { status: h.status, detail: { primary: h.primary, replicas: h.replicas } };
  }

  async onInit(): Promise<void> {
    this.boot = await openPools(this.primaryNode, this.replicaNodes, this.config, this.options, this.log);
    if (this.boot.floorLsn !== undefined) this.router.floor = this.boot.floorLsn;
    this.telemetry = instrumentQueries(this.primaryNode, this.replicaNodes);
    this.history.record(this.primaryNode.lsn, performance.now());
    await Promise.all(this.replicaNodes.map((r) => this.prober.probe(r)));
    this.prober.start();
    if (this.requests !== undefined) this.unlinkReplies = linkReplies();
    this.started = true;
  }

  async onShutdown(): Promise<void> {
    this.started = false;
    this.prober.stop();
    this.unlinkReplies?.();
    this.telemetry?.stop();
    await Promise.allSettled([this.primaryNode, ...this.replicaNodes].map((n) => n.pool?.end()));
  }

  /** Runs one statement where `route` and the statement's kind say, and shapes its result. */
  private async exec(route: Route, q: SqlQuery, shape: Shape, schema: z.ZodType | undefined, label: string): Promise<any> {
    if (!this.started) this.assertStarted(label);
    const scope = dataStorage.getStore();
    if (scope !== undefined && scope.tx !== undefined) return scope.tx.run(q, shape, schema);
    let result: QueryResult;
    if (q.kind === 'write' || route === Route.Write || route === Route.Primary) {
      const state = q.kind === 'write' || route === Route.Write ? this.stateForWrite(scope) : undefined;
      result = await this.onPrimaryNode(q, false, route === Route.Primary && q.kind !== 'write' ? 'explicit-primary' : 'write');
      if (state !== undefined) this.afterWrite(state, await this.currentLsn());
      return shapeResult(result, shape, schema, q, label);
    }
    const node = this.router.pick(route === Route.Replica ? 0 : this.requiredLsn(scope));
    if (node === undefined) {
      result = await this.onPrimaryNode(q, true, this.router.missReason());
    } else {
      try {
        result = await node.send(q.text, q.values, route === Route.Replica ? 'explicit-replica' : 'read');
      } catch (err) {
        if (isConnectionFailure(err)) this.prober.suspect(node, err);
        // A saturated (or hung) replica pool is not a failed node: read from the primary, keep the replica.
        else if (!isRecoveryConflict(err) && !isPoolWaitTimeout(err)) throw wrapQueryError(err, q, node.name);
        result = await this.onPrimaryNode(q, true, 'replica-failed');
      }
    }
    return shapeResult(result, shape, schema, q, label);
  }

  private async onPrimaryNode(q: SqlQuery, isRead: boolean, reason: QueryReason): Promise<QueryResult> {
    const node = this.primaryNode;
    if (node.down) throw primaryUnavailable(node.reason ?? 'down');
    try {
      return await node.send(q.text, q.values, reason);
    } catch (err) {
      if (!isConnectionFailure(err)) throw wrapQueryError(err, q, 'primary');
      this.prober.suspect(node, err);
      // A read may always be retried; a write only when it never left (a dead pooled connection).
      if (!isRead && !neverSent(err)) throw primaryUnavailable(errorMessage(err), err);
      try {
        return await node.send(q.text, q.values, reason);
      } catch (again) {
        throw isConnectionFailure(again) ? primaryUnavailable(errorMessage(again), again) : wrapQueryError(again, q, 'primary');
      }
    }
  }

  private async connectPrimary() {
    const node = this.primaryNode;
    if (node.down) throw primaryUnavailable(node.reason ?? 'down');
    try {
      return await node.pool.connect();
    } catch (err) {
      this.prober.suspect(node, err);
      throw primaryUnavailable(errorMessage(err), err);
    }
  }

  /** The position reads in this call chain must reach. */
  private requiredLsn(scope: DataScope | undefined): number {
    if (scope?.consistency !== undefined) return scope.consistency.lsn;
    if (this.requests === undefined) return 0;
    const req = contextStorage.getStore();
    return req === undefined ? this.instanceState.lsn : this.requests.required(req);
  }

  /** The state a write in this call chain moves (undefined: not tracked). */
  private stateForWrite(scope: DataScope | undefined): ConsistencyState | undefined {
    if (scope?.consistency !== undefined) return scope.consistency;
    if (this.requests === undefined) return undefined;
    const req = contextStorage.getStore();
    return req === undefined ? this.instanceState : this.requests.stateOf(req);
  }

  /** The primary's WAL position now (after a commit, it covers that commit). */
  private async currentLsn(): Promise<number | undefined> {
    try {
      return lsnOf(await this.primaryNode.send(CURRENT_LSN, undefined, 'wal-position'));
    } catch (err) {
      this.log.warn({ err }, 'could not read the WAL position after a write: later reads of this request go to the primary');
      return undefined;
    }
  }

  private afterWrite(state: ConsistencyState, lsn: number | undefined): void {
    if (lsn === undefined) {
      // Unknown position: the rest of this request or scope reads from the primary.
      if (state !== this.instanceState) state.lsn = Infinity;
      return;
    }
    this.history.record(lsn, performance.now());
    if (advance(state, lsn) && this.requests !== undefined && state.req !== undefined) this.requests.emit(state);
  }

  private assertStarted(label: string): void {
    if (this.started) return;
    throw this.notStarted(label);
  }

  private notStarted(label: string): FleetError {
    return new FleetError('FLEET_ERR_DB_NOT_CONNECTED',
      `${label} was used before the database finished booting (or after shutdown). Fix: query from request handlers, jobs, or onInit hooks of providers that inject Database (or a Repository).`);
  }
}

class RoutedRunner extends QueryRunner {
  constructor(private readonly exec: (q: SqlQuery, shape: Shape, schema: z.ZodType | undefined) => Promise<any>, protected readonly label: string) {
    super();
  }

  protected run(q: SqlQuery, shape: Shape, schema: z.ZodType | undefined): Promise<any> {
    return this.exec(q, shape, schema);
  }
}

function lsnOf(result: QueryResult | QueryResult[]): number | undefined {
  const last = Array.isArray(result) ? result[result.length - 1] : result;
  return parseLsn((last?.rows[0] as { lsn?: string } | undefined)?.lsn);
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
