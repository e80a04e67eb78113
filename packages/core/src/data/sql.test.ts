import { describe, expect, it } from 'vitest';
import type { FleetError } from '../errors.js';
import { notSql, sql, SqlQuery } from './sql.js';

const fails = (fn: () => unknown) => { try { fn(); } catch (e) { return e as FleetError; } throw new Error('did not throw'); };

describe('sql', () => {
  it('turns every value into a numbered parameter', () => {
    const q = sql`select * from users where email = ${"x'; drop table users; --"} and id > ${3}`;
    expect(q.text).toBe('select * from users where email = $1 and id > $2');
    expect(q.values).toEqual(["x'; drop table users; --", 3]);
    expect(q.kind).toBe('read');
  });

  it('compiles a call site once: the text object is shared between calls', () => {
    const byId = (id: number) => sql`select name from users where id = ${id}`;
    const a = byId(1);
    const b = byId(2);
    expect(a.text).toBe(b.text);
    expect(a.values).toEqual([1]);
    expect(b.values).toEqual([2]);
  });

  it('splices nested queries as SQL and renumbers their parameters', () => {
    const active = sql`active = ${true} and tier = ${'gold'}`;
    const q = sql`select id from users where org = ${7} and ${active} limit ${10}`;
    expect(q.text).toBe('select id from users where org = $1 and active = $2 and tier = $3 limit $4');
    expect(q.values).toEqual([7, true, 'gold', 10]);
    const twice = sql`${active} or ${active}`;
    expect(twice.text).toBe('active = $1 and tier = $2 or active = $3 and tier = $4');
  });

  it('quotes identifiers, doubling embedded quotes', () => {
    expect(sql`select * from ${sql.id('users')}`.text).toBe('select * from "users"');
    expect(sql`select * from ${sql.id('app', 'users')}`.text).toBe('select * from "app"."users"');
    expect(sql`select ${sql.id('a"; drop table users; --')} from t`.text).toBe('select "a""; drop table users; --" from t');
    expect(fails(() => sql.id('')).code).toBe('FLEET_ERR_DB_INVALID_IDENTIFIER');
    expect(fails(() => sql.id('a\0b')).code).toBe('FLEET_ERR_DB_INVALID_IDENTIFIER');
    expect(fails(() => sql.id()).code).toBe('FLEET_ERR_DB_INVALID_IDENTIFIER');
  });

  it('joins identifiers, fragments and values', () => {
    const cols = sql.join(['id', 'name'].map((c) => sql.id(c)));
    expect(sql`select ${cols} from t where id in (${sql.join([1, 2, 3])})`.text).toBe('select "id", "name" from t where id in ($1, $2, $3)');
    expect(sql`${sql.join([sql`a = ${1}`, sql`b = ${2}`], sql` and `)}`.text).toBe('a = $1 and b = $2');
  });

  it('rejects undefined values, naming the position', () => {
    const err = fails(() => sql`update users set name = ${'x'}, email = ${undefined} where id = ${1}`);
    expect(err.code).toBe('FLEET_ERR_DB_INVALID_VALUE');
    expect(err.message).toContain('Value #2');
    expect(err.message).toContain('email = ${...}');
  });

  it('cannot be fed a string: no API splices text into SQL', () => {
    expect(fails(() => (sql as unknown as (s: unknown) => unknown)('drop table users')).code).toBe('FLEET_ERR_DB_NOT_SQL');
    expect(fails(() => (sql as unknown as (s: unknown) => unknown)(['drop table users'])).code).toBe('FLEET_ERR_DB_NOT_SQL');
    expect(fails(() => new (SqlQuery as unknown as new (...a: unknown[]) => unknown)(Symbol('x'), ['drop'], [], 'drop', 'write')).code).toBe('FLEET_ERR_DB_NOT_SQL');
    const err = notSql('select 1', 'db.read.query()');
    expect(err.code).toBe('FLEET_ERR_DB_NOT_SQL');
    expect(err.message).toContain('db.read.query() was given a string');
  });

  it('classifies the whole composed statement', () => {
    expect(sql`select 1`.kind).toBe('read');
    expect(sql`insert into t values (${1})`.kind).toBe('write');
    expect(sql`select * from t ${sql`for update`}`.kind).toBe('write');
    expect(sql`select * from ${sql.id('update')}`.kind).toBe('read');
  });
});
