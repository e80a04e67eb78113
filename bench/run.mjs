#!/usr/bin/env node
/**
 * HTTP benchmark: Fleet against raw Fastify serving the same routes.
 *
 *   npm run bench                        # build, then the default run (writes docs/benchmarks.md)
 *   node bench/run.mjs --quick           # smoke run: small, does not touch docs/benchmarks.md
 *   node bench/run.mjs --launches 6 --rounds 3 --amount 50000 --connections 16
 *
 * Method (see docs/benchmarks.md): the two servers of a pair run side by side, pinned to the
 * same core (taskset -c 1), and are loaded at the same time by two autocannon instances in this
 * process (pinned to core 0) with the same connections and a fixed request count. For each round
 * the runner reads each server's process.cpuUsage() over IPC before and after, so the figure is
 * the server's CPU time per request. Each pair is measured over several launches (fresh
 * processes), each with a discarded warm-up round and then several measured rounds; rounds
 * alternate which server's load starts first. Ratios are medians over all measured rounds,
 * baseline / candidate: > 1 means the candidate (Fleet) spends less CPU per request.
 *
 * The nextTick cliff: on Node 20 some processes settle, for the rest of their life, into a state
 * where each process.nextTick costs about 4x more (0.05 -> 0.25 us) and a request 20-40% more
 * CPU. It hits servers that loaded zod & co. (never raw Fastify here), mostly after idling once
 * booted. After the measured rounds of each launch the runner times 200,000 nextTicks in each
 * process, counts who fell off, and reports the ratio both over all rounds and over the launches
 * where neither process did.
 *
 * Options (flags, or env BENCH_<NAME>):
 *   --launches N      fresh process pairs per pair (default 8; quick 1): a process keeps the
 *                     cost it settles into (see the nextTick cliff below), so several launches
 *                     sample that too
 *   --rounds N        measured rounds per route and launch (default 2; quick 2), after a
 *                     discarded warm-up round of twice the amount
 *   --amount N        requests per server per round (default 20000; quick 2000)
 *   --connections N   connections per server (default 10)
 *   --boots N         starts per server kind for the start-to-listening time (default 7; quick 2;
 *                     0 skips it). The kinds: raw Fastify, heap-equalized, Fleet, and raw Fastify and
 *                     Fleet bundled by `fleet build`'s code (bench/dist/bundled/, made before the boots)
 *   --pairs a,b       only these pairs: fleet-raw, fleet-equalized, fleet-featured, plain-equalized, aa (default
 *                     all); a pair can
 *                     also be `candidate:baseline`, each a kind (raw, equalized, featured, fleet, plain) or the path
 *                     of a server module exporting start({ port, host }), e.g. to try a variant:
 *                     --pairs bench/my-variant.mjs:raw
 *   --quick           a small smoke run; implies --no-docs
 *   --no-docs         do not rewrite docs/benchmarks.md (raw JSON is still saved)
 *   --cpu-prof        start the servers with --cpu-prof (profiles in bench/results/profiles/);
 *                     the profiler itself costs CPU, so do not read the ratios of such a run
 *   --gc              servers count GCs (PerformanceObserver); the log shows GC time per request
 * Every server runs with NODE_ENV=production unless BENCH_NODE_ENV says otherwise (what the figures are about; nothing the raw servers
 * load reads it).
 * This is a harness, not a test: it never fails on a timing.
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import { dirname, join, relative } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';
import autocannon from 'autocannon';

const BENCH = dirname(fileURLToPath(import.meta.url));
const ROOT = dirname(BENCH);
const HARNESS = join(BENCH, 'servers', 'harness.mjs');
const RESULTS = join(BENCH, 'results');
const DOC = join(ROOT, 'docs', 'benchmarks.md');
const LOAD_CPU = '0';
const SERVER_CPU = '1';

// ---------------------------------------------------------------------------------------------
// Options

function parseOptions(argv) {
  const flags = new Map();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith('--')) throw new Error(`unexpected argument ${a}`);
    const [k, inline] = a.slice(2).split('=', 2);
    if (['quick', 'no-docs', 'cpu-prof', 'gc'].includes(k)) flags.set(k, true);
    else flags.set(k, inline ?? argv[++i]);
  }
  const env = (k) => process.env[`BENCH_${k.toUpperCase().replace(/-/g, '_')}`];
  const get = (k) => flags.get(k) ?? env(k);
  const bool = (k) => flags.get(k) === true || ['1', 'true'].includes(env(k) ?? '');
  const quick = bool('quick');
  const int = (k, full, small) => {
    const v = get(k);
    const n = v === undefined ? (quick ? small : full) : Number(v);
    if (!Number.isInteger(n) || n < (k === 'boots' ? 0 : 1)) throw new Error(`--${k} must be a ${k === 'boots' ? 'non-negative' : 'positive'} integer, got ${v}`);
    return n;
  };
  const known = ['launches', 'rounds', 'amount', 'connections', 'boots', 'pairs', 'quick', 'no-docs', 'cpu-prof', 'gc'];
  for (const k of flags.keys()) if (!known.includes(k)) throw new Error(`unknown option --${k} (known: ${known.join(', ')})`);
  return {
    quick,
    launches: int('launches', 8, 1),
    rounds: int('rounds', 2, 2),
    amount: int('amount', 20_000, 2_000),
    connections: int('connections', 10, 10),
    boots: int('boots', 7, 2),
    pairs: (get('pairs') ?? 'fleet-raw,fleet-equalized,fleet-featured,plain-equalized,aa').split(',').map((s) => s.trim()),
    docs: !quick && !bool('no-docs'),
    cpuProf: bool('cpu-prof'),
    gc: bool('gc'),
  };
}

// ---------------------------------------------------------------------------------------------
// Servers

const KINDS = {
  raw: { label: 'raw Fastify', module: 'bench/servers/raw-fastify.mjs' },
  equalized: { label: 'raw Fastify, heap-equalized', module: 'bench/servers/raw-fastify-equalized.mjs' },
  featured: { label: 'raw Fastify, feature-equalized', module: 'bench/servers/raw-fastify-featured.mjs' },
  fleet: { label: 'Fleet', module: 'bench/dist/servers/fleet.js' },
  // Fleet with `securityHeaders: false`: the same response bytes as the raw servers (Fleet's own per-request code).
  plain: { label: 'Fleet, security headers off', module: 'bench/dist/servers/fleet-no-headers.js' },
  // Start-up only: the two servers above bundled with `fleet build`'s settings (bundleServers below).
  'fleet-bundled': { label: 'Fleet, bundled by `fleet build`', module: 'bench/dist/bundled/fleet/fleet.js' },
  'raw-bundled': { label: 'raw Fastify, bundled the same way', module: 'bench/dist/bundled/raw/raw-fastify.js' },
};

const PAIRS = {
  'fleet-raw': { label: 'Fleet vs raw Fastify', candidate: 'fleet', baseline: 'raw' },
  'fleet-equalized': { label: 'Fleet vs raw Fastify (heap-equalized)', candidate: 'fleet', baseline: 'equalized' },
  'fleet-featured': { label: 'Fleet vs raw Fastify (feature-equalized: heap + security headers)', candidate: 'fleet', baseline: 'featured' },
  'plain-equalized': { label: 'Fleet with its security headers off vs raw Fastify (heap-equalized): same response bytes', candidate: 'plain', baseline: 'equalized' },
  aa: { label: 'A/A: raw Fastify vs raw Fastify', candidate: 'raw', baseline: 'raw' },
};

const ROUTES = [
  { name: 'GET /hello', path: '/hello' },
  { name: 'GET /users/:id', path: '/users/42' },
];

/** Every process this run started, by pid, so `finally` can stop exactly those. */
const children = new Map();
let pinning = { available: false, note: '' };

