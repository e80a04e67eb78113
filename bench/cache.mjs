#!/usr/bin/env node
/**
 * @Cached against what it is built on, measured in the same run: an L1 hit against a direct
 * lru-cache get (same entries, same key shape), an L2 hit against a raw ioredis GET of the same
 * stored bytes, and a miss (L2 read, the source, the conditional store) against the raw GET.
 *
 *   npx tsc -b tsconfig.build.json && node bench/cache.mjs
 *   node bench/cache.mjs --rounds 9 --calls 300000 --redis-calls 20000
 *
 * Method (as bench/resilience.mjs): one process pinned to one core (re-executes itself under
 * `taskset -c 1` when available). In-memory variants: every variant called `calls` times in
 * sequence (`await fn()`), rounds rotating the order; medians over rounds, and the overhead is the
 * median over rounds of (variant - direct get) in the same round. Redis-bound variants: timed call
 * by call, alternating with the raw GET call by call; medians compared, as a ratio and as microseconds
 * over the raw GET (the ratio moves with the round trip; run it several times). Needs Redis (bash
 * scripts/services.sh up). It never fails on a timing: it prints markdown tables and writes the
 * raw samples to bench/results/cache/ (gitignored).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { numberFlag, pinToCore } from './pinned.mjs';
import { alternate, interleaveCalls, median } from './resilience/measure.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const flag = (name, fallback) => numberFlag(args, name, fallback);
const ROUNDS = flag('rounds', 7);
const CALLS = flag('calls', 300_000);
const REDIS_CALLS = flag('redis-calls', 20_000);
const KEYS = flag('keys', 1000);

pinToCore(fileURLToPath(import.meta.url), args);

const { setup } = await import('./cache/variants.mjs');
const bench = await setup({ keys: KEYS });
try {
  const us = (ns) => (ns / 1000).toFixed(3);
  console.log(`node ${process.version}, ${os.cpus()[0]?.model ?? 'cpu'}, pinned to core ${process.env.FLEET_BENCH_PINNED ?? '(none)'}, load average ${os.loadavg()[0].toFixed(2)}; ${ROUNDS} rounds x ${CALLS} calls over ${KEYS} keys; Redis: ${REDIS_CALLS} calls each, alternated\n`);

  const { samples: mem, count } = await alternate(bench.inMemory, { rounds: ROUNDS, calls: CALLS, warmup: Math.min(CALLS, 50_000) });
  const base = mem['direct lru-cache get'];
  console.log('| call | calls per round | per call (us) | overhead over a direct lru-cache get (us) |');
  console.log('|---|---:|---:|---:|');
  for (const name of Object.keys(mem)) {
    const overhead = name === 'direct lru-cache get' ? '-' : us(median(mem[name].map((ns, r) => ns - base[r])));
    console.log(`| ${name} | ${count[name]} | ${us(median(mem[name]))} | ${overhead} |`);
  }

  const p90 = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length * 0.9)];
  // The ratio depends on the round trip (a quiet VM wakes slowly: the same code measures 13 us or 80 us per GET);
  // the fixed cost over the raw GET, in microseconds, is what carries over between runs and machines.
  const table = (title, samples) => {
    const raw = median(samples['raw ioredis GET']);
    console.log(`\n| ${title} | median (us) | p90 (us) | median ratio to raw GET | over raw GET (us) |`);
    console.log('|---|---:|---:|---:|---:|');
    for (const [name, xs] of Object.entries(samples)) console.log(`| ${name} | ${us(median(xs))} | ${us(p90(xs))} | ${(median(xs) / raw).toFixed(3)} | ${name === 'raw ioredis GET' ? '-' : us(median(xs) - raw)} |`);
    return raw;
  };
  const l2 = await interleaveCalls(bench.redisBound, { calls: REDIS_CALLS, warmup: 2000 });
  table('Redis-bound call (alternated call by call)', l2);
  const miss = await interleaveCalls(bench.miss, { calls: Math.ceil(REDIS_CALLS / 4), warmup: 500 });
  table('miss (alternated call by call)', miss);

  const s = bench.snapshot();
  console.log(`\nchecks: L2 errors ${s.l2Errors}, bus ${s.bus}; ${s.caches.filter((c) => c.name !== 'Cache').map((c) => `${c.name}: l1 ${c.l1Hits}, l2 ${c.l2Hits}, misses ${c.misses}`).join('; ')}`);

  const out = join(HERE, 'results', 'cache');
  mkdirSync(out, { recursive: true });
  const file = join(out, `${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, JSON.stringify({ node: process.version, cpu: os.cpus()[0]?.model, pinned: process.env.FLEET_BENCH_PINNED ?? null, loadAverage: os.loadavg(), rounds: ROUNDS, calls: CALLS, redisCalls: REDIS_CALLS, keys: KEYS, inMemory: mem, inMemoryCalls: count, l2MedianNs: Object.fromEntries(Object.entries(l2).map(([k, v]) => [k, median(v)])), missMedianNs: Object.fromEntries(Object.entries(miss).map(([k, v]) => [k, median(v)])) }, null, 1));
  console.log(`\nraw samples: ${file}`);
} finally {
  await bench.close();
}
