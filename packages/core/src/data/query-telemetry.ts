import type { Attributes, BatchObservableCallback, Histogram, Meter, Observable, Tracer } from '@opentelemetry/api';
import type { PoolClient, QueryResult } from 'pg';
import { otelApi } from '../telemetry/otel-api.js';
import { endWithError } from '../telemetry/span-status.js';
import { fleetMeter, fleetTracer, metricsRegistered, tracingRegistered } from '../telemetry/telemetry.js';
import type { DbNode } from './db-node.js';
import { wrapQueryError } from './pg-errors.js';
import { stripLiteralsAndComments } from './statement-kind.js';
import type { TransactionOptions } from './transaction.js';

/**
 * Why a statement ran on the node it ran on (`fleet.db.route_reason`):
 * - `read`: a read routed to a replica;
 * - `write`: a write (`db.write`, or a statement that is not a plain read), on the primary;
 * - `explicit-primary` / `explicit-replica`: `db.primary()` / `db.replica()`;
 * - `read-your-writes`: a read on the primary because no usable replica has replayed the
 *   position this request (or scope) must see, i.e. its own earlier write;
 * - `replica-unhealthy`: a read on the primary because every replica is down, lagging or promoted;
 * - `no-replica`: a read on the primary because no replica is configured;
 * - `replica-failed`: a read retried on the primary after its replica's connection failed (or a recovery conflict);
 * - `transaction`: inside `db.transaction()` (the primary, one connection);
 * - `wal-position`: Fleet's own read of the primary's WAL position after a write, for read-your-writes.
 */
export type QueryReason =
  | 'read' | 'write' | 'explicit-primary' | 'explicit-replica' | 'read-your-writes' | 'replica-unhealthy' | 'no-replica'
  | 'replica-failed' | 'transaction' | 'wal-position';

/** How a node sends one statement (on its pool, or on `client`, one of its connections). */
export type SendStatement = (this: DbNode, text: string, values: readonly unknown[] | undefined, reason: QueryReason, client?: PoolClient) => Promise<QueryResult>;

/** The send of a node without telemetry: exactly the pg call, nothing allocated. */
export const sendPlain: SendStatement = function sendPlain(this: DbNode, text, values, _reason, client) {
  return (client ?? this.pool).query(text, values as unknown[] | undefined) as Promise<QueryResult>;
};

/** What `Database` keeps when telemetry is on (undefined when it is off: no span code anywhere). */
export interface QueryTelemetry {
  /** Runs a top-level transaction (BEGIN..COMMIT) inside a `db.transaction` span; set only when tracing is on. */
  readonly transaction?: <T>(options: TransactionOptions | undefined, run: () => Promise<T>) => Promise<T>;
  /** Stops observing the pools (shutdown). */
  stop(): void;
}

/**
 * Decides once, at boot, whether queries are traced and measured. When an SDK is registered,
 * each node's `send` becomes one that opens a `CLIENT` span per statement (OpenTelemetry database
 * conventions plus which node served it and why) and records `db.client.operation.duration`;
 * otherwise the nodes keep `sendPlain` and this returns undefined.
 */
export function instrumentQueries(primary: DbNode, replicas: readonly DbNode[]): QueryTelemetry | undefined {
  const tracer = tracingRegistered() ? fleetTracer() : undefined;
  const meter = metricsRegistered() ? fleetMeter() : undefined;
  if (tracer === undefined && meter === undefined) return undefined;
  const duration = meter?.createHistogram('db.client.operation.duration', { unit: 's', description: 'Duration of database client operations' });
  const nodes = [primary, ...replicas];
  for (const node of nodes) node.send = tracedSend(nodeAttributes(node), tracer, duration);
  const stopPools = meter === undefined ? () => undefined : observePools(meter, nodes);
  const primaryAttributes = nodeAttributes(primary);
  return {
    ...(tracer === undefined ? {} : { transaction: (options, run) => inTransactionSpan(tracer, primaryAttributes, options, run) }),
    stop: () => {
      stopPools();
      for (const node of nodes) node.send = sendPlain;
    },
  };
}

