#!/usr/bin/env node
/**
 * Repository read benchmark: a single-row read by primary key through Fleet's Database
 * (Repository, sql template, replica routing, read-your-writes bookkeeping) against the same
 * query on a raw pg-pool, in the same run.
 *
 *   npx tsc -b tsconfig.build.json && node bench/repository.mjs
 *   node bench/repository.mjs --quick                    # smoke run
 *   node bench/repository.mjs --rounds 9 --queries 40000 --concurrency 8
 *
 * Method (the one of docs/benchmarks.md): the two sides of a pair run side by side, as two
 * processes pinned to the same core (taskset -c 1), loaded at the same time with the same number
 * of queries and concurrent callers, against the same replica (127.0.0.1:5433). Each side reports
 * its own process.cpuUsage() over the measured queries, so the figure is client CPU per query
 * (the database's own work is not in it). Each round starts fresh processes, warms both up, then
 * measures; rounds alternate which side is started first. Ratios are medians over rounds,
 * candidate / baseline: 1.03 means Fleet spends 3% more CPU per query than raw pg-pool. An A/A
 * pair (raw against raw) shows the noise of the method.
 *
 * Options (flags, or env BENCH_<NAME>):
 *   --rounds N        measured rounds per pair (default 7; quick 2)
 *   --queries N       queries per side per round (default 30000; quick 3000)
 *   --concurrency N   concurrent callers per side (default 8)
 *   --pairs a,b       fleet-raw, fleet-zod-raw, aa (default all three)
 *   --quick           small smoke run
 * Needs the local services (bash scripts/services.sh up) and a build. A harness, not a test:
 * it never fails on a timing. It creates a schema bench_repo_<random> and drops it at the end.
 */
import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';

const BENCH = dirname(fileURLToPath(import.meta.url));
const ROOT = dirname(BENCH);
const WORKER = join(BENCH, 'repository-worker.mjs');
const SIDE_CPU = '1';
const ROWS = 1000;

function options(argv) {
  const flags = new Map();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith('--')) throw new Error(`unexpected argument ${a}`);
    const [k, inline] = a.slice(2).split('=', 2);
    if (k === 'quick') flags.set(k, true);
    else flags.set(k, inline ?? argv[++i]);
  }
  const known = ['rounds', 'queries', 'concurrency', 'pairs', 'quick'];
  for (const k of flags.keys()) if (!known.includes(k)) throw new Error(`unknown option --${k} (known: ${known.join(', ')})`);
  const get = (k) => flags.get(k) ?? process.env[`BENCH_${k.toUpperCase()}`];
  const quick = flags.get('quick') === true || process.env.BENCH_QUICK === '1';
  const int = (k, full, small) => {
    const v = get(k);
    const n = v === undefined ? (quick ? small : full) : Number(v);
    if (!Number.isInteger(n) || n < 1) throw new Error(`--${k} must be a positive integer, got ${v}`);
    return n;
  };
  return {
    rounds: int('rounds', 7, 2),
    queries: int('queries', 30_000, 3_000),
    concurrency: int('concurrency', 8, 8),
    pairs: String(get('pairs') ?? 'fleet-raw,fleet-zod-raw,aa').split(',').map((s) => s.trim()),
  };
}

const PAIRS = {
  'fleet-raw': { label: 'Fleet repository read vs raw pg-pool', candidate: 'fleet', baseline: 'raw' },
  'fleet-zod-raw': { label: 'Fleet repository read with a zod row schema vs raw pg-pool', candidate: 'fleet-zod', baseline: 'raw' },
  aa: { label: 'A/A: raw pg-pool vs raw pg-pool', candidate: 'raw', baseline: 'raw' },
};

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

function pinningAvailable() {
  try { execFileSync('taskset', ['-c', SIDE_CPU, 'true'], { stdio: 'ignore' }); return true; } catch { return false; }
}

const children = new Set();