function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.unref();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

/** Starts a server on a free port; tries again (up to twice) when it dies before listening, e.g. when another process took the port first. */
async function startServer(kind, opts) {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startServerOnce(kind, opts);
    } catch (err) {
      if (attempt >= 3 || interrupted || !/exited before ready/.test(err.message)) throw err;
      console.error(`${err.message}; starting it again`);
    }
  }
}

async function startServerOnce(kind, opts, timeoutMs = 20_000) {
  const port = await freePort();
  const nodeArgs = opts.cpuProf ? ['--cpu-prof', `--cpu-prof-dir=${join(RESULTS, 'profiles')}`, `--cpu-prof-name=${kind}-${Date.now()}-${port}.cpuprofile`] : [];
  const args = [...nodeArgs, HARNESS, KINDS[kind].module, String(port)];
  const [cmd, argv] = pinning.available ? ['taskset', ['-c', SERVER_CPU, process.execPath, ...args]] : [process.execPath, args];
  const t0 = performance.now();
  // taskset execs node in place: same pid, and the IPC channel (fd 3 + NODE_CHANNEL_FD) is inherited.
  // NODE_ENV=production: the figures are about production instances (in development Fleet also
  // generates its OpenAPI document at boot, decision 071); nothing the raw servers load reads it.
  const env = { ...process.env, NODE_ENV: process.env.BENCH_NODE_ENV ?? 'production', BENCH_GC: opts.gc ? '1' : '0' };
  const child = spawn(cmd, argv, { cwd: ROOT, env, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  children.set(child.pid, child);
  child.once('exit', () => children.delete(child.pid));
  child.on('error', (err) => { if (!interrupted) console.error(`${kind} (pid ${child.pid}): ${err.message}`); });

  const pending = new Map();
  let nextId = 0;
  child.on('message', (m) => {
    if (m?.type === 'stats' || m?.type === 'tick-probe') { pending.get(m.id)?.(m); pending.delete(m.id); }
  });
  const ask = (type) => new Promise((resolve, reject) => {
    const id = ++nextId;
    const timer = setTimeout(() => { pending.delete(id); reject(new Error(`${kind} (pid ${child.pid}) did not answer ${type}`)); }, 10_000);
    pending.set(id, (m) => { clearTimeout(timer); resolve(m); });
    if (!child.connected) { clearTimeout(timer); pending.delete(id); reject(new Error(`${kind} (pid ${child.pid}) is gone`)); return; }
    child.send({ type, id }, (err) => { if (err) { clearTimeout(timer); pending.delete(id); reject(err); } });
  });

  const ready = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${kind} did not report ready within ${timeoutMs} ms`)), timeoutMs);
    child.on('message', function onReady(m) {
      if (m?.type !== 'ready') return;
      clearTimeout(timer);
      child.off('message', onReady);
      resolve({ ...m, spawnToReadyMs: performance.now() - t0 });
    });
    child.once('exit', (code, signal) => { clearTimeout(timer); reject(new Error(`${kind} exited before ready (code ${code}, signal ${signal})`)); });
  });

  return {
    kind,
    pid: child.pid,
    port,
    url: `http://127.0.0.1:${port}`,
    ready,
    stats: () => ask('stats'),
    tickProbe: async () => (await ask('tick-probe')).usPerTick,
    stop: () => stopChild(child),
  };
}

function stopChild(child, graceMs = 5_000) {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => { try { process.kill(child.pid, 'SIGKILL'); } catch {} }, graceMs);
    child.once('exit', () => { clearTimeout(timer); resolve(); });
    try { child.send({ type: 'close' }); } catch { try { process.kill(child.pid, 'SIGTERM'); } catch {} }
  });
}

async function stopAll() {
  await Promise.all([...children.values()].map((c) => stopChild(c)));
}

// ---------------------------------------------------------------------------------------------
// Measuring

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const cpuMicros = (a, b) => (b.cpu.user - a.cpu.user) + (b.cpu.system - a.cpu.system);

/**
 * A fixed number of requests. autocannon resolves on its next sampling tick after the last
 * response, so the time of the last response is taken from its 'response' events instead.
 */
function load(url, opts, t0) {
  let last = t0;
  const instance = autocannon({ url, connections: opts.connections, pipelining: 1, amount: opts.amount, timeout: 10, sampleInt: 100 });
  instance.on('response', () => { last = performance.now(); });
  return instance.then((r) => ({ r, ms: last - t0 }));
}

