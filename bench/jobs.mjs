#!/usr/bin/env node
/**
 * @Async enqueue against raw BullMQ `queue.add`, in the same run: throughput (a window of
 * enqueues in flight) and latency (one at a time), the same job options on both sides (3
 * attempts, exponential backoff, retention by age). The @Async side is a real Fleet app (role
 * web, booted from packages/core/dist) calling the decorated method: argument check, job id,
 * enqueue span and read-your-writes token hooks included.
 *
 *   npx tsc -b tsconfig.build.json && node bench/jobs.mjs
 *   node bench/jobs.mjs --rounds 9 --jobs 20000 --window 64 --slices 10 --sequential 3000
 *
 * Method: one process pinned to one core (re-executes itself under `taskset -c 1` when
 * available; Redis runs elsewhere). Each round times both sides in alternating slices (throughput:
 * `slices` batches per side, side after side; latency: call by call), so a slow spell of the
 * machine or of Redis hits both; rounds alternate which side goes first, and queues are drained
 * between rounds, outside the timed part. Figures are medians over rounds; the ratio is the
 * median over rounds of (@Async / raw) in the same round. Target:
 * @Async throughput >= 0.9x raw. Needs Redis (bash scripts/services.sh up); writes its own keys
 * under a unique prefix and deletes them at the end. Never fails on a timing: it prints a
 * markdown table and writes the raw samples to bench/results/jobs-<time>.json.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { numberFlag, pinToCore } from './pinned.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const flag = (name, fallback) => numberFlag(args, name, fallback);
const ROUNDS = flag('rounds', 7);
const JOBS = flag('jobs', 10_000);
const WINDOW = flag('window', 64);
const SEQUENTIAL = flag('sequential', 2000);
const SLICES = flag('slices', 10);

pinToCore(fileURLToPath(import.meta.url), args);

const { setup } = await import('./jobs/variants.mjs');
const bench = await setup();
const median = (xs) => { const s = [...xs].sort((a, b) => a - b); const m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };
const quantile = (xs, q) => { const s = [...xs].sort((a, b) => a - b); return s[Math.min(s.length - 1, Math.floor(q * s.length))]; };

/** `n` enqueues with at most `window` in flight; seconds taken. */
async function batch(enqueue, n, window, offset) {
  let next = 0;
  const started = process.hrtime.bigint();
  await Promise.all(Array.from({ length: Math.min(window, n) }, async () => {
    while (next < n) { const i = offset + next++; await enqueue(`o-${i}`, i); }
  }));
  return Number(process.hrtime.bigint() - started) / 1e9;
}

/**
 * Throughput of both sides in one round: `slices` batches each, alternating sides batch by batch
 * (so a slow spell of the machine or of Redis hits both), then jobs per second of each side.
 */
async function throughput(order, n, window, slices) {
  const seconds = { raw: 0, async: 0 };
  const per = Math.ceil(n / slices);
  for (let k = 0; k < slices; k++) for (const side of (k % 2 === 0 ? order : [...order].reverse())) seconds[side] += await batch(bench[side], per, window, k * per);
  return { raw: (per * slices) / seconds.raw, async: (per * slices) / seconds.async };
}

/** `n` enqueues one at a time per side, alternating sides call by call; each call's latency in microseconds. */
async function latencies(order, n) {
  const out = { raw: [], async: [] };
  for (let i = 0; i < n; i++) {
    for (const side of order) {
      const t = process.hrtime.bigint();
      await bench[side](`s-${i}`, i);
      out[side].push(Number(process.hrtime.bigint() - t) / 1000);
    }
  }
  return out;
}

const sides = ['raw', 'async'];
const samples = { raw: { opsPerSec: [], p50Us: [], p99Us: [] }, async: { opsPerSec: [], p50Us: [], p99Us: [] }, ratio: [] };
try {
  console.log(`node ${process.version}, ${os.cpus()[0]?.model ?? 'cpu'}, pinned to core ${process.env.FLEET_BENCH_PINNED ?? '(none)'}, load average ${os.loadavg()[0].toFixed(2)}; ` +
    `${ROUNDS} rounds; throughput: ${JOBS} enqueues per side in ${SLICES} alternating slices, ${WINDOW} in flight; latency: ${SEQUENTIAL} enqueues per side one at a time, alternating`);
  // Warm-up (JIT, connections, script cache): not measured.
  for (let w = 0; w < 2; w++) { await throughput(sides, 5000, WINDOW, 4); await latencies(sides, 1000); for (const side of sides) await bench.drain(side); }
  for (let r = 0; r < ROUNDS; r++) {
    const order = r % 2 === 0 ? sides : [...sides].reverse();
    const round = await throughput(order, JOBS, WINDOW, SLICES);
    for (const side of sides) await bench.drain(side);
    const lat = await latencies(order, SEQUENTIAL);
    for (const side of sides) await bench.drain(side);
    for (const side of sides) {
      samples[side].opsPerSec.push(round[side]);
      samples[side].p50Us.push(quantile(lat[side], 0.5));
      samples[side].p99Us.push(quantile(lat[side], 0.99));
    }
    samples.ratio.push(round.async / round.raw);
    console.log(`round ${r + 1}: raw ${round.raw.toFixed(0)}/s, @Async ${round.async.toFixed(0)}/s (${(round.async / round.raw).toFixed(3)}x); ` +
      `p50 raw ${samples.raw.p50Us.at(-1).toFixed(0)} us, @Async ${samples.async.p50Us.at(-1).toFixed(0)} us`);
  }
  const row = (label, s) => `| ${label} | ${median(s.opsPerSec).toFixed(0)} | ${median(s.p50Us).toFixed(0)} | ${median(s.p99Us).toFixed(0)} |`;
  console.log('\n| enqueue | throughput (jobs/s, window ' + WINDOW + ') | latency p50 (us) | latency p99 (us) |');
  console.log('|---|---:|---:|---:|');
  console.log(row('raw BullMQ `queue.add`', samples.raw));
  console.log(row('`@Async` method call', samples.async));
  console.log(`\n@Async / raw throughput: ${median(samples.ratio).toFixed(3)}x (median of per-round ratios; target >= 0.9x)`);
  mkdirSync(join(HERE, 'results'), { recursive: true }); // bench/results/ is gitignored
  const file = join(HERE, 'results', `jobs-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, JSON.stringify({ node: process.version, rounds: ROUNDS, jobs: JOBS, window: WINDOW, slices: SLICES, sequential: SEQUENTIAL, loadavg: os.loadavg(), samples }, null, 2));
  console.log(`raw samples: ${file}`);
} finally {
  await bench.close();
}
