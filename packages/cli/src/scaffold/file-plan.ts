import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, relative, sep } from 'node:path';
import { CliError } from '../errors.js';
import { lineDiff } from './line-diff.js';

/** One file a command will write. */
export interface PlannedFile {
  /** Absolute path. */
  path: string;
  content: string;
  /** `create` never overwrites; `update` replaces `before`, which was read from disk. */
  action: 'create' | 'update';
  before?: string;
}

/** Stops before anything is written when a file to create exists already, listing every one. */
export function assertNothingOverwritten(files: readonly PlannedFile[], root: string, what: string): void {
  const existing = files.filter((f) => f.action === 'create' && existsSync(f.path)).map((f) => show(root, f.path));
  if (existing.length === 0) return;
  throw new CliError('FLEET_ERR_CLI_FILE_EXISTS', `${what} would overwrite ${existing.join(', ')}; nothing was written.`, {
    hint: 'Fix: choose another name, or move the existing file away first (fleet never overwrites).',
  });
}

/** Writes the files: new ones with the exclusive flag, so a file that appeared meanwhile is not overwritten. */
export function writeFiles(files: readonly PlannedFile[]): void {
  for (const file of files) {
    mkdirSync(dirname(file.path), { recursive: true });
    writeFileSync(file.path, file.content, file.action === 'create' ? { flag: 'wx' } : {});
  }
}

/** `CREATE src/orders/orders.service.ts (312 bytes)` per file; with `diff`, the changed lines of updates. */
export function describeFiles(files: readonly PlannedFile[], root: string, options: { diff?: boolean } = {}): string {
  const lines: string[] = [];
  for (const file of files) {
    lines.push(`${file.action === 'create' ? 'CREATE' : 'UPDATE'} ${show(root, file.path)} (${Buffer.byteLength(file.content)} bytes)`);
    if (options.diff && file.action === 'update') lines.push(...lineDiff(file.before ?? '', file.content).map((l) => `  ${l}`));
  }
  return lines.join('\n') + '\n';
}

function show(root: string, path: string): string {
  return relative(root, path).split(sep).join('/');
}
