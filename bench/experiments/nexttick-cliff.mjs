/**
 * The nextTick cliff and decision 090, reproduced on any bench server module:
 *
 *   node bench/experiments/nexttick-cliff.mjs <server-module> [keep] [launches]
 *   e.g. node bench/experiments/nexttick-cliff.mjs bench/servers/raw-fastify-equalized.mjs keep 8
 *   node --expose-gc bench/experiments/nexttick-cliff.mjs --synthetic [keep]
 *
 * Each launch forks a server, leaves it idle 1.5 s after boot (what sets the cliff off), loads it
 * with 60,000 GET /hello, then times 200,000 process.nextTick calls in it (CPU µs per tick).
 * With `keep`, the server process keeps one tick object alive before it boots, as createApp does
 * (packages/core/src/app/tick-shape.ts). Fleet's server keeps it anyway (createApp does).
 * --synthetic: no server; 3,000 live objects built from {} with distinct keys, then eight GCs
 * while idle (no tick object alive), with nextTick timed before and after.
 * A diagnostic, not a benchmark: absolute figures drift; fast processes sit near 0.07-0.12 µs,
 * fallen ones at 0.3-0.6 µs.
 */
import { fork } from 'node:child_process';
import { executionAsyncResource } from 'node:async_hooks';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import autocannon from 'autocannon';

const usPerTick = (n) => new Promise((res) => {
  let left = n; const t0 = process.cpuUsage();
  const tick = () => { if (--left > 0) return process.nextTick(tick); const d = process.cpuUsage(t0); res((d.user + d.system) / n); };
  process.nextTick(tick);
});

if (process.argv[2] === '--synthetic') {
  let kept;
  if (process.argv[3] === 'keep') await new Promise((r) => process.nextTick(() => { kept = executionAsyncResource(); r(); }));
  if (typeof globalThis.gc !== 'function') { console.error('run with node --expose-gc'); process.exit(2); }
  const before = await usPerTick(200_000);
  const live = [];
  for (let i = 0; i < 3000; i++) { const o = {}; o[`k${i}`] = i; live.push(o); }
  for (let g = 0; g < 8; g++) { globalThis.gc(); await new Promise((r) => setTimeout(r, 5)); }
  const after = await usPerTick(200_000);
  console.log(`synthetic${kept ? ' (tick object kept)' : ''}: ${before.toFixed(3)} -> ${after.toFixed(3)} µs per nextTick (${live.length} objects alive)`);
} else if (process.argv[2] === '--child') {
  const [, , , mod, port, keep] = process.argv;
  let kept;
  if (keep === 'keep') await new Promise((r) => process.nextTick(() => { kept = executionAsyncResource(); r(); }));
  const { start } = await import(pathToFileURL(resolve(mod)).href);
  const server = await start({ port: Number(port), host: '127.0.0.1' });
  process.on('message', async (m) => {
    if (m === 'probe') process.send({ usPerTick: await usPerTick(200_000), kept: kept !== undefined });
    if (m === 'close') { await server.close(); process.exit(0); }
  });
  await new Promise((r) => setTimeout(r, 1500));
  process.send('ready');
} else {
  const [mod, keep = '', launches = '8'] = process.argv.slice(2);
  if (!mod) { console.error('usage: node bench/experiments/nexttick-cliff.mjs <server-module> [keep] [launches]'); process.exit(2); }
  const figures = [];
  for (let i = 0; i < Number(launches); i++) {
    const port = 4100 + i;
    const child = fork(new URL(import.meta.url).pathname, ['--child', mod, String(port), keep], { env: { ...process.env, NODE_ENV: process.env.NODE_ENV ?? 'production' } });
    await new Promise((r) => child.once('message', r));
    await autocannon({ url: `http://127.0.0.1:${port}/hello`, amount: 60_000, connections: 16 });
    child.send('probe');
    const { usPerTick } = await new Promise((r) => child.once('message', r));
    child.send('close');
    await new Promise((r) => child.once('exit', r));
    figures.push(usPerTick);
    console.log(`launch ${i + 1}: ${usPerTick.toFixed(3)} µs per nextTick`);
  }
  console.log(`${mod}${keep ? ' (tick object kept)' : ''}: ${figures.map((f) => f.toFixed(3)).join(' ')}`);
}
