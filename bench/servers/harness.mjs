/**
 * Entry point of every benchmark server: `node bench/servers/harness.mjs <server-module> <port>`.
 *
 * It imports the server module (which exports `start({ port, host })`), then talks to the
 * runner over the IPC channel only, so nothing is added to the measured request path:
 *   -> { type: 'ready', listenMs, describe }   once listening (listenMs: performance.now(), i.e.
 *                                              milliseconds since this process started)
 *   <- { type: 'stats', id }  -> { type: 'stats', id, cpu, mem, maxRSS }
 *   <- { type: 'tick-probe', id } -> { type: 'tick-probe', id, usPerTick }: CPU per process.nextTick,
 *                                    a diagnostic the runner asks for after the measured rounds
 *   <- { type: 'close' }      -> closes the server and exits
 * If the runner goes away (IPC disconnect), the server exits: no orphan servers.
 * With BENCH_GC=1 (run.mjs --gc) it also counts garbage collections and their time, by kind,
 * through a PerformanceObserver (a diagnostic: it adds a little work per GC, none per request).
 */
import { PerformanceObserver, constants, performance } from 'node:perf_hooks';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const [modulePath, portArg] = process.argv.slice(2);
if (!modulePath || !portArg || typeof process.send !== 'function') {
  console.error('usage (from bench/run.mjs, with an IPC channel): node bench/servers/harness.mjs <server-module> <port>');
  process.exit(2);
}

const gc = { count: 0, ms: 0, minor: 0, minorMs: 0, major: 0, majorMs: 0 };
if (process.env.BENCH_GC === '1') {
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      const minor = e.detail?.kind === constants.NODE_PERFORMANCE_GC_MINOR;
      const major = e.detail?.kind === constants.NODE_PERFORMANCE_GC_MAJOR;
      gc.count++; gc.ms += e.duration;
      if (minor) { gc.minor++; gc.minorMs += e.duration; }
      if (major) { gc.major++; gc.majorMs += e.duration; }
    }
  }).observe({ entryTypes: ['gc'] });
}

const { start } = await import(pathToFileURL(resolve(modulePath)).href);
const server = await start({ port: Number(portArg), host: '127.0.0.1' });
const listenMs = performance.now();

let closing = false;
async function shutdown(code) {
  if (closing) return;
  closing = true;
  try { await server.close(); } catch (err) { console.error(err); code = 1; }
  process.exit(code);
}

process.on('message', (msg) => {
  if (msg?.type === 'stats') {
    const cpu = process.cpuUsage();
    process.send({ type: 'stats', id: msg.id, cpu, mem: process.memoryUsage(), maxRSS: process.resourceUsage().maxRSS, gc: { ...gc } });
  } else if (msg?.type === 'tick-probe') {
    // Diagnostic, sent only after the measured rounds: the cost of one process.nextTick here.
    tickProbe(msg.count ?? 200_000).then((us) => process.send({ type: 'tick-probe', id: msg.id, usPerTick: us }));
  } else if (msg?.type === 'close') {
    void shutdown(0);
  }
});
process.on('disconnect', () => void shutdown(0));

function tickProbe(n) {
  return new Promise((resolve) => {
    let left = n;
    const t0 = process.cpuUsage();
    const tick = () => {
      if (--left > 0) return process.nextTick(tick);
      const d = process.cpuUsage(t0);
      resolve((d.user + d.system) / n);
    };
    process.nextTick(tick);
  });
}

process.send({ type: 'ready', listenMs, pid: process.pid, describe: server.describe?.() });