/** The attributes every statement of `node` carries, computed once. */
function nodeAttributes(node: DbNode): Readonly<Attributes> {
  const attributes: Attributes = { 'db.system.name': 'postgresql', 'fleet.db.node': node.name };
  try {
    const u = new URL(node.url);
    const database = decodeURIComponent(u.pathname.replace(/^\//, ''));
    if (database) attributes['db.namespace'] = database;
    if (u.hostname) attributes['server.address'] = u.hostname.replace(/^\[|\]$/g, '');
    attributes['server.port'] = Number(u.port || 5432);
  } catch {
    // A connection string pg understands but URL does not: the node name is enough.
  }
  return Object.freeze(attributes);
}

function tracedSend(base: Readonly<Attributes>, tracer: Tracer | undefined, duration: Histogram | undefined): SendStatement {
  const { context, SpanKind } = otelApi();
  return function send(this: DbNode, text, values, reason, client) {
    const info = statementInfo(text);
    const started = performance.now();
    const span = tracer?.startSpan(info.spanName, {
      kind: SpanKind.CLIENT,
      attributes: { ...base, ...info.attributes, 'db.query.text': text, 'fleet.db.route_reason': reason },
    }, context.active());
    let pending: Promise<QueryResult>;
    try {
      pending = (client ?? this.pool).query(text, values as unknown[] | undefined) as Promise<QueryResult>;
    } catch (error) {
      pending = Promise.reject(error);
    }
    return pending.then((result) => {
      duration?.record((performance.now() - started) / 1000, { ...base, ...info.attributes, 'fleet.db.route_reason': reason });
      if (span !== undefined) {
        if (!Array.isArray(result) && typeof result.rowCount === 'number') span.setAttribute('db.response.returned_rows', result.rowCount);
        span.end();
      }
      return result;
    }, (error: unknown) => {
      // The coded error the caller gets, built the same way; the SQLSTATE stays beside it.
      const wrapped = wrapQueryError(error, { text }, client === undefined ? this.name : `${this.name} (transaction)`);
      const sqlState = (error as { code?: unknown } | null)?.code;
      duration?.record((performance.now() - started) / 1000, { ...base, ...info.attributes, 'fleet.db.route_reason': reason, 'error.type': wrapped.code });
      if (span !== undefined) {
        if (typeof sqlState === 'string' && /^[0-9A-Z]{5}$/.test(sqlState)) span.setAttribute('db.response.status_code', sqlState);
        span.setAttribute('fleet.error.code', wrapped.code);
        endWithError(span, wrapped);
      }
      throw error;
    });
  };
}

function inTransactionSpan<T>(tracer: Tracer, base: Readonly<Attributes>, options: TransactionOptions | undefined, run: () => Promise<T>): Promise<T> {
  const { context, SpanKind, trace } = otelApi();
  const parent = context.active();
  const span = tracer.startSpan('db.transaction', {
    kind: SpanKind.CLIENT,
    attributes: {
      ...base,
      'fleet.db.route_reason': 'transaction',
      'fleet.db.transaction.isolation': options?.isolation ?? 'read committed',
      'fleet.db.transaction.read_only': options?.readOnly === true,
    },
  }, parent);
  let pending: Promise<T>;
  try {
    pending = context.with(trace.setSpan(parent, span), run);
  } catch (error) {
    pending = Promise.reject(error);
  }
  return pending.then((value) => {
    span.setAttribute('fleet.db.transaction.outcome', 'commit');
    span.end();
    return value;
  }, (error: unknown) => {
    span.setAttribute('fleet.db.transaction.outcome', 'rollback');
    endWithError(span, error);
    throw error;
  });
}

/** Pool gauges, read only when metrics are collected (nothing per query). */
function observePools(meter: Meter, nodes: readonly DbNode[]): () => void {
  const connections = meter.createObservableUpDownCounter('db.client.connection.count', { description: 'Connections of the pool by state (idle, used)' });
  const pending = meter.createObservableUpDownCounter('db.client.connection.pending_requests', { description: 'Callers waiting for a connection of the pool' });
  const observables: Observable[] = [connections, pending];
  const callback: BatchObservableCallback = (result) => {
    for (const node of nodes) {
      const pool = node.pool;
      if (pool === undefined) continue;
      const name = { 'db.client.connection.pool.name': node.name, 'fleet.db.node': node.name };
      result.observe(connections, pool.idleCount, { ...name, 'db.client.connection.state': 'idle' });
      result.observe(connections, pool.totalCount - pool.idleCount, { ...name, 'db.client.connection.state': 'used' });
      result.observe(pending, pool.waitingCount, name);
    }
  };
  meter.addBatchObservableCallback(callback, observables);
  return () => meter.removeBatchObservableCallback(callback, observables);
}

interface StatementInfo {
  /** `SELECT orders`, `INSERT orders`, `COMMIT`, or `postgresql` when nothing can be said. */
  readonly spanName: string;
  /** `db.operation.name` and `db.collection.name`, when the statement shows them plainly. */
  readonly attributes: Readonly<Attributes>;
}

const infos = new Map<string, StatementInfo>();
const INFO_CACHE_LIMIT = 2000;
const FIRST_WORD = /^[\s(]*([A-Za-z]+)/;
const IDENT = '([A-Za-z_][\\w$]*(?:\\.[A-Za-z_][\\w$]*)?)';
const TARGET: Record<string, RegExp> = {
  SELECT: new RegExp(`\\bfrom\\s+${IDENT}\\b(?!\\s*\\()`, 'i'),
  DELETE: new RegExp(`^\\s*delete\\s+from\\s+(?:only\\s+)?${IDENT}`, 'i'),
  INSERT: new RegExp(`^\\s*insert\\s+into\\s+${IDENT}`, 'i'),
  UPDATE: new RegExp(`^\\s*update\\s+(?:only\\s+)?${IDENT}`, 'i'),
};

/** The span name and attributes of a statement, worked out once per distinct text (a `sql` call site). */
export function statementInfo(text: string): StatementInfo {
  let info = infos.get(text);
  if (info === undefined) {
    if (infos.size >= INFO_CACHE_LIMIT) infos.clear();
    info = describeStatementText(text);
    infos.set(text, info);
  }
  return info;
}

function describeStatementText(text: string): StatementInfo {
  const bare = stripLiteralsAndComments(text);
  const operation = FIRST_WORD.exec(bare)?.[1]?.toUpperCase();
  if (operation === undefined) return Object.freeze({ spanName: 'postgresql', attributes: Object.freeze({}) });
  const collection = TARGET[operation]?.exec(bare)?.[1];
  const attributes: Attributes = { 'db.operation.name': operation };
  if (collection !== undefined) attributes['db.collection.name'] = collection;
  return Object.freeze({ spanName: collection === undefined ? operation : `${operation} ${collection}`, attributes: Object.freeze(attributes) });
}
