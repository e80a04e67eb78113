import type { z } from 'zod';
import { FleetError, type ErrorDetail } from '../errors.js';
import { describeStatement } from './pg-errors.js';
import type { SqlQuery } from './sql.js';

/** Parses every row with the zod row schema; the first row that does not match fails, naming its columns. */
export function parseRows<S extends z.ZodType>(rows: unknown[], schema: S, q: SqlQuery): Array<z.output<S>> {
  const out = new Array<z.output<S>>(rows.length);
  for (let i = 0; i < rows.length; i++) {
    const result = schema.safeParse(rows[i]);
    if (!result.success) throw rowInvalid(result.error, i, q);
    out[i] = result.data;
  }
  return out;
}

function rowInvalid(error: z.ZodError, index: number, q: SqlQuery): FleetError {
  const details: ErrorDetail[] = error.issues.map((issue) => {
    const [column, ...rest] = issue.path.map(String);
    return {
      path: column === undefined ? 'row' : `row.${[column, ...rest].join('.')}`,
      message: `${column === undefined ? 'the row' : `column "${column}"${rest.length ? ` at ${rest.join('.')}` : ''}`}: ${issue.message}`,
      rule: issue.code,
    };
  });
  return new FleetError('FLEET_ERR_DB_ROW_INVALID',
    `Row ${index + 1} returned by "${describeStatement(q)}" does not match its row schema: ${details.map((d) => d.message).join('; ')}. ` +
    'Fix: select the columns the schema names (alias them with "as"), cast in SQL where pg returns strings (count(*)::int, numeric::float8), or correct the schema.',
    { details });
}
