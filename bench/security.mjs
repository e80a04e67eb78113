#!/usr/bin/env node
/**
 * What Fleet's security defaults cost per request, side by side (docs/security.md, "Cost").
 *
 *   npx tsc -b packages/core && node bench/security.mjs            # HTTP: headers variants
 *   node bench/security.mjs --lines                                 # log redaction, per log line
 *   options: --rounds N (default 6) --amount N (requests per server per round, default 20000)
 *            --connections N (default 10) --variants none,fleet (default all three; list `none` first:
 *            it is the baseline; `none,none` is an A/A pair that shows the noise)
 *
 * HTTP method (as bench/run.mjs): the variants run at the same time, each its own process, all
 * pinned to one core (taskset -c 1) and loaded at the same time by autocannon from this process
 * (taskset -c 0 when available), with the same request count. Each server reports its
 * process.cpuUsage() over IPC before and after a round, so the figure is server CPU per request,
 * and the variants share whatever else the machine is doing. The first round warms up and is
 * discarded; the start order rotates. Medians over the measured rounds.
 *
 * Variants, all the same Fleet app (GET /hello, logger off):
 *   none            securityHeaders: false
 *   fleet           the default: Fleet's JSON API policy, precomputed, one synchronous onRequest hook
 *   fastify-helmet  securityHeaders: false + @fastify/helmet registered with the same policy
 *                   (what the plugin does: helmet(options) per request, in two onRequest hooks)
 *
 * --lines: pino writing Fastify's two request lines ("incoming request", "request completed") to
 * a null stream, with and without Fleet's redaction (header paths + three config secrets).
 * This is a harness, not a test: it never fails on a timing.
 */
import { spawn, spawnSync } from 'node:child_process';
import { Writable } from 'node:stream';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { dirname, join } from 'node:path';

const HERE = dirname(fileURLToPath(import.meta.url));
const CORE = pathToFileURL(join(HERE, '..', 'packages', 'core', 'dist', 'index.js')).href;
const args = process.argv.slice(2);
const flag = (name, fallback) => { const i = args.indexOf(`--${name}`); return i >= 0 ? Number(args[i + 1]) : fallback; };

if (args[0] === '--serve') await serve(args[1], Number(args[2]));
else if (args.includes('--lines')) await lines();
else await http();

// ------------------------------------------------------------------------------ servers

async function serve(variant, port) {
  const { Controller, Get, Module, createApp, JSON_API_POLICY } = await import(CORE);
  class Hello { hello() { return { message: 'hello' }; } }
  Get('/hello')(Hello.prototype, 'hello', Object.getOwnPropertyDescriptor(Hello.prototype, 'hello'));
  Controller()(Hello);
  class AppModule {}
  Module({ controllers: [Hello] })(AppModule);
  const { cacheControl, ...helmetPolicy } = JSON_API_POLICY;
  const options = {
    none: { securityHeaders: false },
    fleet: {},
    'fastify-helmet': {
      securityHeaders: false,
      setup: async (fastify) => {
        const { default: helmet } = await import('@fastify/helmet');
        await fastify.register(helmet, helmetPolicy);
        fastify.addHook('onRequest', (_req, reply, done) => { reply.header('cache-control', cacheControl); done(); });
      },
    },
  }[variant];
  const app = await createApp(AppModule, { logger: false, health: false, shutdown: { signals: false }, ...options });
  await app.listen({ port, host: '127.0.0.1' });
  process.on('message', (m) => {
    if (m === 'cpu') process.send({ cpu: process.cpuUsage() });
    if (m === 'close') void app.close().then(() => process.exit(0));
  });
  process.on('disconnect', () => process.exit(0));
  process.send({ ready: true });
}

