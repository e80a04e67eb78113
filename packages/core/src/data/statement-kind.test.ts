import { describe, expect, it } from 'vitest';
import { statementKind } from './statement-kind.js';

describe('statementKind', () => {
  it.each([
    'select 1',
    '  SELECT id FROM users WHERE id = $1',
    '(select 1) union (select 2)',
    'with x as (select 1) select * from x',
    'values (1), (2)',
    'table users',
    'show server_version',
    "select 'insert into t; delete from t' as text",
    'select "update", "delete" from t',
    '-- insert into t\nselect 1',
    '/* update t */ select 1',
    'select $$ drop table t $$',
    'select updated_at, deleted from t',
  ])('%s is a read', (text) => {
    expect(statementKind(text)).toBe('read');
  });

  it.each([
    'insert into t values ($1)',
    'update t set x = 1',
    'delete from t',
    'create table t (id int)',
    'drop table t',
    'select * from t for update',
    'select * from t for no key update skip locked',
    'select * from t for share',
    'select * from t for key share',
    'select x into new_table from t',
    'with d as (delete from t returning *) select * from d',
    'with u as (update t set x = 1 returning *) select * from u',
    "select nextval('seq')",
    'select pg_advisory_lock(1)',
    'select pg_try_advisory_xact_lock(1)',
    'select txid_current()',
    'begin',
    'set search_path = x',
    'lock table t',
    'vacuum t',
    'explain analyze delete from t',
    'merge into t using s on true when matched then delete',
    'call proc()',
    '',
  ])('%s is a write (primary)', (text) => {
    expect(statementKind(text)).toBe('write');
  });
});