/** One round: both servers loaded at the same moment, each with its own autocannon instance. */
async function round(servers, path, opts, first) {
  const order = first === 0 ? servers : [...servers].reverse();
  const before = await Promise.all(servers.map((s) => s.stats()));
  const runnerBefore = process.cpuUsage();
  const t0 = performance.now();
  const runs = order.map((s) => load(s.url + path, opts, t0).then(({ r, ms }) => ({ server: s, r, ms })));
  const done = await Promise.all(runs);
  const wallMs = performance.now() - t0;
  const runnerCpu = process.cpuUsage(runnerBefore);
  const after = await Promise.all(servers.map((s) => s.stats()));

  return servers.map((s, i) => {
    const { r, ms } = done.find((d) => d.server === s);
    const requests = r.requests.total;
    const bad = r.errors + r.timeouts + r.non2xx;
    if (bad > 0 || requests === 0) throw new Error(`${s.kind} on ${path}: ${r.errors} errors, ${r.timeouts} timeouts, ${r.non2xx} non-2xx of ${requests} requests`);
    const cpu = cpuMicros(before[i], after[i]);
    return {
      kind: s.kind,
      first: order[0] === s,
      requests,
      cpuMicros: cpu,
      cpuPerRequestUs: cpu / requests,
      reqPerSec: requests / (ms / 1000),
      p99Ms: r.latency.p99,
      p50Ms: r.latency.p50,
      wallMs: ms,
      roundWallMs: wallMs,
      loadGeneratorBusy: (runnerCpu.user + runnerCpu.system) / 1000 / wallMs,
      serverCoreBusy: servers.reduce((sum, _, j) => sum + cpuMicros(before[j], after[j]), 0) / 1000 / wallMs,
      heapUsed: after[i].mem.heapUsed,
      rss: after[i].mem.rss,
      gc: {
        count: after[i].gc.count - before[i].gc.count,
        minor: after[i].gc.minor - before[i].gc.minor,
        major: after[i].gc.major - before[i].gc.major,
        usPerRequest: ((after[i].gc.ms - before[i].gc.ms) * 1000) / requests,
      },
    };
  });
}

function pairOf(key) {
  if (PAIRS[key]) return PAIRS[key];
  const [candidate, baseline] = key.split(':');
  if (!candidate || !baseline) throw new Error(`unknown pair ${key} (known: ${Object.keys(PAIRS).join(', ')}, or candidate:baseline)`);
  for (const k of [candidate, baseline]) {
    if (!KINDS[k]) {
      if (!existsSync(join(ROOT, k))) throw new Error(`pair ${key}: ${k} is neither a server kind (${Object.keys(KINDS).join(', ')}) nor a file`);
      KINDS[k] = { label: k, module: k };
    }
  }
  return { label: `${KINDS[candidate].label} vs ${KINDS[baseline].label}`, candidate, baseline };
}

/**
 * One pair: `launches` fresh pairs of processes (a process keeps its own cost for its whole
 * life, so one launch is one sample of it), each with a warm-up round of twice the amount,
 * discarded, then `rounds` measured rounds per route.
 */
async function runPair(key, opts, log) {
  const pair = pairOf(key);
  const rounds = [];
  const memory = [];
  for (let launch = 0; launch < opts.launches; launch++) {
    const servers = [];
    try {
      // Started one after the other, the order alternating between launches, so each kind waits
      // idle while its partner boots in half the launches. That matters: a process that idles
      // after boot is likely to fall off the nextTick cliff (measured: raw Fastify with zod & co.
      // loaded, idle 1 s after boot, fell off in 8 of 8 starts; loaded at once, 1 of 9). Neither
      // starting both at once (6 of 6 fell off) nor keeping the first one busy at 200 req/s
      // while the second boots (5 of 6) avoided it, so the runner measures it instead.
      const kinds = launch % 2 === 0 ? [pair.baseline, pair.candidate] : [pair.candidate, pair.baseline];
      for (const k of kinds) servers.push(await startServer(k, opts));
      const [base, cand] = launch % 2 === 0 ? servers : [servers[1], servers[0]];
      for (let i = 0; i <= opts.rounds; i++) {
        for (const route of ROUTES) {
          const amount = i === 0 ? opts.amount * 2 : opts.amount;
          const [b, c] = await round([base, cand], route.path, { ...opts, amount }, (launch + i) % 2);
          const entry = { launch, round: i, warmup: i === 0, route: route.name, baseline: b, candidate: c, ratio: b.cpuPerRequestUs / c.cpuPerRequestUs };
          rounds.push(entry);
          log(`  ${key.padEnd(15)} launch ${launch} round ${i}${i === 0 ? ' (warm-up)' : '          '} ${route.name.padEnd(15)} ` +
            `${pair.baseline} ${b.cpuPerRequestUs.toFixed(1)} us/req  ${pair.candidate} ${c.cpuPerRequestUs.toFixed(1)} us/req  ` +
            `ratio ${entry.ratio.toFixed(3)}  (${b.reqPerSec.toFixed(0)} / ${c.reqPerSec.toFixed(0)} req/s, ` +
            `server core ${(b.serverCoreBusy * 100).toFixed(0)}%, load generator ${(b.loadGeneratorBusy * 100).toFixed(0)}% busy)` +
            (opts.gc ? `  GC us/req ${b.gc.usPerRequest.toFixed(2)} (${b.gc.minor}+${b.gc.major}) / ${c.gc.usPerRequest.toFixed(2)} (${c.gc.minor}+${c.gc.major})` : ''));
        }
      }
      const [eb, ec] = await Promise.all([base.stats(), cand.stats()]);
      // After the measured rounds, one at a time: what a process.nextTick costs in each process.
      const tickUs = { baseline: await base.tickProbe(), candidate: await cand.tickProbe() };
      log(`  ${key.padEnd(15)} launch ${launch} process.nextTick: ${pair.baseline} ${tickUs.baseline.toFixed(3)} us, ${pair.candidate} ${tickUs.candidate.toFixed(3)} us`);
      memory.push({
        launch,
        tickUs,
        baseline: { maxRssKb: eb.maxRSS, rss: eb.mem.rss, heapUsed: eb.mem.heapUsed },
        candidate: { maxRssKb: ec.maxRSS, rss: ec.mem.rss, heapUsed: ec.mem.heapUsed },
        peakRssRatio: ec.maxRSS / eb.maxRSS,
      });
    } finally {
      await Promise.all(servers.map((s) => s.stop()));
    }
  }

  const m = (side, k) => median(memory.map((x) => x[side][k]));
  return {
    key, ...pair, rounds,
    memory: {
      launches: memory,
      baseline: { maxRssKb: m('baseline', 'maxRssKb'), heapUsed: m('baseline', 'heapUsed') },
      candidate: { maxRssKb: m('candidate', 'maxRssKb'), heapUsed: m('candidate', 'heapUsed') },
      peakRssRatio: median(memory.map((x) => x.peakRssRatio)),
    },
  };
}

