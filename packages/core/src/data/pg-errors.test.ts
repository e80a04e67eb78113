import { describe, expect, it } from 'vitest';
import { isConnectionFailure, isRecoveryConflict, neverSent, wrapQueryError } from './pg-errors.js';
import { sql } from './sql.js';

const pgError = (code: string, message: string) => Object.assign(new Error(message), { code });

describe('pg error classification', () => {
  it('treats network, shutdown and dead-connection errors as node failures', () => {
    for (const e of [
      pgError('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:5433'),
      pgError('57P01', 'terminating connection due to administrator command'),
      pgError('57P03', 'the database system is starting up'),
      pgError('08006', 'connection failure'),
      new Error('Connection terminated unexpectedly'),
      new Error('Connection terminated due to connection timeout'),
      new Error('Client has encountered a connection error and is not queryable'),
      new Error('Query read timeout'),
    ]) expect(isConnectionFailure(e)).toBe(true);
  });

  it('does not eject a node for statement errors or a saturated pool', () => {
    for (const e of [
      pgError('23505', 'duplicate key value violates unique constraint "users_pkey"'),
      pgError('42P01', 'relation "x" does not exist'),
      pgError('57014', 'canceling statement due to statement timeout'),
      new Error('timeout exceeded when trying to connect'),
    ]) expect(isConnectionFailure(e)).toBe(false);
  });

  it('recognises replication conflicts and statements that never left', () => {
    expect(isRecoveryConflict(pgError('40001', 'canceling statement due to conflict with recovery'))).toBe(true);
    expect(isRecoveryConflict(pgError('40001', 'could not serialize access due to concurrent update'))).toBe(false);
    expect(neverSent(new Error('Client has encountered a connection error and is not queryable'))).toBe(true);
    expect(neverSent(new Error('Connection terminated unexpectedly'))).toBe(false);
  });

  it('maps timeouts to a 503 and keeps values out of messages', () => {
    const q = sql`select * from users where email = ${'secret@example.com'}`;
    expect(wrapQueryError(pgError('57014', 'canceling statement due to statement timeout'), q, 'replica-1')).toMatchObject({ code: 'FLEET_ERR_DB_TIMEOUT', statusCode: 503 });
    expect(wrapQueryError(new Error('timeout exceeded when trying to connect'), q, 'primary')).toMatchObject({ code: 'FLEET_ERR_DB_TIMEOUT' });
    const failed = wrapQueryError(Object.assign(pgError('23505', 'duplicate key'), { detail: 'Key (email)=(secret@example.com) already exists.', constraint: 'users_email' }), q, 'primary');
    expect(failed).toMatchObject({ code: 'FLEET_ERR_DB_QUERY_FAILED', statusCode: 500, sqlState: '23505', constraint: 'users_email' });
    expect(failed.message).toContain('select * from users where email = $1');
    expect(failed.message).not.toContain('secret@example.com');
    expect(wrapQueryError(pgError('ECONNRESET', 'read ECONNRESET'), q, 'primary')).toMatchObject({ code: 'FLEET_ERR_DB_PRIMARY_UNAVAILABLE', statusCode: 503 });
  });
});

describe('text the database cannot store', () => {
  it('is the caller\'s fault: a 400 with its own code, the SQLSTATE kept', () => {
    const err = wrapQueryError(Object.assign(new Error('invalid byte sequence for encoding "UTF8": 0x00'), { code: '22021' }), { text: 'insert into t values ($1)' }, 'primary');
    expect(err.code).toBe('FLEET_ERR_DB_INVALID_TEXT');
    expect(err.statusCode).toBe(400);
    expect((err as { sqlState?: string }).sqlState).toBe('22021');
    expect(wrapQueryError(Object.assign(new Error('unsupported Unicode escape sequence'), { code: '22P05' }), { text: 'select 1' }, 'replica-1').code).toBe('FLEET_ERR_DB_INVALID_TEXT');
  });
});
