/**
 * One side of the repository read benchmark (started by bench/repository.mjs, talks over IPC):
 *   node bench/repository-worker.mjs <kind>
 * kinds:
 *   fleet      Fleet's Database through a Repository: sql`...` template, replica routing with
 *              read-your-writes bookkeeping, maybeOne()
 *   fleet-zod  the same with a zod row schema parsing the row
 *   raw        the same query with pg-pool's pool.query() on the same replica; the process also
 *              boots an (empty) Fleet app, so both sides carry the same modules on the heap
 * Environment: BENCH_REPLICA_URL, BENCH_PRIMARY_URL (with the benchmark's search_path), BENCH_ROWS.
 *   -> { type: 'ready' }
 *   <- { type: 'run', id, queries, concurrency }  -> { type: 'done', id, cpuUs, wallMs, queries }
 *   <- { type: 'close' }
 */
import { fileURLToPath } from 'node:url';
import { z } from 'zod';

const kind = process.argv[2];
if (!['fleet', 'fleet-zod', 'raw'].includes(kind) || typeof process.send !== 'function') {
  console.error('usage (from bench/repository.mjs): node bench/repository-worker.mjs fleet|fleet-zod|raw');
  process.exit(2);
}
const core = await import(fileURLToPath(new URL('../packages/core/dist/index.js', import.meta.url)));
const { createApp, DatabaseModule, Injectable, Module, Repository, sql } = core;
const rows = Number(process.env.BENCH_ROWS ?? 1000);

const UserRow = z.object({ id: z.number(), name: z.string(), email: z.string() });

let read;
let close;
if (kind === 'raw') {
  class EmptyModule {}
  Module({})(EmptyModule);
  const app = await createApp(EmptyModule, { logger: false });
  const { Pool } = await import('pg');
  const pool = new Pool({ connectionString: process.env.BENCH_REPLICA_URL, max: 5, application_name: 'fleet-bench:raw' });
  pool.on('error', () => undefined);
  const text = 'select id, name, email from users where id = $1';
  read = async (id) => (await pool.query(text, [id])).rows[0];
  close = async () => { await pool.end(); await app.close(); };
} else {
  class UsersRepository extends Repository {
    byId(id) { return this.read.maybeOne(sql`select id, name, email from users where id = ${id}`); }
    byIdParsed(id) { return this.read.maybeOne(sql`select id, name, email from users where id = ${id}`, UserRow); }
  }
  Injectable()(UsersRepository);
  class BenchModule {}
  Module({ imports: [DatabaseModule], providers: [UsersRepository] })(BenchModule);
  const app = await createApp(BenchModule, {
    logger: false,
    env: { DATABASE_URL: process.env.BENCH_PRIMARY_URL, DATABASE_REPLICA_URLS: process.env.BENCH_REPLICA_URL, DATABASE_POOL_SIZE: '5', FLEET_APP: 'bench' },
  });
  const repo = app.get(UsersRepository);
  read = kind === 'fleet' ? (id) => repo.byId(id) : (id) => repo.byIdParsed(id);
  close = () => app.close();
}

// Check the query works and the row is the expected one before measuring anything.
const check = await read(1);
if (!check || check.id !== 1) throw new Error(`${kind}: the benchmark table is missing or empty`);

async function run(queries, concurrency) {
  let next = 0;
  const loop = async () => {
    while (next < queries) {
      const id = (next++ % rows) + 1;
      const row = await read(id);
      if (row.id !== id) throw new Error(`${kind}: got row ${row.id} for ${id}`);
    }
  };
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await Promise.all(Array.from({ length: concurrency }, loop));
  const wallMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  return { cpuUs: cpu.user + cpu.system, wallMs, queries };
}

process.on('message', async (msg) => {
  if (msg?.type === 'run') {
    try {
      const result = await run(msg.queries, msg.concurrency);
      process.send({ type: 'done', id: msg.id, ...result });
    } catch (err) {
      process.send({ type: 'error', id: msg.id, message: err?.message ?? String(err) });
    }
  } else if (msg?.type === 'close') {
    await close();
    process.exit(0);
  }
});
process.on('disconnect', () => { void close().finally(() => process.exit(0)); });
process.send({ type: 'ready' });