function startWorker(kind, env, pinned) {
  const args = [WORKER, kind];
  const [cmd, argv] = pinned ? ['taskset', ['-c', SIDE_CPU, process.execPath, ...args]] : [process.execPath, args];
  const child = spawn(cmd, argv, { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  children.add(child);
  child.once('exit', () => children.delete(child));
  let nextId = 0;
  const pending = new Map();
  child.on('message', (m) => {
    if (m?.type === 'done') { pending.get(m.id)?.resolve(m); pending.delete(m.id); }
    if (m?.type === 'error') { pending.get(m.id)?.reject(new Error(`${kind}: ${m.message}`)); pending.delete(m.id); }
  });
  child.once('exit', (code) => { for (const p of pending.values()) p.reject(new Error(`${kind} exited during a run (code ${code})`)); pending.clear(); });
  const ready = new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${kind} did not report ready within 30 s`)), 30_000);
    child.on('message', (m) => { if (m?.type === 'ready') { clearTimeout(timer); resolve(); } });
    child.once('exit', (code) => { clearTimeout(timer); reject(new Error(`${kind} exited before ready (code ${code})`)); });
  });
  return {
    kind,
    ready,
    run: (queries, concurrency) => new Promise((resolve, reject) => { const id = nextId++; pending.set(id, { resolve, reject }); child.send({ type: 'run', id, queries, concurrency }); }),
    close: () => new Promise((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) { resolve(); return; }
      child.once('exit', resolve);
      child.send({ type: 'close' });
      setTimeout(() => child.kill('SIGKILL'), 10_000).unref();
    }),
  };
}

async function round(pair, env, opts, pinned, candidateFirst) {
  const order = candidateFirst ? [pair.candidate, pair.baseline] : [pair.baseline, pair.candidate];
  const workers = order.map((k) => startWorker(k, env, pinned));
  try {
    await Promise.all(workers.map((w) => w.ready));
    // Warm-up (JIT, pool connections), then the measured run, both sides at the same time.
    await Promise.all(workers.map((w) => w.run(Math.max(1000, opts.queries >> 2), opts.concurrency)));
    const results = await Promise.all(workers.map((w) => w.run(opts.queries, opts.concurrency)));
    const [first, second] = results.map((r) => ({ cpuPerQueryUs: r.cpuUs / r.queries, queriesPerSec: r.queries / (r.wallMs / 1000) }));
    const candidate = candidateFirst ? first : second;
    const baseline = candidateFirst ? second : first;
    return { candidate, baseline, ratio: candidate.cpuPerQueryUs / baseline.cpuPerQueryUs };
  } finally {
    await Promise.all(workers.map((w) => w.close()));
  }
}

async function main() {
  const opts = options(process.argv.slice(2));
  if (!existsSync(join(ROOT, 'packages/core/dist/index.js'))) throw new Error('build first: npx tsc -b tsconfig.build.json');
  const pinned = pinningAvailable();
  const schema = `bench_repo_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: 'postgres://postgres@127.0.0.1:5432/test', application_name: 'fleet-bench:admin' });
  await admin.connect();
  const search = `?options=${encodeURIComponent(`-c search_path=${schema}`)}`;
  const env = {
    BENCH_PRIMARY_URL: `postgres://postgres@127.0.0.1:5432/test${search}`,
    BENCH_REPLICA_URL: `postgres://postgres@127.0.0.1:5433/test${search}`,
    BENCH_ROWS: String(ROWS),
  };
  const out = [];
  try {
    await admin.query(`create schema ${schema}`);
    await admin.query(`create table ${schema}.users (id int primary key, name text not null, email text not null)`);
    await admin.query(`insert into ${schema}.users select i, 'User ' || i, 'user' || i || '@example.com' from generate_series(1, ${ROWS}) i`);
    const lsn = (await admin.query('select pg_current_wal_lsn()::text as l')).rows[0].l;
    await waitForReplica(lsn);
    console.log(`repository read benchmark: ${opts.rounds} rounds x ${opts.queries} queries, ${opts.concurrency} concurrent callers per side; ${pinned ? `both sides pinned to CPU ${SIDE_CPU}` : 'taskset unavailable: not pinned (noisier)'}`);
    for (const key of opts.pairs) {
      const pair = PAIRS[key];
      if (!pair) throw new Error(`unknown pair ${key} (known: ${Object.keys(PAIRS).join(', ')})`);
      const rounds = [];
      for (let r = 0; r < opts.rounds; r++) {
        let result;
        for (let attempt = 1; !result; attempt++) {
          try {
            result = await round(pair, env, opts, pinned, r % 2 === 0);
          } catch (err) {
            // e.g. another process restarted the replica mid-round: that round's figures are void
            if (attempt >= 3) throw err;
            console.log(`  ${key} round ${r + 1} interrupted (${err.message}); running it again`);
            await waitForReplica((await admin.query('select pg_current_wal_lsn()::text as l')).rows[0].l);
          }
        }
        rounds.push(result);
        console.log(`  ${key} round ${r + 1}: ${pair.candidate} ${result.candidate.cpuPerQueryUs.toFixed(2)} us/query, ${pair.baseline} ${result.baseline.cpuPerQueryUs.toFixed(2)} us/query, ratio ${result.ratio.toFixed(3)}`);
      }
      out.push({
        key, label: pair.label,
        candidateUs: median(rounds.map((r) => r.candidate.cpuPerQueryUs)),
        baselineUs: median(rounds.map((r) => r.baseline.cpuPerQueryUs)),
        candidateQps: median(rounds.map((r) => r.candidate.queriesPerSec)),
        baselineQps: median(rounds.map((r) => r.baseline.queriesPerSec)),
        ratio: median(rounds.map((r) => r.ratio)),
        spread: [Math.min(...rounds.map((r) => r.ratio)), Math.max(...rounds.map((r) => r.ratio))],
      });
    }
  } finally {
    await admin.query(`drop schema if exists ${schema} cascade`).catch(() => undefined);
    await admin.end();
  }
  console.log('\n| Pair | Candidate CPU/query | Baseline CPU/query | Ratio (median) | Ratio range | Queries/s (candidate / baseline) |');
  console.log('|---|---|---|---|---|---|');
  for (const p of out) {
    console.log(`| ${p.label} | ${p.candidateUs.toFixed(2)} us | ${p.baselineUs.toFixed(2)} us | ${p.ratio.toFixed(3)} | ${p.spread[0].toFixed(3)}-${p.spread[1].toFixed(3)} | ${Math.round(p.candidateQps)} / ${Math.round(p.baselineQps)} |`);
  }
  console.log(`\nCommand: node bench/repository.mjs --rounds ${opts.rounds} --queries ${opts.queries} --concurrency ${opts.concurrency}; Node ${process.version}.`);
}

async function waitForReplica(lsn) {
  const replica = new pg.Client({ connectionString: 'postgres://postgres@127.0.0.1:5433/test', application_name: 'fleet-bench:admin' });
  await replica.connect();
  try {
    for (let i = 0; i < 200; i++) {
      const { rows } = await replica.query('select pg_last_wal_replay_lsn() >= $1::pg_lsn as ok', [lsn]);
      if (rows[0].ok) return;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error('the replica did not replay the benchmark table within 20 s (bash scripts/services.sh status)');
  } finally {
    await replica.end();
  }
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
}).finally(() => {
  for (const c of children) c.kill('SIGKILL');
});
