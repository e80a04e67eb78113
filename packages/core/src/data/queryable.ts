import type { QueryResult } from 'pg';
import type { z } from 'zod';
import { FleetError } from '../errors.js';
import { describeStatement } from './pg-errors.js';
import { parseRows } from './row-schema.js';
import { notSql, SqlQuery } from './sql.js';

/** A result row as pg returns it (column name -> value). */
export type Row = Record<string, unknown>;

/**
 * What runs `sql` queries: `db.read`, `db.write`, `db.primary()`, `db.replica()` and a
 * transaction. An optional zod row schema parses every row (a mismatch fails naming the column).
 */
export interface Queryable {
  /** All rows. */
  query<T extends Row = Row>(q: SqlQuery): Promise<T[]>;
  query<S extends z.ZodType>(q: SqlQuery, schema: S): Promise<Array<z.output<S>>>;
  /** Exactly one row, else `FLEET_ERR_DB_ROW_COUNT`. */
  one<T extends Row = Row>(q: SqlQuery): Promise<T>;
  one<S extends z.ZodType>(q: SqlQuery, schema: S): Promise<z.output<S>>;
  /** The row, or undefined when there is none; more than one fails with `FLEET_ERR_DB_ROW_COUNT`. */
  maybeOne<T extends Row = Row>(q: SqlQuery): Promise<T | undefined>;
  maybeOne<S extends z.ZodType>(q: SqlQuery, schema: S): Promise<z.output<S> | undefined>;
  /** Runs a statement and returns the number of rows it affected (or returned). */
  execute(q: SqlQuery): Promise<number>;
}

/** @internal What a query method returns, applied where the result arrives (no extra promise per call). */
export type Shape = 0 | 1 | 2 | 3;
export const ROWS: Shape = 0;
export const ONE: Shape = 1;
export const MAYBE_ONE: Shape = 2;
export const COUNT: Shape = 3;

/** @internal */
export function shapeResult(r: QueryResult, shape: Shape, schema: z.ZodType | undefined, q: SqlQuery, label: string): any {
  const rows = r.rows;
  switch (shape) {
    case ROWS:
      return schema === undefined ? rows : parseRows(rows, schema, q);
    case ONE:
      if (rows.length !== 1) throw rowCount(label, 'one', rows.length, q);
      return schema === undefined ? rows[0] : parseRows(rows, schema, q)[0];
    case MAYBE_ONE:
      if (rows.length > 1) throw rowCount(label, 'maybeOne', rows.length, q);
      if (rows.length === 0) return undefined;
      return schema === undefined ? rows[0] : parseRows(rows, schema, q)[0];
    default:
      return r.rowCount ?? 0;
  }
}

/** The query methods; subclasses say where a statement runs (and shape its result with `shapeResult`). */
export abstract class QueryRunner implements Queryable {
  /** @internal Runs one statement and returns its shaped result. */
  protected abstract run(q: SqlQuery, shape: Shape, schema: z.ZodType | undefined): Promise<any>;
  /** How error messages name this runner, e.g. `db.read`. */
  protected abstract readonly label: string;

  query(q: SqlQuery, schema?: z.ZodType): Promise<any[]> {
    if (!(q instanceof SqlQuery)) return Promise.reject(notSql(q, `${this.label}.query()`));
    return this.run(q, ROWS, schema);
  }

  one(q: SqlQuery, schema?: z.ZodType): Promise<any> {
    if (!(q instanceof SqlQuery)) return Promise.reject(notSql(q, `${this.label}.one()`));
    return this.run(q, ONE, schema);
  }

  maybeOne(q: SqlQuery, schema?: z.ZodType): Promise<any> {
    if (!(q instanceof SqlQuery)) return Promise.reject(notSql(q, `${this.label}.maybeOne()`));
    return this.run(q, MAYBE_ONE, schema);
  }

  execute(q: SqlQuery): Promise<number> {
    if (!(q instanceof SqlQuery)) return Promise.reject(notSql(q, `${this.label}.execute()`));
    return this.run(q, COUNT, undefined);
  }
}

function rowCount(label: string, method: 'one' | 'maybeOne', got: number, q: SqlQuery): FleetError {
  return new FleetError('FLEET_ERR_DB_ROW_COUNT',
    `${label}.${method}() expects ${method === 'one' ? 'exactly one row' : 'at most one row'} but "${describeStatement(q)}" returned ${got}. ` +
    `Fix: ${method === 'one' && got === 0 ? 'use maybeOne() when the row may be absent' : 'narrow the WHERE clause (or add LIMIT 1), or use query() for several rows'}.`);
}