/**
 * The nextTick cliff: some processes settle into a state where every process.nextTick costs about
 * 4x more (and a request 20-40% more CPU) for the rest of their life. A process is counted as
 * being in it when its nextTick probe costs more than CLIFF_FACTOR times the cheapest probe of any
 * process in this run (the probe runs Node's own code, the same in every kind of server; a floor
 * per kind would miss a kind whose every process fell off). The probes are bimodal: in the run of
 * 2026-11-27 07:04 UTC (64 processes) the healthy ones spread from 0.062 to 0.124 µs (up to 2.0x
 * the cheapest) and the fallen ones from 0.304 to 0.522 µs (4.9x and more); 2.5x sits in the gap.
 * (Until then the rule was 1.6x the cheapest of the same kind, which counted healthy processes
 * at 0.10-0.12 µs as fallen once the cheapest ones reached 0.062 µs.)
 */
const CLIFF_FACTOR = 2.5;

function classifyCliff(pairs) {
  const all = [];
  for (const p of pairs) for (const l of p.memory.launches) all.push(l.tickUs.baseline, l.tickUs.candidate);
  const floorUs = Math.min(...all);
  for (const p of pairs) for (const l of p.memory.launches) {
    l.cliff = {
      baseline: l.tickUs.baseline > CLIFF_FACTOR * floorUs,
      candidate: l.tickUs.candidate > CLIFF_FACTOR * floorUs,
    };
  }
  const tickOf = (l, side) => l.tickUs[side];
  const counts = {};
  for (const p of pairs) for (const l of p.memory.launches) for (const side of ['baseline', 'candidate']) {
    const c = (counts[p[side]] ??= { processes: 0, cliff: 0, floorUs: Infinity, healthyMaxUs: 0, cliffMinUs: Infinity });
    c.processes++;
    c.floorUs = Math.min(c.floorUs, tickOf(l, side));
    if (l.cliff[side]) { c.cliff++; c.cliffMinUs = Math.min(c.cliffMinUs, tickOf(l, side)); } else c.healthyMaxUs = Math.max(c.healthyMaxUs, tickOf(l, side));
  }
  return counts;
}

function summarize(p) {
  const cliffOf = new Map(p.memory.launches.map((l) => [l.launch, l.cliff]));
  const summary = {};
  for (const route of ROUTES) {
    const all = p.rounds.filter((r) => !r.warmup && r.route === route.name);
    const stats = (rs) => {
      if (rs.length === 0) return undefined;
      const side = (k) => ({
        cpuPerRequestUs: median(rs.map((r) => r[k].cpuPerRequestUs)),
        reqPerSec: median(rs.map((r) => r[k].reqPerSec)),
        p99Ms: median(rs.map((r) => r[k].p99Ms)),
      });
      const launchRatios = [...new Set(rs.map((r) => r.launch))].map((l) => median(rs.filter((r) => r.launch === l).map((r) => r.ratio)));
      return {
        ratio: median(rs.map((r) => r.ratio)),
        rounds: rs.length,
        launches: launchRatios.length,
        launchRatios, launchMin: Math.min(...launchRatios), launchMax: Math.max(...launchRatios),
        baseline: side('baseline'), candidate: side('candidate'),
        serverCoreBusy: median(rs.map((r) => r.baseline.serverCoreBusy)),
        loadGeneratorBusy: median(rs.map((r) => r.baseline.loadGeneratorBusy)),
      };
    };
    summary[route.name] = {
      ...stats(all),
      // Only launches where neither process fell off the nextTick cliff: the cost of the code itself.
      clean: stats(all.filter((r) => { const c = cliffOf.get(r.launch); return c && !c.baseline && !c.candidate; })),
    };
  }
  p.summary = summary;
}

