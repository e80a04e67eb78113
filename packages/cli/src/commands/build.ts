import { existsSync, readFileSync } from 'node:fs';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import { DEFAULT_EXTERNALS, bundleApp, bundledEntry, type BundleResult } from '../build/index.js';
import { ExitCode, defineCommand, type CliIo } from '../command.js';
import { CliError, usageError } from '../errors.js';

/**
 * Bundles the app's compiled entry (tsc output) and its dependencies into a few ES module files
 * with rolldown, for production: Node 20 loads an ES module graph file by file, and a bundle
 * starts faster (decision 009). It compiles no TypeScript itself. Packages that load files or
 * native addons at run time stay external (DEFAULT_EXTERNALS, plus --external).
 */
export const buildCommand = defineCommand({
  name: 'build',
  aliases: [],
  summary: 'Bundle the compiled app (tsc output) and its dependencies into dist/bundle/ for a faster production start',
  flags: {
    entry: { type: 'string', valueName: 'files', description: 'Compiled entry file(s), comma-separated (default: "main" of package.json, else dist/main.js)' },
    out: { type: 'string', valueName: 'dir', default: 'dist/bundle', description: 'Output folder (emptied first); each entry becomes <dir>/<name>.js' },
    external: { type: 'string', valueName: 'packages', description: 'More packages to leave in node_modules, comma-separated (@scope/* for a scope)' },
  },
  async run({ values }, io) {
    const entries = (values.entry ?? defaultEntry(io.cwd)).split(',').map((s) => s.trim()).filter(Boolean).map((e) => resolve(io.cwd, e));
    if (entries.length === 0) throw usageError('--entry needs at least one file.', 'Use "fleet build --entry dist/main.js".');
    const outDir = resolve(io.cwd, values.out);
    checkOut(outDir, entries, io.cwd);
    for (const entry of entries) {
      if (!existsSync(entry)) {
        throw new CliError('FLEET_ERR_CLI_FILE_NOT_FOUND', `--entry: no file at ${shown(io.cwd, entry)} (${entry}).`, {
          hint: 'Fix: compile the app first (for example npx tsc -b), or pass --entry <file> with its compiled entry (for example dist/main.js).',
        });
      }
    }
    const extra = (values.external ?? '').split(',').map((s) => s.trim()).filter(Boolean);
    const externals = [...new Set([...DEFAULT_EXTERNALS.map((e) => e.name), ...extra])];
    let result: BundleResult;
    try {
      result = await bundleApp({ entries, outDir, externals, projectDir: io.cwd });
    } catch (error) {
      throw new CliError('FLEET_ERR_CLI_BUILD_FAILED', `bundling ${entries.map((e) => shown(io.cwd, e)).join(', ')} failed: ${firstLine(error)}`, {
        cause: error,
        hint: 'Fix: check that the entry runs with node and that its imports are installed; a package that cannot be bundled can stay in node_modules with --external <name>.',
      });
    }
    io.stdout.write(summary(result, entries, outDir, externals, io));
    return ExitCode.Ok;
  },
});

/** "main" of the project's package.json when it names a file, else dist/main.js. */
function defaultEntry(cwd: string): string {
  try {
    const main = (JSON.parse(readFileSync(join(cwd, 'package.json'), 'utf8')) as { main?: unknown }).main;
    if (typeof main === 'string' && main.endsWith('.js')) return main;
  } catch { /* no or unreadable package.json: the default below */ }
  return 'dist/main.js';
}

const inside = (dir: string, file: string) => { const r = relative(dir, file); return r === '' || (!r.startsWith('..') && !isAbsolute(r)); };

/** The output folder is emptied: it must not hold the entries nor be the project (or above it). */
function checkOut(outDir: string, entries: readonly string[], cwd: string): void {
  if (inside(outDir, cwd)) throw usageError(`--out ${shown(cwd, outDir) || '.'} is the project folder or above it; fleet build empties --out first.`, 'Use a folder of its own, e.g. --out dist/bundle.');
  const held = entries.find((e) => inside(outDir, e));
  if (held) throw usageError(`--out ${shown(cwd, outDir)} holds the entry ${shown(cwd, held)}; fleet build empties --out first.`, 'Use a folder of its own, e.g. --out dist/bundle.');
}

function shown(cwd: string, file: string): string {
  const r = relative(cwd, file);
  return r && !r.startsWith('..') ? r : file;
}

function firstLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n').find((l) => l.trim()) ?? 'unknown error';
}

const size = (bytes: number) => bytes >= 1024 * 1024 ? `${(bytes / 1024 / 1024).toFixed(1)} MB` : `${(bytes / 1024).toFixed(1)} kB`;

function summary(result: BundleResult, entries: readonly string[], outDir: string, externals: readonly string[], io: CliIo): string {
  const code = result.files.filter((f) => f.kind !== 'map');
  const maps = result.files.filter((f) => f.kind === 'map');
  const out = shown(io.cwd, outDir);
  const lines = [`fleet build: ${entries.map((e) => shown(io.cwd, e)).join(', ')} -> ${out}${sep} in ${result.ms.toFixed(0)} ms`];
  const width = Math.max(...code.map((f) => f.fileName.length));
  for (const f of code) lines.push(`  ${f.fileName.padEnd(width)}  ${size(f.bytes).padStart(9)}${f.kind === 'entry' ? '  (entry)' : ''}`);
  lines.push(`  ${code.length} files, ${size(code.reduce((n, f) => n + f.bytes, 0))}; source maps: ${maps.length} files, ${size(maps.reduce((n, f) => n + f.bytes, 0))}`);
  lines.push(`External (loaded from node_modules at run time): ${result.importedExternals.length ? result.importedExternals.join(', ') : 'none'}` +
    ` (of ${externals.join(', ')})`);
  for (const w of result.warnings) lines.push(`warning: ${w}`);
  lines.push(`Run: node --enable-source-maps ${entries.map((e) => shown(io.cwd, bundledEntry(outDir, e))).join(' | ')}`);
  return lines.join('\n') + '\n';
}
