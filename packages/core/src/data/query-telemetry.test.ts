import { describe, expect, it } from 'vitest';
import { statementInfo } from './query-telemetry.js';

describe('statementInfo: span names and db attributes from the statement text', () => {
  it('names the operation and, when plain, the table', () => {
    expect(statementInfo('select id, item from orders where id = $1')).toEqual({ spanName: 'SELECT orders', attributes: { 'db.operation.name': 'SELECT', 'db.collection.name': 'orders' } });
    expect(statementInfo('insert into app.orders (id) values ($1)').spanName).toBe('INSERT app.orders');
    expect(statementInfo('UPDATE only orders set item = $1').spanName).toBe('UPDATE orders');
    expect(statementInfo('delete from orders where id = $1').spanName).toBe('DELETE orders');
    expect(statementInfo('begin isolation level read committed').spanName).toBe('BEGIN');
    expect(statementInfo('commit; select pg_current_wal_lsn()::text as lsn').attributes).toEqual({ 'db.operation.name': 'COMMIT' });
  });

  it('is not fooled by literals, comments or function calls', () => {
    expect(statementInfo("select 'from users' as x").spanName).toBe('SELECT');
    expect(statementInfo('-- from users\nselect now()').spanName).toBe('SELECT');
    expect(statementInfo('select * from generate_series(1, $1)').spanName).toBe('SELECT');
    expect(statementInfo('   ').spanName).toBe('postgresql');
  });
});
