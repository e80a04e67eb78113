import type { CliIo } from '../src/index.js';

/** An io whose output the test reads back. */
export function captureIo(cwd: string): CliIo & { out: () => string; err: () => string } {
  let out = '';
  let err = '';
  return {
    cwd,
    stdout: { write: (chunk: string) => { out += chunk; } },
    stderr: { write: (chunk: string) => { err += chunk; } },
    out: () => out,
    err: () => err,
  };
}
