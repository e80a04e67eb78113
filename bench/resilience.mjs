#!/usr/bin/env node
/**
 * Per-call overhead of Fleet's resilience decorators on the happy path (closed breaker, no retry
 * needed, free bulkhead, timeout not reached), against a plain async method call and against
 * cockatiel's and opossum's equivalents, measured in the same run; and the @RateLimit check
 * against one raw EVALSHA round trip of the same script.
 *
 *   npx tsc -b tsconfig.build.json && node bench/resilience.mjs
 *   node bench/resilience.mjs --rounds 9 --calls 300000 --redis-calls 50000
 *
 * Method: one process pinned to one core (re-executes itself under `taskset -c 1` when available),
 * every variant called `calls` times in sequence (`await fn()`), rounds rotating the order of the
 * variants; figures are medians over rounds, and an overhead is the median over rounds of
 * (variant - plain) in the same round. Redis-bound calls are timed one by one, alternating raw
 * EVALSHA and @RateLimit call by call, and compared by their medians. Needs Redis (bash
 * scripts/services.sh up). It never fails on
 * a timing: it prints a markdown table and writes the raw samples to bench/resilience/results/.
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
const REDIS_CALLS = flag('redis-calls', 50_000);

pinToCore(fileURLToPath(import.meta.url), args);

const { setup } = await import('./resilience/variants.mjs');
const bench = await setup();
try {
  const fmt = (ns) => (ns / 1000).toFixed(3);
  console.log(`node ${process.version}, ${os.cpus()[0]?.model ?? 'cpu'}, pinned to core ${process.env.FLEET_BENCH_PINNED ?? '(none)'}, load average ${os.loadavg()[0].toFixed(2)}; ${ROUNDS} rounds x ${CALLS} calls; Redis: ${REDIS_CALLS} calls each, alternated\n`);

  const { samples: mem, count: memCount } = await alternate(bench.inMemory, { rounds: ROUNDS, calls: CALLS, warmup: Math.min(CALLS, 50_000) });
  const plain = mem.plain;
  const overhead = (name) => median(mem[name].map((ns, r) => ns - plain[r]));
  const rows = Object.keys(mem).map((name) => ({ name, perCallUs: median(mem[name]) / 1000, overheadUs: name === 'plain' ? 0 : overhead(name) / 1000 }));
  console.log('| call | calls per round | per call (us) | overhead over a plain async call (us) |');
  console.log('|---|---:|---:|---:|');
  for (const r of rows) console.log(`| ${r.name} | ${memCount[r.name]} | ${r.perCallUs.toFixed(3)} | ${r.name === 'plain' ? '-' : r.overheadUs.toFixed(3)} |`);

  const red = await interleaveCalls(bench.redisBound, { calls: REDIS_CALLS, warmup: 2000 });
  const raw = median(red['raw EVALSHA']);
  const limited = median(red['fleet @RateLimit']);
  const p90 = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length * 0.9)];
  console.log('\n| Redis-bound call (alternated call by call) | median (us) | p90 (us) | median ratio to raw EVALSHA |');
  console.log('|---|---:|---:|---:|');
  console.log(`| raw EVALSHA (same script, key shape and client) | ${fmt(raw)} | ${fmt(p90(red['raw EVALSHA']))} | 1.000 |`);
  console.log(`| @RateLimit on a plain async method | ${fmt(limited)} | ${fmt(p90(red['fleet @RateLimit']))} | ${(limited / raw).toFixed(3)} |`);

  const out = join(HERE, 'resilience', 'results');
  mkdirSync(out, { recursive: true });
  const file = join(out, `${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, JSON.stringify({ node: process.version, cpu: os.cpus()[0]?.model, pinned: process.env.FLEET_BENCH_PINNED ?? null, loadAverage: os.loadavg(), rounds: ROUNDS, calls: CALLS, redisCalls: REDIS_CALLS, inMemory: mem, inMemoryCalls: memCount, redisBoundMedianNs: { raw, limited } }, null, 1));
  console.log(`\nraw samples: ${file}`);
} finally {
  await bench.close();
}