async function http() {
  const { default: autocannon } = await import('autocannon');
  const rounds = flag('rounds', 6);
  const amount = flag('amount', 20_000);
  const connections = flag('connections', 10);
  const pin = spawnSync('taskset', ['-c', '0', 'true']).status === 0;
  if (pin) spawnSync('taskset', ['-cp', '0', String(process.pid)], { stdio: 'ignore' });
  const variants = args.includes('--variants') ? args[args.indexOf('--variants') + 1].split(',') : ['none', 'fleet', 'fastify-helmet'];
  const servers = await Promise.all(variants.map((v, i) => start(v, 43_100 + i, pin)));
  servers.forEach((s, i) => { s.variant = variants.indexOf(s.variant) === i ? s.variant : `${s.variant}#${i}`; });
  const ask = (s) => new Promise((resolve) => { s.child.once('message', (m) => resolve(m.cpu)); s.child.send('cpu'); });
  const perRequest = Object.fromEntries(servers.map((s) => [s.variant, []]));
  const headerBytes = {};
  for (const s of servers) {
    const res = await fetch(`http://127.0.0.1:${s.port}/hello`);
    headerBytes[s.variant] = [...res.headers].reduce((n, [k, v]) => n + k.length + v.length + 4, 0);
  }
  for (let round = 0; round <= rounds; round++) {
    const order = servers.map((_, i) => servers[(i + round) % servers.length]);
    const before = await Promise.all(order.map(ask));
    await Promise.all(order.map((s) => autocannon({ url: `http://127.0.0.1:${s.port}/hello`, connections, amount })));
    const after = await Promise.all(order.map(ask));
    if (round === 0) continue; // warm-up
    order.forEach((s, i) => perRequest[s.variant].push((after[i].user + after[i].system - before[i].user - before[i].system) / amount));
  }
  for (const s of servers) s.child.send('close');
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const base = median(perRequest.none);
  console.log(`GET /hello, ${rounds} rounds x ${amount} requests, ${connections} connections, servers ${pin ? 'pinned to core 1' : 'NOT pinned (no taskset)'}`);
  console.log('variant          CPU/request   vs none   response header bytes');
  for (const v of servers.map((s) => s.variant)) {
    const m = median(perRequest[v]);
    console.log(`${v.padEnd(16)} ${m.toFixed(2).padStart(8)} us   ${(m - base >= 0 ? '+' : '') + (m - base).toFixed(2).padStart(5)} us   ${headerBytes[v]}`);
  }
}

function start(variant, port, pin) {
  const argv = [fileURLToPath(import.meta.url), '--serve', variant, String(port)];
  const child = pin
    ? spawn('taskset', ['-c', '1', process.execPath, ...argv], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })
    : spawn(process.execPath, argv, { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  return new Promise((resolve, reject) => {
    child.once('message', () => resolve({ variant, port, child }));
    child.once('exit', (code) => reject(new Error(`${variant} exited with ${code}`)));
  });
}

// ------------------------------------------------------------------------------ log lines

async function lines() {
  const { default: pino } = await import('pino');
  const { secureLogger } = await import(pathToFileURL(join(HERE, '..', 'packages', 'core', 'dist', 'security', 'log-redaction.js')).href);
  const { SecretValues } = await import(pathToFileURL(join(HERE, '..', 'packages', 'core', 'dist', 'security', 'secret-values.js')).href);
  const { CREDENTIAL_HEADERS } = await import(pathToFileURL(join(HERE, '..', 'packages', 'core', 'dist', 'security', 'log-redaction.js')).href);
  const sink = () => new Writable({ write(_c, _e, cb) { cb(); } });
  const secrets = new SecretValues();
  secrets.add('sk_live_0123456789abcdef', 'postgres://app:s3cr3t-pw@db.internal:5432/app', 'session-secret-0123456789-0123456789');
  const plain = pino({ level: 'info' }, sink());
  const redacted = pino(secureLogger({ level: 'info' }, CREDENTIAL_HEADERS, secrets), sink());
  const req = { method: 'GET', url: '/users/42?page=2', host: '127.0.0.1:3000', remoteAddress: '10.1.2.3', remotePort: 51234 };
  const n = 200_000;
  const run = (log) => {
    const child = log.child({ reqId: 'abc-1' });
    const t0 = process.cpuUsage();
    for (let i = 0; i < n; i++) {
      child.info({ req }, 'incoming request');
      child.info({ res: { statusCode: 200 }, responseTime: 0.42 }, 'request completed');
    }
    const d = process.cpuUsage(t0);
    return (d.user + d.system) / (n * 2);
  };
  const results = { plain: [], redacted: [] };
  for (let r = 0; r < 7; r++) { results.plain.push(run(plain)); results.redacted.push(run(redacted)); }
  const median = (xs) => [...xs].sort((a, b) => a - b)[3];
  console.log(`pino, ${n * 2} lines per run, 7 runs alternating, medians:`);
  console.log(`  plain                         ${median(results.plain).toFixed(3)} us/line`);
  console.log(`  Fleet redaction (paths + 3 secrets) ${median(results.redacted).toFixed(3)} us/line (+${(median(results.redacted) - median(results.plain)).toFixed(3)})`);
}