/** Start-to-listening time and idle memory: each kind started `boots` times, one at a time, rotating the order. */
async function runBoots(opts, log) {
  const kinds = ['raw', 'equalized', 'fleet', 'raw-bundled', 'fleet-bundled'];
  const samples = Object.fromEntries(kinds.map((k) => [k, []]));
  for (let i = 0; i < opts.boots + 1; i++) {
    const order = kinds.map((_, j) => kinds[(i + j) % kinds.length]);
    for (const kind of order) {
      const s = await startServer(kind, opts);
      try {
        const st = await s.stats();
        if (i > 0) samples[kind].push({ spawnToReadyMs: s.ready.spawnToReadyMs, listenMs: s.ready.listenMs, maxRssKb: st.maxRSS, heapUsed: st.mem.heapUsed });
      } finally {
        await s.stop();
      }
    }
    if (i === 0) log('  boot warm-up (file cache) done');
  }
  const out = {};
  for (const kind of kinds) {
    const xs = samples[kind];
    out[kind] = {
      spawnToReadyMs: median(xs.map((x) => x.spawnToReadyMs)),
      listenMs: median(xs.map((x) => x.listenMs)),
      idleMaxRssKb: median(xs.map((x) => x.maxRssKb)),
      idleHeapUsed: median(xs.map((x) => x.heapUsed)),
      samples: xs,
    };
    log(`  ${kind.padEnd(13)} spawn->listening ${out[kind].spawnToReadyMs.toFixed(0)} ms (in-process ${out[kind].listenMs.toFixed(0)} ms), ` +
      `idle maxRSS ${(out[kind].idleMaxRssKb / 1024).toFixed(1)} MB, heapUsed ${(out[kind].idleHeapUsed / 1048576).toFixed(1)} MB`);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Environment

function pinSelf() {
  if (os.availableParallelism() < 2) return { available: false, note: `only ${os.availableParallelism()} CPU: nothing pinned, figures are noisier` };
  try {
    execFileSync('taskset', ['-a', '-p', '-c', LOAD_CPU, String(process.pid)], { stdio: 'ignore' });
    return { available: true, note: `servers on CPU ${SERVER_CPU} (taskset -c ${SERVER_CPU}), load generator (this process) on CPU ${LOAD_CPU}` };
  } catch {
    return { available: false, note: 'taskset not available: nothing pinned, figures are noisier' };
  }
}

const CORE = join(ROOT, 'packages', 'core');
const SNAPSHOT = join(BENCH, 'node_modules', '@fleet', 'core');

/** A digest of the built @fleet/core (its .js files), to tell which build a run measured. */
function coreDigest(dir) {
  const hash = createHash('sha256');
  const walk = (d) => {
    for (const e of readdirSync(d, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.js')) hash.update(relative(dir, p)).update(readFileSync(p));
    }
  };
  walk(dir);
  return hash.digest('hex').slice(0, 12);
}

/**
 * Copies the built @fleet/core to bench/node_modules/@fleet/core, where the Fleet server resolves
 * it first: others rebuild packages/core/dist while a run goes on, and a run must measure one
 * build from start to end.
 */
function snapshotCore(log) {
  if (!existsSync(join(CORE, 'dist', 'index.js'))) {
    throw new Error('packages/core/dist is missing: run `npm run bench` (it builds first) or `npx tsc -b tsconfig.build.json`.');
  }
  // The package as it ships: tsc's output plus the single-file bundle made from it (decision 006).
  log('bundling @fleet/core (scripts/bundle-core.mjs)');
  execFileSync(process.execPath, [join(ROOT, 'scripts', 'bundle-core.mjs')], { cwd: ROOT, stdio: 'inherit' });
  rmSync(SNAPSHOT, { recursive: true, force: true });
  mkdirSync(SNAPSHOT, { recursive: true });
  cpSync(join(CORE, 'package.json'), join(SNAPSHOT, 'package.json'));
  cpSync(join(CORE, 'dist'), join(SNAPSHOT, 'dist'), { recursive: true });
  // The package entry loads the bundle only when it was made from this tsc build (a digest of this file).
  cpSync(join(CORE, 'tsconfig.tsbuildinfo'), join(SNAPSHOT, 'tsconfig.tsbuildinfo'));
  if (existsSync(join(CORE, 'node_modules'))) symlinkSync(join(CORE, 'node_modules'), join(SNAPSHOT, 'node_modules'), 'dir');
  const digest = coreDigest(join(SNAPSHOT, 'dist'));
  log(`measuring a snapshot of packages/core/dist (build ${digest}) in bench/node_modules/@fleet/core`);
  return digest;
}

/** Which build `import '@fleet/core'` loads from the snapshot (the bundle or tsc's per-file modules), and the names Fleet's default security headers have. */
function checkCoreEntry() {
  const script = `const { register } = await import('node:module');
    register('data:text/javascript,' + encodeURIComponent('export async function resolve(s, c, n) { const r = await n(s, c); if (r.url.endsWith("/dist/bundle/index.js")) console.error("FLEET_BENCH_BUNDLE"); return r; }'));
    const core = await import('@fleet/core');
    const { computeSecurityHeaders } = await import(${JSON.stringify(join(SNAPSHOT, 'dist', 'security', 'security-headers.js'))});
    console.log(JSON.stringify(computeSecurityHeaders()));`;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { cwd: BENCH, encoding: 'utf8' });
  let headers;
  try { headers = JSON.parse(r.stdout.trim().split('\n').pop()); } catch {}
  return { bundle: /FLEET_BENCH_BUNDLE/.test(r.stderr), headers };
}

function compile(log) {
  log('compiling bench/ (tsc -p bench)');
  execFileSync(process.execPath, [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(BENCH, 'tsconfig.json')], { cwd: ROOT, stdio: 'inherit' });
}

/**
 * The bundled kinds: the Fleet server (over the @fleet/core snapshot) and raw Fastify, each
 * bundled by the function `fleet build` runs, with its settings and default externals (decision 009).
 */
function bundleServers(log) {
  const cliBuild = join(ROOT, 'packages', 'cli', 'dist', 'build', 'index.js');
  if (!existsSync(cliBuild)) throw new Error('packages/cli/dist is missing: run `npx tsc -b tsconfig.build.json` first.');
  const jobs = [['fleet-bundled', 'bench/dist/servers/fleet.js'], ['raw-bundled', 'bench/servers/raw-fastify.mjs']]
    .map(([kind, entry]) => ({ entry, entries: [join(ROOT, entry)], outDir: join(ROOT, dirname(KINDS[kind].module)) }));
  // In a child process: rolldown's native binding would grow this process's RSS to about 250 MB,
  // and a forked server starts with its parent's maxRSS, which would hide the servers' own peaks.
  const script = `const { DEFAULT_EXTERNALS, bundleApp } = await import(${JSON.stringify(pathToFileURL(cliBuild).href)});
    const externals = DEFAULT_EXTERNALS.map((e) => e.name);
    for (const job of ${JSON.stringify(jobs)}) {
      const r = await bundleApp({ entries: job.entries, outDir: job.outDir, externals, projectDir: ${JSON.stringify(BENCH)} });
      const code = r.files.filter((f) => f.kind !== 'map');
      console.log(\`bundled \${job.entry} (\${code.length} files, \${(code.reduce((n, f) => n + f.bytes, 0) / 1024).toFixed(0)} kB; external: \${r.importedExternals.join(', ') || 'none'})\`);
    }`;
  log(execFileSync(process.execPath, ['--input-type=module', '-e', script], { cwd: ROOT, encoding: 'utf8' }).trimEnd());
}

/**
 * The packages @fleet/core imports when loaded, against the ones the heap-equalized server
 * imports: when core starts loading a new package, the equalized baseline must load it too.
 */
function checkEqualized() {
  const hook = `export async function resolve(s, c, next) { if (/\\/(packages\\/core|@fleet\\/core)\\/dist\\//.test(c.parentURL ?? '')) console.error('FLEET_BENCH_IMPORT ' + s); return next(s, c); }`;
  const script = `import { register } from 'node:module'; register(${JSON.stringify(`data:text/javascript,${encodeURIComponent(hook)}`)}); await import('@fleet/core');`;
  // From bench/, so '@fleet/core' is the snapshot the Fleet server loads.
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { cwd: BENCH, encoding: 'utf8' });
  const pkg = (spec) => spec.split('/').slice(0, spec.startsWith('@') ? 2 : 1).join('/');
  const core = [...new Set([...r.stderr.matchAll(/^FLEET_BENCH_IMPORT (.+)$/gm)].map((m) => m[1]).filter((x) => !x.startsWith('.') && !x.startsWith('file:')).map(pkg))].sort();
  const importsOf = (file) => [...readFileSync(join(ROOT, file), 'utf8').matchAll(/^import\s+(?:[^'";]*?\s+from\s+)?['"]([^'"]+)['"]/gm)].map((m) => m[1]);
  const eqImports = [...importsOf(KINDS.equalized.module), ...importsOf(KINDS.raw.module)].filter((x) => !x.startsWith('.')).map(pkg);
  const missing = core.filter((x) => !eqImports.includes(x));
  return { coreImports: core, equalizedImports: [...new Set(eqImports)].sort(), missing, ok: r.status === 0 && core.length > 0 };
}

function git(args) {
  try { return execFileSync('git', args, { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim(); } catch { return ''; }
}

function environment(opts, argv) {
  const cpus = os.cpus();
  const viaNpm = process.env.npm_lifecycle_event === 'bench';
  const command = viaNpm ? `npm run bench${argv.length ? ` -- ${argv.join(' ')}` : ''}` : `node bench/run.mjs${argv.length ? ` ${argv.join(' ')}` : ''}`;
  const dirtyCore = git(['status', '--porcelain', '--', 'packages/core']);
  return {
    date: new Date().toISOString(),
    command,
    node: process.version,
    platform: `${os.type()} ${os.release()} ${os.arch()}`,
    cpu: `${cpus[0]?.model ?? 'unknown'} x ${cpus.length}`,
    memoryGb: Math.round(os.totalmem() / 2 ** 30),
    commit: git(['rev-parse', '--short', 'HEAD']),
    coreUncommittedChanges: dirtyCore ? dirtyCore.split('\n').length : 0,
    versions: Object.fromEntries(['fastify', 'zod', 'ajv', 'autocannon'].map((p) => [p, JSON.parse(readFileSync(join(ROOT, 'node_modules', p, 'package.json'), 'utf8')).version])),
    pinning: pinning.note,
    options: { launches: opts.launches, rounds: opts.rounds, amount: opts.amount, connections: opts.connections, boots: opts.boots, cpuProf: opts.cpuProf, gc: opts.gc },
  };
}

// ---------------------------------------------------------------------------------------------
// Report

const f1 = (x) => x.toFixed(1);
const f2 = (x) => x.toFixed(2);
const f3 = (x) => x.toFixed(3);
const mb = (kb) => (kb / 1024).toFixed(1);
const fmtInt = (x) => Math.round(x).toLocaleString('en-US');

function targets(result) {
  const out = [];
  // The issue's target is against the heap-equalized baseline, which sends no security headers
  // (issue 11 made them a default after the target was set): Fleet as shipped, and Fleet with them
  // off (the same response bytes: what Fleet's own code costs). The same bar against the
  // feature-equalized baseline (which sends the same headers, set the way a Fastify user would) beside them.
  const what = {
    'fleet-equalized': 'Fleet as shipped (7 security headers the baseline does not send) vs heap-equalized raw Fastify',
    'plain-equalized': 'Fleet with `securityHeaders: false` (same response bytes) vs heap-equalized raw Fastify',
    'fleet-featured': 'Fleet vs feature-equalized raw Fastify (same headers; not the issue\'s baseline)',
  };
  for (const [key, name] of Object.entries(what)) {
    const eq = result.pairs.find((p) => p.key === key);
    if (!eq) continue;
    for (const route of ROUTES) {
      // Met only when it holds both over all rounds and off the cliff: a baseline process that fell
      // off the cliff makes Fleet look cheaper than its code is.
      const s = eq.summary[route.name];
      const clean = s.clean ? `; ${f3(s.clean.ratio)}x off the cliff (${s.clean.launches} of ${s.launches} launches)` : '; no launch off the cliff';
      out.push({ target: `CPU per request, ${route.name}, ${name} (baseline / Fleet)`, want: '>= 0.97x (all rounds and off the cliff)', measured: `${f3(s.ratio)}x all rounds${clean}`, met: s.ratio >= 0.97 && (s.clean?.ratio ?? 0) >= 0.97 });
    }
  }
  const b = result.boot;
  if (b) {
    const r = b.fleet.spawnToReadyMs / b.raw.spawnToReadyMs;
    out.push({ target: 'Process start to listening, Fleet (tsc output) / raw Fastify', want: '<= 1.2x', measured: `${f2(r)}x (${b.fleet.spawnToReadyMs.toFixed(0)} vs ${b.raw.spawnToReadyMs.toFixed(0)} ms)`, met: r <= 1.2 });
    if (b['fleet-bundled']) {
      const rb = b['fleet-bundled'].spawnToReadyMs / b.raw.spawnToReadyMs;
      const rr = b['fleet-bundled'].spawnToReadyMs / b['raw-bundled'].spawnToReadyMs;
      out.push({ target: 'Process start to listening, Fleet bundled by `fleet build` / raw Fastify', want: '<= 1.2x', measured: `${f2(rb)}x (${b['fleet-bundled'].spawnToReadyMs.toFixed(0)} vs ${b.raw.spawnToReadyMs.toFixed(0)} ms)`, met: rb <= 1.2 });
      out.push({ target: 'Process start to listening, Fleet bundled / raw Fastify bundled the same way (not the issue\'s target: equal packaging)', want: '<= 1.2x', measured: `${f2(rr)}x (${b['fleet-bundled'].spawnToReadyMs.toFixed(0)} vs ${b['raw-bundled'].spawnToReadyMs.toFixed(0)} ms)`, met: rr <= 1.2 });
    }
  }
  const raw = result.pairs.find((p) => p.key === 'fleet-raw');
  if (raw) {
    const r = raw.memory.peakRssRatio;
    out.push({ target: 'Peak memory (maxRSS after the same load), Fleet / raw Fastify', want: '<= 1.15x', measured: `${f2(r)}x (${mb(raw.memory.candidate.maxRssKb)} vs ${mb(raw.memory.baseline.maxRssKb)} MB)`, met: r <= 1.15 });
  }
  return out;
}

function markdown(result) {
  const { env } = result;
  const L = [];
  L.push(`Measured ${env.date.slice(0, 16).replace('T', ' ')} UTC on ${env.cpu}, ${env.memoryGb} GB, ${env.platform}; Node ${env.node}; ` +
    `fastify ${env.versions.fastify}, zod ${env.versions.zod}, ajv ${env.versions.ajv}, autocannon ${env.versions.autocannon}; ` +
    `commit ${env.commit}${env.coreUncommittedChanges ? ` with ${env.coreUncommittedChanges} uncommitted change(s) under packages/core` : ''}; ` +
    `@fleet/core build ${env.coreBuild} (a snapshot of packages/core/dist taken at the start of the run${env.coreRebuiltDuringRun ? `, which was rebuilt during the run: now ${env.coreRebuiltDuringRun}` : ''}; ` +
    `\`import '@fleet/core'\` loaded ${env.coreEntry === 'bundle' ? 'the single-file bundle' : "tsc's per-file modules"}).`);
  L.push('');
  L.push('```sh');
  L.push(env.command);
  L.push('```');
  L.push('');
  if (env.featuredHeadersMatch === false) L.push('**Warning:** the feature-equalized server does not send the same headers as Fleet\'s defaults; its figures are not equalized.\n');
  if (env.equalized?.missing?.length) L.push(`**Warning:** @fleet/core now imports ${env.equalized.missing.join(', ')}, which the heap-equalized server does not load; its figures are not equalized.\n`);
  L.push(`Each pair: ${env.options.launches} launch${env.options.launches === 1 ? '' : 'es'} (fresh processes) x ${env.options.rounds} measured rounds per route, after a discarded warm-up round; ` +
    `${fmtInt(env.options.amount)} requests per server per round over ${env.options.connections} connections; ${env.pinning}.`);
  L.push('');
  L.push('### CPU per request, side by side');
  L.push('');
  L.push('Ratio = baseline CPU per request / candidate CPU per request: **above 1 the candidate is cheaper**, below 1 it costs more. ' +
    '"All rounds" is the median over every measured round; beside it, the lowest and highest per-launch median. ' +
    '"Off the cliff" is the median over the launches where neither process fell off the nextTick cliff (see below), with how many launches that was. ' +
    'µs/req, req/s and p99 are medians over all rounds.');
  L.push('');
  L.push('| Route | Pair: candidate vs baseline | Candidate µs/req | Baseline µs/req | **Ratio, all rounds** | Launch medians | Ratio, off the cliff | req/s cand / base | p99 ms cand / base |');
  L.push('|---|---|---:|---:|---:|---:|---:|---:|---:|');
  for (const route of ROUTES) {
    for (const p of result.pairs) {
      const s = p.summary[route.name];
      const clean = s.clean ? `${f3(s.clean.ratio)} (${s.clean.launches} of ${s.launches})` : `– (0 of ${s.launches})`;
      L.push(`| \`${route.name}\` | ${p.label} | ${f1(s.candidate.cpuPerRequestUs)} | ${f1(s.baseline.cpuPerRequestUs)} | **${f3(s.ratio)}** | ${f3(s.launchMin)}–${f3(s.launchMax)} | ${clean} | ` +
        `${fmtInt(s.candidate.reqPerSec)} / ${fmtInt(s.baseline.reqPerSec)} | ${s.candidate.p99Ms} / ${s.baseline.p99Ms} |`);
    }
  }
  L.push('');
  if (result.cliff) {
    L.push(`The nextTick cliff: after its measured rounds each process times 200,000 \`process.nextTick\` calls; a process whose figure is more than ${CLIFF_FACTOR}x the cheapest of any process in this run is counted as fallen off.`);
    L.push('');
    L.push('| Server | Processes | Fell off the cliff | Cheapest nextTick, µs | Dearest not fallen off, µs | Cheapest fallen off, µs |');
    L.push('|---|---:|---:|---:|---:|---:|');
    const us = (x) => (Number.isFinite(x) && x > 0 ? x.toFixed(3) : '–');
    for (const [kind, c] of Object.entries(result.cliff)) L.push(`| ${KINDS[kind]?.label ?? kind} | ${c.processes} | ${c.cliff} | ${us(c.floorUs)} | ${us(c.healthyMaxUs)} | ${us(c.cliffMinUs)} |`);
    L.push('');
  }
  if (result.boot) {
    const b = result.boot;
    L.push(`### Start-up and memory`);
    L.push('');
    L.push(`Start-to-listening: median of ${env.options.boots} starts per server, one at a time (after one discarded start), pinned to the server core. ` +
      'Peak RSS: `process.resourceUsage().maxRSS` at the end of each launch of a pair, after both servers served the same requests (median over launches).');
    L.push('');
    L.push('Every server runs with `NODE_ENV=production`. "Bundled": the server module bundled by `fleet build`\'s code and settings (decision 009); raw Fastify bundled the same way is the fair baseline for Fleet bundled.');
    L.push('');
    L.push('| Measure | raw Fastify | raw, heap-equalized | Fleet | Fleet / raw | Fleet / equalized | raw, bundled | Fleet, bundled | Fleet bundled / raw | Fleet bundled / raw bundled |');
    L.push('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
    const row = (name, get, fmt) => L.push(`| ${name} | ${fmt(get('raw'))} | ${fmt(get('equalized'))} | ${fmt(get('fleet'))} | ${f2(get('fleet') / get('raw'))}x | ${f2(get('fleet') / get('equalized'))}x | ` +
      `${fmt(get('raw-bundled'))} | ${fmt(get('fleet-bundled'))} | ${f2(get('fleet-bundled') / get('raw'))}x | ${f2(get('fleet-bundled') / get('raw-bundled'))}x |`);
    row('Spawn to listening, ms (measured by the runner)', (k) => b[k].spawnToReadyMs, (x) => x.toFixed(0));
    row('Process start to listening, ms (`performance.now()` at listen)', (k) => b[k].listenMs, (x) => x.toFixed(0));
    row('RSS after start, idle, MB (maxRSS)', (k) => b[k].idleMaxRssKb, mb);
    row('Heap used after start, idle, MB', (k) => b[k].idleHeapUsed / 1024, mb);
    L.push('');
    L.push('| Pair | Candidate peak RSS, MB | Baseline peak RSS, MB | Candidate / baseline | Heap used at the end, MB (cand / base) |');
    L.push('|---|---:|---:|---:|---:|');
    for (const p of result.pairs) {
      const m = p.memory;
      L.push(`| ${p.label} | ${mb(m.candidate.maxRssKb)} | ${mb(m.baseline.maxRssKb)} | ${f2(m.peakRssRatio)}x | ${mb(m.candidate.heapUsed / 1024)} / ${mb(m.baseline.heapUsed / 1024)} |`);
    }
    L.push('');
  }
  const t = targets(result);
  if (t.length) {
    L.push('### Targets (issue)');
    L.push('');
    L.push('| Target | Wanted | Measured | |');
    L.push('|---|---|---|---|');
    for (const x of t) L.push(`| ${x.target} | ${x.want} | ${x.measured} | ${x.met ? 'met' : '**not met**'} |`);
    L.push('');
  }
  L.push(`Raw figures of every round: \`bench/results/${result.file}\` (not committed).`);
  return L.join('\n');
}

const START = '<!-- bench:results:start (written by bench/run.mjs; edit outside these markers) -->';
const END = '<!-- bench:results:end -->';

function writeDoc(md) {
  const block = `${START}\n${md}\n${END}`;
  let text = existsSync(DOC) ? readFileSync(DOC, 'utf8') : `# Benchmarks\n\n## Results\n\n${START}\n${END}\n`;
  const a = text.indexOf(START.slice(0, 30));
  const b = text.indexOf(END);
  text = a >= 0 && b > a ? text.slice(0, a) + block + text.slice(b + END.length) : `${text.trimEnd()}\n\n## Results\n\n${block}\n`;
  writeFileSync(DOC, text);
}

// ---------------------------------------------------------------------------------------------

async function main() {
  const argv = process.argv.slice(2);
  const opts = parseOptions(argv);
  for (const k of opts.pairs) pairOf(k);
  const log = (m) => console.log(m);
  const t0 = performance.now();

  pinning = pinSelf();
  log(`fleet bench: ${pinning.note}`);
  const coreBuild = snapshotCore(log);
  compile(log);
  if (opts.boots > 0) bundleServers(log);
  const env = environment(opts, argv);
  env.coreBuild = coreBuild;
  const entry = checkCoreEntry();
  env.coreEntry = entry.bundle ? 'bundle' : 'per-file';
  log(`import '@fleet/core' loads ${entry.bundle ? 'the single-file bundle (dist/bundle)' : "tsc's per-file modules (no current bundle)"}`);
  const { SECURITY_HEADERS } = await import(new URL('./servers/raw-fastify-featured.mjs', import.meta.url).href);
  env.featuredHeadersMatch = JSON.stringify(entry.headers) === JSON.stringify(SECURITY_HEADERS);
  if (!env.featuredHeadersMatch) log(`warning: the feature-equalized server's headers differ from Fleet's defaults (${JSON.stringify(entry.headers)}): update bench/servers/raw-fastify-featured.mjs`);
  env.equalized = checkEqualized();
  if (!env.equalized.ok) log('warning: could not list what @fleet/core imports');
  else if (env.equalized.missing.length) log(`warning: @fleet/core imports ${env.equalized.missing.join(', ')}, which the heap-equalized server does not: add them to bench/servers/raw-fastify-equalized.mjs`);
  else log(`heap-equalized server loads everything @fleet/core imports (${env.equalized.coreImports.join(', ')})`);
  log(`launches ${opts.launches}, rounds ${opts.rounds} (+1 warm-up) per launch, amount ${opts.amount}, connections ${opts.connections}, boots ${opts.boots}${opts.quick ? ' (quick)' : ''}`);

  const result = { env, boot: undefined, pairs: [] };
  if (opts.boots > 0) {
    log('start-to-listening:');
    result.boot = await runBoots(opts, log);
  }
  for (const key of opts.pairs) {
    log(`${pairOf(key).label}:`);
    result.pairs.push(await runPair(key, opts, log));
  }
  const liveBuild = existsSync(join(CORE, 'dist')) ? coreDigest(join(CORE, 'dist')) : 'missing';
  if (liveBuild !== coreBuild) {
    env.coreRebuiltDuringRun = liveBuild;
    log(`note: packages/core/dist changed during the run (now build ${liveBuild}); this run measured build ${coreBuild} throughout`);
  }
  result.cliff = classifyCliff(result.pairs);
  for (const p of result.pairs) summarize(p);
  result.elapsedSeconds = (performance.now() - t0) / 1000;

  mkdirSync(RESULTS, { recursive: true });
  result.file = `${env.date.replace(/[:.]/g, '-')}${opts.quick ? '-quick' : ''}.json`;
  const md = markdown(result);
  writeFileSync(join(RESULTS, result.file), JSON.stringify(result, null, 2));
  log('');
  log(md);
  log('');
  if (opts.docs) {
    writeDoc(md);
    log(`wrote ${relative(ROOT, DOC)} and bench/results/${result.file} in ${result.elapsedSeconds.toFixed(0)} s`);
  } else {
    log(`wrote bench/results/${result.file} in ${result.elapsedSeconds.toFixed(0)} s (docs/benchmarks.md untouched${opts.quick ? ': --quick' : ''})`);
  }
}

/** Stops every server this run started (by pid) and removes the @fleet/core snapshot. */
async function cleanup() {
  await stopAll();
  rmSync(SNAPSHOT, { recursive: true, force: true });
  for (const dir of [dirname(SNAPSHOT), dirname(dirname(SNAPSHOT))]) {
    try { if (readdirSync(dir).length === 0) rmSync(dir, { recursive: true }); } catch {}
  }
}

let interrupted = false;
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, () => {
    interrupted = true;
    console.error(`\n${signal}: stopping the servers`);
    cleanup().finally(() => process.exit(130));
  });
}
let exitCode = 0;
try {
  await main();
} catch (err) {
  if (!interrupted) console.error(err instanceof Error ? err.stack : err);
  exitCode = 1;
} finally {
  if (!interrupted) await cleanup();
}
if (!interrupted) process.exit(exitCode);
