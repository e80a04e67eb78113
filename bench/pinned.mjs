/**
 * What the single-process benchmarks (resilience, cache, jobs) share: numeric flags from the
 * command line or `BENCH_<NAME>` variables, and pinning the process to one core by re-running it
 * under `taskset -c <BENCH_CPU, default 1>` (skipped with --no-pin or without taskset).
 */
import { execFileSync, spawnSync } from 'node:child_process';

/** A numeric flag: `--name N`, else `BENCH_NAME` (dashes as underscores), else `fallback`. */
export function numberFlag(args, name, fallback) {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : Number(process.env[`BENCH_${name.toUpperCase().replace(/-/g, '_')}`] ?? fallback);
}

/** Re-runs the calling script pinned to one core and exits with its status; returns when already pinned. */
export function pinToCore(scriptPath, args) {
  const cpu = process.env.BENCH_CPU ?? '1';
  if (process.env.FLEET_BENCH_PINNED || args.includes('--no-pin')) return;
  try { execFileSync('taskset', ['-V'], { stdio: 'ignore' }); } catch { return; /* no taskset: run unpinned */ }
  const r = spawnSync('taskset', ['-c', cpu, process.execPath, ...process.execArgv, scriptPath, ...args],
    { stdio: 'inherit', env: { ...process.env, FLEET_BENCH_PINNED: cpu } });
  process.exit(r.status ?? 1);
}
