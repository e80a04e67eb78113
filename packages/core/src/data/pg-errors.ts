import { FleetError, type FleetErrorCode } from '../errors.js';
import type { SqlQuery } from './sql.js';

/** A query PostgreSQL rejected: the SQLSTATE and, when there is one, the constraint are kept. */
export class DatabaseQueryError extends FleetError {
  /** The SQLSTATE, e.g. `23505` for a unique violation. */
  readonly sqlState?: string;
  /** The constraint that failed, when PostgreSQL names one. */
  readonly constraint?: string;

  constructor(code: FleetErrorCode, message: string, cause: unknown) {
    super(code, message, { cause });
    const c = cause as { code?: unknown; constraint?: unknown };
    if (typeof c?.code === 'string' && /^[0-9A-Z]{5}$/.test(c.code)) this.sqlState = c.code;
    if (typeof c?.constraint === 'string') this.constraint = c.constraint;
  }
}

const NET_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'EPIPE', 'ECONNABORTED']);
// Not "timeout exceeded when trying to connect": that is pg-pool's wait for a free connection (a
// saturated pool, not a failed node); a new connection that times out says "Connection terminated".
const LOST = /Connection terminated|not queryable|Client has encountered a connection error|Query read timeout/;

/**
 * Whether an error means the node (or the connection) failed, rather than the statement:
 * network errors, SQLSTATE class 08, server shutdown or startup (57P01-57P03), too many
 * connections, a server that stopped answering (the client-side query timeout), and the pg
 * client's own connection messages.
 */
export function isConnectionFailure(err: unknown): boolean {
  const e = err as { code?: unknown; message?: unknown };
  const code = typeof e?.code === 'string' ? e.code : '';
  if (NET_CODES.has(code) || code.startsWith('08') || code === '57P01' || code === '57P02' || code === '57P03' || code === '53300') return true;
  return typeof e?.message === 'string' && LOST.test(e.message);
}

/** The statement never reached the server (the pooled connection was already dead): safe to retry, even a write. */
export function neverSent(err: unknown): boolean {
  const m = (err as { message?: unknown })?.message;
  return typeof m === 'string' && /not queryable/.test(m);
}

/** pg-pool waited `connectionTimeoutMillis` for a free connection: the node's pool is saturated (or its connections hang). */
export function isPoolWaitTimeout(err: unknown): boolean {
  const m = (err as { message?: unknown })?.message;
  return typeof m === 'string' && /timeout exceeded when trying to connect/.test(m);
}

/** A hot standby cancelled the query because replay needed the rows it read: retry on the primary. */
export function isRecoveryConflict(err: unknown): boolean {
  const e = err as { code?: unknown; message?: unknown };
  return (e?.code === '40001' || e?.code === '57014') && typeof e.message === 'string' && /conflict with recovery/.test(e.message);
}

/** Turns a pg error into a Fleet error naming the node and the statement (never the values). */
export function wrapQueryError(err: unknown, q: Pick<SqlQuery, 'text'>, node: string): FleetError {
  if (err instanceof FleetError) return err;
  const e = err as { code?: unknown; message?: unknown; constraint?: unknown };
  const message = typeof e?.message === 'string' ? e.message : String(err);
  const statement = describeStatement(q);
  if (e?.code === '57014' || /Query read timeout|timeout exceeded when trying to connect/.test(message)) {
    return new DatabaseQueryError('FLEET_ERR_DB_TIMEOUT',
      `A query on ${node} timed out (${message}). Statement: ${statement}. Fix: make the query faster (an index?), or raise DATABASE_STATEMENT_TIMEOUT_MS / DATABASE_CONNECT_TIMEOUT_MS; a pool that is always busy needs a larger DATABASE_POOL_SIZE or fewer concurrent queries.`, err);
  }
  if (isConnectionFailure(err)) {
    return new DatabaseQueryError(node.startsWith('primary') ? 'FLEET_ERR_DB_PRIMARY_UNAVAILABLE' : 'FLEET_ERR_DB_QUERY_FAILED',
      `The connection to ${node} failed during a query (${message}). Statement: ${statement}.`, err);
  }
  // Text the database cannot store (a NUL byte, an invalid Unicode sequence) came from the caller: a 400, not a server fault.
  if (e?.code === '22021' || e?.code === '22P05') {
    return new DatabaseQueryError('FLEET_ERR_DB_INVALID_TEXT',
      `The value cannot be stored as text: it contains a NUL character or an invalid Unicode sequence (SQLSTATE ${e.code}). Fix: remove the character from the input.`, err);
  }
  const code = typeof e?.code === 'string' ? ` (SQLSTATE ${e.code}${typeof e.constraint === 'string' ? `, constraint ${e.constraint}` : ''})` : '';
  // PostgreSQL's `detail` often quotes row values: it stays on `cause`, out of the message.
  return new DatabaseQueryError('FLEET_ERR_DB_QUERY_FAILED', `PostgreSQL (${node}) rejected a query: ${message}${code}. Statement: ${statement}`, err);
}

export function describeStatement(q: Pick<SqlQuery, 'text'>): string {
  const flat = q.text.replace(/\s+/g, ' ').trim();
  return flat.length > 200 ? `${flat.slice(0, 197)}...` : flat;
}

export function primaryUnavailable(reason: string, cause?: unknown): FleetError {
  return new FleetError('FLEET_ERR_DB_PRIMARY_UNAVAILABLE',
    `The PostgreSQL primary is unavailable (${reason}). Writes fail fast until it answers a health probe again. Fix: check the primary (bash scripts/services.sh status) and DATABASE_URL.`,
    cause === undefined ? {} : { cause });
}
