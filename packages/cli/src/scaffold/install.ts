import { spawn } from 'node:child_process';
import type { PackageManager } from './new-project/index.js';

export interface InstallResult {
  ok: boolean;
  /** The end of the package manager's output (stdout and stderr, interleaved). */
  output: string;
  durationMs: number;
}

/** The install command of each package manager: prefer the local cache, skip audit and funding notices. */
export function installCommand(pm: PackageManager): string[] {
  if (pm === 'npm') return ['npm', 'install', '--prefer-offline', '--no-audit', '--no-fund'];
  if (pm === 'pnpm') return ['pnpm', 'install', '--prefer-offline'];
  return ['yarn', 'install', '--prefer-offline'];
}

/**
 * Runs the install in `dir`, its output captured (shown only when it fails). Variables that npm
 * sets for a running script (this may be one: `npx fleet new`) are removed, so they do not
 * describe another project to the install.
 */
export function install(pm: PackageManager, dir: string, options: { timeoutMs?: number } = {}): Promise<InstallResult> {
  const [command, ...args] = installCommand(pm);
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) =>
    !/^npm_(package|lifecycle)_/i.test(k) && !/^npm_config_(workspaces?|include_workspace_root|local_prefix|global|prefix)$/i.test(k)));
  const started = performance.now();
  return new Promise((resolve) => {
    let output = '';
    const child = spawn(command!, args, { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'], shell: process.platform === 'win32' });
    const keep = (chunk: Buffer) => { output = (output + chunk.toString()).slice(-20_000); };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    const timer = setTimeout(() => { output += `\n(stopped after ${Math.round((options.timeoutMs ?? 0) / 1000)} s)`; child.kill('SIGTERM'); }, options.timeoutMs ?? 600_000);
    const done = (ok: boolean, extra = '') => {
      clearTimeout(timer);
      resolve({ ok, output: (output + extra).trim().split('\n').slice(-30).join('\n'), durationMs: performance.now() - started });
    };
    child.once('error', (error) => done(false, `\n${command} could not be started: ${error.message}`));
    child.once('close', (code) => done(code === 0));
  });
}
