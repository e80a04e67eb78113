import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { Database, DatabaseModule, Injectable, Module, sql } from '@fleet/core';
import { acquireFaultReplica, createTestApp } from '@fleet/testing';

// Every test here takes the fault replica (127.0.0.1:5434) exclusively: the shared replica on 5433
// that other test files read from is never paused or stopped.
const PRIMARY = 'postgres://postgres@127.0.0.1:5432/test';

async function withClient<T>(url: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  c.on('error', () => undefined);
  await c.connect();
  try { return await fn(c); } finally { await c.end().catch(() => undefined); }
}
const q = (url: string, text: string, values: unknown[] = []) => withClient(url, (c) => c.query(text, values));
const pauseState = async (url: string) => (await q(url, 'select pg_get_wal_replay_pause_state() as s')).rows[0].s as string;

describe('acquireFaultReplica', () => {
  it('pauses replay: a row written on the primary is not visible on the replica until replay resumes', async () => {
    const replica = await acquireFaultReplica();
    const table = `fault_probe_${randomBytes(4).toString('hex')}`;
    try {
      expect(replica.url).toBe('postgres://postgres@127.0.0.1:5434/test');
      await q(PRIMARY, `create table ${table} (id int primary key)`);
      await replica.waitForCatchUp();
      await replica.pauseReplay();
      expect(await pauseState(replica.url)).toBe('paused');
      const lsn = (await q(PRIMARY, `insert into ${table} values (1) returning pg_current_wal_lsn()::text as lsn`)).rows[0].lsn as string;
      // The replica has received the insert's WAL but not replayed it.
      await expect.poll(async () => (await q(replica.url, 'select pg_last_wal_receive_lsn() >= $1::pg_lsn as ok', [lsn])).rows[0].ok, { timeout: 10_000, interval: 50 }).toBe(true);
      expect((await q(replica.url, `select count(*)::int as n from ${table}`)).rows[0].n).toBe(0);
      await expect(replica.waitForCatchUp()).rejects.toThrow(/replay is paused/);
      await replica.resumeReplay();
      await replica.waitForCatchUp();
      expect((await q(replica.url, `select count(*)::int as n from ${table}`)).rows[0].n).toBe(1);
    } finally {
      await q(PRIMARY, `drop table if exists ${table}`);
      await replica.release();
    }
  });

  it('stop() makes connections fail and start() brings it back streaming', async () => {
    const replica = await acquireFaultReplica();
    try {
      await replica.stop();
      await expect(q(replica.url, 'select 1')).rejects.toThrow(/ECONNREFUSED|connect/);
      await replica.start();
      expect((await q(replica.url, 'select pg_is_in_recovery() as r')).rows[0].r).toBe(true);
      await replica.waitForCatchUp();
    } finally {
      await replica.release();
    }
  });

  it('release() restores a stopped or paused replica and lets the next test have it', async () => {
    const first = await acquireFaultReplica();
    await first.stop();
    await first.release();
    expect((await q(first.url, 'select 1 as one')).rows[0].one).toBe(1);

    // Taken again at once: the lock was freed. Left paused, release() resumes replay.
    const second = await acquireFaultReplica({ acquireTimeoutMs: 5000 });
    await second.pauseReplay();
    await second.release();
    expect(await pauseState(second.url)).toBe('not paused');
    await second.release(); // idempotent
  });

  it('makes a second holder wait for the first, and names the holder when it gives up', async () => {
    const first = await acquireFaultReplica();
    try {
      await expect(acquireFaultReplica({ acquireTimeoutMs: 500 })).rejects.toThrow(/stayed held by backend pid \d+ \(fleet-fault-replica holder/);
    } finally {
      await first.release();
    }
  });
});

describe('createTestApp({ faultReplica: true })', () => {
  @Injectable()
  class Notes {
    constructor(readonly db: Database) {}
    async add(id: number) { await this.db.write.query(sql`insert into notes (id, body) values (${id}, 'x')`); }
    async onReplica(id: number) { return (await this.db.replica().maybeOne(sql`select id from notes where id = ${id}`)) !== undefined; }
  }
  const migrations = fileURLToPath(new URL('./fixtures/migrations/', import.meta.url));
  @Module({ imports: [DatabaseModule.forRoot({ migrateOnBoot: { dir: migrations } })], providers: [Notes] })
  class NotesApp {}

  it('reads from the fault replica, faults.pauseReplay() makes its reads stale, and close() restores and releases it', async () => {
    // A long max lag: the app keeps reading from the paused replica instead of skipping it.
    const env = { DATABASE_URL: PRIMARY, DATABASE_REPLICA_MAX_LAG_MS: '600000', DATABASE_PROBE_INTERVAL_MS: '200' };
    const t = await createTestApp(NotesApp, { env, faultReplica: true });
    try {
      await t.faults.replica.waitForCatchUp(); // the app's schema and table exist there
      const notes = t.get(Notes);
      await t.faults.pauseReplay();
      await notes.add(1);
      expect(await notes.onReplica(1)).toBe(false);
      await t.faults.resumeReplay();
      await t.faults.replica.waitForCatchUp();
      expect(await notes.onReplica(1)).toBe(true);
      await t.faults.pauseReplay(); // left paused on purpose: close() must restore it
    } finally {
      await t.close();
    }
    const next = await acquireFaultReplica({ acquireTimeoutMs: 5000 });
    try {
      expect(await pauseState(next.url)).toBe('not paused');
    } finally {
      await next.release();
    }
  });
});
