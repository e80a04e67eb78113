import { AsyncLocalStorage } from 'node:async_hooks';
import type { PoolClient, QueryResult } from 'pg';
import type { z } from 'zod';
import { FleetError } from '../errors.js';
import type { ConsistencyState } from './consistency.js';
import { isConnectionFailure, wrapQueryError } from './pg-errors.js';
import type { DbNode } from './db-node.js';
import { QueryRunner, shapeResult, type Queryable, type Shape } from './queryable.js';
import type { SqlQuery } from './sql.js';

/** Options of `db.transaction()`. */
export interface TransactionOptions {
  /** @default 'read committed' (PostgreSQL's default) */
  isolation?: 'read committed' | 'repeatable read' | 'serializable';
  /** Declares the transaction read-only (PostgreSQL then rejects writes). @default false */
  readOnly?: boolean;
}

/** A transaction on one primary connection; `transaction()` inside it opens a savepoint. */
export interface Transaction extends Queryable {
  /** Runs `fn` inside a savepoint: its failure rolls back only what it did, then rethrows. */
  transaction<T>(fn: (tx: Transaction) => Promise<T>): Promise<T>;
}

/**
 * What the data layer keeps per call chain, in its own AsyncLocalStorage (entered only by
 * `transaction()` and `withConsistency()`, so apps that use neither never enter it):
 * the open transaction, and an explicit read-your-writes scope (jobs, scripts).
 */
export interface DataScope {
  readonly tx?: TransactionRunner;
  readonly consistency?: ConsistencyState;
}
export const dataStorage = new AsyncLocalStorage<DataScope>();

const BEGIN: Record<string, string> = {};
for (const iso of ['read committed', 'repeatable read', 'serializable']) {
  BEGIN[`${iso}|rw`] = `begin isolation level ${iso}`;
  BEGIN[`${iso}|ro`] = `begin isolation level ${iso} read only`;
}

export function beginStatement(options: TransactionOptions = {}): string {
  const sql = BEGIN[`${options.isolation ?? 'read committed'}|${options.readOnly ? 'ro' : 'rw'}`];
  if (sql === undefined) throw new FleetError('FLEET_ERR_DB_INVALID_OPTIONS', `db.transaction(): unknown isolation "${options.isolation}". Fix: use 'read committed', 'repeatable read' or 'serializable'.`);
  return sql;
}

/** @internal Every statement of a transaction, reads included, runs on its connection. */
export class TransactionRunner extends QueryRunner implements Transaction {
  protected readonly label = 'tx';
  private depth = 0;
  private closed = false;
  /** Set when the connection failed: it must not go back to the pool. */
  broken?: Error;
  /** Work to run once the outermost transaction has committed (dropped on rollback). */
  private afterCommitHooks?: Array<() => unknown>;
  private committed = false;

  /** `node`: the primary, whose `send` runs each statement on `client` (with a span when tracing is on). */
  constructor(private readonly client: PoolClient, private readonly node: DbNode) {
    super();
  }

  /** @internal */
  async run(q: SqlQuery, shape: Shape, schema: z.ZodType | undefined): Promise<any> {
    if (this.closed) {
      throw new FleetError('FLEET_ERR_DB_TRANSACTION_CLOSED', `A query ran on a transaction that has already ${this.broken ? 'failed' : 'ended'}: "${q.text.slice(0, 80)}". Fix: await every query inside the transaction callback, and do not keep \`tx\` after it returns.`);
    }
    let result: QueryResult;
    try {
      result = await this.node.send(q.text, q.values, 'transaction', this.client);
    } catch (err) {
      if (isConnectionFailure(err)) this.broken = err as Error;
      throw wrapQueryError(err, q, 'primary (transaction)');
    }
    return shapeResult(result, shape, schema, q, this.label);
  }

  async transaction<T>(fn: (tx: Transaction) => Promise<T>): Promise<T> {
    const name = `fleet_sp_${++this.depth}`;
    await this.raw(`savepoint ${name}`);
    try {
      const result = await fn(this);
      await this.raw(`release savepoint ${name}`);
      return result;
    } catch (err) {
      if (!this.broken) await this.raw(`rollback to savepoint ${name}`).catch(() => undefined);
      throw err;
    } finally {
      this.depth--;
    }
  }

  /** @internal Statements of Fleet's own (begin, commit, savepoints): fixed text, no values. */
  async raw(text: string): Promise<QueryResult | QueryResult[]> {
    try {
      return await this.node.send(text, undefined, 'transaction', this.client) as QueryResult | QueryResult[];
    } catch (err) {
      if (isConnectionFailure(err)) this.broken = err as Error;
      throw wrapQueryError(err, { text }, 'primary (transaction)');
    }
  }

  /** @internal */
  close(): void {
    this.closed = true;
  }

  /**
   * @internal Runs `fn` after the outermost transaction commits, not before (a cache eviction
   * must not let a reader cache the old row again before the new one is visible); dropped when it
   * rolls back. `db.transaction()` awaits it before it returns.
   */
  afterCommit(fn: () => unknown): void {
    (this.afterCommitHooks ??= []).push(fn);
  }

  /** @internal the commit succeeded. */
  markCommitted(): void {
    this.committed = true;
  }

  /** @internal runs the after-commit work (after a commit only); never throws. */
  async runAfterCommit(): Promise<void> {
    const hooks = this.afterCommitHooks;
    this.afterCommitHooks = undefined;
    if (!this.committed || hooks === undefined) return;
    await Promise.allSettled(hooks.map(async (fn) => fn()));
  }
}
